//! The write path every record action shares: load the snapshot a rule decides from (rows
//! locked), run the rule, and apply its plan with its emails, notifications and audit entries.

use std::collections::{BTreeMap, BTreeSet};

use portico_domain::collab::{self, Ctx, PersonFacts, Plan, RuleError, Snapshot};
use portico_domain::config::TargetType;
use portico_domain::model::Record;
use portico_domain::{PersonId, UserId};
use portico_store::{ApplyContext, Db, QueuedEmail};

use crate::emails::{self, EmailContext, Secrets};
use crate::{now_ms, Caller, Portico, ServiceError, ServiceResult, UuidIds};

/// Who runs a rule on a record of which type, and whether only as a preview.
#[derive(Clone, Copy)]
pub(crate) struct On<'a> {
    pub caller: &'a Caller,
    pub target: &'a TargetType,
    pub dry_run: bool,
}

impl Portico {
    /// Decides and (unless a dry run) applies one rule on one record inside the caller's
    /// transaction; answers the plan and the record as the plan leaves it. `extra` are persons
    /// the rule needs besides the record's (a reassignment's new collaborator).
    pub(crate) async fn plan_and_apply<F>(
        &self,
        db: &mut Db<'_>,
        on: On<'_>,
        record: Record,
        extra: &[PersonId],
        rule: F,
    ) -> ServiceResult<(Plan, Record)>
    where
        F: FnOnce(&Snapshot<'_>, &mut Ctx<'_>) -> Result<Plan, RuleError> + Send,
    {
        let On {
            caller,
            target,
            dry_run,
        } = on;
        let people = self.snapshot_people(db, &record, extra).await?;
        let pool = db.pool().await?;
        let snap = Snapshot {
            target,
            user_template: &self.config.user_template,
            record,
            pool,
            people,
        };
        let mut ids = UuidIds;
        let mut ctx = Ctx {
            actor: caller.user.id.clone(),
            now_ms: now_ms(),
            ids: &mut ids,
        };
        let plan = rule(&snap, &mut ctx)?;
        let now = ctx.now_ms;
        let mut after = snap.record;
        if let Some(change) = &plan.state_change {
            after.state = change.to.clone();
        }
        if let Some(c) = &plan.collaborators {
            after.collaborators = c.clone();
        }
        if dry_run {
            return Ok((plan, after));
        }
        let (emails, secrets) = self.render_emails(db, target, &plan, &after).await?;
        db.apply_plan(
            &plan,
            &ApplyContext {
                now,
                actor: &caller.user.id,
                record_after: &after,
                emails: &emails,
                new_id: crate::new_id,
            },
        )
        .await?;
        self.store_secrets(db, secrets, now).await?;
        Ok((plan, after))
    }

    /// Loads the facts of every person an action on `record` concerns, locking persons then
    /// users in id order (the lock order every write follows, so writers never deadlock).
    pub(crate) async fn snapshot_people(
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
                    open_checklists_here: db.open_checklists(&record.id, &person.id).await?,
                    person,
                    user,
                    matching_user,
                },
            );
        }
        Ok(out)
    }

    /// Renders the plan's emails with the templates in force; answers them and the secrets
    /// they carry, to be stored once the users exist.
    pub(crate) async fn render_emails(
        &self,
        db: &mut Db<'_>,
        target: &TargetType,
        plan: &Plan,
        record: &Record,
    ) -> ServiceResult<(Vec<QueuedEmail>, Secrets)> {
        let mut secrets = Secrets::default();
        if plan.emails.is_empty() {
            return Ok((vec![], secrets));
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
        let templates = self.templates_in_force(db, target).await?;
        let mut rendered = Vec::with_capacity(plan.emails.len());
        for e in &plan.emails {
            let template = templates
                .get(&e.kind)
                .ok_or_else(|| ServiceError::Internal(format!("no template {}", e.template)))?;
            rendered.push(emails::render(template, e, &cx, &mut secrets));
        }
        Ok((rendered, secrets))
    }

    /// Stores the set-password tokens and one-time passwords the emails carry.
    pub(crate) async fn store_secrets(
        &self,
        db: &mut Db<'_>,
        secrets: Secrets,
        now: i64,
    ) -> ServiceResult<()> {
        for (user, token) in &secrets.link_tokens {
            db.insert_password_token(
                &crate::auth::token_hash(token),
                user,
                now,
                now + self.settings.password_link_ms,
            )
            .await?;
        }
        for (user, password) in secrets.one_time_passwords {
            let hash = crate::auth::hash_password_unchecked(password).await?;
            db.set_password_hash(&user, &hash, true).await?;
        }
        Ok(())
    }
}
