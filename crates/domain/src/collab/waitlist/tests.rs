//! The license waitlist on the in-memory world: who waits, in which order, and what a freed
//! seat does.

use super::super::world::World;
use super::super::*;
use crate::config::{EmailKind, WhenNoSeat};
use crate::{PersonId, RecordId};

const SEND: &str = "change_state_to_pending_response__c";
const REVIEW: &str = "change_state_to_in_review__c";
const CLOSE: &str = "change_state_to_closed__c";
const CANCEL: &str = "change_state_to_cancelled__c";

/// A world of 10 seats, CARs queueing, every seat taken by a collaborator of an NCR of its
/// own; answers those NCRs.
fn full_world() -> (World, Vec<RecordId>) {
    let mut w = World::with_seats(10);
    for t in &mut w.config.types {
        if t.object == "car__v" {
            t.when_no_seat = WhenNoSeat::Queue;
        }
    }
    let mut ncrs = vec![];
    for i in 0..10 {
        let p = w.person("acme", &format!("Holder{i}"), "Seat");
        let r = w.record("ncr__v", "acme", &[&p]);
        w.send(&r).unwrap();
        ncrs.push(r);
    }
    assert_eq!(w.pool.active, 10);
    (w, ncrs)
}

/// Anna and Bob, each sent a SCAR of their own while the pool is full: (Anna, Bob, her SCAR,
/// his SCAR).
fn two_waiting(w: &mut World) -> (PersonId, PersonId, RecordId, RecordId) {
    let anna = w.person("acme", "Anna", "Berg");
    let bob = w.person("acme", "Bob", "Carr");
    let first = w.record("car__v", "acme", &[&anna]);
    let second = w.record("car__v", "acme", &[&bob]);
    w.send(&first).unwrap();
    w.send(&second).unwrap();
    (anna, bob, first, second)
}

fn close(w: &mut World, r: &RecordId) -> Plan {
    w.act(r, REVIEW, ActionArgs::default()).unwrap();
    w.act(r, CLOSE, ActionArgs::default()).unwrap()
}

fn waiting(w: &World) -> Vec<(RecordId, PersonId)> {
    w.waitlist
        .iter()
        .map(|(r, p, _)| (r.clone(), p.clone()))
        .collect()
}

#[test]
fn no_seat_on_a_queueing_type_leaves_the_collaborator_waiting_and_nothing_else() {
    let (mut w, _) = full_world();
    let anna = w.person("acme", "Anna", "Berg");
    let scar = w.record("car__v", "acme", &[&anna]);
    let plan = w.send(&scar).unwrap();

    assert_eq!(plan.waiting, std::slice::from_ref(&anna));
    assert!(plan.users_created.is_empty() && plan.activations.is_empty());
    assert!(plan.roles_granted.is_empty() && plan.assignments_opened.is_empty());
    assert!(plan.tasks_created.is_empty() && plan.emails.is_empty());
    assert_eq!(plan.seats_taken(), 0);
    assert_eq!(w.pool.active, 10);
    assert!(w.user_of(&anna).is_none());
    assert_eq!(waiting(&w), [(scar.clone(), anna)]);
    assert_eq!(
        w.records[&scar].state, "pending_response__c",
        "the move succeeded"
    );
    w.check_invariants().unwrap();
}

#[test]
fn a_type_without_the_queue_still_refuses() {
    let (mut w, _) = full_world();
    let anna = w.person("acme", "Anna", "Berg");
    let ncr = w.record("ncr__v", "acme", &[&anna]);
    let err = w.send(&ncr).unwrap_err();
    assert!(
        matches!(err, RuleError::LicenseLimitExceeded { .. }),
        "{err}"
    );
    assert!(w.waitlist.is_empty());
}

#[test]
fn the_preview_says_who_would_wait_and_changes_nothing() {
    let (mut w, _) = full_world();
    let anna = w.person("acme", "Anna", "Berg");
    let scar = w.record("car__v", "acme", &[&anna]);
    let plan = w.preview(&scar, SEND, ActionArgs::default()).unwrap();
    assert_eq!(plan.waiting, [anna]);
    assert!(w.waitlist.is_empty());
}

#[test]
fn asking_again_while_waiting_keeps_one_place_in_the_queue() {
    let (mut w, _) = full_world();
    let anna = w.person("acme", "Anna", "Berg");
    let scar = w.record("car__v", "acme", &[&anna]);
    w.send(&scar).unwrap();
    let again = w
        .act(
            &scar,
            "create_activate_external_collaborator__v",
            ActionArgs::default(),
        )
        .unwrap();
    assert!(again.waiting.is_empty() && again.waits_ended.is_empty());
    assert_eq!(w.waitlist.len(), 1);
}

#[test]
fn a_freed_seat_goes_to_the_oldest_waiting_collaborator_and_the_requester_is_told() {
    let (mut w, ncrs) = full_world();
    let (anna, bob, first, second) = two_waiting(&mut w);
    assert_eq!(waiting(&w).len(), 2);

    let exit = close(&mut w, &ncrs[0]);
    assert_eq!(exit.seats_freed(), 1);
    let served = w.serve_waitlist();
    assert_eq!(served.len(), 1, "one seat, one collaborator");
    let plan = &served[0];
    assert_eq!(plan.record, first, "the oldest entry");
    assert_eq!(
        plan.waits_ended,
        [EndedWait {
            person: anna.clone(),
            served: true
        }]
    );
    assert_eq!(plan.seats_taken(), 1);
    assert!(w.user_of(&anna).unwrap().is_active());
    assert_eq!(w.emails_of(EmailKind::Welcome).last(), Some(&&anna));
    assert_eq!(plan.tasks_created.len(), 1, "the state's response task");
    let told = &plan.notifications.last().unwrap();
    assert_eq!(told.kind, NotificationKind::WaitlistServed);
    assert_eq!(told.user, w.admin, "whoever ran the action that queued it");
    assert!(told.message.contains("Anna Berg"), "{}", told.message);
    assert_eq!(waiting(&w), [(second.clone(), bob.clone())]);
    assert_eq!(w.pool.active, 10);
    w.check_invariants().unwrap();

    close(&mut w, &ncrs[1]);
    let served = w.serve_waitlist();
    assert_eq!(served[0].record, second);
    assert!(w.waitlist.is_empty());
    w.check_invariants().unwrap();
}

#[test]
fn a_returning_collaborator_is_welcomed_back_when_served() {
    let (mut w, ncrs) = full_world();
    // Holder0's own seat frees; it then waits on a SCAR while the pool is full again.
    let holder = w.records[&ncrs[0]].collaborators[0].clone();
    close(&mut w, &ncrs[0]);
    let filler = w.person("acme", "Fill", "Er");
    let r = w.record("ncr__v", "acme", &[&filler]);
    w.send(&r).unwrap();
    let scar = w.record("car__v", "acme", &[&holder]);
    assert_eq!(
        w.send(&scar).unwrap().waiting,
        std::slice::from_ref(&holder)
    );

    close(&mut w, &ncrs[1]);
    w.serve_waitlist();
    assert!(w.user_of(&holder).unwrap().is_active());
    assert_eq!(w.emails_of(EmailKind::WelcomeBack), [&holder]);
    w.check_invariants().unwrap();
}

#[test]
fn removing_the_person_or_cancelling_the_record_drops_the_wait() {
    let (mut w, _) = full_world();
    let (anna, _, first, second) = two_waiting(&mut w);

    let removed = w.set_collaborators(&first, &[]).unwrap();
    assert_eq!(
        removed.waits_ended,
        [EndedWait {
            person: anna,
            served: false
        }]
    );
    let cancelled = w.act(&second, CANCEL, ActionArgs::default()).unwrap();
    assert_eq!(cancelled.waits_ended.len(), 1);
    assert!(!cancelled.waits_ended[0].served);
    assert!(w.waitlist.is_empty());
    assert_eq!(w.pool.active, 10, "nobody was activated");
}

#[test]
fn a_wait_that_can_no_longer_be_served_is_dropped_when_its_turn_comes() {
    let (mut w, ncrs) = full_world();
    let (_, bob, first, second) = two_waiting(&mut w);
    // Anna's record changed supplier meanwhile (without the field changing).
    w.records.get_mut(&first).unwrap().supplier = Some(crate::OrgId::new("other"));

    close(&mut w, &ncrs[0]);
    let served = w.serve_waitlist();
    assert_eq!(served.len(), 2);
    assert!(!served[0].waits_ended[0].served, "Anna's wait dropped");
    assert!(served[0].activations.is_empty());
    assert_eq!(served[1].record, second, "the seat goes to the next");
    assert!(w.user_of(&bob).unwrap().is_active());
    w.check_invariants().unwrap();
}

#[test]
fn the_seat_limit_holds_with_the_queue_under_many_sends_and_closes() {
    let (mut w, ncrs) = full_world();
    let mut scars = vec![];
    for i in 0..15 {
        let p = w.person("acme", &format!("Wait{i}"), "Er");
        let r = w.record("car__v", "acme", &[&p]);
        w.send(&r).unwrap();
        scars.push((r, p));
    }
    assert_eq!(w.waitlist.len(), 15);
    for (i, ncr) in ncrs.iter().enumerate() {
        close(&mut w, ncr);
        w.serve_waitlist();
        assert!(w.pool.active <= 10);
        // Served in the order they waited.
        let (r, p) = &scars[i];
        assert!(w.user_of(p).is_some_and(|u| u.is_active()), "{r}");
        w.check_invariants().unwrap();
    }
    assert_eq!(w.waitlist.len(), 5);
    assert_eq!(w.waitlist[0].0, scars[10].0);
}

#[test]
fn a_collaborator_waiting_on_two_records_gets_both_when_one_seat_frees() {
    let (mut w, ncrs) = full_world();
    let anna = w.person("acme", "Anna", "Berg");
    let bob = w.person("acme", "Bob", "Carr");
    let first = w.record("car__v", "acme", &[&anna]);
    let second = w.record("car__v", "acme", &[&bob]);
    let third = w.record("car__v", "acme", &[&anna]);
    for r in [&first, &second, &third] {
        w.send(r).unwrap();
    }
    close(&mut w, &ncrs[0]);
    w.serve_waitlist();
    // Anna's account is active now: her access to the third needs no seat of its own.
    assert_eq!(w.active_assignments_of(&w.user_of(&anna).unwrap().id), 2);
    assert_eq!(waiting(&w), [(second, bob)]);
    w.check_invariants().unwrap();
}
