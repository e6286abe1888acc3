//! Exact decimal numbers for money and percentages: no floats anywhere.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};

const MAX_SCALE: u32 = Decimal::MAX_SCALE;
const MAX_DIGITS: u32 = Decimal::MAX_DIGITS;

/// An exact decimal number: `units / 10^scale`.
///
/// Invariant: `scale ≤ 18`, at most 34 significant digits, and normalised (no trailing zero in
/// the fraction), so equal values are equal structs. Parsed from strings like `"-12.30"` or
/// from JSON numbers (through their shortest decimal form); written as a string, `"12.3"`.
///
/// # Examples
///
/// ```
/// use tenantree::Decimal;
///
/// let price: Decimal = "100".parse()?;
/// let markup: Decimal = "12.5".parse()?;
/// assert_eq!(price.apply_percent(markup)?.to_string(), "112.5");
/// assert_eq!("0.1".parse::<Decimal>()?.checked_add("0.2".parse()?)?.to_string(), "0.3");
/// assert!("1e5".parse::<Decimal>().is_err());
/// # Ok::<(), tenantree::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(type = "string"))]
pub struct Decimal {
    units: i128,
    scale: u32,
}

fn pow10(n: u32) -> Option<i128> {
    10i128.checked_pow(n)
}

fn digits(mut n: i128) -> u32 {
    let mut d = 1;
    while n.abs() >= 10 {
        n /= 10;
        d += 1;
    }
    d
}

impl Decimal {
    /// Zero.
    pub const ZERO: Decimal = Decimal { units: 0, scale: 0 };
    /// The most decimal places a decimal carries.
    pub const MAX_SCALE: u32 = 18;
    /// The most significant digits a decimal carries (well inside `i128`).
    pub const MAX_DIGITS: u32 = 34;

    fn new(units: i128, scale: u32) -> Result<Decimal> {
        let (mut units, mut scale) = (units, scale);
        while scale > 0 && units % 10 == 0 {
            units /= 10;
            scale -= 1;
        }
        if scale > MAX_SCALE || digits(units) > MAX_DIGITS {
            return Err(Error::invalid("decimal", "is too precise or too large"));
        }
        Ok(Decimal { units, scale })
    }

    /// A whole number.
    #[must_use]
    pub fn from_int(n: i64) -> Decimal {
        Decimal { units: i128::from(n), scale: 0 }
    }

    /// `units / 10^scale`.
    ///
    /// # Errors
    ///
    /// `INVALID_ARGUMENT` beyond 18 decimal places or 34 digits.
    pub fn from_parts(units: i128, scale: u32) -> Result<Decimal> {
        Decimal::new(units, scale)
    }

    /// The number of decimal places written.
    #[must_use]
    pub fn scale(self) -> u32 {
        self.scale
    }

    /// Whether the number is below zero.
    #[must_use]
    pub fn is_negative(self) -> bool {
        self.units < 0
    }

    /// Whether the number is zero.
    #[must_use]
    pub fn is_zero(self) -> bool {
        self.units == 0
    }

    /// The value in units of `10^-scale`, when it has at most `scale` decimals and fits.
    #[must_use]
    pub fn to_fixed(self, scale: u32) -> Option<i128> {
        if self.scale > scale {
            return None;
        }
        self.units.checked_mul(pow10(scale - self.scale)?)
    }

    fn aligned(self, other: Decimal) -> Option<(i128, i128, u32)> {
        let scale = self.scale.max(other.scale);
        Some((
            self.units.checked_mul(pow10(scale - self.scale)?)?,
            other.units.checked_mul(pow10(scale - other.scale)?)?,
            scale,
        ))
    }

    /// `self + other`, exactly.
    ///
    /// # Errors
    ///
    /// `INVALID_ARGUMENT` when the result leaves the representable range.
    pub fn checked_add(self, other: Decimal) -> Result<Decimal> {
        let (a, b, scale) = self.aligned(other).ok_or_else(overflow)?;
        Decimal::new(a.checked_add(b).ok_or_else(overflow)?, scale)
    }

    /// `self × other`, rounded half-to-even to 18 decimal places if it has more.
    ///
    /// # Errors
    ///
    /// `INVALID_ARGUMENT` when the result leaves the representable range.
    pub fn checked_mul(self, other: Decimal) -> Result<Decimal> {
        let units = self.units.checked_mul(other.units).ok_or_else(overflow)?;
        let scale = self.scale + other.scale;
        if scale > MAX_SCALE {
            let (u, s) = round_half_even(units, scale, MAX_SCALE);
            return Decimal::new(u, s);
        }
        Decimal::new(units, scale)
    }

    /// `self × (1 + percent / 100)`: a markup of `percent` applied to a price.
    ///
    /// # Errors
    ///
    /// `INVALID_ARGUMENT` when the result leaves the representable range.
    pub fn apply_percent(self, percent: Decimal) -> Result<Decimal> {
        let factor = Decimal::from_int(100).checked_add(percent)?;
        let scaled = self.checked_mul(factor)?;
        // Dividing by 100 is exact: two more decimal places.
        if scaled.scale + 2 > MAX_SCALE {
            let (u, s) = round_half_even(scaled.units, scaled.scale + 2, MAX_SCALE);
            return Decimal::new(u, s);
        }
        Decimal::new(scaled.units, scaled.scale + 2)
    }

    /// The number rounded half-to-even to `places` decimal places.
    #[must_use]
    pub fn round(self, places: u32) -> Decimal {
        if self.scale <= places {
            return self;
        }
        let (u, s) = round_half_even(self.units, self.scale, places);
        Decimal::new(u, s).unwrap_or(self)
    }
}

fn overflow() -> Error {
    Error::invalid("decimal", "the result is out of range")
}

fn round_half_even(units: i128, scale: u32, places: u32) -> (i128, u32) {
    let drop = scale.saturating_sub(places);
    let Some(div) = pow10(drop) else { return (0, places) };
    let q = units / div;
    let r = units % div;
    let half = div / 2;
    let q = match r.abs().cmp(&half) {
        Ordering::Greater => q + units.signum(),
        Ordering::Equal if q % 2 != 0 => q + units.signum(),
        _ => q,
    };
    (q, places)
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Decimal) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Decimal) -> Ordering {
        match self.aligned(*other) {
            Some((a, b, _)) => a.cmp(&b),
            // Alignment overflows only for huge magnitudes: compare signs, then sizes.
            None => self.units.signum().cmp(&other.units.signum()).then_with(|| {
                let (da, db) =
                    (digits(self.units) as i64 - self.scale as i64, digits(other.units) as i64 - other.scale as i64);
                if self.units >= 0 { da.cmp(&db) } else { db.cmp(&da) }
            }),
        }
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.units < 0 { "-" } else { "" };
        let abs = self.units.unsigned_abs().to_string();
        let scale = self.scale as usize;
        if scale == 0 {
            return write!(f, "{sign}{abs}");
        }
        let padded = format!("{abs:0>width$}", width = scale + 1);
        let (int, frac) = padded.split_at(padded.len() - scale);
        write!(f, "{sign}{int}.{frac}")
    }
}

impl fmt::Debug for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Decimal({self})")
    }
}

impl FromStr for Decimal {
    type Err = Error;

    /// `[-+]digits[.digits]`; no exponent, no separators.
    fn from_str(s: &str) -> Result<Decimal> {
        let bad = || Error::invalid("decimal", format!("{s:?} is not a decimal number"));
        let t = s.trim();
        let (neg, body) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t.strip_prefix('+').unwrap_or(t)),
        };
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        if int.is_empty() && frac.is_empty() {
            return Err(bad());
        }
        if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let digits_text = format!("{int}{frac}");
        let trimmed = digits_text.trim_start_matches('0');
        if trimmed.len() > MAX_DIGITS as usize {
            return Err(Error::invalid("decimal", format!("{s:?} has more than {MAX_DIGITS} digits")));
        }
        let scale = u32::try_from(frac.len()).map_err(|_| bad())?;
        let frac_trimmed = frac.trim_end_matches('0');
        if frac_trimmed.len() > MAX_SCALE as usize {
            return Err(Error::invalid("decimal", format!("{s:?} has more than {MAX_SCALE} decimal places")));
        }
        let units: i128 = if trimmed.is_empty() { 0 } else { trimmed.parse().map_err(|_| bad())? };
        Decimal::new(if neg { -units } else { units }, scale)
    }
}

impl Serialize for Decimal {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            serializer.collect_str(self)
        } else {
            (self.units, self.scale).serialize(serializer)
        }
    }
}

impl<'de> Deserialize<'de> for Decimal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Decimal, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Decimal;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a decimal number or a string holding one")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> std::result::Result<Decimal, E> {
                s.parse().map_err(E::custom)
            }
            fn visit_i64<E: serde::de::Error>(self, n: i64) -> std::result::Result<Decimal, E> {
                Ok(Decimal::from_int(n))
            }
            fn visit_u64<E: serde::de::Error>(self, n: u64) -> std::result::Result<Decimal, E> {
                Decimal::new(i128::from(n), 0).map_err(E::custom)
            }
            fn visit_f64<E: serde::de::Error>(self, n: f64) -> std::result::Result<Decimal, E> {
                // The shortest decimal text that reads back as the same float: what the sender
                // wrote, for any number a person would type.
                if !n.is_finite() {
                    return Err(E::custom("not a finite number"));
                }
                let text = format!("{n}");
                text.parse().map_err(E::custom)
            }
        }
        if d.is_human_readable() {
            d.deserialize_any(V)
        } else {
            let (units, scale) = <(i128, u32)>::deserialize(d)?;
            Decimal::new(units, scale).map_err(serde::de::Error::custom)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn parses_and_prints_normalised() {
        for (input, shown) in [
            ("12.30", "12.3"),
            ("-0.5", "-0.5"),
            ("+7", "7"),
            ("0.000", "0"),
            (".5", "0.5"),
            ("5.", "5"),
            ("007.010", "7.01"),
        ] {
            assert_eq!(d(input).to_string(), shown, "{input}");
        }
        for bad in ["", "-", ".", "1e5", "1,5", "NaN", "1.2.3", " - 1", "0x10", "١٢"] {
            assert!(bad.parse::<Decimal>().is_err(), "{bad:?}");
        }
        assert!(format!("0.{}", "1".repeat(19)).parse::<Decimal>().is_err());
        assert!("1".repeat(35).parse::<Decimal>().is_err());
        assert_eq!(d("1.10"), d("1.1"));
    }

    #[test]
    fn arithmetic_is_exact() {
        assert_eq!(d("0.1").checked_add(d("0.2")).unwrap(), d("0.3"));
        assert_eq!(d("19.99").checked_mul(d("3")).unwrap(), d("59.97"));
        assert_eq!(d("100").apply_percent(d("20")).unwrap(), d("120"));
        assert_eq!(d("100").apply_percent(d("-12.5")).unwrap(), d("87.5"));
        assert_eq!(d("0.00001").apply_percent(d("0.1")).unwrap(), d("0.0000100100"));
        assert!(d("1.05") > d("1.0499") && d("-2") < d("-1.5"));
        assert_eq!(d("2.5").round(0), d("2"));
        assert_eq!(d("3.5").round(0), d("4"));
        assert_eq!(d("-2.675").round(2), d("-2.68"));
        assert_eq!(d("1.23").to_fixed(5), Some(123_000));
        assert_eq!(d("1.234567").to_fixed(5), None);
    }

    #[test]
    fn serde_reads_strings_and_numbers() {
        let v: Decimal = serde_json::from_str("12.3").unwrap();
        assert_eq!(v, d("12.3"));
        let v: Decimal = serde_json::from_str("\"0.00001\"").unwrap();
        assert_eq!(v.to_string(), "0.00001");
        let v: Decimal = serde_json::from_str("1").unwrap();
        assert_eq!(v, d("1"));
        assert_eq!(serde_json::to_string(&d("5.0")).unwrap(), "\"5\"");
        assert!(serde_json::from_str::<Decimal>("true").is_err());
        let bytes = postcard::to_allocvec(&d("-3.25")).unwrap();
        assert_eq!(postcard::from_bytes::<Decimal>(&bytes).unwrap(), d("-3.25"));
    }
}
