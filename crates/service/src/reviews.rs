//! Access reviews (SPEC section 11, "Guest governance"): an administrator opens a review of
//! the active external users (of one organization, or all); each becomes an item its sponsors
//! decide, keep or remove, with a reason. `remove` ends the user's access on every record as
//! the exit action does (C3, Goodbye when it was the last), audited with the cause
//! `access review`. The scheduler reminds the sponsors of undecided items before the due date
//! and, on it, gives the undecided items the review's default.
//!
//! A decision is one transaction: the item is marked decided by a conditional `UPDATE` (of two
//! sponsors deciding at once one wins, the other is told it was decided), then the access ends;
//! a refusal or a failure anywhere leaves nothing changed.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Days, NaiveDate, Utc};
use portico_domain::collab;
use portico_domain::review::{self, ReviewDecision, ReviewError};
use portico_domain::template::{Escape, Template};
use portico_domain::{OrgId, RecordId, UserId};
use portico_store::{
    AuditEntry, Db, Decision, NewReviewItem, QueuedEmail, ReviewItemRow, ReviewRow,
};
use serde_json::json;

use crate::reads::Page;
use crate::retry::retrying;
use crate::snapshot::On;
use crate::{new_id, now_ms, Caller, Portico, ServiceError, ServiceResult};

/// The cause of the audit entries of access a review removed.
pub const REVIEW_CAUSE: &str = "access review";

/// The cause of the audit entries of review reminders.
pub const REVIEW_REMINDER_CAUSE: &str = "access review reminder";

/// A review with its items (those the caller may see).
#[derive(Debug, Clone)]
pub struct ReviewView {
    /// The review.
    pub review: ReviewRow,
    /// Its items.
    pub items: Vec<ReviewItemRow>,
}

/// What ending one user's access did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccessEnded {
    /// Assignments made Inactive.
    pub assignments_ended: usize,
    /// Whether the user was inactivated (its last access: Goodbye, a seat freed).
    pub user_inactivated: bool,
    /// Emails queued.
    pub emails: usize,
}

/// An item the default decided at the due date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefaultedItem {
    /// The review.
    pub review: String,
    /// The item.
    pub item: String,
    /// The user reviewed.
    pub user: String,
    /// The default taken.
    pub decision: String,
}

/// What the scheduler did for reviews in one run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewWork {
    /// Reviews whose sponsors were reminded, with the emails sent.
    pub reminded: Vec<(String, usize)>,
    /// Items the default decided.
    pub defaulted: Vec<DefaultedItem>,
    /// Items whose work failed, with why (tried again on the next run).
    pub failed: Vec<(String, String)>,
}

fn refused(e: ReviewError) -> ServiceError {
    match e {
        ReviewError::UnknownDecision(_)
        | ReviewError::ReasonTooLong(_)
        | ReviewError::DueOutOfRange(_) => ServiceError::InvalidData(e.to_string().into()),
        ReviewError::ReasonRequired => ServiceError::ParameterRequired(e.to_string().into()),
        ReviewError::AlreadyDecided(_) | ReviewError::Closed => {
            ServiceError::OperationNotAllowed(e.to_string().into())
        }
        ReviewError::NotASponsor => ServiceError::InsufficientAccess(e.to_string().into()),
    }
}

fn epoch_day(d: NaiveDate) -> i64 {
    (d - NaiveDate::default()).num_days()
}

fn day_text(day: i64) -> String {
    NaiveDate::default()
        .checked_add_days(Days::new(u64::try_from(day).unwrap_or(0)))
        .unwrap_or_default()
        .format("%Y-%m-%d")
        .to_string()
}

fn parse_day(s: &str) -> i64 {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map(epoch_day)
        .unwrap_or(i64::MAX)
}

/// Today, in days since the epoch (UTC).
pub(crate) fn today() -> i64 {
    epoch_day(Utc::now().date_naive())
}

impl Portico {
    /// `POST /api/v1/access-reviews` (admins): one item per active external user (of
    /// `organization`), each for its sponsors to decide by the due date.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id))]
    pub async fn open_review(
        &self,
        caller: &Caller,
        organization: Option<&str>,
        due_in_days: i64,
        default_decision: &str,
    ) -> ServiceResult<ReviewView> {
        caller.require_admin()?;
        let default = ReviewDecision::parse(default_decision)
            .map_err(|e| ServiceError::InvalidData(format!("default_decision: {e}").into()))?;
        let due = review::due_day(today(), due_in_days).map_err(refused)?;
        let now = now_ms();
        let id = new_id("arv");
        let mut tx = self.write_as(caller).await?;
        let mut db = tx.db();
        if let Some(org) = organization {
            if db.organization(&OrgId::new(org)).await?.is_none() {
                return Err(ServiceError::InvalidData(
                    format!("organization__v: organization {org} not found").into(),
                ));
            }
        }
        let items: Vec<NewReviewItem> = db
            .externals_to_review(organization)
            .await?
            .into_iter()
            .map(|(user, organization, sponsors)| NewReviewItem {
                id: new_id("ari"),
                user,
                organization,
                sponsors,
            })
            .collect();
        let row = ReviewRow {
            id: id.clone(),
            organization: organization.map(str::to_string),
            organization_name: None,
            opened_by: caller.user.id.to_string(),
            opened_by_name: String::new(),
            opened_at: now,
            due_date: day_text(due),
            default_decision: default.name().to_string(),
            reminded_at: None,
            closed_at: None,
            items: 0,
            decided: 0,
        };
        db.insert_review(&row, &items).await?;
        db.audit(&AuditEntry {
            at: now,
            actor: Some(caller.user.id.to_string()),
            action: "access_review.opened".into(),
            object: "access_review".into(),
            object_id: id.clone(),
            after: Some(
                json!({"organization__v": organization, "due_date": row.due_date,
                       "default_decision": row.default_decision, "items": items.len()})
                .to_string(),
            ),
            cause: Some("opened by an administrator".into()),
            ..AuditEntry::default()
        })
        .await?;
        // A review of nobody has nothing to decide.
        db.close_review_if_done(&id, now).await?;
        let view = read_review(&mut db, &id).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// `GET /api/v1/access-reviews` (admins): newest first.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id))]
    pub async fn reviews(&self, caller: &Caller, page: Page) -> ServiceResult<Vec<ReviewRow>> {
        caller.require_admin()?;
        Ok(self
            .store
            .read()
            .await?
            .db()
            .reviews(page.limit, page.offset)
            .await?)
    }

    /// `GET /api/v1/access-reviews/{id}`: an administrator sees every item; another internal
    /// user the items it sponsors.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id, review = id))]
    pub async fn review(&self, caller: &Caller, id: &str) -> ServiceResult<ReviewView> {
        caller.require_internal()?;
        let mut reader = self.store.read().await?;
        let mut view = read_review(&mut reader.db(), id).await?;
        if !caller.is_admin() {
            let me = caller.user.id.as_str();
            view.items
                .retain(|i| i.sponsors.iter().any(|(s, _)| s == me));
        }
        Ok(view)
    }

    /// The undecided items of open reviews the caller sponsors (its page of reviews).
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id))]
    pub async fn review_items_to_decide(
        &self,
        caller: &Caller,
    ) -> ServiceResult<Vec<(ReviewRow, ReviewItemRow)>> {
        caller.require_internal()?;
        Ok(self
            .store
            .read()
            .await?
            .db()
            .review_items_for_sponsor(&caller.user.id)
            .await?)
    }

    /// `POST /api/v1/access-reviews/{id}/items/{item}/decide`: a sponsor of the item (or an
    /// administrator) keeps or removes the access, with a reason. `remove` ends the user's
    /// access on every record (C3) in the same transaction.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id, review = review_id, item = item_id))]
    pub async fn decide_review_item(
        &self,
        caller: &Caller,
        review_id: &str,
        item_id: &str,
        decision: &str,
        reason: &str,
    ) -> ServiceResult<ReviewItemRow> {
        caller.require_internal()?;
        let decision = ReviewDecision::parse(decision).map_err(refused)?;
        let reason = review::check_reason(reason).map_err(refused)?;
        retrying(|| self.decide_once(caller, review_id, item_id, decision, &reason, false)).await
    }

    async fn decide_once(
        &self,
        caller: &Caller,
        review_id: &str,
        item_id: &str,
        decision: ReviewDecision,
        reason: &str,
        by_default: bool,
    ) -> ServiceResult<ReviewItemRow> {
        let mut tx = self.write_as(caller).await?;
        let mut db = tx.db();
        let not_found =
            || ServiceError::NotFound(format!("access review item {item_id} not found").into());
        let review = db.review(review_id).await?.ok_or_else(not_found)?;
        let item = db
            .review_item(review_id, item_id)
            .await?
            .ok_or_else(not_found)?;
        let decided = item
            .decision
            .as_deref()
            .map(ReviewDecision::parse)
            .transpose()
            .map_err(|e| ServiceError::internal("a stored decision does not parse", e))?;
        let sponsors: Vec<&str> = item.sponsors.iter().map(|(s, _)| s.as_str()).collect();
        if !by_default {
            review::may_decide(
                &caller.user.id.as_str(),
                caller.is_admin(),
                &sponsors,
                decided,
                review.closed_at.is_some(),
            )
            .map_err(refused)?;
        } else if decided.is_some() {
            return Ok(item);
        }
        let now = now_ms();
        let by = (!by_default).then_some(&caller.user.id);
        let won = db
            .decide_review_item(
                item_id,
                Decision {
                    decision: decision.name(),
                    reason,
                    by,
                    at: now,
                },
            )
            .await?;
        if !won {
            return Err(refused(ReviewError::AlreadyDecided(
                "by someone else just now".into(),
            )));
        }
        let user = UserId::new(&item.user);
        let ended = match decision {
            ReviewDecision::Remove => {
                self.end_user_access(&mut db, caller, &user, REVIEW_CAUSE)
                    .await?
            }
            ReviewDecision::Keep => AccessEnded::default(),
        };
        db.audit(&AuditEntry {
            at: now,
            actor: Some(caller.user.id.to_string()),
            action: "access_review.decided".into(),
            object: "access_review_item".into(),
            object_id: item_id.to_string(),
            user: Some(item.user.clone()),
            after: Some(
                json!({"review": review_id, "decision": decision.name(), "reason": reason,
                       "by_default": by_default, "assignments_ended": ended.assignments_ended,
                       "user_inactivated": ended.user_inactivated})
                .to_string(),
            ),
            cause: Some(if by_default {
                "access review: the default at the due date".into()
            } else {
                REVIEW_CAUSE.into()
            }),
            ..AuditEntry::default()
        })
        .await?;
        db.close_review_if_done(review_id, now).await?;
        let after = db
            .review_item(review_id, item_id)
            .await?
            .ok_or_else(not_found)?;
        tx.commit().await?;
        Ok(after)
    }

    /// Ends `user`'s Active access on every record as the exit action does (C3: tasks
    /// cancelled, assignments Inactive, Goodbye and a seat freed with the last), audited with
    /// `cause`, inside the caller's transaction. The records are locked first, in id order
    /// (ARCHITECTURE.md "Lock order"), then each is decided from what it holds.
    pub(crate) async fn end_user_access(
        &self,
        db: &mut Db<'_>,
        caller: &Caller,
        user: &UserId,
        cause: &str,
    ) -> ServiceResult<AccessEnded> {
        let records = db.active_records_of(user).await?;
        let ids: BTreeSet<RecordId> = records.iter().map(|(_, r)| RecordId::new(r)).collect();
        db.lock_records_by_id(&ids).await?;
        let mut ended = AccessEnded::default();
        for (object, id) in records {
            let target = self.target(&object)?;
            let Some((record, _, _)) = db.record(&object, &RecordId::new(&id), true).await? else {
                continue;
            };
            let on = On {
                caller,
                target,
                dry_run: false,
            };
            let (plan, _) = self
                .plan_and_apply_caused(db, on, record, &[], Some(cause), |s, c| {
                    collab::end_user_access(s, c, user)
                })
                .await?;
            ended.assignments_ended += plan.assignments_closed.len();
            ended.user_inactivated |= !plan.inactivations.is_empty();
            ended.emails += plan.emails.len();
        }
        Ok(ended)
    }

    /// The scheduler's work on reviews: reminders before the due date, the default on it.
    pub(crate) async fn review_work(&self, caller: &Caller) -> ServiceResult<ReviewWork> {
        let today = today();
        let mut work = ReviewWork::default();
        let horizon = today + i64::try_from(self.settings.review_reminder_days).unwrap_or(0);
        let to_remind = self
            .store
            .read()
            .await?
            .db()
            .reviews_to_remind(&day_text(horizon))
            .await?;
        for id in to_remind {
            match retrying(|| self.remind_once(caller, &id, today)).await {
                Ok(Some(n)) => work.reminded.push((id, n)),
                Ok(None) => {}
                Err(e) => work.failed.push((id, e.to_string())),
            }
        }
        let due = self
            .store
            .read()
            .await?
            .db()
            .reviews_due(&day_text(today))
            .await?;
        for id in due {
            let view = read_review(&mut self.store.read().await?.db(), &id).await?;
            let default = ReviewDecision::parse(&view.review.default_decision)
                .map_err(|e| ServiceError::internal("a stored default does not parse", e))?;
            for item in view.items.iter().filter(|i| i.decided_at.is_none()) {
                let reason = format!(
                    "No decision by the due date ({}): the review's default applies",
                    view.review.due_date
                );
                let done =
                    retrying(|| self.decide_once(caller, &id, &item.id, default, &reason, true))
                        .await;
                match done {
                    Ok(_) => work.defaulted.push(DefaultedItem {
                        review: id.clone(),
                        item: item.id.clone(),
                        user: item.user.clone(),
                        decision: default.name().to_string(),
                    }),
                    Err(e) => work.failed.push((item.id.clone(), e.to_string())),
                }
            }
            let mut tx = self.store.write().await?;
            tx.db().close_review_if_done(&id, now_ms()).await?;
            tx.commit().await?;
        }
        Ok(work)
    }

    /// Reminds the sponsors of a review's undecided items, once: one email to each sponsor,
    /// with how many users wait for its decision. `None` when nothing was due.
    async fn remind_once(
        &self,
        caller: &Caller,
        review_id: &str,
        today: i64,
    ) -> ServiceResult<Option<usize>> {
        let mut tx = self.write_as(caller).await?;
        let mut db = tx.db();
        let view = read_review(&mut db, review_id).await?;
        let due = parse_day(&view.review.due_date);
        let days = i64::try_from(self.settings.review_reminder_days).unwrap_or(0);
        if view.review.closed_at.is_some() || !review::reminder_due(today, due, days) {
            return Ok(None);
        }
        if !db.mark_review_reminded(review_id, now_ms()).await? {
            return Ok(None);
        }
        let mut waiting: BTreeMap<String, usize> = BTreeMap::new();
        for item in view.items.iter().filter(|i| i.decided_at.is_none()) {
            for (sponsor, _) in &item.sponsors {
                *waiting.entry(sponsor.clone()).or_default() += 1;
            }
        }
        let now = now_ms();
        let mut sent = 0;
        for (sponsor, count) in &waiting {
            let Some(user) = db.user(&UserId::new(sponsor)).await? else {
                continue;
            };
            let email = self.review_reminder_email(&user, *count, &view.review)?;
            db.queue_email(&email, now).await?;
            db.audit(&AuditEntry {
                at: now,
                actor: Some(caller.user.id.to_string()),
                action: "access_review.reminded".into(),
                object: "access_review".into(),
                object_id: review_id.to_string(),
                user: Some(sponsor.clone()),
                after: Some(
                    json!({"undecided": count, "due_date": view.review.due_date}).to_string(),
                ),
                cause: Some(REVIEW_REMINDER_CAUSE.into()),
                ..AuditEntry::default()
            })
            .await?;
            sent += 1;
        }
        tx.commit().await?;
        Ok(Some(sent))
    }

    fn review_reminder_email(
        &self,
        user: &portico_domain::model::User,
        count: usize,
        review: &ReviewRow,
    ) -> ServiceResult<QueuedEmail> {
        let (subject, body) =
            reminder_template(&self.settings.review_reminder_template).map_err(|e| {
                ServiceError::internal("the review reminder template does not parse", e)
            })?;
        let mut values = BTreeMap::new();
        values.insert("firstName".to_string(), user.first_name.clone());
        values.insert("lastName".to_string(), user.last_name.clone());
        values.insert("vaultName".to_string(), self.config.vault_name.clone());
        values.insert("undecidedCount".to_string(), count.to_string());
        values.insert("dueDate".to_string(), plain_day(&review.due_date));
        values.insert(
            "defaultDecision".to_string(),
            if review.default_decision == "remove" {
                "their access ends".to_string()
            } else {
                "their access stays".to_string()
            },
        );
        values.insert(
            "reviewUrl".to_string(),
            format!("{}/reviews", self.settings.public_url.trim_end_matches('/')),
        );
        let subject = subject.render(&values, Escape::None);
        Ok(QueuedEmail {
            id: new_id("eml"),
            to: user.email.to_string(),
            user_id: Some(user.id.to_string()),
            record_id: None,
            template: "portico_access_review_reminder".into(),
            subject: subject.lines().next().unwrap_or_default().to_string(),
            body: body.render(&values, Escape::None),
            html: Some(body.render_html_document(&values)),
            secrets: vec![],
        })
    }
}

/// The default text of the review reminder (`PORTICO_REVIEW_REMINDER_SUBJECT` and
/// `PORTICO_REVIEW_REMINDER_BODY` replace it): subject and body, with the tokens
/// `${firstName}`, `${lastName}`, `${vaultName}`, `${undecidedCount}`, `${dueDate}`,
/// `${defaultDecision}` and `${reviewUrl}`.
pub fn default_review_reminder() -> (String, String) {
    (
        "${vaultName}: ${undecidedCount} external users wait for your access review".into(),
        "Hello ${firstName},\n\nYou sponsor the access of ${undecidedCount} external users under review.\n\
         Please decide for each whether the access stays, by ${dueDate}:\n${reviewUrl}\n\n\
         Without a decision by then, ${defaultDecision}.\n"
            .into(),
    )
}

/// The tokens a review reminder may use besides `${firstName}`, `${lastName}`, `${vaultName}`.
const REMINDER_TOKENS: [&str; 4] = ["undecidedCount", "dueDate", "defaultDecision", "reviewUrl"];

/// The reminder's subject and body, parsed: checked when the server starts.
pub fn reminder_template(t: &(String, String)) -> Result<(Template, Template), String> {
    if t.0.trim().is_empty() || t.0.contains('\n') {
        return Err("the subject must be one line of text".into());
    }
    let part = |name: &str, src: &str| {
        Template::parse(src, &REMINDER_TOKENS).map_err(|e| format!("the {name}: {}", e.message))
    };
    Ok((part("subject", &t.0)?, part("body", &t.1)?))
}

/// A `YYYY-MM-DD` date in words, e.g. "3 March 2027".
pub(crate) fn plain_day(day: &str) -> String {
    NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .map(|d| d.format("%-d %B %Y").to_string())
        .unwrap_or_else(|_| day.to_string())
}

async fn read_review(db: &mut Db<'_>, id: &str) -> ServiceResult<ReviewView> {
    let review = db
        .review(id)
        .await?
        .ok_or_else(|| ServiceError::NotFound(format!("access review {id} not found").into()))?;
    let items = db.review_items(id).await?;
    Ok(ReviewView { review, items })
}
