//! `mdm command`: write the command a server would send to a device.

use std::io::{self, Write};

use clap::{Args, ValueEnum};
use mdm_plist::Dictionary;
use mdm_schema::{AnyCommand, command_info, new_command_uuid};

use crate::Status;
use crate::decode_cmd::known_request_types;
use crate::diag;

const COMMAND_HELP: &str = "\
Writes the command plist to standard output: a dictionary with Command (holding
RequestType) and CommandUUID. The UUID given with --uuid is used exactly as given;
without it, a fresh random UUID in upper case, as Apple's servers write them.

Exit status: 0 on success, 2 for a usage error (an unknown request type, a UUID the
format cannot hold) or a failed write.

Examples:
  mdm command ActivationLockBypassCode
  mdm command ActivationLockBypassCode --uuid 0F1E2D3C-4B5A-4678-9A0B-1C2D3E4F5A6B
  mdm command ClearActivationLockBypassCode --format binary > command.bplist";

/// The formats `mdm command` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CommandFormat {
    /// An XML property list.
    Xml,
    /// A binary property list (bplist00).
    Binary,
}

/// Arguments of `mdm command`.
#[derive(Debug, Args)]
#[command(after_help = COMMAND_HELP)]
pub struct CommandArgs {
    /// The command's RequestType.
    #[arg(value_name = "REQUEST_TYPE", value_parser = known_request_types())]
    pub request_type: String,
    /// The CommandUUID, used exactly as given (default: a fresh upper-case UUID).
    #[arg(long, value_name = "UUID")]
    pub uuid: Option<String>,
    /// The format to write.
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = CommandFormat::Xml)]
    pub format: CommandFormat,
}

/// Runs `mdm command`. The error is a failure to write `out` or `err`.
pub fn run(args: &CommandArgs, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<Status> {
    let Some(info) = command_info(&args.request_type) else {
        // The argument parser only lets known request types through.
        writeln!(
            err,
            "mdm: unknown request type {:?}",
            diag::sanitize(&args.request_type)
        )?;
        return Ok(Status::Failed);
    };
    if !info.needs_no_keys {
        writeln!(
            err,
            "mdm: {} needs keys, which `mdm command` cannot fill in yet",
            info.request_type
        )?;
        return Ok(Status::Failed);
    }
    let uuid = args.uuid.clone().unwrap_or_else(new_command_uuid);
    let value = AnyCommand::new(info.request_type, uuid, Dictionary::new()).to_value();
    let bytes = match args.format {
        CommandFormat::Xml => value.to_xml(),
        CommandFormat::Binary => value.to_binary(),
    };
    match bytes {
        Ok(bytes) => {
            out.write_all(&bytes)?;
            out.flush()?;
            Ok(Status::Ok)
        }
        Err(e) => {
            writeln!(err, "mdm: cannot write the command: {}", diag::summary(&e))?;
            Ok(Status::Failed)
        }
    }
}
