//! Records of the target objects and their lifecycle actions: where the collaboration rules
//! meet storage.

use std::collections::{BTreeMap, BTreeSet};

use portico_domain::collab::{self, ActionArgs, Ctx, PersonFacts, Plan, Snapshot};
use portico_domain::config::TargetType;
use portico_domain::lifecycle::ActionInfo;
use portico_domain::model::Record;
use portico_domain::{OrgId, PersonId, RecordId, UserId};
use portico_store::{ApplyContext, AuditEntry, Db, QueuedEmail, RecordFilter};
use serde_json::json;

use crate::directory::required_text;
use crate::emails::{self, EmailContext};
use crate::reads::Page;
use crate::{new_id, now_ms, Caller, Portico, ServiceError, ServiceResult, UuidIds};

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
}

fn not_found(object: &str, id: &str) -> ServiceError {
    ServiceError::NotFound(format!("{object} {id} not found"))
}

fn record_json(r: &Record) -> String {
    json!({"name__v": r.name, "object_type__v": r.object_type, "state__v": r.state,
           "supplier__v": r.supplier.as_ref().map(OrgId::as_str),
           "external_collaborator__v": r.collaborators.iter().map(PersonId::as_str).collect::<Vec<_>>()})
    .to_string()
}

impl Portico {
    /// The configured type of `object`, or NOT_FOUND.
    pub fn target(&self, object: &str) -> ServiceResult<&TargetType> {
        self.config.target(object).ok_or_else(|| {
            ServiceError::NotFound(format!(
                "unknown object '{object}'; objects are organization__v, person__v and {}",
                self.config
                    .types
                    .iter()
                    .map(|t| t.object.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
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
        }
    }

    /// `POST /api/v1/vobjects/{object}`: a new record in the lifecycle's initial state. Its
    /// collaborators must satisfy the constraint (C1).
    pub async fn create_record(
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
                return Err(ServiceError::InvalidData(format!(
                    "object_type__v '{t}' is not a type of {object}; use {}",
                    target.object_type
                )));
            }
        }
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        let supplier = checked_supplier(&mut db, input.supplier.flatten().as_deref()).await?;
        let collaborators = distinct_people(input.collaborators.unwrap_or_default());
        let record = Record {
            id: RecordId::new(new_id("rec")),
            object: object.to_string(),
            object_type: target.object_type.clone(),
            name,
            state: target.lifecycle.initial.clone(),
            supplier,
            collaborators,
            created_by: caller.user.id.clone(),
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
    pub async fn record(
        &self,
        caller: &Caller,
        object: &str,
        id: &str,
    ) -> ServiceResult<RecordView> {
        let target = self.target(object)?;
        let mut reader = self.store.read().await?;
        let mut db = reader.db();
        let found = db
            .record(object, &RecordId::new(id), false)
            .await?
            .ok_or_else(|| not_found(object, id))?;
        if !caller.is_internal() && !db.has_role(&found.0.id, &caller.user.id).await? {
            return Err(not_found(object, id));
        }
        Ok(self.view(caller, target, found))
    }

    /// `GET /api/v1/vobjects/{object}`: filtered; externals see only records shared with them.
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
        let rows = self
            .store
            .read()
            .await?
            .db()
            .records(object, &filter)
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| self.view(caller, target, r))
            .collect())
    }

    /// `PATCH /api/v1/vobjects/{object}/{id}`: own fields, and the External Collaborator field
    /// with C1 and C4.
    pub async fn update_record(
        &self,
        caller: &Caller,
        object: &str,
        id: &str,
        input: RecordInput,
    ) -> ServiceResult<RecordView> {
        let target = self.target(object)?;
        let mut tx = self.store.write().await?;
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
        let wanted = input
            .collaborators
            .map(distinct_people)
            .unwrap_or_else(|| after.collaborators.clone());
        require_all_found(&mut db, &wanted).await?;
        // The constraint is checked against the record as this change leaves it, so a new
        // supplier is checked against the collaborators too.
        let people = self.snapshot_people(&mut db, &after, &wanted).await?;
        let pool = db.pool().await?;
        let snap = Snapshot {
            target,
            user_template: &self.config.user_template,
            record: after.clone(),
            pool,
            people,
        };
        let mut ids = UuidIds;
        let mut ctx = Ctx {
            actor: caller.user.id.clone(),
            now_ms: now_ms(),
            ids: &mut ids,
        };
        let plan = collab::set_collaborators(&snap, &wanted, &mut ctx)?;
        if plan.collaborators.is_none() && after.supplier != before.supplier {
            for p in &after.collaborators {
                if let Some(f) = snap.people.get(p) {
                    collab::check_constraint(target, &f.person, &after)?;
                }
            }
        }
        if let Some(c) = &plan.collaborators {
            after.collaborators = c.clone();
        }
        let now = ctx.now_ms;
        let emails = self.render_emails(&mut db, target, &plan, &after).await?;
        db.apply_plan(
            &plan,
            &ApplyContext {
                now,
                actor: &caller.user.id,
                record_after: &after,
                emails: &emails.0,
            },
        )
        .await?;
        self.store_password_tokens(&mut db, &emails.1, now).await?;
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
    pub async fn delete_record(
        &self,
        caller: &Caller,
        object: &str,
        id: &str,
    ) -> ServiceResult<Plan> {
        let target = self.target(object)?;
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        let (record, _, _) = self
            .visible_record_for_write(&mut db, caller, object, id)
            .await?;
        let people = self.snapshot_people(&mut db, &record, &[]).await?;
        let pool = db.pool().await?;
        let snap = Snapshot {
            target,
            user_template: &self.config.user_template,
            record: record.clone(),
            pool,
            people,
        };
        let mut ids = UuidIds;
        let mut ctx = Ctx {
            actor: caller.user.id.clone(),
            now_ms: now_ms(),
            ids: &mut ids,
        };
        let plan = collab::delete_record(&snap, &mut ctx)?;
        let now = ctx.now_ms;
        let emails = self.render_emails(&mut db, target, &plan, &record).await?;
        db.apply_plan(
            &plan,
            &ApplyContext {
                now,
                actor: &caller.user.id,
                record_after: &record,
                emails: &emails.0,
            },
        )
        .await?;
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

    /// `POST /api/v1/vobjects/{object}/{id}/actions/{name}` (C2, C3, C5, C7).
    pub async fn run_action(
        &self,
        caller: &Caller,
        object: &str,
        id: &str,
        action: &str,
        args: ActionArgs,
        dry_run: bool,
    ) -> ServiceResult<ActionOutcome> {
        let target = self.target(object)?;
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        let (record, _, _) = self
            .visible_record_for_write(&mut db, caller, object, id)
            .await?;
        let extra: Vec<PersonId> = args.to.iter().cloned().collect();
        require_all_found(&mut db, &extra).await?;
        let people = self.snapshot_people(&mut db, &record, &extra).await?;
        let pool = db.pool().await?;
        let snap = Snapshot {
            target,
            user_template: &self.config.user_template,
            record: record.clone(),
            pool,
            people,
        };
        let mut ids = UuidIds;
        let mut ctx = Ctx {
            actor: caller.user.id.clone(),
            now_ms: now_ms(),
            ids: &mut ids,
        };
        let plan = collab::run_action(&snap, action, &args, &mut ctx)?;
        let mut after = record.clone();
        if let Some(change) = &plan.state_change {
            after.state = change.to.clone();
        }
        if let Some(c) = &plan.collaborators {
            after.collaborators = c.clone();
        }
        if dry_run {
            tx.rollback().await?;
            return Ok(ActionOutcome {
                plan,
                dry_run: true,
                record: after,
            });
        }
        let now = ctx.now_ms;
        let emails = self.render_emails(&mut db, target, &plan, &after).await?;
        db.apply_plan(
            &plan,
            &ApplyContext {
                now,
                actor: &caller.user.id,
                record_after: &after,
                emails: &emails.0,
            },
        )
        .await?;
        self.store_password_tokens(&mut db, &emails.1, now).await?;
        db.audit(&AuditEntry {
            at: now,
            actor: Some(caller.user.id.to_string()),
            action: format!("action.{action}"),
            object: object.into(),
            object_id: id.to_string(),
            record: Some(id.to_string()),
            before: Some(record_json(&record)),
            after: Some(record_json(&after)),
            cause: Some(format!("user action {action}")),
            ..AuditEntry::default()
        })
        .await?;
        tx.commit().await?;
        Ok(ActionOutcome {
            plan,
            dry_run: false,
            record: after,
        })
    }

    /// Locks a record for a write; externals get NOT_FOUND for what they cannot see and
    /// INSUFFICIENT_ACCESS for what they can see but not change.
    async fn visible_record_for_write(
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
                ));
            }
            return Err(not_found(object, id));
        }
        Ok(found)
    }

    /// Loads the facts of every person an action on `record` concerns, locking persons then
    /// users in id order (the lock order every write follows, so writers never deadlock).
    async fn snapshot_people(
        &self,
        db: &mut Db<'_>,
        record: &Record,
        extra: &[PersonId],
    ) -> ServiceResult<BTreeMap<PersonId, PersonFacts>> {
        let mut concerned: BTreeSet<PersonId> = record.collaborators.iter().cloned().collect();
        concerned.extend(extra.iter().cloned());
        let active = db.active_assignments_on(&record.id).await?;
        concerned.extend(active.keys().cloned());
        let mut holders = db.role_holders(&record.id).await?;
        holders.extend(db.open_task_assignees(&record.id).await?);
        holders.sort();
        holders.dedup();
        for u in &holders {
            if let Some(person) = db.user(u).await?.and_then(|u| u.person) {
                concerned.insert(person);
            }
        }
        let concerned: Vec<PersonId> = concerned.into_iter().collect();
        let persons = db.lock_persons(&concerned).await?;
        let linked: Vec<UserId> = persons.iter().filter_map(|p| p.user.clone()).collect();
        let users: BTreeMap<UserId, _> = db
            .lock_users(&linked)
            .await?
            .into_iter()
            .map(|u| (u.id.clone(), u))
            .collect();
        let mut out = BTreeMap::new();
        for person in persons {
            let user = person.user.as_ref().and_then(|u| users.get(u)).cloned();
            let matching_user = match &user {
                Some(_) => None,
                None => {
                    db.matching_user(person.email.as_str(), &person.first_name, &person.last_name)
                        .await?
                }
            };
            let existing = user
                .as_ref()
                .or(matching_user.as_ref())
                .map(|u| u.id.clone());
            let (other, has_role, open_tasks) = match &existing {
                Some(u) => (
                    db.other_active_assignments(u, &record.id).await?,
                    db.has_role(&record.id, u).await?,
                    db.open_tasks(&record.id, u).await?,
                ),
                None => (0, false, vec![]),
            };
            let taken_usernames = if existing.is_none() {
                db.usernames_like(&collab::username_base(
                    &self.config.user_template.username_pattern,
                    &person,
                ))
                .await?
            } else {
                BTreeSet::new()
            };
            out.insert(
                person.id.clone(),
                PersonFacts {
                    assignment_here: active.get(&person.id).cloned(),
                    other_active_assignments: other,
                    has_role_here: has_role,
                    open_tasks_here: open_tasks,
                    taken_usernames,
                    person,
                    user,
                    matching_user,
                },
            );
        }
        Ok(out)
    }

    /// Renders the plan's emails; Welcome emails get a set-password link whose tokens are
    /// returned to be stored once the users exist.
    async fn render_emails(
        &self,
        db: &mut Db<'_>,
        target: &TargetType,
        plan: &Plan,
        record: &Record,
    ) -> ServiceResult<(Vec<QueuedEmail>, Vec<(UserId, String)>)> {
        if plan.emails.is_empty() {
            return Ok((vec![], vec![]));
        }
        let (creator_name, creator_email) =
            db.user_brief(&record.created_by).await?.unwrap_or_default();
        let cx = EmailContext {
            vault_name: &self.config.vault_name,
            public_url: &self.settings.public_url,
            creator_name,
            creator_email,
            record,
        };
        let mut rendered = Vec::with_capacity(plan.emails.len());
        let mut tokens = Vec::new();
        for e in &plan.emails {
            let token = emails::needs_password_link(e.kind).then(crate::auth::random_token);
            rendered.push(emails::render(target, e, &cx, token.as_deref()));
            if let Some(t) = token {
                tokens.push((e.user.clone(), t));
            }
        }
        Ok((rendered, tokens))
    }

    async fn store_password_tokens(
        &self,
        db: &mut Db<'_>,
        tokens: &[(UserId, String)],
        now: i64,
    ) -> ServiceResult<()> {
        for (user, token) in tokens {
            db.insert_password_token(
                &crate::auth::token_hash(token),
                user,
                now,
                now + self.settings.password_link_ms,
            )
            .await?;
        }
        Ok(())
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
                return Err(ServiceError::InvalidData(format!(
                    "supplier__v: no organization {id}"
                )));
            }
            Ok(Some(id))
        }
    }
}

async fn require_all_found(db: &mut Db<'_>, people: &[PersonId]) -> ServiceResult<()> {
    for p in people {
        if db.person(p).await?.is_none() {
            return Err(ServiceError::InvalidData(format!(
                "external_collaborator__v: no person {p}"
            )));
        }
    }
    Ok(())
}
