//! A hardened, fast codec for XML and binary property lists, built for the messages of
//! Apple's Device Management (MDM) protocol.
//!
//! Device messages are untrusted input. Every read is bounded by [`ReadOptions`] (depth,
//! input size, values and bytes decoded), and every failure is an [`Error`] with an
//! [`ErrorKind`], the byte offset of the first wrong byte and the key path to it as a
//! JSON Pointer. Nothing in this crate panics on input, recurses on input, or allocates
//! a size that the input declares before checking it against the bytes present.
//!
//! # Reading
//!
//! ```
//! use mdm_plist::Value;
//!
//! let doc = br#"<?xml version="1.0" encoding="UTF-8"?>
//! <!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
//! <plist version="1.0">
//! <dict>
//!     <key>Status</key>
//!     <string>Acknowledged</string>
//! </dict>
//! </plist>
//! "#;
//! let value = Value::from_slice(doc)?;
//! assert_eq!(value.get("Status").and_then(Value::as_str), Some("Acknowledged"));
//! # Ok::<(), mdm_plist::Error>(())
//! ```
//!
//! # Decoding into your own types
//!
//! [`from_slice`] reads straight into any `serde::Deserialize` type, without building a
//! [`Value`] first:
//!
//! ```
//! use serde::Deserialize;
//!
//! #[derive(Deserialize)]
//! #[serde(rename_all = "PascalCase")]
//! struct App {
//!     identifier: String,
//!     bundle_size: Option<u64>,
//!     is_validated: bool,
//!     #[serde(default)]
//!     cd_hash: Vec<u8>,
//!     installed: Option<mdm_plist::Date>,
//! }
//!
//! let doc = b"<plist><array><dict>\
//!     <key>Identifier</key><string>com.example.app</string>\
//!     <key>BundleSize</key><integer>1234</integer>\
//!     <key>IsValidated</key><true/>\
//!     <key>CdHash</key><data>AAEC</data>\
//!     <key>Installed</key><date>2018-06-30T13:46:38Z</date>\
//!     <key>Unknown</key><string>ignored</string>\
//! </dict></array></plist>";
//! let apps: Vec<App> = mdm_plist::from_slice(doc)?;
//! assert_eq!(apps[0].identifier, "com.example.app");
//! assert_eq!(apps[0].cd_hash, [0, 1, 2]);
//! # Ok::<(), mdm_plist::Error>(())
//! ```
//!
//! How property list values meet serde's data model:
//!
//! | plist | Rust |
//! |---|---|
//! | `<dict>` | structs (unknown keys ignored unless `deny_unknown_fields`), maps, `Dictionary` |
//! | `<array>` | `Vec`, tuples, sequences, `Array` |
//! | `<string>` | `String`, `Cow<str>`, unit enum variants; `&str` only when the text needs no unescaping |
//! | `<integer>` | every integer type (out of range is [`ErrorKind::IntegerOutOfRange`]), `Integer` |
//! | `<real>` | `f64`, `f32` |
//! | `<true/>`, `<false/>` | `bool` |
//! | `<data>` | `Vec<u8>`, byte-buffer types; `&[u8]` only from binary documents (XML data is base64) |
//! | `<date>` | [`Date`] |
//! | UID (binary) | [`Uid`] |
//!
//! A present value is `Some` (property lists have no null); an absent key is `None` for an
//! `Option` field. A string field does not accept data or a date: types are not guessed.
//! Errors name the key path and offset; a type error's message may quote the value found,
//! so keep secrets in types that do not (`mdm-schema`'s secret wrappers).
//!
//! # Round trips
//!
//! Binary property lists hold every [`Value`] exactly. XML holds every value except:
//! - strings with characters XML 1.0 cannot hold (most control characters, U+FFFE,
//!   U+FFFF): writing them fails with [`ErrorKind::InvalidXmlChar`];
//! - dates keep whole seconds only, rounded down, in the years 0000 to 9999;
//! - a [`Uid`] is written as Apple writes it, a dictionary with the one key `CF$UID`, and
//!   reads back as that dictionary;
//! - every NaN reads back as the same NaN.

#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "arbitrary")]
mod arbitrary;
mod binary;
mod build;
mod de;
mod error;
mod events;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
#[cfg(feature = "plist")]
mod interop;
mod magic;
mod options;
mod scalar;
mod ser;
mod value;
mod xml;

use std::io::{Read, Write};

pub use de::{from_reader, from_slice, from_slice_with, from_value, from_value_with};
pub use error::{Error, ErrorKind, Result};
pub use options::{DuplicateKeys, Format, ReadOptions, WriteOptions};
pub use scalar::{Date, Integer, ParseIntegerError, Uid};
pub use ser::{
    to_binary_vec, to_binary_writer, to_value, to_value_with, to_xml_vec, to_xml_writer,
};
pub use value::{Array, Dictionary, Value};

#[cfg(feature = "arbitrary")]
pub use arbitrary::MAX_ARBITRARY_DEPTH;

use binary::BinarySource;
use events::Parser;
use xml::XmlSource;

/// Checks the size limit and picks the format: the options' format, or the detected one.
pub(crate) fn prepare(bytes: &[u8], options: &ReadOptions) -> Result<Format> {
    if bytes.len() > options.max_input_size {
        return Err(Error::at(
            ErrorKind::InputTooLarge,
            options.max_input_size,
            format!(
                "the input is {} bytes, over the limit of {}",
                bytes.len(),
                options.max_input_size
            ),
        )
        .path_complete());
    }
    match options.format.or_else(|| Format::detect(bytes)) {
        Some(format) => Ok(format),
        None => Err(Error::at(
            ErrorKind::UnknownFormat,
            0,
            "neither an XML nor a binary property list",
        )
        .path_complete()),
    }
}

/// Reads a binary document through the event stream and [`Parser`], with the options
/// already fitted to its size ([`ReadOptions::for_binary`]). This is what decides whenever
/// the fast path ([`binary::build_value`]) gives up; the fuzzing harness also runs it
/// alone, to check that both agree.
pub(crate) fn read_binary_generic(bytes: &[u8], options: &ReadOptions) -> Result<Value> {
    build::build(&mut Parser::new(
        BinarySource::new(bytes, options)?,
        options,
    ))
}

/// Reads at most `limit` bytes from `reader`; more is [`ErrorKind::InputTooLarge`].
///
/// The buffer grows with what is actually read, never to a size the input announces.
///
/// ```
/// use mdm_plist::{read_limited, ErrorKind};
///
/// assert_eq!(read_limited(&b"abc"[..], 3).unwrap(), b"abc");
/// assert_eq!(read_limited(&b"abcd"[..], 3).unwrap_err().kind(), ErrorKind::InputTooLarge);
/// ```
pub fn read_limited<R: Read>(reader: R, limit: usize) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    reader.take(cap).read_to_end(&mut bytes)?;
    if bytes.len() > limit {
        return Err(Error::at(
            ErrorKind::InputTooLarge,
            limit,
            format!("the input is over the limit of {limit} bytes"),
        )
        .path_complete());
    }
    Ok(bytes)
}

impl Value {
    /// Reads a property list in either format (detected) with the default limits.
    pub fn from_slice(bytes: &[u8]) -> Result<Self> {
        Self::from_slice_with(bytes, &ReadOptions::new())
    }

    /// Reads a property list with options.
    pub fn from_slice_with(bytes: &[u8], options: &ReadOptions) -> Result<Self> {
        match prepare(bytes, options)? {
            Format::Xml => build::build(&mut Parser::new(XmlSource::new(bytes)?, options)),
            Format::Binary => {
                let options = options.for_binary(bytes.len());
                match binary::build_value(bytes, &options) {
                    Some(value) => Ok(value),
                    None => read_binary_generic(bytes, &options),
                }
            }
        }
    }

    /// Reads a property list from `reader`, refusing input over the size limit before
    /// reading it whole.
    pub fn from_reader<R: Read>(reader: R, options: &ReadOptions) -> Result<Self> {
        let bytes = read_limited(reader, options.max_input_size)?;
        Self::from_slice_with(&bytes, options)
    }

    /// Writes the value as an XML property list in Apple's layout.
    pub fn to_xml(&self) -> Result<Vec<u8>> {
        xml::to_vec(self, &WriteOptions::new())
    }

    /// Writes the value as a binary property list.
    pub fn to_binary(&self) -> Result<Vec<u8>> {
        binary::to_vec(self, &WriteOptions::new())
    }

    /// Writes the value as XML to `writer`.
    pub fn write_xml<W: Write>(&self, writer: W, options: &WriteOptions) -> Result<()> {
        xml::write_xml(self, writer, options)
    }

    /// Writes the value as a binary property list to `writer`.
    pub fn write_binary<W: Write>(&self, writer: W, options: &WriteOptions) -> Result<()> {
        binary::write_binary(self, writer, options)
    }
}

/// The README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
