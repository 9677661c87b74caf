//! What an action does, decided before anything is written.

use crate::config::EmailKind;
use crate::model::{LicenseType, SecurityProfile, User, UserStatus};
use crate::{AssignmentId, ChecklistId, EmailAddress, PersonId, RecordId, TaskId, UserId};

/// A user C2 creates from the User Template.
#[derive(Debug, Clone, PartialEq)]
pub struct NewUser {
    /// Its id.
    pub id: UserId,
    /// A username not yet taken.
    pub username: String,
    /// From the person.
    pub first_name: String,
    /// From the person.
    pub last_name: String,
    /// From the person.
    pub email: EmailAddress,
    /// From the template: external.
    pub license: LicenseType,
    /// From the template.
    pub security_profile: SecurityProfile,
    /// From the person, else the template.
    pub language: String,
    /// The person it is made for.
    pub person: PersonId,
}

impl NewUser {
    /// The user as it is created: inactive until its activation, managed by the automation.
    pub fn user(&self) -> User {
        User {
            id: self.id.clone(),
            username: self.username.clone(),
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            email: self.email.clone(),
            status: UserStatus::Inactive,
            license: self.license,
            security_profile: self.security_profile,
            managed: true,
            person: Some(self.person.clone()),
        }
    }
}

/// A user becoming active (created, or reactivated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activation {
    /// The user.
    pub user: UserId,
    /// Its person.
    pub person: PersonId,
    /// True when the user is new (Welcome), false when reactivated (Welcome Back).
    pub created: bool,
    /// Whether it takes a seat of the external pool.
    pub takes_seat: bool,
}

/// A user becoming inactive after its last request (C3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inactivation {
    /// The user.
    pub user: UserId,
    /// Its person.
    pub person: PersonId,
    /// Whether it frees a seat of the external pool.
    pub frees_seat: bool,
}

/// A new Active assignment (C2 step 4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAssignment {
    /// Its id.
    pub id: AssignmentId,
    /// The person.
    pub person: PersonId,
    /// Its user.
    pub user: UserId,
}

/// A response task (C2 step 5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTask {
    /// Its id.
    pub id: TaskId,
    /// The user it is assigned to.
    pub assignee: UserId,
    /// The person behind that user.
    pub person: PersonId,
    /// The state it belongs to.
    pub state: String,
    /// Its label.
    pub label: String,
    /// What to do, with the record's fields already in.
    pub instructions: String,
    /// Due date, milliseconds since the epoch.
    pub due_at_ms: i64,
}

/// An email to put in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedEmail {
    /// Welcome, Welcome Back, Goodbye or Task.
    pub kind: EmailKind,
    /// The template's name, e.g. `ext_collab_welcome_scar__v`.
    pub template: String,
    /// The user it goes to.
    pub user: UserId,
    /// Its person.
    pub person: PersonId,
    /// The address.
    pub to: EmailAddress,
    /// For `${firstName}`.
    pub first_name: String,
    /// For `${lastName}`.
    pub last_name: String,
    /// For `${userName}`.
    pub username: String,
    /// For `${userLanguage}`.
    pub language: String,
}

/// A task completed with a response (C6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletedTask {
    /// The task.
    pub id: TaskId,
    /// The response.
    pub response: String,
    /// The internal user who completed it on the assignee's behalf, if one did.
    pub on_behalf_by: Option<UserId>,
}

/// Why someone gets an in-app notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotificationKind {
    /// A task was assigned to the user.
    TaskAssigned,
    /// The user's reassignment succeeded (C5 step 5).
    ReassignmentSucceeded,
    /// The collaborator's response was accepted.
    ResponseAccepted,
    /// The collaborator's response was rejected; a new task follows.
    ResponseRejected,
    /// A seat freed and went to a collaborator the user's action had left waiting.
    WaitlistServed,
}

impl NotificationKind {
    /// The kind's API name.
    pub fn name(self) -> &'static str {
        match self {
            Self::TaskAssigned => "task_assigned",
            Self::ReassignmentSucceeded => "reassignment_succeeded",
            Self::ResponseAccepted => "response_accepted",
            Self::ResponseRejected => "response_rejected",
            Self::WaitlistServed => "waitlist_served",
        }
    }
}

/// An in-app notification to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedNotification {
    /// Who gets it.
    pub user: UserId,
    /// Why.
    pub kind: NotificationKind,
    /// What it says, in English.
    pub message: String,
    /// The arguments of its message (`record`, `label`, …), to word it in the reader's
    /// language by its kind.
    pub args: Vec<(&'static str, String)>,
}

/// How a collaborator's wait for a seat ends (SPEC section 11, "License waitlist").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndedWait {
    /// The person who waited.
    pub person: PersonId,
    /// True when a seat was given (C2 ran), false when the wait was dropped (the person left
    /// the record, or its collaboration ended).
    pub served: bool,
}

/// A state change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateChange {
    /// The state left.
    pub from: String,
    /// The state entered.
    pub to: String,
}

/// Everything one action on one record changes. Empty lists mean "nothing of that kind".
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    /// The record.
    pub record: RecordId,
    /// The action's name.
    pub action: String,
    /// The state change, if any.
    pub state_change: Option<StateChange>,
    /// The new value of the External Collaborator field, if it changes.
    pub collaborators: Option<Vec<PersonId>>,
    /// Users created from the template.
    pub users_created: Vec<NewUser>,
    /// Existing users linked to their person by the exact-details match.
    pub users_linked: Vec<(PersonId, UserId)>,
    /// Users activated (created ones included).
    pub activations: Vec<Activation>,
    /// Collaborators left waiting for a seat (a type with `when_no_seat = "queue"`): nothing of
    /// their activation is done yet.
    pub waiting: Vec<PersonId>,
    /// Waits that end: served (the seat given) or dropped.
    pub waits_ended: Vec<EndedWait>,
    /// Users inactivated.
    pub inactivations: Vec<Inactivation>,
    /// Users added to the record's External Collaborator role.
    pub roles_granted: Vec<UserId>,
    /// Users removed from it.
    pub roles_removed: Vec<UserId>,
    /// Assignments opened.
    pub assignments_opened: Vec<NewAssignment>,
    /// Assignments made Inactive.
    pub assignments_closed: Vec<AssignmentId>,
    /// Tasks created.
    pub tasks_created: Vec<NewTask>,
    /// Tasks cancelled.
    pub tasks_cancelled: Vec<TaskId>,
    /// Tasks completed.
    pub tasks_completed: Vec<CompletedTask>,
    /// Open checklists given to another collaborator, or to nobody when theirs left the field.
    pub checklists_reassigned: Vec<(ChecklistId, Option<PersonId>)>,
    /// In-app notifications.
    pub notifications: Vec<PlannedNotification>,
    /// Emails to send.
    pub emails: Vec<PlannedEmail>,
    /// Whether the record is deleted.
    pub delete_record: bool,
}
