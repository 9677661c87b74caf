//! Electronic signatures (SPEC section 11): appended with the change they sign, never changed
//! (the schema's triggers refuse UPDATE and DELETE).

use portico_domain::{RecordId, TaskId, UserId};
use sqlx::any::AnyRow;

use crate::batch::V;
use crate::rows;
use crate::{Db, Result};

/// A signature as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureRow {
    /// Its id.
    pub id: String,
    /// The record signed.
    pub record: RecordId,
    /// The record's object, e.g. `car__v`.
    pub object: String,
    /// The signer.
    pub signer: UserId,
    /// The signer's name as printed with the signature (first and last name when signed).
    pub printed_name: String,
    /// What the signature means, e.g. `Approved`.
    pub meaning: String,
    /// When, RFC 3339 with its offset.
    pub signed_at: String,
    /// What was signed: a lifecycle action, or a task's completion.
    pub signed: Signed,
    /// SHA-256 (hex) of the record as signed.
    pub record_hash: String,
}

/// What a signature is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signed {
    /// A lifecycle action, by name.
    Action(String),
    /// A task's completion.
    Task(TaskId),
}

const SIGNATURE_COLS: [&str; 10] = [
    "id",
    "record_id",
    "object",
    "signer_id",
    "printed_name",
    "meaning",
    "signed_at",
    "action",
    "task_id",
    "record_hash",
];

fn signature(r: &AnyRow) -> Result<SignatureRow> {
    let action: Option<String> = rows::get(r, "action")?;
    let task: Option<String> = rows::get(r, "task_id")?;
    let signed = match (action, task) {
        (Some(a), _) => Signed::Action(a),
        (None, Some(t)) => Signed::Task(TaskId::new(t)),
        (None, None) => {
            return Err(crate::StoreError::Corrupt(
                "a signature names neither an action nor a task".into(),
            ))
        }
    };
    Ok(SignatureRow {
        id: rows::get(r, "id")?,
        record: RecordId::new(rows::get::<String>(r, "record_id")?),
        object: rows::get(r, "object")?,
        signer: UserId::new(rows::get::<String>(r, "signer_id")?),
        printed_name: rows::get(r, "printed_name")?,
        meaning: rows::get(r, "meaning")?,
        signed_at: rows::get(r, "signed_at")?,
        signed,
        record_hash: rows::get(r, "record_hash")?,
    })
}

impl Db<'_> {
    /// Appends signatures, in one statement.
    pub async fn insert_signatures(&mut self, signatures: &[SignatureRow]) -> Result<()> {
        if signatures.is_empty() {
            return Ok(());
        }
        let rows = signatures
            .iter()
            .map(|s| {
                let (action, task) = match &s.signed {
                    Signed::Action(a) => (Some(a.as_str()), None),
                    Signed::Task(t) => (None, Some(t.as_str())),
                };
                vec![
                    V::t(s.id.as_str()),
                    V::t(s.record.as_str()),
                    V::t(s.object.as_str()),
                    V::t(s.signer.as_str()),
                    V::t(s.printed_name.as_str()),
                    V::t(s.meaning.as_str()),
                    V::t(s.signed_at.as_str()),
                    V::opt(action),
                    V::opt(task),
                    V::t(s.record_hash.as_str()),
                ]
            })
            .collect();
        self.insert_rows("signatures", &SIGNATURE_COLS, rows).await
    }

    /// The signatures of a record, oldest first.
    pub async fn signatures(&mut self, record: &RecordId) -> Result<Vec<SignatureRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {} FROM signatures WHERE record_id = $1 ORDER BY signed_at, id",
            SIGNATURE_COLS.join(", ")
        ))
        .bind(record.as_str())
        .fetch_all(&mut *self.conn)
        .await?;
        rows.iter().map(signature).collect()
    }
}
