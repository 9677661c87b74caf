//! Organizations and their contact lists (Persons).

use portico_domain::model::Person;
use portico_domain::{EmailAddress, OrgId, PersonId};
use portico_store::{AuditEntry, OrganizationRow};
use serde_json::json;

use crate::reads::Page;
use crate::retry::retrying;
use crate::{new_id, now_ms, Caller, Portico, ServiceError, ServiceResult};

/// Fields of an organization a client sends.
#[derive(Debug, Clone, Default)]
pub struct OrganizationInput {
    /// `name__v`
    pub name: Option<String>,
    /// `status__v`
    pub status: Option<String>,
}

/// Fields of a person a client sends; `None` leaves a field as it is on update.
#[derive(Debug, Clone, Default)]
pub struct PersonInput {
    /// `first_name__v`
    pub first_name: Option<String>,
    /// `last_name__v`
    pub last_name: Option<String>,
    /// `email__v`
    pub email: Option<String>,
    /// `organization__v`; `Some(None)` clears it.
    pub organization: Option<Option<String>>,
    /// `language__v`
    pub language: Option<String>,
    /// `timezone__v`; `Some(None)` clears it (the company's zone applies).
    pub timezone: Option<Option<String>>,
}

pub(crate) fn required_text(value: Option<&str>, field: &str) -> ServiceResult<String> {
    match value.map(str::trim) {
        None => Err(ServiceError::ParameterRequired(
            format!("{field} is required").into(),
        )),
        Some("") => Err(ServiceError::InvalidData(
            format!("{field} must not be empty").into(),
        )),
        Some(v) if v.chars().count() > 255 => Err(ServiceError::InvalidData(
            format!("{field} must have at most 255 characters").into(),
        )),
        Some(v) => Ok(v.to_string()),
    }
}

fn org_json(o: &OrganizationRow) -> String {
    json!({"name__v": o.name, "status__v": o.status}).to_string()
}

fn person_json(p: &Person) -> String {
    json!({"first_name__v": p.first_name, "last_name__v": p.last_name, "email__v": p.email.as_str(),
           "organization__v": p.organization.as_ref().map(OrgId::as_str), "language__v": p.language,
           "timezone__v": p.timezone})
    .to_string()
}

fn org_status(raw: Option<&str>) -> ServiceResult<String> {
    match raw.unwrap_or("active__v") {
        s @ ("active__v" | "inactive__v") => Ok(s.to_string()),
        other => Err(ServiceError::InvalidData(
            format!("status__v '{other}' is not active__v or inactive__v").into(),
        )),
    }
}

impl Portico {
    /// `POST /api/v1/vobjects/organization__v`.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id))]
    pub async fn create_organization(
        &self,
        caller: &Caller,
        input: OrganizationInput,
    ) -> ServiceResult<OrganizationRow> {
        caller.require_internal()?;
        let org = OrganizationRow {
            id: OrgId::new(new_id("org")),
            name: required_text(input.name.as_deref(), "name__v")?,
            status: org_status(input.status.as_deref())?,
            created_at: now_ms(),
        };
        let mut tx = self.write_as(caller).await?;
        let mut db = tx.db();
        db.insert_organization(&org).await?;
        db.audit(&AuditEntry {
            at: org.created_at,
            actor: Some(caller.user.id.to_string()),
            action: "organization.created".into(),
            object: "organization__v".into(),
            object_id: org.id.to_string(),
            after: Some(org_json(&org)),
            ..AuditEntry::default()
        })
        .await?;
        tx.commit().await?;
        Ok(org)
    }

    /// `GET /api/v1/vobjects/organization__v/{id}`.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id, id = id))]
    pub async fn organization(&self, caller: &Caller, id: &str) -> ServiceResult<OrganizationRow> {
        caller.require_internal()?;
        self.store
            .read()
            .await?
            .db()
            .organization(&OrgId::new(id))
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("organization {id} not found").into()))
    }

    /// The name of a record's supplier, for whoever may read the record: an external
    /// collaborator sees the name of its own company on the records shared with it (the
    /// collaborator constraint ties the two), though not the organizations list.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id, object = object, id = id))]
    pub async fn supplier_name(
        &self,
        caller: &Caller,
        object: &str,
        id: &str,
    ) -> ServiceResult<Option<String>> {
        let view = self.record(caller, object, id).await?;
        let Some(supplier) = &view.record.supplier else {
            return Ok(None);
        };
        Ok(self
            .store
            .read()
            .await?
            .db()
            .organization(supplier)
            .await?
            .map(|o| o.name))
    }

    /// `GET /api/v1/vobjects/organization__v`.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id))]
    pub async fn organizations(
        &self,
        caller: &Caller,
        name: Option<&str>,
        page: Page,
    ) -> ServiceResult<Vec<OrganizationRow>> {
        caller.require_internal()?;
        Ok(self
            .store
            .read()
            .await?
            .db()
            .organizations(name, page.limit, page.offset)
            .await?)
    }

    /// `PATCH /api/v1/vobjects/organization__v/{id}`.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id, id = id))]
    pub async fn update_organization(
        &self,
        caller: &Caller,
        id: &str,
        input: OrganizationInput,
    ) -> ServiceResult<OrganizationRow> {
        caller.require_internal()?;
        let mut tx = self.write_as(caller).await?;
        let mut db = tx.db();
        let before = db
            .organization(&OrgId::new(id))
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("organization {id} not found").into()))?;
        let mut after = before.clone();
        if input.name.is_some() {
            after.name = required_text(input.name.as_deref(), "name__v")?;
        }
        if input.status.is_some() {
            after.status = org_status(input.status.as_deref())?;
        }
        db.update_organization(&after).await?;
        db.audit(&AuditEntry {
            at: now_ms(),
            actor: Some(caller.user.id.to_string()),
            action: "organization.updated".into(),
            object: "organization__v".into(),
            object_id: id.to_string(),
            before: Some(org_json(&before)),
            after: Some(org_json(&after)),
            ..AuditEntry::default()
        })
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// `DELETE /api/v1/vobjects/organization__v/{id}`: only when no person or record refers to it.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id, id = id))]
    pub async fn delete_organization(&self, caller: &Caller, id: &str) -> ServiceResult<()> {
        caller.require_internal()?;
        let mut tx = self.write_as(caller).await?;
        let mut db = tx.db();
        let org = db
            .organization(&OrgId::new(id))
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("organization {id} not found").into()))?;
        if !db.delete_organization_if_unused(&org.id).await? {
            return Err(ServiceError::OperationNotAllowed(format!(
                "organization {} still has contacts or records; it can be set to inactive__v instead",
                org.name
            ).into()));
        }
        db.audit(&AuditEntry {
            at: now_ms(),
            actor: Some(caller.user.id.to_string()),
            action: "organization.deleted".into(),
            object: "organization__v".into(),
            object_id: id.to_string(),
            before: Some(org_json(&org)),
            ..AuditEntry::default()
        })
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn checked_org(
        &self,
        db: &mut portico_store::Db<'_>,
        org: Option<&str>,
    ) -> ServiceResult<Option<OrgId>> {
        match org {
            None => Ok(None),
            Some(id) => {
                let id = OrgId::new(id);
                if db.organization(&id).await?.is_none() {
                    return Err(ServiceError::InvalidData(
                        format!("organization__v: no organization {id}").into(),
                    ));
                }
                Ok(Some(id))
            }
        }
    }

    /// `POST /api/v1/vobjects/person__v`.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id))]
    pub async fn create_person(
        &self,
        caller: &Caller,
        input: PersonInput,
    ) -> ServiceResult<Person> {
        caller.require_internal()?;
        let email_raw = required_text(input.email.as_deref(), "email__v")?;
        let mut person = Person {
            id: PersonId::new(new_id("per")),
            first_name: required_text(input.first_name.as_deref(), "first_name__v")?,
            last_name: required_text(input.last_name.as_deref(), "last_name__v")?,
            email: EmailAddress::parse(&email_raw)
                .map_err(|e| ServiceError::InvalidData(format!("email__v: {e}").into()))?,
            organization: None,
            language: language(input.language.as_deref())?,
            timezone: input
                .timezone
                .flatten()
                .map(|z| crate::time_zone(&z))
                .transpose()?,
            user: None,
        };
        let mut tx = self.write_as(caller).await?;
        let mut db = tx.db();
        person.organization = self
            .checked_org(&mut db, input.organization.flatten().as_deref())
            .await?;
        let now = now_ms();
        db.insert_person(&person, now).await?;
        db.audit(&AuditEntry {
            at: now,
            actor: Some(caller.user.id.to_string()),
            action: "person.created".into(),
            object: "person__v".into(),
            object_id: person.id.to_string(),
            person: Some(person.id.to_string()),
            after: Some(person_json(&person)),
            ..AuditEntry::default()
        })
        .await?;
        tx.commit().await?;
        Ok(person)
    }

    /// `GET /api/v1/vobjects/person__v/{id}`.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id, id = id))]
    pub async fn person(&self, caller: &Caller, id: &str) -> ServiceResult<Person> {
        caller.require_internal()?;
        self.store
            .read()
            .await?
            .db()
            .person(&PersonId::new(id))
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("person {id} not found").into()))
    }

    /// `GET /api/v1/vobjects/person__v` (filters `organization__v`, `email__v`, `user__v`).
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id))]
    pub async fn persons(
        &self,
        caller: &Caller,
        organization: Option<&str>,
        email: Option<&str>,
        user: Option<&str>,
        page: Page,
    ) -> ServiceResult<Vec<Person>> {
        caller.require_internal()?;
        let email = email.map(|e| e.trim().to_lowercase());
        Ok(self
            .store
            .read()
            .await?
            .db()
            .persons(
                organization,
                email.as_deref(),
                user,
                page.limit,
                page.offset,
            )
            .await?)
    }

    /// `PATCH /api/v1/vobjects/person__v/{id}`.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id, id = id))]
    pub async fn update_person(
        &self,
        caller: &Caller,
        id: &str,
        input: PersonInput,
    ) -> ServiceResult<Person> {
        caller.require_internal()?;
        retrying(|| self.update_person_once(caller, id, input.clone())).await
    }

    async fn update_person_once(
        &self,
        caller: &Caller,
        id: &str,
        input: PersonInput,
    ) -> ServiceResult<Person> {
        let mut tx = self.write_as(caller).await?;
        let mut db = tx.db();
        let before = db
            .lock_persons(&[PersonId::new(id)])
            .await?
            .pop()
            .ok_or_else(|| ServiceError::NotFound(format!("person {id} not found").into()))?;
        let mut after = before.clone();
        if input.first_name.is_some() {
            after.first_name = required_text(input.first_name.as_deref(), "first_name__v")?;
        }
        if input.last_name.is_some() {
            after.last_name = required_text(input.last_name.as_deref(), "last_name__v")?;
        }
        if let Some(email) = &input.email {
            after.email = EmailAddress::parse(email)
                .map_err(|e| ServiceError::InvalidData(format!("email__v: {e}").into()))?;
        }
        if let Some(org) = &input.organization {
            after.organization = self.checked_org(&mut db, org.as_deref()).await?;
        }
        if input.language.is_some() {
            after.language = language(input.language.as_deref())?;
        }
        if let Some(zone) = &input.timezone {
            after.timezone = zone.as_deref().map(crate::time_zone).transpose()?;
        }
        db.update_person(&after).await?;
        db.audit(&AuditEntry {
            at: now_ms(),
            actor: Some(caller.user.id.to_string()),
            action: "person.updated".into(),
            object: "person__v".into(),
            object_id: id.to_string(),
            person: Some(id.to_string()),
            before: Some(person_json(&before)),
            after: Some(person_json(&after)),
            ..AuditEntry::default()
        })
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// `DELETE /api/v1/vobjects/person__v/{id}`: only a person no record names and without a user.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id, id = id))]
    pub async fn delete_person(&self, caller: &Caller, id: &str) -> ServiceResult<()> {
        caller.require_internal()?;
        let mut tx = self.write_as(caller).await?;
        let mut db = tx.db();
        let person = db
            .person(&PersonId::new(id))
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("person {id} not found").into()))?;
        if !db.delete_person(&person.id).await? {
            return Err(ServiceError::OperationNotAllowed(
                format!(
                    "{} is named on records or has a user; remove them from the records first",
                    person.display_name()
                )
                .into(),
            ));
        }
        db.audit(&AuditEntry {
            at: now_ms(),
            actor: Some(caller.user.id.to_string()),
            action: "person.deleted".into(),
            object: "person__v".into(),
            object_id: id.to_string(),
            person: Some(id.to_string()),
            before: Some(person_json(&person)),
            ..AuditEntry::default()
        })
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

fn language(raw: Option<&str>) -> ServiceResult<String> {
    let lang = raw.unwrap_or("en").trim();
    let valid = (2..=8).contains(&lang.len())
        && lang
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if valid {
        Ok(lang.to_string())
    } else {
        Err(ServiceError::InvalidData(
            format!("language__v '{lang}' is not a language code such as en or de").into(),
        ))
    }
}
