//! Completing and cancelling tasks (C6).

use portico_domain::collab::{self, Plan, TaskCompleter};
use portico_domain::TaskId;
use portico_store::{Db, TaskRow};

use crate::retry::retrying;
use crate::snapshot::On;
use crate::{Caller, Portico, ServiceError, ServiceResult};

fn not_found(id: &str) -> ServiceError {
    ServiceError::NotFound(format!("task {id} not found"))
}

impl Portico {
    /// `GET /api/v1/tasks/{id}`: its assignee or an internal user.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id, id = id))]
    pub async fn task(&self, caller: &Caller, id: &str) -> ServiceResult<TaskRow> {
        let task = self
            .store
            .read()
            .await?
            .db()
            .task(&TaskId::new(id))
            .await?
            .ok_or_else(|| not_found(id))?;
        if !caller.is_internal() && task.assignee != caller.user.id {
            return Err(not_found(id));
        }
        Ok(task)
    }

    /// `POST /api/v1/tasks/{id}/complete`: by the assignee, or by an internal user on its
    /// behalf (recorded as such). The last response of a state may move the record on.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id, id = id))]
    pub async fn complete_task(
        &self,
        caller: &Caller,
        id: &str,
        response: &str,
    ) -> ServiceResult<(TaskRow, Plan)> {
        let by = if self.task(caller, id).await?.assignee == caller.user.id {
            TaskCompleter::Assignee
        } else {
            TaskCompleter::OnBehalf(caller.user.id.clone())
        };
        let task_id = TaskId::new(id);
        self.task_rule(caller, &task_id, |snap, ctx| {
            collab::complete_task(snap, &task_id, response, by, ctx)
        })
        .await
    }

    /// `POST /api/v1/tasks/{id}/cancel`: internal users only.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id, id = id))]
    pub async fn cancel_task(&self, caller: &Caller, id: &str) -> ServiceResult<(TaskRow, Plan)> {
        self.task(caller, id).await?;
        caller.require_internal()?;
        let task_id = TaskId::new(id);
        self.task_rule(caller, &task_id, |snap, ctx| {
            collab::cancel_task(snap, &task_id, ctx)
        })
        .await
    }

    async fn task_rule<F>(
        &self,
        caller: &Caller,
        id: &TaskId,
        rule: F,
    ) -> ServiceResult<(TaskRow, Plan)>
    where
        F: FnOnce(&collab::Snapshot<'_>, &mut collab::Ctx<'_>) -> Result<Plan, collab::RuleError>
            + Clone
            + Send,
    {
        retrying(|| self.task_rule_once(caller, id, rule.clone())).await
    }

    async fn task_rule_once<F>(
        &self,
        caller: &Caller,
        id: &TaskId,
        rule: F,
    ) -> ServiceResult<(TaskRow, Plan)>
    where
        F: FnOnce(&collab::Snapshot<'_>, &mut collab::Ctx<'_>) -> Result<Plan, collab::RuleError>
            + Send,
    {
        let mut tx = self.write_as(caller).await?;
        let mut db = tx.db();
        let (record, target) = self.record_of_task(&mut db, id).await?;
        self.require_open_for(caller, &record)?;
        let (plan, _) = self
            .plan_and_apply(
                &mut db,
                On {
                    caller,
                    target,
                    dry_run: false,
                },
                record,
                &[],
                rule,
            )
            .await?;
        let task = db.task(id).await?.ok_or_else(|| not_found(id.as_str()))?;
        tx.commit().await?;
        Ok((task, plan))
    }

    async fn record_of_task(
        &self,
        db: &mut Db<'_>,
        id: &TaskId,
    ) -> ServiceResult<(
        portico_domain::model::Record,
        &portico_domain::config::TargetType,
    )> {
        let task = db.task(id).await?.ok_or_else(|| not_found(id.as_str()))?;
        let object = db.record_object(&task.record).await?.ok_or_else(|| {
            ServiceError::OperationNotAllowed(format!("the record of task {id} was deleted"))
        })?;
        let target = self.target(&object)?;
        let (record, _, _) = db
            .record(&object, &task.record, true)
            .await?
            .ok_or_else(|| {
                ServiceError::OperationNotAllowed(format!("the record of task {id} was deleted"))
            })?;
        Ok((record, target))
    }
}
