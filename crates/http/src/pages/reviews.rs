//! Access review pages (SPEC section 11, "Guest governance"): administrators open reviews and
//! follow them; a sponsor sees the external users waiting for its decision and keeps or removes
//! each one's access, with a reason. The pages ask the same use cases as the API.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use portico_service::store::{ReviewItemRow, ReviewRow, UserFilter};
use portico_service::{Caller, Page, Portico};

use super::shared::{app_layout, refused, then_to, MANY};
use super::web::{WebForm, WebPage};
use crate::i18n::t;
use crate::{plain, tr};

/// The organization a review covers, in words.
fn scope(r: &ReviewRow) -> String {
    match (&r.organization, &r.organization_name) {
        (None, _) => t("review-all-orgs"),
        (Some(_), Some(name)) => name.clone(),
        (Some(_), None) => t("review-org-gone"),
    }
}

/// What happens to undecided items at the due date, in words.
fn default_words(default: &str) -> String {
    t(if default == "remove" {
        "review-default-ends"
    } else {
        "review-default-stays"
    })
}

fn decision_words(decision: &str) -> String {
    t(if decision == "remove" {
        "review-removed"
    } else {
        "review-kept"
    })
}

/// The keep-or-remove form of one item; `back` is where the page returns to.
fn decide_form(csrf: &str, item: &ReviewItemRow, back: &str) -> Markup {
    let key = &item.id;
    html! {
        form method="post" action=(format!("/reviews/{}/items/{}/decide", item.review, item.id)) class="decide" {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="back" value=(back);
            fieldset {
                legend { (tr!("review-access-of", user = item.user_name.as_str())) }
                label { input type="radio" name="decision" value="keep" required; " " (t("review-keep")) }
                label { input type="radio" name="decision" value="remove"; " " (t("review-remove")) }
            }
            label for=(format!("reason-{key}")) { (t("review-reason")) }
            textarea id=(format!("reason-{key}")) name="reason" required maxlength="1000" rows="2" {}
            button type="submit" { (tr!("review-decide-for", user = item.user_name.as_str())) }
        }
    }
}

fn sponsors_text(item: &ReviewItemRow) -> String {
    if item.sponsors.is_empty() {
        t("review-no-sponsor")
    } else {
        item.sponsors
            .iter()
            .map(|(_, n)| n.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// `GET /reviews`: what waits for the caller's decision; for administrators every review and
/// the form to open one.
pub async fn page(State(app): State<Portico>, WebPage { caller, csrf }: WebPage) -> Response {
    match reviews_page(&app, &caller, &csrf.0).await {
        Ok(m) => m.into_response(),
        Err(e) => refused(e),
    }
}

async fn reviews_page(
    app: &Portico,
    caller: &Caller,
    csrf: &str,
) -> Result<Markup, portico_service::ServiceError> {
    let mine = app.review_items_to_decide(caller).await?;
    let admin = caller.is_admin();
    let reviews = if admin {
        app.reviews(
            caller,
            Page {
                limit: 200,
                offset: 0,
            },
        )
        .await?
    } else {
        vec![]
    };
    let orgs = if admin {
        app.organizations(caller, None, MANY).await?
    } else {
        vec![]
    };
    let content = html! {
        section {
            h2 { (t("review-waiting-title")) }
            @if mine.is_empty() {
                p class="hint" { (t("review-none-waiting")) }
            } @else {
                p { (t("review-you-sponsor")) }
                @for (review, item) in &mine {
                    article class="review-item" {
                        h3 { (item.user_name) }
                        p {
                            (item.organization_name.clone().unwrap_or_else(|| t("review-no-org")))
                            " · " (tr!("review-decide-by", day = plain::day(&review.due_date)))
                            " · " (tr!("review-without-decision", then = default_words(&review.default_decision)))
                        }
                        (decide_form(csrf, item, "/reviews"))
                    }
                }
            }
        }
        @if admin {
            section {
                h2 { (t("nav-reviews")) }
                @if reviews.is_empty() {
                    p class="hint" { (t("review-none")) }
                } @else {
                    @let (review, opened, due) = (t("col-review"), t("col-opened"), t("col-due"));
                    @let (decided, without) = (t("col-decided"), t("col-without-decision"));
                    table class="stack" {
                        thead { tr { th { (review) } th { (opened) } th { (due) } th { (decided) } th { (without) } } }
                        tbody {
                            @for r in &reviews {
                                tr {
                                    td data-label=(review) { a href=(format!("/reviews/{}", r.id)) { (scope(r)) } }
                                    td data-label=(opened) { (plain::when(r.opened_at)) " " (tr!("review-by", who = r.opened_by_name.as_str())) }
                                    td data-label=(due) { (plain::day(&r.due_date)) @if r.closed_at.is_some() { " " (t("review-closed-mark")) } }
                                    td data-label=(decided) { (tr!("review-decided-of", decided = r.decided, items = r.items)) }
                                    td data-label=(without) { (default_words(&r.default_decision)) }
                                }
                            }
                        }
                    }
                }
            }
            section {
                h2 { (t("review-open-title")) }
                form method="post" action="/reviews" {
                    input type="hidden" name="csrf" value=(csrf);
                    label for="organization" { (t("review-users-of")) }
                    select id="organization" name="organization" {
                        option value="" { (t("review-all-orgs")) }
                        @for o in &orgs { option value=(o.id) { (o.name) } }
                    }
                    label for="due_in_days" { (t("review-days")) }
                    input type="number" id="due_in_days" name="due_in_days" min="1" max="365" value="14" required;
                    label for="default_decision" { (t("review-default")) }
                    select id="default_decision" name="default_decision" {
                        option value="keep" { (t("review-option-stays")) }
                        option value="remove" { (t("review-option-ends")) }
                    }
                    button type="submit" { (t("review-open")) }
                }
            }
        }
    };
    Ok(app_layout(caller, csrf, &t("nav-reviews"), content))
}

/// `POST /reviews` (administrators)
pub async fn open(State(app): State<Portico>, form: WebForm) -> Response {
    let organization = Some(form.value("organization")).filter(|o| !o.is_empty());
    let days = form.value("due_in_days").trim().parse::<i64>().unwrap_or(0);
    then_to(
        app.open_review(
            &form.caller,
            organization,
            days,
            form.value("default_decision"),
        )
        .await,
        |v| format!("/reviews/{}", v.review.id),
    )
}

/// `GET /reviews/{id}`: a review's items (an administrator's: all of them; a sponsor's: its
/// own), decided or not.
pub async fn detail(
    State(app): State<Portico>,
    WebPage { caller, csrf }: WebPage,
    Path(id): Path<String>,
) -> Response {
    let view = match app.review(&caller, &id).await {
        Ok(v) => v,
        Err(e) => return refused(e),
    };
    let r = &view.review;
    let back = format!("/reviews/{}", r.id);
    let me = caller.user.id.as_str();
    let content = html! {
        section {
            p {
                (scope(r)) " · " (t("review-opened")) " " (plain::when(r.opened_at)) " " (tr!("review-by", who = r.opened_by_name.as_str()))
                " · " (tr!("review-due", day = plain::day(&r.due_date)))
                " · " (tr!("review-without-decision", then = default_words(&r.default_decision)))
            }
            // Our own words and numbers only, so the count can stand out in bold.
            p { (maud::PreEscaped(tr!("review-decided-count", decided = format!("<strong>{}</strong>", r.decided), items = r.items)))
                @if let Some(closed) = r.closed_at { " · " (t("review-closed")) " " (plain::when(closed)) } }
            @if caller.is_admin() {
                p { a href=(format!("/reviews/{}/export.csv", r.id)) download { (t("review-download")) } }
            }
        }
        section {
            h2 { (t("review-external-users")) }
            @if view.items.is_empty() {
                p class="hint" { (t("review-nobody")) }
            }
            @for item in &view.items {
                article class="review-item" {
                    h3 { (item.user_name) }
                    p { (item.organization_name.clone().unwrap_or_else(|| t("review-no-org")))
                        " · " (tr!("review-sponsored-by", sponsors = sponsors_text(item))) }
                    @match (&item.decision, item.decided_at) {
                        (Some(d), Some(at)) => {
                            p {
                                strong { (decision_words(d)) }
                                @if item.by_default { " " (t("review-by-default")) }
                                @else if let Some(who) = &item.decided_by_name { " " (tr!("review-by", who = who.as_str())) }
                                " · " (plain::when(at))
                            }
                            @if let Some(reason) = &item.reason { blockquote { (reason) } }
                        }
                        _ => {
                            @if r.closed_at.is_none() && (caller.is_admin() || item.sponsors.iter().any(|(s, _)| s == me)) {
                                (decide_form(&csrf.0, item, &back))
                            } @else {
                                p class="hint" { (t("review-not-decided")) }
                            }
                        }
                    }
                }
            }
        }
    };
    app_layout(&caller, &csrf.0, &t("review-title"), content).into_response()
}

/// `POST /reviews/{id}/items/{item}/decide`
pub async fn decide(
    State(app): State<Portico>,
    Path((id, item)): Path<(String, String)>,
    form: WebForm,
) -> Response {
    let back = super::shared::local(form.value("back"));
    then_to(
        app.decide_review_item(
            &form.caller,
            &id,
            &item,
            form.value("decision"),
            form.value("reason"),
        )
        .await,
        |_| back,
    )
}

/// `GET /reviews/{id}/export.csv` (administrators): the API's export, for the signed-in page.
pub async fn export(
    State(app): State<Portico>,
    WebPage { caller, .. }: WebPage,
    Path(id): Path<String>,
) -> Response {
    if let Err(e) = caller.require_admin() {
        return refused(e);
    }
    match app.review(&caller, &id).await {
        Ok(view) => match crate::api::reviews::review_csv(&view) {
            Ok(csv) => (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        "attachment; filename=\"access-review.csv\"".to_string(),
                    ),
                ],
                csv,
            )
                .into_response(),
            Err(e) => refused(portico_service::ServiceError::internal(
                "the review export could not be written",
                e,
            )),
        },
        Err(e) => refused(e),
    }
}

/// The active internal users, as choices of a new sponsor (the licenses page).
pub(crate) async fn sponsor_choices(
    app: &Portico,
    caller: &Caller,
) -> Result<Vec<(String, String)>, portico_service::ServiceError> {
    let users = app
        .users(
            caller,
            UserFilter {
                status: Some("active".into()),
                ..UserFilter::default()
            },
            MANY,
        )
        .await?;
    Ok(users
        .into_iter()
        .filter(|u| !u.takes_seat() && u.security_profile.is_internal())
        .map(|u| {
            (
                u.id.to_string(),
                format!("{} {}", u.first_name, u.last_name),
            )
        })
        .collect())
}
