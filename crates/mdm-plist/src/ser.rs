//! serde serialization: any `Serialize` type into a [`Value`], then either format.

use serde::Serialize;

use crate::{Error, ErrorKind, Result, Value};

/// Converts `value` into a [`Value`].
pub fn to_value<T: Serialize + ?Sized>(value: &T) -> Result<Value> {
    let _ = value;
    Err(Error::new(ErrorKind::Custom, "not written yet"))
}
