//! Names that carry plist-only types (dates, UIDs) through serde's data model.
//!
//! Serializing: [`Date`](crate::Date) is a newtype struct named [`DATE`] around its `f64`
//! Apple seconds, [`Uid`](crate::Uid) a newtype struct named [`UID`] around its `u64`.
//! Deserializing through `deserialize_any`, the readers hand a date or a UID to the
//! visitor as a one-entry map whose key is [`DATE`] or [`UID`], so that a self-describing
//! visitor (like [`Value`](crate::Value)'s) can tell them apart from dictionaries.

/// The newtype name and map key that mark a date.
pub(crate) const DATE: &str = "$__mdm_plist::Date";
/// The newtype name and map key that mark a UID.
pub(crate) const UID: &str = "$__mdm_plist::Uid";
