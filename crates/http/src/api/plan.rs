//! The answer of a lifecycle action, of its dry run (C7) and of deleting a record: exactly what
//! the plan does.

use portico_domain::collab::{self, Plan};
use portico_domain::{ChecklistId, PersonId, UserId};
use serde::Serialize;
use utoipa::ToSchema;

use super::records::Record;

/// What a lifecycle action did, or with `dry_run` would do (C7).
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanResult {
    dry_run: bool,
    action: String,
    /// The record as the action leaves it, as the caller may see it.
    record: Record,
    #[schema(required)]
    state_change: Option<StateChange>,
    /// The new External Collaborator field, when the action changes it.
    #[schema(required)]
    external_collaborator__v: Option<Vec<String>>,
    users_created: Vec<UserCreated>,
    users_linked: Vec<UserLinked>,
    users_activated: Vec<UserActivated>,
    users_inactivated: Vec<UserInactivated>,
    /// Collaborators left waiting for an external seat (a type with `when_no_seat =
    /// "queue"` and no seat free): nothing of their activation is done until one frees.
    waiting: Vec<String>,
    /// Waits that end: served (the seat given, C2 ran) or dropped.
    waits_ended: Vec<WaitEnded>,
    seats_taken: u32,
    seats_freed: u32,
    roles_granted: Vec<String>,
    roles_removed: Vec<String>,
    assignments_opened: Vec<AssignmentOpened>,
    assignments_closed: Vec<String>,
    tasks_created: Vec<TaskCreated>,
    tasks_cancelled: Vec<String>,
    tasks_completed: Vec<String>,
    checklists_reassigned: Vec<ChecklistReassigned>,
    notifications: Vec<NotificationPlanned>,
    emails: Vec<EmailPlanned>,
    record_deleted: bool,
    /// The meaning of the electronic signature the action requires (`null`: none); a dry run
    /// tells it before the signer is asked.
    #[schema(required)]
    signature_required: Option<String>,
}

/// A record's move between lifecycle states.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StateChange {
    from: String,
    to: String,
}

impl From<&collab::StateChange> for StateChange {
    fn from(c: &collab::StateChange) -> Self {
        StateChange {
            from: c.from.clone(),
            to: c.to.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserCreated {
    id: String,
    username__v: String,
    person__v: String,
    email__v: String,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserLinked {
    person__v: String,
    user__v: String,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserActivated {
    user__v: String,
    person__v: String,
    new_user: bool,
    takes_seat: bool,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserInactivated {
    user__v: String,
    person__v: String,
    frees_seat: bool,
}

/// A collaborator's wait for a seat that ends.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WaitEnded {
    person__v: String,
    /// True: the seat was given; false: the wait was dropped.
    served: bool,
}

impl From<&collab::EndedWait> for WaitEnded {
    fn from(w: &collab::EndedWait) -> Self {
        WaitEnded {
            person__v: w.person.to_string(),
            served: w.served,
        }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignmentOpened {
    id: String,
    person__v: String,
    user__v: String,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskCreated {
    id: String,
    assignee__v: String,
    person__v: String,
    label__v: String,
}

/// An open checklist given to another collaborator, or to nobody.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChecklistReassigned {
    id: String,
    #[schema(required)]
    assignee__v: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationPlanned {
    user__v: String,
    kind: String,
    message: String,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailPlanned {
    to: String,
    template: String,
    user__v: String,
    person__v: String,
}

impl From<&collab::NewUser> for UserCreated {
    fn from(u: &collab::NewUser) -> Self {
        UserCreated {
            id: u.id.to_string(),
            username__v: u.username.clone(),
            person__v: u.person.to_string(),
            email__v: u.email.as_str().to_string(),
        }
    }
}

impl From<&(PersonId, UserId)> for UserLinked {
    fn from((person, user): &(PersonId, UserId)) -> Self {
        UserLinked {
            person__v: person.to_string(),
            user__v: user.to_string(),
        }
    }
}

impl From<&collab::Activation> for UserActivated {
    fn from(a: &collab::Activation) -> Self {
        UserActivated {
            user__v: a.user.to_string(),
            person__v: a.person.to_string(),
            new_user: a.created,
            takes_seat: a.takes_seat,
        }
    }
}

impl From<&collab::Inactivation> for UserInactivated {
    fn from(i: &collab::Inactivation) -> Self {
        UserInactivated {
            user__v: i.user.to_string(),
            person__v: i.person.to_string(),
            frees_seat: i.frees_seat,
        }
    }
}

impl From<&collab::NewAssignment> for AssignmentOpened {
    fn from(a: &collab::NewAssignment) -> Self {
        AssignmentOpened {
            id: a.id.to_string(),
            person__v: a.person.to_string(),
            user__v: a.user.to_string(),
        }
    }
}

impl From<&collab::NewTask> for TaskCreated {
    fn from(t: &collab::NewTask) -> Self {
        TaskCreated {
            id: t.id.to_string(),
            assignee__v: t.assignee.to_string(),
            person__v: t.person.to_string(),
            label__v: t.label.clone(),
        }
    }
}

impl From<&(ChecklistId, Option<PersonId>)> for ChecklistReassigned {
    fn from((id, to): &(ChecklistId, Option<PersonId>)) -> Self {
        ChecklistReassigned {
            id: id.to_string(),
            assignee__v: to.as_ref().map(PersonId::to_string),
        }
    }
}

impl From<&collab::PlannedNotification> for NotificationPlanned {
    fn from(n: &collab::PlannedNotification) -> Self {
        NotificationPlanned {
            user__v: n.user.to_string(),
            kind: n.kind.name().to_string(),
            message: n.message.clone(),
        }
    }
}

impl From<&collab::PlannedEmail> for EmailPlanned {
    fn from(e: &collab::PlannedEmail) -> Self {
        EmailPlanned {
            to: e.to.as_str().to_string(),
            template: e.template.clone(),
            user__v: e.user.to_string(),
            person__v: e.person.to_string(),
        }
    }
}

/// Each of `items` as its answer.
fn list<'a, A: 'a, B: From<&'a A>>(items: &'a [A]) -> Vec<B> {
    items.iter().map(B::from).collect()
}

/// Ids as text.
fn ids<T: ToString>(items: &[T]) -> Vec<String> {
    items.iter().map(T::to_string).collect()
}

impl PlanResult {
    /// The answer for `plan`, with the record as the caller sees it after.
    pub fn new(
        p: &Plan,
        dry_run: bool,
        record: Record,
        signature_required: Option<String>,
    ) -> Self {
        PlanResult {
            dry_run,
            action: p.action.clone(),
            record,
            state_change: p.state_change.as_ref().map(StateChange::from),
            external_collaborator__v: p.collaborators.as_deref().map(ids),
            users_created: list(&p.users_created),
            users_linked: list(&p.users_linked),
            users_activated: list(&p.activations),
            users_inactivated: list(&p.inactivations),
            waiting: ids(&p.waiting),
            waits_ended: list(&p.waits_ended),
            seats_taken: p.seats_taken(),
            seats_freed: p.seats_freed(),
            roles_granted: ids(&p.roles_granted),
            roles_removed: ids(&p.roles_removed),
            assignments_opened: list(&p.assignments_opened),
            assignments_closed: ids(&p.assignments_closed),
            tasks_created: list(&p.tasks_created),
            tasks_cancelled: ids(&p.tasks_cancelled),
            tasks_completed: p.tasks_completed.iter().map(|t| t.id.to_string()).collect(),
            checklists_reassigned: list(&p.checklists_reassigned),
            notifications: list(&p.notifications),
            emails: list(&p.emails),
            record_deleted: p.delete_record,
            signature_required,
        }
    }
}
