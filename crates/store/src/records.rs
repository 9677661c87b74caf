//! Records of the target objects, their collaborators, sharing settings and assignments.

use portico_domain::model::Record;
use portico_domain::{AssignmentId, OrgId, PersonId, RecordId, UserId};
use sqlx::any::AnyRow;

use crate::batch::{Sql, V};
use crate::rows;
use crate::{Backend, Db, Result};

/// The columns of an assignment row, in this order.
pub(crate) const ASSIGNMENT_COLS: &[&str] = &[
    "id",
    "object",
    "record_id",
    "person_id",
    "user_id",
    "activity",
    "activated_at",
    "inactivated_at",
    "sponsor_id",
];

/// The columns of a sharing row, in this order.
pub(crate) const SHARING_COLS: &[&str] =
    &["record_id", "role", "user_id", "granted_at", "granted_by"];

/// The one application role of SPEC section 1.
pub const EXTERNAL_COLLABORATOR_ROLE: &str = "external_collaborator__v";

/// The columns [`record_row`] reads. `collaborators` is the record's collaborators in order,
/// kept in its own row beside `record_collaborators` (migration 0024): a read of one record or
/// a page reads one table.
pub(crate) const RECORD_COLS: &str =
    "id, object, object_type, name, state, supplier_id, created_by, created_at, updated_at, access_end_date, collaborators";

/// Filters of `GET /api/v1/vobjects/{object}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct RecordFilter {
    /// `supplier__v`
    pub supplier: Option<String>,
    /// `state__v`
    pub state: Option<String>,
    /// `name__v`
    pub name: Option<String>,
    /// `object_type__v`
    pub object_type: Option<String>,
    /// Only records shared with this user through the External Collaborator role.
    pub shared_with: Option<UserId>,
    /// Only records naming this person as collaborator.
    pub collaborator: Option<String>,
    /// Page size.
    pub limit: i64,
    /// Page start.
    pub offset: i64,
}

/// An assignment as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentRow {
    /// Its id.
    pub id: AssignmentId,
    /// The target object.
    pub object: String,
    /// The record.
    pub record: RecordId,
    /// The person.
    pub person: PersonId,
    /// Its user.
    pub user: UserId,
    /// Active or not.
    pub active: bool,
    /// When it began.
    pub activated_at: i64,
    /// When it ended.
    pub inactivated_at: Option<i64>,
    /// The internal user whose action granted the access (`sponsor__v`); none for access
    /// granted before sponsors were recorded with no sharing row to tell.
    pub sponsor: Option<UserId>,
}

/// An Active assignment and who answers for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sponsorship {
    /// The assignment.
    pub assignment: AssignmentRow,
    /// The sponsor's username, when the sponsor is known.
    pub sponsor_username: Option<String>,
    /// Whether the sponsor is an active user (an inactive one answers for nothing).
    pub sponsor_active: bool,
    /// The external user's username.
    pub username: String,
    /// The record's name.
    pub record_name: String,
}

/// Which sponsorships to list.
#[derive(Debug, Clone, Default)]
pub struct SponsorshipFilter {
    /// Only this record's.
    pub record: Option<String>,
    /// Only those whose sponsor is inactive or unknown.
    pub unsponsored_only: bool,
    /// Page size.
    pub limit: i64,
    /// Page start.
    pub offset: i64,
}

/// Filters of `GET /api/v1/assignments`.
#[derive(Debug, Clone, Default)]
pub struct AssignmentFilter {
    /// `record__v`
    pub record: Option<String>,
    /// `person__v`
    pub person: Option<String>,
    /// `user__v`
    pub user: Option<String>,
    /// Active (`Some(true)`) or Inactive.
    pub active: Option<bool>,
    /// `sponsor__v`
    pub sponsor: Option<String>,
    /// Page size.
    pub limit: i64,
    /// Page start.
    pub offset: i64,
}

pub(crate) fn record_row(r: &AnyRow) -> Result<(Record, i64, i64)> {
    Ok((
        Record {
            id: RecordId::new(rows::get::<String>(r, "id")?),
            object: rows::get(r, "object")?,
            object_type: rows::get(r, "object_type")?,
            name: rows::get(r, "name")?,
            state: rows::get(r, "state")?,
            supplier: rows::get::<Option<String>>(r, "supplier_id")?.map(OrgId::new),
            collaborators: rows::get::<Option<String>>(r, "collaborators")?
                .iter()
                .flat_map(|p| p.split(','))
                .map(PersonId::new)
                .collect(),
            created_by: UserId::new(rows::get::<String>(r, "created_by")?),
            access_end_date: rows::get(r, "access_end_date")?,
        },
        rows::get(r, "created_at")?,
        rows::get(r, "updated_at")?,
    ))
}

fn assignment(r: &AnyRow) -> Result<AssignmentRow> {
    Ok(AssignmentRow {
        id: AssignmentId::new(rows::get::<String>(r, "id")?),
        object: rows::get(r, "object")?,
        record: RecordId::new(rows::get::<String>(r, "record_id")?),
        person: PersonId::new(rows::get::<String>(r, "person_id")?),
        user: UserId::new(rows::get::<String>(r, "user_id")?),
        active: rows::get::<String>(r, "activity")? == "active",
        activated_at: rows::get(r, "activated_at")?,
        inactivated_at: rows::get(r, "inactivated_at")?,
        sponsor: rows::get::<Option<String>>(r, "sponsor_id")?.map(UserId::new),
    })
}

/// The columns [`assignment`] reads.
const ASSIGNMENT_SELECT: &str =
    "id, object, record_id, person_id, user_id, activity, activated_at, inactivated_at, sponsor_id";

impl Db<'_> {
    /// Inserts a record with its collaborators.
    pub async fn insert_record(&mut self, r: &Record, now: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO records (id, object, object_type, name, state, supplier_id, created_by, created_at, updated_at, deleted, access_end_date, collaborators) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, 0, $9, $10)",
        )
        .bind(r.id.as_str())
        .bind(&r.object)
        .bind(&r.object_type)
        .bind(&r.name)
        .bind(&r.state)
        .bind(r.supplier.as_ref().map(OrgId::as_str))
        .bind(r.created_by.as_str())
        .bind(now)
        .bind(r.access_end_date.as_deref())
        .bind(collaborators_text(&r.collaborators))
        .execute(&mut *self.conn)
        .await?;
        self.collaborator_rows(&r.id, &r.collaborators).await
    }

    /// Replaces the External Collaborator field: the record's own column and the rows by
    /// person.
    pub async fn set_collaborators(
        &mut self,
        record: &RecordId,
        people: &[PersonId],
    ) -> Result<()> {
        sqlx::query("UPDATE records SET collaborators = $1 WHERE id = $2")
            .bind(collaborators_text(people))
            .bind(record.as_str())
            .execute(&mut *self.conn)
            .await?;
        self.collaborator_rows(record, people).await
    }

    /// The rows of `record_collaborators` of a record (the lookups by person read them).
    async fn collaborator_rows(&mut self, record: &RecordId, people: &[PersonId]) -> Result<()> {
        sqlx::query("DELETE FROM record_collaborators WHERE record_id = $1")
            .bind(record.as_str())
            .execute(&mut *self.conn)
            .await?;
        for (i, p) in people.iter().enumerate() {
            sqlx::query("INSERT INTO record_collaborators (record_id, person_id, position) VALUES ($1, $2, $3)")
                .bind(record.as_str())
                .bind(p.as_str())
                .bind(i64::try_from(i).unwrap_or(i64::MAX))
                .execute(&mut *self.conn)
                .await?;
        }
        Ok(())
    }

    /// A record that is not deleted, with its collaborators; `lock` takes its row lock first.
    pub async fn record(
        &mut self,
        object: &str,
        id: &RecordId,
        lock: bool,
    ) -> Result<Option<(Record, i64, i64)>> {
        // The collaborators are read from the record's own row (migration 0024), not by a
        // subquery: under PostgreSQL's READ COMMITTED a locking SELECT that waited for another
        // transaction re-reads only the locked row, so a subquery would keep the snapshot from
        // before the wait and a collaborator removed meanwhile would still be read, and served
        // (test attacks::waits_dropped_while_seats_free).
        let sql = format!(
            "SELECT {RECORD_COLS} FROM records WHERE id = $1 AND object = $2 AND deleted = 0{}",
            if lock { self.backend.for_update() } else { "" }
        );
        let row = sqlx::query(&sql)
            .bind(id.as_str())
            .bind(object)
            .fetch_optional(&mut *self.conn)
            .await?;
        row.as_ref().map(record_row).transpose()
    }

    /// A record that is not deleted, as a reader sees it, with who waits for a seat on it
    /// (person ids, oldest first): one statement, the waiting ones by a subquery on the
    /// waitlist's record index (an internal user's read answers both).
    pub async fn record_with_waiting(
        &mut self,
        object: &str,
        id: &RecordId,
    ) -> Result<Option<((Record, i64, i64), Vec<PersonId>)>> {
        let waiting = match self.backend {
            Backend::Postgres => "string_agg(w.person_id, ',' ORDER BY w.seq)",
            Backend::Sqlite => "group_concat(w.person_id, ',' ORDER BY w.seq)",
        };
        let sql = format!(
            "SELECT {RECORD_COLS}, (SELECT {waiting} FROM waitlist w \
             WHERE w.record_id = records.id) AS waiting \
             FROM records WHERE id = $1 AND object = $2 AND deleted = 0"
        );
        let Some(row) = sqlx::query(&sql)
            .bind(id.as_str())
            .bind(object)
            .fetch_optional(&mut *self.conn)
            .await?
        else {
            return Ok(None);
        };
        let waiting = rows::get::<Option<String>>(&row, "waiting")?
            .map(|w| w.split(',').map(PersonId::new).collect())
            .unwrap_or_default();
        Ok(Some((record_row(&row)?, waiting)))
    }

    /// Records of one object, filtered and paged, newest first.
    pub async fn records(
        &mut self,
        object: &str,
        filter: &RecordFilter,
    ) -> Result<Vec<(Record, i64, i64)>> {
        listing_sql(self.backend, object, filter)
            .fetch_all(self)
            .await?
            .iter()
            .map(record_row)
            .collect()
    }

    /// Writes a record's own fields and state.
    pub async fn update_record(&mut self, r: &Record, now: i64) -> Result<()> {
        sqlx::query("UPDATE records SET name = $1, supplier_id = $2, state = $3, updated_at = $4, access_end_date = $5 WHERE id = $6")
            .bind(&r.name)
            .bind(r.supplier.as_ref().map(OrgId::as_str))
            .bind(&r.state)
            .bind(now)
            .bind(r.access_end_date.as_deref())
            .bind(r.id.as_str())
            .execute(&mut *self.conn)
            .await?;
        Ok(())
    }

    /// Marks a record deleted; it stays for the audit trail.
    pub async fn mark_record_deleted(&mut self, id: &RecordId, now: i64) -> Result<()> {
        sqlx::query("UPDATE records SET deleted = 1, updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id.as_str())
            .execute(&mut *self.conn)
            .await?;
        Ok(())
    }

    /// Whether a user holds the External Collaborator role on a record.
    pub async fn has_role(&mut self, record: &RecordId, user: &UserId) -> Result<bool> {
        let row = sqlx::query(HAS_ROLE)
            .bind(record.as_str())
            .bind(EXTERNAL_COLLABORATOR_ROLE)
            .bind(user.as_str())
            .fetch_one(&mut *self.conn)
            .await?;
        Ok(rows::get::<i64>(&row, "n")? > 0)
    }

    /// Adds a user to the External Collaborator role on a record.
    pub async fn grant_role(
        &mut self,
        record: &RecordId,
        user: &UserId,
        by: &UserId,
        now: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO sharing (record_id, role, user_id, granted_at, granted_by) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (record_id, role, user_id) DO NOTHING",
        )
        .bind(record.as_str())
        .bind(EXTERNAL_COLLABORATOR_ROLE)
        .bind(user.as_str())
        .bind(now)
        .bind(by.as_str())
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }

    /// Removes a user from the External Collaborator role on a record.
    pub async fn remove_role(&mut self, record: &RecordId, user: &UserId) -> Result<()> {
        sqlx::query("DELETE FROM sharing WHERE record_id = $1 AND role = $2 AND user_id = $3")
            .bind(record.as_str())
            .bind(EXTERNAL_COLLABORATOR_ROLE)
            .bind(user.as_str())
            .execute(&mut *self.conn)
            .await?;
        Ok(())
    }

    /// Opens an Active assignment, `granted` by its sponsor at a time.
    pub async fn open_assignment(
        &mut self,
        id: &AssignmentId,
        object: &str,
        record: &RecordId,
        person: &PersonId,
        user: &UserId,
        (sponsor, now): (&UserId, i64),
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO assignments (id, object, record_id, person_id, user_id, activity, activated_at, sponsor_id) \
             VALUES ($1, $2, $3, $4, $5, 'active', $6, $7)",
        )
        .bind(id.as_str())
        .bind(object)
        .bind(record.as_str())
        .bind(person.as_str())
        .bind(user.as_str())
        .bind(now)
        .bind(sponsor.as_str())
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }

    /// Makes an assignment Inactive.
    pub async fn close_assignment(&mut self, id: &AssignmentId, now: i64) -> Result<()> {
        sqlx::query("UPDATE assignments SET activity = 'inactive', inactivated_at = $1 WHERE id = $2 AND activity = 'active'")
            .bind(now)
            .bind(id.as_str())
            .execute(&mut *self.conn)
            .await?;
        Ok(())
    }

    /// Assignments, filtered, newest first.
    pub async fn assignments(&mut self, filter: &AssignmentFilter) -> Result<Vec<AssignmentRow>> {
        let mut sql = Sql::new(
            self.backend,
            &format!("SELECT {ASSIGNMENT_SELECT} FROM assignments"),
        );
        sql.and_eq("record_id", filter.record.as_deref())
            .and_eq("sponsor_id", filter.sponsor.as_deref())
            .and_eq("person_id", filter.person.as_deref())
            .and_eq("user_id", filter.user.as_deref())
            .and_eq(
                "activity",
                filter.active.map(|a| if a { "active" } else { "inactive" }),
            )
            .push(" ORDER BY activated_at DESC, id DESC")
            .page(filter.limit, filter.offset);
        sql.fetch_all(self).await?.iter().map(assignment).collect()
    }

    /// Active assignments with their sponsors, oldest first; `unsponsored_only`: those whose
    /// sponsor can no longer answer for them (inactive, or never recorded).
    pub async fn sponsorships(&mut self, filter: &SponsorshipFilter) -> Result<Vec<Sponsorship>> {
        let cols = ASSIGNMENT_SELECT
            .split(", ")
            .map(|c| format!("a.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut sql = Sql::new(
            self.backend,
            &format!(
                "SELECT {cols}, s.username AS sponsor_username, s.status AS sponsor_status, \
                 u.username AS username, r.name AS record_name \
                 FROM assignments a LEFT JOIN users s ON s.id = a.sponsor_id \
                 JOIN users u ON u.id = a.user_id JOIN records r ON r.id = a.record_id"
            ),
        );
        sql.and("a.activity = 'active'", [])
            .and_eq("a.record_id", filter.record.as_deref());
        if filter.unsponsored_only {
            sql.and("(s.id IS NULL OR s.status = 'inactive')", []);
        }
        sql.push(" ORDER BY a.activated_at, a.id")
            .page(filter.limit, filter.offset);
        sql.fetch_all(self)
            .await?
            .iter()
            .map(|r| {
                Ok(Sponsorship {
                    assignment: assignment(r)?,
                    sponsor_username: rows::get(r, "sponsor_username")?,
                    sponsor_active: rows::get::<Option<String>>(r, "sponsor_status")?.as_deref()
                        == Some("active"),
                    username: rows::get(r, "username")?,
                    record_name: rows::get(r, "record_name")?,
                })
            })
            .collect()
    }

    /// One assignment.
    pub async fn assignment(&mut self, id: &AssignmentId) -> Result<Option<AssignmentRow>> {
        let row = sqlx::query(&format!(
            "SELECT {ASSIGNMENT_SELECT} FROM assignments WHERE id = $1"
        ))
        .bind(id.as_str())
        .fetch_optional(&mut *self.conn)
        .await?;
        row.as_ref().map(assignment).transpose()
    }

    /// Gives an Active assignment another sponsor; false when it is not Active.
    pub async fn set_sponsor(&mut self, id: &AssignmentId, sponsor: &UserId) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE assignments SET sponsor_id = $1 WHERE id = $2 AND activity = 'active'",
        )
        .bind(sponsor.as_str())
        .bind(id.as_str())
        .execute(&mut *self.conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records in `states` naming `person` as collaborator without an Active assignment for it
    /// (collaborations automation takes over when a user becomes managed).
    pub async fn untracked_collaborations(
        &mut self,
        person: &PersonId,
        object: &str,
        states: &[&str],
    ) -> Result<Vec<RecordId>> {
        if states.is_empty() {
            return Ok(vec![]);
        }
        let mut sql = Sql::new(
            self.backend,
            "SELECT r.id FROM record_collaborators c JOIN records r ON r.id = c.record_id",
        );
        sql.and(
            "c.person_id = {} AND r.object = {} AND r.deleted = 0",
            [V::t(person.as_str()), V::t(object)],
        )
        .and("r.state IN (", [])
        .list(states.iter().map(|s| V::t(*s)))
        .push(")")
        .and(
            "NOT EXISTS (SELECT 1 FROM assignments a WHERE a.record_id = r.id AND a.person_id = {} AND a.activity = 'active')",
            [V::t(person.as_str())],
        )
        .push(" ORDER BY r.id");
        sql.fetch_all(self)
            .await?
            .iter()
            .map(|r| Ok(RecordId::new(rows::get::<String>(r, "id")?)))
            .collect()
    }
}

/// Does this user hold the role on this record? (primary key)
pub(crate) const HAS_ROLE: &str =
    "SELECT COUNT(*) AS n FROM sharing WHERE record_id = $1 AND role = $2 AND user_id = $3";

/// The `collaborators` column of a record: the person ids in order, joined by ',' (ids have
/// no comma); none when there are none, as `string_agg` of no rows (migration 0024) leaves it.
pub(crate) fn collaborators_text(people: &[PersonId]) -> Option<String> {
    (!people.is_empty()).then(|| {
        people
            .iter()
            .map(PersonId::as_str)
            .collect::<Vec<_>>()
            .join(",")
    })
}

/// The SQL of a filtered, paged list of records, and its values. Sharing and collaborator
/// filters are `IN` lists driven by their own indexes: as `EXISTS` per record they made the
/// database walk every record of the object to find an external user's few.
pub(crate) fn listing_sql(backend: Backend, object: &str, filter: &RecordFilter) -> Sql {
    let cols = RECORD_COLS
        .split(", ")
        .map(|c| format!("r.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut sql = Sql::new(backend, &format!("SELECT {cols} FROM records r"));
    sql.and("r.object = {}", [V::t(object)])
        .and("r.deleted = 0", [])
        .and_eq("r.supplier_id", filter.supplier.as_deref())
        .and_eq("r.state", filter.state.as_deref())
        .and_eq("r.name", filter.name.as_deref())
        .and_eq("r.object_type", filter.object_type.as_deref());
    if let Some(user) = &filter.shared_with {
        sql.and(
            &format!("r.id IN (SELECT s.record_id FROM sharing s WHERE s.user_id = {{}} AND s.role = '{EXTERNAL_COLLABORATOR_ROLE}')"),
            [V::t(user.as_str())],
        );
    }
    if let Some(person) = &filter.collaborator {
        sql.and(
            "r.id IN (SELECT c.record_id FROM record_collaborators c WHERE c.person_id = {})",
            [V::t(person.as_str())],
        );
    }
    sql.push(" ORDER BY r.created_at DESC, r.id DESC")
        .page(filter.limit, filter.offset);
    sql
}

impl Db<'_> {
    /// The object of a record that is not deleted.
    pub async fn record_object(&mut self, id: &RecordId) -> Result<Option<String>> {
        let row = sqlx::query("SELECT object FROM records WHERE id = $1 AND deleted = 0")
            .bind(id.as_str())
            .fetch_optional(&mut *self.conn)
            .await?;
        row.map(|r| rows::get::<String>(&r, "object")).transpose()
    }
}
