//! Workflow tasks.

use portico_domain::{PersonId, RecordId, TaskId, UserId};
use sqlx::any::AnyRow;

use crate::batch::{Sql, V};
use crate::rows;
use crate::{Db, Result};

/// A task as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskRow {
    /// Its id.
    pub id: TaskId,
    /// The record.
    pub record: RecordId,
    /// The user it is assigned to.
    pub assignee: UserId,
    /// The person behind that user.
    pub person: Option<PersonId>,
    /// The state it belongs to.
    pub state: String,
    /// Its label.
    pub label: String,
    /// What to do.
    pub instructions: String,
    /// `open`, `completed` or `cancelled`.
    pub status: String,
    /// The response, once completed.
    pub response: Option<String>,
    /// Due date.
    pub due_at: Option<i64>,
    /// Creation time.
    pub created_at: i64,
    /// Who completed or cancelled it.
    pub closed_by: Option<String>,
    /// The internal user who completed it on the assignee's behalf.
    pub on_behalf_by: Option<String>,
}

/// Filters of `GET /api/v1/tasks`.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    /// `assignee__v`
    pub assignee: Option<String>,
    /// `record__v`
    pub record: Option<String>,
    /// `status__v` as stored.
    pub status: Option<String>,
    /// Page size.
    pub limit: i64,
    /// Page start.
    pub offset: i64,
}

const TASK_COLS: &str = "id, record_id, assignee_id, person_id, state, label, instructions, status, response, due_at, created_at, closed_by, on_behalf_by";

fn task(r: &AnyRow) -> Result<TaskRow> {
    Ok(TaskRow {
        id: TaskId::new(rows::get::<String>(r, "id")?),
        record: RecordId::new(rows::get::<String>(r, "record_id")?),
        assignee: UserId::new(rows::get::<String>(r, "assignee_id")?),
        person: rows::get::<Option<String>>(r, "person_id")?.map(PersonId::new),
        state: rows::get(r, "state")?,
        label: rows::get(r, "label")?,
        instructions: rows::get(r, "instructions")?,
        status: rows::get(r, "status")?,
        response: rows::get(r, "response")?,
        due_at: rows::get(r, "due_at")?,
        created_at: rows::get(r, "created_at")?,
        closed_by: rows::get(r, "closed_by")?,
        on_behalf_by: rows::get(r, "on_behalf_by")?,
    })
}

/// The columns a new task row fills, in this order.
pub(crate) const TASK_INSERT_COLS: &[&str] = &[
    "id",
    "record_id",
    "assignee_id",
    "person_id",
    "state",
    "label",
    "instructions",
    "status",
    "due_at",
    "created_at",
];

impl Db<'_> {
    /// Inserts an open task.
    pub async fn insert_task(&mut self, t: &TaskRow) -> Result<()> {
        self.insert_tasks(std::slice::from_ref(t)).await
    }

    /// Inserts open tasks, one statement for all.
    pub async fn insert_tasks(&mut self, tasks: &[TaskRow]) -> Result<()> {
        let rows = tasks
            .iter()
            .map(|t| {
                vec![
                    V::t(t.id.as_str()),
                    V::t(t.record.as_str()),
                    V::t(t.assignee.as_str()),
                    V::opt(t.person.as_ref().map(PersonId::as_str)),
                    V::t(t.state.as_str()),
                    V::t(t.label.as_str()),
                    V::t(t.instructions.as_str()),
                    V::t("open"),
                    t.due_at.map_or(V::NI, V::I),
                    V::I(t.created_at),
                ]
            })
            .collect();
        self.insert_rows("tasks", TASK_INSERT_COLS, rows).await
    }

    /// Cancels an open task.
    pub async fn cancel_task(&mut self, id: &TaskId, by: &UserId, now: i64) -> Result<()> {
        sqlx::query("UPDATE tasks SET status = 'cancelled', closed_at = $1, closed_by = $2 WHERE id = $3 AND status = 'open'")
            .bind(now)
            .bind(by.as_str())
            .bind(id.as_str())
            .execute(&mut *self.conn)
            .await?;
        Ok(())
    }

    /// Completes an open task with a response.
    pub async fn complete_task(
        &mut self,
        id: &TaskId,
        response: &str,
        by: &UserId,
        on_behalf_by: Option<&UserId>,
        now: i64,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE tasks SET status = 'completed', response = $1, closed_at = $2, closed_by = $3, on_behalf_by = $4 \
             WHERE id = $5 AND status = 'open'",
        )
        .bind(response)
        .bind(now)
        .bind(by.as_str())
        .bind(on_behalf_by.map(UserId::as_str))
        .bind(id.as_str())
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }

    /// One task.
    pub async fn task(&mut self, id: &TaskId) -> Result<Option<TaskRow>> {
        let sql = format!("SELECT {TASK_COLS} FROM tasks WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id.as_str())
            .fetch_optional(&mut *self.conn)
            .await?;
        row.as_ref().map(task).transpose()
    }

    /// Tasks, filtered, newest first.
    pub async fn tasks(&mut self, filter: &TaskFilter) -> Result<Vec<TaskRow>> {
        let mut sql = Sql::new(self.backend, &format!("SELECT {TASK_COLS} FROM tasks"));
        sql.and_eq("assignee_id", filter.assignee.as_deref())
            .and_eq("record_id", filter.record.as_deref())
            .and_eq("status", filter.status.as_deref())
            .push(" ORDER BY created_at DESC, id DESC")
            .page(filter.limit, filter.offset);
        sql.fetch_all(self).await?.iter().map(task).collect()
    }
}
