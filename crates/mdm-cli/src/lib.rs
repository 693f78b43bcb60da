//! The logic of the `mdm` command line tool, kept in a library so that it can be tested.
//!
//! The binary only parses the command line into a [`Cli`] and calls [`run`] with the
//! process's standard output and error. Everything else lives here: one module per
//! group of subcommands ([`plist_cmd`] for `mdm plist ...`, [`decode_cmd`] for
//! `mdm decode`, [`command_cmd`] for `mdm command`, [`bypass_cmd`] for
//! `mdm bypass-code ...`), and shared modules for
//! walking paths ([`walk`]), rendering errors ([`diag`]) and writing output files
//! ([`output`]).
//!
//! Results go to `out`, diagnostics to `err`; the [`Status`] decides the exit code:
//! 0 when every input is fine, 1 when an input is invalid or cannot be converted, 2 for
//! a usage or I/O error.
//!
//! ```
//! use clap::Parser;
//! use mdm_cli::{run, Cli, Status};
//!
//! let cli = Cli::try_parse_from(["mdm", "plist", "lint", "/no/such/file.plist"]).unwrap();
//! let (mut out, mut err) = (Vec::new(), Vec::new());
//! assert_eq!(run(cli, &mut out, &mut err), Status::Failed);
//! ```

#![forbid(unsafe_code)]

pub mod bypass_cmd;
pub mod command_cmd;
pub mod decode_cmd;
pub mod diag;
pub mod json;
pub mod output;
pub mod plist_cmd;
pub mod pretty;
pub mod walk;

use std::io::{self, Write};

use clap::{Parser, Subcommand};

/// The `mdm` command line.
#[derive(Debug, Parser)]
#[command(
    name = "mdm",
    version,
    about = "Tools for Apple's Device Management (MDM) protocol",
    long_about = None,
    propagate_version = true,
    after_help = "Exit status: 0 when every input is fine, 1 when an input is invalid or cannot \
be converted, 2 for a usage or I/O error.\n\nExamples:\n  mdm plist lint messages/\n  \
mdm plist convert --to json message.plist\n  mdm plist print message.plist\n  \
mdm decode tests/fixtures/device-messages/good\n  \
mdm decode --json --expect ActivationLockBypassCode Response.plist\n  \
mdm command ActivationLockBypassCode\n  mdm bypass-code generate"
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommand groups.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check, convert and show property lists (XML and binary).
    #[command(
        subcommand,
        after_help = "Examples:\n  mdm plist lint messages/\n  mdm plist lint --json Response.plist\n  \
mdm plist convert --to json Response.plist\n  mdm plist print Response.plist"
    )]
    Plist(plist_cmd::PlistCommand),
    /// Decode MDM messages (check-ins, command results, commands), secrets redacted.
    Decode(decode_cmd::DecodeArgs),
    /// Write the command plist a server would send for a request type.
    Command(command_cmd::CommandArgs),
    /// Make Activation Lock bypass codes, and convert them between their forms.
    #[command(subcommand)]
    BypassCode(bypass_cmd::BypassCommand),
}

/// How a run ended; [`Status::code`] is the process exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// Every input is fine (exit 0).
    Ok,
    /// At least one input is invalid or cannot be converted (exit 1).
    Invalid,
    /// A usage or I/O error: a missing file, an unreadable directory, a failed write
    /// (exit 2).
    Failed,
}

impl Status {
    /// The process exit code: 0, 1 or 2.
    pub const fn code(self) -> u8 {
        match self {
            Self::Ok => 0,
            Self::Invalid => 1,
            Self::Failed => 2,
        }
    }

    /// The worse of two statuses, so that one bad input decides the exit code while the
    /// others are still processed.
    #[must_use]
    pub fn worst(self, other: Self) -> Self {
        self.max(other)
    }
}

/// Runs a parsed command line, writing results to `out` and diagnostics to `err`.
pub fn run(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> Status {
    let result = match cli.command {
        Command::Plist(command) => plist_cmd::run(command, out, err),
        Command::Decode(args) => decode_cmd::run(&args, out, err),
        Command::Command(args) => command_cmd::run(&args, out, err),
        Command::BypassCode(command) => bypass_cmd::run(command, out, err),
    };
    match result {
        Ok(status) => status,
        // The reader of our output went away (`mdm plist lint dir | head`): stop quietly.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Status::Failed,
        Err(e) => {
            // Nothing more can be done if standard error is gone too.
            let _ = writeln!(err, "mdm: cannot write the output: {e}");
            Status::Failed
        }
    }
}
