//! Rule C7 for bulk actions: a bulk's preview (`dry_run`) is its action. For random bulks —
//! records in random states, collaborators shared between records, contacts with the same
//! details as an existing unlinked user or as each other, users taken out of automation, the
//! seats near their limit — the preview changes nothing and answers, record by record, what
//! the action then does. Runs on the real store of each backend, through the service the API
//! calls.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use portico_domain::collab::{ActionArgs, Plan};
use portico_domain::model::UserStatus;
use portico_domain::PersonId;
use portico_service::{
    ActionOutcome, Caller, OrganizationInput, PersonInput, Portico, RecordInput, RunMode,
    ServiceResult, UserPatch,
};
use portico_store::{RecordFilter, UserFilter};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use support::names::SCAR;
use support::{Backend, TestApp};

const SEND: &str = "change_state_to_pending_response__c";
const ACTIONS: [&str; 6] = [
    SEND,
    "change_state_to_in_review__c",
    "change_state_to_closed__c",
    "change_state_to_cancelled__c",
    "create_activate_external_collaborator__v",
    "reassign_external_collaborator__v",
];
/// For each action, a state it runs in.
const FITS: [usize; 6] = [0, 1, 2, 1, 1, 1];
/// The moves that bring a new record to each starting state.
const STATES: [&[&str]; 5] = [
    &[],
    &[SEND],
    &[SEND, "change_state_to_in_review__c"],
    &[
        SEND,
        "change_state_to_in_review__c",
        "change_state_to_closed__c",
    ],
    &["change_state_to_cancelled__c"],
];

#[derive(Debug, Clone)]
struct Contact {
    /// Of another organization than the records' supplier: refused by the constraint (C1).
    foreign: bool,
    /// Same names and email as the contact before it.
    twin: bool,
    /// An unlinked external user with its details exists (an import): C2 step 1 links it.
    imported: bool,
    /// Once set up, its user (if any) is taken out of automation, and made inactive when true.
    unmanage: Option<bool>,
}

#[derive(Debug, Clone)]
struct Rec {
    people: Vec<usize>,
    /// Its starting state ([`STATES`]); none: one the bulk's action can run in ([`FITS`]).
    state: Option<usize>,
    /// A contact added to the field once the record is under way (not activated by that).
    added_later: Option<usize>,
}

#[derive(Debug, Clone)]
struct Case {
    contacts: Vec<Contact>,
    records: Vec<Rec>,
    /// Seats left free before the bulk (of ten).
    free: u32,
    action: usize,
    from: Option<usize>,
    to: usize,
    reason: bool,
    /// Records in the order the bulk names them (indexes, made distinct).
    order: Vec<usize>,
    /// Where an unknown record id is named, if one is.
    unknown_at: Option<usize>,
}

fn contact() -> impl Strategy<Value = Contact> {
    (
        prop::bool::weighted(0.15),
        prop::bool::weighted(0.3),
        prop::bool::weighted(0.35),
        prop::option::weighted(0.15, any::<bool>()),
    )
        .prop_map(|(foreign, twin, imported, unmanage)| Contact {
            foreign,
            twin,
            imported,
            unmanage,
        })
}

fn record() -> impl Strategy<Value = Rec> {
    (
        prop::collection::vec(0..7usize, 1..4),
        prop::option::weighted(0.3, 0..STATES.len()),
        prop::option::weighted(0.2, 0..7usize),
    )
        .prop_map(|(people, state, added_later)| Rec {
            people,
            state,
            added_later,
        })
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::collection::vec(contact(), 3..8),
        prop::collection::vec(record(), 2..8),
        0..4u32,
        prop_oneof![4 => Just(0usize), 1 => Just(1), 1 => Just(2), 2 => Just(3), 2 => Just(4), 2 => Just(5)],
        prop::option::of(0..7usize),
        0..7usize,
        any::<bool>(),
        prop::collection::vec(0..8usize, 1..10),
        prop::option::weighted(0.2, 0..10usize),
    )
        .prop_map(
            |(contacts, records, free, action, from, to, reason, order, unknown_at)| Case {
                contacts,
                records,
                free,
                action,
                from,
                to,
                reason,
                order,
                unknown_at,
            },
        )
}

fn fail(e: impl std::fmt::Debug) -> TestCaseError {
    TestCaseError::fail(format!("{e:?}"))
}

/// The company of a case, built through the service: answers the bulk's record ids (in
/// order) and the contacts' ids.
async fn build(
    app: &TestApp,
    p: &Portico,
    c: &Caller,
    case: &Case,
) -> Result<(Vec<String>, Vec<PersonId>), TestCaseError> {
    let org = |name: &str| OrganizationInput {
        name: Some(name.into()),
        status: None,
    };
    let acme = p.create_organization(c, org("Acme")).await.map_err(fail)?;
    let other = p.create_organization(c, org("Other")).await.map_err(fail)?;
    let mut contacts: Vec<PersonId> = vec![];
    let mut details = (String::new(), String::new());
    for (i, k) in case.contacts.iter().enumerate() {
        if !(k.twin && i > 0) {
            details = (format!("C{i}"), format!("c{i}@acme.example"));
        }
        let supplier = if k.foreign { &other } else { &acme };
        let person = p
            .create_person(
                c,
                PersonInput {
                    first_name: Some(details.0.clone()),
                    last_name: Some("Case".into()),
                    email: Some(details.1.clone()),
                    organization: Some(Some(supplier.id.to_string())),
                    language: None,
                    timezone: None,
                },
            )
            .await
            .map_err(fail)?;
        if k.imported && !(k.twin && i > 0 && case.contacts[i - 1].imported) {
            // An external user with the contact's details and no contact, as an import leaves
            // one (no API makes such a user).
            let mut tx = app.running.app.store().write().await.map_err(fail)?;
            tx.raw(
                "INSERT INTO users (id, username, first_name, last_name, email, status, license, security_profile, managed, language, created_at) \
                 VALUES ($1, $2, $3, 'Case', $4, 'inactive', 'external', 'external_collaborator', 1, 'en', 1)",
                &[&format!("usr_imported_{i}"), &format!("imported.{i}"), &details.0, &details.1],
            )
            .await
            .map_err(fail)?;
            tx.commit().await.map_err(fail)?;
        }
        contacts.push(person.id);
    }
    let person = |i: usize| contacts[i % contacts.len()].to_string();
    let mut ids = vec![];
    for (n, r) in case.records.iter().enumerate() {
        let mut people: Vec<String> = vec![];
        for i in &r.people {
            if !people.contains(&person(*i)) {
                people.push(person(*i));
            }
        }
        let input = RecordInput {
            name: Some(format!("R{n}")),
            supplier: Some(Some(acme.id.to_string())),
            collaborators: Some(people.clone()),
            ..RecordInput::default()
        };
        // A foreign contact is refused by the constraint (C1): such a record starts without.
        let view = match p.create_record(c, SCAR, input.clone()).await {
            Ok(view) => view,
            Err(_) => {
                let own: Vec<String> = r
                    .people
                    .iter()
                    .filter(|i| !case.contacts[*i % contacts.len()].foreign)
                    .map(|i| person(*i))
                    .collect();
                let input = RecordInput {
                    collaborators: Some(own),
                    ..input
                };
                p.create_record(c, SCAR, input).await.map_err(fail)?
            }
        };
        let id = view.record.id.to_string();
        for step in STATES[r.state.unwrap_or(FITS[case.action])] {
            let _ = p
                .run_action(
                    c,
                    SCAR,
                    &id,
                    step,
                    ActionArgs::default(),
                    RunMode::Apply(None),
                )
                .await;
        }
        if let Some(extra) = r.added_later {
            let mut now = view.record.collaborators.clone();
            now.push(contacts[extra % contacts.len()].clone());
            let input = RecordInput {
                collaborators: Some(now.iter().map(ToString::to_string).collect()),
                ..RecordInput::default()
            };
            let _ = p.update_record(c, SCAR, &id, input).await;
        }
        ids.push(id);
    }
    for (i, k) in case.contacts.iter().enumerate() {
        let Some(inactive) = k.unmanage else { continue };
        let filter = UserFilter {
            person: Some(contacts[i].to_string()),
            ..UserFilter::default()
        };
        let users = p.users(c, filter, Default::default()).await.map_err(fail)?;
        if let Some(u) = users.first() {
            let patch = UserPatch {
                managed: Some(false),
                status: inactive.then_some(UserStatus::Inactive),
            };
            let _ = p.update_user(c, u.id.as_str(), patch).await;
        }
    }
    // Seats near the limit: one more record whose contacts take all but `free` of them.
    let active = p.licenses(c).await.map_err(fail)?.active;
    let fill = 10u32.saturating_sub(case.free).saturating_sub(active);
    if fill > 0 {
        let mut fillers = vec![];
        for f in 0..fill {
            let filler = p
                .create_person(
                    c,
                    PersonInput {
                        first_name: Some(format!("F{f}")),
                        last_name: Some("Filler".into()),
                        email: Some(format!("f{f}@acme.example")),
                        organization: Some(Some(acme.id.to_string())),
                        language: None,
                        timezone: None,
                    },
                )
                .await
                .map_err(fail)?;
            fillers.push(filler.id.to_string());
        }
        let input = RecordInput {
            name: Some("Filler".into()),
            supplier: Some(Some(acme.id.to_string())),
            collaborators: Some(fillers),
            ..RecordInput::default()
        };
        let filler = p.create_record(c, SCAR, input).await.map_err(fail)?;
        p.run_action(
            c,
            SCAR,
            filler.record.id.as_str(),
            SEND,
            ActionArgs::default(),
            RunMode::Apply(None),
        )
        .await
        .map_err(fail)?;
    }
    let mut order: Vec<String> = vec![];
    for i in &case.order {
        let id = ids[i % ids.len()].clone();
        if !order.contains(&id) {
            order.push(id);
        }
    }
    if let Some(at) = case.unknown_at {
        order.insert(at % (order.len() + 1), "rec_unknown".into());
    }
    Ok((order, contacts))
}

/// What the case's bulk may change, to see that a preview changed none of it.
async fn fingerprint(p: &Portico, c: &Caller) -> ServiceResult<Vec<String>> {
    let licenses = p.licenses(c).await?;
    let mut out = vec![format!("{} of {}", licenses.active, licenses.seats)];
    for u in p
        .users(c, UserFilter::default(), Default::default())
        .await?
    {
        out.push(format!(
            "{} {} {:?} managed={} {:?}",
            u.id, u.username, u.status, u.managed, u.person
        ));
    }
    for r in p
        .records(c, SCAR, RecordFilter::default(), Default::default())
        .await?
    {
        out.push(format!(
            "{} {} {:?}",
            r.record.id, r.record.state, r.record.collaborators
        ));
    }
    Ok(out)
}

/// The outcomes with what is made anew each time (ids of new users, assignments and tasks;
/// due dates) replaced by the order they were made in, so a preview and its action compare.
fn comparable(outcomes: &[(String, ServiceResult<ActionOutcome>)]) -> Vec<String> {
    let mut made: Vec<String> = vec![];
    let mut lines: Vec<String> = outcomes
        .iter()
        .map(|(id, outcome)| match outcome {
            Ok(o) => {
                let mut plan: Plan = o.plan.clone();
                made.extend(plan.users_created.iter().map(|u| u.id.to_string()));
                made.extend(plan.assignments_opened.iter().map(|a| a.id.to_string()));
                made.extend(plan.tasks_created.iter().map(|t| t.id.to_string()));
                for t in &mut plan.tasks_created {
                    t.due_at_ms = 0;
                }
                format!("{id}: {plan:?} -> {:?}", o.record)
            }
            Err(e) => format!("{id}: {e:?}"),
        })
        .collect();
    for (n, new) in made.iter().enumerate() {
        for line in &mut lines {
            *line = line.replace(new.as_str(), &format!("new#{n}"));
        }
    }
    lines
}

type Outcomes = Vec<(String, ServiceResult<ActionOutcome>)>;

/// Builds the case on a new server, previews its bulk, runs it, and compares; answers what the
/// action did (nothing when the backend is not configured).
async fn preview_is_the_action(backend: Backend, case: Case) -> Result<Outcomes, TestCaseError> {
    let Some(app) = TestApp::spawn(backend).await else {
        return Ok(vec![]);
    };
    let p = &app.running.app;
    let admin = p
        .users_unchecked_by_username("admin")
        .await
        .map_err(fail)?
        .ok_or_else(|| fail("no admin"))?;
    let c = &Caller::new(admin);
    let (ids, contacts) = build(&app, p, c, &case).await?;
    let args = ActionArgs {
        from: case.from.map(|i| contacts[i % contacts.len()].clone()),
        to: Some(contacts[case.to % contacts.len()].clone()),
        reason: case.reason.then(|| "not good enough".into()),
    };
    let action = ACTIONS[case.action];
    let before = fingerprint(p, c).await.map_err(fail)?;
    let preview = p
        .run_bulk(c, SCAR, action, &ids, args.clone(), RunMode::DryRun)
        .await
        .map_err(fail)?;
    prop_assert_eq!(
        &before,
        &fingerprint(p, c).await.map_err(fail)?,
        "the preview changed something"
    );
    let done = p
        .run_bulk(c, SCAR, action, &ids, args, RunMode::Apply(None))
        .await
        .map_err(fail)?;
    prop_assert!(preview
        .iter()
        .all(|(_, o)| o.as_ref().map_or(true, |o| o.dry_run)));
    prop_assert!(done
        .iter()
        .all(|(_, o)| o.as_ref().map_or(true, |o| !o.dry_run)));
    prop_assert_eq!(comparable(&preview), comparable(&done));
    // And what the action did keeps the seat count true.
    let licenses = p.licenses(c).await.map_err(fail)?;
    let active = UserFilter {
        status: Some("active".into()),
        license: Some("external".into()),
        ..UserFilter::default()
    };
    let users = p.users(c, active, Default::default()).await.map_err(fail)?;
    prop_assert_eq!(licenses.active as usize, users.len());
    app.running.handle.abort();
    Ok(done)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

/// Runs a case; one that has not ended after a minute fails (a bulk that never ends).
fn check(
    rt: &tokio::runtime::Runtime,
    backend: Backend,
    case: Case,
) -> Result<Outcomes, TestCaseError> {
    rt.block_on(async {
        tokio::time::timeout(
            Duration::from_secs(60),
            preview_is_the_action(backend, case),
        )
        .await
        .map_err(|_| fail("the bulk did not end within a minute"))?
    })
}

fn random_bulks(backend: Backend) {
    let rt = runtime();
    let config = Config {
        cases: 24,
        max_shrink_iters: 64,
        failure_persistence: None,
        ..Config::default()
    };
    let outcome =
        TestRunner::new(config).run(&case(), |case| check(&rt, backend, case).map(|_| ()));
    if let Err(e) = outcome {
        panic!("{e}");
    }
}

#[test]
fn a_random_bulk_previews_what_it_does_sqlite() {
    random_bulks(Backend::Sqlite);
}

#[test]
fn a_random_bulk_previews_what_it_does_postgres() {
    random_bulks(Backend::Postgres);
}

/// Two contacts with the same details (twins) and an imported user that has them, on records
/// of one bulk sending them: `records` lists each record's contacts.
fn twins(backend: Backend, records: &[&[usize]]) -> Vec<Plan> {
    let contact = |twin| Contact {
        foreign: false,
        twin,
        imported: true,
        unmanage: None,
    };
    let case = Case {
        contacts: vec![contact(false), contact(true)],
        records: records
            .iter()
            .map(|people| Rec {
                people: people.to_vec(),
                state: Some(0),
                added_later: None,
            })
            .collect(),
        free: 3,
        action: 0,
        from: None,
        to: 0,
        reason: false,
        order: (0..records.len()).collect(),
        unknown_at: None,
    };
    let done = check(&runtime(), backend, case).unwrap_or_else(|e| panic!("{e}"));
    done.into_iter()
        .map(|(id, o)| o.unwrap_or_else(|e| panic!("{id}: {e}")).plan)
        .collect()
}

/// On two records: the first links the imported user; the second, decided from the facts the
/// first left, makes a user of its own for the twin. (The round used to end before its first
/// record here, and the bulk ran round after round, for ever.)
fn twins_on_two_records(backend: Backend) {
    let plans = twins(backend, &[&[0], &[1]]);
    if plans.is_empty() {
        return; // no PostgreSQL configured
    }
    assert_eq!(plans[0].users_linked.len(), 1, "the imported user");
    assert!(plans[0].users_created.is_empty());
    assert!(plans[1].users_linked.is_empty());
    assert_eq!(plans[1].users_created.len(), 1, "the twin's own user");
}

/// On one record: the imported user is linked to one of them, the other gets a user of its
/// own. (The plan used to link the user to both: the preview showed it, the action failed.)
fn twins_on_one_record(backend: Backend) {
    let plans = twins(backend, &[&[0, 1]]);
    if plans.is_empty() {
        return;
    }
    assert_eq!(plans[0].users_linked.len(), 1, "the imported user, once");
    assert_eq!(plans[0].users_created.len(), 1, "the twin's own user");
    assert_eq!(plans[0].activations.len(), 2);
}

#[test]
fn twins_on_two_records_of_a_bulk_sqlite() {
    twins_on_two_records(Backend::Sqlite);
}

#[test]
fn twins_on_two_records_of_a_bulk_postgres() {
    twins_on_two_records(Backend::Postgres);
}

#[test]
fn twins_on_one_record_sqlite() {
    twins_on_one_record(Backend::Sqlite);
}

#[test]
fn twins_on_one_record_postgres() {
    twins_on_one_record(Backend::Postgres);
}
