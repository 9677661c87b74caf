//! The state a rule decides from. The service loads it inside the transaction that will apply
//! the plan, with the rows it will change locked, so the decision cannot go stale.

use std::collections::{BTreeMap, BTreeSet};

use crate::config::{TargetType, UserTemplate};
use crate::model::{Person, Record, User};
use crate::{AssignmentId, ChecklistId, LicensePool, PersonId, TaskId};

/// An open task on the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenTask {
    /// The task.
    pub id: TaskId,
    /// The state it was created for.
    pub state: String,
}

/// What the rules need to know about one person concerned by an action.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonFacts {
    /// The person.
    pub person: Person,
    /// Its linked user.
    pub user: Option<User>,
    /// When it has no linked user: a user with exactly its details and no person (C2 step 1).
    pub matching_user: Option<User>,
    /// Whether it waits for a seat on this record (the license waitlist).
    pub waiting_here: bool,
    /// Its Active assignment on this record.
    pub assignment_here: Option<AssignmentId>,
    /// Active assignments of its user on other records (the "any other request?" of C3).
    pub other_active_assignments: u32,
    /// Whether its user holds the External Collaborator role on this record.
    pub has_role_here: bool,
    /// Open tasks of its user on this record.
    pub open_tasks_here: Vec<OpenTask>,
    /// Open checklists assigned to it on this record.
    pub open_checklists_here: Vec<ChecklistId>,
    /// Usernames in use that a new user for it could otherwise get.
    pub taken_usernames: BTreeSet<String>,
}

impl PersonFacts {
    /// The user C2 step 1 finds: the linked one, else the exact-details match.
    pub fn existing_user(&self) -> Option<&User> {
        self.user.as_ref().or(self.matching_user.as_ref())
    }
}

/// Everything an action on one record decides from.
#[derive(Debug, Clone)]
pub struct Snapshot<'a> {
    /// The record's type.
    pub target: &'a TargetType,
    /// The External Collaborator User Template.
    pub user_template: &'a UserTemplate,
    /// The record as it is now.
    pub record: Record,
    /// The license pool as it is now.
    pub pool: LicensePool,
    /// Every person the action concerns: the collaborators before and after, and the new
    /// collaborator of a reassignment.
    pub people: BTreeMap<PersonId, PersonFacts>,
}
