//! Guest governance (SPEC section 11): sponsors of external access.

use portico_domain::model::UserStatus;
use portico_domain::{AssignmentId, UserId};
use portico_store::{AssignmentRow, AuditEntry, Sponsorship, SponsorshipFilter};
use serde_json::json;

use crate::reads::Page;
use crate::retry::retrying;
use crate::{now_ms, Caller, Portico, ServiceError, ServiceResult};

impl Portico {
    /// `GET /api/v1/assignments/unsponsored` (admins): Active access whose sponsor was
    /// inactivated (or was never recorded), for an admin to give it another sponsor or end it.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id))]
    pub async fn unsponsored(
        &self,
        caller: &Caller,
        page: Page,
    ) -> ServiceResult<Vec<Sponsorship>> {
        caller.require_admin()?;
        let filter = SponsorshipFilter {
            unsponsored_only: true,
            limit: page.limit,
            offset: page.offset,
            ..SponsorshipFilter::default()
        };
        Ok(self.store.read().await?.db().sponsorships(&filter).await?)
    }

    /// Active access with its sponsors (internal users), oldest first: all of it, or one
    /// record's. For the pages: who answers for whom.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id))]
    pub async fn sponsorships(
        &self,
        caller: &Caller,
        record: Option<&str>,
    ) -> ServiceResult<Vec<Sponsorship>> {
        caller.require_internal()?;
        let filter = SponsorshipFilter {
            record: record.map(str::to_string),
            limit: i64::MAX,
            ..SponsorshipFilter::default()
        };
        Ok(self.store.read().await?.db().sponsorships(&filter).await?)
    }

    /// `PUT /api/v1/assignments/{id}/sponsor` (admins): another active internal user answers
    /// for an Active assignment from now on. Audited with the sponsor before and after.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id, assignment = id))]
    pub async fn set_sponsor(
        &self,
        caller: &Caller,
        id: &str,
        sponsor: &str,
    ) -> ServiceResult<AssignmentRow> {
        caller.require_admin()?;
        retrying(|| self.set_sponsor_once(caller, id, sponsor)).await
    }

    async fn set_sponsor_once(
        &self,
        caller: &Caller,
        id: &str,
        sponsor: &str,
    ) -> ServiceResult<AssignmentRow> {
        let id = AssignmentId::new(id);
        let sponsor = UserId::new(sponsor);
        let mut tx = self.write_as(caller).await?;
        let mut db = tx.db();
        let not_found = || ServiceError::NotFound(format!("assignment {id} not found").into());
        let seen = db.assignment(&id).await?.ok_or_else(not_found)?;
        // Whoever changes a record's assignments holds the record's lock (ARCHITECTURE.md).
        db.record(&seen.object, &seen.record, true).await?;
        let before = db.assignment(&id).await?.ok_or_else(not_found)?;
        if !before.active {
            return Err(ServiceError::OperationNotAllowed(
                format!(
                "assignment {id} is Inactive: only Active access has a sponsor to answer for it"
            )
                .into(),
            ));
        }
        let user = db.user(&sponsor).await?.ok_or_else(|| {
            ServiceError::InvalidData(format!("sponsor__v: user {sponsor} not found").into())
        })?;
        if !user.security_profile.is_internal() || user.status != UserStatus::Active {
            return Err(ServiceError::InvalidData(
                format!(
                    "sponsor__v: {} is not an active internal user; only one can sponsor access",
                    user.username
                )
                .into(),
            ));
        }
        db.set_sponsor(&id, &sponsor).await?;
        // Whoever answers for the access decides it in the open reviews (who no longer does,
        // does not).
        let items = db
            .follow_review_sponsor(&before.user, before.sponsor.as_ref(), &sponsor)
            .await?;
        db.audit(&AuditEntry {
            at: now_ms(),
            actor: Some(caller.user.id.to_string()),
            action: "assignment.sponsor_changed".into(),
            object: "assignment".into(),
            object_id: id.to_string(),
            record: Some(before.record.to_string()),
            person: Some(before.person.to_string()),
            user: Some(before.user.to_string()),
            before: Some(
                json!({"sponsor__v": before.sponsor.as_ref().map(UserId::as_str)}).to_string(),
            ),
            after: Some(
                json!({"sponsor__v": sponsor.as_str(), "access_review_items": items}).to_string(),
            ),
            cause: Some("re-sponsored by an administrator".into()),
        })
        .await?;
        let after = db.assignment(&id).await?.ok_or_else(not_found)?;
        tx.commit().await?;
        Ok(after)
    }
}
