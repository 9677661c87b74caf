//! Applying domain plans: every row their effects ([`Plan::effects`]) change, their emails and
//! their audit entries, inside the caller's transaction. The rows of one plan — or of many, for
//! a bulk action — are collected in [`Writes`] first and then written table by table, a few
//! statements in all.

use portico_domain::collab::{Effect, Plan};
use portico_domain::model::{Record, UserStatus};
use portico_domain::{PersonId, UserId};
use serde_json::json;

use crate::batch::{strs, V};
use crate::error::{Conflict, Unique};
use crate::notifications::NotificationRow;
use crate::outbox::QueuedEmail;
use crate::records::{ASSIGNMENT_COLS, EXTERNAL_COLLABORATOR_ROLE, SHARING_COLS};
use crate::rows::{license_name, status_name};
use crate::signatures::SignatureRow;
use crate::tasks::TaskRow;
use crate::users::NewUserRow;
use crate::{AuditEntry, Db, Result, StoreError};

/// The columns a plan writes of a waitlist entry (its place, `seq`, is the database's).
const WAITLIST_COLS: &[&str] = &[
    "record_id",
    "object",
    "person_id",
    "requested_by",
    "queued_at",
];

/// The rows of one or more plans, by table, in the order they must be written (a user before
/// the role that names it; seats freed before seats taken). Plans collected together must not
/// touch the same persons or users: the bulk action makes sure of that.
#[derive(Debug)]
pub struct Writes {
    now: i64,
    actor: UserId,
    sponsor: UserId,
    cause: Option<String>,
    new_id: fn(&str) -> String,
    users: Vec<NewUserRow>,
    links: Vec<(UserId, PersonId)>,
    /// The users whose seats are freed, and those given one.
    seats_freed: Vec<UserId>,
    inactivated: Vec<UserId>,
    seats_taken: Vec<UserId>,
    activated: Vec<UserId>,
    roles_removed: Vec<(String, String)>,
    roles_granted: Vec<(String, String)>,
    assignments_closed: Vec<String>,
    assignments_opened: Vec<Vec<V>>,
    waits_ended: Vec<(String, String)>,
    waits_queued: Vec<Vec<V>>,
    tasks_cancelled: Vec<String>,
    tasks_completed: Vec<(String, String, Option<String>)>,
    checklists: Vec<(String, Option<String>)>,
    notifications: Vec<NotificationRow>,
    tasks: Vec<TaskRow>,
    states: Vec<(String, String)>,
    collaborators: Vec<(String, Vec<PersonId>)>,
    deleted: Vec<String>,
    emails: Vec<QueuedEmail>,
    signatures: Vec<SignatureRow>,
    audit: Vec<AuditEntry>,
}

impl Writes {
    /// Nothing yet; everything added is written at `now` on behalf of `actor`; `new_id`
    /// makes ids for the rows a plan adds without one (notifications).
    pub fn new(now: i64, actor: &UserId, new_id: fn(&str) -> String) -> Writes {
        Writes {
            now,
            actor: actor.clone(),
            sponsor: actor.clone(),
            cause: None,
            new_id,
            users: vec![],
            links: vec![],
            seats_freed: vec![],
            inactivated: vec![],
            seats_taken: vec![],
            activated: vec![],
            roles_removed: vec![],
            roles_granted: vec![],
            assignments_closed: vec![],
            assignments_opened: vec![],
            waits_ended: vec![],
            waits_queued: vec![],
            tasks_cancelled: vec![],
            tasks_completed: vec![],
            checklists: vec![],
            notifications: vec![],
            tasks: vec![],
            states: vec![],
            collaborators: vec![],
            deleted: vec![],
            emails: vec![],
            signatures: vec![],
            audit: vec![],
        }
    }

    /// The sponsor of the assignments opened from now on (`sponsor__v`): the actor unless
    /// said otherwise (a queued activation is sponsored by whoever queued it, not by whoever
    /// freed the seat).
    pub fn sponsored_by(&mut self, sponsor: &UserId) {
        self.sponsor = sponsor.clone();
    }

    /// The cause of the audit entries of the plans added from now on, instead of "<action> on
    /// <record>": scheduled work names why it acted (`end date`, `access review`, …).
    pub fn caused_by(&mut self, cause: &str) {
        self.cause = Some(cause.to_string());
    }

    /// When everything added is written.
    pub fn now(&self) -> i64 {
        self.now
    }

    /// Adds a signature of one of the plans' records (written with them, in this transaction).
    pub fn sign(&mut self, s: SignatureRow) {
        self.signatures.push(s);
    }

    /// Adds an audit entry (written after the plans' own, in the order added).
    pub fn audit(&mut self, e: AuditEntry) {
        self.audit.push(e);
    }

    /// Adds everything `plan` decided ([`Plan::effects`]) for `record` (the record's type
    /// and name for the rows and audit entries), with its emails rendered in the plan's order.
    pub fn add_plan(&mut self, plan: &Plan, record: &Record, emails: &[QueuedEmail]) {
        debug_assert_eq!(
            plan.record, record.id,
            "a plan is added with its own record"
        );
        debug_assert_eq!(
            emails.len(),
            plan.emails.len(),
            "one rendered email per planned one"
        );
        let cause = self
            .cause
            .clone()
            .unwrap_or_else(|| format!("{} on {} {}", plan.action, record.object, record.id));
        let now = self.now;
        let actor = self.actor.to_string();
        let rid = record.id.to_string();
        let entry = |action: &str, object: &str, object_id: &str| AuditEntry {
            at: now,
            actor: Some(actor.clone()),
            action: action.to_string(),
            object: object.to_string(),
            object_id: object_id.to_string(),
            record: Some(rid.clone()),
            cause: Some(cause.clone()),
            ..AuditEntry::default()
        };
        let mut rendered = emails.iter();
        let mut audit = Vec::new();
        for effect in plan.effects() {
            match effect {
                Effect::UserCreated(u) => {
                    self.users.push(NewUserRow {
                        user: u.user(),
                        language: u.language.clone(),
                        password_hash: None,
                    });
                    self.links.push((u.id.clone(), u.person.clone()));
                    audit.push(AuditEntry {
                        person: Some(u.person.to_string()),
                        user: Some(u.id.to_string()),
                        after: Some(
                            json!({"username__v": u.username, "email__v": u.email.as_str(),
                                   "license_type__v": license_name(u.license),
                                   "security_profile__v": u.security_profile.name(),
                                   "managed_by_qms_automation__v": true, "person__v": u.person.as_str()})
                            .to_string(),
                        ),
                        ..entry("user.created", "user", u.id.as_str())
                    });
                }
                Effect::UserLinked { person, user } => {
                    self.links.push((user.clone(), person.clone()));
                    audit.push(AuditEntry {
                        person: Some(person.to_string()),
                        user: Some(user.to_string()),
                        before: Some(json!({"person__v": null}).to_string()),
                        after: Some(json!({"person__v": person.as_str()}).to_string()),
                        ..entry("user.linked", "user", user.as_str())
                    });
                }
                Effect::UserInactivated(i) => {
                    self.inactivated.push(i.user.clone());
                    if i.frees_seat {
                        self.seats_freed.push(i.user.clone());
                    }
                    audit.push(AuditEntry {
                        person: Some(i.person.to_string()),
                        user: Some(i.user.to_string()),
                        before: Some(json!({"status__v": "active__v"}).to_string()),
                        after: Some(
                            json!({"status__v": "inactive__v", "seat_freed": i.frees_seat})
                                .to_string(),
                        ),
                        ..entry("user.inactivated", "user", i.user.as_str())
                    });
                }
                // A seat is its holder's: written with the (in)activation that names it.
                Effect::SeatFreed | Effect::SeatTaken => {}
                Effect::UserActivated(a) => {
                    self.activated.push(a.user.clone());
                    if a.takes_seat {
                        self.seats_taken.push(a.user.clone());
                    }
                    audit.push(AuditEntry {
                        person: Some(a.person.to_string()),
                        user: Some(a.user.to_string()),
                        before: Some(json!({"status__v": "inactive__v"}).to_string()),
                        after: Some(json!({"status__v": "active__v", "seat_taken": a.takes_seat, "new_user": a.created}).to_string()),
                        ..entry("user.activated", "user", a.user.as_str())
                    });
                }
                Effect::RoleRemoved { record, user } => {
                    self.roles_removed
                        .push((record.to_string(), user.to_string()));
                    audit.push(AuditEntry {
                        user: Some(user.to_string()),
                        before: Some(json!({"role": "external_collaborator__v"}).to_string()),
                        ..entry("sharing.removed", "sharing", record.as_str())
                    });
                }
                Effect::RoleGranted { record, user } => {
                    self.roles_granted
                        .push((record.to_string(), user.to_string()));
                    audit.push(AuditEntry {
                        user: Some(user.to_string()),
                        after: Some(
                            json!({"role": "external_collaborator__v", "sponsor": self.actor.as_str()})
                                .to_string(),
                        ),
                        ..entry("sharing.granted", "sharing", record.as_str())
                    });
                }
                Effect::AssignmentClosed { assignment, .. } => {
                    self.assignments_closed.push(assignment.to_string());
                    audit.push(AuditEntry {
                        before: Some(json!({"assignment_activity__v": "active__v"}).to_string()),
                        after: Some(json!({"assignment_activity__v": "inactive__v"}).to_string()),
                        ..entry("assignment.inactivated", "assignment", assignment.as_str())
                    });
                }
                Effect::AssignmentOpened {
                    record: on,
                    assignment: a,
                } => {
                    self.assignments_opened.push(vec![
                        V::t(a.id.as_str()),
                        V::t(record.object.as_str()),
                        V::t(on.as_str()),
                        V::t(a.person.as_str()),
                        V::t(a.user.as_str()),
                        V::t("active"),
                        V::I(now),
                        V::NI,
                        V::t(self.sponsor.as_str()),
                    ]);
                    audit.push(AuditEntry {
                        person: Some(a.person.to_string()),
                        user: Some(a.user.to_string()),
                        after: Some(
                            json!({"assignment_activity__v": "active__v",
                                   "sponsor__v": self.sponsor.as_str()})
                            .to_string(),
                        ),
                        ..entry("assignment.activated", "assignment", a.id.as_str())
                    });
                }
                Effect::WaitEnded { record: on, wait } => {
                    self.waits_ended
                        .push((on.to_string(), wait.person.to_string()));
                    let action = if wait.served {
                        "waitlist.served"
                    } else {
                        "waitlist.dropped"
                    };
                    audit.push(AuditEntry {
                        person: Some(wait.person.to_string()),
                        before: Some(json!({"waiting": true}).to_string()),
                        after: Some(json!({"waiting": false, "served": wait.served}).to_string()),
                        ..entry(action, "waitlist", on.as_str())
                    });
                }
                Effect::WaitQueued { record: on, person } => {
                    self.waits_queued.push(vec![
                        V::t(on.as_str()),
                        V::t(record.object.as_str()),
                        V::t(person.as_str()),
                        V::t(self.actor.as_str()),
                        V::I(now),
                    ]);
                    audit.push(AuditEntry {
                        person: Some(person.to_string()),
                        after: Some(
                            json!({"waiting": true, "requested_by": self.actor.as_str()})
                                .to_string(),
                        ),
                        ..entry("waitlist.queued", "waitlist", on.as_str())
                    });
                }
                Effect::TaskCancelled { task, .. } => {
                    self.tasks_cancelled.push(task.to_string());
                    audit.push(AuditEntry {
                        after: Some(json!({"status__v": "cancelled__v"}).to_string()),
                        ..entry("task.cancelled", "task", task.as_str())
                    });
                }
                Effect::TaskCompleted { task: t, .. } => {
                    self.tasks_completed.push((
                        t.id.to_string(),
                        t.response.clone(),
                        t.on_behalf_by.as_ref().map(ToString::to_string),
                    ));
                    audit.push(AuditEntry {
                        after: Some(
                            json!({"status__v": "completed__v", "response__v": t.response,
                                   "on_behalf_of_assignee": t.on_behalf_by.is_some()})
                            .to_string(),
                        ),
                        cause: Some(match &t.on_behalf_by {
                            Some(by) => format!("completed by {by} on behalf of the assignee"),
                            None => "completed by the assignee".to_string(),
                        }),
                        ..entry("task.completed", "task", t.id.as_str())
                    });
                }
                Effect::ChecklistReassigned { checklist, to, .. } => {
                    self.checklists
                        .push((checklist.to_string(), to.map(ToString::to_string)));
                    audit.push(AuditEntry {
                        person: to.map(ToString::to_string),
                        after: Some(json!({"assignee__v": to.map(PersonId::as_str)}).to_string()),
                        ..entry("checklist.reassigned", "checklist", checklist.as_str())
                    });
                }
                Effect::Notified {
                    record: on,
                    notification: n,
                } => {
                    self.notifications.push(NotificationRow {
                        id: (self.new_id)("ntf"),
                        user: n.user.to_string(),
                        kind: n.kind.name().to_string(),
                        message: n.message.clone(),
                        args: Some(args_json(&n.args)),
                        object: Some(record.object.clone()),
                        record: Some(on.to_string()),
                        created_at: now,
                        read_at: None,
                    });
                }
                Effect::TaskCreated {
                    record: on,
                    task: t,
                } => {
                    self.tasks.push(TaskRow {
                        id: t.id.clone(),
                        record: on.clone(),
                        assignee: t.assignee.clone(),
                        person: Some(t.person.clone()),
                        state: t.state.clone(),
                        label: t.label.clone(),
                        instructions: t.instructions.clone(),
                        status: "open".into(),
                        response: None,
                        due_at: Some(t.due_at_ms),
                        created_at: now,
                        closed_by: None,
                        on_behalf_by: None,
                    });
                    audit.push(AuditEntry {
                        person: Some(t.person.to_string()),
                        user: Some(t.assignee.to_string()),
                        after: Some(
                            json!({"status__v": "open__v", "label__v": t.label, "state__v": t.state})
                                .to_string(),
                        ),
                        ..entry("task.created", "task", t.id.as_str())
                    });
                }
                Effect::StateChanged { record: on, change } => {
                    self.states.push((on.to_string(), change.to.clone()));
                    audit.push(AuditEntry {
                        before: Some(json!({"state__v": change.from}).to_string()),
                        after: Some(json!({"state__v": change.to}).to_string()),
                        ..entry("record.state_changed", &record.object, on.as_str())
                    });
                }
                Effect::CollaboratorsSet { record: on, people } => {
                    self.collaborators.push((on.to_string(), people.to_vec()));
                }
                Effect::RecordDeleted { record: on } => self.deleted.push(on.to_string()),
                Effect::EmailQueued(_) => {
                    // Rendered by the caller, in the plan's order.
                    if let Some(e) = rendered.next() {
                        self.emails.push(e.clone());
                        audit.push(AuditEntry {
                            user: e.user_id.clone(),
                            after: Some(json!({"to": e.to, "template": e.template}).to_string()),
                            ..entry("email.queued", "email", &e.id)
                        });
                    }
                }
            }
        }
        self.audit.extend(audit);
    }
}

impl Db<'_> {
    /// Writes what was collected, table by table. Seats are taken by claiming free slots, so
    /// plans made from a pool that has since filled up fail with `NoSeat`.
    pub async fn write(&mut self, w: Writes) -> Result<()> {
        let now = w.now;
        let actor = w.actor.to_string();
        // Automation picks usernames from those it saw taken; one taken since by a concurrent
        // transaction is a collision to run again (the next run sees it), not a refusal.
        self.insert_users(&w.users, now)
            .await
            .map_err(|e| match e {
                StoreError::Duplicate(Unique::Username) => {
                    StoreError::Conflict(Conflict::UsernameTaken)
                }
                other => other,
            })?;
        if !w.links.is_empty() {
            let users: Vec<String> = w.links.iter().map(|(u, _)| u.to_string()).collect();
            let persons: Vec<String> = w.links.iter().map(|(_, p)| p.to_string()).collect();
            self.set_by_id("users", "person_id", &users, &persons)
                .await?;
            self.set_by_id("persons", "user_id", &persons, &users)
                .await?;
        }
        if !w.inactivated.is_empty() {
            let ids: Vec<&str> = w.inactivated.iter().map(UserId::as_str).collect();
            self.execute_in(
                "UPDATE users SET status = {} WHERE id",
                &[V::t(status_name(UserStatus::Inactive))],
                &ids,
                "",
            )
            .await?;
            self.execute_in("DELETE FROM sessions WHERE user_id", &[], &ids, "")
                .await?;
        }
        if !w.activated.is_empty() {
            let ids: Vec<&str> = w.activated.iter().map(UserId::as_str).collect();
            self.execute_in(
                "UPDATE users SET status = {} WHERE id",
                &[V::t(status_name(UserStatus::Active))],
                &ids,
                "",
            )
            .await?;
        }
        for (record, user) in &w.roles_removed {
            self.remove_role(
                &portico_domain::RecordId::new(record.as_str()),
                &UserId::new(user.as_str()),
            )
            .await?;
        }
        let granted: Vec<Vec<V>> = w
            .roles_granted
            .iter()
            .map(|(record, user)| {
                vec![
                    V::t(record.as_str()),
                    V::t(EXTERNAL_COLLABORATOR_ROLE),
                    V::t(user.as_str()),
                    V::I(now),
                    V::t(actor.as_str()),
                ]
            })
            .collect();
        self.insert_rows_ignoring_existing(
            "sharing",
            SHARING_COLS,
            granted,
            "record_id, role, user_id",
        )
        .await?;
        self.execute_in(
            "UPDATE assignments SET activity = 'inactive', inactivated_at = {} WHERE id",
            &[V::I(now)],
            &strs(&w.assignments_closed),
            " AND activity = 'active'",
        )
        .await?;
        self.insert_rows("assignments", ASSIGNMENT_COLS, w.assignments_opened)
            .await?;
        for (record, person) in &w.waits_ended {
            self.drop_wait(
                &portico_domain::RecordId::new(record.as_str()),
                &PersonId::new(person.as_str()),
            )
            .await?;
        }
        let queued = !w.waits_queued.is_empty();
        self.insert_rows("waitlist", WAITLIST_COLS, w.waits_queued)
            .await?;
        self.execute_in(
            "UPDATE tasks SET status = 'cancelled', closed_at = {}, closed_by = {} WHERE id",
            &[V::I(now), V::t(actor.as_str())],
            &strs(&w.tasks_cancelled),
            " AND status = 'open'",
        )
        .await?;
        for (task, response, on_behalf_by) in &w.tasks_completed {
            self.complete_task(
                &portico_domain::TaskId::new(task.as_str()),
                response,
                &w.actor,
                on_behalf_by.as_deref().map(UserId::new).as_ref(),
                now,
            )
            .await?;
        }
        for (checklist, to) in &w.checklists {
            self.reassign_checklist(
                &portico_domain::ChecklistId::new(checklist.as_str()),
                to.as_deref().map(PersonId::new).as_ref(),
            )
            .await?;
        }
        self.insert_notifications(&w.notifications).await?;
        self.insert_tasks(&w.tasks).await?;
        let states: Vec<(V, Vec<V>)> = w
            .states
            .iter()
            .map(|(r, s)| (V::t(r.as_str()), vec![V::t(s.as_str()), V::I(now)]))
            .collect();
        self.set_by_key("records", "id", &["state", "updated_at"], &states, "")
            .await?;
        for (record, people) in &w.collaborators {
            self.set_collaborators(&portico_domain::RecordId::new(record.as_str()), people)
                .await?;
        }
        self.execute_in(
            "UPDATE records SET deleted = 1, updated_at = {} WHERE id",
            &[V::I(now)],
            &strs(&w.deleted),
            "",
        )
        .await?;
        self.queue_emails(&w.emails, now).await?;
        self.insert_signatures(&w.signatures).await?;
        self.audit_all(&w.audit).await?;
        // Seats last: a claimed slot is locked until the commit, and a claim in flight is
        // what a claimer finding no other free slot waits for (`Db::take_seats`).
        self.free_seats(&w.seats_freed).await?;
        self.take_seats(&w.seats_taken).await?;
        if queued {
            // After the plans' own seats: a wait is written only while none is left.
            self.queue_behind_full_pool().await?;
        }
        Ok(())
    }
}

/// A notification's arguments as the JSON object they are stored as.
fn args_json(args: &[(&'static str, String)]) -> String {
    let map: serde_json::Map<String, serde_json::Value> = args
        .iter()
        .map(|(k, v)| ((*k).to_string(), serde_json::Value::String(v.clone())))
        .collect();
    serde_json::Value::Object(map).to_string()
}
