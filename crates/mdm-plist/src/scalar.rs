//! Scalar types with no Rust equivalent: [`Integer`], [`Date`] and [`Uid`].

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// An integer in the range `i64::MIN..=u64::MAX`, the range property lists can hold.
///
/// ```
/// use mdm_plist::Integer;
///
/// let big = Integer::from(u64::MAX);
/// assert_eq!(big.as_i64(), None);
/// assert_eq!(big.to_string(), "18446744073709551615");
/// assert_eq!("-42".parse::<Integer>().ok().and_then(|i| i.as_i64()), Some(-42));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Integer {
    repr: Repr,
}

/// Non-negative numbers are always `Unsigned`, so each number has one representation.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Repr {
    Negative(i64),
    Unsigned(u64),
}

impl Integer {
    /// The value as an `i64`, if it fits.
    pub fn as_i64(self) -> Option<i64> {
        match self.repr {
            Repr::Negative(n) => Some(n),
            Repr::Unsigned(u) => i64::try_from(u).ok(),
        }
    }

    /// The value as a `u64`, if it is not negative.
    pub fn as_u64(self) -> Option<u64> {
        match self.repr {
            Repr::Negative(_) => None,
            Repr::Unsigned(u) => Some(u),
        }
    }

    /// The value as an `i128`, which always fits.
    pub fn as_i128(self) -> i128 {
        match self.repr {
            Repr::Negative(n) => i128::from(n),
            Repr::Unsigned(u) => i128::from(u),
        }
    }

    /// Whether the value is below zero.
    pub fn is_negative(self) -> bool {
        matches!(self.repr, Repr::Negative(_))
    }

    /// Builds an integer from an `i128`, if it lies in `i64::MIN..=u64::MAX`.
    pub fn from_i128(v: i128) -> Option<Self> {
        if v < 0 {
            i64::try_from(v).ok().map(Self::from)
        } else {
            u64::try_from(v).ok().map(Self::from)
        }
    }

    /// Parses the text of an XML `<integer>`: an optional sign, then decimal digits or
    /// `0x` and hexadecimal digits. No whitespace is allowed.
    pub(crate) fn parse_text(text: &str) -> Option<Self> {
        let (negative, rest) = match text.as_bytes().first() {
            Some(b'-') => (true, text.get(1..)?),
            Some(b'+') => (false, text.get(1..)?),
            _ => (false, text),
        };
        let (radix, digits) = match rest.get(..2) {
            Some("0x" | "0X") => (16, rest.get(2..)?),
            _ => (10, rest),
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let magnitude = u64::from_str_radix(digits, radix).ok()?;
        if negative {
            if magnitude == 0 {
                return Some(Self::from(0u64));
            }
            let n = i64::try_from(-i128::from(magnitude)).ok()?;
            Some(Self::from(n))
        } else {
            Some(Self::from(magnitude))
        }
    }
}

impl From<i64> for Integer {
    fn from(v: i64) -> Self {
        let repr = match u64::try_from(v) {
            Ok(u) => Repr::Unsigned(u),
            Err(_) => Repr::Negative(v),
        };
        Self { repr }
    }
}

impl From<u64> for Integer {
    fn from(v: u64) -> Self {
        Self {
            repr: Repr::Unsigned(v),
        }
    }
}

macro_rules! integer_from {
    ($wide:ty; $($t:ty),*) => {$(
        impl From<$t> for Integer {
            fn from(v: $t) -> Self {
                Self::from(<$wide>::from(v))
            }
        }
    )*};
}
integer_from!(i64; i8, i16, i32);
integer_from!(u64; u8, u16, u32);

impl fmt::Display for Integer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.repr {
            Repr::Negative(n) => fmt::Display::fmt(&n, f),
            Repr::Unsigned(u) => fmt::Display::fmt(&u, f),
        }
    }
}

impl fmt::Debug for Integer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// The error of parsing an [`Integer`] from text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseIntegerError(());

impl fmt::Display for ParseIntegerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not an integer in the range i64::MIN..=u64::MAX")
    }
}

impl std::error::Error for ParseIntegerError {}

impl std::str::FromStr for Integer {
    type Err = ParseIntegerError;

    /// Parses decimal (`-12`) or hexadecimal (`0x1F`) text, as XML property lists hold it.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse_text(s).ok_or(ParseIntegerError(()))
    }
}

/// Seconds from 1970-01-01 to 2001-01-01, the reference date of Apple's clocks.
const APPLE_EPOCH_UNIX: i64 = 978_307_200;

/// A point in time, kept as Apple keeps it: seconds since 2001-01-01T00:00:00Z as an
/// `f64`, always finite.
///
/// Binary property lists store exactly this number. XML stores whole seconds in the form
/// `YYYY-MM-DDTHH:MM:SSZ` for years 0000 to 9999, so writing XML drops any fraction (the
/// time is rounded down to the second) and refuses dates outside those years.
///
/// ```
/// use mdm_plist::Date;
///
/// let date = Date::parse_xml("2018-06-30T13:46:38Z").unwrap();
/// assert_eq!(date.to_xml_string().as_deref(), Some("2018-06-30T13:46:38Z"));
/// assert_eq!(date.unix_seconds(), 1_530_366_398);
/// ```
#[derive(Clone, Copy)]
pub struct Date {
    apple_seconds: f64,
}

impl PartialEq for Date {
    /// Equal when the stored numbers have the same bits, so that `-0.0` and `0.0` (which
    /// binary plists store differently) are different dates.
    fn eq(&self, other: &Self) -> bool {
        self.apple_seconds.to_bits() == other.apple_seconds.to_bits()
    }
}

impl Eq for Date {}

impl std::hash::Hash for Date {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.apple_seconds.to_bits().hash(state);
    }
}

impl PartialOrd for Date {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Date {
    /// Earlier dates first (`-0.0` just before `0.0`).
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.apple_seconds.total_cmp(&other.apple_seconds)
    }
}

impl Date {
    /// A date from seconds since 2001-01-01T00:00:00Z; `None` if not finite.
    pub fn from_apple_seconds(seconds: f64) -> Option<Self> {
        seconds.is_finite().then_some(Self {
            apple_seconds: seconds,
        })
    }

    /// Seconds since 2001-01-01T00:00:00Z.
    pub fn apple_seconds(self) -> f64 {
        self.apple_seconds
    }

    /// A date from whole seconds since 1970-01-01T00:00:00Z.
    #[allow(
        clippy::cast_precision_loss,
        reason = "exact up to 2^53 s, far past year 9999"
    )]
    pub fn from_unix_seconds(seconds: i64) -> Self {
        let apple = i128::from(seconds) - i128::from(APPLE_EPOCH_UNIX);
        Self {
            apple_seconds: apple as f64,
        }
    }

    /// Whole seconds since 1970-01-01T00:00:00Z, rounded down, saturating at the ends of
    /// the `i64` range.
    #[allow(
        clippy::cast_possible_truncation,
        reason = "float to int casts saturate, which is the documented behaviour"
    )]
    pub fn unix_seconds(self) -> i64 {
        (self.apple_seconds.floor() as i64).saturating_add(APPLE_EPOCH_UNIX)
    }

    /// Parses Apple's XML form, `YYYY-MM-DDTHH:MM:SSZ`, and nothing else.
    pub fn parse_xml(text: &str) -> Option<Self> {
        let b = text.as_bytes();
        if b.len() != 20 {
            return None;
        }
        let num = |range: std::ops::Range<usize>| -> Option<i64> {
            let digits = b.get(range)?;
            digits.iter().try_fold(0i64, |acc, &d| {
                d.is_ascii_digit().then(|| acc * 10 + i64::from(d - b'0'))
            })
        };
        let sep = |i: usize, c: u8| b.get(i) == Some(&c);
        let separators = [
            (4, b'-'),
            (7, b'-'),
            (10, b'T'),
            (13, b':'),
            (16, b':'),
            (19, b'Z'),
        ];
        if !separators.iter().all(|&(i, c)| sep(i, c)) {
            return None;
        }
        let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
        if !(1..=12).contains(&month)
            || day < 1
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 59
        {
            return None;
        }
        let days = days_from_civil(year, month, day);
        Some(Self::from_unix_seconds(
            days * 86_400 + hour * 3_600 + minute * 60 + second,
        ))
    }

    /// The XML form, `YYYY-MM-DDTHH:MM:SSZ`, rounded down to the second; `None` when the
    /// year is outside 0000 to 9999.
    pub fn to_xml_string(self) -> Option<String> {
        let secs = self.unix_seconds();
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        if !(0..=9999).contains(&year) {
            return None;
        }
        Some(format!(
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
            rem / 3_600,
            rem % 3_600 / 60,
            rem % 60
        ))
    }
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (the era-based method).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let shifted_month = (month + 9) % 12;
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The proleptic Gregorian date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to_xml_string() {
            Some(s) if self.apple_seconds.fract() == 0.0 => write!(f, "Date({s})"),
            _ => write!(f, "Date({} s after 2001-01-01)", self.apple_seconds),
        }
    }
}

impl From<SystemTime> for Date {
    #[allow(
        clippy::cast_precision_loss,
        reason = "f64 is the format's own precision"
    )]
    fn from(time: SystemTime) -> Self {
        let unix = match time.duration_since(UNIX_EPOCH) {
            Ok(d) => d.as_secs_f64(),
            Err(e) => -e.duration().as_secs_f64(),
        };
        Self {
            apple_seconds: unix - APPLE_EPOCH_UNIX as f64,
        }
    }
}

impl From<Date> for SystemTime {
    /// The same instant. A date beyond what `SystemTime` holds on this platform becomes
    /// the nearest of 0000-01-01 and 9999-12-31T23:59:59, or the Unix epoch where even
    /// those cannot be held.
    #[allow(
        clippy::cast_precision_loss,
        reason = "f64 is the format's own precision"
    )]
    fn from(date: Date) -> Self {
        let unix = date.apple_seconds + APPLE_EPOCH_UNIX as f64;
        let exact = Duration::try_from_secs_f64(unix.abs())
            .ok()
            .and_then(|magnitude| {
                if unix >= 0.0 {
                    UNIX_EPOCH.checked_add(magnitude)
                } else {
                    UNIX_EPOCH.checked_sub(magnitude)
                }
            });
        exact.unwrap_or_else(|| {
            let bound = if unix >= 0.0 {
                UNIX_EPOCH.checked_add(Duration::from_secs(LAST_XML_SECOND.unsigned_abs()))
            } else {
                UNIX_EPOCH.checked_sub(Duration::from_secs(FIRST_XML_SECOND.unsigned_abs()))
            };
            bound.unwrap_or(UNIX_EPOCH)
        })
    }
}

/// 0000-01-01T00:00:00Z in Unix seconds.
const FIRST_XML_SECOND: i64 = -62_167_219_200;
/// 9999-12-31T23:59:59Z in Unix seconds.
const LAST_XML_SECOND: i64 = 253_402_300_799;

/// A keyed-archiver object reference (`NSKeyedArchiver`'s `CF$UID`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uid(u64);

impl Uid {
    /// A UID with this number.
    pub const fn new(value: u64) -> Self {
        Self(value)
    }

    /// The number.
    pub const fn get(self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_edges() {
        assert_eq!(
            Integer::parse_text("18446744073709551615"),
            Some(Integer::from(u64::MAX))
        );
        assert_eq!(Integer::parse_text("18446744073709551616"), None);
        assert_eq!(
            Integer::parse_text("-9223372036854775808"),
            Some(Integer::from(i64::MIN))
        );
        assert_eq!(Integer::parse_text("-9223372036854775809"), None);
        assert_eq!(Integer::parse_text("-0"), Some(Integer::from(0)));
        assert_eq!(Integer::parse_text("+7"), Some(Integer::from(7)));
        assert_eq!(Integer::parse_text("0x1F"), Some(Integer::from(31)));
        assert_eq!(Integer::parse_text("-0x10"), Some(Integer::from(-16)));
        for bad in ["", "-", "+", " 1", "1 ", "1.0", "0x", "--1", "1e3", "١"] {
            assert_eq!(Integer::parse_text(bad), None, "{bad:?}");
        }
        assert_eq!(Integer::from(-1).as_u64(), None);
        assert_eq!(Integer::from(5u8), Integer::from(5i64));
        assert_eq!(Integer::from_i128(i128::from(u64::MAX) + 1), None);
    }

    #[test]
    fn dates_round_trip_through_xml_text() {
        for text in [
            "2001-01-01T00:00:00Z",
            "1970-01-01T00:00:00Z",
            "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "2016-02-29T12:34:56Z",
            "1900-03-01T00:00:00Z",
        ] {
            let date = Date::parse_xml(text).unwrap();
            assert_eq!(date.to_xml_string().as_deref(), Some(text));
        }
        assert_eq!(
            Date::parse_xml("2001-01-01T00:00:00Z")
                .unwrap()
                .apple_seconds(),
            0.0
        );
    }

    #[test]
    fn dates_refuse_other_forms() {
        for bad in [
            "2017-02-29T00:00:00Z",
            "2018-13-01T00:00:00Z",
            "2018-06-31T00:00:00Z",
            "2018-06-30T24:00:00Z",
            "2018-06-30T13:60:00Z",
            "2018-06-30T13:46:60Z",
            "2018-06-30 13:46:38Z",
            "2018-06-30T13:46:38",
            "2018-06-30T13:46:38+00:00",
            "2018-06-30T13:46:38.5Z",
            "+018-06-30T13:46:38Z",
            "",
        ] {
            assert_eq!(Date::parse_xml(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn xml_text_rounds_down_and_bounds_years() {
        let d = Date::from_apple_seconds(-0.5).unwrap();
        assert_eq!(d.to_xml_string().as_deref(), Some("2000-12-31T23:59:59Z"));
        assert_eq!(
            Date::from_apple_seconds(1e300).unwrap().to_xml_string(),
            None
        );
        assert_eq!(Date::from_apple_seconds(f64::NAN), None);
    }

    #[test]
    fn system_time_clamps_out_of_range_dates() {
        let far = Date::from_apple_seconds(1e300).unwrap();
        assert_eq!(
            Date::from(SystemTime::from(far)).unix_seconds(),
            LAST_XML_SECOND
        );
        let past = Date::from_apple_seconds(-1e300).unwrap();
        assert_eq!(
            Date::from(SystemTime::from(past)).unix_seconds(),
            FIRST_XML_SECOND
        );
        assert_eq!(
            Date::parse_xml("0000-01-01T00:00:00Z")
                .unwrap()
                .unix_seconds(),
            FIRST_XML_SECOND
        );
        assert_eq!(
            Date::parse_xml("9999-12-31T23:59:59Z")
                .unwrap()
                .unix_seconds(),
            LAST_XML_SECOND
        );
    }

    #[test]
    fn negative_zero_is_another_date() {
        let zero = Date::from_apple_seconds(0.0).unwrap();
        let negative_zero = Date::from_apple_seconds(-0.0).unwrap();
        assert_ne!(zero, negative_zero);
        assert!(negative_zero < zero);
        assert!(Date::from_unix_seconds(0) < zero);
    }

    #[test]
    fn system_time_conversion() {
        let d = Date::from_unix_seconds(1_530_366_398);
        let t = SystemTime::from(d);
        assert_eq!(Date::from(t), d);
    }
}
