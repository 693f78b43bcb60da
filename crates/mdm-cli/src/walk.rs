//! Turning the paths named on the command line into the list of files to read.

use std::ffi::OsStr;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The file name extensions taken from directories, compared without regard to case.
pub const PLIST_EXTENSIONS: [&str; 3] = ["plist", "xml", "bplist"];

/// One input to process: a file to read, or a path that could not be listed.
#[derive(Debug)]
pub enum Input {
    /// A file to read.
    File(PathBuf),
    /// A path named on the command line, or a directory met while walking, that could
    /// not be read.
    Unreadable(PathBuf, io::Error),
}

/// Whether a file met inside a directory is taken: its extension is one of
/// [`PLIST_EXTENSIONS`], in any case.
pub fn is_plist_name(path: &Path) -> bool {
    path.extension()
        .and_then(OsStr::to_str)
        .is_some_and(|ext| PLIST_EXTENSIONS.iter().any(|p| ext.eq_ignore_ascii_case(p)))
}

/// Expands the command line paths in order: `-` (standard input) and a file are taken
/// whatever their name; a
/// directory is walked recursively and gives its files with a plist extension, sorted
/// by path. Symbolic links to directories met inside a directory are not followed, so a
/// link cycle cannot make the walk endless.
pub fn expand(paths: &[PathBuf]) -> Vec<Input> {
    let mut inputs = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            inputs.push(Input::File(path.clone()));
            continue;
        }
        match fs::metadata(path) {
            Ok(meta) if meta.is_dir() => {
                let mut found = Vec::new();
                walk_dir(path, &mut found);
                found.sort_by(|a, b| input_path(a).cmp(input_path(b)));
                inputs.extend(found);
            }
            Ok(_) => inputs.push(Input::File(path.clone())),
            Err(e) => inputs.push(Input::Unreadable(path.clone(), e)),
        }
    }
    inputs
}

fn input_path(input: &Input) -> &Path {
    match input {
        Input::File(p) | Input::Unreadable(p, _) => p,
    }
}

/// Collects the plist files under `dir`, without recursion on the call stack.
fn walk_dir(dir: &Path, found: &mut Vec<Input>) {
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) => {
                found.push(Input::Unreadable(dir, e));
                continue;
            }
        };
        for entry in entries {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    found.push(Input::Unreadable(dir.clone(), e));
                    continue;
                }
            };
            let path = entry.path();
            match entry.file_type() {
                Ok(kind) if kind.is_dir() => pending.push(path),
                Ok(kind) if kind.is_file() => {
                    if is_plist_name(&path) {
                        found.push(Input::File(path));
                    }
                }
                // A symbolic link: taken when it leads to a file with a plist name.
                Ok(_) => {
                    if is_plist_name(&path) && fs::metadata(&path).is_ok_and(|m| m.is_file()) {
                        found.push(Input::File(path));
                    }
                }
                Err(e) => found.push(Input::Unreadable(path, e)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_any_case() {
        assert!(is_plist_name(Path::new("a/b.plist")));
        assert!(is_plist_name(Path::new("B.XML")));
        assert!(is_plist_name(Path::new("c.BPlist")));
        assert!(!is_plist_name(Path::new("d.json")));
        assert!(!is_plist_name(Path::new("plist")));
        assert!(!is_plist_name(Path::new("e.plist.bak")));
    }

    #[test]
    fn walks_sorted_and_filters() {
        let root = std::env::temp_dir().join(format!("mdm-cli-walk-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(root.join("sub/deeper")).unwrap();
        for name in [
            "b.plist",
            "a.XML",
            "skip.txt",
            "sub/deeper/z.bplist",
            "sub/c.plist",
        ] {
            fs::write(root.join(name), b"").unwrap();
        }
        let inputs = expand(&[root.clone(), root.join("skip.txt")]);
        let names: Vec<_> = inputs
            .iter()
            .map(|i| input_path(i).strip_prefix(&root).unwrap().to_path_buf())
            .collect();
        let expected: Vec<PathBuf> = [
            "a.XML",
            "b.plist",
            "sub/c.plist",
            "sub/deeper/z.bplist",
            "skip.txt",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        assert_eq!(names, expected);
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn missing_path_is_unreadable() {
        let inputs = expand(&[PathBuf::from("/no/such/mdm/path.plist")]);
        assert!(
            matches!(inputs.as_slice(), [Input::Unreadable(_, e)] if e.kind() == io::ErrorKind::NotFound)
        );
    }
}
