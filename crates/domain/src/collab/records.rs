//! The actions on one record: lifecycle moves with their entry actions (C2, C3), Create &
//! Activate and Reassign as user actions (C2, C5), editing the External Collaborator field (C1,
//! C4) and deleting the record (C4).

use super::builder::Builder;
use super::{Ctx, Plan, RuleError, Snapshot};
use crate::config::TargetType;
use crate::lifecycle::{Action, EntryAction, ReviewOutcome, Transition, UserAction};
use crate::model::{Person, Record};
use crate::{PersonId, TaskId, UserId};

use super::NotificationKind;

/// Arguments of a user action.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActionArgs {
    /// Reassign: the collaborator to replace (may be left out when there is one).
    pub from: Option<PersonId>,
    /// Reassign: the new collaborator.
    pub to: Option<PersonId>,
    /// Why, for moves that need a reason (a rejection tells the collaborator in its new task).
    pub reason: Option<String>,
}

/// Who completes a task (C6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskCompleter {
    /// The assignee itself.
    Assignee,
    /// An internal user, on the assignee's behalf (recorded as such).
    OnBehalf(UserId),
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
        Action::ChangeState(t) => change_state(snap, name, t, args, ctx),
        Action::User(UserAction::CreateActivate) => create_activate(snap, name, ctx),
        Action::User(UserAction::Reassign) => reassign(snap, name, args, ctx),
    }
}

/// A move by a user action: checks the reason when the move needs one, then [`move_to`].
fn change_state(
    snap: &Snapshot<'_>,
    name: &str,
    transition: &Transition,
    args: &ActionArgs,
    ctx: &mut Ctx<'_>,
) -> Result<Plan, RuleError> {
    let reason = args
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    if transition.requires_reason && reason.is_none() {
        return Err(RuleError::ParameterRequired(format!(
            "\"reason\" is required for {}: the collaborator is told why",
            transition.label
        )));
    }
    let mut b = Builder::new(snap, ctx, name);
    move_to(&mut b, &transition.to, transition.outcome, reason)?;
    Ok(b.finish())
}

/// Moves the record to `to`: open tasks of the state left are cancelled, the entry action of the
/// new state runs (C2 or C3), its response task is assigned (C2 step 5), and a reviewer's
/// verdict is told to the collaborators (C6).
fn move_to(
    b: &mut Builder<'_, '_>,
    to: &str,
    outcome: Option<ReviewOutcome>,
    reason: Option<&str>,
) -> Result<(), RuleError> {
    let snap = b.snap;
    let lifecycle = &snap.target.lifecycle;
    let entry_action = lifecycle.state(to).and_then(|s| s.entry_action);
    let collaborators = &snap.record.collaborators;
    if entry_action == Some(EntryAction::CreateActivate) && collaborators.is_empty() {
        return Err(RuleError::NoCollaborators {
            state: to.to_string(),
        });
    }
    let from = snap.record.state.clone();
    for person in snap.people.keys() {
        b.cancel_tasks(person, Some(&from));
    }
    if let Some(outcome) = outcome {
        let (kind, verdict) = match outcome {
            ReviewOutcome::Accepted => (NotificationKind::ResponseAccepted, "accepted"),
            ReviewOutcome::Rejected => (NotificationKind::ResponseRejected, "rejected"),
        };
        for person in collaborators {
            if let Some(user) = b.user_of(person) {
                let mut message = format!("Your response on {} was {verdict}", snap.record.name);
                let mut args = vec![("record", snap.record.name.clone())];
                if let Some(reason) = reason {
                    message.push_str(&format!(": {reason}"));
                    args.push(("reason", reason.to_string()));
                }
                b.notify(&user, kind, message, args);
            }
        }
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
    let task_reason = (outcome == Some(ReviewOutcome::Rejected))
        .then_some(reason)
        .flatten();
    for person in collaborators {
        b.assign_task(person, to, task_reason)?;
    }
    b.plan.state_change = Some(super::StateChange {
        from,
        to: to.to_string(),
    });
    Ok(())
}

/// C6: completes a task with a response. When it was the last open response task of a state
/// whose task says where to go next, the record moves there.
pub fn complete_task(
    snap: &Snapshot<'_>,
    task: &TaskId,
    response: &str,
    by: TaskCompleter,
    ctx: &mut Ctx<'_>,
) -> Result<Plan, RuleError> {
    let response = response.trim();
    if response.is_empty() {
        return Err(RuleError::ParameterRequired(
            "\"response\" is required to complete a task".into(),
        ));
    }
    if let Some(count) = crate::too_long(response) {
        return Err(RuleError::InvalidInput(format!(
            "the response must have at most {} characters (it has {count})",
            crate::MAX_TEXT_CHARS
        )));
    }
    let on_behalf_by = match by {
        TaskCompleter::Assignee => None,
        TaskCompleter::OnBehalf(user) => Some(user),
    };
    let mut b = Builder::new(snap, ctx, "complete_task");
    let state = b.complete_task(task, response, on_behalf_by)?;
    let next = snap
        .target
        .lifecycle
        .state(&state)
        .and_then(|s| s.response_task.as_ref())
        .and_then(|t| t.next_state.clone());
    if let Some(next) = next {
        if state == snap.record.state && b.open_tasks_in(&state) == 0 {
            move_to(&mut b, &next, None, None)?;
        }
    }
    Ok(b.finish())
}

/// An internal user cancels an open task. The record stays where it is.
pub fn cancel_task(
    snap: &Snapshot<'_>,
    task: &TaskId,
    ctx: &mut Ctx<'_>,
) -> Result<Plan, RuleError> {
    let mut b = Builder::new(snap, ctx, "cancel_task");
    b.cancel_task(task)?;
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
        b.assign_task(person, &state, None)?;
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
    b.assign_task(&to, &state, None)?;
    b.move_checklists(&from, Some(&to));
    let names = |p: &PersonId| {
        snap.people
            .get(p)
            .map_or_else(|| p.to_string(), |f| f.person.display_name())
    };
    let message = format!(
        "Reassignment on {} succeeded: {} replaced by {}",
        snap.record.name,
        names(&from),
        names(&to)
    );
    let args = vec![
        ("record", snap.record.name.clone()),
        ("person", names(&from)),
        ("replacement", names(&to)),
    ];
    let actor = b.ctx.actor.clone();
    b.notify(
        &actor,
        NotificationKind::ReassignmentSucceeded,
        message,
        args,
    );
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
            b.move_checklists(p, None);
        }
    }
    b.plan.collaborators = Some(wanted);
    Ok(b.finish())
}

/// The record's end date has passed (`access_end_date__v`): every collaborator with an Active
/// assignment here is released as by the exit action (C3: tasks cancelled, assignment Inactive,
/// Goodbye and a seat freed when it was the last; the role removed only when the type says so on
/// exit); collaborators waiting for a seat here stop waiting. The record stays in its state.
pub fn end_access(snap: &Snapshot<'_>, ctx: &mut Ctx<'_>) -> Result<Plan, RuleError> {
    let mut b = Builder::new(snap, ctx, "end_access");
    let remove_role = snap.target.remove_sharing_on_exit;
    for person in snap.people.keys() {
        if b.has_assignment(person) {
            b.release(person, remove_role)?;
        }
        // A wait for a seat on a record whose access has ended has nothing left to wait for.
        b.end_wait(person, false);
    }
    Ok(b.finish())
}

/// An access review decided `remove` (or inactivity ended the access): `user`'s Active
/// assignment here is released as by the exit action (C3: tasks cancelled, assignment Inactive,
/// Goodbye and a seat freed when it was the last; the role removed only when the type says so
/// on exit). The record and its other collaborators are left alone.
pub fn end_user_access(
    snap: &Snapshot<'_>,
    ctx: &mut Ctx<'_>,
    user: &crate::UserId,
) -> Result<Plan, RuleError> {
    let mut b = Builder::new(snap, ctx, "end_access");
    let remove_role = snap.target.remove_sharing_on_exit;
    for person in snap.people.keys() {
        if b.has_assignment(person) && b.user_of(person).as_ref() == Some(user) {
            b.release(person, remove_role)?;
        }
    }
    Ok(b.finish())
}

/// The record's end date is near: each collaborator with an Active assignment here is told by
/// email (the type's `access_ending` template). Nothing else changes.
pub fn remind_access_ending(snap: &Snapshot<'_>, ctx: &mut Ctx<'_>) -> Result<Plan, RuleError> {
    let mut b = Builder::new(snap, ctx, "remind_access_ending");
    for person in snap.people.keys() {
        b.remind_access_ending(person);
    }
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
