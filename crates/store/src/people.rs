//! Persons: the contact lists of organizations.

use portico_domain::model::Person;
use portico_domain::{OrgId, PersonId, UserId};

use crate::batch::Sql;
use crate::rows::{self, PERSON_COLS};
use crate::{Db, Result};

impl Db<'_> {
    /// Inserts a person.
    pub async fn insert_person(&mut self, p: &Person, now: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO persons (id, first_name, last_name, email, organization_id, language, timezone, user_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(p.id.as_str())
        .bind(&p.first_name)
        .bind(&p.last_name)
        .bind(p.email.as_str())
        .bind(p.organization.as_ref().map(OrgId::as_str))
        .bind(&p.language)
        .bind(p.timezone.as_deref())
        .bind(p.user.as_ref().map(UserId::as_str))
        .bind(now)
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }

    /// Updates a person's own fields (not its user link).
    pub async fn update_person(&mut self, p: &Person) -> Result<()> {
        sqlx::query(
            "UPDATE persons SET first_name = $1, last_name = $2, email = $3, organization_id = $4, language = $5, timezone = $6 WHERE id = $7",
        )
        .bind(&p.first_name)
        .bind(&p.last_name)
        .bind(p.email.as_str())
        .bind(p.organization.as_ref().map(OrgId::as_str))
        .bind(&p.language)
        .bind(p.timezone.as_deref())
        .bind(p.id.as_str())
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }

    /// The person with this id.
    pub async fn person(&mut self, id: &PersonId) -> Result<Option<Person>> {
        let sql = format!("SELECT {PERSON_COLS} FROM persons WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id.as_str())
            .fetch_optional(&mut *self.conn)
            .await?;
        row.as_ref().map(rows::person).transpose()
    }

    /// Locks and reads persons in id order (deadlock-free with concurrent writers).
    pub async fn lock_persons(&mut self, ids: &[PersonId]) -> Result<Vec<Person>> {
        let ids: Vec<&str> = ids.iter().map(PersonId::as_str).collect();
        self.lock_rows("persons", PERSON_COLS, &ids, rows::person)
            .await
    }

    /// Persons, optionally of one organization, by email, or whose user is `user`.
    pub async fn persons(
        &mut self,
        organization: Option<&str>,
        email: Option<&str>,
        user: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<Person>> {
        let mut sql = Sql::new(self.backend, &format!("SELECT {PERSON_COLS} FROM persons"));
        sql.and_eq("organization_id", organization)
            .and_eq("email", email)
            .and_eq("user_id", user)
            .push(" ORDER BY last_name, first_name, id")
            .page(limit, offset);
        sql.fetch_all(self)
            .await?
            .iter()
            .map(rows::person)
            .collect()
    }

    /// Whether a person is named on any record that is not deleted.
    pub async fn person_in_use(&mut self, id: &PersonId) -> Result<bool> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM record_collaborators c JOIN records r ON r.id = c.record_id \
             WHERE c.person_id = $1 AND r.deleted = 0",
        )
        .bind(id.as_str())
        .fetch_one(&mut *self.conn)
        .await?;
        Ok(rows::get::<i64>(&row, "n")? > 0)
    }

    /// Deletes a person that no record names and no user is linked to.
    pub async fn delete_person(&mut self, id: &PersonId) -> Result<bool> {
        let done = sqlx::query(
            "DELETE FROM persons WHERE id = $1 AND user_id IS NULL \
             AND NOT EXISTS (SELECT 1 FROM record_collaborators WHERE person_id = $1)",
        )
        .bind(id.as_str())
        .execute(&mut *self.conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
