//! `mdm plist ...`: check, convert and show property lists.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};
use mdm_plist::{Error, ErrorKind, Format, ReadOptions, Value, read_limited};
use serde_json::json;

use crate::Status;
use crate::diag;
use crate::walk::{self, Input};

const LINT_HELP: &str = "\
Each file is read with the default limits and reported on standard output:
  PATH: OK
  PATH:LINE:COLUMN: Kind at /key/path: message     (XML, then the line and a caret)
  PATH: byte N: Kind at /key/path: message         (binary)
Kind is the error kind's exact name, such as InvalidBase64 or DepthLimitExceeded; the key
path is a JSON Pointer and is left out for the document as a whole.

With --json, each file gives one JSON object on its own line:
  {\"path\": ..., \"ok\": bool, \"format\": \"xml\" | \"binary\" | null,
   \"error\": null | {\"kind\": ..., \"offset\": int | null, \"path\": ..., \"message\": ...}}

Exit status: 0 when every file is valid, 1 when one is not (every file is still
checked), 2 when a path cannot be read.

Examples:
  mdm plist lint Response.plist
  mdm plist lint --json tests/fixtures/device-messages/ | jq -c 'select(.ok | not)'";

const CONVERT_HELP: &str = "\
JSON output is for reading: dictionaries keep their key order, data is base64, dates are
RFC 3339 (YYYY-MM-DDTHH:MM:SSZ), integers are exact, NaN and infinities are the strings
\"nan\", \"+infinity\" and \"-infinity\", and UIDs are {\"CF$UID\": n}.

A value the target format cannot hold (a control character in a string, for XML) is an
error. With -o, the output file is written whole or not at all.

Exit status: 0 on success, 1 when the input is invalid or cannot be converted, 2 when a
file cannot be read or written.

Examples:
  mdm plist convert --to json Response.plist
  mdm plist convert --to binary -o Response.bplist Response.plist
  mdm plist convert --to xml Response.bplist";

const PRINT_HELP: &str = "\
The view is like `plutil -p`: dictionaries as \"Key\" => value, arrays with their indices,
data as {length = N, bytes = 0x...} (long data trimmed), dates in RFC 3339, UIDs as
<CF$UID n>. Strings are quoted, with control characters escaped.

Exit status: 0 on success, 1 when the input is invalid, 2 when it cannot be read.

Examples:
  mdm plist print Response.plist";

/// The `mdm plist` subcommands.
#[derive(Debug, Subcommand)]
pub enum PlistCommand {
    /// Check property lists; report each file's format and first error with its place.
    #[command(after_help = LINT_HELP)]
    Lint(LintArgs),
    /// Convert one property list to XML, binary or JSON.
    #[command(after_help = CONVERT_HELP)]
    Convert(ConvertArgs),
    /// Show one property list as an indented, readable view.
    #[command(after_help = PRINT_HELP)]
    Print(PrintArgs),
}

/// Arguments of `mdm plist lint`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// Write one JSON object per file (JSON Lines) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Files, and directories to search recursively for *.plist, *.xml and *.bplist files
    /// (any case). A file named here is checked whatever its name; `-` is standard input.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

/// The formats `mdm plist convert` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Target {
    /// An XML property list, in Apple's layout.
    Xml,
    /// A binary property list (bplist00).
    Binary,
    /// Pretty-printed JSON, for reading (there is no conversion back).
    Json,
}

impl Target {
    /// The format's name as given to `--to`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Xml => "xml",
            Self::Binary => "binary",
            Self::Json => "json",
        }
    }
}

/// Arguments of `mdm plist convert`.
#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// The format to write.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub to: Target,
    /// Write to this file instead of standard output.
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// The property list to convert (XML or binary); `-` is standard input.
    #[arg(value_name = "PATH")]
    pub path: PathBuf,
}

/// Arguments of `mdm plist print`.
#[derive(Debug, Args)]
pub struct PrintArgs {
    /// The property list to show (XML or binary); `-` is standard input.
    #[arg(value_name = "PATH")]
    pub path: PathBuf,
}

/// Runs an `mdm plist` subcommand. The error is a failure to write `out` or `err`.
pub fn run(command: PlistCommand, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<Status> {
    match command {
        PlistCommand::Lint(args) => lint(&args, out, err),
        PlistCommand::Convert(args) => convert(&args, out, err),
        PlistCommand::Print(args) => print(&args, out, err),
    }
}

/// Reads a file whole, up to the default input size limit. Errors are
/// [`ErrorKind::Io`] or [`ErrorKind::InputTooLarge`].
///
/// `-` is standard input. Otherwise only regular files are read: a FIFO, a device or a
/// socket named on the command line is refused before it is opened, so the tool never
/// waits forever on one.
pub fn read_input(path: &Path) -> Result<Vec<u8>, Error> {
    if path.as_os_str() == "-" {
        return read_limited(io::stdin().lock(), ReadOptions::DEFAULT_MAX_INPUT_SIZE);
    }
    let metadata = std::fs::metadata(path)?;
    if !metadata.is_file() {
        return Err(Error::from(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file",
        )));
    }
    let file = File::open(path)?;
    read_limited(file, ReadOptions::DEFAULT_MAX_INPUT_SIZE)
}

/// The status an error gives: [`Status::Failed`] for I/O, [`Status::Invalid`] otherwise.
pub fn status_of(error: &Error) -> Status {
    if error.kind() == ErrorKind::Io {
        Status::Failed
    } else {
        Status::Invalid
    }
}

/// The outcome of reading and decoding one file.
struct Checked {
    bytes: Vec<u8>,
    format: Option<Format>,
    result: Result<Value, Error>,
}

fn check(path: &Path) -> Checked {
    match read_input(path) {
        Ok(bytes) => {
            let format = Format::detect(&bytes);
            let result = Value::from_slice_with(&bytes, &ReadOptions::new());
            Checked {
                bytes,
                format,
                result,
            }
        }
        Err(e) => Checked {
            bytes: Vec::new(),
            format: None,
            result: Err(e),
        },
    }
}

fn display(path: &Path) -> String {
    path.display().to_string()
}

/// Reports an input that could not be read, on standard error.
fn report_io(err: &mut dyn Write, name: &str, error: &Error) -> io::Result<()> {
    writeln!(
        err,
        "mdm: cannot read {}: {}",
        diag::sanitize(name),
        diag::sanitize(error.message())
    )
}

fn lint(args: &LintArgs, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<Status> {
    let mut status = Status::Ok;
    for input in walk::expand(&args.paths) {
        let (name, checked) = match input {
            Input::File(path) => (display(&path), check(&path)),
            Input::Unreadable(path, e) => (
                display(&path),
                Checked {
                    bytes: Vec::new(),
                    format: None,
                    result: Err(Error::from(e)),
                },
            ),
        };
        let error = checked.result.as_ref().err();
        status = status.worst(error.map_or(Status::Ok, status_of));
        if let Some(e) = error.filter(|e| e.kind() == ErrorKind::Io) {
            report_io(err, &name, e)?;
        }
        if args.json {
            let row = json!({
                "path": name,
                "ok": error.is_none(),
                "format": checked.format.map(Format::name),
                "error": error.map(diag::error_json),
            });
            writeln!(out, "{}", diag::terminal_safe_json(&row.to_string()))?;
        } else if let Some(e) = error {
            if e.kind() != ErrorKind::Io {
                diag::write_text(out, &name, &checked.bytes, checked.format, e)?;
            }
        } else {
            writeln!(out, "{}: OK", diag::sanitize(&name))?;
        }
    }
    out.flush()?;
    Ok(status)
}

/// Reads and decodes one file, reporting a failure on `err`.
fn load(path: &Path, err: &mut dyn Write) -> io::Result<Result<Value, Status>> {
    let name = display(path);
    let checked = check(path);
    match checked.result {
        Ok(value) => Ok(Ok(value)),
        Err(e) if e.kind() == ErrorKind::Io => {
            report_io(err, &name, &e)?;
            Ok(Err(Status::Failed))
        }
        Err(e) => {
            diag::write_text(err, &name, &checked.bytes, checked.format, &e)?;
            Ok(Err(Status::Invalid))
        }
    }
}

/// Encodes `value` in `target`.
pub fn encode(value: &Value, target: Target) -> Result<Vec<u8>, Error> {
    match target {
        Target::Xml => value.to_xml(),
        Target::Binary => value.to_binary(),
        Target::Json => {
            let json = crate::json::to_json(value)?;
            let text = serde_json::to_string_pretty(&json)
                .map_err(|e| Error::new(ErrorKind::Custom, e.to_string()))?;
            let mut bytes = diag::terminal_safe_json(&text).into_owned().into_bytes();
            bytes.push(b'\n');
            Ok(bytes)
        }
    }
}

fn convert(args: &ConvertArgs, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<Status> {
    let value = match load(&args.path, err)? {
        Ok(value) => value,
        Err(status) => return Ok(status),
    };
    // The whole output is made before anything is written, so a value the target
    // cannot hold leaves no partial output behind.
    let bytes = match encode(&value, args.to) {
        Ok(bytes) => bytes,
        Err(e) => {
            writeln!(
                err,
                "mdm: {}: cannot convert to {}: {}",
                diag::sanitize(&display(&args.path)),
                args.to.name(),
                diag::summary(&e)
            )?;
            return Ok(status_of(&e));
        }
    };
    match &args.output {
        Some(path) => {
            if let Err(e) = crate::output::write_atomic(path, &bytes) {
                writeln!(
                    err,
                    "mdm: cannot write {}: {e}",
                    diag::sanitize(&display(path))
                )?;
                return Ok(Status::Failed);
            }
        }
        None => {
            out.write_all(&bytes)?;
            out.flush()?;
        }
    }
    Ok(Status::Ok)
}

fn print(args: &PrintArgs, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<Status> {
    let value = match load(&args.path, err)? {
        Ok(value) => value,
        Err(status) => return Ok(status),
    };
    out.write_all(crate::pretty::render(&value).as_bytes())?;
    out.flush()?;
    Ok(Status::Ok)
}
