//! What the collaboration rules decide from, loaded for many records at once: a bulk action
//! reads the facts of 500 records in a dozen statements instead of a dozen per record.

use std::collections::{BTreeMap, BTreeSet};

use portico_domain::collab::OpenTask;
use portico_domain::model::{Person, Record, User};
use portico_domain::{AssignmentId, ChecklistId, PersonId, RecordId, TaskId, UserId};

use crate::batch::{strs, Sql, IN_CHUNK, V};
use crate::records::EXTERNAL_COLLABORATOR_ROLE;
use crate::rows::{self, USER_COLS};
use crate::{Backend, Db, Result};

/// An Active assignment on one of the records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveAssignment {
    /// The assignment.
    pub id: AssignmentId,
    /// Its user.
    pub user: UserId,
}

/// The per-record facts of many records.
#[derive(Debug, Clone, Default)]
pub struct RecordsFacts {
    /// Active assignments by record and person.
    pub active: BTreeMap<RecordId, BTreeMap<PersonId, ActiveAssignment>>,
    /// External Collaborator role holders by record.
    pub holders: BTreeMap<RecordId, BTreeSet<UserId>>,
    /// Open tasks by record and assignee.
    pub open_tasks: BTreeMap<(RecordId, UserId), Vec<OpenTask>>,
    /// Open checklists by record and assignee.
    pub open_checklists: BTreeMap<(RecordId, PersonId), Vec<ChecklistId>>,
}

/// `… WHERE record_id IN (…)` heads of the lookups below, named for the query-plan test.
pub(crate) const ACTIVE_ON_RECORDS: &str =
    "SELECT record_id, id, person_id, user_id FROM assignments WHERE activity = 'active' AND record_id";
pub(crate) const HOLDERS_ON_RECORDS: &str =
    "SELECT record_id, user_id FROM sharing WHERE role = {} AND record_id";
pub(crate) const OPEN_TASKS_ON_RECORDS: &str =
    "SELECT record_id, assignee_id, id, state FROM tasks WHERE status = 'open' AND record_id";
pub(crate) const OPEN_CHECKLISTS_ON_RECORDS: &str =
    "SELECT record_id, assignee_person_id, id FROM checklists WHERE status = 'open' AND record_id";
pub(crate) const ACTIVE_COUNTS_OF_USERS: &str =
    "SELECT user_id, COUNT(*) AS n FROM assignments WHERE activity = 'active' AND user_id";
pub(crate) const UNLINKED_USERS_BY_EMAIL: &str = "SELECT {USER_COLS} FROM users WHERE email";
/// What follows the email list of [`UNLINKED_USERS_BY_EMAIL`]: not linked, and an
/// external-license user — C2 step 1 never links a person to an internal account, whatever
/// details someone gave the person.
pub(crate) const UNLINKED_USERS_TAIL: &str =
    " AND COALESCE(person_id, '') = '' AND license = 'external' ORDER BY created_at, id";

/// The statement of [`Db::persons_concerned`] for some records.
pub(crate) fn concerned_persons_sql(backend: Backend, records: &[&str]) -> Sql {
    let ids = || records.iter().map(|id| V::t(*id));
    let mut sql = Sql::new(
        backend,
        "SELECT person_id FROM assignments WHERE activity = 'active' AND record_id IN (",
    );
    sql.list(ids())
        .push(
            ") UNION SELECT u.person_id FROM sharing s JOIN users u ON u.id = s.user_id \
             WHERE s.role = ",
        )
        .bind(V::t(EXTERNAL_COLLABORATOR_ROLE))
        .push(" AND s.record_id IN (")
        .list(ids())
        .push(
            ") AND u.person_id IS NOT NULL \
             UNION SELECT u.person_id FROM tasks t JOIN users u ON u.id = t.assignee_id \
             WHERE t.status = 'open' AND t.record_id IN (",
        )
        .list(ids())
        .push(") AND u.person_id IS NOT NULL");
    sql
}

impl Db<'_> {
    /// The records of `object` among `ids` that exist and are not deleted, locked in id order,
    /// with their collaborators.
    pub async fn lock_records(
        &mut self,
        object: &str,
        ids: &[RecordId],
    ) -> Result<BTreeMap<RecordId, Record>> {
        let mut sorted = ids.to_vec();
        sorted.sort();
        sorted.dedup();
        let head = format!(
            "SELECT {} FROM records WHERE object = {{}} AND deleted = 0 AND id",
            crate::records::RECORD_COLS
        );
        let tail = format!(" ORDER BY id{}", self.backend.for_update());
        let found = self
            .fetch_in(&head, &[V::t(object)], &strs(&sorted), &tail)
            .await?;
        let mut out = BTreeMap::new();
        for row in &found {
            let (record, _, _) = crate::records::record_row(row)?;
            out.insert(record.id.clone(), record);
        }
        Ok(out)
    }

    /// Locks records by id, whatever their object, in id order (a user change locks the
    /// records it touches before the user: the one lock order).
    pub async fn lock_records_by_id(&mut self, ids: &BTreeSet<RecordId>) -> Result<()> {
        let ids: Vec<&str> = ids.iter().map(RecordId::as_str).collect();
        self.lock_rows("records", "id", &ids, |_| Ok(())).await?;
        Ok(())
    }

    /// Assignments, role holders, open tasks and open checklists of `records`.
    pub async fn records_facts(&mut self, records: &[RecordId]) -> Result<RecordsFacts> {
        let ids = strs(records);
        let mut facts = RecordsFacts::default();
        for r in self.fetch_in(ACTIVE_ON_RECORDS, &[], &ids, "").await? {
            facts
                .active
                .entry(RecordId::new(rows::get::<String>(&r, "record_id")?))
                .or_default()
                .insert(
                    PersonId::new(rows::get::<String>(&r, "person_id")?),
                    ActiveAssignment {
                        id: AssignmentId::new(rows::get::<String>(&r, "id")?),
                        user: UserId::new(rows::get::<String>(&r, "user_id")?),
                    },
                );
        }
        let role = [V::t(EXTERNAL_COLLABORATOR_ROLE)];
        for r in self.fetch_in(HOLDERS_ON_RECORDS, &role, &ids, "").await? {
            facts
                .holders
                .entry(RecordId::new(rows::get::<String>(&r, "record_id")?))
                .or_default()
                .insert(UserId::new(rows::get::<String>(&r, "user_id")?));
        }
        for r in self
            .fetch_in(OPEN_TASKS_ON_RECORDS, &[], &ids, " ORDER BY id")
            .await?
        {
            facts
                .open_tasks
                .entry((
                    RecordId::new(rows::get::<String>(&r, "record_id")?),
                    UserId::new(rows::get::<String>(&r, "assignee_id")?),
                ))
                .or_default()
                .push(OpenTask {
                    id: TaskId::new(rows::get::<String>(&r, "id")?),
                    state: rows::get(&r, "state")?,
                });
        }
        for r in self
            .fetch_in(OPEN_CHECKLISTS_ON_RECORDS, &[], &ids, " ORDER BY id")
            .await?
        {
            let Some(person) = rows::get::<Option<String>>(&r, "assignee_person_id")? else {
                continue;
            };
            facts
                .open_checklists
                .entry((
                    RecordId::new(rows::get::<String>(&r, "record_id")?),
                    PersonId::new(person),
                ))
                .or_default()
                .push(ChecklistId::new(rows::get::<String>(&r, "id")?));
        }
        Ok(facts)
    }

    /// The persons an action on `records` concerns besides their collaborators: those of
    /// their Active assignments, role holders and open tasks. Read before the persons are
    /// locked (to know which to lock); the records must be locked already, so that no one can
    /// change these meanwhile.
    pub async fn persons_concerned(&mut self, records: &[RecordId]) -> Result<BTreeSet<PersonId>> {
        let mut out = BTreeSet::new();
        // Three lists of the ids per statement.
        for chunk in records.chunks(IN_CHUNK / 3) {
            let sql = concerned_persons_sql(self.backend, &strs(chunk));
            for r in sql.fetch_all(self).await? {
                out.insert(PersonId::new(rows::get::<String>(&r, "person_id")?));
            }
        }
        Ok(out)
    }

    /// Active assignments per user, on any record.
    pub async fn active_assignment_counts(
        &mut self,
        users: &[UserId],
    ) -> Result<BTreeMap<UserId, u32>> {
        let mut out = BTreeMap::new();
        for r in self
            .fetch_in(
                ACTIVE_COUNTS_OF_USERS,
                &[],
                &strs(users),
                " GROUP BY user_id",
            )
            .await?
        {
            out.insert(
                UserId::new(rows::get::<String>(&r, "user_id")?),
                u32::try_from(rows::get::<i64>(&r, "n")?).unwrap_or(u32::MAX),
            );
        }
        Ok(out)
    }

    /// For each person without a user: the oldest user with exactly its details and no person
    /// (C2 step 1), as [`Db::matching_user`] finds it one by one. Not locked: lock what is used.
    pub async fn matching_users(
        &mut self,
        persons: &[&Person],
    ) -> Result<BTreeMap<PersonId, User>> {
        let emails: BTreeSet<&str> = persons.iter().map(|p| p.email.as_str()).collect();
        let emails: Vec<&str> = emails.into_iter().collect();
        let head = UNLINKED_USERS_BY_EMAIL.replace("{USER_COLS}", USER_COLS);
        let found = self
            .fetch_in(&head, &[], &emails, UNLINKED_USERS_TAIL)
            .await?;
        let users: Vec<User> = found.iter().map(rows::user).collect::<Result<_>>()?;
        let mut out = BTreeMap::new();
        for p in persons {
            if let Some(u) = users.iter().find(|u| {
                u.email.as_str() == p.email.as_str()
                    && u.first_name == p.first_name
                    && u.last_name == p.last_name
            }) {
                out.insert(p.id.clone(), u.clone());
            }
        }
        Ok(out)
    }

    /// Usernames in use (lower-cased: usernames are unique whatever their case) that a new
    /// user with any of `bases` could otherwise get: each base itself and `base.<n>`.
    pub async fn usernames_like_any(&mut self, bases: &[String]) -> Result<BTreeSet<String>> {
        let mut out = BTreeSet::new();
        for chunk in bases.chunks(300) {
            let mut sql = crate::batch::Sql::new(
                self.backend,
                "SELECT lower(username) AS username FROM users WHERE ",
            );
            for (i, base) in chunk.iter().enumerate() {
                sql.push(if i == 0 {
                    "lower(username) = "
                } else {
                    " OR lower(username) = "
                })
                .bind(V::t(base.as_str()))
                .push(" OR (lower(username) > ")
                .bind(V::T(format!("{base}.")))
                .push(" AND lower(username) < ")
                .bind(V::T(format!("{base}/")))
                .push(")");
            }
            for r in sql.fetch_all(self).await? {
                out.insert(rows::get::<String>(&r, "username")?);
            }
        }
        Ok(out)
    }
}
