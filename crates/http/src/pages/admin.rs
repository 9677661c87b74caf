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
use crate::i18n::t;
use crate::{plain, tr};

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
        @let (organization, status) = (t("col-organization"), t("col-status"));
        section {
            table class="stack" {
                thead { tr { th { (organization) } th { (status) } } }
                tbody { @for o in &orgs { tr { td data-label=(organization) { a href=(format!("/organizations/{}", o.id)) { (o.name) } } td data-label=(status) { (plain::status(&o.status)) } } } }
            }
        }
        section {
            h2 { (t("orgs-add")) }
            form method="post" action="/organizations" {
                input type="hidden" name="csrf" value=(csrf.0);
                label for="name" { (t("col-name")) }
                input type="text" id="name" name="name" required;
                button type="submit" { (t("add")) }
            }
        }
    };
    app_layout(&caller, &csrf.0, &t("nav-organizations"), content).into_response()
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
        @let (name, email, has_user) = (t("col-name"), t("col-email"), t("col-has-user"));
        section {
            h2 { (t("org-contacts")) }
            @if persons.is_empty() { p class="hint" { (t("org-no-contacts")) } }
            table class="stack" {
                thead { tr { th { (name) } th { (email) } th { (has_user) } th { span class="visually-hidden" { (t("col-change")) } } } }
                tbody {
                    @for p in &persons {
                        tr {
                            td data-label=(name) { (p.display_name()) }
                            td data-label=(email) { (p.email) }
                            td data-label=(has_user) { (yes_no(p.user.is_some())) }
                            td { a href=(format!("/persons/{}/edit", p.id)) { (t("edit")) " " span class="visually-hidden" { (p.display_name()) } } }
                        }
                    }
                }
            }
        }
        section {
            h2 { (t("org-add-contact")) }
            form method="post" action=(format!("/organizations/{id}/persons")) {
                input type="hidden" name="csrf" value=(csrf.0);
                label for="first" { (t("person-first-name")) }
                input type="text" id="first" name="first_name" required;
                label for="last" { (t("person-last-name")) }
                input type="text" id="last" name="last_name" required;
                label for="email" { (t("col-email")) }
                input type="email" id="email" name="email" required;
                button type="submit" { (t("add")) }
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
    let unknown = t("unknown");
    let mut sponsors: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for s in &sponsorships {
        sponsors
            .entry(s.assignment.user.as_str())
            .or_default()
            .insert(s.sponsor_username.as_deref().unwrap_or(&unknown));
    }
    let content = html! {
        @let (username, name, status) = (t("col-username"), t("col-name"), t("col-status"));
        @let (license, managed, sponsors_col) = (t("col-license"), t("col-managed"), t("col-sponsors"));
        table class="stack" {
            thead { tr { th { (username) } th { (name) } th { (status) } th { (license) } th { (managed) } th { (sponsors_col) } } }
            tbody {
                @for u in &users {
                    tr {
                        td data-label=(username) { (u.username) }
                        td data-label=(name) { (u.first_name) " " (u.last_name) }
                        td data-label=(status) { @if u.is_active() { (t("user-active")) } @else { (t("user-inactive")) } }
                        td data-label=(license) { @if u.takes_seat() { (t("license-external")) } @else { (t("license-full")) } }
                        td data-label=(managed) { (yes_no(u.managed)) }
                        td data-label=(sponsors_col) class="sponsors" { (sponsors.get(u.id.as_str()).map(|s| s.iter().copied().collect::<Vec<_>>().join(", ")).unwrap_or_default()) }
                    }
                }
            }
        }
    };
    app_layout(&caller, &csrf.0, &t("nav-users"), content).into_response()
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
    let unknown = t("unknown");
    let mut by_sponsor: BTreeMap<&str, (usize, bool)> = BTreeMap::new();
    for s in &sponsorships {
        let name = s.sponsor_username.as_deref().unwrap_or(&unknown);
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
            // Our own words and numbers only, so the counts can stand out in bold.
            p { (maud::PreEscaped(tr!("lic-seats", active = format!("<strong>{}</strong>", l.active), seats = l.seats, available = format!("<strong>{}</strong>", l.available)))) }
        }
        section {
            h2 { (t("lic-chart-title")) }
            (seat_chart(&history))
        }
        section {
            h2 { (t("col-sponsors")) }
            table {
                thead { tr { th { (t("col-sponsor")) } th { (t("lic-active-access")) } } }
                tbody { @for (name, (n, active)) in &by_sponsor { tr { td { (name) @if !active { " " (t("lic-inactive-mark")) } } td { (n) } } } }
            }
            @if !unsponsored.is_empty() {
                h3 { (t("lic-re-sponsor-title")) }
                p class="hint" { (t("lic-re-sponsor-hint")) }
                @if caller.is_admin() {
                    (re_sponsor_forms(&csrf.0, &unsponsored, &choices))
                } @else {
                    (sponsor_list(unsponsored))
                }
            }
        }
        @if !stale.is_empty() {
            section {
                h2 { (t("lic-stale-title")) }
                p class="hint" { (t("lic-stale-hint")) }
                @let (name, username, last_seen) = (t("col-name"), t("col-username"), t("col-last-seen"));
                table class="stack" {
                    thead { tr { th { (name) } th { (username) } th { (last_seen) } } }
                    tbody {
                        @for s in &stale {
                            tr {
                                td data-label=(name) { (s.name) }
                                td data-label=(username) { (s.username) }
                                td data-label=(last_seen) {
                                    @match s.why {
                                        portico_domain::review::Stale::LastSignedIn { at } => { (t("lic-signed-in")) " " (plain::when(at)) }
                                        portico_domain::review::Stale::NeverSignedIn { since } => { (t("lic-never-signed-in")) " " (plain::when(since)) }
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
                h2 { (t("lic-waiting-title")) }
                p class="hint" { (t("lic-waiting-hint")) }
                @let (collaborator, record) = (t("col-collaborator"), t("col-record"));
                @let (asked_by, since) = (t("col-asked-by"), t("col-waiting-since"));
                table class="stack waitlist" {
                    thead { tr { th { (collaborator) } th { (record) } th { (asked_by) } th { (since) } } }
                    tbody {
                        @for w in &waiting {
                            tr {
                                td data-label=(collaborator) { (w.person_name) }
                                td data-label=(record) { a href=(format!("/records/{}/{}", w.entry.object, w.entry.record)) { (w.record_name) } " (" (plain::type_label(&app, &w.entry.object)) ")" }
                                td data-label=(asked_by) { (w.requested_by_name) }
                                td data-label=(since) { (plain::when(w.entry.queued_at)) }
                            }
                        }
                    }
                }
            }
        }
        section {
            h2 { (t("lic-by-org")) }
            @let (organization, active) = (t("col-organization"), t("lic-active-users"));
            table class="stack" {
                thead { tr { th { (organization) } th { (active) } } }
                tbody { @for o in &l.by_organization { tr { td data-label=(organization) { (o.name.clone().unwrap_or_else(|| t("lic-no-org"))) } td data-label=(active) { (o.active) } } } }
            }
        }
    };
    app_layout(&caller, &csrf.0, &t("dashboard-licenses"), content).into_response()
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
                        (tr!("sponsor-line", user = s.username.as_str(), record = s.record_name.as_str(), sponsor = s.sponsor_username.clone().unwrap_or_else(|| t("unknown"))))
                        " " (t("lic-inactive-mark")) ". "
                        label for=(format!("sponsor-{}", s.assignment.id)) { (t("lic-new-sponsor")) }
                        " "
                        select id=(format!("sponsor-{}", s.assignment.id)) name="sponsor" required {
                            @for (id, name) in choices { option value=(id) { (name) } }
                        }
                        " "
                        button type="submit" { (t("lic-re-sponsor")) }
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
        @let (to, email, queued) = (t("col-to"), t("col-email"), t("col-queued"));
        @let (status, attempts, last_error) = (t("col-status"), t("col-attempts"), t("col-last-error"));
        table class="stack" {
            thead { tr { th { (to) } th { (email) } th { (queued) } th { (status) } th { (attempts) } th { (last_error) } th { span class="visually-hidden" { (t("outbox-retry")) } } } }
            tbody {
                @for e in &emails {
                    tr {
                        td data-label=(to) { (e.email.to) }
                        td data-label=(email) { (plain::template(&app, &e.email.template)) }
                        td data-label=(queued) { (plain::when(e.created_at)) }
                        td data-label=(status) { (plain::status(&e.status)) }
                        td data-label=(attempts) { (e.attempts) }
                        td data-label=(last_error) { (e.last_error.clone().unwrap_or_default()) }
                        td {
                            @if e.status == "failed" {
                                form method="post" action=(format!("/outbox/{}/retry", e.email.id)) class="inline" {
                                    input type="hidden" name="csrf" value=(csrf.0);
                                    button type="submit" { (t("outbox-retry")) }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    app_layout(&caller, &csrf.0, &t("nav-outbox"), content).into_response()
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
            label for="first" { (t("person-first-name")) }
            input type="text" id="first" name="first_name" value=(p.first_name) required;
            label for="last" { (t("person-last-name")) }
            input type="text" id="last" name="last_name" value=(p.last_name) required;
            label for="email" { (t("col-email")) }
            input type="email" id="email" name="email" value=(p.email) required;
            label for="language" { (t("person-language")) }
            select id="language" name="language" {
                @if portico_domain::Language::parse(&p.language).is_none() {
                    option value=(p.language) selected { (p.language) " " (t("person-read-as-english")) }
                }
                @for l in portico_domain::Language::ALL {
                    option value=(l.code()) selected[portico_domain::Language::parse(&p.language) == Some(l)] { (l.native_name()) }
                }
            }
            label for="timezone" { (t("person-timezone")) }
            input type="text" id="timezone" name="timezone" value=(p.timezone.clone().unwrap_or_default());
            button type="submit" { (t("language-save")) }
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

/// "yes" or "no" in the reader's language.
fn yes_no(yes: bool) -> String {
    t(if yes { "yes" } else { "no" })
}

/// The seat history as a chart drawn on the server (SVG): the most seats in use each day
/// against the pool's size, so an admin sees when the next bundle is needed.
fn seat_chart(days: &[SeatUsageDay]) -> Markup {
    const W: f64 = 600.0;
    const H: f64 = 160.0;
    let (Some(first), Some(last)) = (days.first(), days.last()) else {
        return html! { p class="hint" { (t("lic-no-history")) } };
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
    let summary = tr!(
        "lic-chart-summary",
        from = plain::day(&first.date.to_string()),
        to = plain::day(&last.date.to_string()),
        most = days.iter().map(|d| d.peak).max().unwrap_or(0),
        seats = last.seats
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
            figcaption { (t("lic-chart-caption")) }
        }
    }
}
