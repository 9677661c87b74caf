//! The actions on one record: lifecycle moves with their entry actions (C2, C3), Create &
//! Activate and Reassign as user actions (C2, C5), editing the External Collaborator field (C1,
//! C4) and deleting the record (C4).

use super::builder::Builder;
use super::{Ctx, Plan, RuleError, Snapshot};
use crate::config::TargetType;
use crate::lifecycle::{Action, EntryAction, UserAction};
use crate::model::{Person, Record};
use crate::PersonId;

/// Arguments of a user action.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActionArgs {
    /// Reassign: the collaborator to replace (may be left out when there is one).
    pub from: Option<PersonId>,
    /// Reassign: the new collaborator.
    pub to: Option<PersonId>,
}

/// C1: refuses a person who does not satisfy the type's constraint for `record`.
pub fn check_constraint(
    target: &TargetType,
    person: &Person,
    record: &Record,
) -> Result<(), RuleError> {
    let holds = target
        .constraint
        .evaluate(person, record)
        .map_err(|e| RuleError::InvalidInput(format!("constraint of {}: {e}", target.label)))?;
    if holds {
        Ok(())
    } else {
        Err(RuleError::ConstraintViolation {
            person: person.id.to_string(),
            person_name: person.display_name(),
            constraint: target.constraint.source().to_string(),
        })
    }
}

/// Runs the lifecycle action `name` on the snapshot's record (SPEC section 9, "Lifecycle
/// actions").
pub fn run_action(
    snap: &Snapshot<'_>,
    name: &str,
    args: &ActionArgs,
    ctx: &mut Ctx<'_>,
) -> Result<Plan, RuleError> {
    let lifecycle = &snap.target.lifecycle;
    match lifecycle.find_action(&snap.record.state, name)? {
        Action::ChangeState(t) => change_state(snap, name, &t.to, ctx),
        Action::User(UserAction::CreateActivate) => create_activate(snap, name, ctx),
        Action::User(UserAction::Reassign) => reassign(snap, name, args, ctx),
    }
}

/// A move to `to`: open tasks of the state left are cancelled, then the entry action of the
/// new state runs (C2 or C3) and its response task is assigned (C2 step 5).
fn change_state(
    snap: &Snapshot<'_>,
    name: &str,
    to: &str,
    ctx: &mut Ctx<'_>,
) -> Result<Plan, RuleError> {
    let lifecycle = &snap.target.lifecycle;
    let entry_action = lifecycle.state(to).and_then(|s| s.entry_action);
    let collaborators = &snap.record.collaborators;
    if entry_action == Some(EntryAction::CreateActivate) && collaborators.is_empty() {
        return Err(RuleError::NoCollaborators {
            state: to.to_string(),
        });
    }
    let mut b = Builder::new(snap, ctx, name);
    let from = snap.record.state.clone();
    for person in snap.people.keys() {
        b.cancel_tasks(person, Some(&from));
    }
    match entry_action {
        Some(EntryAction::CreateActivate) => {
            for person in collaborators {
                b.check_constraint(person)?;
                b.activate(person)?;
            }
        }
        Some(EntryAction::Inactivate) => {
            let remove_role = snap.target.remove_sharing_on_exit;
            for person in snap.people.keys() {
                b.release(person, remove_role)?;
            }
        }
        None => {}
    }
    for person in collaborators {
        b.assign_task(person, to)?;
    }
    b.plan.state_change = Some(super::StateChange {
        from,
        to: to.to_string(),
    });
    Ok(b.finish())
}

/// C2 as a user action: activates every collaborator that has no Active assignment here, and
/// gives it the current state's response task.
fn create_activate(snap: &Snapshot<'_>, name: &str, ctx: &mut Ctx<'_>) -> Result<Plan, RuleError> {
    if snap.record.collaborators.is_empty() {
        return Err(RuleError::NoCollaborators {
            state: snap.record.state.clone(),
        });
    }
    let mut b = Builder::new(snap, ctx, name);
    let state = snap.record.state.clone();
    for person in &snap.record.collaborators {
        b.check_constraint(person)?;
        b.activate(person)?;
        b.assign_task(person, &state)?;
    }
    Ok(b.finish())
}

/// C5: replaces `from` by `to`, releasing the prior collaborator (C4) and activating the new one
/// (C2) with the current state's task.
fn reassign(
    snap: &Snapshot<'_>,
    name: &str,
    args: &ActionArgs,
    ctx: &mut Ctx<'_>,
) -> Result<Plan, RuleError> {
    let current = &snap.record.collaborators;
    let from =
        match &args.from {
            Some(from) => from.clone(),
            None => match current.as_slice() {
                [only] => only.clone(),
                [] => {
                    return Err(RuleError::InvalidInput(
                        "the record has no external collaborator to reassign".to_string(),
                    ))
                }
                _ => return Err(RuleError::InvalidInput(
                    "the record has several external collaborators: say which one with \"from\""
                        .to_string(),
                )),
            },
        };
    let to = args.to.clone().ok_or_else(|| {
        RuleError::InvalidInput("\"to\": the person who takes over is required".to_string())
    })?;
    if !current.contains(&from) {
        return Err(RuleError::NotACollaborator {
            person: from.to_string(),
        });
    }
    if current.contains(&to) {
        return Err(RuleError::AlreadyCollaborator {
            person: to.to_string(),
        });
    }
    let mut b = Builder::new(snap, ctx, name);
    b.check_constraint(&to)?;
    b.release(&from, true)?;
    let replaced: Vec<PersonId> = current
        .iter()
        .map(|p| if *p == from { to.clone() } else { p.clone() })
        .collect();
    b.plan.collaborators = Some(replaced);
    let state = snap.record.state.clone();
    b.activate(&to)?;
    b.assign_task(&to, &state)?;
    Ok(b.finish())
}

/// C1 and C4: sets the External Collaborator field. Added persons must satisfy the constraint;
/// removed ones are released and lose the role at once. Activation of added persons is the
/// job of Create & Activate (entry action or user action), as in the source system.
pub fn set_collaborators(
    snap: &Snapshot<'_>,
    new: &[PersonId],
    ctx: &mut Ctx<'_>,
) -> Result<Plan, RuleError> {
    let lifecycle = &snap.target.lifecycle;
    let mut wanted: Vec<PersonId> = Vec::with_capacity(new.len());
    for p in new {
        if !wanted.contains(p) {
            wanted.push(p.clone());
        }
    }
    if wanted == snap.record.collaborators {
        return Ok(Plan {
            record: snap.record.id.clone(),
            action: "update".to_string(),
            ..Plan::default()
        });
    }
    if lifecycle.is_exit(&snap.record.state) {
        return Err(RuleError::FieldLocked {
            state: snap.record.state.clone(),
        });
    }
    let mut b = Builder::new(snap, ctx, "update");
    for p in &wanted {
        b.check_constraint(p)?;
    }
    for p in &snap.record.collaborators {
        if !wanted.contains(p) {
            b.release(p, true)?;
        }
    }
    b.plan.collaborators = Some(wanted);
    Ok(b.finish())
}

/// C4: deleting a record releases every collaborator and removes its role.
pub fn delete_record(snap: &Snapshot<'_>, ctx: &mut Ctx<'_>) -> Result<Plan, RuleError> {
    let mut b = Builder::new(snap, ctx, "delete");
    for person in snap.people.keys() {
        b.release(person, true)?;
    }
    b.plan.delete_record = true;
    Ok(b.finish())
}
