//! Files and photos on records (SPEC section 5): stored on disk under their SHA-256 (the same
//! content is kept once), checked for size and for a content type Portico accepts — by its
//! first bytes where the type has a signature, not by what the uploader claims.

use std::path::PathBuf;

use portico_store::{AuditEntry, FileRow};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::{new_id, now_ms, Caller, Portico, ServiceError, ServiceResult};

/// The types Portico accepts, with the signature their content must start with (none for text).
const ACCEPTED: [(&str, &[u8]); 7] = [
    ("application/pdf", b"%PDF-"),
    ("image/png", b"\x89PNG\r\n\x1a\n"),
    ("image/jpeg", b"\xff\xd8\xff"),
    ("image/gif", b"GIF8"),
    ("image/webp", b"RIFF"),
    ("text/plain", b""),
    ("text/csv", b""),
];

/// The checked content type of an upload.
fn checked_type(declared: &str, bytes: &[u8]) -> ServiceResult<&'static str> {
    let declared = declared
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_lowercase();
    let (kind, signature) = ACCEPTED
        .iter()
        .find(|(t, _)| *t == declared)
        .ok_or_else(|| {
            ServiceError::InvalidData(format!(
                "files of type '{declared}' are not accepted; send {}",
                ACCEPTED
                    .iter()
                    .map(|(t, _)| *t)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
    let text_ok = signature.is_empty() && std::str::from_utf8(bytes).is_ok();
    if !bytes.starts_with(signature) || (signature.is_empty() && !text_ok) {
        return Err(ServiceError::InvalidData(format!(
            "the content is not a {declared} file"
        )));
    }
    Ok(kind)
}

impl Portico {
    fn file_path(&self, sha: &str) -> PathBuf {
        self.settings.files_dir.join(&sha[..2]).join(sha)
    }

    /// `POST /api/v1/vobjects/{object}/{id}/files`: whoever may read the record may add files.
    pub async fn upload_file(
        &self,
        caller: &Caller,
        object: &str,
        id: &str,
        name: &str,
        declared_type: &str,
        bytes: &[u8],
    ) -> ServiceResult<FileRow> {
        let view = self.record(caller, object, id).await?;
        let name = name
            .trim()
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or("")
            .to_string();
        if name.is_empty() || name.chars().count() > 255 {
            return Err(ServiceError::InvalidData(
                "a file needs a name of at most 255 characters".into(),
            ));
        }
        if bytes.is_empty() {
            return Err(ServiceError::InvalidData("the file is empty".into()));
        }
        if bytes.len() > self.settings.max_file_bytes {
            return Err(ServiceError::InvalidData(format!(
                "the file is larger than {} MB",
                self.settings.max_file_bytes / 1_000_000
            )));
        }
        let content_type = checked_type(declared_type, bytes)?;
        let sha = hex::encode(Sha256::digest(bytes));
        let path = self.file_path(&sha);
        if !path.exists() {
            let dir = path.parent().map(PathBuf::from).unwrap_or_default();
            let tmp = dir.join(format!("{sha}.{}.tmp", new_id("up")));
            let bytes = bytes.to_vec();
            tokio::task::spawn_blocking(move || -> std::io::Result<()> {
                std::fs::create_dir_all(&dir)?;
                std::fs::write(&tmp, &bytes)?;
                std::fs::rename(&tmp, &path)
            })
            .await
            .map_err(|e| ServiceError::Internal(e.to_string()))?
            .map_err(|e| ServiceError::Internal(format!("cannot store the file: {e}")))?;
        }
        let f = FileRow {
            id: new_id("fil"),
            record: view.record.id.to_string(),
            uploader: caller.user.id.to_string(),
            name,
            content_type: content_type.to_string(),
            size: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
            sha256: sha,
            created_at: now_ms(),
        };
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        db.insert_file(&f).await?;
        db.audit(&AuditEntry {
            at: f.created_at,
            actor: Some(caller.user.id.to_string()),
            action: "file.uploaded".into(),
            object: "file".into(),
            object_id: f.id.clone(),
            record: Some(f.record.clone()),
            after: Some(json!({"name": f.name, "content_type": f.content_type, "size": f.size, "sha256": f.sha256}).to_string()),
            ..AuditEntry::default()
        })
        .await?;
        tx.commit().await?;
        Ok(f)
    }

    /// `GET /api/v1/vobjects/{object}/{id}/files`
    pub async fn files(
        &self,
        caller: &Caller,
        object: &str,
        id: &str,
    ) -> ServiceResult<Vec<FileRow>> {
        let view = self.record(caller, object, id).await?;
        Ok(self
            .store
            .read()
            .await?
            .db()
            .files(view.record.id.as_str())
            .await?)
    }

    /// `GET /api/v1/files/{id}`: the file and its bytes, for whoever may read its record.
    pub async fn download(&self, caller: &Caller, id: &str) -> ServiceResult<(FileRow, Vec<u8>)> {
        let not_found = || ServiceError::NotFound(format!("file {id} not found"));
        let (f, object) = self
            .store
            .read()
            .await?
            .db()
            .file(id)
            .await?
            .ok_or_else(not_found)?;
        self.record(caller, &object, &f.record)
            .await
            .map_err(|_| not_found())?;
        let path = self.file_path(&f.sha256);
        let bytes = tokio::fs::read(&path)
            .await
            .map_err(|e| ServiceError::Internal(format!("file {id} is missing on disk: {e}")))?;
        Ok((f, bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_must_match_its_declared_type() {
        assert_eq!(
            checked_type("image/png", b"\x89PNG\r\n\x1a\nrest").unwrap(),
            "image/png"
        );
        assert!(checked_type("image/png", b"GIF89a").is_err());
        assert!(checked_type("application/x-msdownload", b"MZ").is_err());
        assert_eq!(
            checked_type("text/plain; charset=utf-8", b"hello").unwrap(),
            "text/plain"
        );
        assert!(checked_type("text/plain", &[0xff, 0xfe, 0x00]).is_err());
    }
}
