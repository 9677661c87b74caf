//! Comments and tickets.

use sqlx::any::AnyRow;

use crate::rows;
use crate::{Db, Result};

/// A comment on a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentRow {
    /// Its id.
    pub id: String,
    /// The record.
    pub record: String,
    /// Who wrote it.
    pub author: String,
    /// The author's name, for display.
    pub author_name: String,
    /// The text.
    pub body: String,
    /// When.
    pub created_at: i64,
}

/// A support or service request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketRow {
    /// Its id.
    pub id: String,
    /// Who asked.
    pub author: String,
    /// `support` or `service`.
    pub kind: String,
    /// Subject.
    pub subject: String,
    /// The request.
    pub body: String,
    /// `open` or `answered`.
    pub status: String,
    /// The company's answer.
    pub answer: Option<String>,
    /// When.
    pub created_at: i64,
}

fn comment(r: &AnyRow) -> Result<CommentRow> {
    let first: String = rows::get(r, "first_name")?;
    let last: String = rows::get(r, "last_name")?;
    Ok(CommentRow {
        id: rows::get(r, "id")?,
        record: rows::get(r, "record_id")?,
        author: rows::get(r, "author_id")?,
        author_name: format!("{first} {last}"),
        body: rows::get(r, "body")?,
        created_at: rows::get(r, "created_at")?,
    })
}

fn ticket(r: &AnyRow) -> Result<TicketRow> {
    Ok(TicketRow {
        id: rows::get(r, "id")?,
        author: rows::get(r, "author_id")?,
        kind: rows::get(r, "kind")?,
        subject: rows::get(r, "subject")?,
        body: rows::get(r, "body")?,
        status: rows::get(r, "status")?,
        answer: rows::get(r, "answer")?,
        created_at: rows::get(r, "created_at")?,
    })
}

const TICKET_COLS: &str = "id, author_id, kind, subject, body, status, answer, created_at";

impl Db<'_> {
    /// Adds a comment.
    pub async fn insert_comment(
        &mut self,
        id: &str,
        record: &str,
        author: &str,
        body: &str,
        now: i64,
    ) -> Result<()> {
        sqlx::query("INSERT INTO comments (id, record_id, author_id, body, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(id)
            .bind(record)
            .bind(author)
            .bind(body)
            .bind(now)
            .execute(&mut *self.conn)
            .await?;
        Ok(())
    }

    /// The comments of a record, oldest first.
    pub async fn comments(&mut self, record: &str) -> Result<Vec<CommentRow>> {
        sqlx::query(
            "SELECT c.id, c.record_id, c.author_id, c.body, c.created_at, u.first_name, u.last_name \
             FROM comments c JOIN users u ON u.id = c.author_id WHERE c.record_id = $1 ORDER BY c.created_at, c.id",
        )
        .bind(record)
        .fetch_all(&mut *self.conn)
        .await?
        .iter()
        .map(comment)
        .collect()
    }

    /// Adds a ticket.
    pub async fn insert_ticket(&mut self, t: &TicketRow) -> Result<()> {
        sqlx::query(
            "INSERT INTO tickets (id, author_id, kind, subject, body, status, created_at) VALUES ($1, $2, $3, $4, $5, 'open', $6)",
        )
        .bind(&t.id)
        .bind(&t.author)
        .bind(&t.kind)
        .bind(&t.subject)
        .bind(&t.body)
        .bind(t.created_at)
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }

    /// Tickets, newest first: all of them, or those of one author.
    pub async fn tickets(
        &mut self,
        author: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<TicketRow>> {
        let sql = format!(
            "SELECT {TICKET_COLS} FROM tickets{} ORDER BY created_at DESC, id DESC LIMIT {limit} OFFSET {offset}",
            if author.is_some() { " WHERE author_id = $1" } else { "" }
        );
        let mut q = sqlx::query(&sql);
        if let Some(a) = author {
            q = q.bind(a);
        }
        q.fetch_all(&mut *self.conn)
            .await?
            .iter()
            .map(ticket)
            .collect()
    }

    /// One ticket.
    pub async fn ticket(&mut self, id: &str) -> Result<Option<TicketRow>> {
        let row = sqlx::query(&format!("SELECT {TICKET_COLS} FROM tickets WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut *self.conn)
            .await?;
        row.as_ref().map(ticket).transpose()
    }

    /// Answers a ticket.
    pub async fn answer_ticket(
        &mut self,
        id: &str,
        answer: &str,
        by: &str,
        now: i64,
    ) -> Result<()> {
        sqlx::query("UPDATE tickets SET status = 'answered', answer = $1, answered_by = $2, answered_at = $3 WHERE id = $4")
            .bind(answer)
            .bind(by)
            .bind(now)
            .bind(id)
            .execute(&mut *self.conn)
            .await?;
        Ok(())
    }
}

/// A file on a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRow {
    /// Its id.
    pub id: String,
    /// The record.
    pub record: String,
    /// Who uploaded it.
    pub uploader: String,
    /// Its name as uploaded.
    pub name: String,
    /// Its checked content type.
    pub content_type: String,
    /// Bytes.
    pub size: i64,
    /// SHA-256 of the content: where it is stored.
    pub sha256: String,
    /// When.
    pub created_at: i64,
}

fn file(r: &AnyRow) -> Result<FileRow> {
    Ok(FileRow {
        id: rows::get(r, "id")?,
        record: rows::get(r, "record_id")?,
        uploader: rows::get(r, "uploader_id")?,
        name: rows::get(r, "name")?,
        content_type: rows::get(r, "content_type")?,
        size: rows::get(r, "size")?,
        sha256: rows::get(r, "sha256")?,
        created_at: rows::get(r, "created_at")?,
    })
}

const FILE_COLS: &str = "id, record_id, uploader_id, name, content_type, size, sha256, created_at";

impl Db<'_> {
    /// Records a stored file.
    pub async fn insert_file(&mut self, f: &FileRow) -> Result<()> {
        sqlx::query(
            "INSERT INTO files (id, record_id, uploader_id, name, content_type, size, sha256, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&f.id)
        .bind(&f.record)
        .bind(&f.uploader)
        .bind(&f.name)
        .bind(&f.content_type)
        .bind(f.size)
        .bind(&f.sha256)
        .bind(f.created_at)
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }

    /// Files of a record, oldest first.
    pub async fn files(&mut self, record: &str) -> Result<Vec<FileRow>> {
        sqlx::query(&format!(
            "SELECT {FILE_COLS} FROM files WHERE record_id = $1 ORDER BY created_at, id"
        ))
        .bind(record)
        .fetch_all(&mut *self.conn)
        .await?
        .iter()
        .map(file)
        .collect()
    }

    /// One file with the object of its record.
    pub async fn file(&mut self, id: &str) -> Result<Option<(FileRow, String)>> {
        let row = sqlx::query(
            "SELECT f.id, f.record_id, f.uploader_id, f.name, f.content_type, f.size, f.sha256, f.created_at, r.object \
             FROM files f JOIN records r ON r.id = f.record_id WHERE f.id = $1 AND r.deleted = 0"
        )
        .bind(id)
        .fetch_optional(&mut *self.conn)
        .await?;
        match row {
            Some(r) => Ok(Some((file(&r)?, rows::get(&r, "object")?))),
            None => Ok(None),
        }
    }
}
