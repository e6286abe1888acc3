//! The options object of the store's constructors.

use serde::Deserialize;
use tenantree::{Durability, PasswordParams, Preset, Schema, StoreBuilder};
use wasm_bindgen::JsValue;

use crate::convert::invalid;
use crate::env::{JsClock, JsEntropy};

/// How to open a store: `{ preset?, schema?, durability?, cacheSize? }`, every field optional.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(test, derive(ts_rs::TS), ts(optional_fields))]
pub(crate) struct StoreOptions {
    /// A ready-made schema for a new store: `channel` (the default), `clients` or `fusion`.
    preset: Option<Preset>,
    /// A schema of the caller's own for a new store (instead of `preset`).
    schema: Option<Schema>,
    /// `immediate` (the default): every commit is durable when it returns; `bulk`: commits
    /// become durable with the next flush.
    durability: Option<Durability>,
    /// redb's page cache in bytes (default 16 MiB).
    cache_size: Option<u32>,
    /// argon2id's cost for password hashes (default: 19 MiB, 2 passes).
    password_params: Option<PasswordParams>,
    /// Whether every committed change is recorded in the change feed (default: on).
    change_feed: Option<bool>,
}

impl StoreOptions {
    /// The core's builder for these options, with the host's clock and randomness.
    pub(crate) fn builder(self) -> Result<StoreBuilder, JsValue> {
        let mut builder = tenantree::Store::builder().clock(JsClock).entropy(JsEntropy::default());
        builder = match (self.preset, self.schema) {
            (Some(_), Some(_)) => return Err(invalid("options", "give either preset or schema, not both")),
            (Some(preset), None) => builder.preset(preset),
            (None, Some(schema)) => builder.schema(schema),
            (None, None) => builder,
        };
        if let Some(durability) = self.durability {
            builder = builder.durability(durability);
        }
        if let Some(bytes) = self.cache_size {
            builder = builder.cache_size(bytes as usize);
        }
        if let Some(params) = self.password_params {
            builder = builder.password_params(params);
        }
        if let Some(enabled) = self.change_feed {
            builder = builder.change_feed(enabled);
        }
        Ok(builder)
    }
}
