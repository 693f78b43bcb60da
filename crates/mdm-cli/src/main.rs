//! The `mdm` command: parses the command line and hands it to [`mdm_cli::run`].

#![forbid(unsafe_code)]

use std::io;
use std::process::ExitCode;

use clap::Parser;
use mdm_cli::{Cli, run};

fn main() -> ExitCode {
    // Usage errors exit with 2 and `--help`/`--version` with 0, as clap does.
    let cli = Cli::parse();
    let status = run(cli, &mut io::stdout().lock(), &mut io::stderr().lock());
    ExitCode::from(status.code())
}
