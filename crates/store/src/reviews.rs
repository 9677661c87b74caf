//! Access reviews and inactivity (SPEC section 11, "Guest governance"): the reviews, their
//! items and each item's sponsors; and when active external users last signed in.
//!
//! An item is decided once: the decision is one conditional `UPDATE … WHERE decided_at IS
//! NULL`, so of two sponsors deciding at the same moment one wins and the other is told.

use portico_domain::UserId;

use crate::rows;
use crate::{Db, Result};

/// A review as stored, with its counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewRow {
    /// Its id.
    pub id: String,
    /// The organization reviewed (none: every active external user).
    pub organization: Option<String>,
    /// That organization's name.
    pub organization_name: Option<String>,
    /// Who opened it.
    pub opened_by: String,
    /// That user's full name.
    pub opened_by_name: String,
    /// When.
    pub opened_at: i64,
    /// `YYYY-MM-DD`: on that day undecided items take the default.
    pub due_date: String,
    /// `keep` or `remove`.
    pub default_decision: String,
    /// When the sponsors of undecided items were reminded.
    pub reminded_at: Option<i64>,
    /// When its last item was decided.
    pub closed_at: Option<i64>,
    /// Its items.
    pub items: i64,
    /// Its items decided so far.
    pub decided: i64,
}

/// One item of a review: an external user, its sponsors, and the decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewItemRow {
    /// Its id.
    pub id: String,
    /// The review.
    pub review: String,
    /// The external user reviewed.
    pub user: String,
    /// Its username.
    pub username: String,
    /// Its full name.
    pub user_name: String,
    /// Its email.
    pub email: String,
    /// Its organization when the review was opened.
    pub organization: Option<String>,
    /// That organization's name.
    pub organization_name: Option<String>,
    /// The sponsors who may decide: (user id, full name).
    pub sponsors: Vec<(String, String)>,
    /// `keep` or `remove`, once decided.
    pub decision: Option<String>,
    /// Why.
    pub reason: Option<String>,
    /// Who decided (none: the default at the due date).
    pub decided_by: Option<String>,
    /// That user's full name.
    pub decided_by_name: Option<String>,
    /// When.
    pub decided_at: Option<i64>,
    /// Whether the default decided it.
    pub by_default: bool,
}

/// An item to open: the user, its organization, its sponsors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReviewItem {
    /// The item's id.
    pub id: String,
    /// The external user.
    pub user: UserId,
    /// Its organization now.
    pub organization: Option<String>,
    /// The active internal users sponsoring its Active access.
    pub sponsors: Vec<UserId>,
}

/// A decision to write.
#[derive(Debug, Clone, Copy)]
pub struct Decision<'a> {
    /// `keep` or `remove`.
    pub decision: &'a str,
    /// Why.
    pub reason: &'a str,
    /// Who (none: the default).
    pub by: Option<&'a UserId>,
    /// When.
    pub at: i64,
}

/// An active external user and when it last signed in and was last activated (its Welcome).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInRow {
    /// The user.
    pub user: UserId,
    /// Its username.
    pub username: String,
    /// Its full name.
    pub name: String,
    /// The last sign-in (`session.started` in the audit trail), if any.
    pub last_sign_in: Option<i64>,
    /// The last activation (`user.activated`, the Welcome), else when the user was made.
    pub activated_at: i64,
}

const REVIEW_SELECT: &str = "SELECT r.id, r.organization_id, o.name AS organization_name, \
     r.opened_by, ob.first_name AS ob_first, ob.last_name AS ob_last, r.opened_at, r.due_date, \
     r.default_decision, r.reminded_at, r.closed_at, \
     (SELECT COUNT(*) FROM access_review_items i WHERE i.review_id = r.id) AS items, \
     (SELECT COUNT(*) FROM access_review_items i WHERE i.review_id = r.id AND i.decided_at IS NOT NULL) AS decided \
     FROM access_reviews r LEFT JOIN organizations o ON o.id = r.organization_id \
     LEFT JOIN users ob ON ob.id = r.opened_by";

const ITEM_SELECT: &str = "SELECT i.id, i.review_id, i.user_id, u.username, u.first_name, \
     u.last_name, u.email, i.organization_id, o.name AS organization_name, i.decision, i.reason, \
     i.decided_by, d.first_name AS d_first, d.last_name AS d_last, i.decided_at, i.by_default \
     FROM access_review_items i JOIN users u ON u.id = i.user_id \
     LEFT JOIN organizations o ON o.id = i.organization_id \
     LEFT JOIN users d ON d.id = i.decided_by";

fn full_name(first: Option<String>, last: Option<String>) -> Option<String> {
    match (first, last) {
        (None, None) => None,
        (f, l) => Some(
            format!("{} {}", f.unwrap_or_default(), l.unwrap_or_default())
                .trim()
                .to_string(),
        ),
    }
}

fn review(r: &sqlx::any::AnyRow) -> Result<ReviewRow> {
    Ok(ReviewRow {
        id: rows::get(r, "id")?,
        organization: rows::get(r, "organization_id")?,
        organization_name: rows::get(r, "organization_name")?,
        opened_by: rows::get(r, "opened_by")?,
        opened_by_name: full_name(rows::get(r, "ob_first")?, rows::get(r, "ob_last")?)
            .unwrap_or_default(),
        opened_at: rows::get(r, "opened_at")?,
        due_date: rows::get(r, "due_date")?,
        default_decision: rows::get(r, "default_decision")?,
        reminded_at: rows::get(r, "reminded_at")?,
        closed_at: rows::get(r, "closed_at")?,
        items: rows::get(r, "items")?,
        decided: rows::get(r, "decided")?,
    })
}

fn item(r: &sqlx::any::AnyRow) -> Result<ReviewItemRow> {
    Ok(ReviewItemRow {
        id: rows::get(r, "id")?,
        review: rows::get(r, "review_id")?,
        user: rows::get(r, "user_id")?,
        username: rows::get(r, "username")?,
        user_name: full_name(rows::get(r, "first_name")?, rows::get(r, "last_name")?)
            .unwrap_or_default(),
        email: rows::get(r, "email")?,
        organization: rows::get(r, "organization_id")?,
        organization_name: rows::get(r, "organization_name")?,
        sponsors: vec![],
        decision: rows::get(r, "decision")?,
        reason: rows::get(r, "reason")?,
        decided_by: rows::get(r, "decided_by")?,
        decided_by_name: full_name(rows::get(r, "d_first")?, rows::get(r, "d_last")?),
        decided_at: rows::get(r, "decided_at")?,
        by_default: rows::get::<i64>(r, "by_default")? != 0,
    })
}

impl Db<'_> {
    /// The active external users (of `organization`, or all), each with its organization and
    /// the active internal users who sponsor its Active access, by user id.
    pub async fn externals_to_review(
        &mut self,
        organization: Option<&str>,
    ) -> Result<Vec<(UserId, Option<String>, Vec<UserId>)>> {
        let mut sql = "SELECT u.id AS user_id, p.organization_id, s.id AS sponsor_id FROM users u \
             LEFT JOIN persons p ON p.id = u.person_id \
             LEFT JOIN assignments a ON a.user_id = u.id AND a.activity = 'active' \
             LEFT JOIN users s ON s.id = a.sponsor_id AND s.status = 'active' \
             WHERE u.status = 'active' AND u.license = 'external'"
            .to_string();
        if organization.is_some() {
            sql.push_str(" AND p.organization_id = $1");
        }
        sql.push_str(" ORDER BY u.id, s.id");
        let mut q = sqlx::query(&sql);
        if let Some(o) = organization {
            q = q.bind(o);
        }
        let mut out: Vec<(UserId, Option<String>, Vec<UserId>)> = vec![];
        for r in q.fetch_all(&mut *self.conn).await? {
            let user = UserId::new(rows::get::<String>(&r, "user_id")?);
            let org: Option<String> = rows::get(&r, "organization_id")?;
            let sponsor: Option<String> = rows::get(&r, "sponsor_id")?;
            if out.last().map(|(u, _, _)| u) != Some(&user) {
                out.push((user, org, vec![]));
            }
            if let (Some(s), Some((_, _, sponsors))) = (sponsor, out.last_mut()) {
                let s = UserId::new(s);
                if !sponsors.contains(&s) {
                    sponsors.push(s);
                }
            }
        }
        Ok(out)
    }

    /// Writes a new review and its items.
    pub async fn insert_review(
        &mut self,
        review: &ReviewRow,
        items: &[NewReviewItem],
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO access_reviews (id, organization_id, opened_by, opened_at, due_date, default_decision) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&review.id)
        .bind(review.organization.as_deref())
        .bind(&review.opened_by)
        .bind(review.opened_at)
        .bind(&review.due_date)
        .bind(&review.default_decision)
        .execute(&mut *self.conn)
        .await?;
        for i in items {
            sqlx::query(
                "INSERT INTO access_review_items (id, review_id, user_id, organization_id) VALUES ($1, $2, $3, $4)",
            )
            .bind(&i.id)
            .bind(&review.id)
            .bind(i.user.as_str())
            .bind(i.organization.as_deref())
            .execute(&mut *self.conn)
            .await?;
            for s in &i.sponsors {
                sqlx::query(
                    "INSERT INTO access_review_sponsors (item_id, user_id) VALUES ($1, $2)",
                )
                .bind(&i.id)
                .bind(s.as_str())
                .execute(&mut *self.conn)
                .await?;
            }
        }
        Ok(())
    }

    /// Reviews, newest first.
    pub async fn reviews(&mut self, limit: i64, offset: i64) -> Result<Vec<ReviewRow>> {
        let sql = format!(
            "{REVIEW_SELECT} ORDER BY r.opened_at DESC, r.id LIMIT {} OFFSET {}",
            limit.clamp(0, 1000),
            offset.max(0)
        );
        sqlx::query(&sql)
            .fetch_all(&mut *self.conn)
            .await?
            .iter()
            .map(review)
            .collect()
    }

    /// One review.
    pub async fn review(&mut self, id: &str) -> Result<Option<ReviewRow>> {
        let row = sqlx::query(&format!("{REVIEW_SELECT} WHERE r.id = $1"))
            .bind(id)
            .fetch_optional(&mut *self.conn)
            .await?;
        row.as_ref().map(review).transpose()
    }

    /// A review's items, by the reviewed user's name, with their sponsors.
    pub async fn review_items(&mut self, review_id: &str) -> Result<Vec<ReviewItemRow>> {
        let rows = sqlx::query(&format!(
            "{ITEM_SELECT} WHERE i.review_id = $1 ORDER BY u.last_name, u.first_name, i.id"
        ))
        .bind(review_id)
        .fetch_all(&mut *self.conn)
        .await?;
        let mut items = rows.iter().map(item).collect::<Result<Vec<_>>>()?;
        self.add_sponsors(&mut items, review_id).await?;
        Ok(items)
    }

    /// One item of a review, with its sponsors.
    pub async fn review_item(
        &mut self,
        review_id: &str,
        item_id: &str,
    ) -> Result<Option<ReviewItemRow>> {
        let row = sqlx::query(&format!(
            "{ITEM_SELECT} WHERE i.review_id = $1 AND i.id = $2"
        ))
        .bind(review_id)
        .bind(item_id)
        .fetch_optional(&mut *self.conn)
        .await?;
        let mut items: Vec<ReviewItemRow> =
            row.as_ref().map(item).transpose()?.into_iter().collect();
        self.add_sponsors(&mut items, review_id).await?;
        Ok(items.pop())
    }

    async fn add_sponsors(&mut self, items: &mut [ReviewItemRow], review_id: &str) -> Result<()> {
        let rows = sqlx::query(
            "SELECT s.item_id, s.user_id, u.first_name, u.last_name FROM access_review_sponsors s \
             JOIN access_review_items i ON i.id = s.item_id JOIN users u ON u.id = s.user_id \
             WHERE i.review_id = $1 ORDER BY u.last_name, u.first_name, s.user_id",
        )
        .bind(review_id)
        .fetch_all(&mut *self.conn)
        .await?;
        for r in &rows {
            let item_id: String = rows::get(r, "item_id")?;
            let name = full_name(rows::get(r, "first_name")?, rows::get(r, "last_name")?)
                .unwrap_or_default();
            if let Some(i) = items.iter_mut().find(|i| i.id == item_id) {
                i.sponsors.push((rows::get(r, "user_id")?, name));
            }
        }
        Ok(())
    }

    /// The undecided items of open reviews that `sponsor` may decide, by due date.
    pub async fn review_items_for_sponsor(
        &mut self,
        sponsor: &UserId,
    ) -> Result<Vec<(ReviewRow, ReviewItemRow)>> {
        let ids = sqlx::query(
            "SELECT i.review_id, i.id FROM access_review_items i \
             JOIN access_review_sponsors s ON s.item_id = i.id \
             JOIN access_reviews r ON r.id = i.review_id \
             WHERE s.user_id = $1 AND i.decided_at IS NULL AND r.closed_at IS NULL \
             ORDER BY r.due_date, r.id, i.id LIMIT 1000",
        )
        .bind(sponsor.as_str())
        .fetch_all(&mut *self.conn)
        .await?;
        let mut out = vec![];
        for r in &ids {
            let review_id: String = rows::get(r, "review_id")?;
            let item_id: String = rows::get(r, "id")?;
            if let (Some(review), Some(item)) = (
                self.review(&review_id).await?,
                self.review_item(&review_id, &item_id).await?,
            ) {
                out.push((review, item));
            }
        }
        Ok(out)
    }

    /// Access of `user` re-sponsored from `old` to `new`: in the undecided items of open
    /// reviews of `user`, `new` becomes a sponsor (it answers for the access now), and `old`
    /// stops being one unless it still sponsors other Active access of `user`. Answers the
    /// items changed.
    pub async fn follow_review_sponsor(
        &mut self,
        user: &UserId,
        old: Option<&UserId>,
        new: &UserId,
    ) -> Result<Vec<String>> {
        let items: Vec<String> = sqlx::query(
            "SELECT i.id FROM access_review_items i JOIN access_reviews r ON r.id = i.review_id \
             WHERE i.user_id = $1 AND i.decided_at IS NULL AND r.closed_at IS NULL ORDER BY i.id",
        )
        .bind(user.as_str())
        .fetch_all(&mut *self.conn)
        .await?
        .iter()
        .map(|r| rows::get::<String>(r, "id"))
        .collect::<Result<_>>()?;
        let old = match old {
            Some(o) if o != new => {
                let still = sqlx::query(
                    "SELECT 1 AS one FROM assignments WHERE user_id = $1 AND sponsor_id = $2 \
                     AND activity = 'active'",
                )
                .bind(user.as_str())
                .bind(o.as_str())
                .fetch_optional(&mut *self.conn)
                .await?;
                still.is_none().then_some(o)
            }
            _ => None,
        };
        for item in &items {
            sqlx::query(
                "INSERT INTO access_review_sponsors (item_id, user_id) VALUES ($1, $2) \
                 ON CONFLICT (item_id, user_id) DO NOTHING",
            )
            .bind(item)
            .bind(new.as_str())
            .execute(&mut *self.conn)
            .await?;
            if let Some(old) = old {
                sqlx::query(
                    "DELETE FROM access_review_sponsors WHERE item_id = $1 AND user_id = $2",
                )
                .bind(item)
                .bind(old.as_str())
                .execute(&mut *self.conn)
                .await?;
            }
        }
        Ok(items)
    }

    /// Decides an undecided item: false when it was decided already (nothing changes then).
    pub async fn decide_review_item(&mut self, item_id: &str, d: Decision<'_>) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE access_review_items SET decision = $1, reason = $2, decided_by = $3, \
             decided_at = $4, by_default = $5 WHERE id = $6 AND decided_at IS NULL",
        )
        .bind(d.decision)
        .bind(d.reason)
        .bind(d.by.map(UserId::as_str))
        .bind(d.at)
        .bind(i64::from(d.by.is_none()))
        .bind(item_id)
        .execute(&mut *self.conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Closes `review_id` at `now` when none of its items is undecided; answers whether it is
    /// closed now.
    pub async fn close_review_if_done(&mut self, review_id: &str, now: i64) -> Result<bool> {
        sqlx::query(
            "UPDATE access_reviews SET closed_at = $1 WHERE id = $2 AND closed_at IS NULL \
             AND NOT EXISTS (SELECT 1 FROM access_review_items i WHERE i.review_id = $2 AND i.decided_at IS NULL)",
        )
        .bind(now)
        .bind(review_id)
        .execute(&mut *self.conn)
        .await?;
        let row = sqlx::query("SELECT closed_at FROM access_reviews WHERE id = $1")
            .bind(review_id)
            .fetch_optional(&mut *self.conn)
            .await?;
        Ok(match row {
            Some(r) => rows::get::<Option<i64>>(&r, "closed_at")?.is_some(),
            None => false,
        })
    }

    /// Open reviews due on or before `until` (`YYYY-MM-DD`) whose sponsors were not reminded.
    pub async fn reviews_to_remind(&mut self, until: &str) -> Result<Vec<String>> {
        self.review_ids(
            "SELECT id FROM access_reviews WHERE closed_at IS NULL AND reminded_at IS NULL \
             AND due_date <= $1 ORDER BY due_date, id LIMIT 200",
            until,
        )
        .await
    }

    /// Notes that a review's sponsors were reminded; false when another run did it first.
    pub async fn mark_review_reminded(&mut self, review_id: &str, now: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE access_reviews SET reminded_at = $1 WHERE id = $2 AND reminded_at IS NULL",
        )
        .bind(now)
        .bind(review_id)
        .execute(&mut *self.conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Open reviews whose due date is on or before `today`.
    pub async fn reviews_due(&mut self, today: &str) -> Result<Vec<String>> {
        self.review_ids(
            "SELECT id FROM access_reviews WHERE closed_at IS NULL AND due_date <= $1 \
             ORDER BY due_date, id LIMIT 200",
            today,
        )
        .await
    }

    async fn review_ids(&mut self, sql: &str, day: &str) -> Result<Vec<String>> {
        sqlx::query(sql)
            .bind(day)
            .fetch_all(&mut *self.conn)
            .await?
            .iter()
            .map(|r| rows::get(r, "id"))
            .collect()
    }

    /// Every active external user with its last sign-in and its last activation (Welcome),
    /// from the audit trail.
    pub async fn external_sign_ins(&mut self, only: Option<&UserId>) -> Result<Vec<SignInRow>> {
        let sql = format!(
            "SELECT u.id, u.username, u.first_name, u.last_name, u.created_at, \
             (SELECT MAX(t.at) FROM audit_trail t WHERE t.user_id = u.id AND t.action = 'session.started') AS last_sign_in, \
             (SELECT MAX(t.at) FROM audit_trail t WHERE t.user_id = u.id AND t.action = 'user.activated') AS activated_at \
             FROM users u WHERE u.status = 'active' AND u.license = 'external' {} \
             ORDER BY u.last_name, u.first_name, u.id",
            if only.is_some() { "AND u.id = $1" } else { "" }
        );
        let mut q = sqlx::query(&sql);
        if let Some(u) = only {
            q = q.bind(u.as_str());
        }
        let rows = q.fetch_all(&mut *self.conn).await?;
        rows.iter()
            .map(|r| {
                let created: i64 = rows::get(r, "created_at")?;
                Ok(SignInRow {
                    user: UserId::new(rows::get::<String>(r, "id")?),
                    username: rows::get(r, "username")?,
                    name: full_name(rows::get(r, "first_name")?, rows::get(r, "last_name")?)
                        .unwrap_or_default(),
                    last_sign_in: rows::get(r, "last_sign_in")?,
                    activated_at: rows::get::<Option<i64>>(r, "activated_at")?.unwrap_or(created),
                })
            })
            .collect()
    }

    /// The records `user` has Active assignments on, with their objects, by record id.
    pub async fn active_records_of(&mut self, user: &UserId) -> Result<Vec<(String, String)>> {
        sqlx::query(
            "SELECT DISTINCT object, record_id FROM assignments WHERE user_id = $1 AND activity = 'active' ORDER BY record_id",
        )
        .bind(user.as_str())
        .fetch_all(&mut *self.conn)
        .await?
        .iter()
        .map(|r| Ok((rows::get(r, "object")?, rows::get(r, "record_id")?)))
        .collect()
    }
}
