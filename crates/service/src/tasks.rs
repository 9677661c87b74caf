//! Completing and cancelling tasks (C6).

use portico_domain::collab::{self, Plan, TaskCompleter};
use portico_domain::lifecycle::SignatureMeaning;
use portico_domain::TaskId;
use portico_store::{Db, Signed, TaskRow};

use crate::retry::retrying;
use crate::signatures::{SignatureInput, Signer};
use crate::snapshot::On;
use crate::{now_ms, Caller, Portico, ServiceError, ServiceResult};

/// The reason of a refused response, for the pages: completing a task asks only for the
/// response, so the rule's missing or wrong input is the response.
fn response_reason(e: ServiceError) -> ServiceError {
    match e {
        e @ ServiceError::ParameterRequired(_) if e.reason().is_none() => {
            e.because("refusal-response-required", &[])
        }
        ServiceError::InvalidData(ref m)
            if e.reason().is_none() && m.starts_with("the response must have at most") =>
        {
            e.because(
                "refusal-response-too-long",
                &[("max", &portico_domain::MAX_TEXT_CHARS)],
            )
        }
        e => e,
    }
}

fn not_found(id: &str) -> ServiceError {
    ServiceError::NotFound(format!("task {id} not found").into())
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
    /// behalf (recorded as such). The last response of a state may move the record on. A
    /// task the configuration marks as signed needs `signature`: the signer is the caller.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id, id = id))]
    pub async fn complete_task(
        &self,
        caller: &Caller,
        id: &str,
        response: &str,
        signature: Option<SignatureInput>,
    ) -> ServiceResult<(TaskRow, Plan)> {
        let task = self.task(caller, id).await?;
        let by = if task.assignee == caller.user.id {
            TaskCompleter::Assignee
        } else {
            TaskCompleter::OnBehalf(caller.user.id.clone())
        };
        let required = self.signature_for_task(&task).await?;
        let signer = self
            .check_signature(
                caller,
                required.as_ref(),
                signature.as_ref(),
                &format!("completing the task {}", task.label),
                &crate::provider_signing::task_pending(&TaskId::new(id)),
            )
            .await?;
        let task_id = TaskId::new(id);
        self.task_rule(caller, &task_id, signer.as_ref(), |snap, ctx| {
            collab::complete_task(snap, &task_id, response, by, ctx)
        })
        .await
        .map_err(response_reason)
    }

    /// The meaning of the signature completing `task` requires, if any.
    pub async fn signature_for_task(
        &self,
        task: &TaskRow,
    ) -> ServiceResult<Option<SignatureMeaning>> {
        let object = self
            .store
            .read()
            .await?
            .db()
            .record_object(&task.record)
            .await?;
        Ok(object
            .and_then(|o| self.config.target(&o))
            .and_then(|t| t.lifecycle.signature_for_task(&task.state))
            .cloned())
    }

    /// `POST /api/v1/tasks/{id}/cancel`: internal users only.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id, id = id))]
    pub async fn cancel_task(&self, caller: &Caller, id: &str) -> ServiceResult<(TaskRow, Plan)> {
        self.task(caller, id).await?;
        caller.require_internal()?;
        let task_id = TaskId::new(id);
        self.task_rule(caller, &task_id, None, |snap, ctx| {
            collab::cancel_task(snap, &task_id, ctx)
        })
        .await
    }

    async fn task_rule<F>(
        &self,
        caller: &Caller,
        id: &TaskId,
        signer: Option<&Signer>,
        rule: F,
    ) -> ServiceResult<(TaskRow, Plan)>
    where
        F: FnOnce(&collab::Snapshot<'_>, &mut collab::Ctx<'_>) -> Result<Plan, collab::RuleError>
            + Clone
            + Send,
    {
        retrying(|| self.task_rule_once(caller, id, signer, rule.clone())).await
    }

    async fn task_rule_once<F>(
        &self,
        caller: &Caller,
        id: &TaskId,
        signer: Option<&Signer>,
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
        let (plan, after) = self
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
        if let Some(signer) = signer {
            // Signed as stored: the response the task now holds.
            let response = task.response.clone().unwrap_or_default();
            let row = signer.row(
                caller,
                &after,
                Signed::Task(id.clone()),
                Some((id, &response)),
            );
            db.audit(&signer.audit(&row, now_ms())).await?;
            db.insert_signatures(std::slice::from_ref(&row)).await?;
        }
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
            ServiceError::OperationNotAllowed(format!("the record of task {id} was deleted").into())
        })?;
        let target = self.target(&object)?;
        let (record, _, _) = db
            .record(&object, &task.record, true)
            .await?
            .ok_or_else(|| {
                ServiceError::OperationNotAllowed(
                    format!("the record of task {id} was deleted").into(),
                )
            })?;
        Ok((record, target))
    }
}
