//! Records of the target objects and their lifecycle actions: where the collaboration rules
//! meet storage.

use portico_domain::collab::{self, ActionArgs, Plan};
use portico_domain::config::TargetType;
use portico_domain::lifecycle::{ActionInfo, SignatureMeaning};
use portico_domain::model::Record;
use portico_domain::{OrgId, PersonId, RecordId};
use portico_store::{AuditEntry, Db, RecordFilter, Signed};
use serde_json::json;

use crate::directory::required_text;
use crate::reads::Page;
use crate::retry::retrying;
use crate::signatures::{SignatureInput, Signer, Signing};
use crate::snapshot::On;
use crate::{new_id, now_ms, Caller, Portico, ServiceError, ServiceResult};

/// Fields of a record a client sends; `None` leaves a field as it is on update.
#[derive(Debug, Clone, Default)]
pub struct RecordInput {
    /// `name__v`
    pub name: Option<String>,
    /// `object_type__v`
    pub object_type: Option<String>,
    /// `supplier__v`; `Some(None)` clears it.
    pub supplier: Option<Option<String>>,
    /// `external_collaborator__v`
    pub collaborators: Option<Vec<String>>,
    /// `access_end_date__v` (`YYYY-MM-DD`); `Some(None)` clears it.
    pub access_end_date: Option<Option<String>>,
}

/// A record as a caller may see it.
#[derive(Debug, Clone)]
pub struct RecordView {
    /// The record.
    pub record: Record,
    /// Creation time.
    pub created_at: i64,
    /// Last change.
    pub updated_at: i64,
    /// For external collaborators: the only fields they may read.
    pub visible_fields: Option<Vec<String>>,
    /// Who waits for a seat on it, oldest first: on a read by an internal user only.
    pub waiting: Option<Vec<PersonId>>,
}

/// What a lifecycle action did, or would do.
#[derive(Debug, Clone)]
pub struct ActionOutcome {
    /// The plan: applied, or only previewed when `dry_run`.
    pub plan: Plan,
    /// Whether nothing was changed.
    pub dry_run: bool,
    /// The record as the action leaves it.
    pub record: Record,
    /// The meaning of the signature the action requires (`None`: none), so that a dry run
    /// tells what the action will ask for.
    pub signature_required: Option<String>,
}

/// How an action runs: as a dry run (C7), which changes nothing and needs no signature, or
/// for real, with the electronic signature the configuration may require of it.
#[derive(Debug, Clone)]
pub enum RunMode {
    /// Answer the plan and change nothing.
    DryRun,
    /// Run it; the signature, when the action is signed.
    Apply(Option<SignatureInput>),
}

impl RunMode {
    /// Whether nothing is changed.
    pub fn is_dry_run(&self) -> bool {
        matches!(self, RunMode::DryRun)
    }

    fn signature(&self) -> Option<&SignatureInput> {
        match self {
            RunMode::DryRun => None,
            RunMode::Apply(s) => s.as_ref(),
        }
    }
}

pub(crate) fn not_found(object: &str, id: &str) -> ServiceError {
    ServiceError::NotFound(format!("{object} {id} not found").into())
}

/// An end date as given (`YYYY-MM-DD`), checked.
fn checked_end_date(date: Option<&str>) -> ServiceResult<Option<String>> {
    let Some(date) = date.map(str::trim) else {
        return Ok(None);
    };
    // chrono alone would take "26-01-01" as the year 26: the form is checked first.
    let shaped = date.len() == 10
        && date.char_indices().all(|(i, c)| {
            if i == 4 || i == 7 {
                c == '-'
            } else {
                c.is_ascii_digit()
            }
        });
    chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .ok()
        .filter(|_| shaped)
        .map(|d| Some(d.format("%Y-%m-%d").to_string()))
        .ok_or_else(|| {
            ServiceError::InvalidData(
                format!("access_end_date__v: '{date}' is not a date; write it as YYYY-MM-DD")
                    .into(),
            )
        })
}

fn record_json(r: &Record) -> String {
    json!({"name__v": r.name, "object_type__v": r.object_type, "state__v": r.state,
           "supplier__v": r.supplier.as_ref().map(OrgId::as_str),
           "access_end_date__v": r.access_end_date,
           "external_collaborator__v": r.collaborators.iter().map(PersonId::as_str).collect::<Vec<_>>()})
    .to_string()
}

impl Portico {
    /// The configured type of `object`, or NOT_FOUND.
    pub fn target(&self, object: &str) -> ServiceResult<&TargetType> {
        self.config.target(object).ok_or_else(|| {
            ServiceError::NotFound(
                format!(
                    "unknown object '{object}'; objects are organization__v, person__v and {}",
                    self.config
                        .types
                        .iter()
                        .map(|t| t.object.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
                .into(),
            )
        })
    }

    fn view(
        &self,
        caller: &Caller,
        target: &TargetType,
        (record, created_at, updated_at): (Record, i64, i64),
    ) -> RecordView {
        RecordView {
            record,
            created_at,
            updated_at,
            visible_fields: (!caller.is_internal()).then(|| target.visible_fields.clone()),
            waiting: None,
        }
    }

    /// `POST /api/v1/vobjects/{object}`: a new record in the lifecycle's initial state. Its
    /// collaborators must satisfy the constraint (C1).
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id, object = object))]
    pub async fn create_record(
        &self,
        caller: &Caller,
        object: &str,
        input: RecordInput,
    ) -> ServiceResult<RecordView> {
        retrying(move || self.create_record_once(caller, object, input.clone())).await
    }

    async fn create_record_once(
        &self,
        caller: &Caller,
        object: &str,
        input: RecordInput,
    ) -> ServiceResult<RecordView> {
        let target = self.target(object)?;
        caller.require_internal()?;
        let name = required_text(input.name.as_deref(), "name__v")?;
        if let Some(t) = &input.object_type {
            if *t != target.object_type {
                return Err(ServiceError::InvalidData(
                    format!(
                        "object_type__v '{t}' is not a type of {object}; use {}",
                        target.object_type
                    )
                    .into(),
                ));
            }
        }
        let mut tx = self.write_as(caller).await?;
        let mut db = tx.db();
        let supplier = checked_supplier(&mut db, input.supplier.flatten().as_deref()).await?;
        let collaborators = distinct_people(input.collaborators.unwrap_or_default());
        let access_end_date = checked_end_date(input.access_end_date.flatten().as_deref())?;
        let record = Record {
            id: RecordId::new(new_id("rec")),
            object: object.to_string(),
            object_type: target.object_type.clone(),
            name,
            state: target.lifecycle.initial.clone(),
            supplier,
            collaborators,
            created_by: caller.user.id.clone(),
            access_end_date,
        };
        require_all_found(&mut db, &record.collaborators).await?;
        for person in db.lock_persons(&record.collaborators).await? {
            collab::check_constraint(target, &person, &record)?;
        }
        let now = now_ms();
        db.insert_record(&record, now).await?;
        db.audit(&AuditEntry {
            at: now,
            actor: Some(caller.user.id.to_string()),
            action: "record.created".into(),
            object: object.into(),
            object_id: record.id.to_string(),
            record: Some(record.id.to_string()),
            after: Some(record_json(&record)),
            ..AuditEntry::default()
        })
        .await?;
        tx.commit().await?;
        Ok(self.view(caller, target, (record, now, now)))
    }

    /// `GET /api/v1/vobjects/{object}/{id}`: externals read only records shared with them;
    /// any other answers NOT_FOUND, so existence does not leak.
    #[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.user.id, object = object, id = id))]
    pub async fn record(
        &self,
        caller: &Caller,
        object: &str,
        id: &str,
    ) -> ServiceResult<RecordView> {
        let target = self.target(object)?;
        let now = now_ms();
        let generation = self.store.generation();
        let key = (object.to_string(), id.to_string());
        let found = self
            .records
            .get_or_read(key, generation, now, || async {
                self.store
                    .read()
                    .await?
                    .db()
                    .record_with_waiting(object, &RecordId::new(id))
                    .await?
                    .ok_or_else(|| not_found(object, id))
            })
            .await?;
        let (found, waiting) = found;
        if caller.is_internal() {
            let mut view = self.view(caller, target, found);
            view.waiting = Some(waiting);
            return Ok(view);
        }
        let key = (id.to_string(), caller.user.id.to_string());
        let shared = self
            .roles
            .get_or_read(key, generation, now, || async {
                let shared = self
                    .store
                    .read()
                    .await?
                    .db()
                    .has_role(&found.0.id, &caller.user.id)
                    .await?;
                Ok::<_, ServiceError>(shared)
            })
            .await?;
        if !shared {
            return Err(not_found(object, id));
        }
        Ok(self.view(caller, target, found))
    }

    /// `GET /api/v1/vobjects/{object}`: filtered; externals see only records shared with them.
    /// A page is kept in the read cache like a record: the filter it is kept under is the one
    /// the caller is authorised for (an external's names the external, whose records alone
    /// it lists), so a page only ever serves the query that read it.
    #[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.user.id, object = object))]
    pub async fn records(
        &self,
        caller: &Caller,
        object: &str,
        mut filter: RecordFilter,
        page: Page,
    ) -> ServiceResult<Vec<RecordView>> {
        let target = self.target(object)?;
        if !caller.is_internal() {
            filter.shared_with = Some(caller.user.id.clone());
        }
        filter.limit = page.limit;
        filter.offset = page.offset;
        let generation = self.store.generation();
        let key = (object.to_string(), filter);
        let rows = self
            .lists
            .get_or_read(key.clone(), generation, now_ms(), || async {
                let rows = self
                    .store
                    .read()
                    .await?
                    .db()
                    .records(object, &key.1)
                    .await?;
                Ok::<_, ServiceError>(std::sync::Arc::new(rows))
            })
            .await?;
        Ok(rows
            .iter()
            .map(|r| self.view(caller, target, r.clone()))
            .collect())
    }

    /// `PATCH /api/v1/vobjects/{object}/{id}`: own fields, and the External Collaborator field
    /// with C1 and C4.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id, object = object, id = id))]
    pub async fn update_record(
        &self,
        caller: &Caller,
        object: &str,
        id: &str,
        input: RecordInput,
    ) -> ServiceResult<RecordView> {
        retrying(move || self.update_record_once(caller, object, id, input.clone())).await
    }

    async fn update_record_once(
        &self,
        caller: &Caller,
        object: &str,
        id: &str,
        input: RecordInput,
    ) -> ServiceResult<RecordView> {
        let target = self.target(object)?;
        let mut tx = self.write_as(caller).await?;
        let mut db = tx.db();
        let (before, created_at, _) = self
            .visible_record_for_write(&mut db, caller, object, id)
            .await?;
        if let Some(t) = &input.object_type {
            if *t != before.object_type {
                return Err(ServiceError::OperationNotAllowed(
                    "object_type__v cannot be changed".into(),
                ));
            }
        }
        let mut after = before.clone();
        if input.name.is_some() {
            after.name = required_text(input.name.as_deref(), "name__v")?;
        }
        if let Some(supplier) = &input.supplier {
            after.supplier = checked_supplier(&mut db, supplier.as_deref()).await?;
        }
        if let Some(date) = &input.access_end_date {
            after.access_end_date = checked_end_date(date.as_deref())?;
        }
        let wanted = input
            .collaborators
            .map(distinct_people)
            .unwrap_or_else(|| after.collaborators.clone());
        require_all_found(&mut db, &wanted).await?;
        // The constraint is checked against the record as this change leaves it, so a new
        // supplier is checked against the collaborators too.
        let supplier_changed = after.supplier != before.supplier;
        let (_, after) = self
            .plan_and_apply(
                &mut db,
                On {
                    caller,
                    target,
                    dry_run: false,
                },
                after,
                &wanted,
                |snap, ctx| {
                    let plan = collab::set_collaborators(snap, &wanted, ctx)?;
                    if plan.collaborators.is_none() && supplier_changed {
                        for facts in snap
                            .record
                            .collaborators
                            .iter()
                            .filter_map(|p| snap.people.get(p))
                        {
                            collab::check_constraint(target, &facts.person, &snap.record)?;
                        }
                    }
                    Ok(plan)
                },
            )
            .await?;
        let now = now_ms();
        db.update_record(&after, now).await?;
        db.audit(&AuditEntry {
            at: now,
            actor: Some(caller.user.id.to_string()),
            action: "record.updated".into(),
            object: object.into(),
            object_id: id.to_string(),
            record: Some(id.to_string()),
            before: Some(record_json(&before)),
            after: Some(record_json(&after)),
            ..AuditEntry::default()
        })
        .await?;
        tx.commit().await?;
        Ok(self.view(caller, target, (after, created_at, now)))
    }

    /// `DELETE /api/v1/vobjects/{object}/{id}`: C4 for every collaborator; the record stays in
    /// storage, marked deleted, for the audit trail.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id, object = object, id = id))]
    pub async fn delete_record(
        &self,
        caller: &Caller,
        object: &str,
        id: &str,
    ) -> ServiceResult<Plan> {
        retrying(move || self.delete_record_once(caller, object, id)).await
    }

    async fn delete_record_once(
        &self,
        caller: &Caller,
        object: &str,
        id: &str,
    ) -> ServiceResult<Plan> {
        let target = self.target(object)?;
        let mut tx = self.write_as(caller).await?;
        let mut db = tx.db();
        let (record, _, _) = self
            .visible_record_for_write(&mut db, caller, object, id)
            .await?;
        let (plan, _) = self
            .plan_and_apply(
                &mut db,
                On {
                    caller,
                    target,
                    dry_run: false,
                },
                record.clone(),
                &[],
                collab::delete_record,
            )
            .await?;
        let now = now_ms();
        db.audit(&AuditEntry {
            at: now,
            actor: Some(caller.user.id.to_string()),
            action: "record.deleted".into(),
            object: object.into(),
            object_id: id.to_string(),
            record: Some(id.to_string()),
            before: Some(record_json(&record)),
            ..AuditEntry::default()
        })
        .await?;
        tx.commit().await?;
        Ok(plan)
    }

    /// `GET /api/v1/vobjects/{object}/{id}/actions`: what the caller may run now.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id, object = object, id = id))]
    pub async fn record_actions(
        &self,
        caller: &Caller,
        object: &str,
        id: &str,
    ) -> ServiceResult<Vec<ActionInfo>> {
        let view = self.record(caller, object, id).await?;
        if !caller.is_internal() {
            return Ok(vec![]);
        }
        let target = self.target(object)?;
        Ok(target.lifecycle.actions_in(&view.record.state))
    }

    /// `POST /api/v1/vobjects/{object}/{id}/actions/{name}` (C2, C3, C5, C7). An action the
    /// configuration marks as signed needs `signature` (not for a dry run, which says so).
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id, object = object, id = id, action = action, dry_run = mode.is_dry_run()))]
    pub async fn run_action(
        &self,
        caller: &Caller,
        object: &str,
        id: &str,
        action: &str,
        args: ActionArgs,
        mode: RunMode,
    ) -> ServiceResult<ActionOutcome> {
        let ids = [id.to_string()];
        let signer = self
            .action_signer(caller, object, &ids, action, &mode)
            .await?;
        let on = On {
            caller,
            target: self.target(object)?,
            dry_run: mode.is_dry_run(),
        };
        retrying(|| self.run_action_once(on, id, action, &args, signer.as_ref())).await
    }

    /// The checked signer of `action` on the records `ids`, when the configuration marks it
    /// as signed in their states (read here, before the write; the write checks them again).
    /// None for a dry run, and for externals, whose actions are refused as they always are.
    /// Records whose moves mean different signatures cannot share one.
    pub(crate) async fn action_signer(
        &self,
        caller: &Caller,
        object: &str,
        ids: &[String],
        action: &str,
        mode: &RunMode,
    ) -> ServiceResult<Option<Signer>> {
        if mode.is_dry_run() || !caller.is_internal() {
            return Ok(None);
        }
        let required = self
            .required_for_action(caller, object, ids, action)
            .await?;
        self.check_signature(
            caller,
            required.as_ref(),
            mode.signature(),
            &format!("the action {action}"),
            &crate::provider_signing::action_pending(object, ids, action),
        )
        .await
    }

    /// The meaning `action` on the records `ids` requires in their states now (`None`: no
    /// signature). Records whose moves mean different signatures cannot share one.
    pub(crate) async fn required_for_action(
        &self,
        caller: &Caller,
        object: &str,
        ids: &[String],
        action: &str,
    ) -> ServiceResult<Option<SignatureMeaning>> {
        let target = self.target(object)?;
        let mut meanings = std::collections::BTreeSet::new();
        if target.lifecycle.may_require_signature(action) {
            for id in ids {
                // A record that cannot be read is refused by the action itself.
                if let Ok(view) = self.record(caller, object, id).await {
                    let needed = target.lifecycle.signature_for(&view.record.state, action);
                    meanings.extend(needed.cloned());
                }
            }
        }
        if meanings.len() > 1 {
            let listed: Vec<String> = meanings.iter().map(|m| format!("'{m}'")).collect();
            return Err(ServiceError::InvalidData(format!(
                "these records need different signatures for {action} ({}): run it on each group separately",
                listed.join(", ")
            ).into()));
        }
        Ok(meanings.into_iter().next())
    }

    async fn run_action_once(
        &self,
        on: On<'_>,
        id: &str,
        action: &str,
        args: &ActionArgs,
        signer: Option<&Signer>,
    ) -> ServiceResult<ActionOutcome> {
        let mut tx = match on.dry_run {
            true => self.store.preview().await?,
            false => self.write_as(on.caller).await?,
        };
        let outcome = self
            .action_in(&mut tx.db(), on, id, action, args, Signing::Checked(signer))
            .await?;
        if on.dry_run {
            tx.rollback().await?;
        } else {
            tx.commit().await?;
        }
        Ok(outcome)
    }

    /// One lifecycle action inside the caller's transaction (shared with bulk actions).
    pub(crate) async fn action_in(
        &self,
        db: &mut Db<'_>,
        on: On<'_>,
        id: &str,
        action: &str,
        args: &ActionArgs,
        signing: Signing<'_>,
    ) -> ServiceResult<ActionOutcome> {
        let On {
            caller,
            target,
            dry_run,
        } = on;
        let object = target.object.as_str();
        let (record, _, _) = self
            .visible_record_for_write(db, caller, object, id)
            .await?;
        let needed = target.lifecycle.signature_for(&record.state, action);
        let signer = match dry_run {
            true => None,
            false => signing.for_record(needed, &record, action)?,
        };
        let extra: Vec<PersonId> = args.to.iter().cloned().collect();
        require_all_found(db, &extra).await?;
        let before = record.clone();
        let (plan, after) = self
            .plan_and_apply(db, on, record, &extra, |snap, ctx| {
                collab::run_action(snap, action, args, ctx)
            })
            .await?;
        if !dry_run {
            let now = now_ms();
            db.audit(&action_entry(caller, action, &before, &after, now))
                .await?;
            if let Some(signer) = signer {
                let row = signer.row(caller, &after, Signed::Action(action.to_string()), None);
                db.audit(&signer.audit(&row, now)).await?;
                db.insert_signatures(std::slice::from_ref(&row)).await?;
            }
        }
        Ok(ActionOutcome {
            plan,
            dry_run,
            record: after,
            signature_required: needed.map(|m| m.as_str().to_string()),
        })
    }

    /// Locks a record for a write; externals get NOT_FOUND for what they cannot see and
    /// INSUFFICIENT_ACCESS for what they can see but not change.
    /// Whether `record` is read-only for `caller`: an external collaborator may read a closed
    /// record (one in an exit state of its lifecycle: closed, cancelled) but no longer add to
    /// it. Internal users may.
    pub fn is_read_only_for(&self, caller: &Caller, record: &Record) -> bool {
        !caller.is_internal()
            && self
                .config
                .target(&record.object)
                .is_some_and(|t| t.lifecycle.is_exit(&record.state))
    }

    /// INSUFFICIENT_ACCESS, saying why, when [`Portico::is_read_only_for`] holds.
    pub(crate) fn require_open_for(&self, caller: &Caller, record: &Record) -> ServiceResult<()> {
        if self.is_read_only_for(caller, record) {
            return Err(ServiceError::InsufficientAccess(format!(
                "{} is closed: you can still read it, but no longer comment, add files or answer on it",
                record.name
            ).into())
            .because("refusal-record-closed", &[("record", &record.name)]));
        }
        Ok(())
    }

    /// The record a caller adds a comment or a file to, read inside the write transaction:
    /// one it may read, and — for an external collaborator — one that is not closed.
    pub(crate) async fn record_to_add_to(
        &self,
        db: &mut Db<'_>,
        caller: &Caller,
        object: &str,
        id: &str,
    ) -> ServiceResult<Record> {
        self.target(object)?;
        let (record, _, _) = db
            .record(object, &RecordId::new(id), false)
            .await?
            .ok_or_else(|| not_found(object, id))?;
        if !caller.is_internal() && !db.has_role(&record.id, &caller.user.id).await? {
            return Err(not_found(object, id));
        }
        self.require_open_for(caller, &record)?;
        Ok(record)
    }

    pub(crate) async fn visible_record_for_write(
        &self,
        db: &mut Db<'_>,
        caller: &Caller,
        object: &str,
        id: &str,
    ) -> ServiceResult<(Record, i64, i64)> {
        let found = db
            .record(object, &RecordId::new(id), true)
            .await?
            .ok_or_else(|| not_found(object, id))?;
        if !caller.is_internal() {
            if db.has_role(&found.0.id, &caller.user.id).await? {
                return Err(ServiceError::InsufficientAccess(
                    "external collaborators cannot change records or run their actions".into(),
                )
                .because("refusal-external-cannot-change", &[]));
            }
            return Err(not_found(object, id));
        }
        Ok(found)
    }
}

/// The audit entry of a user's action on a record: the record before and after.
pub(crate) fn action_entry(
    caller: &Caller,
    action: &str,
    before: &Record,
    after: &Record,
    at: i64,
) -> AuditEntry {
    AuditEntry {
        at,
        actor: Some(caller.user.id.to_string()),
        action: format!("action.{action}"),
        object: before.object.clone(),
        object_id: before.id.to_string(),
        record: Some(before.id.to_string()),
        before: Some(record_json(before)),
        after: Some(record_json(after)),
        cause: Some(format!("user action {action}")),
        ..AuditEntry::default()
    }
}

fn distinct_people(ids: Vec<String>) -> Vec<PersonId> {
    let mut out: Vec<PersonId> = Vec::with_capacity(ids.len());
    for id in ids {
        let id = PersonId::new(id);
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

async fn checked_supplier(db: &mut Db<'_>, supplier: Option<&str>) -> ServiceResult<Option<OrgId>> {
    match supplier {
        None => Ok(None),
        Some(id) => {
            let id = OrgId::new(id);
            if db.organization(&id).await?.is_none() {
                return Err(ServiceError::InvalidData(
                    format!("supplier__v: no organization {id}").into(),
                ));
            }
            Ok(Some(id))
        }
    }
}

pub(crate) async fn require_all_found(db: &mut Db<'_>, people: &[PersonId]) -> ServiceResult<()> {
    for p in people {
        if db.person(p).await?.is_none() {
            return Err(ServiceError::InvalidData(
                format!("external_collaborator__v: no person {p}").into(),
            ));
        }
    }
    Ok(())
}
