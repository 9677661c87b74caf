//! Pages for internal users and administrators: organizations with their contact lists, users,
//! licenses and the outbox. Each page asks the same use cases as the API, so the same people may
//! see them (the outbox is for administrators).

use std::collections::{BTreeMap, BTreeSet};

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use portico_service::store::{OutboxFilter, Sponsorship, UserFilter};
use portico_service::{OrganizationInput, Page, PersonInput, Portico, SeatUsageDay};

use super::shared::{app_layout, refused, sponsor_list, then_to, MANY};
use super::web::{WebForm, WebPage};
use crate::plain;

/// `GET /organizations`
pub async fn organizations(
    State(app): State<Portico>,
    WebPage { caller, csrf }: WebPage,
) -> Response {
    let orgs = match app.organizations(&caller, None, MANY).await {
        Ok(o) => o,
        Err(e) => return refused(e),
    };
    let content = html! {
        section {
            table class="stack" {
                thead { tr { th { "Organization" } th { "Status" } } }
                tbody { @for o in &orgs { tr { td data-label="Organization" { a href=(format!("/organizations/{}", o.id)) { (o.name) } } td data-label="Status" { (plain::status(&o.status)) } } } }
            }
        }
        section {
            h2 { "Add an organization" }
            form method="post" action="/organizations" {
                input type="hidden" name="csrf" value=(csrf.0);
                label for="name" { "Name" }
                input type="text" id="name" name="name" required;
                button type="submit" { "Add" }
            }
        }
    };
    app_layout(&caller, &csrf.0, "Organizations", content).into_response()
}

/// `POST /organizations`
pub async fn add_organization(State(app): State<Portico>, form: WebForm) -> Response {
    then_to(
        app.create_organization(
            &form.caller,
            OrganizationInput {
                name: form.fields.get("name").cloned(),
                status: None,
            },
        )
        .await,
        |o| format!("/organizations/{}", o.id),
    )
}

/// `GET /organizations/{id}`: the contact list, and a form to add a contact.
pub async fn organization(
    State(app): State<Portico>,
    WebPage { caller, csrf }: WebPage,
    Path(id): Path<String>,
) -> Response {
    let org = match app.organization(&caller, &id).await {
        Ok(o) => o,
        Err(e) => return refused(e),
    };
    let persons = match app.persons(&caller, Some(&id), None, None, MANY).await {
        Ok(p) => p,
        Err(e) => return refused(e),
    };
    let content = html! {
        section {
            h2 { "Contact list" }
            @if persons.is_empty() { p class="hint" { "No contacts yet." } }
            table class="stack" {
                thead { tr { th { "Name" } th { "Email" } th { "Has a user" } th { span class="visually-hidden" { "Change" } } } }
                tbody {
                    @for p in &persons {
                        tr {
                            td data-label="Name" { (p.display_name()) }
                            td data-label="Email" { (p.email) }
                            td data-label="Has a user" { @if p.user.is_some() { "yes" } @else { "no" } }
                            td { a href=(format!("/persons/{}/edit", p.id)) { "Edit " span class="visually-hidden" { (p.display_name()) } } }
                        }
                    }
                }
            }
        }
        section {
            h2 { "Add a contact" }
            form method="post" action=(format!("/organizations/{id}/persons")) {
                input type="hidden" name="csrf" value=(csrf.0);
                label for="first" { "First name" }
                input type="text" id="first" name="first_name" required;
                label for="last" { "Last name" }
                input type="text" id="last" name="last_name" required;
                label for="email" { "Email" }
                input type="email" id="email" name="email" required;
                button type="submit" { "Add" }
            }
        }
    };
    app_layout(&caller, &csrf.0, &org.name, content).into_response()
}

/// `POST /organizations/{id}/persons`
pub async fn add_person(
    State(app): State<Portico>,
    Path(id): Path<String>,
    form: WebForm,
) -> Response {
    let input = PersonInput {
        first_name: form.fields.get("first_name").cloned(),
        last_name: form.fields.get("last_name").cloned(),
        email: form.fields.get("email").cloned(),
        organization: Some(Some(id.clone())),
        language: None,
        timezone: None,
    };
    then_to(app.create_person(&form.caller, input).await, |_| {
        format!("/organizations/{id}")
    })
}

/// `GET /users`
pub async fn users(State(app): State<Portico>, WebPage { caller, csrf }: WebPage) -> Response {
    let users = match app.users(&caller, UserFilter::default(), MANY).await {
        Ok(u) => u,
        Err(e) => return refused(e),
    };
    let sponsorships = match app.sponsorships(&caller, None).await {
        Ok(s) => s,
        Err(e) => return refused(e),
    };
    // An external user's sponsors: those of its Active access, each named once.
    let mut sponsors: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for s in &sponsorships {
        sponsors
            .entry(s.assignment.user.as_str())
            .or_default()
            .insert(s.sponsor_username.as_deref().unwrap_or("(unknown)"));
    }
    let content = html! {
        table class="stack" {
            thead { tr { th { "Username" } th { "Name" } th { "Status" } th { "License" } th { "Managed by automation" } th { "Sponsors" } } }
            tbody {
                @for u in &users {
                    tr {
                        td data-label="Username" { (u.username) }
                        td data-label="Name" { (u.first_name) " " (u.last_name) }
                        td data-label="Status" { @if u.is_active() { "active" } @else { "inactive" } }
                        td data-label="License" { @if u.takes_seat() { "external" } @else { "full" } }
                        td data-label="Managed by automation" { @if u.managed { "yes" } @else { "no" } }
                        td data-label="Sponsors" class="sponsors" { (sponsors.get(u.id.as_str()).map(|s| s.iter().copied().collect::<Vec<_>>().join(", ")).unwrap_or_default()) }
                    }
                }
            }
        }
    };
    app_layout(&caller, &csrf.0, "Users", content).into_response()
}

/// `GET /licenses`
pub async fn licenses(State(app): State<Portico>, WebPage { caller, csrf }: WebPage) -> Response {
    let l = match app.licenses(&caller).await {
        Ok(l) => l,
        Err(e) => return refused(e),
    };
    let sponsorships = match app.sponsorships(&caller, None).await {
        Ok(s) => s,
        Err(e) => return refused(e),
    };
    let mut by_sponsor: BTreeMap<&str, (usize, bool)> = BTreeMap::new();
    for s in &sponsorships {
        let name = s.sponsor_username.as_deref().unwrap_or("(unknown)");
        let entry = by_sponsor.entry(name).or_insert((0, s.sponsor_active));
        entry.0 += 1;
    }
    let history = match app.seat_history(&caller, None, None).await {
        Ok(h) => h,
        Err(e) => return refused(e),
    };
    let unsponsored: Vec<&Sponsorship> =
        sponsorships.iter().filter(|s| !s.sponsor_active).collect();
    let stale = match app.stale_externals(&caller).await {
        Ok(s) => s,
        Err(e) => return refused(e),
    };
    let choices = if caller.is_admin() && !unsponsored.is_empty() {
        match super::reviews::sponsor_choices(&app, &caller).await {
            Ok(c) => c,
            Err(e) => return refused(e),
        }
    } else {
        vec![]
    };
    let waiting = if caller.is_admin() {
        match app.waitlist(&caller, MANY).await {
            Ok(w) => w,
            Err(e) => return refused(e),
        }
    } else {
        vec![]
    };
    let content = html! {
        section {
            p { strong { (l.active) } " of " (l.seats) " external seats in use; " strong { (l.available) } " free." }
        }
        section {
            h2 { "Seats in use, last 30 days" }
            (seat_chart(&history))
        }
        section {
            h2 { "Sponsors" }
            table {
                thead { tr { th { "Sponsor" } th { "Active external access" } } }
                tbody { @for (name, (n, active)) in &by_sponsor { tr { td { (name) @if !active { " (inactive)" } } td { (n) } } } }
            }
            @if !unsponsored.is_empty() {
                h3 { "Access to re-sponsor" }
                p class="hint" { "Their sponsor was inactivated: an administrator gives each another sponsor, or ends the access." }
                @if caller.is_admin() {
                    (re_sponsor_forms(&csrf.0, &unsponsored, &choices))
                } @else {
                    (sponsor_list(unsponsored))
                }
            }
        }
        @if !stale.is_empty() {
            section {
                h2 { "Not signed in lately" }
                p class="hint" { "External users who have not signed in for a while; consider ending their access." }
                table class="stack" {
                    thead { tr { th { "Name" } th { "Username" } th { "Last seen" } } }
                    tbody {
                        @for s in &stale {
                            tr {
                                td data-label="Name" { (s.name) }
                                td data-label="Username" { (s.username) }
                                td data-label="Last seen" {
                                    @match s.why {
                                        portico_domain::review::Stale::LastSignedIn { at } => { "signed in " (plain::when(at)) }
                                        portico_domain::review::Stale::NeverSignedIn { since } => { "never signed in since the welcome of " (plain::when(since)) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if !waiting.is_empty() {
            section {
                h2 { "Waiting for an external seat" }
                p class="hint" { "The next seat that frees goes to the first collaborator below, at once; whoever asked for it is told." }
                table class="stack waitlist" {
                    thead { tr { th { "Collaborator" } th { "Record" } th { "Asked for by" } th { "Waiting since" } } }
                    tbody {
                        @for w in &waiting {
                            tr {
                                td data-label="Collaborator" { (w.person_name) }
                                td data-label="Record" { a href=(format!("/records/{}/{}", w.entry.object, w.entry.record)) { (w.record_name) } " (" (plain::type_label(&app, &w.entry.object)) ")" }
                                td data-label="Asked for by" { (w.requested_by_name) }
                                td data-label="Waiting since" { (plain::when(w.entry.queued_at)) }
                            }
                        }
                    }
                }
            }
        }
        section {
            h2 { "By organization" }
            table class="stack" {
                thead { tr { th { "Organization" } th { "Active external users" } } }
                tbody { @for o in &l.by_organization { tr { td data-label="Organization" { (o.name.clone().unwrap_or_else(|| "(no organization)".into())) } td data-label="Active external users" { (o.active) } } } }
            }
        }
    };
    app_layout(&caller, &csrf.0, "External licenses", content).into_response()
}

/// One form per access whose sponsor was inactivated: choose another internal user.
fn re_sponsor_forms(
    csrf: &str,
    unsponsored: &[&Sponsorship],
    choices: &[(String, String)],
) -> Markup {
    html! {
        ul class="sponsors" {
            @for s in unsponsored {
                li {
                    form method="post" action=(format!("/assignments/{}/sponsor", s.assignment.id)) class="inline" {
                        input type="hidden" name="csrf" value=(csrf);
                        (s.username) " on " (s.record_name) ": sponsored by "
                        (s.sponsor_username.clone().unwrap_or_else(|| "(unknown)".into())) " (inactive). "
                        label for=(format!("sponsor-{}", s.assignment.id)) { "New sponsor" }
                        " "
                        select id=(format!("sponsor-{}", s.assignment.id)) name="sponsor" required {
                            @for (id, name) in choices { option value=(id) { (name) } }
                        }
                        " "
                        button type="submit" { "Re-sponsor" }
                    }
                }
            }
        }
    }
}

/// `POST /assignments/{id}/sponsor` (administrators): the licenses page's re-sponsor form.
pub async fn re_sponsor(
    State(app): State<Portico>,
    Path(id): Path<String>,
    form: WebForm,
) -> Response {
    then_to(
        app.set_sponsor(&form.caller, &id, form.value("sponsor"))
            .await,
        |_| "/licenses".into(),
    )
}

/// `GET /outbox` (administrators)
pub async fn outbox(State(app): State<Portico>, WebPage { caller, csrf }: WebPage) -> Response {
    let emails = match app
        .outbox(
            &caller,
            OutboxFilter::default(),
            Page {
                limit: 200,
                offset: 0,
            },
        )
        .await
    {
        Ok(e) => e,
        Err(e) => return refused(e),
    };
    let content = html! {
        table class="stack" {
            thead { tr { th { "To" } th { "Email" } th { "Queued" } th { "Status" } th { "Attempts" } th { "Last error" } th { span class="visually-hidden" { "Retry" } } } }
            tbody {
                @for e in &emails {
                    tr {
                        td data-label="To" { (e.email.to) }
                        td data-label="Email" { (plain::template(&app, &e.email.template)) }
                        td data-label="Queued" { (plain::when(e.created_at)) }
                        td data-label="Status" { (plain::status(&e.status)) }
                        td data-label="Attempts" { (e.attempts) }
                        td data-label="Last error" { (e.last_error.clone().unwrap_or_default()) }
                        td {
                            @if e.status == "failed" {
                                form method="post" action=(format!("/outbox/{}/retry", e.email.id)) class="inline" {
                                    input type="hidden" name="csrf" value=(csrf.0);
                                    button type="submit" { "Retry" }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    app_layout(&caller, &csrf.0, "Outbox", content).into_response()
}

/// `POST /outbox/{id}/retry`
pub async fn retry(State(app): State<Portico>, Path(id): Path<String>, form: WebForm) -> Response {
    then_to(app.retry_email(&form.caller, &id).await, |_| {
        "/outbox".into()
    })
}

/// `GET /persons/{id}/edit`
pub async fn edit_person(
    State(app): State<Portico>,
    WebPage { caller, csrf }: WebPage,
    Path(id): Path<String>,
) -> Response {
    let p = match app.person(&caller, &id).await {
        Ok(p) => p,
        Err(e) => return refused(e),
    };
    let content = html! {
        form method="post" action=(format!("/persons/{id}/edit")) {
            input type="hidden" name="csrf" value=(csrf.0);
            label for="first" { "First name" }
            input type="text" id="first" name="first_name" value=(p.first_name) required;
            label for="last" { "Last name" }
            input type="text" id="last" name="last_name" value=(p.last_name) required;
            label for="email" { "Email" }
            input type="email" id="email" name="email" value=(p.email) required;
            label for="language" { "Language of emails and pages" }
            select id="language" name="language" {
                @if portico_domain::Language::parse(&p.language).is_none() {
                    option value=(p.language) selected { (p.language) " (read as English)" }
                }
                @for l in portico_domain::Language::ALL {
                    option value=(l.code()) selected[portico_domain::Language::parse(&p.language) == Some(l)] { (l.native_name()) }
                }
            }
            label for="timezone" { "Time zone (e.g. Europe/Berlin; empty: the company's)" }
            input type="text" id="timezone" name="timezone" value=(p.timezone.clone().unwrap_or_default());
            button type="submit" { "Save" }
        }
    };
    app_layout(&caller, &csrf.0, &p.display_name(), content).into_response()
}

/// `POST /persons/{id}/edit`
pub async fn save_person(
    State(app): State<Portico>,
    Path(id): Path<String>,
    form: WebForm,
) -> Response {
    let input = PersonInput {
        first_name: form.fields.get("first_name").cloned(),
        last_name: form.fields.get("last_name").cloned(),
        email: form.fields.get("email").cloned(),
        organization: None,
        language: form.fields.get("language").cloned(),
        timezone: form
            .fields
            .get("timezone")
            .map(|z| Some(z.trim().to_string()).filter(|z| !z.is_empty())),
    };
    match app.update_person(&form.caller, &id, input).await {
        Ok(p) => match &p.organization {
            Some(org) => Redirect::to(&format!("/organizations/{org}")).into_response(),
            None => Redirect::to("/organizations").into_response(),
        },
        Err(e) => refused(e),
    }
}

/// The seat history as a chart drawn on the server (SVG): the most seats in use each day
/// against the pool's size, so an admin sees when the next bundle is needed.
fn seat_chart(days: &[SeatUsageDay]) -> Markup {
    const W: f64 = 600.0;
    const H: f64 = 160.0;
    let (Some(first), Some(last)) = (days.first(), days.last()) else {
        return html! { p class="hint" { "No history yet." } };
    };
    let top = days
        .iter()
        .map(|d| d.seats.max(d.peak))
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let x = |i: usize| {
        if days.len() == 1 {
            W / 2.0
        } else {
            i as f64 * W / (days.len() - 1) as f64
        }
    };
    let y = |v: i64| H - v as f64 * (H - 10.0) / top;
    let line = |value: fn(&SeatUsageDay) -> i64| {
        days.iter()
            .enumerate()
            .map(|(i, d)| format!("{:.1},{:.1}", x(i), y(value(d))))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let summary = format!(
        "Seats in use from {} to {}: at most {} of {}",
        plain::day(&first.date.to_string()),
        plain::day(&last.date.to_string()),
        days.iter().map(|d| d.peak).max().unwrap_or(0),
        last.seats
    );
    html! {
        figure class="seat-chart" {
            svg xmlns="http://www.w3.org/2000/svg" viewBox=(format!("-40 -10 {} {}", W + 50.0, H + 40.0))
                width="100%" role="img" aria-label=(summary) {
                title { (summary) }
                polyline class="seats" fill="none" stroke="#999" stroke-dasharray="4 3" points=(line(|d| d.seats)) {}
                polyline class="in-use" fill="none" stroke="#0a6" stroke-width="2" points=(line(|d| d.peak)) {}
                text x="-35" y=(format!("{:.1}", y(last.seats) + 4.0)) font-size="11" { (last.seats) }
                text x="-35" y=(format!("{:.1}", H + 4.0)) font-size="11" { "0" }
                text x="0" y=(format!("{:.1}", H + 20.0)) font-size="11" { (plain::day(&first.date.to_string())) }
                text x=(format!("{:.1}", W - 70.0)) y=(format!("{:.1}", H + 20.0)) font-size="11" { (plain::day(&last.date.to_string())) }
            }
            figcaption { "Solid: the most seats in use each day. Dashed: seats in the pool." }
        }
    }
}
