//! C5 (Reassign) in every case the seeds list, and the C6 response → review loop.

use super::world::World;
use super::*;
use crate::config::EmailKind;
use crate::lifecycle::ActionError;
use crate::model::UserStatus;

const SEND: &str = "change_state_to_pending_response__c";
const REVIEW: &str = "change_state_to_in_review__c";
const ACCEPT: &str = "change_state_to_closed__c";
const REASSIGN: &str = "reassign_external_collaborator__v";

fn to(p: &crate::PersonId) -> ActionArgs {
    ActionArgs {
        to: Some(p.clone()),
        ..ActionArgs::default()
    }
}

fn reason(r: &str) -> ActionArgs {
    ActionArgs {
        reason: Some(r.into()),
        ..ActionArgs::default()
    }
}

#[test]
fn reassign_keeps_a_prior_with_other_open_work_active() {
    let mut w = World::new();
    let anna = w.person("acme", "Anna", "Berg");
    let bo = w.person("acme", "Bo", "Lind");
    let scar = w.record("car__v", "acme", &[&anna]);
    let other = w.record("ncr__v", "acme", &[&anna]);
    w.send(&scar).unwrap();
    w.send(&other).unwrap();
    let plan = w.act(&scar, REASSIGN, to(&bo)).unwrap();
    assert!(plan.inactivations.is_empty(), "Anna still has the NCR");
    assert!(w.user_of(&anna).unwrap().is_active());
    assert!(w.emails_of(EmailKind::Goodbye).is_empty());
    assert_eq!(
        plan.tasks_cancelled.len(),
        1,
        "only her task on this record is cancelled"
    );
    assert_eq!(w.open_tasks_of(&other).len(), 1);
    let anna_user = w.user_of(&anna).unwrap().id.clone();
    assert!(
        !w.roles.contains(&(scar.clone(), anna_user)),
        "her access to the SCAR is gone"
    );
    w.check_invariants().unwrap();
}

#[test]
fn reassign_inactivates_a_prior_without_other_work_with_goodbye() {
    let mut w = World::new();
    let anna = w.person("acme", "Anna", "Berg");
    let bo = w.person("acme", "Bo", "Lind");
    let scar = w.record("car__v", "acme", &[&anna]);
    w.send(&scar).unwrap();
    let plan = w.act(&scar, REASSIGN, to(&bo)).unwrap();
    assert_eq!(plan.inactivations.len(), 1);
    assert_eq!(plan.assignments_closed.len(), 1);
    assert_eq!(w.emails_of(EmailKind::Goodbye), [&anna]);
    assert!(!w.user_of(&anna).unwrap().is_active());
}

#[test]
fn reassign_to_a_new_person_creates_and_welcomes_it() {
    let mut w = World::new();
    let anna = w.person("acme", "Anna", "Berg");
    let bo = w.person("acme", "Bo", "Lind");
    let scar = w.record("car__v", "acme", &[&anna]);
    w.send(&scar).unwrap();
    let plan = w.act(&scar, REASSIGN, to(&bo)).unwrap();
    assert_eq!(plan.users_created.len(), 1);
    assert_eq!(plan.users_created[0].person, bo);
    let kinds: Vec<_> = plan
        .emails
        .iter()
        .filter(|e| e.person == bo)
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, [EmailKind::Welcome, EmailKind::Task]);
}

#[test]
fn reassign_to_an_inactive_user_reactivates_it_with_welcome_back() {
    let mut w = World::new();
    let anna = w.person("acme", "Anna", "Berg");
    let bo = w.person("acme", "Bo", "Lind");
    let old = w.record("car__v", "acme", &[&bo]);
    w.send(&old).unwrap();
    w.act(&old, REVIEW, ActionArgs::default()).unwrap();
    w.act(&old, ACCEPT, ActionArgs::default()).unwrap();
    assert!(!w.user_of(&bo).unwrap().is_active());
    let scar = w.record("car__v", "acme", &[&anna]);
    w.send(&scar).unwrap();
    let plan = w.act(&scar, REASSIGN, to(&bo)).unwrap();
    assert!(plan.users_created.is_empty());
    let kinds: Vec<_> = plan
        .emails
        .iter()
        .filter(|e| e.person == bo)
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, [EmailKind::WelcomeBack, EmailKind::Task]);
    assert!(w.user_of(&bo).unwrap().is_active());
}

#[test]
fn reassign_to_an_active_user_sends_only_the_task() {
    let mut w = World::new();
    let anna = w.person("acme", "Anna", "Berg");
    let bo = w.person("acme", "Bo", "Lind");
    let busy = w.record("audit__qdm", "acme", &[&bo]);
    w.send(&busy).unwrap();
    let scar = w.record("car__v", "acme", &[&anna]);
    w.send(&scar).unwrap();
    let plan = w.act(&scar, REASSIGN, to(&bo)).unwrap();
    assert!(plan.activations.is_empty());
    let kinds: Vec<_> = plan
        .emails
        .iter()
        .filter(|e| e.person == bo)
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, [EmailKind::Task]);
    assert_eq!(plan.tasks_created.len(), 1);
    assert_eq!(
        w.active_assignments_of(&w.user_of(&bo).unwrap().id.clone()),
        2
    );
}

#[test]
fn reassign_moves_open_checklists_and_leaves_completed_ones() {
    let mut w = World::new();
    let anna = w.person("acme", "Anna", "Berg");
    let bo = w.person("acme", "Bo", "Lind");
    let scar = w.record("car__v", "acme", &[&anna]);
    w.send(&scar).unwrap();
    let open = w.add_checklist(&scar, &anna).unwrap();
    let done = w.add_checklist(&scar, &anna).unwrap();
    w.complete_checklist(&done).unwrap();
    let plan = w.act(&scar, REASSIGN, to(&bo)).unwrap();
    assert_eq!(
        plan.checklists_reassigned,
        [(open.clone(), Some(bo.clone()))]
    );
    let assignee = |id: &crate::ChecklistId| {
        w.checklists
            .iter()
            .find(|c| &c.id == id)
            .unwrap()
            .assignee
            .clone()
    };
    assert_eq!(assignee(&open), Some(bo.clone()));
    assert_eq!(
        assignee(&done),
        Some(anna.clone()),
        "completed checklists are not reassigned"
    );
}

#[test]
fn the_initiator_is_told_that_the_reassignment_succeeded() {
    let mut w = World::new();
    let anna = w.person("acme", "Anna", "Berg");
    let bo = w.person("acme", "Bo", "Lind");
    let scar = w.record("car__v", "acme", &[&anna]);
    w.send(&scar).unwrap();
    let plan = w.act(&scar, REASSIGN, to(&bo)).unwrap();
    let told: Vec<_> = plan
        .notifications
        .iter()
        .filter(|n| n.kind == NotificationKind::ReassignmentSucceeded)
        .collect();
    assert_eq!(told.len(), 1);
    assert_eq!(told[0].user, w.admin);
    assert!(
        told[0].message.contains("Anna Berg replaced by Bo Lind"),
        "{}",
        told[0].message
    );
}

#[test]
fn reassign_is_refused_outside_its_states_and_across_suppliers() {
    let mut w = World::new();
    let anna = w.person("acme", "Anna", "Berg");
    let bo = w.person("acme", "Bo", "Lind");
    let eve = w.person("globex", "Eve", "Stone");
    let scar = w.record("car__v", "acme", &[&anna]);
    assert!(matches!(
        w.act(&scar, REASSIGN, to(&bo)),
        Err(RuleError::Action(ActionError::NotInState { .. }))
    ));
    w.send(&scar).unwrap();
    assert!(matches!(
        w.act(&scar, REASSIGN, to(&eve)),
        Err(RuleError::ConstraintViolation { .. })
    ));
    assert!(matches!(
        w.act(&scar, REASSIGN, to(&anna)),
        Err(RuleError::AlreadyCollaborator { .. })
    ));
    w.act(&scar, REVIEW, ActionArgs::default()).unwrap();
    assert!(matches!(
        w.act(&scar, REASSIGN, to(&bo)),
        Err(RuleError::Action(ActionError::NotInState { .. }))
    ));
    assert_eq!(w.records[&scar].collaborators, std::slice::from_ref(&anna));
}

#[test]
fn a_reassign_preview_changes_nothing() {
    let mut w = World::new();
    let anna = w.person("acme", "Anna", "Berg");
    let bo = w.person("acme", "Bo", "Lind");
    let scar = w.record("car__v", "acme", &[&anna]);
    w.send(&scar).unwrap();
    let users = w.users.len();
    let plan = w.preview(&scar, REASSIGN, to(&bo)).unwrap();
    assert_eq!(plan.users_created.len(), 1);
    assert_eq!(w.users.len(), users);
    assert_eq!(w.records[&scar].collaborators, std::slice::from_ref(&anna));
}

#[test]
fn completing_the_last_response_task_moves_the_record_to_review() {
    let mut w = World::new();
    let anna = w.person("acme", "Anna", "Berg");
    let bo = w.person("acme", "Bo", "Lind");
    let scar = w.record("car__v", "acme", &[&anna, &bo]);
    w.send(&scar).unwrap();
    let tasks = w.open_tasks_of(&scar);
    let first = w
        .complete_task(&tasks[0].id, TaskCompleter::Assignee)
        .unwrap();
    assert!(
        first.state_change.is_none(),
        "one response is still missing"
    );
    assert_eq!(w.records[&scar].state, "pending_response__c");
    let last = w
        .complete_task(&tasks[1].id, TaskCompleter::OnBehalf(w.admin.clone()))
        .unwrap();
    assert_eq!(
        last.state_change.as_ref().map(|c| c.to.as_str()),
        Some("in_review__c")
    );
    assert_eq!(w.records[&scar].state, "in_review__c");
    assert_eq!(
        last.tasks_completed[0].on_behalf_by.as_ref(),
        Some(&w.admin)
    );
    assert!(matches!(
        w.complete_task(&tasks[1].id, TaskCompleter::Assignee),
        Err(RuleError::TaskNotOpen { .. })
    ));
}

#[test]
fn a_rejection_needs_a_reason_and_puts_it_in_the_new_task() {
    let mut w = World::new();
    let anna = w.person("acme", "Anna", "Berg");
    let scar = w.record("car__v", "acme", &[&anna]);
    w.send(&scar).unwrap();
    let task = w.open_tasks_of(&scar)[0].id.clone();
    w.complete_task(&task, TaskCompleter::Assignee).unwrap();
    assert!(matches!(
        w.act(&scar, SEND, ActionArgs::default()),
        Err(RuleError::ParameterRequired(_))
    ));
    let plan = w
        .act(&scar, SEND, reason("the root cause is missing"))
        .unwrap();
    assert_eq!(plan.tasks_created.len(), 1);
    assert!(plan.tasks_created[0]
        .instructions
        .contains("the root cause is missing"));
    let told: Vec<_> = plan.notifications.iter().map(|n| n.kind).collect();
    assert_eq!(
        told,
        [
            NotificationKind::ResponseRejected,
            NotificationKind::TaskAssigned
        ]
    );
    assert!(plan.notifications[0]
        .message
        .contains("the root cause is missing"));
}

#[test]
fn accepting_closes_the_record_and_tells_the_collaborator() {
    let mut w = World::new();
    let anna = w.person("acme", "Anna", "Berg");
    let scar = w.record("car__v", "acme", &[&anna]);
    w.send(&scar).unwrap();
    let task = w.open_tasks_of(&scar)[0].id.clone();
    w.complete_task(&task, TaskCompleter::Assignee).unwrap();
    let plan = w.act(&scar, ACCEPT, ActionArgs::default()).unwrap();
    assert_eq!(w.records[&scar].state, "closed__c");
    assert_eq!(
        plan.notifications[0].kind,
        NotificationKind::ResponseAccepted
    );
    assert_eq!(
        w.users[&w.user_of(&anna).unwrap().id.clone()].status,
        UserStatus::Inactive
    );
}

#[test]
fn cancelling_a_task_does_not_move_the_record() {
    let mut w = World::new();
    let anna = w.person("acme", "Anna", "Berg");
    let scar = w.record("car__v", "acme", &[&anna]);
    w.send(&scar).unwrap();
    let task = w.open_tasks_of(&scar)[0].id.clone();
    let plan = w.cancel_task(&task).unwrap();
    assert_eq!(plan.tasks_cancelled, [task]);
    assert!(plan.state_change.is_none());
    assert_eq!(w.records[&scar].state, "pending_response__c");
}

#[test]
fn removing_a_collaborator_leaves_its_open_checklists_unassigned() {
    let mut w = World::new();
    let anna = w.person("acme", "Anna", "Berg");
    let bo = w.person("acme", "Bo", "Lind");
    let scar = w.record("car__v", "acme", &[&anna, &bo]);
    w.send(&scar).unwrap();
    let list = w.add_checklist(&scar, &anna).unwrap();
    let plan = w.set_collaborators(&scar, &[&bo]).unwrap();
    assert_eq!(plan.checklists_reassigned, [(list, None)]);
    w.check_invariants().unwrap();
}
