//! Guest governance (SPEC section 11): sponsors of external access, and the scheduled work
//! run on demand.

use axum::extract::Path;
use portico_service::{JobReport, RecordWork, SeatUsageDay};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::lists::Assignment;
use super::wire::{ok, Answer, NoFilters, Paged, Success};
use crate::error::Refusals;
use crate::extract::{Admin, Auth, Json, Query};

/// List Active access whose sponsor was inactivated
///
/// Oldest first. Each is to be given another sponsor (`PUT /assignments/{id}/sponsor`) or
/// ended. Access granted before sponsors were recorded, with none known, is listed too.
#[utoipa::path(get, path = "/assignments/unsponsored", params(Paged<NoFilters>), responses((status = 200, body = Success<Vec<Assignment>>), Refusals))]
pub async fn unsponsored(
    Admin(app, caller): Admin,
    Query(q): Query<Paged<NoFilters>>,
) -> Answer<Vec<Assignment>> {
    let rows = app.unsponsored(&caller, q.page).await?;
    Ok(ok(rows
        .into_iter()
        .map(|s| Assignment::from(s.assignment))
        .collect()))
}

/// The new sponsor.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SponsorChange {
    /// An active internal user's id.
    sponsor__v: String,
}

/// Give an Active assignment another sponsor
#[utoipa::path(put, path = "/assignments/{id}/sponsor", responses((status = 200, body = Success<Assignment>), Refusals))]
pub async fn set_sponsor(
    Admin(app, caller): Admin,
    Path(id): Path<String>,
    Json(body): Json<SponsorChange>,
) -> Answer<Assignment> {
    let row = app.set_sponsor(&caller, &id, &body.sponsor__v).await?;
    Ok(ok(Assignment::from(row)))
}

/// What scheduled work did on one record.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordWorkDone {
    object__v: String,
    record__v: String,
    /// The end date the work was for.
    #[schema(format = Date)]
    access_end_date__v: String,
    /// Assignments made Inactive.
    assignments_ended: usize,
    /// Users inactivated because their last access ended (Goodbye; a seat freed).
    users_inactivated: usize,
    /// Emails queued (Goodbye, reminders).
    emails: usize,
}

impl From<RecordWork> for RecordWorkDone {
    fn from(w: RecordWork) -> Self {
        RecordWorkDone {
            object__v: w.object,
            record__v: w.record.to_string(),
            access_end_date__v: w.end_date,
            assignments_ended: w.assignments_ended,
            users_inactivated: w.users_inactivated,
            emails: w.emails,
        }
    }
}

/// A record whose work failed; it is tried again on the next run.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordWorkFailed {
    record__v: String,
    message: String,
}

/// What a run of the scheduled work did.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JobRun {
    /// Records past their `access_end_date__v` whose collaborators' access ended (C3), audited
    /// with the cause `end date`.
    ended: Vec<RecordWorkDone>,
    /// Records whose collaborators were reminded that the end date is near.
    reminded: Vec<RecordWorkDone>,
    failed: Vec<RecordWorkFailed>,
    /// Access reviews whose sponsors were reminded of undecided items.
    access_reviews_reminded: Vec<super::reviews::ReviewReminded>,
    /// Review items the default decided at the due date.
    access_review_defaults: Vec<super::reviews::ReviewDefaulted>,
    /// External users whose access ended for inactivity (`PORTICO_STALE_INACTIVATE`).
    inactivated: Vec<super::reviews::InactivityDone>,
    /// Review items, reviews or users whose work failed (tried again on the next run).
    access_failed: Vec<super::reviews::WorkFailed>,
}

impl From<JobReport> for JobRun {
    fn from(r: JobReport) -> Self {
        let super::reviews::JobParts(
            access_reviews_reminded,
            access_review_defaults,
            inactivated,
            more_failed,
        ) = super::reviews::job_parts(r.reviews, r.inactivated);
        JobRun {
            access_reviews_reminded,
            access_review_defaults,
            inactivated,
            ended: r.ended.into_iter().map(Into::into).collect(),
            reminded: r.reminded.into_iter().map(Into::into).collect(),
            failed: r
                .failed
                .into_iter()
                .map(|(record, message)| RecordWorkFailed {
                    record__v: record.to_string(),
                    message,
                })
                .collect(),
            access_failed: more_failed
                .into_iter()
                .map(|(id, message)| super::reviews::WorkFailed { id, message })
                .collect(),
        }
    }
}

/// Run the scheduled work that is due now
///
/// What each server's scheduler runs every `PORTICO_SCHEDULER_SECONDS`: access past its
/// record's end date ends, collaborators whose end date is near are reminded. Answers what it
/// did; work done already (by the scheduler, on any server) is not done again.
#[utoipa::path(post, path = "/jobs/run-due", responses((status = 200, body = Success<JobRun>), Refusals))]
pub async fn run_due(Admin(app, caller): Admin) -> Answer<JobRun> {
    Ok(ok(app.run_due(&caller).await?.into()))
}

/// The days to show.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HistoryRange {
    /// First day, `YYYY-MM-DD` (default: 29 days before `to`).
    from: Option<String>,
    /// Last day, `YYYY-MM-DD` (default: today; days after today are not shown).
    to: Option<String>,
}

/// External seats on one day.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeatDay {
    #[schema(format = Date)]
    date: String,
    /// In use at the end of the day (now, for today).
    active: i64,
    /// The most in use during the day.
    peak: i64,
    /// The pool's size.
    seats: i64,
}

impl From<SeatUsageDay> for SeatDay {
    fn from(d: SeatUsageDay) -> Self {
        SeatDay {
            date: d.date.format("%Y-%m-%d").to_string(),
            active: d.active,
            peak: d.peak,
            seats: d.seats,
        }
    }
}

/// External seats in use per day
///
/// At most 366 days at once; days before the history began are left out.
#[utoipa::path(get, path = "/licenses/history", params(HistoryRange), responses((status = 200, body = Success<Vec<SeatDay>>), Refusals))]
pub async fn seat_history(
    Auth(app, caller): Auth,
    Query(q): Query<HistoryRange>,
) -> Answer<Vec<SeatDay>> {
    let days = app
        .seat_history(&caller, q.from.as_deref(), q.to.as_deref())
        .await?;
    Ok(ok(days.into_iter().map(SeatDay::from).collect()))
}
