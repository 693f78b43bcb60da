//! Reads a file and, with IMPL, parses it; prints the peak resident set (VmHWM) in
//! bytes: `rss FILE [IMPL]`. Run it with and without IMPL and subtract to get the
//! parse's cost in resident memory over just reading the file.

#![forbid(unsafe_code)]
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::hint::black_box;
use std::process::ExitCode;

use mdm_benches::{Kind, Op};

/// VmHWM from /proc/self/status, in bytes.
fn vm_hwm() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kb.checked_mul(1024)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(file) = args.first() else {
        eprintln!("usage: rss FILE [IMPL]");
        return ExitCode::from(2);
    };
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("rss: {file}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let imp = args.get(1).map_or("none", String::as_str);
    if let Some(imp) = args.get(1) {
        let name = std::path::Path::new(file)
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let (Some(op), Some(kind)) = (Op::from_impl_name(imp), Kind::from_name(name)) else {
            eprintln!("rss: unknown implementation or input kind");
            return ExitCode::from(2);
        };
        // Keep the parsed value alive while VmHWM is read.
        let kept: Result<Box<dyn std::any::Any>, String> = match op {
            Op::MdmValue => mdm_plist::Value::from_slice(&bytes)
                .map(|v| Box::new(v) as Box<dyn std::any::Any>)
                .map_err(|e| e.to_string()),
            Op::PlistValue => plist::Value::from_reader(std::io::Cursor::new(&bytes))
                .map(|v| Box::new(v) as Box<dyn std::any::Any>)
                .map_err(|e| e.to_string()),
            other => other
                .parse(kind, &bytes)
                .map(|n| Box::new(n) as Box<dyn std::any::Any>),
        };
        match kept {
            Ok(v) => {
                black_box(&v);
            }
            Err(e) => {
                eprintln!("rss: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let hwm = vm_hwm().unwrap_or(0);
    println!(
        "{{\"impl\":\"{imp}\",\"input_bytes\":{},\"vm_hwm_bytes\":{hwm}}}",
        bytes.len()
    );
    ExitCode::SUCCESS
}
