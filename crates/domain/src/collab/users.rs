//! Changes made to a user by hand: its status (one seat check on every path, SPEC section 10)
//! and its `managed_by_qms_automation` flag.

use super::{Ctx, RuleError};
use crate::model::{User, UserStatus};
use crate::{AssignmentId, LicensePool, PersonId, RecordId};

/// What a status change does to the user and the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusChange {
    /// Nothing: the user already has that status.
    None,
    /// Activates; takes a seat when the license is external.
    Activate {
        /// Whether a seat is taken.
        takes_seat: bool,
    },
    /// Inactivates; frees a seat when the license is external.
    Inactivate {
        /// Whether a seat is freed.
        frees_seat: bool,
    },
}

/// A status set by hand. Managed users are refused: automation decides their status (C2, C3).
/// Activating an external user takes a seat, refused when none is free.
pub fn change_status(
    user: &User,
    to: UserStatus,
    pool: LicensePool,
) -> Result<StatusChange, RuleError> {
    if user.status == to {
        return Ok(StatusChange::None);
    }
    if user.managed {
        return Err(RuleError::ManagedByAutomation {
            username: user.username.clone(),
        });
    }
    Ok(match to {
        UserStatus::Active => {
            if user.takes_seat() && !pool.can_take(1) {
                return Err(RuleError::LicenseLimitExceeded {
                    person_name: format!("{} {}", user.first_name, user.last_name),
                    seats: pool.seats.get(),
                });
            }
            StatusChange::Activate {
                takes_seat: user.takes_seat(),
            }
        }
        UserStatus::Inactive => StatusChange::Inactivate {
            frees_seat: user.takes_seat(),
        },
    })
}

/// What the rules need to change a user's managed flag.
#[derive(Debug, Clone)]
pub struct ManagedFacts {
    /// The user.
    pub user: User,
    /// Its Active assignments.
    pub active_assignments: Vec<AssignmentId>,
    /// Records in an open state (collaboration under way) that name its person as collaborator
    /// and have no Active assignment for it.
    pub open_collaborations: Vec<RecordId>,
    /// The pool.
    pub pool: LicensePool,
}

/// What a change of the managed flag does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagedChange {
    /// The new flag.
    pub managed: bool,
    /// Assignments made Inactive: an unmanaged user's assignments are not tracked.
    pub close: Vec<AssignmentId>,
    /// Assignments opened for collaborations under way: automation takes over.
    pub open: Vec<(AssignmentId, RecordId, PersonId)>,
    /// The status change that makes the user's status match its assignments.
    pub status: StatusChange,
}

/// Sets `managed_by_qms_automation`. Clearing it stops tracking (its Active assignments are
/// closed, its status is left alone). Setting it hands the user to automation: assignments are
/// opened for the collaborations under way, and the user is made active exactly when it has
/// one — the invariant every other rule keeps.
pub fn change_managed(
    facts: &ManagedFacts,
    managed: bool,
    ctx: &mut Ctx<'_>,
) -> Result<ManagedChange, RuleError> {
    let user = &facts.user;
    if user.managed == managed {
        return Ok(ManagedChange {
            managed,
            close: vec![],
            open: vec![],
            status: StatusChange::None,
        });
    }
    if !managed {
        return Ok(ManagedChange {
            managed,
            close: facts.active_assignments.clone(),
            open: vec![],
            status: StatusChange::None,
        });
    }
    let open: Vec<(AssignmentId, RecordId, PersonId)> = match &user.person {
        Some(person) => facts
            .open_collaborations
            .iter()
            .map(|r| {
                (
                    AssignmentId::new(ctx.ids.next_id("asg")),
                    r.clone(),
                    person.clone(),
                )
            })
            .collect(),
        None => vec![],
    };
    let should_be_active = !open.is_empty() || !facts.active_assignments.is_empty();
    let status = match (user.is_active(), should_be_active) {
        (false, true) => {
            if user.takes_seat() && !facts.pool.can_take(1) {
                return Err(RuleError::LicenseLimitExceeded {
                    person_name: format!("{} {}", user.first_name, user.last_name),
                    seats: facts.pool.seats.get(),
                });
            }
            StatusChange::Activate {
                takes_seat: user.takes_seat(),
            }
        }
        (true, false) => StatusChange::Inactivate {
            frees_seat: user.takes_seat(),
        },
        _ => StatusChange::None,
    };
    Ok(ManagedChange {
        managed,
        close: vec![],
        open,
        status,
    })
}
