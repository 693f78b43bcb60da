//! The input size limit at its default edge, for slices and for readers.

#![allow(clippy::unwrap_used, reason = "tests")]

use std::io::Read;

use mdm_plist::{ErrorKind, ReadOptions, Value};

const LIMIT: usize = ReadOptions::DEFAULT_MAX_INPUT_SIZE;

#[test]
fn a_slice_one_byte_over_the_default_limit_is_refused_unread() {
    let mut doc = vec![b' '; LIMIT + 1];
    doc[0] = b'<';
    let err = Value::from_slice(&doc).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InputTooLarge);
    assert_eq!(err.offset(), Some(LIMIT as u64));
    // At the limit exactly the size is fine, and the document is judged on its bytes.
    doc.truncate(LIMIT);
    let err = Value::from_slice(&doc).unwrap_err();
    assert_ne!(err.kind(), ErrorKind::InputTooLarge);
}

#[test]
fn an_endless_reader_is_cut_at_the_default_limit() {
    let endless = std::io::repeat(b' ');
    let err = Value::from_reader(endless, &ReadOptions::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InputTooLarge);
    // Exactly the limit is read whole and then judged on its bytes.
    let exact = std::io::repeat(b' ').take(LIMIT as u64);
    let err = Value::from_reader(exact, &ReadOptions::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnknownFormat);
}
