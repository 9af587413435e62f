//! Files and folders only their owner can read, whatever the umask.

use std::fs::File;
use std::path::Path;

/// Creates `dir` (and missing parents) as `0700`; an existing folder is left as it is.
pub(super) fn create_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Opens (creating) a file as `0600`, and makes an existing one `0600`.
pub(super) fn open_file(path: &Path) -> std::io::Result<File> {
    let mut options = File::options();
    options.create(true).truncate(false).write(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(path)?;
    restrict(path, true)?;
    Ok(file)
}

/// Makes `path` `0600` (creating it empty first when `exists` is false, so SQLite opens a
/// private file and makes its `-wal` and `-shm` files alike).
pub(super) fn restrict(path: &Path, exists: bool) -> std::io::Result<()> {
    if !exists {
        drop(open_new(path)?);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

fn open_new(path: &Path) -> std::io::Result<File> {
    let mut options = File::options();
    options.create(true).truncate(false).write(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}
