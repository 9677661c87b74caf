//! Uploaded files, by their SHA-256, in a folder or in S3-compatible object storage
//! (`PORTICO_STORAGE_URL`, SPEC section 11) through the `object_store` crate: every server of a
//! company reads the files every other wrote.

use std::sync::Arc;

use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::ObjectStore;

use crate::{Result, StoreError};

/// Where files are kept.
#[derive(Clone)]
pub struct Blobs {
    store: Arc<dyn ObjectStore>,
    prefix: Option<Path>,
    /// The URL, for messages (it holds no credentials: those come from the environment).
    url: Arc<str>,
}

impl std::fmt::Debug for Blobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Blobs({})", self.url)
    }
}

impl Blobs {
    /// Opens `file:///absolute/folder` (created if missing) or `s3://bucket[/prefix]` (with
    /// `AWS_ENDPOINT_URL`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION` and
    /// `AWS_ALLOW_HTTP` from the environment). Anything else is refused with what works.
    pub fn open(url: &str) -> Result<Blobs> {
        let refuse = |why: String| {
            StoreError::Config(format!(
                "PORTICO_STORAGE_URL '{url}': {why}; use file:///absolute/folder or s3://bucket[/prefix]"
            ))
        };
        if let Some(folder) = url.strip_prefix("file://") {
            if !folder.starts_with('/') {
                return Err(refuse("the folder must be an absolute path".into()));
            }
            std::fs::create_dir_all(folder)
                .map_err(|e| refuse(format!("cannot create the folder: {e}")))?;
            let local = LocalFileSystem::new_with_prefix(folder)
                .map_err(|e| refuse(format!("cannot open the folder: {e}")))?;
            return Ok(Blobs {
                store: Arc::new(local),
                prefix: None,
                url: Arc::from(url),
            });
        }
        if let Some(rest) = url.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() {
                return Err(refuse("the bucket is missing".into()));
            }
            let s3 = AmazonS3Builder::from_env()
                .with_bucket_name(bucket)
                .build()
                .map_err(|e| refuse(e.to_string()))?;
            let prefix = prefix.trim_matches('/');
            return Ok(Blobs {
                store: Arc::new(s3),
                prefix: (!prefix.is_empty()).then(|| Path::from(prefix)),
                url: Arc::from(url),
            });
        }
        Err(refuse("unsupported scheme".into()))
    }

    /// Kept in this process's memory only: for tools and tests that keep no files.
    pub fn memory() -> Blobs {
        Blobs {
            store: Arc::new(object_store::memory::InMemory::new()),
            prefix: None,
            url: Arc::from("memory:"),
        }
    }

    /// A folder on this machine (tests, tools).
    pub fn folder(folder: &std::path::Path) -> Result<Blobs> {
        let absolute = std::path::absolute(folder)
            .map_err(|e| StoreError::Config(format!("the folder {}: {e}", folder.display())))?;
        Blobs::open(&format!("file://{}", absolute.display()))
    }

    /// Where files are kept, for messages.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The key of a content: `ab/abcdef…` (the layout of the folder before object storage,
    /// so files kept then are still found).
    fn key(&self, sha256: &str) -> Path {
        let shard = sha256.get(..2).unwrap_or(sha256);
        self.prefix
            .clone()
            .unwrap_or_default()
            .child(shard)
            .child(sha256)
    }

    /// Keeps `bytes` under their SHA-256 unless they are already there (the same content is
    /// kept once). Writes are whole or not at all, in a folder and in object storage alike.
    pub async fn put(&self, sha256: &str, bytes: Vec<u8>) -> Result<()> {
        let key = self.key(sha256);
        match self.store.head(&key).await {
            Ok(_) => return Ok(()),
            Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => return Err(e.into()),
        }
        self.store.put(&key, bytes.into()).await?;
        Ok(())
    }

    /// The content with this SHA-256; `None` when nothing is kept under it.
    pub async fn get(&self, sha256: &str) -> Result<Option<Vec<u8>>> {
        match self.store.get(&self.key(sha256)).await {
            Ok(found) => Ok(Some(found.bytes().await?.to_vec())),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Removes a content (tests that play a lost object).
    pub async fn delete(&self, sha256: &str) -> Result<()> {
        self.store.delete(&self.key(sha256)).await?;
        Ok(())
    }
}
