//! An in-memory world for the tests of the rules: it builds snapshots the way the service does
//! and applies plans' effects ([`Plan::effects`]) as the store writes them, so that scenarios
//! and properties can run whole sequences of actions without IO.

use std::collections::{BTreeMap, BTreeSet};

use super::*;
use crate::checklist::Checklist;
use crate::config::{Config, EmailKind};
use crate::ids::SequentialIds;
use crate::model::{LicenseType, Person, Record, SecurityProfile, User, UserStatus};
use crate::{
    AssignmentId, ChecklistId, EmailAddress, LicensePool, OrgId, PersonId, RecordId, SeatCount,
    TaskId, UserId,
};

#[derive(Debug, Clone)]
pub struct AssignmentRow {
    pub id: AssignmentId,
    pub record: RecordId,
    pub person: PersonId,
    pub user: UserId,
    pub active: bool,
}

#[derive(Debug, Clone)]
pub struct TaskRow {
    pub id: TaskId,
    pub record: RecordId,
    pub assignee: UserId,
    pub state: String,
    pub open: bool,
}

pub struct World {
    pub config: Config,
    pub persons: BTreeMap<PersonId, Person>,
    pub users: BTreeMap<UserId, User>,
    pub records: BTreeMap<RecordId, Record>,
    pub deleted: BTreeSet<RecordId>,
    pub assignments: Vec<AssignmentRow>,
    pub roles: BTreeSet<(RecordId, UserId)>,
    pub tasks: Vec<TaskRow>,
    pub pool: LicensePool,
    pub emails: Vec<PlannedEmail>,
    pub ids: SequentialIds,
    pub admin: UserId,
    pub checklists: Vec<Checklist>,
    pub notifications: Vec<PlannedNotification>,
    pub completed_tasks: Vec<CompletedTask>,
    /// The license waitlist, oldest first: record, person, requested by.
    pub waitlist: Vec<(RecordId, PersonId, UserId)>,
}

impl World {
    pub fn new() -> Self {
        Self::with_seats(10)
    }

    pub fn with_seats(seats: i64) -> Self {
        World {
            config: Config::default_config().unwrap(),
            persons: BTreeMap::new(),
            users: BTreeMap::new(),
            records: BTreeMap::new(),
            deleted: BTreeSet::new(),
            assignments: vec![],
            roles: BTreeSet::new(),
            tasks: vec![],
            pool: LicensePool {
                seats: SeatCount::parse(seats).unwrap(),
                active: 0,
            },
            emails: vec![],
            ids: SequentialIds::default(),
            admin: UserId::new("admin"),
            checklists: vec![],
            notifications: vec![],
            completed_tasks: vec![],
            waitlist: vec![],
        }
    }

    pub fn person(&mut self, org: &str, first: &str, last: &str) -> PersonId {
        let id = PersonId::new(format!(
            "per-{}-{}",
            first.to_lowercase(),
            self.persons.len() + 1
        ));
        self.persons.insert(
            id.clone(),
            Person {
                id: id.clone(),
                first_name: first.into(),
                last_name: last.into(),
                email: EmailAddress::parse(&format!("{}.{}@{org}.example", first, last)).unwrap(),
                organization: Some(OrgId::new(org)),
                language: "en".into(),
                timezone: None,
                user: None,
            },
        );
        id
    }

    /// An existing user with a person's exact details but not linked to it.
    pub fn unlinked_user_like(
        &mut self,
        person: &PersonId,
        status: UserStatus,
        managed: bool,
    ) -> UserId {
        let p = self.persons[person].clone();
        let id = UserId::new(format!("usr-pre-{}", self.users.len() + 1));
        if status == UserStatus::Active {
            self.pool.active += 1;
        }
        self.users.insert(
            id.clone(),
            User {
                id: id.clone(),
                username: p.email.to_string(),
                first_name: p.first_name,
                last_name: p.last_name,
                email: p.email,
                status,
                license: LicenseType::External,
                security_profile: SecurityProfile::ExternalCollaborator,
                managed,
                person: None,
            },
        );
        id
    }

    pub fn record(
        &mut self,
        object: &str,
        supplier: &str,
        collaborators: &[&PersonId],
    ) -> RecordId {
        let target = self.config.target(object).unwrap();
        let id = RecordId::new(format!("rec-{}", self.records.len() + 1));
        self.records.insert(
            id.clone(),
            Record {
                id: id.clone(),
                object: object.into(),
                object_type: target.object_type.clone(),
                name: format!("{}-{}", target.label, self.records.len() + 1),
                state: target.lifecycle.initial.clone(),
                supplier: Some(OrgId::new(supplier)),
                collaborators: collaborators.iter().map(|p| (*p).clone()).collect(),
                created_by: self.admin.clone(),
                access_end_date: None,
            },
        );
        id
    }

    pub fn user_of(&self, person: &PersonId) -> Option<&User> {
        self.persons[person].user.as_ref().map(|u| &self.users[u])
    }

    pub fn active_assignments_of(&self, user: &UserId) -> usize {
        self.assignments
            .iter()
            .filter(|a| a.active && &a.user == user)
            .count()
    }

    fn snapshot_people(
        &self,
        record: &Record,
        extra: &[PersonId],
    ) -> BTreeMap<PersonId, PersonFacts> {
        let mut concerned: BTreeSet<PersonId> = record.collaborators.iter().cloned().collect();
        concerned.extend(extra.iter().cloned());
        for a in &self.assignments {
            if a.active && a.record == record.id {
                concerned.insert(a.person.clone());
            }
        }
        for (p, person) in &self.persons {
            if let Some(u) = &person.user {
                let holds = self.roles.contains(&(record.id.clone(), u.clone()))
                    || self
                        .tasks
                        .iter()
                        .any(|t| t.open && t.record == record.id && &t.assignee == u);
                if holds {
                    concerned.insert(p.clone());
                }
            }
        }
        concerned
            .into_iter()
            .filter(|p| self.persons.contains_key(p))
            .map(|p| {
                let person = self.persons[&p].clone();
                let user = person.user.as_ref().map(|u| self.users[u].clone());
                let matching_user = if user.is_none() {
                    self.users
                        .values()
                        .find(|u| {
                            // C2 step 1 links external-license users only: a person named
                            // like an internal user must never take over its account.
                            u.person.is_none()
                                && u.license == LicenseType::External
                                && u.has_details_of(&person)
                        })
                        .cloned()
                } else {
                    None
                };
                let uid = user
                    .as_ref()
                    .or(matching_user.as_ref())
                    .map(|u| u.id.clone());
                let facts = PersonFacts {
                    waiting_here: self
                        .waitlist
                        .iter()
                        .any(|(r, w, _)| *r == record.id && *w == p),
                    assignment_here: self
                        .assignments
                        .iter()
                        .find(|a| a.active && a.record == record.id && a.person == p)
                        .map(|a| a.id.clone()),
                    other_active_assignments: uid.as_ref().map_or(0, |u| {
                        self.assignments
                            .iter()
                            .filter(|a| a.active && &a.user == u && a.record != record.id)
                            .count() as u32
                    }),
                    has_role_here: uid
                        .as_ref()
                        .is_some_and(|u| self.roles.contains(&(record.id.clone(), u.clone()))),
                    open_tasks_here: uid.as_ref().map_or(vec![], |u| {
                        self.tasks
                            .iter()
                            .filter(|t| t.open && t.record == record.id && &t.assignee == u)
                            .map(|t| OpenTask {
                                id: t.id.clone(),
                                state: t.state.clone(),
                            })
                            .collect()
                    }),
                    taken_usernames: self.users.values().map(|u| u.username.clone()).collect(),
                    open_checklists_here: self
                        .checklists
                        .iter()
                        .filter(|c| {
                            c.record == record.id && !c.completed && c.assignee.as_ref() == Some(&p)
                        })
                        .map(|c| c.id.clone())
                        .collect(),
                    person,
                    user,
                    matching_user,
                };
                (p, facts)
            })
            .collect()
    }

    fn with_snapshot<T>(
        &mut self,
        record: &RecordId,
        extra: &[PersonId],
        rule: impl FnOnce(&Snapshot<'_>, &mut Ctx<'_>) -> Result<T, RuleError>,
    ) -> Result<T, RuleError> {
        let rec = self.records[record].clone();
        let people = self.snapshot_people(&rec, extra);
        let config = self.config.clone();
        let target = config.target(&rec.object).unwrap();
        let snap = Snapshot {
            target,
            user_template: &config.user_template,
            record: rec,
            pool: self.pool,
            people,
        };
        let mut ctx = Ctx {
            actor: self.admin.clone(),
            now_ms: 1_000,
            ids: &mut self.ids,
        };
        rule(&snap, &mut ctx)
    }

    pub fn act(
        &mut self,
        record: &RecordId,
        action: &str,
        args: ActionArgs,
    ) -> Result<Plan, RuleError> {
        let extra: Vec<PersonId> = args.to.iter().cloned().collect();
        let plan = self.with_snapshot(record, &extra, |s, c| run_action(s, action, &args, c))?;
        self.apply(&plan);
        Ok(plan)
    }

    pub fn preview(
        &mut self,
        record: &RecordId,
        action: &str,
        args: ActionArgs,
    ) -> Result<Plan, RuleError> {
        let extra: Vec<PersonId> = args.to.iter().cloned().collect();
        self.with_snapshot(record, &extra, |s, c| run_action(s, action, &args, c))
    }

    pub fn send(&mut self, record: &RecordId) -> Result<Plan, RuleError> {
        self.act(
            record,
            "change_state_to_pending_response__c",
            ActionArgs::default(),
        )
    }

    fn record_of_task(&self, task: &TaskId) -> RecordId {
        self.tasks
            .iter()
            .find(|t| &t.id == task)
            .map(|t| t.record.clone())
            .unwrap()
    }

    pub fn complete_task(&mut self, task: &TaskId, by: TaskCompleter) -> Result<Plan, RuleError> {
        let record = self.record_of_task(task);
        let plan = self.with_snapshot(&record, &[], |s, c| {
            super::complete_task(s, task, "done", by, c)
        })?;
        self.apply(&plan);
        Ok(plan)
    }

    pub fn cancel_task(&mut self, task: &TaskId) -> Result<Plan, RuleError> {
        let record = self.record_of_task(task);
        let plan = self.with_snapshot(&record, &[], |s, c| super::cancel_task(s, task, c))?;
        self.apply(&plan);
        Ok(plan)
    }

    pub fn open_tasks_of(&self, record: &RecordId) -> Vec<TaskRow> {
        self.tasks
            .iter()
            .filter(|t| t.open && &t.record == record)
            .cloned()
            .collect()
    }

    pub fn add_checklist(
        &mut self,
        record: &RecordId,
        person: &PersonId,
    ) -> Result<ChecklistId, String> {
        let id = ChecklistId::new(format!("chk-{}", self.checklists.len() + 1));
        let r = &self.records[record];
        let c = Checklist::new(
            id.clone(),
            record.clone(),
            "8D",
            person.clone(),
            &["Root cause?".into()],
            &r.collaborators,
        )
        .map_err(|e| e.to_string())?;
        self.checklists.push(c);
        Ok(id)
    }

    pub fn complete_checklist(&mut self, id: &ChecklistId) -> Result<(), String> {
        let c = self.checklists.iter_mut().find(|c| &c.id == id).unwrap();
        c.answer(&[Some("answer".into())])
            .map_err(|e| e.to_string())?;
        c.complete().map_err(|e| e.to_string())
    }

    pub fn set_collaborators(
        &mut self,
        record: &RecordId,
        new: &[&PersonId],
    ) -> Result<Plan, RuleError> {
        let new: Vec<PersonId> = new.iter().map(|p| (*p).clone()).collect();
        let plan = self.with_snapshot(record, &new, |s, c| super::set_collaborators(s, &new, c))?;
        self.apply(&plan);
        Ok(plan)
    }

    /// The record's end date has passed.
    pub fn end_access(&mut self, record: &RecordId) -> Result<Plan, RuleError> {
        let plan = self.with_snapshot(record, &[], super::end_access)?;
        self.apply(&plan);
        Ok(plan)
    }

    /// A review removed `user`'s access to the record.
    pub fn end_user_access(&mut self, record: &RecordId, user: &UserId) -> Result<Plan, RuleError> {
        let plan = self.with_snapshot(record, &[], |s, c| super::end_user_access(s, c, user))?;
        self.apply(&plan);
        Ok(plan)
    }

    /// The record's end date is near.
    pub fn remind_access_ending(&mut self, record: &RecordId) -> Result<Plan, RuleError> {
        let plan = self.with_snapshot(record, &[], super::remind_access_ending)?;
        self.apply(&plan);
        Ok(plan)
    }

    pub fn delete(&mut self, record: &RecordId) -> Result<Plan, RuleError> {
        let plan = self.with_snapshot(record, &[], super::delete_record)?;
        self.apply(&plan);
        Ok(plan)
    }

    pub fn set_status(&mut self, user: &UserId, status: UserStatus) -> Result<(), RuleError> {
        let change = change_status(&self.users[user], status, self.pool)?;
        self.apply_status(user, change);
        Ok(())
    }

    fn apply_status(&mut self, user: &UserId, change: StatusChange) {
        let u = self.users.get_mut(user).unwrap();
        match change {
            StatusChange::None => {}
            StatusChange::Activate { takes_seat } => {
                u.status = UserStatus::Active;
                self.pool.active += u32::from(takes_seat);
            }
            StatusChange::Inactivate { frees_seat } => {
                u.status = UserStatus::Inactive;
                self.pool.active -= u32::from(frees_seat);
            }
        }
    }

    pub fn set_managed(&mut self, user: &UserId, managed: bool) -> Result<(), RuleError> {
        let u = self.users[user].clone();
        let active_assignments = self
            .assignments
            .iter()
            .filter(|a| a.active && &a.user == user)
            .map(|a| a.id.clone())
            .collect();
        let open_collaborations = u.person.as_ref().map_or(vec![], |p| {
            self.records
                .values()
                .filter(|r| !self.deleted.contains(&r.id) && r.collaborators.contains(p))
                .filter(|r| {
                    let lc = &self.config.target(&r.object).unwrap().lifecycle;
                    lc.open_states().contains(&r.state.as_str())
                })
                .filter(|r| {
                    !self
                        .assignments
                        .iter()
                        .any(|a| a.active && a.record == r.id && &a.person == p)
                })
                .map(|r| r.id.clone())
                .collect()
        });
        let facts = ManagedFacts {
            user: u,
            active_assignments,
            open_collaborations,
            pool: self.pool,
        };
        let mut ctx = Ctx {
            actor: self.admin.clone(),
            now_ms: 1_000,
            ids: &mut self.ids,
        };
        let change = change_managed(&facts, managed, &mut ctx)?;
        for id in &change.close {
            self.assignments
                .iter_mut()
                .filter(|a| &a.id == id)
                .for_each(|a| a.active = false);
        }
        for (id, record, person) in &change.open {
            self.assignments.push(AssignmentRow {
                id: id.clone(),
                record: record.clone(),
                person: person.clone(),
                user: user.clone(),
                active: true,
            });
        }
        self.users.get_mut(user).unwrap().managed = change.managed;
        self.apply_status(user, change.status);
        Ok(())
    }

    pub fn set_seats(&mut self, seats: i64) -> Result<(), String> {
        let seats = SeatCount::parse(seats).map_err(|e| e.to_string())?;
        self.pool = self.pool.resize(seats).map_err(|e| e.to_string())?;
        Ok(())
    }

    /// Applies a plan's effects, as the store writes them.
    pub fn apply(&mut self, plan: &Plan) {
        for effect in plan.effects() {
            match effect {
                Effect::UserCreated(u) => {
                    self.users.insert(u.id.clone(), u.user());
                    self.persons.get_mut(&u.person).unwrap().user = Some(u.id.clone());
                }
                Effect::UserLinked { person, user } => {
                    self.persons.get_mut(person).unwrap().user = Some(user.clone());
                    self.users.get_mut(user).unwrap().person = Some(person.clone());
                }
                Effect::UserInactivated(i) => {
                    self.users.get_mut(&i.user).unwrap().status = UserStatus::Inactive;
                }
                Effect::SeatFreed => self.pool.active -= 1,
                Effect::SeatTaken => {
                    self.pool.active += 1;
                    assert!(
                        self.pool.active <= self.pool.seats.get(),
                        "plan exceeded the seats"
                    );
                }
                Effect::UserActivated(a) => {
                    self.users.get_mut(&a.user).unwrap().status = UserStatus::Active;
                }
                Effect::RoleRemoved { record, user } => {
                    self.roles.remove(&(record.clone(), user.clone()));
                }
                Effect::RoleGranted { record, user } => {
                    self.roles.insert((record.clone(), user.clone()));
                }
                Effect::AssignmentClosed { assignment, .. } => self
                    .assignments
                    .iter_mut()
                    .filter(|a| &a.id == assignment)
                    .for_each(|a| a.active = false),
                Effect::AssignmentOpened { record, assignment } => {
                    self.assignments.push(AssignmentRow {
                        id: assignment.id.clone(),
                        record: record.clone(),
                        person: assignment.person.clone(),
                        user: assignment.user.clone(),
                        active: true,
                    });
                }
                Effect::TaskCancelled { task, .. } => self
                    .tasks
                    .iter_mut()
                    .filter(|t| &t.id == task)
                    .for_each(|t| t.open = false),
                Effect::TaskCompleted { task, .. } => {
                    self.tasks
                        .iter_mut()
                        .filter(|t| t.id == task.id)
                        .for_each(|t| t.open = false);
                    self.completed_tasks.push(task.clone());
                }
                Effect::ChecklistReassigned { checklist, to, .. } => self
                    .checklists
                    .iter_mut()
                    .filter(|c| &c.id == checklist)
                    .for_each(|c| c.assignee = to.cloned()),
                Effect::Notified { notification, .. } => {
                    self.notifications.push(notification.clone());
                }
                Effect::TaskCreated { record, task } => self.tasks.push(TaskRow {
                    id: task.id.clone(),
                    record: record.clone(),
                    assignee: task.assignee.clone(),
                    state: task.state.clone(),
                    open: true,
                }),
                Effect::StateChanged { record, change } => {
                    self.records.get_mut(record).unwrap().state = change.to.clone();
                }
                Effect::CollaboratorsSet { record, people } => {
                    self.records.get_mut(record).unwrap().collaborators = people.to_vec();
                }
                Effect::RecordDeleted { record } => {
                    self.deleted.insert(record.clone());
                }
                Effect::WaitQueued { record, person } => {
                    assert!(
                        !self.pool.can_take(1),
                        "a collaborator waits while a seat is free"
                    );
                    self.waitlist
                        .push((record.clone(), person.clone(), self.admin.clone()));
                }
                Effect::WaitEnded { record, wait } => self
                    .waitlist
                    .retain(|(r, p, _)| !(r == record && *p == wait.person)),
                Effect::EmailQueued(e) => self.emails.push(e.clone()),
            }
        }
    }

    /// Gives free seats to the oldest waiting collaborators, as the service does in the
    /// transaction that frees them; answers the plans.
    pub fn serve_waitlist(&mut self) -> Vec<Plan> {
        let mut plans = vec![];
        loop {
            // Whoever's account is active already needs no seat; then the oldest, if one is free.
            let ready = self
                .waitlist
                .iter()
                .find(|(_, p, _)| self.user_of(p).is_some_and(|u| u.is_active()))
                .cloned();
            let next = ready.or_else(|| {
                self.pool
                    .can_take(1)
                    .then(|| self.waitlist.first().cloned())
                    .flatten()
            });
            let Some((record, person, requester)) = next else {
                break;
            };
            let plan = self
                .with_snapshot(&record, std::slice::from_ref(&person), |s, c| {
                    Ok(super::serve_wait(s, &person, &requester, c))
                })
                .unwrap();
            let Ok(plan) = plan else { break };
            self.apply(&plan);
            plans.push(plan);
        }
        plans
    }

    pub fn emails_of(&self, kind: EmailKind) -> Vec<&PersonId> {
        self.emails
            .iter()
            .filter(|e| e.kind == kind)
            .map(|e| &e.person)
            .collect()
    }

    /// The invariants of the core issue, checked after every step of the property test.
    pub fn check_invariants(&self) -> Result<(), String> {
        let active_external = self
            .users
            .values()
            .filter(|u| u.is_active() && u.license == LicenseType::External)
            .count() as u32;
        if active_external != self.pool.active {
            return Err(format!(
                "pool says {} active, users say {active_external}",
                self.pool.active
            ));
        }
        if active_external > self.pool.seats.get() {
            return Err(format!(
                "{active_external} active external users exceed {} seats",
                self.pool.seats
            ));
        }
        for u in self.users.values() {
            let has_active = self.active_assignments_of(&u.id) > 0;
            if u.managed && u.is_active() != has_active {
                return Err(format!(
                    "managed user {} is {:?} with active assignment = {has_active}",
                    u.id, u.status
                ));
            }
            if !u.managed && has_active {
                return Err(format!("unmanaged user {} has tracked assignments", u.id));
            }
        }
        let mut users_per_person: BTreeMap<&PersonId, usize> = BTreeMap::new();
        for u in self.users.values() {
            if let Some(p) = &u.person {
                *users_per_person.entry(p).or_default() += 1;
                if self.persons[p].user.as_ref() != Some(&u.id) {
                    return Err(format!(
                        "user {} and person {p} disagree about their link",
                        u.id
                    ));
                }
            }
        }
        if let Some((p, n)) = users_per_person.iter().find(|(_, n)| **n > 1) {
            return Err(format!("person {p} has {n} users"));
        }
        for a in self.assignments.iter().filter(|a| a.active) {
            let r = &self.records[&a.record];
            let lc = &self.config.target(&r.object).unwrap().lifecycle;
            if self.deleted.contains(&r.id) || lc.is_exit(&r.state) {
                return Err(format!(
                    "active assignment {} on {} record {}",
                    a.id, r.state, r.id
                ));
            }
            if !r.collaborators.contains(&a.person) {
                return Err(format!(
                    "active assignment {} of a person no longer in the field",
                    a.id
                ));
            }
        }
        for c in self.checklists.iter().filter(|c| !c.completed) {
            if let Some(p) = &c.assignee {
                if !self.records[&c.record].collaborators.contains(p) {
                    return Err(format!(
                        "open checklist {} assigned to {p}, no longer a collaborator",
                        c.id
                    ));
                }
            }
        }
        for t in self.tasks.iter().filter(|t| t.open) {
            let r = &self.records[&t.record];
            if self.deleted.contains(&r.id) || r.state != t.state {
                return Err(format!(
                    "open task {} of state {} on record in {}",
                    t.id, t.state, r.state
                ));
            }
            let u = &self.users[&t.assignee];
            if u.managed && !u.is_active() {
                return Err(format!(
                    "open task {} of inactive managed user {}",
                    t.id, u.id
                ));
            }
        }
        Ok(())
    }
}
