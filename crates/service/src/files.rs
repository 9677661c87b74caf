//! Files and photos on records (SPEC section 5): kept under their SHA-256 in a folder or object
//! storage (the store's `Blobs`; the same content is kept once), checked for size and typed by
//! their content — never by what the uploader claims — and named with the extension of that
//! type, so that a PNG sent as `poly.html` is kept and served as `poly.png`.

use portico_store::{AuditEntry, FileRow};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::{new_id, now_ms, Caller, Portico, ServiceError, ServiceResult};

/// A type Portico accepts.
struct Kind {
    mime: &'static str,
    /// Extensions a name of this type may end with; the first is given to names without one.
    extensions: &'static [&'static str],
    /// What the content must start with (on top of `infer` recognising it), where the type has
    /// a signature: `infer` calls any buffer with `WEBP` at offset 8 a WebP image, and a PDF
    /// anything with `%PDF` in its first kilobyte.
    signature: Option<fn(&[u8]) -> bool>,
}

/// The accepted types with a signature, then text (recognised by being UTF-8).
const KINDS: [Kind; 7] = [
    Kind {
        mime: "application/pdf",
        extensions: &["pdf"],
        signature: Some(|b| b.starts_with(b"%PDF-")),
    },
    Kind {
        mime: "image/png",
        extensions: &["png"],
        signature: Some(|b| b.starts_with(b"\x89PNG\r\n\x1a\n")),
    },
    Kind {
        mime: "image/jpeg",
        extensions: &["jpg", "jpeg"],
        signature: Some(|b| b.starts_with(b"\xff\xd8\xff")),
    },
    Kind {
        mime: "image/gif",
        extensions: &["gif"],
        signature: Some(|b| b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a")),
    },
    Kind {
        mime: "image/webp",
        extensions: &["webp"],
        signature: Some(|b| b.starts_with(b"RIFF") && b.get(8..12) == Some(b"WEBP")),
    },
    Kind {
        mime: "text/plain",
        extensions: &["txt"],
        signature: None,
    },
    Kind {
        mime: "text/csv",
        extensions: &["csv"],
        signature: None,
    },
];

fn accepted_list() -> String {
    KINDS.iter().map(|k| k.mime).collect::<Vec<_>>().join(", ")
}

fn extension(name: &str) -> Option<&str> {
    name.rsplit_once('.').map(|(_, ext)| ext)
}

/// The type of the content. Text is told apart from CSV by the declared type or the name,
/// the only thing the content cannot say.
fn detect(declared: &str, name: &str, bytes: &[u8]) -> ServiceResult<&'static Kind> {
    if let Some(found) = infer::get(bytes) {
        let kind = KINDS
            .iter()
            .find(|k| k.mime == found.mime_type())
            .ok_or_else(|| {
                ServiceError::InvalidData(
                    format!(
                        "the content is {}, which is not accepted; send {}",
                        found.mime_type(),
                        accepted_list()
                    )
                    .into(),
                )
                .because("refusal-file-type", &[("accepted", &accepted_list())])
            })?;
        return match kind.signature {
            Some(starts) if starts(bytes) => Ok(kind),
            _ => Err(ServiceError::InvalidData(
                format!("the content is not a valid {} file", kind.mime).into(),
            )
            .because("refusal-file-not-valid", &[("type", &kind.mime)])),
        };
    }
    let text = std::str::from_utf8(bytes).is_ok_and(|t| !t.contains('\0'));
    if !text {
        return Err(ServiceError::InvalidData(
            format!(
                "the content is of no type Portico accepts; send {}",
                accepted_list()
            )
            .into(),
        )
        .because("refusal-file-type", &[("accepted", &accepted_list())]));
    }
    let declared = declared.split(';').next().unwrap_or("").trim();
    let csv = declared.eq_ignore_ascii_case("text/csv")
        || extension(name).is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let mime = if csv { "text/csv" } else { "text/plain" };
    KINDS
        .iter()
        .find(|k| k.mime == mime)
        .ok_or_else(|| ServiceError::broken(format!("no accepted type {mime}")))
}

/// `name` with an extension of `kind`: kept when it has one (in any case), replaced or added
/// otherwise.
fn named_for(name: &str, kind: &Kind) -> String {
    let fits = |ext: &str| kind.extensions.iter().any(|e| e.eq_ignore_ascii_case(ext));
    match name.rsplit_once('.') {
        Some((_, ext)) if fits(ext) => name.to_string(),
        Some((stem, _)) if !stem.is_empty() => format!("{stem}.{}", kind.extensions[0]),
        _ => format!("{name}.{}", kind.extensions[0]),
    }
}

/// How a stored file is served: its stored type and a name that fits it while the content
/// still is of that type (files kept before types came from the content may not be), else
/// as opaque bytes.
fn served(mut f: FileRow, bytes: &[u8]) -> FileRow {
    match detect(&f.content_type, &f.name, bytes) {
        Ok(kind) if kind.mime == f.content_type => f.name = named_for(&f.name, kind),
        _ => {
            f.content_type = "application/octet-stream".into();
            let stem = f.name.rsplit_once('.').map_or(f.name.as_str(), |(s, _)| s);
            f.name = format!("{stem}.bin");
        }
    }
    f
}

impl Portico {
    /// `POST /api/v1/vobjects/{object}/{id}/files`: whoever may read the record may add files
    /// (an external collaborator while the record is not closed).
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id, object = object, id = id, bytes = bytes.len()))]
    pub async fn upload_file(
        &self,
        caller: &Caller,
        object: &str,
        id: &str,
        name: &str,
        declared_type: &str,
        bytes: &[u8],
    ) -> ServiceResult<FileRow> {
        // Refused callers are refused before their bytes are kept; the decision itself is
        // taken again inside the write transaction.
        let view = self.record(caller, object, id).await?;
        self.require_open_for(caller, &view.record)?;
        let name = name
            .trim()
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or("")
            .to_string();
        if name.is_empty() || name.chars().count() > 255 {
            return Err(ServiceError::InvalidData(
                "a file needs a name of at most 255 characters".into(),
            )
            .because("refusal-file-name", &[("max", &255)]));
        }
        if bytes.is_empty() {
            return Err(ServiceError::InvalidData("the file is empty".into())
                .because("refusal-file-empty", &[]));
        }
        if bytes.len() > self.settings.max_file_bytes {
            return Err(ServiceError::InvalidData(
                format!(
                    "the file is larger than {} MB",
                    self.settings.max_file_bytes / 1_000_000
                )
                .into(),
            )
            .because(
                "refusal-file-too-large",
                &[("megabytes", &(self.settings.max_file_bytes / 1_000_000))],
            ));
        }
        let kind = detect(declared_type, &name, bytes)?;
        let name = named_for(&name, kind);
        let sha = hex::encode(Sha256::digest(bytes));
        // Kept before the row that names it: a row never points at nothing. (A refusal
        // inside the transaction leaves an unnamed content behind, kept once like any other.)
        self.settings.files.put(&sha, bytes.to_vec()).await?;
        let mut tx = self.write_as(caller).await?;
        let mut db = tx.db();
        let record = self.record_to_add_to(&mut db, caller, object, id).await?;
        let f = FileRow {
            id: new_id("fil"),
            record: record.id.to_string(),
            uploader: caller.user.id.to_string(),
            name,
            content_type: kind.mime.to_string(),
            size: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
            sha256: sha,
            created_at: now_ms(),
        };
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
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id, object = object, id = id))]
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

    /// `GET /api/v1/files/{id}`: the file and its bytes, for whoever may read its record; the
    /// name and type it is served with follow its content.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id, id = id))]
    pub async fn download(&self, caller: &Caller, id: &str) -> ServiceResult<(FileRow, Vec<u8>)> {
        let not_found = || ServiceError::NotFound(format!("file {id} not found").into());
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
        let bytes = self.settings.files.get(&f.sha256).await?.ok_or_else(|| {
            ServiceError::broken(format!(
                "file {id} ({}) is missing from the file storage {}",
                f.sha256,
                self.settings.files.url()
            ))
        })?;
        Ok((served(f, &bytes), bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mime(declared: &str, name: &str, bytes: &[u8]) -> Result<&'static str, String> {
        detect(declared, name, bytes)
            .map(|k| k.mime)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn the_type_comes_from_the_content() {
        let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR";
        assert_eq!(mime("text/html", "poly.html", png), Ok("image/png"));
        assert_eq!(
            mime(
                "image/webp",
                "a.webp",
                b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00"
            ),
            Ok("image/webp")
        );
        let avi = b"RIFF\x1a\x00\x00\x00AVI LIST\x0d\x00\x00\x00";
        assert!(mime("image/webp", "a.webp", avi).is_err());
        // What `infer` alone would take for WebP and PDF.
        assert!(mime(
            "image/webp",
            "a.webp",
            b"\x00\x00\x00\x00\x00\x00\x00\x00WEBPVP8 "
        )
        .is_err());
        assert!(mime("application/pdf", "a.pdf", b"<html>%PDF-1.7</html>").is_err());
        assert_eq!(mime("text/plain", "a.txt", b"hello"), Ok("text/plain"));
        assert_eq!(
            mime("application/octet-stream", "a.CSV", b"a,b"),
            Ok("text/csv")
        );
        assert!(mime("text/plain", "a.txt", &[0xff, 0xfe, 0x00]).is_err());
        assert!(mime("text/plain", "a.txt", b"a\0b").is_err());
        assert!(mime("text/html", "a.html", b"<!DOCTYPE html><html></html>").is_err());
    }

    #[test]
    fn names_take_the_extension_of_their_type() {
        let png = &KINDS[1];
        let jpeg = &KINDS[2];
        assert_eq!(named_for("poly.html", png), "poly.png");
        assert_eq!(named_for("photo", png), "photo.png");
        assert_eq!(named_for("Photo.PNG", png), "Photo.PNG");
        assert_eq!(named_for("scan.jpeg", jpeg), "scan.jpeg");
        assert_eq!(named_for(".html", png), ".html.png");
        assert_eq!(named_for("a.b.exe", jpeg), "a.b.jpg");
    }

    #[test]
    fn stored_files_are_served_as_what_they_are() {
        let row = |name: &str, content_type: &str| FileRow {
            id: "fil".into(),
            record: "rec".into(),
            uploader: "usr".into(),
            name: name.into(),
            content_type: content_type.into(),
            size: 0,
            sha256: String::new(),
            created_at: 0,
        };
        let png = b"\x89PNG\r\n\x1a\n\x00";
        let f = served(row("poly.html", "image/png"), png);
        assert_eq!(
            (f.name.as_str(), f.content_type.as_str()),
            ("poly.png", "image/png")
        );
        let f = served(
            row("clip.webp", "image/webp"),
            b"RIFF\x00\x00\x00\x00AVI LIST",
        );
        assert_eq!(
            (f.name.as_str(), f.content_type.as_str()),
            ("clip.bin", "application/octet-stream")
        );
    }
}
