//! Writing an output file whole or not at all.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Writes `bytes` to `path` through a temporary file in the same directory, renamed
/// over `path` once everything is written and flushed to disk. On failure the temporary
/// file is removed and `path` is left as it was, so a reader never sees a partial file.
///
/// Only a regular file is replaced: an existing directory, device, FIFO or socket at
/// `path` is refused. A symbolic link is followed, so the file it points to is replaced
/// and the link kept. A replaced file keeps its permissions.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let target = match fs::metadata(path) {
        Ok(metadata) if metadata.is_file() => Some((fs::canonicalize(path)?, metadata)),
        Ok(_) => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "the output path exists and is not a regular file",
            ));
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    let (path, permissions) = match &target {
        Some((resolved, metadata)) => (resolved.as_path(), Some(metadata.permissions())),
        None => (path, None),
    };
    let temp = temp_path(path)?;
    let result = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        if let Some(permissions) = permissions {
            file.set_permissions(permissions)?;
        }
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&temp, path)
    })();
    if result.is_err() {
        // The temporary file may not exist, and the first error is the one to report.
        let _ = fs::remove_file(&temp);
    }
    result
}

/// `dir/.mdm-PID-N.tmp` beside `path`: short, so that any valid file name still works.
fn temp_path(path: &Path) -> io::Result<PathBuf> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    if path.file_name().is_none() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the output path names no file",
        ));
    }
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    Ok(path.with_file_name(format!(".mdm-{}-{n}.tmp", std::process::id())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_replaces() {
        let dir = std::env::temp_dir().join(format!("mdm-cli-out-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("out.json");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        assert_eq!(
            fs::read_dir(&dir).unwrap().count(),
            1,
            "no temporary file is left"
        );
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn only_regular_files_are_replaced() {
        use std::os::unix::fs::{PermissionsExt, symlink};
        let dir = std::env::temp_dir().join(format!("mdm-cli-out-special-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        // A directory is refused.
        let sub = dir.join("sub");
        fs::create_dir_all(&sub).unwrap();
        assert!(write_atomic(&sub, b"x").is_err());
        assert!(sub.is_dir());
        // A link is followed: the target changes, the link stays a link.
        let real = dir.join("real.json");
        fs::write(&real, b"old").unwrap();
        fs::set_permissions(&real, fs::Permissions::from_mode(0o600)).unwrap();
        let link = dir.join("link.json");
        symlink(&real, &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read(&real).unwrap(), b"new");
        // Permissions are kept.
        assert_eq!(
            fs::metadata(&real).unwrap().permissions().mode() & 0o777,
            0o600
        );
        // A long but valid file name works.
        let long = dir.join("n".repeat(250));
        write_atomic(&long, b"x").unwrap();
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn missing_directory_fails_without_leftovers() {
        let path = Path::new("/no/such/mdm/dir/out.json");
        assert!(write_atomic(path, b"x").is_err());
        assert!(!path.exists());
    }
}
