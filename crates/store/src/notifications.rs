//! In-app notifications.

use portico_domain::UserId;
use sqlx::any::AnyRow;

use crate::batch::V;
use crate::rows;
use crate::{Db, Result};

/// A notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationRow {
    /// Its id.
    pub id: String,
    /// Who it is for.
    pub user: String,
    /// Why (`task_assigned`, …).
    pub kind: String,
    /// What it says, in English (the API's `message`).
    pub message: String,
    /// The arguments of its message, a JSON object, for wording it in the reader's language
    /// by its kind (`None` on rows written before migration 0022: they show `message`).
    pub args: Option<String>,
    /// The object of the record it is about.
    pub object: Option<String>,
    /// The record it is about.
    pub record: Option<String>,
    /// When.
    pub created_at: i64,
    /// When it was read.
    pub read_at: Option<i64>,
}

fn notification(r: &AnyRow) -> Result<NotificationRow> {
    Ok(NotificationRow {
        id: rows::get(r, "id")?,
        user: rows::get(r, "user_id")?,
        kind: rows::get(r, "kind")?,
        message: rows::get(r, "message")?,
        args: rows::get(r, "args")?,
        object: rows::get(r, "object")?,
        record: rows::get(r, "record_id")?,
        created_at: rows::get(r, "created_at")?,
        read_at: rows::get(r, "read_at")?,
    })
}

impl Db<'_> {
    /// Writes a notification.
    pub async fn insert_notification(&mut self, n: &NotificationRow) -> Result<()> {
        self.insert_notifications(std::slice::from_ref(n)).await
    }

    /// Inserts notifications, one statement for all.
    pub async fn insert_notifications(&mut self, ns: &[NotificationRow]) -> Result<()> {
        let rows = ns
            .iter()
            .map(|n| {
                vec![
                    V::t(n.id.as_str()),
                    V::t(n.user.as_str()),
                    V::t(n.kind.as_str()),
                    V::t(n.message.as_str()),
                    V::opt(n.args.as_deref()),
                    V::opt(n.object.as_deref()),
                    V::opt(n.record.as_deref()),
                    V::I(n.created_at),
                ]
            })
            .collect();
        self.insert_rows(
            "notifications",
            &[
                "id",
                "user_id",
                "kind",
                "message",
                "args",
                "object",
                "record_id",
                "created_at",
            ],
            rows,
        )
        .await
    }

    /// A user's notifications, newest first.
    pub async fn notifications(
        &mut self,
        user: &UserId,
        unread_only: bool,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<NotificationRow>> {
        let sql = format!(
            "SELECT id, user_id, kind, message, args, object, record_id, created_at, read_at FROM notifications \
             WHERE user_id = $1{} ORDER BY created_at DESC, id DESC LIMIT {limit} OFFSET {offset}",
            if unread_only { " AND read_at IS NULL" } else { "" }
        );
        sqlx::query(&sql)
            .bind(user.as_str())
            .fetch_all(&mut *self.conn)
            .await?
            .iter()
            .map(notification)
            .collect()
    }

    /// Marks one of a user's notifications read; answers whether it was the user's.
    pub async fn mark_notification_read(
        &mut self,
        user: &UserId,
        id: &str,
        now: i64,
    ) -> Result<bool> {
        let done = sqlx::query("UPDATE notifications SET read_at = COALESCE(read_at, $1) WHERE id = $2 AND user_id = $3")
            .bind(now)
            .bind(id)
            .bind(user.as_str())
            .execute(&mut *self.conn)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Marks all of a user's notifications read.
    pub async fn mark_all_notifications_read(&mut self, user: &UserId, now: i64) -> Result<u64> {
        let done = sqlx::query(
            "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL",
        )
        .bind(now)
        .bind(user.as_str())
        .execute(&mut *self.conn)
        .await?;
        Ok(done.rows_affected())
    }
}
