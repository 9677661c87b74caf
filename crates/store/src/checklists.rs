//! Checklists and their items.

use portico_domain::checklist::{Checklist, Item};
use portico_domain::{ChecklistId, PersonId, RecordId, UserId};
use sqlx::any::AnyRow;

use crate::rows;
use crate::{Db, Result};

/// A checklist with the times around it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChecklistRow {
    /// The checklist.
    pub checklist: Checklist,
    /// Creation time.
    pub created_at: i64,
    /// Completion time.
    pub completed_at: Option<i64>,
}

fn head(r: &AnyRow) -> Result<ChecklistRow> {
    Ok(ChecklistRow {
        checklist: Checklist {
            id: ChecklistId::new(rows::get::<String>(r, "id")?),
            record: RecordId::new(rows::get::<String>(r, "record_id")?),
            name: rows::get(r, "name")?,
            assignee: rows::get::<Option<String>>(r, "assignee_person_id")?.map(PersonId::new),
            completed: rows::get::<String>(r, "status")? == "completed",
            items: vec![],
        },
        created_at: rows::get(r, "created_at")?,
        completed_at: rows::get(r, "completed_at")?,
    })
}

const COLS: &str = "id, record_id, name, assignee_person_id, status, created_at, completed_at";

impl Db<'_> {
    /// Inserts a checklist with its items.
    pub async fn insert_checklist(&mut self, c: &Checklist, by: &UserId, now: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO checklists (id, record_id, name, assignee_person_id, status, created_at, created_by) \
             VALUES ($1, $2, $3, $4, 'open', $5, $6)",
        )
        .bind(c.id.as_str())
        .bind(c.record.as_str())
        .bind(&c.name)
        .bind(c.assignee.as_ref().map(PersonId::as_str))
        .bind(now)
        .bind(by.as_str())
        .execute(&mut *self.conn)
        .await?;
        for (i, item) in c.items.iter().enumerate() {
            sqlx::query("INSERT INTO checklist_items (checklist_id, position, question, answer) VALUES ($1, $2, $3, $4)")
                .bind(c.id.as_str())
                .bind(i64::try_from(i).unwrap_or(i64::MAX))
                .bind(&item.question)
                .bind(item.answer.as_deref())
                .execute(&mut *self.conn)
                .await?;
        }
        Ok(())
    }

    async fn items(&mut self, id: &ChecklistId) -> Result<Vec<Item>> {
        let rows = sqlx::query("SELECT question, answer FROM checklist_items WHERE checklist_id = $1 ORDER BY position")
            .bind(id.as_str())
            .fetch_all(&mut *self.conn)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Item {
                    question: rows::get(r, "question")?,
                    answer: rows::get(r, "answer")?,
                })
            })
            .collect()
    }

    /// A checklist with its items; `lock` takes its row lock.
    pub async fn checklist(
        &mut self,
        id: &ChecklistId,
        lock: bool,
    ) -> Result<Option<ChecklistRow>> {
        let sql = format!(
            "SELECT {COLS} FROM checklists WHERE id = $1{}",
            if lock { self.backend.for_update() } else { "" }
        );
        let row = sqlx::query(&sql)
            .bind(id.as_str())
            .fetch_optional(&mut *self.conn)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let mut c = head(&row)?;
        c.checklist.items = self.items(id).await?;
        Ok(Some(c))
    }

    /// Checklists of a record, optionally only those of one person, oldest first.
    pub async fn checklists_of(
        &mut self,
        record: &RecordId,
        assignee: Option<&PersonId>,
    ) -> Result<Vec<ChecklistRow>> {
        let sql = format!(
            "SELECT {COLS} FROM checklists WHERE record_id = $1{} ORDER BY created_at, id",
            if assignee.is_some() {
                " AND assignee_person_id = $2"
            } else {
                ""
            }
        );
        let mut q = sqlx::query(&sql).bind(record.as_str());
        if let Some(p) = assignee {
            q = q.bind(p.as_str());
        }
        let heads = q.fetch_all(&mut *self.conn).await?;
        let mut out = Vec::with_capacity(heads.len());
        for h in &heads {
            let mut c = head(h)?;
            c.checklist.items = self.items(&c.checklist.id).await?;
            out.push(c);
        }
        Ok(out)
    }

    /// Writes a checklist's answers and status.
    pub async fn save_checklist(&mut self, c: &Checklist, by: &UserId, now: i64) -> Result<()> {
        for (i, item) in c.items.iter().enumerate() {
            sqlx::query(
                "UPDATE checklist_items SET answer = $1 WHERE checklist_id = $2 AND position = $3",
            )
            .bind(item.answer.as_deref())
            .bind(c.id.as_str())
            .bind(i64::try_from(i).unwrap_or(i64::MAX))
            .execute(&mut *self.conn)
            .await?;
        }
        if c.completed {
            sqlx::query(
                "UPDATE checklists SET status = 'completed', completed_at = $1, completed_by = $2 WHERE id = $3 AND status = 'open'",
            )
            .bind(now)
            .bind(by.as_str())
            .bind(c.id.as_str())
            .execute(&mut *self.conn)
            .await?;
        }
        Ok(())
    }

    /// Gives an open checklist to another person (or to nobody).
    pub async fn reassign_checklist(
        &mut self,
        id: &ChecklistId,
        to: Option<&PersonId>,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE checklists SET assignee_person_id = $1 WHERE id = $2 AND status = 'open'",
        )
        .bind(to.map(PersonId::as_str))
        .bind(id.as_str())
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }
}
