//! `mdm decode`: read MDM messages, tell what each one is, and show it with its secrets
//! redacted.

use std::io::{self, IsTerminal as _, Read as _, Write};
use std::path::{Path, PathBuf};

use clap::Args;
use clap::builder::PossibleValuesParser;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use mdm_plist::{Error, ErrorKind, Format, ReadOptions, Value, read_limited};
use mdm_schema::Command as _;
use mdm_schema::{
    ActivationLockBypassCode, BypassCodeAnswer, COMMANDS, ClearActivationLockBypassCode,
    CommandResult, MessageKind, REDACTED, SchemaError, decode_any_result, decode_result,
    is_secret_key,
};
use serde_json::json;

use crate::Status;
use crate::diag::{self, Problem};
use crate::walk::{self, Input};

const DECODE_HELP: &str = "\
Each file is read as an MDM message: a check-in message (its MessageType), a command
result (any Status, Idle included) or a command (a Command dictionary). Without --json,
each file gives a block: the path, format, message kind, status, command UUID, UDID,
request type, then the message in the view of `mdm plist print`. A file that fails gives
its error as `mdm plist lint` does: PATH:LINE:COLUMN for XML (with the line and a caret),
PATH: byte N for binary, then the error kind, the key path and the message.

With --json, each file gives one JSON object on its own line (JSON Lines):
  {\"path\", \"ok\", \"format\": \"xml\" | \"binary\" | null, \"message\", \"status\",
   \"command_uuid\", \"udid\", \"request_type\", \"body\" (as `mdm plist convert --to json`),
   \"error\": null | {\"kind\", \"offset\", \"path\", \"message\"}}

With --expect REQUEST_TYPE, each file must be the result of that command: a result
without Status is MissingField, an Idle message NotACommandResult, and a result whose
RequestType names another command RequestTypeMismatch. For ActivationLockBypassCode the
text view says whether the device sent a code: Present, Empty or Absent.

The values of secret keys (ActivationLockBypassCode, Token, PushMagic, UnlockToken,
passwords, ...) print as \"<redacted>\" at any depth, and errors about them hide the
message and the source line, unless --show-secrets is given. Use PATH `-` to read
standard input.

Exit status: 0 when every file is a valid MDM message (Error, NotNow and Idle results
are valid messages), 1 when one is not (every file is still decoded and reported), 2
for a usage error or a file that cannot be read.

Examples:
  mdm decode tests/fixtures/device-messages/good
  mdm decode --json Response.plist | jq .status
  mdm decode --expect ActivationLockBypassCode Response.plist
  mdm command ActivationLockBypassCode --format binary | mdm decode -";

/// The request types `--expect` and `mdm command` take: those of
/// [`mdm_schema::COMMANDS`], matched exactly.
pub fn known_request_types() -> PossibleValuesParser {
    PossibleValuesParser::new(COMMANDS.iter().map(|c| c.request_type))
}

/// Arguments of `mdm decode`.
#[derive(Debug, Args)]
#[command(after_help = DECODE_HELP)]
pub struct DecodeArgs {
    /// Write one JSON object per file (JSON Lines) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Decode each file as the result of this command, typed.
    #[arg(long, value_name = "REQUEST_TYPE", value_parser = known_request_types())]
    pub expect: Option<String>,
    /// Print the values of secret keys instead of redacting them.
    #[arg(long)]
    pub show_secrets: bool,
    /// Files, and directories to search recursively for *.plist, *.xml and *.bplist files
    /// (any case); `-` is standard input.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

/// What a device answered about its bypass code, for the text view.
#[derive(Debug, PartialEq, Eq)]
enum CodeAnswer {
    /// A code, as the device sent it, or `<redacted>`.
    Present {
        shown: String,
        valid: bool,
    },
    Empty,
    Absent,
    /// The command was not acknowledged, so no code is taken from the result.
    NotAcknowledged(String),
}

/// Everything known about one input after decoding it.
#[derive(Debug, Default)]
struct Decoded {
    name: String,
    bytes: Vec<u8>,
    format: Option<Format>,
    /// The message, with its secrets redacted unless `--show-secrets`.
    value: Option<Value>,
    /// The message as JSON, for `--json`.
    body: Option<serde_json::Value>,
    message: Option<String>,
    status: Option<String>,
    command_uuid: Option<String>,
    udid: Option<String>,
    request_type: Option<String>,
    code: Option<CodeAnswer>,
    error: Option<(Problem, Status)>,
}

impl Decoded {
    fn fail(&mut self, problem: Problem, status: Status) {
        if self.error.is_none() {
            self.error = Some((problem, status));
        }
    }

    fn status(&self) -> Status {
        self.error.as_ref().map_or(Status::Ok, |(_, s)| *s)
    }
}

/// Runs `mdm decode`. The error is a failure to write `out` or `err`.
pub fn run(args: &DecodeArgs, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<Status> {
    let mut inputs = Vec::new();
    for path in &args.paths {
        if path.as_os_str() == "-" {
            inputs.push(None);
        } else {
            inputs.extend(
                walk::expand(std::slice::from_ref(path))
                    .into_iter()
                    .map(Some),
            );
        }
    }
    let progress = Progress::new(inputs.len());
    let mut status = Status::Ok;
    // What the text view wrote last: nothing yet, a block (true) or an error (false).
    let mut last_was_block = None;
    for input in inputs {
        let decoded = match input {
            None => decode_one("-".to_owned(), read_stdin(), args),
            Some(Input::File(path)) => decode_one(display(&path), read_file(&path), args),
            Some(Input::Unreadable(path, e)) => decode_one(display(&path), Err(e.into()), args),
        };
        status = status.worst(decoded.status());
        progress.suspend(|| report(&decoded, args, &mut last_was_block, out, err))?;
        progress.inc();
    }
    progress.finish();
    out.flush()?;
    Ok(status)
}

fn display(path: &Path) -> String {
    path.display().to_string()
}

fn read_file(path: &Path) -> Result<Vec<u8>, Error> {
    crate::plist_cmd::read_input(path)
}

fn read_stdin() -> Result<Vec<u8>, Error> {
    read_limited(io::stdin().lock(), ReadOptions::DEFAULT_MAX_INPUT_SIZE)
}

/// A progress bar on standard error, drawn only when standard error is a terminal and
/// there is more than one input.
struct Progress(Option<ProgressBar>);

impl Progress {
    fn new(total: usize) -> Self {
        if total < 2 || !io::stderr().is_terminal() {
            return Self(None);
        }
        let bar = ProgressBar::with_draw_target(
            Some(u64::try_from(total).unwrap_or(u64::MAX)),
            ProgressDrawTarget::stderr(),
        );
        if let Ok(style) = ProgressStyle::with_template("decoding {pos}/{len} {wide_bar} {eta}") {
            bar.set_style(style);
        }
        Self(Some(bar))
    }

    /// Runs `f` with the bar cleared, so that other output does not mix with it.
    fn suspend<T>(&self, f: impl FnOnce() -> T) -> T {
        match &self.0 {
            Some(bar) => bar.suspend(f),
            None => f(),
        }
    }

    fn inc(&self) {
        if let Some(bar) = &self.0 {
            bar.inc(1);
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

/// Whether a key path (a JSON Pointer) passes through a secret key.
fn path_is_secret(path: &str) -> bool {
    path.split('/')
        .any(|segment| is_secret_key(&segment.replace("~1", "/").replace("~0", "~")))
}

/// The error kinds whose messages speak only of the structure of the input (sizes,
/// offsets, nesting), never of a value's text, so they may be shown for a secret value.
const STRUCTURAL_KINDS: &[&str] = &[
    "DepthLimitExceeded",
    "CyclicReference",
    "NodeBudgetExceeded",
    "InvalidOffset",
    "InvalidTrailer",
    "LengthExceedsInput",
    "InputTooLarge",
    "DuplicateKey",
    "InvalidUtf8",
    "InvalidBase64",
    "UnexpectedEof",
    "TrailingData",
    "MissingField",
];

/// A problem made safe to print: unless secrets are shown, an error under a secret key
/// shows no source line, and its message only when the kind's messages never quote a
/// value; no source line that names a secret key is shown either.
fn guard(mut problem: Problem, bytes: &[u8], show_secrets: bool) -> Problem {
    if show_secrets {
        return problem;
    }
    if path_is_secret(&problem.path) {
        if !STRUCTURAL_KINDS.contains(&problem.kind) {
            problem.message =
                "the message is hidden: the value is secret (see --show-secrets)".into();
        }
        problem.show_line = false;
    } else if let Some(offset) = problem.offset.and_then(|o| usize::try_from(o).ok()) {
        let line = String::from_utf8_lossy(diag::line_at(bytes, offset));
        if mdm_schema::SECRET_KEYS.iter().any(|k| line.contains(k)) {
            problem.show_line = false;
        }
    }
    problem
}

fn schema_problem(e: &SchemaError) -> Problem {
    match e {
        SchemaError::Plist(e) => Problem::from(e),
        other => Problem {
            kind: other.kind_name(),
            offset: other.offset(),
            path: other.path(),
            message: other.message(),
            show_line: true,
        },
    }
}

fn string_at(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// Reads, identifies and checks one input.
fn decode_one(name: String, bytes: Result<Vec<u8>, Error>, args: &DecodeArgs) -> Decoded {
    let mut d = Decoded {
        name,
        request_type: args.expect.clone(),
        ..Decoded::default()
    };
    let bytes = match bytes {
        Ok(bytes) => bytes,
        Err(e) => {
            let status = if e.kind() == ErrorKind::Io {
                Status::Failed
            } else {
                Status::Invalid
            };
            d.fail(Problem::from(&e), status);
            return d;
        }
    };
    d.format = Format::detect(&bytes);
    d.bytes = bytes;
    let mut value = match Value::from_slice_with(&d.bytes, &ReadOptions::new()) {
        Ok(value) => value,
        Err(e) => {
            let problem = guard(Problem::from(&e), &d.bytes, args.show_secrets);
            d.fail(problem, Status::Invalid);
            return d;
        }
    };
    d.status = string_at(&value, "Status");
    d.command_uuid = string_at(&value, "CommandUUID");
    d.udid = string_at(&value, "UDID");
    let sent_request_type = value
        .get("Command")
        .and_then(|c| c.get("RequestType"))
        .or_else(|| value.get("RequestType"))
        .and_then(Value::as_str);
    if let Some(rt) = sent_request_type {
        d.request_type = Some(rt.to_owned());
    }

    // With --expect, the typed decoder's verdict comes first: it checks Status before
    // anything else, so a result without one is MissingField, not NotAnMdmMessage.
    if let Some(Err(e)) = args
        .expect
        .as_deref()
        .map(|expect| check_expected(expect, &mut d, args.show_secrets))
    {
        let problem = guard(schema_problem(&e), &d.bytes, args.show_secrets);
        d.fail(problem, Status::Invalid);
    }
    match MessageKind::identify(&value) {
        Ok(kind) => {
            let check = match kind {
                MessageKind::Command => mdm_schema::AnyCommand::from_value(&value).map(drop),
                MessageKind::CommandResult if args.expect.is_none() => {
                    decode_any_result(&d.bytes).map(drop)
                }
                _ => Ok(()),
            };
            if let Err(e) = check {
                let problem = guard(schema_problem(&e), &d.bytes, args.show_secrets);
                d.fail(problem, Status::Invalid);
            }
            d.message = Some(kind.name().to_owned());
        }
        Err(e) => {
            let problem = guard(schema_problem(&e), &d.bytes, args.show_secrets);
            d.fail(problem, Status::Invalid);
        }
    }
    if !args.show_secrets {
        mdm_schema::redact(&mut value);
    }
    if args.json {
        match crate::json::to_json(&value) {
            Ok(json) => d.body = Some(json),
            Err(e) => d.fail(Problem::from(&e), Status::Invalid),
        }
    }
    d.value = Some(value);
    d
}

/// Decodes the input as the result of `expect`, typed; for `ActivationLockBypassCode`,
/// notes what the device said about its code.
fn check_expected(expect: &str, d: &mut Decoded, show_secrets: bool) -> Result<(), SchemaError> {
    match expect {
        ActivationLockBypassCode::REQUEST_TYPE => {
            let result = decode_result::<ActivationLockBypassCode>(&d.bytes)?;
            note_result(d, &result);
            let Ok(response) = result.acknowledged() else {
                d.code = Some(CodeAnswer::NotAcknowledged(
                    result.status.as_str().to_owned(),
                ));
                return Ok(());
            };
            d.code = Some(match response.answer() {
                BypassCodeAnswer::Present(code) => CodeAnswer::Present {
                    shown: if show_secrets {
                        code.expose_secret().to_owned()
                    } else {
                        REDACTED.to_owned()
                    },
                    valid: mdm_schema::BypassCode::parse(code.expose_secret()).is_ok(),
                },
                BypassCodeAnswer::Empty => CodeAnswer::Empty,
                _ => CodeAnswer::Absent,
            });
            Ok(())
        }
        ClearActivationLockBypassCode::REQUEST_TYPE => {
            let result = decode_result::<ClearActivationLockBypassCode>(&d.bytes)?;
            note_result(d, &result);
            Ok(())
        }
        other => Err(SchemaError::UnknownRequestType(other.to_owned())),
    }
}

fn note_result<R>(d: &mut Decoded, result: &CommandResult<R>) {
    d.status = Some(result.status.as_str().to_owned());
    d.command_uuid.clone_from(&result.command_uuid);
    d.udid.clone_from(&result.identity.udid);
}

/// Writes one input's outcome: a JSON line or a text block on `out`; a file that cannot
/// be read is also reported on `err`.
fn report(
    d: &Decoded,
    args: &DecodeArgs,
    last_was_block: &mut Option<bool>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<()> {
    if let Some((problem, Status::Failed)) = &d.error {
        writeln!(
            err,
            "mdm: cannot read {}: {}",
            diag::sanitize(&d.name),
            diag::sanitize(&problem.message)
        )?;
    }
    if args.json {
        return report_json(d, out);
    }
    let is_block = match &d.error {
        // Reported on standard error only.
        Some((_, Status::Failed)) => return Ok(()),
        Some(_) => false,
        None => true,
    };
    // Blocks are set apart from what comes before and after them by a blank line.
    if last_was_block.is_some_and(|last| last || is_block) {
        writeln!(out)?;
    }
    *last_was_block = Some(is_block);
    report_text(d, out)
}

fn report_json(d: &Decoded, out: &mut dyn Write) -> io::Result<()> {
    let error = d.error.as_ref().map(|(p, _)| p.to_json());
    let row = json!({
        "path": d.name,
        "ok": error.is_none(),
        "format": d.format.map(Format::name),
        "message": d.message,
        "status": d.status,
        "command_uuid": d.command_uuid,
        "udid": d.udid,
        "request_type": d.request_type,
        "body": d.body,
        "error": error,
    });
    writeln!(out, "{}", diag::terminal_safe_json(&row.to_string()))
}

/// A field of the text view: its value made safe for a terminal, or `-`.
fn field(value: &Option<String>) -> std::borrow::Cow<'_, str> {
    value.as_deref().map_or("-".into(), diag::sanitize)
}

fn report_text(d: &Decoded, out: &mut dyn Write) -> io::Result<()> {
    if let Some((problem, _)) = &d.error {
        return diag::write_problem(out, &d.name, &d.bytes, d.format, problem);
    }
    writeln!(out, "{}", diag::sanitize(&d.name))?;
    writeln!(
        out,
        "  format:       {}",
        d.format.map_or("-", Format::name)
    )?;
    writeln!(out, "  message:      {}", field(&d.message))?;
    writeln!(out, "  status:       {}", field(&d.status))?;
    writeln!(out, "  command UUID: {}", field(&d.command_uuid))?;
    writeln!(out, "  UDID:         {}", field(&d.udid))?;
    writeln!(out, "  request type: {}", field(&d.request_type))?;
    match &d.code {
        Some(CodeAnswer::Present { shown, valid }) => {
            let note = if *valid {
                ""
            } else {
                " (not a valid bypass code)"
            };
            writeln!(
                out,
                "  bypass code:  Present: {}{note}",
                diag::sanitize(shown)
            )?;
        }
        Some(CodeAnswer::Empty) => writeln!(out, "  bypass code:  Empty")?,
        Some(CodeAnswer::Absent) => writeln!(out, "  bypass code:  Absent")?,
        Some(CodeAnswer::NotAcknowledged(status)) => writeln!(
            out,
            "  bypass code:  none taken: the status is {}, not Acknowledged",
            diag::sanitize(status)
        )?,
        None => {}
    }
    if let Some(value) = &d.value {
        writeln!(out, "  body:")?;
        for line in crate::pretty::render(value).lines() {
            writeln!(out, "    {line}")?;
        }
    }
    Ok(())
}

/// Reads all of standard input, for `-` arguments of other subcommands.
pub(crate) fn read_stdin_text(limit: u64) -> io::Result<zeroize::Zeroizing<String>> {
    let mut text = zeroize::Zeroizing::new(String::new());
    io::stdin().lock().take(limit).read_to_string(&mut text)?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_paths() {
        assert!(path_is_secret("/Token"));
        assert!(path_is_secret("/Settings/0/Password"));
        assert!(!path_is_secret("/ErrorChain/0"));
        assert!(!path_is_secret(""));
    }

    #[test]
    fn guard_hides_messages_and_lines_near_secrets() {
        let doc = b"<plist><dict><key>PIN</key><integer>12x</integer></dict></plist>";
        let problem = Problem {
            kind: "InvalidNumber",
            offset: Some(36),
            path: "/PIN".into(),
            message: "invalid integer \"12x\"".into(),
            show_line: true,
        };
        let hidden = guard(problem.clone(), doc, false);
        assert!(!hidden.message.contains("12x"));
        assert!(!hidden.show_line);
        assert_eq!(guard(problem.clone(), doc, true), problem);
        let elsewhere = Problem {
            path: "/Other".into(),
            ..problem
        };
        let guarded = guard(elsewhere, doc, false);
        assert!(!guarded.show_line, "the line names the PIN key");
        assert!(guarded.message.contains("12x"));
    }
}
