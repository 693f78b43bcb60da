//! Writes the benchmark inputs to a folder: `generate OUTDIR` makes `OUTDIR/<name>.plist`.

#![forbid(unsafe_code)]
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: generate OUTDIR");
        return ExitCode::from(2);
    };
    let result = (|| -> Result<(), Box<dyn std::error::Error>> {
        std::fs::create_dir_all(&dir)?;
        for doc in mdm_benches::inputs()? {
            let path = dir.join(format!("{}.plist", doc.name()));
            std::fs::write(&path, &doc.bytes)?;
            println!("{}\t{}", path.display(), doc.bytes.len());
        }
        Ok(())
    })();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("generate: {e}");
            ExitCode::FAILURE
        }
    }
}
