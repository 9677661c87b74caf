//! The steps the rules are made of (C2 steps 1–5 for one person, C3/C4 for one person), building
//! up a plan while keeping track of what the plan itself has already changed.

use std::collections::BTreeMap;

use super::plan::EndedWait;
use super::plan::{
    Activation, CompletedTask, Inactivation, NewAssignment, NewTask, NewUser, NotificationKind,
    PlannedEmail, PlannedNotification,
};
use super::{Ctx, PersonFacts, Plan, RuleError, Snapshot};
use crate::config::{EmailKind, WhenNoSeat};
use crate::model::{LicenseType, User, UserStatus, RECORD_FIELDS};
use crate::template::{Escape, Template};
use crate::vql::Fields;
use crate::{AssignmentId, ChecklistId, PersonId, TaskId, UserId};

/// The user a person acts through, as the plan has left it so far.
#[derive(Debug, Clone)]
pub(super) struct Effective {
    pub id: UserId,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub email: crate::EmailAddress,
    pub language: String,
    pub managed: bool,
    pub active: bool,
    pub takes_seat: bool,
}

impl Effective {
    fn of(user: &User) -> Self {
        Effective {
            id: user.id.clone(),
            username: user.username.clone(),
            first_name: user.first_name.clone(),
            last_name: user.last_name.clone(),
            email: user.email.clone(),
            language: String::new(),
            managed: user.managed,
            active: user.status == UserStatus::Active,
            takes_seat: user.license == LicenseType::External,
        }
    }
}

pub(super) struct Builder<'s, 'c> {
    pub snap: &'s Snapshot<'s>,
    pub ctx: &'s mut Ctx<'c>,
    pub plan: Plan,
    /// Active external users after what the plan did so far.
    active_seats: u32,
    users: BTreeMap<PersonId, Effective>,
    assignments: BTreeMap<PersonId, Option<AssignmentId>>,
    has_role: BTreeMap<PersonId, bool>,
    /// Open tasks per person after the plan's cancellations: (task, state).
    open_tasks: BTreeMap<PersonId, Vec<(TaskId, String)>>,
    /// Open checklists per person after the plan's moves.
    open_checklists: BTreeMap<PersonId, Vec<ChecklistId>>,
    /// Persons waiting for a seat on the record after what the plan did.
    waiting: BTreeMap<PersonId, bool>,
}

impl<'s, 'c> Builder<'s, 'c> {
    pub fn new(snap: &'s Snapshot<'s>, ctx: &'s mut Ctx<'c>, action: &str) -> Self {
        let mut users = BTreeMap::new();
        let mut assignments = BTreeMap::new();
        let mut has_role = BTreeMap::new();
        let mut open_tasks = BTreeMap::new();
        let mut open_checklists = BTreeMap::new();
        let mut waiting = BTreeMap::new();
        for (id, facts) in &snap.people {
            waiting.insert(id.clone(), facts.waiting_here);
            open_checklists.insert(id.clone(), facts.open_checklists_here.clone());
            if let Some(user) = &facts.user {
                let mut e = Effective::of(user);
                e.language = facts.person.language.clone();
                users.insert(id.clone(), e);
            }
            assignments.insert(id.clone(), facts.assignment_here.clone());
            has_role.insert(id.clone(), facts.has_role_here);
            open_tasks.insert(
                id.clone(),
                facts
                    .open_tasks_here
                    .iter()
                    .map(|t| (t.id.clone(), t.state.clone()))
                    .collect(),
            );
        }
        Builder {
            snap,
            ctx,
            plan: Plan {
                record: snap.record.id.clone(),
                action: action.to_string(),
                ..Plan::default()
            },
            active_seats: snap.pool.active,
            users,
            assignments,
            has_role,
            open_tasks,
            open_checklists,
            waiting,
        }
    }

    pub fn facts(&self, person: &PersonId) -> Result<&'s PersonFacts, RuleError> {
        self.snap
            .people
            .get(person)
            .ok_or_else(|| RuleError::InvalidInput(format!("unknown person {person}")))
    }

    /// Tells a person with an Active assignment here that its access ends on the record's
    /// end date (the `access_ending` template).
    pub fn remind_access_ending(&mut self, person: &PersonId) {
        if !self.has_assignment(person) {
            return;
        }
        if let Some(user) = self.users.get(person).cloned() {
            self.email(EmailKind::AccessEnding, person, &user);
        }
    }

    pub fn has_assignment(&self, person: &PersonId) -> bool {
        self.assignments.get(person).is_some_and(Option::is_some)
    }

    /// Whether the person waits for a seat on the record (the license waitlist).
    pub fn is_waiting(&self, person: &PersonId) -> bool {
        self.waiting.get(person).copied().unwrap_or(false)
    }

    /// Ends the person's wait on the record, if it waits: served (C2 ran for it) or dropped.
    pub fn end_wait(&mut self, person: &PersonId, served: bool) {
        if self.is_waiting(person) {
            self.waiting.insert(person.clone(), false);
            self.plan.waits_ended.push(EndedWait {
                person: person.clone(),
                served,
            });
        }
    }

    /// C1 for one person, with `this` being the record as the action leaves it.
    pub fn check_constraint(&self, person: &PersonId) -> Result<(), RuleError> {
        let facts = self.facts(person)?;
        super::check_constraint(self.snap.target, &facts.person, &self.snap.record)
    }

    /// C2 steps 1–4 for one person: find or create the user, activate it when it is managed
    /// and inactive, grant the role, open the assignment.
    pub fn activate(&mut self, person: &PersonId) -> Result<(), RuleError> {
        let facts = self.facts(person)?;
        if self.has_assignment(person) {
            return Ok(());
        }
        // A user the plan already linked to another person (two contacts with the same
        // details) is that person's: this one gets a user of its own.
        let matched = facts.matching_user.as_ref().filter(|m| {
            !self
                .plan
                .users_linked
                .iter()
                .any(|(_, linked)| *linked == m.id)
        });
        // The one seat check of the rules (the store's conditional update is the one of the
        // database): a new user, or a managed inactive external one, needs a free seat.
        let needs_seat = match self.users.get(person) {
            Some(u) => u.managed && !u.active && u.takes_seat,
            None => matched.is_none_or(|m| {
                m.managed && m.status != UserStatus::Active && m.license == LicenseType::External
            }),
        };
        if needs_seat && self.active_seats >= self.snap.pool.seats.get() {
            if self.snap.target.when_no_seat == WhenNoSeat::Queue {
                // The collaborator waits: nothing of its activation is done until a seat frees.
                if !self.is_waiting(person) {
                    self.waiting.insert(person.clone(), true);
                    self.plan.waiting.push(person.clone());
                }
                return Ok(());
            }
            return Err(RuleError::LicenseLimitExceeded {
                person_name: facts.person.display_name(),
                seats: self.snap.pool.seats.get(),
            });
        }
        let (mut user, created) = match self.users.get(person) {
            Some(u) => (u.clone(), false),
            None => match matched {
                Some(matched) => {
                    self.plan
                        .users_linked
                        .push((person.clone(), matched.id.clone()));
                    let mut e = Effective::of(matched);
                    e.language = facts.person.language.clone();
                    (e, false)
                }
                None => (self.create_user(facts), true),
            },
        };
        if user.managed && !user.active {
            if user.takes_seat {
                self.active_seats += 1;
            }
            user.active = true;
            self.plan.activations.push(Activation {
                user: user.id.clone(),
                person: person.clone(),
                created,
                takes_seat: user.takes_seat,
            });
            let kind = if created {
                EmailKind::Welcome
            } else {
                EmailKind::WelcomeBack
            };
            self.email(kind, person, &user);
        }
        if !self.has_role.get(person).copied().unwrap_or(false) {
            self.plan.roles_granted.push(user.id.clone());
            self.has_role.insert(person.clone(), true);
        }
        if user.managed {
            let id = AssignmentId::new(self.ctx.ids.next_id("asg"));
            self.plan.assignments_opened.push(NewAssignment {
                id: id.clone(),
                person: person.clone(),
                user: user.id.clone(),
            });
            self.assignments.insert(person.clone(), Some(id));
        }
        self.users.insert(person.clone(), user);
        self.end_wait(person, true);
        Ok(())
    }

    fn create_user(&mut self, facts: &PersonFacts) -> Effective {
        let template = self.snap.user_template;
        let person = &facts.person;
        let base = super::username_base(&template.username_pattern, person);
        let taken = |name: &str| {
            facts.taken_usernames.contains(name)
                || self.plan.users_created.iter().any(|u| u.username == name)
        };
        let mut username = base.clone();
        let mut n = 2;
        while taken(&username) {
            username = format!("{base}.{n}");
            n += 1;
        }
        let language = if person.language.is_empty() {
            template.language.clone()
        } else {
            person.language.clone()
        };
        let id = UserId::new(self.ctx.ids.next_id("usr"));
        self.plan.users_created.push(NewUser {
            id: id.clone(),
            username: username.clone(),
            first_name: person.first_name.clone(),
            last_name: person.last_name.clone(),
            email: person.email.clone(),
            license: LicenseType::External,
            security_profile: template.security_profile,
            language: language.clone(),
            person: person.id.clone(),
        });
        Effective {
            id,
            username,
            first_name: person.first_name.clone(),
            last_name: person.last_name.clone(),
            email: person.email.clone(),
            language,
            managed: true,
            active: false,
            takes_seat: true,
        }
    }

    /// C2 step 5: the state's response task, unless the person already has an open one there.
    pub fn assign_task(
        &mut self,
        person: &PersonId,
        state: &str,
        reason: Option<&str>,
    ) -> Result<(), RuleError> {
        let lifecycle = &self.snap.target.lifecycle;
        let Some(task) = lifecycle
            .state(state)
            .and_then(|s| s.response_task.as_ref())
        else {
            return Ok(());
        };
        let Some(user) = self.users.get(person).cloned() else {
            return Ok(());
        };
        if self.is_waiting(person) {
            // Its task comes with its seat.
            return Ok(());
        }
        let already = self
            .open_tasks
            .get(person)
            .is_some_and(|tasks| tasks.iter().any(|(_, s)| s == state));
        if already {
            return Ok(());
        }
        let mut instructions = Template::parse(&task.instructions, &RECORD_FIELDS)
            .map(|t| t.render(&record_values(&self.snap.record), Escape::None))
            .unwrap_or_else(|_| task.instructions.clone());
        if let Some(reason) = reason {
            instructions =
                format!("{instructions}\n\nYour previous response was rejected: {reason}");
        }
        let id = TaskId::new(self.ctx.ids.next_id("tsk"));
        self.plan.tasks_created.push(NewTask {
            id: id.clone(),
            assignee: user.id.clone(),
            person: person.clone(),
            state: state.to_string(),
            label: task.label.clone(),
            instructions,
            due_at_ms: self.ctx.now_ms + i64::from(task.due_days) * 86_400_000,
        });
        self.open_tasks
            .entry(person.clone())
            .or_default()
            .push((id, state.to_string()));
        self.email(EmailKind::Task, person, &user);
        let message = format!("New task on {}: {}", self.snap.record.name, task.label);
        let args = vec![
            ("record", self.snap.record.name.clone()),
            ("label", task.label.clone()),
            ("state", state.to_string()),
        ];
        self.notify(&user.id, NotificationKind::TaskAssigned, message, args);
        Ok(())
    }

    /// C6: completes an open task with a response; answers the state it belonged to.
    pub fn complete_task(
        &mut self,
        task: &TaskId,
        response: &str,
        on_behalf_by: Option<UserId>,
    ) -> Result<String, RuleError> {
        for tasks in self.open_tasks.values_mut() {
            if let Some(i) = tasks.iter().position(|(id, _)| id == task) {
                let (id, state) = tasks.remove(i);
                self.plan.tasks_completed.push(CompletedTask {
                    id,
                    response: response.to_string(),
                    on_behalf_by,
                });
                return Ok(state);
            }
        }
        Err(RuleError::TaskNotOpen {
            task: task.to_string(),
        })
    }

    /// Cancels one open task.
    pub fn cancel_task(&mut self, task: &TaskId) -> Result<(), RuleError> {
        for tasks in self.open_tasks.values_mut() {
            if let Some(i) = tasks.iter().position(|(id, _)| id == task) {
                let (id, _) = tasks.remove(i);
                self.plan.tasks_cancelled.push(id);
                return Ok(());
            }
        }
        Err(RuleError::TaskNotOpen {
            task: task.to_string(),
        })
    }

    /// Open tasks of a state left after what the plan did.
    pub fn open_tasks_in(&self, state: &str) -> usize {
        self.open_tasks
            .values()
            .flatten()
            .filter(|(_, s)| s == state)
            .count()
    }

    /// The user a person acts through, as the plan left it.
    pub fn user_of(&self, person: &PersonId) -> Option<UserId> {
        self.users.get(person).map(|u| u.id.clone())
    }

    /// C5 step 4 (and C4): the person's open checklists go to `to`, or to nobody.
    pub fn move_checklists(&mut self, from: &PersonId, to: Option<&PersonId>) {
        let moved = self.open_checklists.remove(from).unwrap_or_default();
        for c in &moved {
            self.plan
                .checklists_reassigned
                .push((c.clone(), to.cloned()));
        }
        if let Some(to) = to {
            self.open_checklists
                .entry(to.clone())
                .or_default()
                .extend(moved);
        }
    }

    /// An in-app notification.
    pub fn notify(
        &mut self,
        user: &UserId,
        kind: NotificationKind,
        message: String,
        args: Vec<(&'static str, String)>,
    ) {
        self.plan.notifications.push(PlannedNotification {
            user: user.clone(),
            kind,
            message,
            args,
        });
    }

    /// Cancels the person's open tasks on the record; all of them, or those of one state.
    pub fn cancel_tasks(&mut self, person: &PersonId, only_state: Option<&str>) {
        if let Some(tasks) = self.open_tasks.get_mut(person) {
            let (cancel, keep): (Vec<_>, Vec<_>) = tasks
                .drain(..)
                .partition(|(_, s)| only_state.is_none_or(|only| only == s));
            *tasks = keep;
            self.plan
                .tasks_cancelled
                .extend(cancel.into_iter().map(|(id, _)| id));
        }
    }

    /// C3 for one person (and C4 when `remove_role`): close its assignment, cancel its open
    /// tasks here, and inactivate its user with Goodbye when it has no other Active assignment.
    pub fn release(&mut self, person: &PersonId, remove_role: bool) -> Result<(), RuleError> {
        let facts = self.facts(person)?;
        self.end_wait(person, false);
        self.cancel_tasks(person, None);
        if let Some(Some(assignment)) = self.assignments.insert(person.clone(), None) {
            self.plan.assignments_closed.push(assignment);
            if let Some(user) = self.users.get(person).cloned() {
                if user.managed && user.active && facts.other_active_assignments == 0 {
                    if user.takes_seat {
                        self.active_seats = self.active_seats.saturating_sub(1);
                    }
                    self.plan.inactivations.push(Inactivation {
                        user: user.id.clone(),
                        person: person.clone(),
                        frees_seat: user.takes_seat,
                    });
                    self.email(EmailKind::Goodbye, person, &user);
                    if let Some(u) = self.users.get_mut(person) {
                        u.active = false;
                    }
                }
            }
        }
        if remove_role && self.has_role.get(person).copied().unwrap_or(false) {
            if let Some(user) = self.users.get(person) {
                self.plan.roles_removed.push(user.id.clone());
            }
            self.has_role.insert(person.clone(), false);
        }
        Ok(())
    }

    fn email(&mut self, kind: EmailKind, person: &PersonId, user: &Effective) {
        self.plan.emails.push(PlannedEmail {
            kind,
            template: kind.template_name(&self.snap.target.object_type),
            user: user.id.clone(),
            person: person.clone(),
            to: user.email.clone(),
            first_name: user.first_name.clone(),
            last_name: user.last_name.clone(),
            username: user.username.clone(),
            language: user.language.clone(),
        });
    }

    pub fn finish(self) -> Plan {
        self.plan
    }
}

/// The record's fields as template values (`${name__v}`, …).
pub fn record_values(record: &crate::model::Record) -> BTreeMap<String, String> {
    RECORD_FIELDS
        .iter()
        .filter_map(|f| {
            record.field(f).map(|v| {
                let text = match v {
                    crate::vql::Value::Str(s) => s,
                    crate::vql::Value::Number(n) => n.to_string(),
                    crate::vql::Value::Bool(b) => b.to_string(),
                    crate::vql::Value::Null => String::new(),
                };
                (f.to_string(), text)
            })
        })
        .collect()
}
