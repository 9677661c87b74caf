//! The property test of the core: random sequences of operations keep the invariants.

use proptest::prelude::*;

use super::world::World;
use super::{ActionArgs, TaskCompleter};
use crate::model::UserStatus;
use crate::{PersonId, RecordId};

const OBJECTS: [&str; 5] = [
    "car__v",
    "ncr__v",
    "audit__qdm",
    "change_control__v",
    "inspection__v",
];
const ACTIONS: [&str; 6] = [
    "change_state_to_pending_response__c",
    "change_state_to_in_review__c",
    "change_state_to_closed__c",
    "change_state_to_cancelled__c",
    "create_activate_external_collaborator__v",
    "reassign_external_collaborator__v",
];
const SEATS: [i64; 4] = [10, 20, 50, 100];

#[derive(Debug, Clone)]
enum Op {
    CreateRecord {
        object: usize,
        supplier: usize,
        people: Vec<usize>,
    },
    Action {
        record: usize,
        action: usize,
        to: usize,
    },
    SetCollaborators {
        record: usize,
        people: Vec<usize>,
    },
    Delete {
        record: usize,
    },
    SetManaged {
        person: usize,
        managed: bool,
    },
    SetStatus {
        person: usize,
        active: bool,
    },
    SetSeats {
        seats: usize,
    },
    CompleteTask {
        task: usize,
        on_behalf: bool,
    },
    CancelTask {
        task: usize,
    },
    AddChecklist {
        record: usize,
        person: usize,
    },
    CompleteChecklist {
        checklist: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..5usize, 0..2usize, prop::collection::vec(0..6usize, 0..3))
            .prop_map(|(object, supplier, people)| Op::CreateRecord { object, supplier, people }),
        6 => (0..12usize, 0..ACTIONS.len(), 0..12usize)
            .prop_map(|(record, action, to)| Op::Action { record, action, to }),
        2 => (0..12usize, prop::collection::vec(0..12usize, 0..3))
            .prop_map(|(record, people)| Op::SetCollaborators { record, people }),
        1 => (0..12usize).prop_map(|record| Op::Delete { record }),
        1 => (0..12usize, any::<bool>()).prop_map(|(person, managed)| Op::SetManaged { person, managed }),
        1 => (0..12usize, any::<bool>()).prop_map(|(person, active)| Op::SetStatus { person, active }),
        1 => (0..SEATS.len()).prop_map(|seats| Op::SetSeats { seats }),
        4 => (0..40usize, any::<bool>()).prop_map(|(task, on_behalf)| Op::CompleteTask { task, on_behalf }),
        1 => (0..40usize).prop_map(|task| Op::CancelTask { task }),
        2 => (0..12usize, 0..3usize).prop_map(|(record, person)| Op::AddChecklist { record, person }),
        1 => (0..20usize).prop_map(|checklist| Op::CompleteChecklist { checklist }),
    ]
}

/// Twelve persons: six of supplier `s0`, six of `s1`. Persons 0..6 of a record's supplier are
/// mapped onto that supplier, so most generated collaborators are valid and some are not.
fn setup() -> (World, Vec<PersonId>) {
    let mut w = World::new();
    let mut people = vec![];
    for org in 0..2 {
        for i in 0..6 {
            people.push(w.person(&format!("s{org}"), &format!("P{org}x{i}"), "Test"));
        }
    }
    (w, people)
}

fn run(w: &mut World, people: &[PersonId], records: &mut Vec<RecordId>, op: &Op) {
    let record = |i: &usize| records.get(i % records.len().max(1)).cloned();
    match op {
        Op::CreateRecord {
            object,
            supplier,
            people: ps,
        } => {
            let chosen: Vec<&PersonId> = ps.iter().map(|i| &people[supplier * 6 + i]).collect();
            records.push(w.record(OBJECTS[*object], &format!("s{supplier}"), &chosen));
        }
        Op::Action {
            record: r,
            action,
            to,
        } => {
            if let Some(r) = record(r) {
                if w.deleted.contains(&r) {
                    return;
                }
                let args = ActionArgs {
                    from: None,
                    to: Some(people[*to].clone()),
                    reason: Some("not good enough".into()),
                };
                let _ = w.act(&r, ACTIONS[*action], args);
            }
        }
        Op::SetCollaborators {
            record: r,
            people: ps,
        } => {
            if let Some(r) = record(r) {
                if !w.deleted.contains(&r) {
                    let chosen: Vec<&PersonId> = ps.iter().map(|i| &people[*i]).collect();
                    let _ = w.set_collaborators(&r, &chosen);
                }
            }
        }
        Op::Delete { record: r } => {
            if let Some(r) = record(r) {
                if !w.deleted.contains(&r) {
                    let _ = w.delete(&r);
                }
            }
        }
        Op::SetManaged { person, managed } => {
            if let Some(u) = w.user_of(&people[*person]).map(|u| u.id.clone()) {
                let _ = w.set_managed(&u, *managed);
            }
        }
        Op::SetStatus { person, active } => {
            if let Some(u) = w.user_of(&people[*person]).map(|u| u.id.clone()) {
                let status = if *active {
                    UserStatus::Active
                } else {
                    UserStatus::Inactive
                };
                let _ = w.set_status(&u, status);
            }
        }
        Op::SetSeats { seats } => {
            let _ = w.set_seats(SEATS[*seats]);
        }
        Op::CompleteTask { task, on_behalf } => {
            let open: Vec<_> = w
                .tasks
                .iter()
                .filter(|t| t.open)
                .map(|t| t.id.clone())
                .collect();
            if let Some(t) = open.get(task % open.len().max(1)) {
                let by = if *on_behalf {
                    TaskCompleter::OnBehalf(w.admin.clone())
                } else {
                    TaskCompleter::Assignee
                };
                let _ = w.complete_task(t, by);
            }
        }
        Op::CancelTask { task } => {
            let open: Vec<_> = w
                .tasks
                .iter()
                .filter(|t| t.open)
                .map(|t| t.id.clone())
                .collect();
            if let Some(t) = open.get(task % open.len().max(1)) {
                let _ = w.cancel_task(t);
            }
        }
        Op::AddChecklist { record: r, person } => {
            if let Some(r) = record(r) {
                let collaborators = w.records[&r].collaborators.clone();
                if let Some(p) = collaborators.get(*person) {
                    let _ = w.add_checklist(&r, p);
                }
            }
        }
        Op::CompleteChecklist { checklist } => {
            let open: Vec<_> = w
                .checklists
                .iter()
                .filter(|c| !c.completed)
                .map(|c| c.id.clone())
                .collect();
            if let Some(c) = open.get(checklist % open.len().max(1)) {
                let _ = w.complete_checklist(c);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_operations_keep_every_invariant(ops in prop::collection::vec(op(), 1..60)) {
        let (mut w, people) = setup();
        let mut records = vec![];
        for (step, op) in ops.iter().enumerate() {
            run(&mut w, &people, &mut records, op);
            if let Err(broken) = w.check_invariants() {
                prop_assert!(false, "after step {step} ({op:?}): {broken}");
            }
        }
    }
}

/// The operations of [`op`], with more sending to the supplier and Create & Activate (actions
/// 0 and 4), so that seats run out.
fn queue_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => op(),
        2 => (0..12usize, prop::sample::select(vec![0usize, 4]), 0..12usize)
            .prop_map(|(record, action, to)| Op::Action { record, action, to }),
    ]
}

/// The license waitlist's invariants: nobody waits while a seat is free or once its account is
/// active (it is served), each entry once, only on a record still open that names the person
/// and gives it no access yet.
fn check_waitlist(w: &World) -> Result<(), String> {
    if w.pool.can_take(1) && !w.waitlist.is_empty() {
        return Err(format!("a seat is free while {} wait", w.waitlist.len()));
    }
    let mut seen = std::collections::BTreeSet::new();
    for (r, p, _) in &w.waitlist {
        if !seen.insert((r, p)) {
            return Err(format!("{p} waits twice on {r}"));
        }
        let record = &w.records[r];
        let lc = &w.config.target(&record.object).unwrap().lifecycle;
        if w.deleted.contains(r) || lc.is_exit(&record.state) || !record.collaborators.contains(p) {
            return Err(format!(
                "{p} waits on {r}, deleted, closed or not naming it"
            ));
        }
        if w.assignments
            .iter()
            .any(|a| a.active && a.record == *r && a.person == *p)
        {
            return Err(format!("{p} waits on {r} where it has access"));
        }
        if w.user_of(p).is_some_and(|u| u.is_active() && u.managed) {
            return Err(format!("{p} waits on {r} with an active account"));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_operations_with_the_waitlist_keep_every_invariant(ops in prop::collection::vec(queue_op(), 1..80)) {
        let (mut w, people) = setup();
        for t in &mut w.config.types {
            if t.object == "car__v" || t.object == "audit__qdm" {
                t.when_no_seat = crate::config::WhenNoSeat::Queue;
            }
        }
        // Nine seats held by collaborators the operations never touch: the twelve compete for
        // one, so collaborators wait often.
        for i in 0..9 {
            let holder = w.person("s0", &format!("Holder{i}"), "Seat");
            let ncr = w.record("ncr__v", "s0", &[&holder]);
            w.send(&ncr).unwrap();
        }
        let mut records = vec![];
        for (step, op) in ops.iter().enumerate() {
            run(&mut w, &people, &mut records, op);
            // As the service does in the transaction of every change that frees a seat.
            w.serve_waitlist();
            if let Err(broken) = w.check_invariants().and_then(|()| check_waitlist(&w)) {
                prop_assert!(false, "after step {step} ({op:?}): {broken}");
            }
        }
    }
}

#[test]
fn the_seat_limit_holds_when_many_records_compete() {
    let (mut w, people) = setup();
    let mut records = vec![];
    for (i, person) in people.iter().enumerate() {
        let supplier = i / 6;
        records.push(w.record("car__v", &format!("s{supplier}"), &[person]));
    }
    let mut refused = 0;
    for r in &records {
        if w.send(r).is_err() {
            refused += 1;
        }
    }
    assert_eq!(refused, 2, "10 seats for 12 persons");
    w.check_invariants().unwrap();
}
