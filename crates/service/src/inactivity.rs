//! Inactivity (SPEC section 11, "Guest governance"): an active external user who has not
//! signed in for `PORTICO_STALE_AFTER_DAYS` since its last sign-in or, never having signed in,
//! since its Welcome is flagged (licenses page and API); with `PORTICO_STALE_INACTIVATE=true`
//! the scheduler ends its access as the exit action does (C3, Goodbye), audited with the cause
//! `inactivity`. Sign-ins and Welcomes are read from the audit trail (`session.started`,
//! `user.activated`), which keeps both forever.

use portico_domain::review::{self, Stale};
use portico_domain::UserId;

use crate::retry::retrying;
use crate::reviews::AccessEnded;
use crate::{now_ms, Caller, Portico, ServiceResult};

/// The cause of the audit entries of access ended for inactivity.
pub const INACTIVITY_CAUSE: &str = "inactivity";

/// An active external user flagged as inactive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleUser {
    /// The user.
    pub user: UserId,
    /// Its username.
    pub username: String,
    /// Its full name.
    pub name: String,
    /// Why: never signed in since its Welcome, or when it last signed in.
    pub why: Stale,
}

/// A user whose access the scheduler ended for inactivity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InactivityWork {
    /// The user.
    pub user: UserId,
    /// What ending its access did.
    pub ended: AccessEnded,
}

impl Portico {
    /// The active external users flagged as inactive now (none when
    /// `PORTICO_STALE_AFTER_DAYS` is not set).
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id))]
    pub async fn stale_externals(&self, caller: &Caller) -> ServiceResult<Vec<StaleUser>> {
        caller.require_internal()?;
        self.stale_now(None).await
    }

    async fn stale_now(&self, only: Option<&UserId>) -> ServiceResult<Vec<StaleUser>> {
        let Some(days) = self.settings.stale_after_days else {
            return Ok(vec![]);
        };
        let rows = self
            .store
            .read()
            .await?
            .db()
            .external_sign_ins(only)
            .await?;
        let now = now_ms();
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                review::stale(now, r.last_sign_in, r.activated_at, Some(days)).map(|why| {
                    StaleUser {
                        user: r.user,
                        username: r.username,
                        name: r.name,
                        why,
                    }
                })
            })
            .collect())
    }

    /// The scheduler's work on inactivity: with `PORTICO_STALE_INACTIVATE=true`, ends the
    /// access of every flagged user, each in a transaction of its own that checks again that
    /// the user is still flagged (a sign-in meanwhile keeps the access).
    pub(crate) async fn inactivity_work(
        &self,
        caller: &Caller,
    ) -> ServiceResult<(Vec<InactivityWork>, Vec<(String, String)>)> {
        let mut done = vec![];
        let mut failed = vec![];
        if !self.settings.stale_inactivate {
            return Ok((done, failed));
        }
        for stale in self.stale_now(None).await? {
            match retrying(|| self.inactivate_once(caller, &stale.user)).await {
                Ok(Some(ended)) if ended.assignments_ended > 0 => done.push(InactivityWork {
                    user: stale.user.clone(),
                    ended,
                }),
                Ok(_) => {}
                Err(e) => failed.push((stale.user.to_string(), e.to_string())),
            }
        }
        Ok((done, failed))
    }

    async fn inactivate_once(
        &self,
        caller: &Caller,
        user: &UserId,
    ) -> ServiceResult<Option<AccessEnded>> {
        let mut tx = self.write_as(caller).await?;
        let mut db = tx.db();
        let Some(days) = self.settings.stale_after_days else {
            return Ok(None);
        };
        let still = db
            .external_sign_ins(Some(user))
            .await?
            .into_iter()
            .any(|r| review::stale(now_ms(), r.last_sign_in, r.activated_at, Some(days)).is_some());
        if !still {
            return Ok(None);
        }
        let ended = self
            .end_user_access(&mut db, caller, user, INACTIVITY_CAUSE)
            .await?;
        tx.commit().await?;
        Ok(Some(ended))
    }
}
