//! How a plan changes state, written once. [`Plan::effects`] lists every change a plan makes,
//! one [`Effect`] per row-sized change, in the order they apply. Three places apply them, each
//! to its own state: the store writes them (grouped by table, for any number of plans), a bulk
//! action carries them into the facts the next record of its round is decided from, and the
//! tests' in-memory world applies them to its maps. Each matches on [`Effect`] without a
//! catch-all arm, and [`Plan::effects`] takes the plan apart field by field: a new kind of
//! change does not compile until the plan lists it and every one of the three says what it
//! does with it.

use super::plan::{
    Activation, CompletedTask, EndedWait, Inactivation, NewAssignment, NewTask, NewUser, Plan,
    PlannedEmail, PlannedNotification, StateChange,
};
use crate::{AssignmentId, ChecklistId, PersonId, RecordId, TaskId, UserId};

/// One change a plan makes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Effect<'p> {
    /// A user made from the User Template: inactive and managed (an activation follows), and
    /// linked to its person — both sides of the link.
    UserCreated(&'p NewUser),
    /// An existing user linked to its person (C2 step 1's exact-details match): both sides of
    /// the link. The user is nobody's match any more.
    UserLinked {
        /// The person.
        person: &'p PersonId,
        /// Its user from now on.
        user: &'p UserId,
    },
    /// A user made inactive; its sessions end.
    UserInactivated(&'p Inactivation),
    /// One seat of the external pool given back (it follows the inactivation that frees it).
    SeatFreed,
    /// One seat of the external pool taken (it precedes the activation that needs it). Taking
    /// it from a full pool fails: the plan was made from a pool that has since filled up.
    SeatTaken,
    /// A user made active.
    UserActivated(&'p Activation),
    /// A user loses the External Collaborator role on the record.
    RoleRemoved {
        /// The record.
        record: &'p RecordId,
        /// The user.
        user: &'p UserId,
    },
    /// A user gets the External Collaborator role on the record (kept if it has it already).
    RoleGranted {
        /// The record.
        record: &'p RecordId,
        /// The user.
        user: &'p UserId,
    },
    /// An Active assignment on the record becomes Inactive.
    AssignmentClosed {
        /// The record.
        record: &'p RecordId,
        /// The assignment.
        assignment: &'p AssignmentId,
    },
    /// A new Active assignment on the record.
    AssignmentOpened {
        /// The record.
        record: &'p RecordId,
        /// The assignment.
        assignment: &'p NewAssignment,
    },
    /// An open task on the record is cancelled.
    TaskCancelled {
        /// The record.
        record: &'p RecordId,
        /// The task.
        task: &'p TaskId,
    },
    /// An open task on the record is completed with a response.
    TaskCompleted {
        /// The record.
        record: &'p RecordId,
        /// The task and its response.
        task: &'p CompletedTask,
    },
    /// An open checklist on the record is given to another collaborator, or to nobody.
    ChecklistReassigned {
        /// The record.
        record: &'p RecordId,
        /// The checklist.
        checklist: &'p ChecklistId,
        /// Its new assignee.
        to: Option<&'p PersonId>,
    },
    /// An in-app notification about the record.
    Notified {
        /// The record.
        record: &'p RecordId,
        /// The notification.
        notification: &'p PlannedNotification,
    },
    /// A new open task on the record.
    TaskCreated {
        /// The record.
        record: &'p RecordId,
        /// The task.
        task: &'p NewTask,
    },
    /// The record moves to another state of its lifecycle.
    StateChanged {
        /// The record.
        record: &'p RecordId,
        /// From where to where.
        change: &'p StateChange,
    },
    /// The record's External Collaborator field gets a new value.
    CollaboratorsSet {
        /// The record.
        record: &'p RecordId,
        /// The persons, in order.
        people: &'p [PersonId],
    },
    /// The record is deleted (softly: the audit trail keeps pointing at it).
    RecordDeleted {
        /// The record.
        record: &'p RecordId,
    },
    /// A collaborator of the record waits for a seat (the license waitlist): the queue's
    /// newest entry, requested by whoever runs the plan. Written only while the pool is full.
    WaitQueued {
        /// The record.
        record: &'p RecordId,
        /// The person.
        person: &'p PersonId,
    },
    /// A collaborator's wait on the record ends: served or dropped.
    WaitEnded {
        /// The record.
        record: &'p RecordId,
        /// Whose wait, and how.
        wait: &'p EndedWait,
    },
    /// An email to put in the outbox, in the same transaction.
    EmailQueued(&'p PlannedEmail),
}

impl<'p> Effect<'p> {
    /// The existing user whose status or link the effect changes: what two plans written
    /// together (a bulk round, grouped by table) must not both change.
    pub fn changes_user(&self) -> Option<&'p UserId> {
        match *self {
            Effect::UserLinked { user, .. } => Some(user),
            Effect::UserInactivated(i) => Some(&i.user),
            Effect::UserActivated(a) => Some(&a.user),
            // A new user is new to every other plan.
            Effect::UserCreated(_)
            | Effect::SeatFreed
            | Effect::SeatTaken
            | Effect::RoleRemoved { .. }
            | Effect::RoleGranted { .. }
            | Effect::AssignmentClosed { .. }
            | Effect::AssignmentOpened { .. }
            | Effect::TaskCancelled { .. }
            | Effect::TaskCompleted { .. }
            | Effect::ChecklistReassigned { .. }
            | Effect::Notified { .. }
            | Effect::TaskCreated { .. }
            | Effect::StateChanged { .. }
            | Effect::CollaboratorsSet { .. }
            | Effect::RecordDeleted { .. }
            | Effect::WaitQueued { .. }
            | Effect::WaitEnded { .. }
            | Effect::EmailQueued(_) => None,
        }
    }
}

impl Plan {
    /// Every change the plan makes, in the order they apply: users made and linked, users
    /// inactivated (and their seats freed) before users activated (and their seats taken),
    /// roles, assignments closed before opened, tasks closed, checklists, notifications,
    /// tasks created, the record itself, and last its emails.
    pub fn effects(&self) -> Vec<Effect<'_>> {
        // Taken apart whole, so that a field added to `Plan` must be listed here.
        let Plan {
            record,
            action: _,
            state_change,
            collaborators,
            users_created,
            users_linked,
            activations,
            waiting,
            waits_ended,
            inactivations,
            roles_granted,
            roles_removed,
            assignments_opened,
            assignments_closed,
            tasks_created,
            tasks_cancelled,
            tasks_completed,
            checklists_reassigned,
            notifications,
            emails,
            delete_record,
        } = self;
        let mut out = Vec::with_capacity(
            users_created.len()
                + users_linked.len()
                + 2 * (inactivations.len() + activations.len())
                + roles_removed.len()
                + roles_granted.len()
                + assignments_closed.len()
                + assignments_opened.len()
                + tasks_cancelled.len()
                + tasks_completed.len()
                + checklists_reassigned.len()
                + notifications.len()
                + tasks_created.len()
                + emails.len()
                + waiting.len()
                + waits_ended.len()
                + 3,
        );
        out.extend(users_created.iter().map(Effect::UserCreated));
        out.extend(
            users_linked
                .iter()
                .map(|(person, user)| Effect::UserLinked { person, user }),
        );
        for i in inactivations {
            out.push(Effect::UserInactivated(i));
            if i.frees_seat {
                out.push(Effect::SeatFreed);
            }
        }
        for a in activations {
            if a.takes_seat {
                out.push(Effect::SeatTaken);
            }
            out.push(Effect::UserActivated(a));
        }
        out.extend(
            roles_removed
                .iter()
                .map(|user| Effect::RoleRemoved { record, user }),
        );
        out.extend(
            roles_granted
                .iter()
                .map(|user| Effect::RoleGranted { record, user }),
        );
        out.extend(
            assignments_closed
                .iter()
                .map(|assignment| Effect::AssignmentClosed { record, assignment }),
        );
        out.extend(
            assignments_opened
                .iter()
                .map(|assignment| Effect::AssignmentOpened { record, assignment }),
        );
        out.extend(
            waits_ended
                .iter()
                .map(|wait| Effect::WaitEnded { record, wait }),
        );
        out.extend(
            waiting
                .iter()
                .map(|person| Effect::WaitQueued { record, person }),
        );
        out.extend(
            tasks_cancelled
                .iter()
                .map(|task| Effect::TaskCancelled { record, task }),
        );
        out.extend(
            tasks_completed
                .iter()
                .map(|task| Effect::TaskCompleted { record, task }),
        );
        out.extend(checklists_reassigned.iter().map(|(checklist, to)| {
            Effect::ChecklistReassigned {
                record,
                checklist,
                to: to.as_ref(),
            }
        }));
        out.extend(notifications.iter().map(|notification| Effect::Notified {
            record,
            notification,
        }));
        out.extend(
            tasks_created
                .iter()
                .map(|task| Effect::TaskCreated { record, task }),
        );
        if let Some(change) = state_change {
            out.push(Effect::StateChanged { record, change });
        }
        if let Some(people) = collaborators {
            out.push(Effect::CollaboratorsSet { record, people });
        }
        if *delete_record {
            out.push(Effect::RecordDeleted { record });
        }
        out.extend(emails.iter().map(Effect::EmailQueued));
        out
    }

    /// Seats the plan takes from the pool.
    pub fn seats_taken(&self) -> u32 {
        self.count(|e| matches!(e, Effect::SeatTaken))
    }

    /// Seats the plan gives back.
    pub fn seats_freed(&self) -> u32 {
        self.count(|e| matches!(e, Effect::SeatFreed))
    }

    /// Collaborators the plan leaves waiting for a seat.
    pub fn waits_queued(&self) -> u32 {
        self.count(|e| matches!(e, Effect::WaitQueued { .. }))
    }

    fn count(&self, which: impl Fn(&Effect<'_>) -> bool) -> u32 {
        let n = self.effects().iter().filter(|e| which(e)).count();
        u32::try_from(n).unwrap_or(u32::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::EmailKind;
    use crate::model::{LicenseType, SecurityProfile};
    use crate::EmailAddress;

    fn user(id: &str) -> UserId {
        UserId::new(id)
    }

    fn person(id: &str) -> PersonId {
        PersonId::new(id)
    }

    /// A reassignment from `p_old` (inactivated) to `p_new` (created, activated).
    fn reassignment() -> Plan {
        let email = EmailAddress::parse("new@supplier.example").unwrap();
        Plan {
            record: RecordId::new("rec_1"),
            inactivations: vec![Inactivation {
                user: user("u_old"),
                person: person("p_old"),
                frees_seat: true,
            }],
            users_created: vec![NewUser {
                id: user("u_new"),
                username: "new@supplier.example".into(),
                first_name: "New".into(),
                last_name: "One".into(),
                email: email.clone(),
                license: LicenseType::External,
                security_profile: SecurityProfile::ExternalCollaborator,
                language: "en".into(),
                person: person("p_new"),
            }],
            activations: vec![Activation {
                user: user("u_new"),
                person: person("p_new"),
                created: true,
                takes_seat: true,
            }],
            roles_removed: vec![user("u_old")],
            roles_granted: vec![user("u_new")],
            assignments_closed: vec![AssignmentId::new("a_old")],
            assignments_opened: vec![NewAssignment {
                id: AssignmentId::new("a_new"),
                person: person("p_new"),
                user: user("u_new"),
            }],
            emails: vec![PlannedEmail {
                kind: EmailKind::Welcome,
                template: "welcome".into(),
                user: user("u_new"),
                person: person("p_new"),
                to: email,
                first_name: "New".into(),
                last_name: "One".into(),
                username: "new@supplier.example".into(),
                language: "en".into(),
            }],
            ..Plan::default()
        }
    }

    fn name(e: &Effect<'_>) -> String {
        let debug = format!("{e:?}");
        debug
            .split(|c: char| !c.is_alphanumeric())
            .next()
            .unwrap_or_default()
            .to_string()
    }

    #[test]
    fn a_plan_lists_its_changes_in_the_order_they_apply() {
        let plan = reassignment();
        let names: Vec<String> = plan.effects().iter().map(name).collect();
        assert_eq!(
            names,
            [
                "UserCreated",
                "UserInactivated",
                "SeatFreed",
                "SeatTaken",
                "UserActivated",
                "RoleRemoved",
                "RoleGranted",
                "AssignmentClosed",
                "AssignmentOpened",
                "EmailQueued",
            ]
        );
        assert_eq!((plan.seats_taken(), plan.seats_freed()), (1, 1));
    }

    #[test]
    fn a_seat_is_counted_only_where_the_activation_takes_one() {
        let mut plan = reassignment();
        plan.activations[0].takes_seat = false;
        plan.inactivations[0].frees_seat = false;
        assert_eq!((plan.seats_taken(), plan.seats_freed()), (0, 0));
        assert!(!plan
            .effects()
            .iter()
            .any(|e| matches!(e, Effect::SeatTaken | Effect::SeatFreed)));
    }

    #[test]
    fn only_existing_users_whose_status_or_link_changes_are_changed_users() {
        let mut plan = reassignment();
        plan.users_linked = vec![(person("p_twin"), user("u_matched"))];
        let changed: Vec<&UserId> = plan
            .effects()
            .iter()
            .filter_map(Effect::changes_user)
            .collect();
        assert_eq!(
            changed,
            [&user("u_matched"), &user("u_old"), &user("u_new")],
            "the new user counts as changed through its activation, not its creation"
        );
    }
}
