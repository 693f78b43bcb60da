//! `arbitrary::Arbitrary` for the value model (feature `arbitrary`), for structure-aware fuzzing.
//!
//! Values are built with an explicit stack, never by recursion: a container takes its
//! children from the bytes until the bytes say stop or the nesting reaches
//! [`MAX_ARBITRARY_DEPTH`]. Besides the tree itself, a value may be wrapped in a chain of
//! one-element arrays that reaches just past the default depth limit, so that the limit's
//! edge is reached often. Scalars lean towards what breaks codecs: integer and real edge
//! values, whole-second dates in XML's range as well as any finite date, MDM key names,
//! and text with the characters XML cannot hold.

use ::arbitrary::{Arbitrary, Result, Unstructured};

use crate::{Array, Date, Dictionary, Integer, ReadOptions, Uid, Value};

/// How deep [`Value`]'s `Arbitrary` impl nests containers in the tree it builds (a
/// separate chain of one-element arrays may go deeper).
pub const MAX_ARBITRARY_DEPTH: usize = 24;

/// Words that MDM messages and property lists are made of; picked as keys and strings.
const WORDS: &[&str] = &[
    "Status",
    "Acknowledged",
    "Error",
    "Idle",
    "NotNow",
    "CommandFormatError",
    "CommandUUID",
    "UDID",
    "RequestType",
    "MessageType",
    "ErrorChain",
    "ErrorCode",
    "ErrorDomain",
    "LocalizedDescription",
    "USEnglishDescription",
    "ActivationLockBypassCode",
    "Command",
    "CF$UID",
    "QueryResponses",
    "Token",
    "PushMagic",
    "",
    " ",
    "\r\n",
    "a\rb",
    "]]>",
    "&amp;<tag/>",
    "\u{0}",
    "\u{1}",
    "\u{FFFE}",
    "\u{FFFF}",
    "\u{10FFFF}",
    "é日本😀",
];

const INTEGER_EDGES: &[i128] = &[
    0,
    1,
    -1,
    127,
    128,
    255,
    256,
    -129,
    65_535,
    65_536,
    -32_769,
    4_294_967_295,
    4_294_967_296,
    -2_147_483_649,
    i64::MAX as i128,
    i64::MIN as i128,
    u64::MAX as i128,
];

const REAL_EDGES: &[f64] = &[
    0.0,
    -0.0,
    1.0,
    -1.5,
    0.1,
    1e-4,
    9.999e-5,
    1e17,
    1e16,
    f64::MAX,
    f64::MIN_POSITIVE,
    5e-324,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
];

impl<'a> Arbitrary<'a> for Integer {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let wide = match u.int_in_range(0u8..=3)? {
            0 => i128::from(i64::arbitrary(u)?),
            1 => i128::from(u64::arbitrary(u)?),
            2 => i128::from(i8::arbitrary(u)?),
            _ => *u.choose(INTEGER_EDGES)?,
        };
        Ok(Self::from_i128(wide).unwrap_or(Self::from(0i64)))
    }
}

impl<'a> Arbitrary<'a> for Date {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let seconds = match u.int_in_range(0u8..=2)? {
            // Whole seconds within the years 0000 to 9999, which XML holds exactly.
            0 => f64::from(u.int_in_range(-63_000_000i32..=252_000_000)?) * 100.0,
            1 => f64::from(i32::arbitrary(u)?),
            _ => f64::arbitrary(u)?,
        };
        Ok(Self::from_apple_seconds(seconds).unwrap_or(Self::from_unix_seconds(0)))
    }
}

impl<'a> Arbitrary<'a> for Uid {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(Self::new(u64::arbitrary(u)?))
    }
}

/// A string: an MDM word, arbitrary text, or the two joined.
fn text(u: &mut Unstructured<'_>) -> Result<String> {
    Ok(match u.int_in_range(0u8..=2)? {
        0 => (*u.choose(WORDS)?).to_owned(),
        1 => String::arbitrary(u)?,
        _ => {
            let mut s = (*u.choose(WORDS)?).to_owned();
            s.push_str(&String::arbitrary(u)?);
            s
        }
    })
}

fn scalar(u: &mut Unstructured<'_>) -> Result<Value> {
    Ok(match u.int_in_range(0u8..=7)? {
        0 => Value::String(text(u)?),
        1 => Value::Integer(Integer::arbitrary(u)?),
        2 => Value::Real(if bool::arbitrary(u)? {
            *u.choose(REAL_EDGES)?
        } else {
            f64::arbitrary(u)?
        }),
        3 => Value::Boolean(bool::arbitrary(u)?),
        4 => Value::Data(Vec::arbitrary(u)?),
        5 => Value::Date(Date::arbitrary(u)?),
        6 => Value::Uid(Uid::arbitrary(u)?),
        _ => Value::String(String::arbitrary(u)?),
    })
}

/// A container being filled.
enum Open {
    Dictionary(Dictionary, Option<String>),
    Array(Array),
}

impl Open {
    fn into_value(self) -> Value {
        match self {
            Self::Dictionary(d, _) => Value::Dictionary(d),
            Self::Array(a) => Value::Array(a),
        }
    }
}

/// Puts a finished child into its parent.
fn attach(parent: &mut Open, child: Value) {
    match parent {
        Open::Dictionary(d, key) => {
            d.insert(key.take().unwrap_or_default(), child);
        }
        Open::Array(a) => a.push(child),
    }
}

impl<'a> Arbitrary<'a> for Value {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let spine = if !u.is_empty() && u.ratio(1u8, 16)? {
            u.int_in_range(ReadOptions::DEFAULT_MAX_DEPTH - 3..=ReadOptions::DEFAULT_MAX_DEPTH + 2)?
        } else {
            0
        };
        let mut stack: Vec<Open> = Vec::new();
        let mut next: Option<Value> = None;
        loop {
            if let Some(child) = next.take() {
                match stack.last_mut() {
                    Some(parent) => attach(parent, child),
                    None => return Ok(wrap(child, spine)),
                }
            }
            // Close the innermost container, or add one more child to it.
            if let Some(top) = stack.last_mut() {
                if u.is_empty() || !u.arbitrary::<bool>()? {
                    next = stack.pop().map(Open::into_value);
                    continue;
                }
                if let Open::Dictionary(_, key) = top {
                    *key = Some(text(u)?);
                }
            }
            let open = stack.len() < MAX_ARBITRARY_DEPTH && !u.is_empty();
            match u.int_in_range(0u8..=5)? {
                0 if open => stack.push(Open::Dictionary(Dictionary::new(), None)),
                1 if open => stack.push(Open::Array(Array::new())),
                _ => next = Some(scalar(u)?),
            }
        }
    }
}

/// Wraps `value` in `depth` one-element arrays, without recursion.
fn wrap(mut value: Value, depth: usize) -> Value {
    for _ in 0..depth {
        value = Value::Array(Array::from(vec![value]));
    }
    value
}

impl<'a> Arbitrary<'a> for Dictionary {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let mut dict = Self::new();
        while !u.is_empty() && u.arbitrary::<bool>()? {
            let key = text(u)?;
            dict.insert(key, Value::arbitrary(u)?);
        }
        Ok(dict)
    }
}

impl<'a> Arbitrary<'a> for Array {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let mut array = Self::new();
        while !u.is_empty() && u.arbitrary::<bool>()? {
            array.push(Value::arbitrary(u)?);
        }
        Ok(array)
    }
}
