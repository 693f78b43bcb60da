//! The Activation Lock bypass code: generating, showing, reading and escrowing it.
//!
//! A bypass code is 16 random bytes. A person sees it as 26 characters from a 32-letter
//! alphabet without the look-alikes B, I, O and S, in groups of 5-5-4-4-4-4 joined by
//! dashes, such as `3UM43-PUYVY-QYD1-UVCC-HEHJ-FKA4`: the bytes are read most significant
//! bit first, 25 groups of 5 bits each make a character and the last 3 bits make the 26th,
//! which is therefore always `0` to `7`.
//!
//! Apple's device-enrollment service is sent only the [`EscrowKey`], PBKDF2-HMAC-SHA256
//! over the 16 bytes. The code itself unlocks the device and stays with the server.
//!
//! The types here keep the secret in zeroizing heap memory, print `<redacted>` for
//! `Debug`, have no `Display` and no `Clone`, and compare in constant time: showing or
//! copying the code is always an explicit, greppable `expose_*` call.

use std::error::Error as StdError;
use std::fmt;
use std::str::FromStr;

use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

/// The 32 letters of a code shown to a person, in the order of their 5-bit values.
const ALPHABET: [u8; 32] = *b"0123456789ACDEFGHJKLMNPQRTUVWXYZ";

/// The number of bytes of a bypass code.
pub const BYPASS_CODE_BYTES: usize = 16;

/// The number of alphabet characters of a code shown to a person.
pub const BYPASS_CODE_CHARS: usize = 26;

/// The length of the dashed form, `XXXXX-XXXXX-XXXX-XXXX-XXXX-XXXX`.
pub const BYPASS_CODE_DASHED_LEN: usize = 31;

/// The number of bytes of an [`EscrowKey`].
pub const ESCROW_KEY_BYTES: usize = 32;

/// The PBKDF2 rounds Apple's service expects for the escrow key.
const ESCROW_ROUNDS: u32 = 50_000;

/// The PBKDF2 salt Apple's service expects for the escrow key.
const ESCROW_SALT: [u8; 4] = [0; 4];

/// The number of characters in each dash-separated group of the shown form.
const GROUPS: [usize; 6] = [5, 5, 4, 4, 4, 4];

/// An Activation Lock bypass code.
///
/// The 16 bytes live on the heap in a buffer that is overwritten with zeros when the code
/// is dropped, so moving a `BypassCode` around leaves no copies behind. There is no
/// `Clone`, `Display` or `Serialize`: use [`expose_dashed`](Self::expose_dashed) to show it
/// to a person, [`expose_bytes`](Self::expose_bytes) for the raw bytes and
/// [`escrow_key`](Self::escrow_key) for what Apple is sent. `Debug` prints
/// `BypassCode(<redacted>)`, and `==` runs in constant time.
///
/// ```
/// use mdm_schema::BypassCode;
///
/// let code: BypassCode = "3um43 puyvy qyd1 uvcc hehj fka4".parse()?;
/// assert_eq!(code.expose_dashed().as_str(), "3UM43-PUYVY-QYD1-UVCC-HEHJ-FKA4");
/// assert_eq!(format!("{code:?}"), "BypassCode(<redacted>)");
/// # Ok::<(), mdm_schema::BypassCodeError>(())
/// ```
pub struct BypassCode {
    bytes: Box<Zeroizing<[u8; BYPASS_CODE_BYTES]>>,
}

impl BypassCode {
    /// A new code from the operating system's secure random source.
    ///
    /// # Errors
    ///
    /// [`BypassCodeError::RandomSource`] when the operating system cannot provide random
    /// bytes; no code is made from anything weaker.
    pub fn generate() -> Result<Self, BypassCodeError> {
        let mut bytes = Box::new(Zeroizing::new([0u8; BYPASS_CODE_BYTES]));
        getrandom::fill(bytes.as_mut_slice())
            .map_err(|e| BypassCodeError::RandomSource(RandomSourceError(e)))?;
        Ok(Self { bytes })
    }

    /// The code made of these 16 bytes.
    ///
    /// The array passed in is a copy the caller still owns; zeroize it if it matters.
    pub fn from_bytes(bytes: [u8; BYPASS_CODE_BYTES]) -> Self {
        Self {
            bytes: Box::new(Zeroizing::new(bytes)),
        }
    }

    /// Reads a code typed or pasted by a person.
    ///
    /// ASCII letters may be in either case, and dashes and ASCII whitespace anywhere are
    /// ignored, so `3um43puyvyqyd1uvcchehjfka4` and `3UM43 - PUYVY ...` both read.
    /// Look-alike letters are not guessed at: an `O` is an error, not a zero.
    ///
    /// # Errors
    ///
    /// - [`BypassCodeError::InvalidCharacter`] for the first character that is neither in
    ///   the alphabet nor a separator, with its 1-based position in `input` counted in
    ///   characters, separators included;
    /// - [`BypassCodeError::WrongLength`] when there are not exactly 26 alphabet
    ///   characters;
    /// - [`BypassCodeError::LastCharacterTooLarge`] when the 26th is above `7`, since it
    ///   would stand for bits past the 128th.
    ///
    /// No error holds or prints any other character of the input.
    pub fn parse(input: &str) -> Result<Self, BypassCodeError> {
        // Values of the alphabet characters seen, kept in a zeroizing buffer. Characters past
        // the 26th are only counted, for the length error.
        let mut values = Zeroizing::new([0u8; BYPASS_CODE_CHARS]);
        let mut found: usize = 0;
        let mut last_char = '0';
        for (index, character) in input.chars().enumerate() {
            if character == '-' || character.is_ascii_whitespace() {
                continue;
            }
            let Some(value) = letter_value(character) else {
                return Err(BypassCodeError::InvalidCharacter {
                    character,
                    position: index.saturating_add(1),
                });
            };
            if let Some(slot) = values.get_mut(found) {
                *slot = value;
                last_char = character;
            }
            found = found.saturating_add(1);
        }
        if found != BYPASS_CODE_CHARS {
            last_char.zeroize();
            return Err(BypassCodeError::WrongLength { found });
        }
        let Some((&last, head)) = values.split_last() else {
            return Err(BypassCodeError::WrongLength { found });
        };
        if last > 7 {
            return Err(BypassCodeError::LastCharacterTooLarge {
                character: last_char,
            });
        }
        last_char.zeroize();
        let mut acc = Zeroizing::new(0u128);
        for &value in head {
            *acc = (*acc << 5) | u128::from(value);
        }
        *acc = (*acc << 3) | u128::from(last);
        let mut bytes = Box::new(Zeroizing::new([0u8; BYPASS_CODE_BYTES]));
        **bytes = acc.to_be_bytes();
        Ok(Self { bytes })
    }

    /// The 16 bytes of the code.
    pub fn expose_bytes(&self) -> &[u8; BYPASS_CODE_BYTES] {
        &self.bytes
    }

    /// The code as a person sees it: 26 characters in groups of 5-5-4-4-4-4 joined by
    /// dashes, 31 characters in all, in a string that is zeroized when dropped.
    pub fn expose_dashed(&self) -> Zeroizing<String> {
        let letters = self.letters();
        let mut out = Zeroizing::new(String::with_capacity(BYPASS_CODE_DASHED_LEN));
        let mut rest: &[u8] = letters.as_slice();
        for (i, &len) in GROUPS.iter().enumerate() {
            if i > 0 {
                out.push('-');
            }
            let (group, tail) = rest.split_at_checked(len).unwrap_or((rest, &[]));
            out.extend(group.iter().map(|&b| char::from(b)));
            rest = tail;
        }
        out
    }

    /// The code's 26 characters without dashes, in a string that is zeroized when dropped.
    pub fn expose_compact(&self) -> Zeroizing<String> {
        let letters = self.letters();
        let mut out = Zeroizing::new(String::with_capacity(BYPASS_CODE_CHARS));
        out.extend(letters.iter().map(|&b| char::from(b)));
        out
    }

    /// The escrow key to send to Apple's device-enrollment service for this code.
    ///
    /// This runs 50,000 rounds of HMAC-SHA256, some milliseconds of work.
    pub fn escrow_key(&self) -> EscrowKey {
        let mut key = Box::new(Zeroizing::new([0u8; ESCROW_KEY_BYTES]));
        pbkdf2::pbkdf2_hmac::<sha2::Sha256>(
            self.bytes.as_slice(),
            &ESCROW_SALT,
            ESCROW_ROUNDS,
            key.as_mut_slice(),
        );
        EscrowKey { bytes: key }
    }

    /// The 26 alphabet characters, as ASCII bytes.
    fn letters(&self) -> Zeroizing<[u8; BYPASS_CODE_CHARS]> {
        let value = Zeroizing::new(u128::from_be_bytes(**self.bytes));
        let mut letters = Zeroizing::new([0u8; BYPASS_CODE_CHARS]);
        let mut shift: u32 = 128;
        for slot in letters.iter_mut() {
            // 25 characters of 5 bits, then the 3 bits left over.
            let width = shift.min(5);
            shift = shift.saturating_sub(width);
            let mask = (1u128 << width) - 1;
            *slot = letter(low_byte((*value >> shift) & mask));
        }
        letters
    }
}

/// The lowest byte of `v`.
#[expect(
    clippy::cast_possible_truncation,
    reason = "callers mask to at most 5 bits first"
)]
fn low_byte(v: u128) -> u8 {
    v as u8
}

/// The alphabet letter of a 5-bit value.
fn letter(value: u8) -> u8 {
    // Callers pass values below 32; the fallback is unreachable.
    ALPHABET.get(usize::from(value)).copied().unwrap_or(b'0')
}

/// The 5-bit value of an alphabet character, in either ASCII case.
fn letter_value(character: char) -> Option<u8> {
    let upper = u8::try_from(character.to_ascii_uppercase()).ok()?;
    let index = ALPHABET.iter().position(|&b| b == upper)?;
    u8::try_from(index).ok()
}

impl fmt::Debug for BypassCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BypassCode(<redacted>)")
    }
}

impl PartialEq for BypassCode {
    /// Constant-time comparison of the 16 bytes.
    fn eq(&self, other: &Self) -> bool {
        self.bytes.as_slice().ct_eq(other.bytes.as_slice()).into()
    }
}

impl Eq for BypassCode {}

impl ConstantTimeEq for BypassCode {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        self.bytes.as_slice().ct_eq(other.bytes.as_slice())
    }
}

impl FromStr for BypassCode {
    type Err = BypassCodeError;

    /// Same as [`BypassCode::parse`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// The escrow key of a [`BypassCode`]: PBKDF2-HMAC-SHA256 over the code's 16 bytes, with a
/// salt of four zero bytes, 50,000 rounds and 32 bytes of output.
///
/// Apple's device-enrollment service takes it as lowercase hex ([`to_hex`](Self::to_hex)).
/// It cannot be turned back into the code, but it is still kept like a secret: zeroized
/// when dropped, `Debug` prints `EscrowKey(<redacted>)`, and `==` runs in constant time.
pub struct EscrowKey {
    bytes: Box<Zeroizing<[u8; ESCROW_KEY_BYTES]>>,
}

impl EscrowKey {
    /// The 32 bytes of the key.
    pub fn expose_bytes(&self) -> &[u8; ESCROW_KEY_BYTES] {
        &self.bytes
    }

    /// The key as 64 lowercase hex digits, as Apple's service takes it, in a string that is
    /// zeroized when dropped.
    pub fn to_hex(&self) -> Zeroizing<String> {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut out = Zeroizing::new(String::with_capacity(ESCROW_KEY_BYTES * 2));
        for &byte in self.bytes.iter() {
            for nibble in [byte >> 4, byte & 0x0f] {
                // A nibble is below 16; the fallback is unreachable.
                let digit = DIGITS.get(usize::from(nibble)).copied().unwrap_or(b'0');
                out.push(char::from(digit));
            }
        }
        out
    }
}

impl fmt::Debug for EscrowKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EscrowKey(<redacted>)")
    }
}

impl PartialEq for EscrowKey {
    /// Constant-time comparison of the 32 bytes.
    fn eq(&self, other: &Self) -> bool {
        self.bytes.as_slice().ct_eq(other.bytes.as_slice()).into()
    }
}

impl Eq for EscrowKey {}

impl ConstantTimeEq for EscrowKey {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        self.bytes.as_slice().ct_eq(other.bytes.as_slice())
    }
}

/// Why a bypass code could not be read or made.
///
/// Neither `Display` nor `Debug` shows the code: at most the one offending character,
/// which is not part of any valid code, and where it was.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BypassCodeError {
    /// A character that is neither in the alphabet nor a dash or whitespace.
    InvalidCharacter {
        /// The character as typed.
        character: char,
        /// Its 1-based position in the input, counted in characters, separators included.
        position: usize,
    },
    /// The input does not hold exactly 26 alphabet characters.
    WrongLength {
        /// How many alphabet characters it holds.
        found: usize,
    },
    /// The 26th character is above `7`, so it would stand for bits past the 128th.
    LastCharacterTooLarge {
        /// The character as typed.
        character: char,
    },
    /// The operating system's secure random source failed.
    RandomSource(RandomSourceError),
}

impl fmt::Display for BypassCodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidCharacter {
                character,
                position,
            } => write!(
                f,
                "invalid character {character:?} at position {position} of the bypass code"
            ),
            Self::WrongLength { found } => write!(
                f,
                "a bypass code has {BYPASS_CODE_CHARS} characters besides dashes and spaces, found {found}"
            ),
            Self::LastCharacterTooLarge { character } => write!(
                f,
                "the last character of a bypass code is 0 to 7, found {character:?}"
            ),
            Self::RandomSource(_) => f.write_str("the secure random source failed"),
        }
    }
}

impl StdError for BypassCodeError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            Self::RandomSource(e) => Some(e),
            _ => None,
        }
    }
}

/// The operating system's secure random source failed; its own error is the
/// [`source`](StdError::source).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RandomSourceError(getrandom::Error);

impl fmt::Display for RandomSourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the operating system's random source failed")
    }
}

impl StdError for RandomSourceError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&self.0)
    }
}
