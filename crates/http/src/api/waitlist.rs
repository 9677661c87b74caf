//! `GET /api/v1/licenses/waitlist`: the license waitlist (SPEC section 11, "Guest governance").

use portico_service::store::WaitRow;
use serde::Serialize;
use utoipa::ToSchema;

use super::wire::{ok, time, Answer, NoFilters, Paged, Success};
use crate::error::Refusals;
use crate::extract::{Admin, Query};

/// A collaborator waiting for an external seat.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WaitingCollaborator {
    /// The person who waits.
    person__v: String,
    /// Its first and last name.
    person_name: String,
    /// The record it waits on.
    record__v: String,
    /// The record's object (`car__v`, …).
    object__v: String,
    /// The record's name.
    record_name: String,
    /// The internal user whose action left it waiting (told when the seat is given; the
    /// access's sponsor).
    requested_by: String,
    /// That user's first and last name.
    requested_by_name: String,
    /// When it began to wait.
    #[schema(format = DateTime)]
    queued_at: String,
}

impl From<WaitRow> for WaitingCollaborator {
    fn from(w: WaitRow) -> Self {
        WaitingCollaborator {
            person__v: w.entry.person.to_string(),
            person_name: w.person_name,
            record__v: w.entry.record.to_string(),
            object__v: w.entry.object,
            record_name: w.record_name,
            requested_by: w.entry.requested_by.to_string(),
            requested_by_name: w.requested_by_name,
            queued_at: time(w.entry.queued_at),
        }
    }
}

/// List the collaborators waiting for an external seat
///
/// Oldest first: the next seat that frees goes to the first of the list, in the transaction
/// that frees it. Only types configured with `when_no_seat = "queue"` leave anyone waiting.
#[utoipa::path(get, path = "/licenses/waitlist", params(Paged<NoFilters>), responses((status = 200, body = Success<Vec<WaitingCollaborator>>), Refusals))]
pub async fn waitlist(
    Admin(app, caller): Admin,
    Query(q): Query<Paged<NoFilters>>,
) -> Answer<Vec<WaitingCollaborator>> {
    let rows = app.waitlist(&caller, q.page).await?;
    Ok(ok(rows.into_iter().map(Into::into).collect()))
}
