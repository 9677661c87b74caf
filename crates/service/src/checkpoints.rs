//! Signed checkpoints of the audit chain (SPEC section 11, "Audit checkpoints").
//!
//! The hash chain shows an edit only to someone who cannot recompute it: a writer of the
//! database can change an entry and recompute every hash after it and the head, and the chain
//! verifies. A checkpoint signs the head at a place with an Ed25519 key kept in a file outside
//! the database; a copy kept elsewhere (emailed, written to a folder) then catches any rewrite
//! of an entry at or before it. Each checkpoint also keeps the hashes of the entries since the
//! one before (their SHA-256 is signed with it), so that a check names the entry rewritten.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use portico_store::{ChainHead, ChainReport, CheckpointRow, QueuedEmail};
use rand::rngs::OsRng;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::{new_id, now_ms, Caller, Page, Portico, ServiceError, ServiceResult};

/// The key that signs checkpoints: an Ed25519 private key in a PKCS#8 PEM file.
pub struct AuditKey {
    signing: SigningKey,
    key_id: String,
}

impl std::fmt::Debug for AuditKey {
    // Never the private key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AuditKey({})", self.key_id)
    }
}

impl AuditKey {
    /// Reads the key file, or creates it (readable by its owner only) when it does not exist.
    pub fn open_or_create(path: &Path) -> Result<AuditKey, String> {
        if path.exists() {
            return Self::open(path);
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create the folder {}: {e}", dir.display()))?;
        }
        let mut seed = [0u8; 32];
        OsRng.fill_bytes(&mut seed);
        let signing = SigningKey::from_bytes(&seed);
        let pem = signing
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| format!("cannot encode the audit key: {e}"))?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options
            .open(path)
            .map_err(|e| format!("cannot create the audit key {}: {e}", path.display()))?;
        std::io::Write::write_all(&mut file, pem.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| format!("cannot write the audit key {}: {e}", path.display()))?;
        Ok(Self::from_signing(signing))
    }

    /// Reads the key file; refuses one that others than its owner may read.
    pub fn open(path: &Path) -> Result<AuditKey, String> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path)
                .map_err(|e| format!("cannot read the audit key {}: {e}", path.display()))?
                .permissions()
                .mode();
            if mode & 0o077 != 0 {
                return Err(format!(
                    "the audit key {} may be read by others (mode {:o}); it signs the audit checkpoints: chmod 600 {}",
                    path.display(),
                    mode & 0o777,
                    path.display()
                ));
            }
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the audit key {}: {e}", path.display()))?;
        let signing = SigningKey::from_pkcs8_pem(&text).map_err(|e| {
            format!(
                "the audit key {} is not an Ed25519 private key in PKCS#8 PEM: {e}",
                path.display()
            )
        })?;
        Ok(Self::from_signing(signing))
    }

    fn from_signing(signing: SigningKey) -> AuditKey {
        let key_id = key_id(&signing.verifying_key());
        AuditKey { signing, key_id }
    }

    /// The key's id: the first 16 hex digits of the SHA-256 of its public key.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// Its public key.
    pub fn public_key(&self) -> PublicKey {
        PublicKey {
            key: self.signing.verifying_key(),
            key_id: self.key_id.clone(),
        }
    }
}

fn key_id(key: &VerifyingKey) -> String {
    hex::encode(Sha256::digest(key.to_bytes()))[..16].to_string()
}

/// The public key that checks checkpoints.
#[derive(Debug, Clone)]
pub struct PublicKey {
    key: VerifyingKey,
    key_id: String,
}

impl PublicKey {
    /// From its PEM text (`-----BEGIN PUBLIC KEY-----`, as `GET /api/v1/audit/public-key`
    /// gives it).
    pub fn from_pem(text: &str) -> Result<PublicKey, String> {
        let key = VerifyingKey::from_public_key_pem(text.trim())
            .map_err(|e| format!("not an Ed25519 public key in PEM: {e}"))?;
        Ok(PublicKey {
            key_id: key_id(&key),
            key,
        })
    }

    /// The PEM text.
    pub fn pem(&self) -> String {
        self.key
            .to_public_key_pem(LineEnding::LF)
            .unwrap_or_default()
    }

    /// Its id.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// Whether `c` was signed by this key, as it is.
    pub fn verify(&self, c: &Checkpoint) -> Result<(), String> {
        if c.key_id != self.key_id {
            return Err(format!(
                "checkpoint {} was signed by key {}, not by this key ({})",
                c.seq, c.key_id, self.key_id
            ));
        }
        let bad = || {
            format!(
                "the signature of checkpoint {} does not verify: the checkpoint is forged or was changed",
                c.seq
            )
        };
        let bytes: [u8; 64] = hex::decode(&c.signature)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(bad)?;
        self.key
            .verify_strict(&c.message(), &Signature::from_bytes(&bytes))
            .map_err(|_| bad())
    }
}

/// A signed checkpoint: JSON `seq`, `head`, `at`, `key_id`, `signature` (and `previous`,
/// `entries_sha256`, signed with them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The place in the chain it covers up to.
    pub seq: i64,
    /// The chain's hash at `seq`.
    pub head: String,
    /// When it was made (RFC 3339).
    pub at: String,
    /// The key that signed it.
    pub key_id: String,
    /// The place of the checkpoint before it (0: none).
    pub previous: i64,
    /// SHA-256 over the hashes of the entries `previous + 1 ..= seq` (comma-separated).
    pub entries_sha256: String,
    /// Ed25519 over [`Checkpoint::message`] (hex).
    pub signature: String,
}

impl Checkpoint {
    /// What is signed: every field but the signature, one a line.
    fn message(&self) -> Vec<u8> {
        format!(
            "portico audit checkpoint v1\nseq {}\nhead {}\nat {}\nkey_id {}\nprevious {}\nentries_sha256 {}\n",
            self.seq, self.head, self.at, self.key_id, self.previous, self.entries_sha256
        )
        .into_bytes()
    }

    /// As JSON.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "seq": self.seq,
            "head": self.head,
            "at": self.at,
            "key_id": self.key_id,
            "signature": self.signature,
            "previous": self.previous,
            "entries_sha256": self.entries_sha256,
        })
    }

    /// From its JSON (a file kept elsewhere, an email).
    pub fn from_json(text: &str) -> Result<Checkpoint, String> {
        let v: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("not a checkpoint (JSON): {e}"))?;
        let int = |k: &str| {
            v[k].as_i64()
                .ok_or_else(|| format!("the checkpoint has no whole number '{k}'"))
        };
        let text = |k: &str| {
            v[k].as_str()
                .map(str::to_string)
                .ok_or_else(|| format!("the checkpoint has no text '{k}'"))
        };
        Ok(Checkpoint {
            seq: int("seq")?,
            head: text("head")?,
            at: text("at")?,
            key_id: text("key_id")?,
            previous: int("previous")?,
            entries_sha256: text("entries_sha256")?,
            signature: text("signature")?,
        })
    }
}

impl From<&CheckpointRow> for Checkpoint {
    fn from(r: &CheckpointRow) -> Self {
        Checkpoint {
            seq: r.seq,
            head: r.head.clone(),
            at: r.at.clone(),
            key_id: r.key_id.clone(),
            previous: r.previous,
            entries_sha256: r.entries_sha256.clone(),
            signature: r.signature.clone(),
        }
    }
}

fn entries_sha256(hashes: &[String]) -> String {
    hex::encode(Sha256::digest(hashes.join(",").as_bytes()))
}

/// Where checkpoints come from and go.
#[derive(Debug, Clone, Default)]
pub struct CheckpointSettings {
    /// The signing key (`PORTICO_AUDIT_KEY`); without it no checkpoint is made.
    pub key: Option<Arc<AuditKey>>,
    /// Minutes between scheduled checkpoints (`PORTICO_AUDIT_CHECKPOINT_MINUTES`).
    pub every_minutes: i64,
    /// Each new checkpoint is emailed here (`PORTICO_AUDIT_CHECKPOINT_EMAIL`).
    pub email: Option<String>,
    /// Each new checkpoint is written to this folder (`PORTICO_AUDIT_CHECKPOINT_DIR`).
    pub dir: Option<PathBuf>,
}

/// The result of checking the chain against a checkpoint.
#[derive(Debug, Clone)]
pub struct CheckpointCheck {
    /// The chain's check.
    pub report: ChainReport,
    /// Checkpoints in the database whose hashes were used to name an entry.
    pub anchors_used: usize,
    /// Checkpoints in the database that did not verify (changed, or another key's).
    pub anchors_refused: Vec<String>,
}

impl Portico {
    /// `portico audit checkpoint`: a new signed checkpoint of the chain as sealed now (or the
    /// latest, when nothing was sealed since), kept, emailed and written out as configured.
    #[tracing::instrument(skip_all)]
    pub async fn make_checkpoint(&self) -> ServiceResult<Checkpoint> {
        self.checkpoint(false).await?.ok_or_else(|| {
            ServiceError::OperationNotAllowed(
                "the audit trail is empty: there is nothing to checkpoint".into(),
            )
        })
    }

    /// The scheduled checkpoint, when it is due and this server claims it (one server of all
    /// makes each) and the chain has grown since the last one.
    pub async fn scheduled_checkpoint(&self) -> ServiceResult<Option<Checkpoint>> {
        self.checkpoint(true).await
    }

    async fn checkpoint(&self, scheduled: bool) -> ServiceResult<Option<Checkpoint>> {
        let settings = &self.settings.checkpoints;
        let key = settings.key.clone().ok_or_else(|| {
            ServiceError::OperationNotAllowed("no audit key is configured".into())
        })?;
        // What has committed is covered too.
        self.seal_audit().await?;
        let now = now_ms();
        let next_at = now + settings.every_minutes.max(1) * 60_000;
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        if scheduled {
            if !db.claim_audit_checkpoint(now, next_at).await? {
                return Ok(None);
            }
        } else {
            db.lock_audit_checkpoints(next_at).await?;
        }
        let head = db.audit_head().await?;
        let last = db.last_checkpoint().await?;
        let previous = last.as_ref().map_or(0, |l| l.seq);
        if head.seq == 0 || head.seq == previous {
            tx.commit().await?;
            return Ok(if scheduled {
                None
            } else {
                last.as_ref().map(Checkpoint::from)
            });
        }
        let hashes = db.audit_hashes_between(previous, head.seq).await?;
        if i64::try_from(hashes.len()).ok() != Some(head.seq - previous)
            || hashes.last() != Some(&head.hash)
        {
            return Err(ServiceError::broken(format!(
                "the sealed entries {}..={} do not end at the chain's head",
                previous + 1,
                head.seq
            )));
        }
        let at = chrono::DateTime::<chrono::Utc>::from_timestamp_millis(now)
            .unwrap_or_default()
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let mut checkpoint = Checkpoint {
            seq: head.seq,
            head: head.hash.clone(),
            at: at.clone(),
            key_id: key.key_id().to_string(),
            previous,
            entries_sha256: entries_sha256(&hashes),
            signature: String::new(),
        };
        checkpoint.signature = hex::encode(key.signing.sign(&checkpoint.message()).to_bytes());
        db.insert_checkpoint(&CheckpointRow {
            seq: checkpoint.seq,
            previous,
            head: checkpoint.head.clone(),
            at,
            at_ms: now,
            key_id: checkpoint.key_id.clone(),
            entries_sha256: checkpoint.entries_sha256.clone(),
            hashes,
            signature: checkpoint.signature.clone(),
        })
        .await?;
        let json = serde_json::to_string_pretty(&checkpoint.to_json()).unwrap_or_default();
        if let Some(to) = &settings.email {
            // In the transaction of the checkpoint, like every email: it leaves once it is kept.
            db.queue_email(&checkpoint_email(to, &checkpoint, &json), now)
                .await?;
        }
        tx.commit().await?;
        if let Some(dir) = &settings.dir {
            write_checkpoint_file(dir, &checkpoint, &json)?;
        }
        tracing::info!(seq = checkpoint.seq, key_id = %checkpoint.key_id, "audit checkpoint made");
        Ok(Some(checkpoint))
    }

    /// `GET /api/v1/audit/checkpoints` (admins): the checkpoints, newest first.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id))]
    pub async fn checkpoints(&self, caller: &Caller, page: Page) -> ServiceResult<Vec<Checkpoint>> {
        caller.require_admin()?;
        let rows = self
            .store
            .read()
            .await?
            .db()
            .checkpoints(page.limit, page.offset)
            .await?;
        Ok(rows.iter().map(Checkpoint::from).collect())
    }

    /// `GET /api/v1/audit/public-key` (internal users): the key that checks checkpoints.
    pub fn audit_public_key(&self, caller: &Caller) -> ServiceResult<PublicKey> {
        caller.require_internal()?;
        self.settings
            .checkpoints
            .key
            .as_ref()
            .map(|k| k.public_key())
            .ok_or_else(|| ServiceError::NotFound("no audit key is configured".into()))
    }

    /// `portico audit verify --checkpoint FILE`: checks the chain and holds it to `checkpoint`,
    /// kept elsewhere and signed by `key`. A checkpoint whose signature does not verify is
    /// refused. Checkpoints in the database that verify lend their hashes, so that the first
    /// entry that no longer matches is named.
    #[tracing::instrument(skip_all, fields(seq = checkpoint.seq))]
    pub async fn verify_audit_against(
        &self,
        checkpoint: &Checkpoint,
        key: &PublicKey,
    ) -> ServiceResult<CheckpointCheck> {
        key.verify(checkpoint)
            .map_err(|e| ServiceError::InvalidData(e.into()))?;
        self.seal_audit().await?;
        let mut reader = self.store.read().await?;
        let mut db = reader.db();
        let mut anchors = BTreeMap::new();
        let mut used = 0;
        let mut refused = vec![];
        for row in db.checkpoints_upto(checkpoint.seq).await? {
            let stored = Checkpoint::from(&row);
            let holds = key.verify(&stored).and_then(|()| {
                let complete = i64::try_from(row.hashes.len()).ok() == Some(row.seq - row.previous)
                    && row.hashes.last() == Some(&row.head);
                (complete && entries_sha256(&row.hashes) == row.entries_sha256)
                    .then_some(())
                    .ok_or_else(|| {
                        format!(
                            "the entry hashes kept with checkpoint {} were changed",
                            row.seq
                        )
                    })
            });
            match holds {
                Ok(()) => {
                    used += 1;
                    for (place, hash) in (row.previous + 1..).zip(row.hashes) {
                        anchors.insert(place, hash);
                    }
                }
                Err(why) => refused.push(why),
            }
        }
        let reach = ChainHead {
            seq: checkpoint.seq,
            hash: checkpoint.head.clone(),
        };
        let report = db
            .verify_audit_chain_against(&anchors, Some(&reach))
            .await?;
        Ok(CheckpointCheck {
            report,
            anchors_used: used,
            anchors_refused: refused,
        })
    }
}

fn checkpoint_email(to: &str, c: &Checkpoint, json: &str) -> QueuedEmail {
    let body = format!(
        "Portico made a signed checkpoint of its audit trail: entry {seq}, at {at}.\n\n\
         Keep this email where the database's administrators cannot change it. To check the \
         audit trail against it, save the JSON below as checkpoint.json and run\n\n    \
         portico audit verify --checkpoint checkpoint.json\n\n{json}\n",
        seq = c.seq,
        at = c.at
    );
    QueuedEmail {
        id: new_id("eml"),
        to: to.to_string(),
        user_id: None,
        record_id: None,
        template: "audit_checkpoint".into(),
        subject: format!("Portico audit checkpoint {} ({})", c.seq, c.at),
        body,
        html: None,
        secrets: vec![],
    }
}

/// Writes `json` to `dir/audit-checkpoint-<seq>.json` (never over an existing file).
fn write_checkpoint_file(dir: &Path, c: &Checkpoint, json: &str) -> ServiceResult<()> {
    let path = dir.join(format!("audit-checkpoint-{:012}.json", c.seq));
    let written = std::fs::create_dir_all(dir).and_then(|()| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)?;
        std::io::Write::write_all(&mut file, json.as_bytes())?;
        file.sync_all()
    });
    written.map_err(|e| ServiceError::internal(format!("writing {}", path.display()), e))
}
