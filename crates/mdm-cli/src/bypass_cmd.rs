//! `mdm bypass-code`: make Activation Lock bypass codes and convert them between their
//! forms. These subcommands print secrets by design: the user asked for them.

use std::io::{self, Write};

use clap::{Args, Subcommand};
use mdm_schema::BypassCode;
use mdm_schema::bypass::BYPASS_CODE_BYTES;
use zeroize::Zeroizing;

use crate::Status;

const BYPASS_HELP: &str = "\
An Activation Lock bypass code is 16 random bytes, shown to a person as 26 characters
in groups 5-5-4-4-4-4 (XXXXX-XXXXX-XXXX-XXXX-XXXX-XXXX). Its escrow key, sent to Apple's
device enrollment service instead of the code, is PBKDF2-HMAC-SHA256 over the bytes
(salt of four zero bytes, 50,000 rounds), as 64 lowercase hex digits.

These subcommands print secrets: keep their output out of logs and shell history. A
code or hex argument given as `-` is read from standard input instead, so that it does
not show in the process list.

Exit status: 0 on success, 1 for an invalid code or hex string (the error names the
place, never the code), 2 for a usage error.

Examples:
  mdm bypass-code generate
  mdm bypass-code generate --json
  mdm bypass-code encode 1ea841db5edfafe6075b5ae0d845d254
  mdm bypass-code decode 3UM43-PUYVY-QYD1-UVCC-HEHJ-FKA4
  mdm bypass-code escrow-key 3UM43-PUYVY-QYD1-UVCC-HEHJ-FKA4";

/// The `mdm bypass-code` subcommands.
#[derive(Debug, Subcommand)]
#[command(after_help = BYPASS_HELP)]
pub enum BypassCommand {
    /// Make a new code from the system's secure random source; print it and its escrow
    /// key, one per line.
    #[command(
        after_help = "Examples:\n  mdm bypass-code generate\n  mdm bypass-code generate --json"
    )]
    Generate(GenerateArgs),
    /// Turn 32 hex digits (the 16 raw bytes) into the dashed code.
    #[command(after_help = "Examples:\n  mdm bypass-code encode 1ea841db5edfafe6075b5ae0d845d254")]
    Encode(HexArg),
    /// Turn a code (any case, dashes and spaces ignored) into the lowercase hex of its 16 bytes.
    #[command(after_help = "Examples:\n  mdm bypass-code decode 3UM43-PUYVY-QYD1-UVCC-HEHJ-FKA4")]
    Decode(CodeArg),
    /// Print a code's escrow key, as lowercase hex.
    #[command(
        after_help = "Examples:\n  mdm bypass-code escrow-key 3UM43-PUYVY-QYD1-UVCC-HEHJ-FKA4\n  \
mdm bypass-code escrow-key - < code.txt"
    )]
    EscrowKey(CodeArg),
}

/// Arguments of `mdm bypass-code generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Print a JSON object {"code", "escrow_key"} instead of two lines.
    #[arg(long)]
    pub json: bool,
}

/// A hex argument.
#[derive(Debug, Args)]
pub struct HexArg {
    /// 32 hex digits, or `-` to read them from standard input.
    #[arg(value_name = "HEX")]
    pub hex: String,
}

/// A bypass code argument.
#[derive(Debug, Args)]
pub struct CodeArg {
    /// The code, or `-` to read it from standard input.
    #[arg(value_name = "CODE", allow_hyphen_values = true)]
    pub code: String,
}

/// The most read from standard input for one code.
const STDIN_LIMIT: u64 = 4096;

/// Runs an `mdm bypass-code` subcommand. The error is a failure to write `out` or `err`.
pub fn run(command: BypassCommand, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<Status> {
    match command {
        BypassCommand::Generate(args) => generate(&args, out, err),
        BypassCommand::Encode(arg) => {
            let Some(text) = argument(arg.hex, err)? else {
                return Ok(Status::Failed);
            };
            match parse_hex(&text) {
                Ok(bytes) => {
                    let code = BypassCode::from_bytes(*bytes);
                    writeln!(out, "{}", code.expose_dashed().as_str())?;
                    Ok(Status::Ok)
                }
                Err(message) => invalid(err, &message),
            }
        }
        BypassCommand::Decode(arg) => with_code(arg, out, err, |code, out| {
            writeln!(out, "{}", hex(code.expose_bytes()).as_str())
        }),
        BypassCommand::EscrowKey(arg) => with_code(arg, out, err, |code, out| {
            writeln!(out, "{}", code.escrow_key().to_hex().as_str())
        }),
    }
}

fn invalid(err: &mut dyn Write, message: &str) -> io::Result<Status> {
    writeln!(err, "mdm: {message}")?;
    Ok(Status::Invalid)
}

/// The argument's text, or standard input's for `-`; `None` when standard input cannot
/// be read (reported on `err`).
fn argument(arg: String, err: &mut dyn Write) -> io::Result<Option<Zeroizing<String>>> {
    let arg = Zeroizing::new(arg);
    if arg.as_str() != "-" {
        return Ok(Some(arg));
    }
    match crate::decode_cmd::read_stdin_text(STDIN_LIMIT) {
        Ok(text) => Ok(Some(text)),
        Err(e) => {
            writeln!(err, "mdm: cannot read standard input: {e}")?;
            Ok(None)
        }
    }
}

fn with_code(
    arg: CodeArg,
    out: &mut dyn Write,
    err: &mut dyn Write,
    show: impl FnOnce(&BypassCode, &mut dyn Write) -> io::Result<()>,
) -> io::Result<Status> {
    let Some(text) = argument(arg.code, err)? else {
        return Ok(Status::Failed);
    };
    match BypassCode::parse(text.trim()) {
        Ok(code) => {
            show(&code, out)?;
            Ok(Status::Ok)
        }
        // The error names at most one character, which is in no valid code, and where it is.
        Err(e) => invalid(err, &crate::diag::sanitize(&e.to_string())),
    }
}

fn generate(args: &GenerateArgs, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<Status> {
    let code = match BypassCode::generate() {
        Ok(code) => code,
        Err(e) => {
            writeln!(err, "mdm: cannot make a bypass code: {e}")?;
            return Ok(Status::Failed);
        }
    };
    let dashed = code.expose_dashed();
    let key = code.escrow_key().to_hex();
    if args.json {
        // Both strings are letters, digits and dashes: nothing to escape.
        writeln!(
            out,
            "{{\"code\":\"{}\",\"escrow_key\":\"{}\"}}",
            dashed.as_str(),
            key.as_str()
        )?;
    } else {
        writeln!(out, "{}\n{}", dashed.as_str(), key.as_str())?;
    }
    Ok(Status::Ok)
}

/// Lowercase hex, in a string wiped when dropped.
fn hex(bytes: &[u8]) -> Zeroizing<String> {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = Zeroizing::new(String::with_capacity(bytes.len().saturating_mul(2)));
    for &byte in bytes {
        for nibble in [byte >> 4, byte & 0x0f] {
            let digit = DIGITS.get(usize::from(nibble)).copied().unwrap_or(b'0');
            out.push(char::from(digit));
        }
    }
    out
}

/// Reads 32 hex digits (either case, surrounding whitespace ignored) into 16 bytes. The
/// error says what is wrong and where, without repeating the input.
fn parse_hex(text: &str) -> Result<Zeroizing<[u8; BYPASS_CODE_BYTES]>, String> {
    let text = text.trim();
    let digits = text.chars().count();
    let want = BYPASS_CODE_BYTES.saturating_mul(2);
    if digits != want {
        return Err(format!(
            "a bypass code's raw form is {want} hex digits, found {digits} characters"
        ));
    }
    let mut bytes = Zeroizing::new([0u8; BYPASS_CODE_BYTES]);
    for (index, c) in text.chars().enumerate() {
        let Some(value) = c.to_digit(16) else {
            return Err(format!(
                "the character at position {} is not a hex digit",
                index.saturating_add(1)
            ));
        };
        let slot = bytes.get_mut(index / 2).ok_or("too many hex digits")?;
        // A hex digit is below 16, so it fits in a byte.
        let value = u8::try_from(value).unwrap_or(0);
        *slot = if index % 2 == 0 {
            value << 4
        } else {
            *slot | value
        };
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip() {
        let bytes = parse_hex(" 1EA841db5edfafe6075b5ae0d845d254\n").unwrap();
        assert_eq!(hex(&*bytes).as_str(), "1ea841db5edfafe6075b5ae0d845d254");
    }

    #[test]
    fn hex_errors_do_not_echo() {
        let e = parse_hex("1ea841db5edfafe6075b5ae0d845d25").unwrap_err();
        assert!(e.contains("found 31"), "{e}");
        assert!(!e.contains("1ea8"));
        let e = parse_hex("1ea841db5edfafe6075b5ae0d845d25g").unwrap_err();
        assert!(e.contains("position 32"), "{e}");
        assert!(parse_hex("1ea841db5edfafe6075b5ae0d845d2é").is_err());
    }
}
