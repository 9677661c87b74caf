//! External collaboration checklists: created by internal users for a collaborator of a
//! record, answered item by item by that collaborator (or an internal user), then completed.

use portico_domain::checklist::Checklist;
use portico_domain::{ChecklistId, PersonId};
use portico_store::{AuditEntry, ChecklistRow, Db};
use serde_json::json;

use crate::{new_id, now_ms, Caller, Portico, ServiceError, ServiceResult};

fn not_found(id: &str) -> ServiceError {
    ServiceError::NotFound(format!("checklist {id} not found").into())
}

fn refused(e: portico_domain::checklist::ChecklistError) -> ServiceError {
    use portico_domain::checklist::ChecklistError as E;
    let message = e.to_string().into();
    match &e {
        E::Completed(name) => ServiceError::OperationNotAllowed(message)
            .because("refusal-checklist-completed", &[("name", name)]),
        E::Unanswered { name, missing } => ServiceError::OperationNotAllowed(message).because(
            "refusal-checklist-unanswered",
            &[("name", name), ("missing", missing)],
        ),
        E::TooManyAnswers {
            name,
            questions,
            answers,
        } => ServiceError::InvalidData(message).because(
            "refusal-checklist-too-many-answers",
            &[
                ("name", name),
                ("questions", questions),
                ("answers", answers),
            ],
        ),
        E::Invalid(_) | E::NotACollaborator(_) => ServiceError::InvalidData(message),
    }
}

impl Portico {
    /// `POST /api/v1/vobjects/{object}/{id}/checklists` (internal users).
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id, object = object, record = record, assignee = assignee))]
    pub async fn create_checklist(
        &self,
        caller: &Caller,
        object: &str,
        record: &str,
        name: &str,
        assignee: &str,
        questions: &[String],
    ) -> ServiceResult<ChecklistRow> {
        self.target(object)?;
        let mut tx = self.write_as(caller).await?;
        let mut db = tx.db();
        let (record, _, _) = self
            .visible_record_for_write(&mut db, caller, object, record)
            .await?;
        let checklist = Checklist::new(
            ChecklistId::new(new_id("chk")),
            record.id.clone(),
            name,
            PersonId::new(assignee),
            questions,
            &record.collaborators,
        )
        .map_err(refused)?;
        let now = now_ms();
        db.insert_checklist(&checklist, &caller.user.id, now)
            .await?;
        db.audit(&AuditEntry {
            at: now,
            actor: Some(caller.user.id.to_string()),
            action: "checklist.created".into(),
            object: "checklist".into(),
            object_id: checklist.id.to_string(),
            record: Some(record.id.to_string()),
            person: Some(assignee.to_string()),
            after: Some(json!({"name__v": checklist.name, "questions": questions}).to_string()),
            ..AuditEntry::default()
        })
        .await?;
        tx.commit().await?;
        Ok(ChecklistRow {
            checklist,
            created_at: now,
            completed_at: None,
        })
    }

    /// `GET /api/v1/vobjects/{object}/{id}/checklists`: all for internal users; an external
    /// collaborator sees those assigned to it.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id, object = object, record = record))]
    pub async fn checklists(
        &self,
        caller: &Caller,
        object: &str,
        record: &str,
    ) -> ServiceResult<Vec<ChecklistRow>> {
        let view = self.record(caller, object, record).await?;
        let mut reader = self.store.read().await?;
        let mut db = reader.db();
        if caller.is_internal() {
            return Ok(db.checklists_of(&view.record.id, None).await?);
        }
        match &caller.user.person {
            Some(person) => Ok(db.checklists_of(&view.record.id, Some(person)).await?),
            None => Ok(vec![]),
        }
    }

    /// `GET /api/v1/checklists/{id}`.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id, id = id))]
    pub async fn checklist(&self, caller: &Caller, id: &str) -> ServiceResult<ChecklistRow> {
        let mut reader = self.store.read().await?;
        self.visible_checklist(&mut reader.db(), caller, id, false)
            .await
    }

    async fn visible_checklist(
        &self,
        db: &mut Db<'_>,
        caller: &Caller,
        id: &str,
        lock: bool,
    ) -> ServiceResult<ChecklistRow> {
        let row = db
            .checklist(&ChecklistId::new(id), lock)
            .await?
            .ok_or_else(|| not_found(id))?;
        if caller.is_internal() {
            return Ok(row);
        }
        let mine = caller.user.person.is_some() && row.checklist.assignee == caller.user.person;
        let shared = db.has_role(&row.checklist.record, &caller.user.id).await?;
        if mine && shared {
            Ok(row)
        } else {
            Err(not_found(id))
        }
    }

    /// `PATCH /api/v1/checklists/{id}` with answers by position, and/or
    /// `POST /api/v1/checklists/{id}/complete` (`complete`). An external collaborator cannot
    /// change a checklist of a closed record.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id, id = id, complete = complete))]
    pub async fn answer_checklist(
        &self,
        caller: &Caller,
        id: &str,
        answers: &[Option<String>],
        complete: bool,
    ) -> ServiceResult<ChecklistRow> {
        let mut tx = self.write_as(caller).await?;
        let mut db = tx.db();
        let mut row = self.visible_checklist(&mut db, caller, id, true).await?;
        let deleted = || {
            ServiceError::OperationNotAllowed(
                format!("the record of checklist {id} was deleted").into(),
            )
        };
        let object = db
            .record_object(&row.checklist.record)
            .await?
            .ok_or_else(deleted)?;
        // Not locked: the checklist is, and the record's lock comes first in every other
        // writer (ARCHITECTURE.md "Fresh decisions").
        let (record, _, _) = db
            .record(&object, &row.checklist.record, false)
            .await?
            .ok_or_else(deleted)?;
        self.require_open_for(caller, &record)?;
        let before = json!({"answers": row.checklist.items.iter().map(|i| i.answer.clone()).collect::<Vec<_>>()});
        row.checklist.answer(answers).map_err(refused)?;
        if complete {
            row.checklist.complete().map_err(refused)?;
        }
        let now = now_ms();
        db.save_checklist(&row.checklist, &caller.user.id, now)
            .await?;
        db.audit(&AuditEntry {
            at: now,
            actor: Some(caller.user.id.to_string()),
            action: if complete { "checklist.completed" } else { "checklist.answered" }.into(),
            object: "checklist".into(),
            object_id: id.to_string(),
            record: Some(row.checklist.record.to_string()),
            person: row.checklist.assignee.as_ref().map(ToString::to_string),
            before: Some(before.to_string()),
            after: Some(
                json!({"answers": row.checklist.items.iter().map(|i| i.answer.clone()).collect::<Vec<_>>(),
                       "status__v": if row.checklist.completed { "completed__v" } else { "open__v" }})
                .to_string(),
            ),
            ..AuditEntry::default()
        })
        .await?;
        tx.commit().await?;
        if row.checklist.completed {
            row.completed_at = row.completed_at.or(Some(now));
        }
        Ok(row)
    }
}
