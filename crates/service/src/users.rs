//! Users and the external license pool, as administrators manage them.

use std::collections::BTreeSet;

use portico_domain::collab::{self, Ctx, ManagedFacts, StatusChange};
use portico_domain::model::{User, UserStatus};
use portico_domain::{RecordId, SeatCount, UserId};
use portico_store::{AuditEntry, Db, UserFilter};
use serde_json::json;

use crate::reads::Page;
use crate::retry::retrying;
use crate::{now_ms, Caller, Portico, ServiceError, ServiceResult, UuidIds};

/// A change to a user (`PATCH /api/v1/users/{id}`).
#[derive(Debug, Clone, Default)]
pub struct UserPatch {
    /// `status__v`
    pub status: Option<UserStatus>,
    /// `managed_by_qms_automation__v`
    pub managed: Option<bool>,
}

/// A new internal user (`POST /api/v1/users`).
#[derive(Debug, Clone, Default)]
pub struct NewUserInput {
    /// `username__v`
    pub username: Option<String>,
    /// `first_name__v`
    pub first_name: Option<String>,
    /// `last_name__v`
    pub last_name: Option<String>,
    /// `email__v`
    pub email: Option<String>,
    /// `security_profile__v` (default `internal_user`)
    pub security_profile: Option<String>,
    /// Its first password.
    pub password: Option<String>,
}

/// Seats used by one organization's people.
#[derive(Debug, Clone)]
pub struct OrgUsage {
    /// The organization's id (none: users without one).
    pub organization: Option<String>,
    /// Its name.
    pub name: Option<String>,
    /// Active external users.
    pub active: i64,
}

/// `GET /api/v1/licenses`.
#[derive(Debug, Clone)]
pub struct LicenseUsage {
    /// Seats sold.
    pub seats: u32,
    /// Active external users.
    pub active: u32,
    /// Seats free.
    pub available: u32,
    /// Active external users by organization.
    pub by_organization: Vec<OrgUsage>,
}

fn user_state_json(u: &User) -> String {
    json!({"status__v": if u.is_active() { "active__v" } else { "inactive__v" },
           "managed_by_qms_automation__v": u.managed})
    .to_string()
}

impl Portico {
    /// `GET /api/v1/users`: internal users; an external collaborator sees only itself.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id))]
    pub async fn users(
        &self,
        caller: &Caller,
        mut filter: UserFilter,
        page: Page,
    ) -> ServiceResult<Vec<User>> {
        filter.limit = page.limit;
        filter.offset = page.offset;
        let users = self.store.read().await?.db().users(&filter).await?;
        if caller.is_internal() {
            Ok(users)
        } else {
            Ok(users
                .into_iter()
                .filter(|u| u.id == caller.user.id)
                .collect())
        }
    }

    /// `GET /api/v1/users/{id}`.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id, id = id))]
    pub async fn user(&self, caller: &Caller, id: &str) -> ServiceResult<User> {
        if !caller.is_internal() && caller.user.id.as_str() != id {
            return Err(ServiceError::NotFound(
                format!("user {id} not found").into(),
            ));
        }
        self.store
            .read()
            .await?
            .db()
            .user(&UserId::new(id))
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("user {id} not found").into()))
    }

    /// `PATCH /api/v1/users/{id}` (admins): the managed flag first, then the status, each with
    /// the rules of `collab::change_managed` and `collab::change_status`, in one transaction.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id, id = id))]
    pub async fn update_user(
        &self,
        caller: &Caller,
        id: &str,
        patch: UserPatch,
    ) -> ServiceResult<User> {
        caller.require_admin()?;
        let id = UserId::new(id);
        retrying(|| self.update_user_once(caller, &id, patch.clone())).await
    }

    async fn update_user_once(
        &self,
        caller: &Caller,
        id: &UserId,
        patch: UserPatch,
    ) -> ServiceResult<User> {
        let mut tx = self.write_as(caller).await?;
        let mut db = tx.db();
        let (before, touched) = self.lock_for_user_change(&mut db, id).await?;
        let now = now_ms();
        let mut user = before.clone();
        if let Some(managed) = patch.managed {
            user = self
                .change_managed(&mut db, caller, user, &touched, managed, now)
                .await?;
        }
        if let Some(status) = patch.status {
            let pool = db.pool_for(1).await?;
            let change = collab::change_status(&user, status, pool)?;
            apply_status(&mut db, &user.id, change).await?;
            if change != StatusChange::None {
                user.status = status;
            }
        }
        // A seat freed by hand goes to the oldest waiting collaborator, in this transaction.
        self.serve_waitlist(&mut db, caller).await?;
        db.audit(&AuditEntry {
            at: now,
            actor: Some(caller.user.id.to_string()),
            action: "user.updated".into(),
            object: "user".into(),
            object_id: id.to_string(),
            user: Some(id.to_string()),
            person: user.person.as_ref().map(ToString::to_string),
            before: Some(user_state_json(&before)),
            after: Some(user_state_json(&user)),
            cause: Some("changed by an administrator".into()),
            ..AuditEntry::default()
        })
        .await?;
        tx.commit().await?;
        Ok(user)
    }

    /// Locks what a change of user `id` may touch, in the one lock order of every write
    /// (ARCHITECTURE.md "Lock order"): the records it has Active assignments on or collaborates
    /// on in an open state, then its person, then the user; and reads those facts again under
    /// the locks. Which records those are is known only by reading first: if the locks show
    /// that the user, its person or its records changed meanwhile, the change answers a
    /// conflict and runs again from the start (taking the new records' locks late instead
    /// could deadlock).
    async fn lock_for_user_change(
        &self,
        db: &mut Db<'_>,
        id: &UserId,
    ) -> ServiceResult<(User, Touched)> {
        let seen = db
            .user(id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("user {id} not found").into()))?;
        let seen_touched = self.touched(db, &seen).await?;
        let records = seen_touched.records();
        db.lock_records_by_id(&records).await?;
        if let Some(person) = &seen.person {
            db.lock_persons(std::slice::from_ref(person)).await?;
        }
        let user = lock_user(db, id).await?;
        if user.person != seen.person {
            return Err(ServiceError::Conflict("user linked meanwhile".into()));
        }
        let touched = self.touched(db, &user).await?;
        if !touched.records().is_subset(&records) {
            return Err(ServiceError::Conflict(
                "user's records changed meanwhile".into(),
            ));
        }
        Ok((user, touched))
    }

    /// The records a change of `user`'s managed flag may open or close assignments on.
    async fn touched(&self, db: &mut Db<'_>, user: &User) -> ServiceResult<Touched> {
        let active = db
            .assignments(&portico_store::AssignmentFilter {
                user: Some(user.id.to_string()),
                active: Some(true),
                limit: i64::MAX,
                ..Default::default()
            })
            .await?;
        let mut open_collaborations = vec![];
        if let Some(person) = &user.person {
            for target in &self.config.types {
                let states = target.lifecycle.open_states();
                for record in db
                    .untracked_collaborations(person, &target.object, &states)
                    .await?
                {
                    open_collaborations.push((record, target.object.clone()));
                }
            }
        }
        Ok(Touched {
            active,
            open_collaborations,
        })
    }

    async fn change_managed(
        &self,
        db: &mut Db<'_>,
        caller: &Caller,
        mut user: User,
        touched: &Touched,
        managed: bool,
        now: i64,
    ) -> ServiceResult<User> {
        let open_collaborations = &touched.open_collaborations;
        let facts = ManagedFacts {
            user: user.clone(),
            active_assignments: touched.active.iter().map(|a| a.id.clone()).collect(),
            open_collaborations: open_collaborations.iter().map(|(r, _)| r.clone()).collect(),
            pool: db.pool_for(1).await?,
        };
        let mut ids = UuidIds;
        let mut ctx = Ctx {
            actor: caller.user.id.clone(),
            now_ms: now,
            ids: &mut ids,
        };
        let change = collab::change_managed(&facts, managed, &mut ctx)?;
        for a in &change.close {
            db.close_assignment(a, now).await?;
        }
        for (id, record, person) in &change.open {
            let object = open_collaborations
                .iter()
                .find(|(r, _)| r == record)
                .map(|(_, o)| o.as_str())
                .unwrap_or_default();
            db.open_assignment(id, object, record, person, &user.id, (&caller.user.id, now))
                .await?;
            db.grant_role(record, &user.id, &caller.user.id, now)
                .await?;
        }
        db.set_user_managed(&user.id, managed).await?;
        apply_status(db, &user.id, change.status).await?;
        user.managed = managed;
        match change.status {
            StatusChange::Activate { .. } => user.status = UserStatus::Active,
            StatusChange::Inactivate { .. } => user.status = UserStatus::Inactive,
            StatusChange::None => {}
        }
        Ok(user)
    }

    /// `GET /api/v1/licenses`.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id))]
    pub async fn licenses(&self, caller: &Caller) -> ServiceResult<LicenseUsage> {
        caller.require_internal()?;
        let mut reader = self.store.read().await?;
        let mut db = reader.db();
        let pool = db.pool().await?;
        let by_organization = db
            .active_by_organization()
            .await?
            .into_iter()
            .map(|(organization, name, active)| OrgUsage {
                organization,
                name,
                active,
            })
            .collect();
        Ok(LicenseUsage {
            seats: pool.seats.get(),
            active: pool.active,
            available: pool.available(),
            by_organization,
        })
    }

    /// `PUT /api/v1/licenses` (admins): a bundle size, never below the active users.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id, seats = seats))]
    pub async fn set_seats(&self, caller: &Caller, seats: i64) -> ServiceResult<LicenseUsage> {
        caller.require_admin()?;
        let seats =
            SeatCount::parse(seats).map_err(|e| ServiceError::InvalidData(e.to_string().into()))?;
        retrying(|| self.set_seats_once(caller, seats)).await?;
        self.licenses(caller).await
    }

    async fn set_seats_once(&self, caller: &Caller, seats: SeatCount) -> ServiceResult<()> {
        let mut tx = self.write_as(caller).await?;
        let mut db = tx.db();
        let before = db.pool().await?;
        if let Err(e) = before.resize(seats) {
            return Err(ServiceError::OperationNotAllowed(e.to_string().into()));
        }
        if !db.set_seats(seats).await? {
            return Err(ServiceError::OperationNotAllowed(
                format!(
                    "cannot lower the external seats to {seats}: more external users are active"
                )
                .into(),
            ));
        }
        // Seats bought go to whoever waits for one first.
        self.serve_waitlist(&mut db, caller).await?;
        db.audit(&AuditEntry {
            at: now_ms(),
            actor: Some(caller.user.id.to_string()),
            action: "licenses.seats_changed".into(),
            object: "license_pool".into(),
            object_id: "external".into(),
            before: Some(json!({"external_seats": before.seats.get()}).to_string()),
            after: Some(json!({"external_seats": seats.get()}).to_string()),
            ..AuditEntry::default()
        })
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

async fn lock_user(db: &mut Db<'_>, id: &UserId) -> ServiceResult<User> {
    db.lock_users(std::slice::from_ref(id))
        .await?
        .pop()
        .ok_or_else(|| ServiceError::NotFound(format!("user {id} not found").into()))
}

/// What a change of a user's managed flag may touch: its Active assignments, and the records
/// in an open state naming its person without one (with their objects).
struct Touched {
    active: Vec<portico_store::AssignmentRow>,
    open_collaborations: Vec<(RecordId, String)>,
}

impl Touched {
    fn records(&self) -> BTreeSet<RecordId> {
        self.active
            .iter()
            .map(|a| a.record.clone())
            .chain(self.open_collaborations.iter().map(|(r, _)| r.clone()))
            .collect()
    }
}

/// Writes a status change with its seat: the one seat check every path shares.
pub(crate) async fn apply_status(
    db: &mut Db<'_>,
    user: &UserId,
    change: StatusChange,
) -> ServiceResult<()> {
    match change {
        StatusChange::None => {}
        StatusChange::Activate { takes_seat } => {
            if takes_seat {
                db.take_seats(std::slice::from_ref(user)).await?;
            }
            db.set_user_status(user, UserStatus::Active).await?;
        }
        StatusChange::Inactivate { frees_seat } => {
            if frees_seat {
                db.free_seats(std::slice::from_ref(user)).await?;
            }
            db.set_user_status(user, UserStatus::Inactive).await?;
            db.delete_sessions_of(user).await?;
        }
    }
    Ok(())
}

impl Portico {
    /// A user by username, without a caller: for start-up tasks such as the demo, never for
    /// requests.
    #[tracing::instrument(skip_all, fields(username = username))]
    pub async fn users_unchecked_by_username(&self, username: &str) -> ServiceResult<Option<User>> {
        Ok(self
            .store
            .read()
            .await?
            .db()
            .user_for_login(username)
            .await?
            .map(|row| row.user))
    }
}

impl Portico {
    /// `POST /api/v1/users` (admins): an internal user with a password. External users are
    /// made by automation (C2), not by hand.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id))]
    pub async fn create_user(&self, caller: &Caller, input: NewUserInput) -> ServiceResult<User> {
        caller.require_admin()?;
        let need = |v: Option<String>, name: &str| {
            v.ok_or_else(|| ServiceError::ParameterRequired(format!("{name} is required").into()))
        };
        let username = crate::directory::required_text(
            Some(&need(input.username, "username__v")?),
            "username__v",
        )?;
        let first = crate::directory::required_text(
            Some(&need(input.first_name, "first_name__v")?),
            "first_name__v",
        )?;
        let last = crate::directory::required_text(
            Some(&need(input.last_name, "last_name__v")?),
            "last_name__v",
        )?;
        let email = need(input.email, "email__v")?;
        let password = need(input.password, "password")?;
        let profile = input
            .security_profile
            .unwrap_or_else(|| "internal_user".into());
        let profile = portico_domain::model::SecurityProfile::parse(&profile)
            .filter(|p| p.is_internal())
            .ok_or_else(|| {
                ServiceError::InvalidData(format!(
                    "security_profile__v '{profile}' is not system_admin, vault_owner or internal_user; external users are made by automation"
                ).into())
            })?;
        self.create_internal_user(&username, &first, &last, &email, profile, &password)
            .await
    }
}

/// Seats in use on one day (`GET /api/v1/licenses/history`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeatUsageDay {
    /// The day (UTC).
    pub date: chrono::NaiveDate,
    /// In use at the end of the day (now, for today).
    pub active: i64,
    /// The most in use that day.
    pub peak: i64,
    /// The pool's size.
    pub seats: i64,
}

/// The longest history one request may ask for.
pub const HISTORY_MAX_DAYS: i64 = 366;

impl Portico {
    /// `GET /api/v1/licenses/history` (internal users): seats in use per day from `from` to
    /// `to` (`YYYY-MM-DD`; default the 30 days up to today), with the pool's size. A day
    /// without a change has the count the last change left; days before the history began
    /// are left out.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id))]
    pub async fn seat_history(
        &self,
        caller: &Caller,
        from: Option<&str>,
        to: Option<&str>,
    ) -> ServiceResult<Vec<SeatUsageDay>> {
        caller.require_internal()?;
        let date = |name: &str, text: &str| {
            chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
                ServiceError::InvalidData(
                    format!("{name}: '{text}' is not a date; write it as YYYY-MM-DD").into(),
                )
            })
        };
        let today = chrono::Utc::now().date_naive();
        let to = to.map(|t| date("to", t)).transpose()?.unwrap_or(today);
        let from = match from {
            Some(f) => date("from", f)?,
            None => to - chrono::Duration::days(29),
        };
        let span = (to - from).num_days();
        if span < 0 {
            return Err(ServiceError::InvalidData(
                format!("from ({from}) is after to ({to})").into(),
            ));
        }
        if span >= HISTORY_MAX_DAYS {
            return Err(ServiceError::InvalidData(
                format!(
                    "at most {HISTORY_MAX_DAYS} days at once (asked for {})",
                    span + 1
                )
                .into(),
            ));
        }
        let epoch = chrono::NaiveDate::default();
        let day_of = |d: chrono::NaiveDate| (d - epoch).num_days();
        let lines = self
            .store
            .read()
            .await?
            .db()
            .seat_history(day_of(from), day_of(to.min(today)))
            .await?;
        let mut out = Vec::new();
        let mut last: Option<&portico_store::SeatDay> = None;
        let mut next = lines.iter().peekable();
        let mut d = from;
        while d <= to.min(today) {
            let n = day_of(d);
            let mut changed = false;
            while let Some(line) = next.next_if(|l| l.day <= n) {
                changed = line.day == n;
                last = Some(line);
            }
            if let Some(l) = last {
                out.push(SeatUsageDay {
                    date: d,
                    active: l.active,
                    // A day without a change peaked at what it held all day.
                    peak: if changed { l.peak } else { l.active },
                    seats: l.seats,
                });
            }
            d += chrono::Duration::days(1);
        }
        Ok(out)
    }
}
