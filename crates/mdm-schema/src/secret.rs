//! Wrappers for secret strings and bytes in commands and results: zeroized on drop, never printed.
//!
//! These are written here on top of [`zeroize`] rather than taken from the `secrecy`
//! crate. `secrecy` is well kept, but for this crate it would add a dependency and still
//! leave work: its serde support needs a marker trait on a newtype before a secret can be
//! serialized, its `Debug` output differs from the `<redacted>` used across this project's
//! logs, and it has no constant-time equality. What is needed is small enough to own:
//! a zeroizing buffer, redacted `Debug` and `Display`, an explicit `expose_secret`, serde,
//! and `==` through [`subtle`].
//!
//! Serialization writes the real value: putting a secret on the wire is the one use of
//! serializing a command, and choosing to serialize is already explicit. Logs should
//! print these types with `Debug`, or pass a decoded message through
//! [`redact`](crate::secrets::redact) first.
//!
//! Zeroizing covers the buffer a wrapper owns. Copies made before the value was wrapped
//! (an input buffer, a decoder's scratch space) are outside its reach.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, SeqAccess, Visitor};
use serde::ser::{Serialize, Serializer};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// The text `Debug` and `Display` print for a secret.
pub const REDACTED: &str = "<redacted>";

/// A secret string, such as the bypass code a device reports or a password in a command.
///
/// The string is overwritten with zeros when dropped (its whole allocation, spare capacity
/// included); clones are separate zeroizing copies. `Debug` and `Display` print
/// `<redacted>`; [`expose_secret`](Self::expose_secret) gives the text. Serde writes and
/// reads the real text. `==` runs in constant time for strings of the same length.
///
/// ```
/// use mdm_schema::SecretString;
///
/// let pin = SecretString::from("123456");
/// assert_eq!(pin.expose_secret(), "123456");
/// assert_eq!(format!("{pin} {pin:?}"), "<redacted> <redacted>");
/// ```
#[derive(Clone, Default)]
pub struct SecretString(Zeroizing<String>);

impl SecretString {
    /// Wraps `secret`, taking over its allocation.
    pub fn new(secret: String) -> Self {
        Self(Zeroizing::new(secret))
    }

    /// The secret text.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl From<String> for SecretString {
    fn from(secret: String) -> Self {
        Self::new(secret)
    }
}

impl From<&str> for SecretString {
    /// Copies `secret`; the borrowed original is not zeroized.
    fn from(secret: &str) -> Self {
        Self::new(secret.to_owned())
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl PartialEq for SecretString {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_bytes().ct_eq(other.0.as_bytes()).into()
    }
}

impl Eq for SecretString {}

impl Serialize for SecretString {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.expose_secret())
    }
}

impl<'de> Deserialize<'de> for SecretString {
    /// Reads a string, and only a string. An error names the type found, never the value.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_string(SecretStringVisitor)
    }
}

/// Refuses every type but one without quoting the value, unlike serde's default visitor
/// methods, whose messages include it.
macro_rules! refuse_without_value {
    ($($method:ident($($arg:ty)?) => $what:literal;)*) => {$(
        fn $method<E: de::Error>(self $(, _: $arg)?) -> Result<Self::Value, E> {
            Err(E::invalid_type(de::Unexpected::Other($what), &self))
        }
    )*};
}

/// Reads the text of a [`SecretString`] without copying it out of the zeroizing string.
struct SecretStringVisitor;

impl<'de> Visitor<'de> for SecretStringVisitor {
    type Value = SecretString;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<SecretString, E> {
        Ok(SecretString::new(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<SecretString, E> {
        Ok(SecretString::new(v))
    }

    refuse_without_value! {
        visit_bool(bool) => "a boolean";
        visit_i64(i64) => "an integer";
        visit_u64(u64) => "an integer";
        visit_i128(i128) => "an integer";
        visit_u128(u128) => "an integer";
        visit_f64(f64) => "a real";
        visit_bytes(&[u8]) => "data";
        visit_none() => "nothing";
        visit_unit() => "nothing";
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<SecretString, A::Error> {
        Err(de::Error::invalid_type(
            de::Unexpected::Other("an array"),
            &self,
        ))
    }

    fn visit_map<A: de::MapAccess<'de>>(self, _: A) -> Result<SecretString, A::Error> {
        Err(de::Error::invalid_type(
            de::Unexpected::Other("a dictionary"),
            &self,
        ))
    }
}

/// Secret bytes, such as an `UnlockToken` or a `BootstrapToken` (`<data>` in a plist).
///
/// Zeroized when dropped; `Debug` and `Display` print `<redacted>`;
/// [`expose_secret`](Self::expose_secret) gives the bytes. Serde writes bytes (plist
/// `<data>`) and reads bytes or a sequence of integers 0 to 255. `==` runs in constant time
/// for values of the same length.
#[derive(Clone, Default)]
pub struct SecretData(Zeroizing<Vec<u8>>);

impl SecretData {
    /// Wraps `secret`, taking over its allocation.
    pub fn new(secret: Vec<u8>) -> Self {
        Self(Zeroizing::new(secret))
    }

    /// The secret bytes.
    pub fn expose_secret(&self) -> &[u8] {
        &self.0
    }
}

impl From<Vec<u8>> for SecretData {
    fn from(secret: Vec<u8>) -> Self {
        Self::new(secret)
    }
}

impl From<&[u8]> for SecretData {
    /// Copies `secret`; the borrowed original is not zeroized.
    fn from(secret: &[u8]) -> Self {
        Self::new(secret.to_vec())
    }
}

impl fmt::Debug for SecretData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for SecretData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl PartialEq for SecretData {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_slice().ct_eq(other.0.as_slice()).into()
    }
}

impl Eq for SecretData {}

impl Serialize for SecretData {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(self.expose_secret())
    }
}

impl<'de> Deserialize<'de> for SecretData {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_byte_buf(SecretDataVisitor)
    }
}

/// Reads the bytes of a [`SecretData`] straight into its zeroizing buffer.
struct SecretDataVisitor;

impl<'de> Visitor<'de> for SecretDataVisitor {
    type Value = SecretData;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("bytes")
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<SecretData, E> {
        Ok(SecretData::from(v))
    }

    fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<SecretData, E> {
        Ok(SecretData::new(v))
    }

    refuse_without_value! {
        visit_bool(bool) => "a boolean";
        visit_i64(i64) => "an integer";
        visit_u64(u64) => "an integer";
        visit_i128(i128) => "an integer";
        visit_u128(u128) => "an integer";
        visit_f64(f64) => "a real";
        visit_str(&str) => "a string";
        visit_none() => "nothing";
        visit_unit() => "nothing";
    }

    fn visit_map<A: de::MapAccess<'de>>(self, _: A) -> Result<SecretData, A::Error> {
        Err(de::Error::invalid_type(
            de::Unexpected::Other("a dictionary"),
            &self,
        ))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<SecretData, A::Error> {
        // Growing the vector would leave unzeroized copies behind, so collect into a
        // zeroizing one and reserve only what the (untrusted) size hint allows, capped.
        let mut bytes = Zeroizing::new(Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096)));
        while let Some(byte) = seq.next_element_seed(SecretByte)? {
            if bytes.len() == bytes.capacity() {
                let mut bigger = Zeroizing::new(Vec::with_capacity(
                    bytes.capacity().saturating_mul(2).max(64),
                ));
                bigger.extend_from_slice(&bytes);
                bytes = bigger;
            }
            bytes.push(byte);
        }
        Ok(SecretData(bytes))
    }
}

/// One byte of a [`SecretData`] written as a sequence; an error never quotes the value.
struct SecretByte;

impl<'de> de::DeserializeSeed<'de> for SecretByte {
    type Value = u8;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<u8, D::Error> {
        deserializer.deserialize_u8(self)
    }
}

impl Visitor<'_> for SecretByte {
    type Value = u8;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer from 0 to 255")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u8, E> {
        u8::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Other("an integer"), &self))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<u8, E> {
        u8::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Other("an integer"), &self))
    }

    refuse_without_value! {
        visit_bool(bool) => "a boolean";
        visit_f64(f64) => "a real";
        visit_str(&str) => "a string";
        visit_bytes(&[u8]) => "data";
    }
}
