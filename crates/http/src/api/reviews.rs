//! Access reviews (SPEC section 11, "Guest governance"): opened by administrators, decided by
//! the sponsors of each external user's access, exported as CSV evidence.

use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use portico_service::store::{ReviewItemRow, ReviewRow};
use portico_service::ReviewView;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::audit_csv::formula_guard;
use super::wire::{ok, time, Answer, Created, NoFilters, Paged, Success};
use crate::error::Refusals;
use crate::extract::{Admin, Internal, Json, Query};
use crate::ApiError;

/// An access review.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessReview {
    id: String,
    /// The organization reviewed; none: every active external user.
    #[schema(required)]
    organization__v: Option<String>,
    /// Its name.
    #[schema(required)]
    organization_name: Option<String>,
    /// The administrator who opened it (user id).
    opened_by: String,
    /// RFC 3339.
    opened_at: String,
    /// On this day undecided items take the default.
    #[schema(format = Date)]
    due_date: String,
    /// `keep` or `remove`.
    default_decision: String,
    /// When the sponsors of undecided items were reminded (RFC 3339).
    #[schema(required)]
    reminded_at: Option<String>,
    /// When its last item was decided (RFC 3339); none while open.
    #[schema(required)]
    closed_at: Option<String>,
    /// Items in all.
    items_total: i64,
    /// Items decided so far.
    items_decided: i64,
    /// The items, when one review is read (every item for an administrator, the items it
    /// sponsors for another internal user); left out of lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    items: Option<Vec<AccessReviewItem>>,
}

impl From<ReviewRow> for AccessReview {
    fn from(r: ReviewRow) -> Self {
        AccessReview {
            id: r.id,
            organization__v: r.organization,
            organization_name: r.organization_name,
            opened_by: r.opened_by,
            opened_at: time(r.opened_at),
            due_date: r.due_date,
            default_decision: r.default_decision,
            reminded_at: r.reminded_at.map(time),
            closed_at: r.closed_at.map(time),
            items_total: r.items,
            items_decided: r.decided,
            items: None,
        }
    }
}

/// A sponsor of an item.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewSponsor {
    /// User id.
    id: String,
    name: String,
}

/// One external user under review.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessReviewItem {
    id: String,
    /// The external user (user id).
    user__v: String,
    username: String,
    /// The user's full name.
    name: String,
    /// Its organization when the review was opened.
    #[schema(required)]
    organization__v: Option<String>,
    #[schema(required)]
    organization_name: Option<String>,
    /// Who may decide (besides administrators).
    sponsors: Vec<ReviewSponsor>,
    /// `keep` or `remove`; none while undecided.
    #[schema(required)]
    decision: Option<String>,
    #[schema(required)]
    reason: Option<String>,
    /// User id; none when the default decided at the due date.
    #[schema(required)]
    decided_by: Option<String>,
    /// RFC 3339.
    #[schema(required)]
    decided_at: Option<String>,
    /// Whether the review's default decided it.
    by_default: bool,
}

impl From<ReviewItemRow> for AccessReviewItem {
    fn from(i: ReviewItemRow) -> Self {
        AccessReviewItem {
            id: i.id,
            user__v: i.user,
            username: i.username,
            name: i.user_name,
            organization__v: i.organization,
            organization_name: i.organization_name,
            sponsors: i
                .sponsors
                .into_iter()
                .map(|(id, name)| ReviewSponsor { id, name })
                .collect(),
            decision: i.decision,
            reason: i.reason,
            decided_by: i.decided_by,
            decided_at: i.decided_at.map(time),
            by_default: i.by_default,
        }
    }
}

impl From<ReviewView> for AccessReview {
    fn from(v: ReviewView) -> Self {
        AccessReview {
            items: Some(v.items.into_iter().map(Into::into).collect()),
            ..v.review.into()
        }
    }
}

/// `{"organization__v": id (optional), "due_in_days": n, "default_decision": "keep" | "remove"}`
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    /// Only this organization's external users (default: all).
    #[serde(default)]
    organization__v: Option<String>,
    /// 1 to 365.
    due_in_days: i64,
    /// What undecided items become at the due date: `keep` or `remove`.
    default_decision: String,
}

/// `{"decision": "keep" | "remove", "reason": "..."}`
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    decision: String,
    /// Why (required, at most 1000 characters): kept as evidence.
    reason: String,
}

/// Open an access review
///
/// One item per active external user (of the organization), each for the internal users who
/// sponsor its access to decide.
#[utoipa::path(post, path = "/access-reviews", responses((status = 201, body = Success<AccessReview>), Refusals))]
pub async fn open_review(
    Admin(app, caller): Admin,
    Json(b): Json<ReviewRequest>,
) -> Result<Created<AccessReview>, ApiError> {
    let view = app
        .open_review(
            &caller,
            b.organization__v.as_deref(),
            b.due_in_days,
            &b.default_decision,
        )
        .await?;
    Ok(Created(view.into()))
}

/// List access reviews
///
/// Newest first.
#[utoipa::path(get, path = "/access-reviews", params(Paged<NoFilters>), responses((status = 200, body = Success<Vec<AccessReview>>), Refusals))]
pub async fn list_reviews(
    Admin(app, caller): Admin,
    Query(q): Query<Paged<NoFilters>>,
) -> Answer<Vec<AccessReview>> {
    let rows = app.reviews(&caller, q.page).await?;
    Ok(ok(rows.into_iter().map(AccessReview::from).collect()))
}

/// Read an access review with its items
#[utoipa::path(get, path = "/access-reviews/{id}", responses((status = 200, body = Success<AccessReview>), Refusals))]
pub async fn read_review(
    Internal(app, caller): Internal,
    Path(id): Path<String>,
) -> Answer<AccessReview> {
    Ok(ok(app.review(&caller, &id).await?.into()))
}

/// Decide an item of an access review
///
/// Only a sponsor of the item or an administrator; once. `remove` ends the user's access on
/// every record as the exit action does (C3; Goodbye when it was the last), audited with the
/// cause `access review`.
#[utoipa::path(post, path = "/access-reviews/{id}/items/{item}/decide", responses((status = 200, body = Success<AccessReviewItem>), Refusals))]
pub async fn decide_item(
    Internal(app, caller): Internal,
    Path((id, item)): Path<(String, String)>,
    Json(b): Json<DecisionRequest>,
) -> Answer<AccessReviewItem> {
    let row = app
        .decide_review_item(&caller, &id, &item, &b.decision, &b.reason)
        .await?;
    Ok(ok(row.into()))
}

/// The CSV columns of a review's export.
const HEADER: [&str; 13] = [
    "review",
    "due_date",
    "default_decision",
    "item",
    "user__v",
    "username",
    "name",
    "email",
    "organization",
    "sponsors",
    "decision",
    "reason",
    "decided",
];

/// An access review's result as CSV
///
/// One line per item: who was reviewed, the sponsors, the decision, its reason, who decided
/// and when (`decided`: `by <name> at <RFC 3339>`, or `default at <RFC 3339>`). Evidence for
/// auditors.
#[utoipa::path(get, path = "/access-reviews/{id}/export.csv", responses((status = 200, description = "RFC 4180 CSV with a header row", content_type = "text/csv", body = String), Refusals))]
pub async fn export_review(
    Admin(app, caller): Admin,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let view = app.review(&caller, &id).await?;
    let csv = review_csv(&view).map_err(|e| {
        ApiError::from(portico_service::ServiceError::internal(
            "the review export could not be written",
            e,
        ))
    })?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"access-review-{}.csv\"",
                    view.review.id.replace('"', "")
                ),
            ),
        ],
        csv,
    )
        .into_response())
}

pub(crate) fn review_csv(v: &ReviewView) -> Result<Vec<u8>, std::io::Error> {
    let mut w = csv::Writer::from_writer(vec![]);
    let mut line = |cells: Vec<String>| {
        // A write into memory fails only with the memory.
        let _ = w.write_record(cells.iter().map(|c| formula_guard(c).into_owned()));
    };
    line(HEADER.iter().map(|h| (*h).to_string()).collect());
    for i in &v.items {
        let decided = match (i.decided_at, &i.decided_by_name) {
            (None, _) => String::new(),
            (Some(at), _) if i.by_default => format!("default at {}", time(at)),
            (Some(at), Some(name)) => format!("by {name} at {}", time(at)),
            (Some(at), None) => format!("at {}", time(at)),
        };
        line(vec![
            v.review.id.clone(),
            v.review.due_date.clone(),
            v.review.default_decision.clone(),
            i.id.clone(),
            i.user.clone(),
            i.username.clone(),
            i.user_name.clone(),
            i.email.clone(),
            i.organization_name.clone().unwrap_or_default(),
            i.sponsors
                .iter()
                .map(|(_, n)| n.as_str())
                .collect::<Vec<_>>()
                .join("; "),
            i.decision.clone().unwrap_or_default(),
            i.reason.clone().unwrap_or_default(),
            decided,
        ]);
    }
    w.into_inner().map_err(|e| e.into_error())
}

/// A review whose sponsors were reminded.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewReminded {
    review: String,
    /// Sponsors emailed.
    emails: usize,
}

/// An item the review's default decided at the due date.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewDefaulted {
    review: String,
    item: String,
    user__v: String,
    /// `keep` or `remove`.
    decision: String,
}

/// A user whose access ended for inactivity.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InactivityDone {
    user__v: String,
    /// Assignments made Inactive (C3).
    assignments_ended: usize,
    /// Whether the user was inactivated (Goodbye; a seat freed).
    user_inactivated: bool,
}

/// The review and inactivity parts of a scheduler run, and what failed in them.
pub(crate) struct JobParts(
    pub Vec<ReviewReminded>,
    pub Vec<ReviewDefaulted>,
    pub Vec<InactivityDone>,
    pub Vec<(String, String)>,
);

/// Splits the review and inactivity parts of a run into the answer's lists.
pub(crate) fn job_parts(
    reviews: portico_service::ReviewWork,
    inactivated: Vec<portico_service::InactivityWork>,
) -> JobParts {
    JobParts(
        reviews
            .reminded
            .into_iter()
            .map(|(review, emails)| ReviewReminded { review, emails })
            .collect(),
        reviews
            .defaulted
            .into_iter()
            .map(|d| ReviewDefaulted {
                review: d.review,
                item: d.item,
                user__v: d.user,
                decision: d.decision,
            })
            .collect(),
        inactivated
            .into_iter()
            .map(|w| InactivityDone {
                user__v: w.user.to_string(),
                assignments_ended: w.ended.assignments_ended,
                user_inactivated: w.ended.user_inactivated,
            })
            .collect(),
        reviews.failed,
    )
}

/// Scheduled work on a review, a review item or a user that failed.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkFailed {
    /// The review, item or user.
    pub(crate) id: String,
    pub(crate) message: String,
}

/// An active external user flagged as inactive (`PORTICO_STALE_AFTER_DAYS`).
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InactiveExternal {
    user__v: String,
    username: String,
    name: String,
    /// When it last signed in (RFC 3339); none: never since its Welcome.
    #[schema(required)]
    last_sign_in: Option<String>,
    /// Its Welcome (last activation) when it never signed in since (RFC 3339).
    #[schema(required)]
    welcomed_at: Option<String>,
}

impl From<portico_service::StaleUser> for InactiveExternal {
    fn from(s: portico_service::StaleUser) -> Self {
        use portico_domain::review::Stale;
        let (last_sign_in, welcomed_at) = match s.why {
            Stale::LastSignedIn { at } => (Some(time(at)), None),
            Stale::NeverSignedIn { since } => (None, Some(time(since))),
        };
        InactiveExternal {
            user__v: s.user.to_string(),
            username: s.username,
            name: s.name,
            last_sign_in,
            welcomed_at,
        }
    }
}
