//! The demo company of `portico demo`: three suppliers with their contacts, and records of all
//! five types in several states, made through the same use cases as the API.

use anyhow::anyhow;
use portico_domain::collab::ActionArgs;
use portico_domain::lifecycle::SignatureMeaning;
use portico_domain::model::SecurityProfile;
use portico_service::store::{TaskFilter, UserFilter};
use portico_service::{
    Caller, OrganizationInput, Page, PersonInput, Portico, RecordInput, RunMode, SignatureInput,
};

/// The demo's configuration when none is given: `examples/waitlist.toml` — the default
/// configuration with SCARs queueing for a seat — so that the demo shows a waiting
/// collaborator (`portico demo --config FILE` runs any other).
pub const CONFIGURATION: &str = include_str!("../../../examples/waitlist.toml");

/// The configuration `portico demo` runs: the file of `--config`, else [`CONFIGURATION`].
pub fn configuration(settings: &crate::Settings) -> anyhow::Result<portico_domain::config::Config> {
    match &settings.config {
        Some(_) => crate::load_config(settings.config.as_deref()),
        None => portico_domain::config::Config::parse(CONFIGURATION)
            .map_err(|e| anyhow!("the demo configuration: {e}")),
    }
}

/// The supplier whose contacts fill the seats left after the records above, so that the next
/// SCAR's contact waits for one (when SCARs queue).
const LATECOMERS: &str = "Umbrella Castings";

/// The demo admin password when `PORTICO_ADMIN_PASSWORD` is not set.
pub const ADMIN_PASSWORD: &str = "portico-demo-admin";
/// The demo quality lead (an internal user).
pub const QUALITY_LEAD: &str = "quality.lead";
/// Its password.
pub const QUALITY_LEAD_PASSWORD: &str = "portico-demo-quality";

const SUPPLIERS: [(&str, &[(&str, &str)]); 3] = [
    (
        "Acme Components",
        &[("Anna", "Berg"), ("Bruno", "Costa"), ("Chen", "Li")],
    ),
    ("Globex Metals", &[("Dana", "Novak"), ("Emil", "Schulz")]),
    (
        "Initech Plastics",
        &[("Fatima", "Haddad"), ("Goran", "Petrov")],
    ),
];

/// The quality lead's signature, where the configuration asks for one (e.g. with
/// `examples/part11.toml`): the demo signs as a person would, with the lead's password.
fn lead_signs(meaning: Option<&SignatureMeaning>) -> Option<SignatureInput> {
    meaning.map(|m| SignatureInput {
        with: portico_service::SignedWith::Password(QUALITY_LEAD_PASSWORD.into()),
        meaning: m.as_str().into(),
    })
}

fn err(e: portico_service::ServiceError) -> anyhow::Error {
    anyhow!("demo data: {e}")
}

/// Loads the demo company unless organizations exist already; answers a one-line summary.
pub async fn seed(app: &Portico) -> anyhow::Result<String> {
    let admin = app
        .users_unchecked_by_username("admin")
        .await
        .map_err(err)?
        .ok_or_else(|| anyhow!("the admin user is missing"))?;
    let admin = Caller::new(admin);
    if !app
        .organizations(&admin, None, Page::default())
        .await
        .map_err(err)?
        .is_empty()
    {
        return Ok("the demo company was loaded before; its data is as you left it".into());
    }
    let lead = app
        .create_internal_user(
            QUALITY_LEAD,
            "Quinn",
            "Lead",
            "quality.lead@portico.example",
            SecurityProfile::InternalUser,
            QUALITY_LEAD_PASSWORD,
        )
        .await
        .map_err(err)?;
    let lead = Caller::new(lead);
    let mut suppliers = vec![];
    for (name, contacts) in SUPPLIERS {
        let org = app
            .create_organization(
                &lead,
                OrganizationInput {
                    name: Some(name.into()),
                    status: None,
                },
            )
            .await
            .map_err(err)?;
        let mut people = vec![];
        for (first, last) in contacts {
            let domain = name
                .split_whitespace()
                .next()
                .unwrap_or("supplier")
                .to_lowercase();
            let p = app
                .create_person(
                    &lead,
                    PersonInput {
                        first_name: Some((*first).into()),
                        last_name: Some((*last).into()),
                        email: Some(format!(
                            "{}.{}@{domain}.example",
                            first.to_lowercase(),
                            last.to_lowercase()
                        )),
                        organization: Some(Some(org.id.to_string())),
                        language: None,
                        timezone: None,
                    },
                )
                .await
                .map_err(err)?;
            people.push(p.id.to_string());
        }
        suppliers.push((org.id.to_string(), people));
    }
    // Per type: one record left in draft, one waiting for the supplier (with a checklist), one
    // answered and in review, one closed — spread over the suppliers and contacts.
    let mut count = 0;
    for (t, target) in app.config().types.clone().iter().enumerate() {
        for stage in 0..4 {
            let (supplier, people) = &suppliers[(t + stage) % suppliers.len()];
            let person = &people[(t + stage) % people.len()];
            let record = app
                .create_record(
                    &lead,
                    &target.object,
                    RecordInput {
                        name: Some(format!(
                            "{}-{:03}",
                            target.label.replace(' ', "-").to_uppercase(),
                            stage + 1
                        )),
                        object_type: None,
                        supplier: Some(Some(supplier.clone())),
                        collaborators: Some(vec![person.clone()]),
                        access_end_date: None,
                    },
                )
                .await
                .map_err(err)?;
            let id = record.record.id.to_string();
            count += 1;
            if stage == 0 {
                continue;
            }
            app.run_action(
                &lead,
                &target.object,
                &id,
                "change_state_to_pending_response__c",
                ActionArgs::default(),
                RunMode::Apply(None),
            )
            .await
            .map_err(err)?;
            if stage == 1 {
                let questions = [
                    "What is the root cause?",
                    "What was contained, and where?",
                    "Which evidence shows the correction works?",
                ]
                .map(String::from);
                app.create_checklist(
                    &lead,
                    &target.object,
                    &id,
                    "8D response",
                    person,
                    &questions,
                )
                .await
                .map_err(err)?;
                continue;
            }
            let tasks = app
                .tasks(
                    &lead,
                    TaskFilter {
                        record: Some(id.clone()),
                        status: Some("open".into()),
                        ..TaskFilter::default()
                    },
                    Page::default(),
                )
                .await
                .map_err(err)?;
            for task in tasks {
                let meaning = app.signature_for_task(&task).await.map_err(err)?;
                app.complete_task(
                    &lead,
                    task.id.as_str(),
                    "Answered by phone; the supplier sent the 8D report by email.",
                    lead_signs(meaning.as_ref()),
                )
                .await
                .map_err(err)?;
            }
            if stage == 3 {
                let accept = "change_state_to_closed__c";
                let meaning = target.lifecycle.signature_for("in_review__c", accept);
                app.run_action(
                    &lead,
                    &target.object,
                    &id,
                    accept,
                    ActionArgs::default(),
                    RunMode::Apply(lead_signs(meaning)),
                )
                .await
                .map_err(err)?;
            }
        }
    }
    let latecomers = fill_the_pool(app, &lead).await?;
    let active = app
        .users(
            &admin,
            UserFilter {
                status: Some("active".into()),
                license: Some("external".into()),
                ..UserFilter::default()
            },
            Page::default(),
        )
        .await
        .map_err(err)?
        .len();
    // An access review open for two weeks: the quality lead sponsors the suppliers' access
    // and decides it on the Access reviews page.
    let review = app
        .open_review(&admin, None, 14, "keep")
        .await
        .map_err(err)?;
    Ok(format!(
        "demo company: {} suppliers, {} contacts, {} records, {active} active external collaborators, \
         {} waiting for a seat, an access review of {} of them open",
        SUPPLIERS.len() + usize::from(latecomers.sent > 0),
        SUPPLIERS.iter().map(|(_, c)| c.len()).sum::<usize>() + latecomers.sent,
        count + latecomers.sent,
        latecomers.waiting,
        review.items.len()
    ))
}

/// What [`fill_the_pool`] did: SCARs sent to new contacts, and how many of them wait.
struct Latecomers {
    sent: usize,
    waiting: usize,
}

/// When SCARs queue for a seat: sends SCARs to new contacts of [`LATECOMERS`] until every seat
/// is taken and one contact waits (nothing when SCARs do not queue).
async fn fill_the_pool(app: &Portico, lead: &Caller) -> anyhow::Result<Latecomers> {
    use portico_domain::config::WhenNoSeat;
    let Some(scar) = app
        .config()
        .types
        .iter()
        .find(|t| t.object == "car__v" && t.when_no_seat == WhenNoSeat::Queue)
        .cloned()
    else {
        return Ok(Latecomers {
            sent: 0,
            waiting: 0,
        });
    };
    let org = app
        .create_organization(
            lead,
            OrganizationInput {
                name: Some(LATECOMERS.into()),
                status: None,
            },
        )
        .await
        .map_err(err)?;
    let names = [
        "Hana", "Ivo", "Jonas", "Kira", "Luis", "Mira", "Nils", "Olga", "Pavel", "Rosa", "Sven",
        "Tara",
    ];
    for (n, first) in names.iter().enumerate() {
        let person = app
            .create_person(
                lead,
                PersonInput {
                    first_name: Some((*first).into()),
                    last_name: Some("Weber".into()),
                    email: Some(format!("{}.weber@umbrella.example", first.to_lowercase())),
                    organization: Some(Some(org.id.to_string())),
                    language: None,
                    timezone: None,
                },
            )
            .await
            .map_err(err)?;
        let record = app
            .create_record(
                lead,
                &scar.object,
                RecordInput {
                    name: Some(format!("SCAR-U{:02}", n + 1)),
                    object_type: None,
                    supplier: Some(Some(org.id.to_string())),
                    collaborators: Some(vec![person.id.to_string()]),
                    access_end_date: None,
                },
            )
            .await
            .map_err(err)?;
        let sent = app
            .run_action(
                lead,
                &scar.object,
                record.record.id.as_str(),
                "change_state_to_pending_response__c",
                ActionArgs::default(),
                RunMode::Apply(None),
            )
            .await
            .map_err(err)?;
        if !sent.plan.waiting.is_empty() {
            return Ok(Latecomers {
                sent: n + 1,
                waiting: sent.plan.waiting.len(),
            });
        }
    }
    Ok(Latecomers {
        sent: names.len(),
        waiting: 0,
    })
}
