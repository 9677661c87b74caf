//! The rules as the seeds spell them out, one scenario each.

use super::world::World;
use super::*;
use crate::config::EmailKind;
use crate::model::UserStatus;

const SEND: &str = "change_state_to_pending_response__c";
const REVIEW: &str = "change_state_to_in_review__c";
const CLOSE: &str = "change_state_to_closed__c";
const CANCEL: &str = "change_state_to_cancelled__c";

fn close(w: &mut World, r: &crate::RecordId) {
    w.act(r, REVIEW, ActionArgs::default()).unwrap();
    w.act(r, CLOSE, ActionArgs::default()).unwrap();
}

#[test]
fn entering_the_entry_state_creates_activates_and_welcomes_a_new_user() {
    let mut w = World::new();
    let anna = w.person("acme", "Anna", "Berg");
    let scar = w.record("car__v", "acme", &[&anna]);
    let plan = w.send(&scar).unwrap();

    assert_eq!(plan.users_created.len(), 1);
    let user = w.user_of(&anna).unwrap().clone();
    assert_eq!(user.username, "anna.berg@acme.example");
    assert!(user.managed && user.is_active());
    assert_eq!(plan.seats_taken(), 1);
    assert_eq!(w.pool.active, 1);
    assert!(w.roles.contains(&(scar.clone(), user.id.clone())));
    assert_eq!(w.active_assignments_of(&user.id), 1);
    assert_eq!(w.emails_of(EmailKind::Welcome), [&anna]);
    assert_eq!(w.emails_of(EmailKind::Task), [&anna]);
    assert_eq!(plan.tasks_created.len(), 1);
    assert_eq!(plan.emails[0].template, "ext_collab_welcome_scar__v");
    assert!(plan.tasks_created[0].instructions.contains("SCAR-1"));
}

#[test]
fn second_request_reuses_the_active_user_without_a_welcome() {
    let mut w = World::new();
    let anna = w.person("acme", "Anna", "Berg");
    let first = w.record("car__v", "acme", &[&anna]);
    let second = w.record("ncr__v", "acme", &[&anna]);
    w.send(&first).unwrap();
    let plan = w.send(&second).unwrap();

    assert!(plan.users_created.is_empty());
    assert!(plan.activations.is_empty());
    assert_eq!(plan.seats_taken(), 0);
    assert_eq!(w.users.len(), 1);
    assert_eq!(w.emails_of(EmailKind::Welcome).len(), 1);
    assert_eq!(w.emails_of(EmailKind::WelcomeBack).len(), 0);
    assert_eq!(w.active_assignments_of(&w.user_of(&anna).unwrap().id), 2);
}

#[test]
fn user_stays_active_until_its_last_assignment_ends() {
    let mut w = World::new();
    let anna = w.person("acme", "Anna", "Berg");
    let first = w.record("car__v", "acme", &[&anna]);
    let second = w.record("audit__qdm", "acme", &[&anna]);
    w.send(&first).unwrap();
    w.send(&second).unwrap();

    close(&mut w, &first);
    assert!(w.user_of(&anna).unwrap().is_active(), "still has the audit");
    assert!(w.emails_of(EmailKind::Goodbye).is_empty());
    assert_eq!(w.pool.active, 1);

    close(&mut w, &second);
    assert!(!w.user_of(&anna).unwrap().is_active());
    assert_eq!(w.emails_of(EmailKind::Goodbye), [&anna]);
    assert_eq!(w.pool.active, 0);
    // Sharing settings stay by default (C3).
    let uid = w.user_of(&anna).unwrap().id.clone();
    assert!(w.roles.contains(&(first.clone(), uid)));
}

#[test]
fn reactivation_uses_the_same_user_and_says_welcome_back() {
    let mut w = World::new();
    let anna = w.person("acme", "Anna", "Berg");
    let first = w.record("car__v", "acme", &[&anna]);
    w.send(&first).unwrap();
    close(&mut w, &first);
    let uid = w.user_of(&anna).unwrap().id.clone();

    let later = w.record("change_control__v", "acme", &[&anna]);
    let plan = w.send(&later).unwrap();
    assert!(plan.users_created.is_empty());
    assert_eq!(plan.activations.len(), 1);
    assert!(!plan.activations[0].created);
    assert_eq!(w.user_of(&anna).unwrap().id, uid);
    assert!(w.user_of(&anna).unwrap().is_active());
    assert_eq!(w.emails_of(EmailKind::WelcomeBack), [&anna]);
    assert_eq!(
        plan.emails[0].template,
        "ext_collab_welcome_back_supplier_change__v"
    );
}

#[test]
fn exact_details_match_links_the_existing_user_instead_of_creating_one() {
    let mut w = World::new();
    let anna = w.person("acme", "Anna", "Berg");
    let existing = w.unlinked_user_like(&anna, UserStatus::Inactive, true);
    let scar = w.record("car__v", "acme", &[&anna]);
    let plan = w.send(&scar).unwrap();

    assert!(plan.users_created.is_empty());
    assert_eq!(plan.users_linked, [(anna.clone(), existing.clone())]);
    assert_eq!(w.persons[&anna].user.as_ref(), Some(&existing));
    assert!(w.users[&existing].is_active());
    assert_eq!(w.emails_of(EmailKind::WelcomeBack), [&anna]);
}

#[test]
fn two_contacts_with_the_details_of_one_user_on_one_record_get_a_user_each() {
    let mut w = World::new();
    let anna = w.person("acme", "Anna", "Berg");
    let twin = w.person("acme", "Anna", "Berg");
    let existing = w.unlinked_user_like(&anna, UserStatus::Inactive, true);
    let scar = w.record("car__v", "acme", &[&anna, &twin]);
    let plan = w.send(&scar).unwrap();

    assert_eq!(
        plan.users_linked,
        [(anna.clone(), existing.clone())],
        "the user is linked once"
    );
    assert_eq!(plan.users_created.len(), 1);
    assert_eq!(plan.users_created[0].person, twin);
    assert_eq!(
        plan.users_created[0].username, "anna.berg@acme.example.2",
        "the linked user has the name"
    );
    w.check_invariants().unwrap();
}

#[test]
fn a_user_with_other_details_is_not_matched() {
    let mut w = World::new();
    let anna = w.person("acme", "Anna", "Berg");
    let other = w.unlinked_user_like(&anna, UserStatus::Inactive, true);
    w.users.get_mut(&other).unwrap().last_name = "Berg-Lund".into();
    let scar = w.record("car__v", "acme", &[&anna]);
    let plan = w.send(&scar).unwrap();
    assert_eq!(plan.users_created.len(), 1);
    assert_eq!(
        plan.users_created[0].username, "anna.berg@acme.example.2",
        "the username is taken"
    );
}

#[test]
fn unmanaged_users_are_never_activated_or_inactivated_but_get_role_and_task() {
    let mut w = World::new();
    let anna = w.person("acme", "Anna", "Berg");
    let inactive = w.unlinked_user_like(&anna, UserStatus::Inactive, false);
    let scar = w.record("car__v", "acme", &[&anna]);
    let plan = w.send(&scar).unwrap();
    assert!(plan.activations.is_empty());
    assert!(
        plan.assignments_opened.is_empty(),
        "assignments of unmanaged users are not tracked"
    );
    assert_eq!(plan.roles_granted, std::slice::from_ref(&inactive));
    assert_eq!(plan.tasks_created.len(), 1);
    assert!(!w.users[&inactive].is_active());

    let mut w = World::new();
    let bo = w.person("acme", "Bo", "Lind");
    let active = w.unlinked_user_like(&bo, UserStatus::Active, false);
    let scar = w.record("car__v", "acme", &[&bo]);
    w.send(&scar).unwrap();
    close(&mut w, &scar);
    assert!(
        w.users[&active].is_active(),
        "an unmanaged user stays active after the exit state"
    );
    assert!(w.emails_of(EmailKind::Goodbye).is_empty());
}

#[test]
fn hand_status_changes_of_managed_users_are_refused() {
    let mut w = World::new();
    let anna = w.person("acme", "Anna", "Berg");
    let scar = w.record("car__v", "acme", &[&anna]);
    w.send(&scar).unwrap();
    let uid = w.user_of(&anna).unwrap().id.clone();
    assert!(matches!(
        w.set_status(&uid, UserStatus::Inactive),
        Err(RuleError::ManagedByAutomation { .. })
    ));
    w.set_managed(&uid, false).unwrap();
    assert_eq!(w.active_assignments_of(&uid), 0, "tracking stops");
    w.set_status(&uid, UserStatus::Inactive).unwrap();
    assert_eq!(w.pool.active, 0);
    w.set_managed(&uid, true).unwrap();
    assert!(
        w.user_of(&anna).unwrap().is_active(),
        "automation takes over the open collaboration"
    );
    assert_eq!(w.active_assignments_of(&uid), 1);
    w.check_invariants().unwrap();
}

#[test]
fn removing_a_collaborator_releases_it_and_removes_its_role_at_once() {
    let mut w = World::new();
    let anna = w.person("acme", "Anna", "Berg");
    let bo = w.person("acme", "Bo", "Lind");
    let scar = w.record("car__v", "acme", &[&anna, &bo]);
    w.send(&scar).unwrap();
    let anna_user = w.user_of(&anna).unwrap().id.clone();
    let plan = w.set_collaborators(&scar, &[&bo]).unwrap();

    assert_eq!(plan.roles_removed, std::slice::from_ref(&anna_user));
    assert_eq!(plan.assignments_closed.len(), 1);
    assert_eq!(plan.tasks_cancelled.len(), 1);
    assert!(!w.users[&anna_user].is_active());
    assert_eq!(w.emails_of(EmailKind::Goodbye), [&anna]);
    assert!(!w.roles.contains(&(scar.clone(), anna_user)));
    assert!(w.user_of(&bo).unwrap().is_active());
}

#[test]
fn deleting_a_record_releases_every_collaborator() {
    let mut w = World::new();
    let anna = w.person("acme", "Anna", "Berg");
    let bo = w.person("acme", "Bo", "Lind");
    let scar = w.record("car__v", "acme", &[&anna, &bo]);
    w.send(&scar).unwrap();
    let plan = w.delete(&scar).unwrap();
    assert!(plan.delete_record);
    assert_eq!(plan.inactivations.len(), 2);
    assert_eq!(plan.roles_removed.len(), 2);
    assert_eq!(plan.seats_freed(), 2);
    assert_eq!(w.pool.active, 0);
    w.check_invariants().unwrap();
}

#[test]
fn several_collaborators_on_one_record_are_each_activated_and_tasked() {
    let mut w = World::new();
    let people: Vec<_> = ["Anna", "Bo", "Cy"]
        .iter()
        .map(|n| w.person("acme", n, "Test"))
        .collect();
    let refs: Vec<_> = people.iter().collect();
    let scar = w.record("car__v", "acme", &refs);
    let plan = w.send(&scar).unwrap();
    assert_eq!(plan.users_created.len(), 3);
    assert_eq!(plan.assignments_opened.len(), 3);
    assert_eq!(plan.tasks_created.len(), 3);
    assert_eq!(w.emails_of(EmailKind::Welcome).len(), 3);
    w.act(&scar, CANCEL, ActionArgs::default()).unwrap();
    assert_eq!(w.emails_of(EmailKind::Goodbye).len(), 3);
    assert!(w.tasks.iter().all(|t| !t.open));
}

#[test]
fn a_person_of_another_supplier_is_refused_and_nothing_changes() {
    let mut w = World::new();
    let anna = w.person("acme", "Anna", "Berg");
    let eve = w.person("globex", "Eve", "Stone");
    let scar = w.record("car__v", "acme", &[&anna]);
    let err = w.set_collaborators(&scar, &[&anna, &eve]).unwrap_err();
    match err {
        RuleError::ConstraintViolation {
            person,
            person_name,
            constraint,
        } => {
            assert_eq!(person, eve.to_string());
            assert_eq!(person_name, "Eve Stone");
            assert_eq!(constraint, "organization__v = {{this.supplier__v}}");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(w.records[&scar].collaborators, [anna]);
}

#[test]
fn no_free_seat_refuses_the_whole_transition() {
    let mut w = World::new();
    let people: Vec<_> = (0..11)
        .map(|i| w.person("acme", &format!("P{i}"), "Test"))
        .collect();
    for p in &people[..9] {
        let r = w.record("car__v", "acme", &[p]);
        w.send(&r).unwrap();
    }
    let both = w.record("car__v", "acme", &[&people[9], &people[10]]);
    let emails_before = w.emails.len();
    let err = w.send(&both).unwrap_err();
    assert!(
        matches!(err, RuleError::LicenseLimitExceeded { seats: 10, .. }),
        "{err:?}"
    );
    assert_eq!(w.records[&both].state, "draft__c");
    assert_eq!(w.users.len(), 9, "no user is kept");
    assert_eq!(w.emails.len(), emails_before, "no email is kept");
    assert_eq!(w.pool.active, 9);
}

#[test]
fn dry_run_returns_the_plan_and_changes_nothing() {
    let mut w = World::new();
    let anna = w.person("acme", "Anna", "Berg");
    let scar = w.record("car__v", "acme", &[&anna]);
    let preview = w.preview(&scar, SEND, ActionArgs::default()).unwrap();
    assert_eq!(preview.users_created.len(), 1);
    assert_eq!(preview.seats_taken(), 1);
    assert!(w.users.is_empty());
    assert_eq!(w.records[&scar].state, "draft__c");
}

#[test]
fn actions_outside_their_states_are_refused() {
    let mut w = World::new();
    let anna = w.person("acme", "Anna", "Berg");
    let scar = w.record("car__v", "acme", &[&anna]);
    assert!(matches!(
        w.act(&scar, CLOSE, ActionArgs::default()),
        Err(RuleError::Action(
            crate::lifecycle::ActionError::NotInState { .. }
        ))
    ));
    assert!(matches!(
        w.act(&scar, "change_state_to_nowhere__c", ActionArgs::default()),
        Err(RuleError::Action(
            crate::lifecycle::ActionError::Unknown { .. }
        ))
    ));
    assert!(matches!(
        w.act(
            &scar,
            "reassign_external_collaborator__v",
            ActionArgs::default()
        ),
        Err(RuleError::Action(
            crate::lifecycle::ActionError::NotInState { .. }
        ))
    ));
    let empty = w.record("car__v", "acme", &[]);
    assert!(matches!(
        w.send(&empty),
        Err(RuleError::NoCollaborators { .. })
    ));
}

#[test]
fn the_field_is_locked_in_exit_states() {
    let mut w = World::new();
    let anna = w.person("acme", "Anna", "Berg");
    let bo = w.person("acme", "Bo", "Lind");
    let scar = w.record("car__v", "acme", &[&anna]);
    w.act(&scar, CANCEL, ActionArgs::default()).unwrap();
    assert!(matches!(
        w.set_collaborators(&scar, &[&bo]),
        Err(RuleError::FieldLocked { .. })
    ));
}

#[test]
fn reassign_releases_the_prior_and_activates_the_new_collaborator() {
    let mut w = World::new();
    let anna = w.person("acme", "Anna", "Berg");
    let bo = w.person("acme", "Bo", "Lind");
    let scar = w.record("car__v", "acme", &[&anna]);
    w.send(&scar).unwrap();
    let anna_user = w.user_of(&anna).unwrap().id.clone();
    let plan = w
        .act(
            &scar,
            "reassign_external_collaborator__v",
            ActionArgs {
                from: None,
                to: Some(bo.clone()),
                reason: None,
            },
        )
        .unwrap();
    assert_eq!(w.records[&scar].collaborators, std::slice::from_ref(&bo));
    assert_eq!(plan.tasks_cancelled.len(), 1);
    assert_eq!(plan.roles_removed, std::slice::from_ref(&anna_user));
    assert!(!w.users[&anna_user].is_active());
    assert_eq!(w.emails_of(EmailKind::Goodbye), [&anna]);
    assert!(w.user_of(&bo).unwrap().is_active());
    assert_eq!(w.emails_of(EmailKind::Welcome), [&anna, &bo]);
    assert_eq!(plan.tasks_created.len(), 1);
    assert_eq!(w.pool.active, 1, "the freed seat is reused");
    w.check_invariants().unwrap();

    let eve = w.person("globex", "Eve", "Stone");
    let err = w
        .act(
            &scar,
            "reassign_external_collaborator__v",
            ActionArgs {
                from: None,
                to: Some(eve),
                reason: None,
            },
        )
        .unwrap_err();
    assert!(matches!(err, RuleError::ConstraintViolation { .. }));
}

#[test]
fn rejecting_a_response_gives_a_new_task_without_a_new_welcome() {
    let mut w = World::new();
    let anna = w.person("acme", "Anna", "Berg");
    let scar = w.record("car__v", "acme", &[&anna]);
    w.send(&scar).unwrap();
    let review = w.act(&scar, REVIEW, ActionArgs::default()).unwrap();
    assert_eq!(
        review.tasks_cancelled.len(),
        1,
        "the open response task ends with its state"
    );
    let reject = w
        .act(
            &scar,
            SEND,
            ActionArgs {
                reason: Some("no evidence attached".into()),
                ..ActionArgs::default()
            },
        )
        .unwrap();
    assert!(reject.activations.is_empty());
    assert!(reject.assignments_opened.is_empty());
    assert_eq!(reject.tasks_created.len(), 1);
    assert_eq!(w.emails_of(EmailKind::Welcome).len(), 1);
}

#[test]
fn create_activate_user_action_brings_in_a_collaborator_added_later() {
    let mut w = World::new();
    let anna = w.person("acme", "Anna", "Berg");
    let bo = w.person("acme", "Bo", "Lind");
    let scar = w.record("car__v", "acme", &[&anna]);
    w.send(&scar).unwrap();
    let plan = w.set_collaborators(&scar, &[&anna, &bo]).unwrap();
    assert!(
        plan.activations.is_empty(),
        "editing the field does not activate"
    );
    let plan = w
        .act(
            &scar,
            "create_activate_external_collaborator__v",
            ActionArgs::default(),
        )
        .unwrap();
    assert_eq!(plan.activations.len(), 1);
    assert_eq!(plan.activations[0].person, bo);
    assert_eq!(plan.tasks_created.len(), 1, "anna already has her task");
}

#[test]
fn past_its_end_date_a_record_releases_its_collaborators_as_the_exit_action_does() {
    let mut w = World::new();
    let anna = w.person("acme", "Anna", "Berg");
    let bo = w.person("acme", "Bo", "Lind");
    let ending = w.record("car__v", "acme", &[&anna, &bo]);
    let other = w.record("ncr__v", "acme", &[&anna]);
    w.send(&ending).unwrap();
    w.send(&other).unwrap();
    assert_eq!(w.pool.active, 2);

    let plan = w.end_access(&ending).unwrap();
    assert_eq!(
        plan.assignments_closed.len(),
        2,
        "both collaborators' access ends"
    );
    assert!(plan.state_change.is_none(), "the record stays where it is");
    assert_eq!(
        plan.tasks_cancelled.len(),
        2,
        "their open tasks here are cancelled"
    );
    // Bo had nothing else: inactivated, Goodbye, seat freed. Anna keeps her other request.
    assert!(!w.user_of(&bo).unwrap().is_active());
    assert!(w.user_of(&anna).unwrap().is_active());
    assert_eq!(w.emails_of(EmailKind::Goodbye), [&bo]);
    assert_eq!(w.pool.active, 1);
    assert!(
        plan.roles_removed.is_empty(),
        "sharing stays by default, as on exit"
    );
    w.check_invariants().unwrap();

    // Nothing is left to end: a second run changes nothing.
    let again = w.end_access(&ending).unwrap();
    assert!(again.assignments_closed.is_empty() && again.emails.is_empty());
}

#[test]
fn a_reminder_of_the_end_date_goes_to_each_collaborator_with_access_and_changes_nothing() {
    let mut w = World::new();
    let anna = w.person("acme", "Anna", "Berg");
    let bo = w.person("acme", "Bo", "Lind");
    let scar = w.record("car__v", "acme", &[&anna]);
    w.send(&scar).unwrap();
    // Bo is named but never activated: no access, no reminder.
    w.set_collaborators(&scar, &[&anna, &bo]).unwrap();
    let plan = w.remind_access_ending(&scar).unwrap();
    assert_eq!(plan.emails.len(), 1);
    assert_eq!(plan.emails[0].kind, EmailKind::AccessEnding);
    assert_eq!(plan.emails[0].template, "ext_collab_access_ending_scar__v");
    assert_eq!(plan.emails[0].person, anna);
    assert!(plan.assignments_closed.is_empty() && plan.inactivations.is_empty());
    assert!(plan.state_change.is_none() && plan.tasks_cancelled.is_empty());
}

#[test]
fn a_review_removing_a_user_releases_only_that_user_and_says_goodbye_on_the_last_record() {
    let mut w = World::new();
    let anna = w.person("acme", "Anna", "Berg");
    let bo = w.person("acme", "Bo", "Lind");
    let first = w.record("car__v", "acme", &[&anna, &bo]);
    let second = w.record("ncr__v", "acme", &[&anna]);
    w.send(&first).unwrap();
    w.send(&second).unwrap();
    assert_eq!(w.pool.active, 2);
    let user = w.user_of(&anna).unwrap().id.clone();

    let plan = w.end_user_access(&first, &user).unwrap();
    assert_eq!(plan.assignments_closed.len(), 1, "Bo keeps his access");
    assert!(
        plan.inactivations.is_empty(),
        "Anna still has the other record"
    );
    assert!(plan.state_change.is_none());
    assert!(w.user_of(&anna).unwrap().is_active());

    let plan = w.end_user_access(&second, &user).unwrap();
    assert_eq!(plan.assignments_closed.len(), 1);
    assert_eq!(plan.inactivations.len(), 1, "her last access: inactivated");
    assert!(!w.user_of(&anna).unwrap().is_active());
    assert_eq!(w.emails_of(EmailKind::Goodbye), [&anna]);
    assert_eq!(w.pool.active, 1, "her seat is free");
    assert!(w.user_of(&bo).unwrap().is_active());
    w.check_invariants().unwrap();
}
