//! Notification templates an administrator changed.

use crate::rows;
use crate::{Db, Result};

/// A stored template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateRow {
    /// `ext_collab_welcome_scar__v`, …
    pub name: String,
    /// The language of the text: `en`, `de`, … (SPEC section 11).
    pub language: String,
    /// Subject.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
    /// HTML body, if given.
    pub html: Option<String>,
    /// Last change.
    pub updated_at: i64,
    /// By whom.
    pub updated_by: String,
}

impl Db<'_> {
    /// All changed templates.
    pub async fn template_overrides(&mut self) -> Result<Vec<TemplateRow>> {
        let rows = sqlx::query("SELECT name, language, subject, body, html, updated_at, updated_by FROM notification_templates ORDER BY name, language")
            .fetch_all(&mut *self.conn)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(TemplateRow {
                    name: rows::get(r, "name")?,
                    language: rows::get(r, "language")?,
                    subject: rows::get(r, "subject")?,
                    body: rows::get(r, "body")?,
                    html: rows::get(r, "html")?,
                    updated_at: rows::get(r, "updated_at")?,
                    updated_by: rows::get(r, "updated_by")?,
                })
            })
            .collect()
    }

    /// Stores a changed template in its language; the other languages' texts stay.
    pub async fn put_template(&mut self, t: &TemplateRow) -> Result<()> {
        sqlx::query(
            "INSERT INTO notification_templates (name, language, subject, body, html, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (name, language) DO UPDATE SET subject = excluded.subject, body = excluded.body, html = excluded.html, \
             updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        )
        .bind(&t.name)
        .bind(&t.language)
        .bind(&t.subject)
        .bind(&t.body)
        .bind(t.html.as_deref())
        .bind(t.updated_at)
        .bind(&t.updated_by)
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }

    /// Forgets a change in one language: the shipped text applies again.
    pub async fn delete_template(&mut self, name: &str, language: &str) -> Result<bool> {
        let done =
            sqlx::query("DELETE FROM notification_templates WHERE name = $1 AND language = $2")
                .bind(name)
                .bind(language)
                .execute(&mut *self.conn)
                .await?;
        Ok(done.rows_affected() == 1)
    }
}
