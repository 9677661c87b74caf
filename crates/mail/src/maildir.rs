//! A Maildir (`tmp/`, `new/`, `cur/`) that any mail client opens: where emails go when no SMTP
//! server is configured, so that a new user still sees them.

use std::path::{Path, PathBuf};

/// Writes one message: first into `tmp/`, then renamed into `new/`, so that a reader never
/// sees half a message.
pub(crate) async fn deliver(dir: &Path, unique: &str, message: &[u8]) -> std::io::Result<PathBuf> {
    for sub in ["tmp", "new", "cur"] {
        tokio::fs::create_dir_all(dir.join(sub)).await?;
        private(&dir.join(sub), 0o700).await?;
    }
    let name = format!("{unique}.portico");
    let tmp = dir.join("tmp").join(&name);
    let new = dir.join("new").join(&name);
    tokio::fs::write(&tmp, message).await?;
    // A delivered email carries its live link or one-time password: for its owner only.
    private(&tmp, 0o600).await?;
    tokio::fs::rename(&tmp, &new).await?;
    Ok(new)
}

/// Readable by the server's own user only (Unix); elsewhere the folder's own rules apply.
async fn private(path: &Path, mode: u32) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tokio::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).await?;
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}
