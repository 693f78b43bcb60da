//! serde deserialization: straight from the event stream into any `Deserialize` type.

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::{Error, ErrorKind, ReadOptions, Result, Value};

/// Decodes a property list (either format, detected) into `T`.
pub fn from_slice<'de, T: Deserialize<'de>>(bytes: &'de [u8]) -> Result<T> {
    from_slice_with(bytes, &ReadOptions::new())
}

/// Decodes a property list into `T` with options.
pub fn from_slice_with<'de, T: Deserialize<'de>>(
    bytes: &'de [u8],
    options: &ReadOptions,
) -> Result<T> {
    let _ = (bytes, options);
    Err(Error::new(ErrorKind::Custom, "not written yet"))
}

/// Decodes a [`Value`] into `T`.
pub fn from_value<T: DeserializeOwned>(value: &Value) -> Result<T> {
    let _ = value;
    Err(Error::new(ErrorKind::Custom, "not written yet"))
}
