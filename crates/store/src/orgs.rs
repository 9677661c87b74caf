//! Organizations: suppliers, partners, contractors.

use portico_domain::OrgId;
use sqlx::any::AnyRow;

use crate::batch::Sql;
use crate::rows;
use crate::{Db, Result};

/// An organization as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationRow {
    /// Its id.
    pub id: OrgId,
    /// `name__v`
    pub name: String,
    /// `status__v`
    pub status: String,
    /// Creation time.
    pub created_at: i64,
}

fn org(r: &AnyRow) -> Result<OrganizationRow> {
    Ok(OrganizationRow {
        id: OrgId::new(rows::get::<String>(r, "id")?),
        name: rows::get(r, "name")?,
        status: rows::get(r, "status")?,
        created_at: rows::get(r, "created_at")?,
    })
}

impl Db<'_> {
    /// Inserts an organization.
    pub async fn insert_organization(&mut self, o: &OrganizationRow) -> Result<()> {
        sqlx::query(
            "INSERT INTO organizations (id, name, status, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(o.id.as_str())
        .bind(&o.name)
        .bind(&o.status)
        .bind(o.created_at)
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }

    /// The organization with this id.
    pub async fn organization(&mut self, id: &OrgId) -> Result<Option<OrganizationRow>> {
        let row =
            sqlx::query("SELECT id, name, status, created_at FROM organizations WHERE id = $1")
                .bind(id.as_str())
                .fetch_optional(&mut *self.conn)
                .await?;
        row.as_ref().map(org).transpose()
    }

    /// Organizations, optionally by exact name.
    pub async fn organizations(
        &mut self,
        name: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<OrganizationRow>> {
        let mut sql = Sql::new(
            self.backend,
            "SELECT id, name, status, created_at FROM organizations",
        );
        sql.and_eq("name", name)
            .push(" ORDER BY name, id")
            .page(limit, offset);
        sql.fetch_all(self).await?.iter().map(org).collect()
    }

    /// Renames an organization.
    pub async fn update_organization(&mut self, o: &OrganizationRow) -> Result<()> {
        sqlx::query("UPDATE organizations SET name = $1, status = $2 WHERE id = $3")
            .bind(&o.name)
            .bind(&o.status)
            .bind(o.id.as_str())
            .execute(&mut *self.conn)
            .await?;
        Ok(())
    }

    /// Deletes an organization that nothing refers to; answers whether it did.
    pub async fn delete_organization_if_unused(&mut self, id: &OrgId) -> Result<bool> {
        let done = sqlx::query(
            "DELETE FROM organizations WHERE id = $1 \
             AND NOT EXISTS (SELECT 1 FROM persons WHERE organization_id = $1) \
             AND NOT EXISTS (SELECT 1 FROM records WHERE supplier_id = $1)",
        )
        .bind(id.as_str())
        .execute(&mut *self.conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
