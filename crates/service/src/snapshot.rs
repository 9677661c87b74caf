//! The write path every record action shares: load the facts a rule decides from (rows
//! locked), run the rule, and write its plan with its emails, notifications and audit entries.
//! The facts are loaded for many records at once, so that a bulk action costs a dozen
//! statements for all its records rather than a dozen per record; a single action is a bulk
//! of one.

use std::collections::{BTreeMap, BTreeSet};

use portico_domain::collab::{self, Ctx, Effect, PersonFacts, Plan, RuleError, Snapshot};
use portico_domain::config::TargetType;
use portico_domain::license::{LicensePool, SeatCount};
use portico_domain::model::{Person, Record, User, UserStatus};
use portico_domain::{PersonId, RecordId, UserId};
use portico_store::{ActiveAssignment, Db, QueuedEmail, RecordsFacts, Writes};

use crate::emails::{self, EmailContext};
use crate::{now_ms, Caller, Portico, ServiceError, ServiceResult, UuidIds};

/// Who runs a rule on a record of which type, and whether only as a preview.
#[derive(Clone, Copy)]
pub(crate) struct On<'a> {
    pub caller: &'a Caller,
    pub target: &'a TargetType,
    pub dry_run: bool,
}

/// How a plan is written: the cause its audit entries name (instead of the action on the
/// record) and the sponsor of the access it grants (instead of the caller).
#[derive(Clone, Copy, Default)]
pub(crate) struct Writing<'a> {
    pub cause: Option<&'a str>,
    pub sponsor: Option<&'a UserId>,
}

/// The persons, users and record facts of the records an action runs on, rows locked.
pub(crate) struct Facts {
    records: RecordsFacts,
    persons: BTreeMap<PersonId, Person>,
    /// Locked users: the persons' linked users and their exact-details matches.
    users: BTreeMap<UserId, User>,
    matching: BTreeMap<PersonId, UserId>,
    person_of_user: BTreeMap<UserId, PersonId>,
    active_counts: BTreeMap<UserId, u32>,
    taken_usernames: BTreeSet<String>,
    username_pattern: String,
    pool: LicensePool,
    /// Persons waiting for a seat, by record (the license waitlist).
    waiting: BTreeMap<RecordId, BTreeSet<PersonId>>,
}

/// A plan's emails, rendered (their secrets are made when they are sent).
pub(crate) struct Rendered {
    emails: Vec<QueuedEmail>,
}

/// The templates and creators the emails of an action are rendered with.
#[derive(Default)]
pub(crate) struct EmailSources {
    templates: crate::templates::TemplatesInForce,
    creators: BTreeMap<UserId, (String, String)>,
}

impl Facts {
    /// The persons an action on `record` concerns: its collaborators, `extra` (a
    /// reassignment's new collaborator), the persons of its Active assignments, and those
    /// behind its role holders and open tasks.
    pub(crate) fn concerned(&self, record: &Record, extra: &[PersonId]) -> BTreeSet<PersonId> {
        let mut out: BTreeSet<PersonId> = record.collaborators.iter().cloned().collect();
        out.extend(extra.iter().cloned());
        if let Some(active) = self.records.active.get(&record.id) {
            out.extend(active.keys().cloned());
        }
        let holders = self.records.holders.get(&record.id).into_iter().flatten();
        // Open tasks are keyed by record then user: this record's are one range.
        let assignees = self
            .records
            .open_tasks
            .range((record.id.clone(), UserId::default())..)
            .take_while(|((r, _), _)| *r == record.id)
            .map(|((_, u), _)| u);
        for u in holders.chain(assignees) {
            if let Some(p) = self.person_of_user.get(u) {
                out.insert(p.clone());
            }
        }
        out.retain(|p| self.persons.contains_key(p));
        out
    }

    /// The user C2 step 1 finds for a person: the linked one, else the exact-details match.
    pub(crate) fn existing_user(&self, person: &PersonId) -> Option<UserId> {
        let p = self.persons.get(person)?;
        match &p.user {
            Some(u) if self.users.contains_key(u) => Some(u.clone()),
            Some(_) => None,
            None => self.matching.get(person).cloned(),
        }
    }

    /// Whether a rule may make a user for `person`: it has none, or the user it matches
    /// another person matches too (two contacts with the same details: the first activated
    /// gets it, the other a user of its own). Their usernames are loaded for such persons.
    fn may_need_a_user(&self, person: &PersonId) -> bool {
        match self.existing_user(person) {
            None => true,
            Some(u) => {
                self.matching.get(person) == Some(&u)
                    && self
                        .matching
                        .iter()
                        .any(|(other, m)| *m == u && other != person)
            }
        }
    }

    /// What the rules know of each person concerned by an action on `record`.
    pub(crate) fn people(
        &self,
        record: &Record,
        extra: &[PersonId],
    ) -> BTreeMap<PersonId, PersonFacts> {
        let active = self.records.active.get(&record.id);
        let holders = self.records.holders.get(&record.id);
        let mut out = BTreeMap::new();
        for id in self.concerned(record, extra) {
            let person = self.persons[&id].clone();
            let user = person
                .user
                .as_ref()
                .and_then(|u| self.users.get(u))
                .cloned();
            let matching_user = match &user {
                Some(_) => None,
                None => self
                    .matching
                    .get(&id)
                    .and_then(|u| self.users.get(u))
                    .cloned(),
            };
            let existing = user
                .as_ref()
                .or(matching_user.as_ref())
                .map(|u| u.id.clone());
            let (other, has_role, open_tasks) = match &existing {
                Some(u) => {
                    let here = active
                        .into_iter()
                        .flat_map(|a| a.values())
                        .filter(|a| a.user == *u)
                        .count();
                    let all = self.active_counts.get(u).copied().unwrap_or(0);
                    (
                        all.saturating_sub(u32::try_from(here).unwrap_or(u32::MAX)),
                        holders.is_some_and(|h| h.contains(u)),
                        self.records
                            .open_tasks
                            .get(&(record.id.clone(), u.clone()))
                            .cloned()
                            .unwrap_or_default(),
                    )
                }
                None => (0, false, vec![]),
            };
            // The usernames this person's own base could give (as one lookup would answer):
            // the bulk's set holds every base's, and grows with each user made.
            let taken_usernames = if self.may_need_a_user(&id) {
                let base = collab::username_base(&self.username_pattern, &person);
                let dotted = format!("{base}.");
                self.taken_usernames
                    .range(base.clone()..)
                    .take_while(|u| u.starts_with(&base))
                    .filter(|u| **u == base || u.starts_with(&dotted))
                    .cloned()
                    .collect()
            } else {
                BTreeSet::new()
            };
            out.insert(
                id.clone(),
                PersonFacts {
                    waiting_here: self
                        .waiting
                        .get(&record.id)
                        .is_some_and(|w| w.contains(&id)),
                    assignment_here: active.and_then(|a| a.get(&id)).map(|a| a.id.clone()),
                    other_active_assignments: other,
                    has_role_here: has_role,
                    open_tasks_here: open_tasks,
                    taken_usernames,
                    open_checklists_here: self
                        .records
                        .open_checklists
                        .get(&(record.id.clone(), id.clone()))
                        .cloned()
                        .unwrap_or_default(),
                    person,
                    user,
                    matching_user,
                },
            );
        }
        out
    }

    /// The license pool as the facts see it (after the plans absorbed so far).
    pub(crate) fn pool(&self) -> LicensePool {
        self.pool
    }

    /// Makes the facts what they are once `plan` has run, for the records after it in a bulk:
    /// the plan's effects on users (made, linked, activated, inactivated), seats, usernames and
    /// Active assignments. (Facts of the plan's own record may stay stale: a bulk names each
    /// record once.) Answers false and changes nothing when the plan changes the status or
    /// link of a user an earlier plan of `changed` already changed: the writes of a bulk are
    /// grouped by table, so one user's changes must not depend on their order.
    pub(crate) fn absorb(&mut self, plan: &Plan, changed: &mut BTreeSet<UserId>) -> bool {
        let effects = plan.effects();
        let touched: BTreeSet<UserId> = effects
            .iter()
            .filter_map(Effect::changes_user)
            .cloned()
            .collect();
        if !touched.is_disjoint(changed) {
            return false;
        }
        changed.extend(touched);
        for effect in effects {
            match effect {
                Effect::UserCreated(u) => {
                    self.users.insert(u.id.clone(), u.user());
                    if let Some(p) = self.persons.get_mut(&u.person) {
                        p.user = Some(u.id.clone());
                    }
                    self.taken_usernames.insert(u.username.clone());
                }
                Effect::UserLinked { person, user } => {
                    if let Some(p) = self.persons.get_mut(person) {
                        p.user = Some(user.clone());
                    }
                    if let Some(u) = self.users.get_mut(user) {
                        u.person = Some(person.clone());
                    }
                    // A user linked is nobody's exact-details match any more: another person
                    // that matched it (a contact with the same details) gets a user of its
                    // own, with the usernames `may_need_a_user` had loaded for it.
                    self.matching.retain(|_, m| m != user);
                }
                Effect::UserInactivated(i) => self.set_status(&i.user, UserStatus::Inactive),
                Effect::SeatFreed => self.pool.active = self.pool.active.saturating_sub(1),
                Effect::SeatTaken => self.pool.active += 1,
                Effect::UserActivated(a) => self.set_status(&a.user, UserStatus::Active),
                Effect::AssignmentClosed { record, assignment } => {
                    let here = self.records.active.entry(record.clone()).or_default();
                    let person = here
                        .iter()
                        .find(|(_, a)| a.id == *assignment)
                        .map(|(p, _)| p.clone());
                    if let Some(a) = person.and_then(|p| here.remove(&p)) {
                        if let Some(n) = self.active_counts.get_mut(&a.user) {
                            *n = n.saturating_sub(1);
                        }
                    }
                }
                Effect::AssignmentOpened { record, assignment } => {
                    let here = self.records.active.entry(record.clone()).or_default();
                    here.insert(
                        assignment.person.clone(),
                        ActiveAssignment {
                            id: assignment.id.clone(),
                            user: assignment.user.clone(),
                        },
                    );
                    *self
                        .active_counts
                        .entry(assignment.user.clone())
                        .or_default() += 1;
                }
                Effect::WaitQueued { record, person } => {
                    self.waiting
                        .entry(record.clone())
                        .or_default()
                        .insert(person.clone());
                }
                Effect::WaitEnded { record, wait } => {
                    if let Some(w) = self.waiting.get_mut(record) {
                        w.remove(&wait.person);
                    }
                }
                // The plan's own record: no later plan of the round decides from it.
                Effect::RoleRemoved { .. }
                | Effect::RoleGranted { .. }
                | Effect::TaskCancelled { .. }
                | Effect::TaskCompleted { .. }
                | Effect::ChecklistReassigned { .. }
                | Effect::TaskCreated { .. }
                | Effect::StateChanged { .. }
                | Effect::CollaboratorsSet { .. }
                | Effect::RecordDeleted { .. } => {}
                // Nothing a rule decides from.
                Effect::Notified { .. } | Effect::EmailQueued(_) => {}
            }
        }
        true
    }

    fn set_status(&mut self, user: &UserId, status: UserStatus) {
        if let Some(u) = self.users.get_mut(user) {
            u.status = status;
        }
    }
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
        self.plan_and_apply_caused(db, on, record, extra, None, rule)
            .await
    }

    /// [`Portico::plan_and_apply`] with the audit entries' cause named (scheduled work: `end
    /// date`, …) instead of the action on the record. A seat the plan frees goes to the oldest
    /// waiting collaborator in this same transaction (the license waitlist).
    pub(crate) async fn plan_and_apply_caused<F>(
        &self,
        db: &mut Db<'_>,
        on: On<'_>,
        record: Record,
        extra: &[PersonId],
        cause: Option<&str>,
        rule: F,
    ) -> ServiceResult<(Plan, Record)>
    where
        F: FnOnce(&Snapshot<'_>, &mut Ctx<'_>) -> Result<Plan, RuleError> + Send,
    {
        let written = self
            .plan_and_apply_as(
                db,
                on,
                record,
                extra,
                Writing {
                    cause,
                    sponsor: None,
                },
                rule,
            )
            .await?;
        if !on.dry_run && written.0.seats_freed() > 0 {
            self.serve_waitlist(db, on.caller).await?;
        }
        Ok(written)
    }

    /// Decides and (unless a dry run) applies one rule on one record, written as `writing`
    /// says; gives no freed seat away.
    pub(crate) async fn plan_and_apply_as<F>(
        &self,
        db: &mut Db<'_>,
        on: On<'_>,
        record: Record,
        extra: &[PersonId],
        writing: Writing<'_>,
        rule: F,
    ) -> ServiceResult<(Plan, Record)>
    where
        F: FnOnce(&Snapshot<'_>, &mut Ctx<'_>) -> Result<Plan, RuleError> + Send,
    {
        let facts = self.load_facts(db, &[&record], extra).await?;
        let people = facts.people(&record, extra);
        let now = now_ms();
        let (plan, after) = self.decide(on, record, people, facts.pool(), now, rule)?;
        if on.dry_run {
            return Ok((plan, after));
        }
        // A plan that sends no email needs neither the templates nor the creator's name:
        // two statements fewer for most actions.
        let sources = match plan.emails.is_empty() {
            true => EmailSources::default(),
            false => {
                self.email_sources(db, on.target, std::slice::from_ref(&after.created_by))
                    .await?
            }
        };
        let rendered = self.render(&sources, &plan, &after)?;
        let mut w = Writes::new(now, &on.caller.user.id, crate::new_id);
        if let Some(cause) = writing.cause {
            w.caused_by(cause);
        }
        if let Some(sponsor) = writing.sponsor {
            w.sponsored_by(sponsor);
        }
        self.add_to_writes(&mut w, &plan, &after, rendered);
        db.write(w).await?;
        Ok((plan, after))
    }

    /// Runs `rule` on a snapshot; answers the plan and the record as it leaves it.
    pub(crate) fn decide<F>(
        &self,
        on: On<'_>,
        record: Record,
        people: BTreeMap<PersonId, PersonFacts>,
        pool: LicensePool,
        now: i64,
        rule: F,
    ) -> ServiceResult<(Plan, Record)>
    where
        F: FnOnce(&Snapshot<'_>, &mut Ctx<'_>) -> Result<Plan, RuleError>,
    {
        let snap = Snapshot {
            target: on.target,
            user_template: &self.config.user_template,
            record,
            pool,
            people,
        };
        let mut ids = UuidIds;
        let mut ctx = Ctx {
            actor: on.caller.user.id.clone(),
            now_ms: now,
            ids: &mut ids,
        };
        let plan = rule(&snap, &mut ctx)?;
        let mut after = snap.record;
        if let Some(change) = &plan.state_change {
            after.state = change.to.clone();
        }
        if let Some(c) = &plan.collaborators {
            after.collaborators = c.clone();
        }
        Ok((plan, after))
    }

    /// Loads the facts of every person an action on any of `records` concerns. Locks are
    /// taken in the one lock order of every write (ARCHITECTURE.md "Lock order"): the records
    /// (by the caller), then the persons, then their users, each in id order; the facts the
    /// rules decide from (assignments, role holders, tasks, other Active assignments,
    /// usernames) are read only once all of them are held, so no concurrent writer can have
    /// changed them between the read and the write.
    pub(crate) async fn load_facts(
        &self,
        db: &mut Db<'_>,
        records: &[&Record],
        extra: &[PersonId],
    ) -> ServiceResult<Facts> {
        let ids: Vec<_> = records.iter().map(|r| r.id.clone()).collect();
        let mut concerned = db.persons_concerned(&ids).await?;
        for r in records {
            concerned.extend(r.collaborators.iter().cloned());
        }
        concerned.extend(extra.iter().cloned());
        let concerned: Vec<PersonId> = concerned.into_iter().collect();
        let persons: BTreeMap<PersonId, Person> = db
            .lock_persons(&concerned)
            .await?
            .into_iter()
            .map(|p| (p.id.clone(), p))
            .collect();
        // Links change only with both rows locked: the locked persons tell whose users are
        // behind the role holders and task assignees.
        let person_of_user: BTreeMap<UserId, PersonId> = persons
            .values()
            .filter_map(|p| Some((p.user.clone()?, p.id.clone())))
            .collect();
        // C2 step 1's exact-details matches of the persons without a user are read first, so
        // that they are locked with the persons' own users in one id-ordered statement.
        let unlinked: Vec<&Person> = persons.values().filter(|p| p.user.is_none()).collect();
        let mut matches = match unlinked.is_empty() {
            true => BTreeMap::new(),
            false => db.matching_users(&unlinked).await?,
        };
        let wanted: Vec<UserId> = person_of_user
            .keys()
            .cloned()
            .chain(matches.values().map(|u| u.id.clone()))
            .collect();
        let mut locked: BTreeMap<UserId, User> = db
            .lock_users(&wanted)
            .await?
            .into_iter()
            .map(|u| (u.id.clone(), u))
            .collect();
        let users = person_of_user
            .keys()
            .filter_map(|u| Some((u.clone(), locked.remove(u)?)))
            .collect();
        let mut facts = Facts {
            records: RecordsFacts::default(),
            persons,
            users,
            matching: BTreeMap::new(),
            person_of_user,
            active_counts: BTreeMap::new(),
            taken_usernames: BTreeSet::new(),
            username_pattern: self.config.user_template.username_pattern.clone(),
            // Read last, below.
            pool: LicensePool {
                seats: SeatCount::default(),
                active: 0,
            },
            waiting: BTreeMap::new(),
        };
        // A match is checked once locked: if another writer linked it meanwhile, the person's
        // next-oldest match is looked for (twice more at most). Those are locked late, out of
        // the id order: a deadlock this causes is run again (`retry`).
        for round in 0..3 {
            let mut unmatched = vec![];
            for (person, u) in std::mem::take(&mut matches) {
                match locked.get(&u.id).filter(|u| u.person.is_none()) {
                    Some(user) => {
                        facts.matching.insert(person, user.id.clone());
                        facts.users.insert(user.id.clone(), user.clone());
                    }
                    None => unmatched.push(person),
                }
            }
            if unmatched.is_empty() || round == 2 {
                break;
            }
            let persons: Vec<&Person> = unmatched.iter().map(|p| &facts.persons[p]).collect();
            matches = db.matching_users(&persons).await?;
            let wanted: Vec<UserId> = matches.values().map(|u| u.id.clone()).collect();
            locked = db
                .lock_users(&wanted)
                .await?
                .into_iter()
                .map(|u| (u.id.clone(), u))
                .collect();
        }
        facts.records = db.records_facts(&ids).await?;
        facts.waiting = db.waiting_on(&ids).await?;
        let existing: Vec<UserId> = facts.users.keys().cloned().collect();
        facts.active_counts = db.active_assignment_counts(&existing).await?;
        let bases: BTreeSet<String> = facts
            .persons
            .values()
            .filter(|p| facts.may_need_a_user(&p.id))
            .map(|p| collab::username_base(&self.config.user_template.username_pattern, p))
            .collect();
        if !bases.is_empty() {
            let bases: Vec<String> = bases.into_iter().collect();
            facts.taken_usernames = db.usernames_like_any(&bases).await?;
        }
        facts.pool = db.pool_for(facts.persons.len()).await?;
        Ok(facts)
    }

    /// The templates of `target` in force and the names of `creators`.
    pub(crate) async fn email_sources(
        &self,
        db: &mut Db<'_>,
        target: &TargetType,
        creators: &[UserId],
    ) -> ServiceResult<EmailSources> {
        let mut names = BTreeMap::new();
        for u in creators {
            if !names.contains_key(u) {
                names.insert(u.clone(), db.user_brief(u).await?.unwrap_or_default());
            }
        }
        Ok(EmailSources {
            templates: self.templates_in_force(db, target).await?,
            creators: names,
        })
    }

    /// Renders the plan's emails: everything of a plan that can fail before it is written.
    pub(crate) fn render(
        &self,
        sources: &EmailSources,
        plan: &Plan,
        record: &Record,
    ) -> ServiceResult<Rendered> {
        let mut emails: Vec<QueuedEmail> = Vec::with_capacity(plan.emails.len());
        if !plan.emails.is_empty() {
            let (creator_name, creator_email) = sources
                .creators
                .get(&record.created_by)
                .cloned()
                .unwrap_or_default();
            let cx = EmailContext {
                vault_name: &self.config.vault_name,
                public_url: &self.settings.public_url,
                creator_name,
                creator_email,
                record,
            };
            for e in &plan.emails {
                let template = sources
                    .templates
                    .get(e.kind, &e.language)
                    .ok_or_else(|| ServiceError::broken(format!("no template {}", e.template)))?;
                emails.push(emails::render(template, e, &cx));
            }
        }
        Ok(Rendered { emails })
    }

    /// Adds the plan with its rendered emails to `w`.
    pub(crate) fn add_to_writes(
        &self,
        w: &mut Writes,
        plan: &Plan,
        record: &Record,
        rendered: Rendered,
    ) {
        w.add_plan(plan, record, &rendered.emails);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portico_domain::collab::{Activation, Inactivation, NewAssignment, NewUser};
    use portico_domain::model::{LicenseType, SecurityProfile};
    use portico_domain::{AssignmentId, EmailAddress, RecordId};

    fn person() -> Person {
        Person {
            id: PersonId::new("per_p"),
            first_name: "Pat".into(),
            last_name: "Doe".into(),
            email: EmailAddress::parse("pat@supplier.example").unwrap(),
            organization: None,
            language: "en".into(),
            timezone: None,
            user: None,
        }
    }

    fn record(id: &str) -> Record {
        Record {
            id: RecordId::new(id),
            object: "car__v".into(),
            object_type: "scar__v".into(),
            name: id.into(),
            state: "draft__c".into(),
            supplier: None,
            collaborators: vec![PersonId::new("per_p")],
            created_by: UserId::new("usr_admin"),
            access_end_date: None,
        }
    }

    fn facts() -> Facts {
        Facts {
            records: RecordsFacts::default(),
            persons: [(PersonId::new("per_p"), person())].into(),
            users: BTreeMap::new(),
            matching: BTreeMap::new(),
            person_of_user: BTreeMap::new(),
            active_counts: BTreeMap::new(),
            taken_usernames: BTreeSet::new(),
            username_pattern: "{email}".into(),
            pool: LicensePool {
                seats: SeatCount::default(),
                active: 9,
            },
            waiting: BTreeMap::new(),
        }
    }

    /// What C2 plans for a new person on `record`: a user made, activated and assigned.
    fn activation(record: &str) -> Plan {
        let user = UserId::new("usr_new");
        let p = PersonId::new("per_p");
        Plan {
            record: RecordId::new(record),
            users_created: vec![NewUser {
                id: user.clone(),
                username: "pat@supplier.example".into(),
                first_name: "Pat".into(),
                last_name: "Doe".into(),
                email: EmailAddress::parse("pat@supplier.example").unwrap(),
                license: LicenseType::External,
                security_profile: SecurityProfile::ExternalCollaborator,
                language: "en".into(),
                person: p.clone(),
            }],
            activations: vec![Activation {
                user: user.clone(),
                person: p.clone(),
                created: true,
                takes_seat: true,
            }],
            assignments_opened: vec![NewAssignment {
                id: AssignmentId::new(format!("asg_{record}")),
                person: p,
                user,
            }],
            ..Plan::default()
        }
    }

    #[test]
    fn the_next_record_of_a_bulk_sees_the_user_an_earlier_plan_made() {
        let mut f = facts();
        let mut changed = BTreeSet::new();
        assert!(f.absorb(&activation("rec_1"), &mut changed));
        let seen = &f.people(&record("rec_2"), &[])[&PersonId::new("per_p")];
        let user = seen.user.as_ref().expect("the user made for rec_1");
        assert_eq!(user.status, UserStatus::Active);
        assert_eq!(seen.other_active_assignments, 1, "its assignment on rec_1");
        assert!(seen.assignment_here.is_none());
        assert!(
            f.taken_usernames.contains("pat@supplier.example"),
            "the next new user must not get the same username"
        );
        assert_eq!(f.pool().active, 10, "the seat it took");
    }

    #[test]
    fn a_plan_changing_a_user_already_changed_in_the_round_is_refused_and_changes_nothing() {
        let mut f = facts();
        let mut changed = BTreeSet::new();
        assert!(f.absorb(&activation("rec_1"), &mut changed));
        let release = Plan {
            inactivations: vec![Inactivation {
                user: UserId::new("usr_new"),
                person: PersonId::new("per_p"),
                frees_seat: true,
            }],
            assignments_closed: vec![AssignmentId::new("asg_rec_1")],
            ..Plan::default()
        };
        assert!(!f.absorb(&release, &mut changed));
        let seen = &f.people(&record("rec_2"), &[])[&PersonId::new("per_p")];
        assert_eq!(seen.user.as_ref().unwrap().status, UserStatus::Active);
        assert_eq!(seen.other_active_assignments, 1);
        assert_eq!(f.pool().active, 10, "the seat is still taken");
    }

    #[test]
    fn a_contact_whose_match_another_contact_shares_has_its_usernames_and_gets_its_own_user() {
        let mut f = facts();
        let twin = Person {
            id: PersonId::new("per_q"),
            ..person()
        };
        f.persons.insert(twin.id.clone(), twin);
        let m = UserId::new("usr_m");
        let matched = User {
            id: m.clone(),
            username: "pat@supplier.example".into(),
            first_name: "Pat".into(),
            last_name: "Doe".into(),
            email: EmailAddress::parse("pat@supplier.example").unwrap(),
            status: UserStatus::Inactive,
            license: LicenseType::External,
            security_profile: SecurityProfile::ExternalCollaborator,
            managed: true,
            person: None,
        };
        f.users.insert(m.clone(), matched);
        f.matching.insert(PersonId::new("per_p"), m.clone());
        f.matching.insert(PersonId::new("per_q"), m.clone());
        f.taken_usernames.insert("pat@supplier.example".into());
        let both = Record {
            collaborators: vec![PersonId::new("per_p"), PersonId::new("per_q")],
            ..record("rec_1")
        };
        let seen = f.people(&both, &[]);
        for p in ["per_p", "per_q"] {
            let seen = &seen[&PersonId::new(p)];
            assert_eq!(seen.matching_user.as_ref().map(|u| &u.id), Some(&m));
            assert!(
                seen.taken_usernames.contains("pat@supplier.example"),
                "{p} may need a user of its own"
            );
        }

        let link = Plan {
            record: RecordId::new("rec_1"),
            users_linked: vec![(PersonId::new("per_p"), m)],
            ..Plan::default()
        };
        assert!(f.absorb(&link, &mut BTreeSet::new()));
        let later = Record {
            collaborators: vec![PersonId::new("per_q")],
            ..record("rec_2")
        };
        let seen = &f.people(&later, &[])[&PersonId::new("per_q")];
        assert!(seen.user.is_none() && seen.matching_user.is_none());
        assert!(seen.taken_usernames.contains("pat@supplier.example"));
    }
}
