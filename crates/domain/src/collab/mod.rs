//! The collaboration rules of SPEC section 2 as pure functions from a [`Snapshot`] to a
//! [`Plan`]. A plan is both what the service applies in one transaction and the answer of a
//! dry run (C7), so preview and action can never disagree.

mod builder;
mod effects;

pub use builder::record_values;
mod plan;
mod records;
mod snapshot;
mod users;
mod waitlist;

pub use effects::Effect;
pub use plan::{
    Activation, CompletedTask, EndedWait, Inactivation, NewAssignment, NewTask, NewUser,
    NotificationKind, Plan, PlannedEmail, PlannedNotification, StateChange,
};
pub use records::{
    cancel_task, check_constraint, complete_task, delete_record, end_access, end_user_access,
    remind_access_ending, run_action, set_collaborators, ActionArgs, TaskCompleter,
};
pub use snapshot::{OpenTask, PersonFacts, Snapshot};
pub use users::{change_managed, change_status, ManagedChange, ManagedFacts, StatusChange};
pub use waitlist::serve_wait;

use crate::ids::IdSource;
use crate::model::Person;

/// The username the User Template's pattern gives a person (C2 step 1), before a suffix makes
/// it unique: `{email}`, `{first_name}`, `{last_name}` replaced, lower-cased, without spaces.
pub fn username_base(pattern: &str, person: &Person) -> String {
    pattern
        .replace("{email}", person.email.as_str())
        .replace("{first_name}", &person.first_name)
        .replace("{last_name}", &person.last_name)
        .to_lowercase()
        .split_whitespace()
        .collect()
}
use crate::lifecycle::ActionError;
use crate::UserId;

/// What a rule needs besides the snapshot: who acts, when, and where new ids come from.
pub struct Ctx<'a> {
    /// The user running the action.
    pub actor: UserId,
    /// Now, in milliseconds since the Unix epoch.
    pub now_ms: i64,
    /// Source of new ids.
    pub ids: &'a mut dyn IdSource,
}

/// Why an action is refused. Nothing of a refused action is kept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    /// C1: the person does not satisfy the type's constraint.
    #[error("{person_name} ({person}) cannot be an external collaborator of this record: the constraint '{constraint}' is not met")]
    ConstraintViolation {
        /// The person's id.
        person: String,
        /// The person's name.
        person_name: String,
        /// The constraint's text.
        constraint: String,
    },
    /// SPEC section 3: no seat is free.
    #[error(
        "no external license seat is free to activate {person_name}: all {seats} seats are in use"
    )]
    LicenseLimitExceeded {
        /// Who would have been activated.
        person_name: String,
        /// Seats sold.
        seats: u32,
    },
    /// The action does not exist or is not offered in the record's state.
    #[error(transparent)]
    Action(#[from] ActionError),
    /// The External Collaborator field cannot change in an exit state.
    #[error("the External Collaborator field is locked in state {state}")]
    FieldLocked {
        /// The record's state.
        state: String,
    },
    /// Entering the entry state needs someone to respond.
    #[error("the record has no external collaborator; add one before moving it to {state}")]
    NoCollaborators {
        /// The state that was asked for.
        state: String,
    },
    /// A person named in the action is not a collaborator of the record.
    #[error("{person} is not an external collaborator of this record")]
    NotACollaborator {
        /// The person's id.
        person: String,
    },
    /// The new collaborator of a reassignment already is one.
    #[error("{person} already is an external collaborator of this record")]
    AlreadyCollaborator {
        /// The person's id.
        person: String,
    },
    /// A required parameter is missing.
    #[error("{0}")]
    ParameterRequired(String),
    /// The task is not open on this record.
    #[error("task {task} is not open")]
    TaskNotOpen {
        /// The task.
        task: String,
    },
    /// A required parameter is missing or wrong.
    #[error("{0}")]
    InvalidInput(String),
    /// The status of a user managed by automation is decided by automation.
    #[error("user {username} is managed by QMS automation: its status follows its assignments; set managed_by_qms_automation__v to false to manage it by hand")]
    ManagedByAutomation {
        /// The user's username.
        username: String,
    },
}

#[cfg(test)]
mod world;

#[cfg(test)]
mod tests;

#[cfg(test)]
mod workflow_tests;

#[cfg(test)]
mod properties;
