//! 004's holidays: dated entries of a tenant, and the query that lists them.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::Direction;

/// A holiday's id: a positive number from a store-wide counter, so ids are never reused.
///
/// Invariant: never 0.
///
/// # Examples
///
/// ```
/// use tenantree::HolidayId;
///
/// assert_eq!(HolidayId::new(3)?.get(), 3);
/// assert!(HolidayId::new(0).is_err());
/// assert_eq!("3".parse::<HolidayId>()?, HolidayId::new(3)?);
/// # Ok::<(), tenantree::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(type = "number"))]
#[serde(try_from = "u64", into = "u64")]
pub struct HolidayId(u64);

impl HolidayId {
    /// Wraps a number.
    ///
    /// # Errors
    ///
    /// `INVALID_ARGUMENT` for 0.
    pub fn new(id: u64) -> Result<HolidayId> {
        if id == 0 {
            return Err(Error::invalid("id", "holiday ids start at 1"));
        }
        Ok(HolidayId(id))
    }

    /// The number.
    #[must_use]
    pub fn get(self) -> u64 {
        self.0
    }
}

impl TryFrom<u64> for HolidayId {
    type Error = Error;

    fn try_from(id: u64) -> Result<HolidayId> {
        HolidayId::new(id)
    }
}

impl From<HolidayId> for u64 {
    fn from(id: HolidayId) -> u64 {
        id.0
    }
}

impl fmt::Display for HolidayId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl std::str::FromStr for HolidayId {
    type Err = Error;

    fn from_str(s: &str) -> Result<HolidayId> {
        let n: u64 = s.trim().parse().map_err(|_| Error::invalid("id", format!("{s:?} is not a holiday id")))?;
        HolidayId::new(n)
    }
}

/// A holiday of a tenant, as 004 lists it.
///
/// Invariants (checked on write, see [`NewHoliday`]): the name is 1–64 characters on one line;
/// the region is empty or an ISO 3166-1 alpha-3 code; months are 1–12, days exist in their
/// month, hours 0–23, minutes 0–59; the start is not after the end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct Holiday {
    /// The id.
    pub id: HolidayId,
    /// The name.
    pub name: String,
    /// The country it belongs to (ISO 3166-1 alpha-3), or `""`.
    pub region: String,
    /// Whether it is one span from start to end (otherwise the hours apply on each day).
    pub consecutive: bool,
    /// Whether it recurs every year (the years are then ignored).
    pub every_year: bool,
    /// Start year.
    pub year_start: u32,
    /// End year.
    pub year_end: u32,
    /// Start month, 1–12.
    pub month_start: u32,
    /// End month, 1–12.
    pub month_end: u32,
    /// Start day of the month.
    pub day_start: u32,
    /// End day of the month.
    pub day_end: u32,
    /// Start hour, 0–23.
    pub hour_start: u32,
    /// End hour, 0–23.
    pub hour_end: u32,
    /// Start minute, 0–59.
    pub minute_start: u32,
    /// End minute, 0–59.
    pub minute_end: u32,
}

/// A holiday to create (004's `POST /api/holidays`). Fields left out of JSON are empty or 0,
/// which validation then refuses where 0 is not allowed (months and days).
///
/// Rules: `name` 1–64 characters on one line; `region` empty or an ISO 3166-1 alpha-3 code
/// (stored upper-case); months 1–12; each day valid for its month (29 February only in a leap
/// year when the year counts, and always when `every_year`); hours 0–23; minutes 0–59; years
/// 1–9999 unless `every_year` (then 0–9999 and ignored); and the start, compared as (year,
/// month, day, hour, minute) with the years left out when `every_year`, not after the end.
///
/// # Examples
///
/// ```
/// use tenantree::NewHoliday;
///
/// let christmas = NewHoliday::yearly("Christmas", (12, 25), (12, 26));
/// assert!(christmas.every_year && christmas.consecutive);
/// assert_eq!((christmas.hour_end, christmas.minute_end), (23, 59));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(default)]
pub struct NewHoliday {
    pub name: String,
    pub region: String,
    pub consecutive: bool,
    pub every_year: bool,
    pub year_start: u32,
    pub year_end: u32,
    pub month_start: u32,
    pub month_end: u32,
    pub day_start: u32,
    pub day_end: u32,
    pub hour_start: u32,
    pub hour_end: u32,
    pub minute_start: u32,
    pub minute_end: u32,
}

impl NewHoliday {
    /// A consecutive holiday every year from `start` to `end` (month, day), whole days.
    #[must_use]
    pub fn yearly(name: &str, start: (u32, u32), end: (u32, u32)) -> NewHoliday {
        NewHoliday {
            name: name.to_owned(),
            consecutive: true,
            every_year: true,
            month_start: start.0,
            day_start: start.1,
            month_end: end.0,
            day_end: end.1,
            hour_end: 23,
            minute_end: 59,
            ..NewHoliday::default()
        }
    }

    /// A consecutive holiday once, from `start` to `end` (year, month, day), whole days.
    #[must_use]
    pub fn once(name: &str, start: (u32, u32, u32), end: (u32, u32, u32)) -> NewHoliday {
        NewHoliday {
            name: name.to_owned(),
            consecutive: true,
            every_year: false,
            year_start: start.0,
            month_start: start.1,
            day_start: start.2,
            year_end: end.0,
            month_end: end.1,
            day_end: end.2,
            hour_end: 23,
            minute_end: 59,
            ..NewHoliday::default()
        }
    }
}

/// A partial change of a holiday (004's `POST /api/holidays/{id}`): fields left out stay; the
/// result must pass the rules of [`NewHoliday`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(default)]
pub struct HolidayUpdate {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consecutive: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub every_year: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year_start: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year_end: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub month_start: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub month_end: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub day_start: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub day_end: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hour_start: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hour_end: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minute_start: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minute_end: Option<u32>,
}

/// A field of [`Holiday`], to filter or sort on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum HolidayField {
    Id,
    Name,
    Region,
    Consecutive,
    EveryYear,
    YearStart,
    YearEnd,
    MonthStart,
    MonthEnd,
    DayStart,
    DayEnd,
    HourStart,
    HourEnd,
    MinuteStart,
    MinuteEnd,
}

/// A comparison of a filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum FilterOp {
    /// Equal.
    Eq,
    /// Not equal.
    Ne,
    /// Greater than.
    Gt,
    /// Greater than or equal.
    Ge,
    /// Less than.
    Lt,
    /// Less than or equal.
    Le,
    /// Contains, ignoring case (text fields only).
    Contains,
}

/// The value a filter compares with: a number for the numeric fields and `id`, a boolean for
/// `consecutive` and `every_year`, text for `name` and `region`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(untagged)]
pub enum FilterValue {
    /// For `consecutive` and `every_year` (which allow only `eq` and `ne`).
    Bool(bool),
    /// For `id` and the numeric fields.
    Number(u64),
    /// For `name` and `region`: compared as written (byte order), except `contains`, which
    /// ignores case.
    Text(String),
}

/// One condition of a holiday query: `field op value`. The API layer turns 004's `filter`
/// query string into these.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct HolidayFilter {
    /// The field compared.
    pub field: HolidayField,
    /// The comparison.
    pub op: FilterOp,
    /// What it is compared with.
    pub value: FilterValue,
}

/// A sort order: a field and a direction (ascending by default); ties keep id order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct HolidayOrder {
    /// The field.
    pub field: HolidayField,
    /// The direction.
    #[serde(default)]
    pub direction: Direction,
}

/// 004's holiday listing: filter, search, order by, skip and top.
///
/// Every filter must hold (at most 16); `search` is a case-insensitive substring of the name or
/// the region (at most 256 characters); the order defaults to ascending id (creation order);
/// `skip` defaults to 0 and `top` to 100 (1 to 1000).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(default)]
pub struct HolidayQuery {
    /// Conditions that must all hold.
    pub filter: Vec<HolidayFilter>,
    /// A case-insensitive substring of the name or the region.
    pub search: Option<String>,
    /// The order.
    pub order_by: Option<HolidayOrder>,
    /// Matches to skip.
    pub skip: u64,
    /// Page size: default 100, at most 1000.
    pub top: Option<u32>,
}

/// A page of holidays: `count` is the number of matches, `items` the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct HolidayPage {
    /// How many holidays match (before skip and top).
    pub count: u64,
    /// The page.
    pub items: Vec<Holiday>,
}
