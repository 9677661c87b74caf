//! The license waitlist (SPEC sections 10 and 11, "License waitlist"): a type configured with
//! `when_no_seat = "queue"` leaves a collaborator whose activation finds no free seat waiting
//! (see `Builder::activate`); a seat that frees goes to the oldest entry, for which C2 then runs.

use super::builder::Builder;
use super::{Ctx, NotificationKind, Plan, RuleError, Snapshot};
use crate::{PersonId, UserId};

/// A seat is free: C2 for `person`, who waits on the snapshot's record (C2 steps 1–5 with the
/// current state's task, Welcome or Welcome Back as usual); `requester`, whoever ran the action
/// that left it waiting, is told. A wait that can no longer be served — the person left the
/// field, the record is closed, or the person no longer meets the constraint — is dropped
/// instead. Refused only when no seat is free after all (`LicenseLimitExceeded`).
pub fn serve_wait(
    snap: &Snapshot<'_>,
    person: &PersonId,
    requester: &UserId,
    ctx: &mut Ctx<'_>,
) -> Result<Plan, RuleError> {
    let mut b = Builder::new(snap, ctx, "waitlist");
    let record = &snap.record;
    let still_wanted = record.collaborators.contains(person)
        && !snap.target.lifecycle.is_exit(&record.state)
        && b.check_constraint(person).is_ok();
    if !still_wanted {
        b.end_wait(person, false);
        return Ok(b.finish());
    }
    b.activate(person)?;
    if b.is_waiting(person) {
        return Err(RuleError::LicenseLimitExceeded {
            person_name: b.facts(person)?.person.display_name(),
            seats: snap.pool.seats.get(),
        });
    }
    b.assign_task(person, &record.state, None)?;
    let name = b.facts(person)?.person.display_name();
    let message = format!(
        "{name} now has access to {}: an external license seat became free",
        record.name
    );
    let args = vec![("person", name), ("record", record.name.clone())];
    b.notify(requester, NotificationKind::WaitlistServed, message, args);
    Ok(b.finish())
}

#[cfg(test)]
mod tests;
