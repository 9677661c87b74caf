//! Turning rows back into domain values. A value that does not parse is reported as
//! [`StoreError::Corrupt`], never guessed.

use portico_domain::model::{LicenseType, Person, SecurityProfile, User, UserStatus};
use portico_domain::{EmailAddress, OrgId, PersonId, UserId};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{Result, StoreError};

pub(crate) const USER_COLS: &str =
    "id, username, first_name, last_name, email, status, license, security_profile, managed, person_id, language";
pub(crate) const PERSON_COLS: &str =
    "id, first_name, last_name, email, organization_id, language, timezone, user_id";

pub(crate) fn get<T>(row: &AnyRow, col: &str) -> Result<T>
where
    T: for<'r> sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    row.try_get(col).map_err(StoreError::from)
}

pub(crate) fn email(raw: &str) -> Result<EmailAddress> {
    EmailAddress::parse(raw).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(crate) fn user(row: &AnyRow) -> Result<User> {
    let status: String = get(row, "status")?;
    let license: String = get(row, "license")?;
    let profile: String = get(row, "security_profile")?;
    Ok(User {
        id: UserId::new(get::<String>(row, "id")?),
        username: get(row, "username")?,
        first_name: get(row, "first_name")?,
        last_name: get(row, "last_name")?,
        email: email(&get::<String>(row, "email")?)?,
        status: status_from(&status)?,
        license: license_from(&license)?,
        security_profile: SecurityProfile::parse(&profile)
            .ok_or_else(|| StoreError::Corrupt(format!("security profile {profile}")))?,
        managed: get::<i64>(row, "managed")? != 0,
        person: get::<Option<String>>(row, "person_id")?.map(PersonId::new),
    })
}

pub(crate) fn person(row: &AnyRow) -> Result<Person> {
    Ok(Person {
        id: PersonId::new(get::<String>(row, "id")?),
        first_name: get(row, "first_name")?,
        last_name: get(row, "last_name")?,
        email: email(&get::<String>(row, "email")?)?,
        organization: get::<Option<String>>(row, "organization_id")?.map(OrgId::new),
        language: get(row, "language")?,
        timezone: get(row, "timezone")?,
        user: get::<Option<String>>(row, "user_id")?.map(UserId::new),
    })
}

pub(crate) fn status_name(s: UserStatus) -> &'static str {
    match s {
        UserStatus::Active => "active",
        UserStatus::Inactive => "inactive",
    }
}

fn status_from(s: &str) -> Result<UserStatus> {
    match s {
        "active" => Ok(UserStatus::Active),
        "inactive" => Ok(UserStatus::Inactive),
        other => Err(StoreError::Corrupt(format!("user status {other}"))),
    }
}

pub(crate) fn license_name(l: LicenseType) -> &'static str {
    match l {
        LicenseType::Full => "full",
        LicenseType::External => "external",
    }
}

fn license_from(s: &str) -> Result<LicenseType> {
    match s {
        "full" => Ok(LicenseType::Full),
        "external" => Ok(LicenseType::External),
        other => Err(StoreError::Corrupt(format!("license {other}"))),
    }
}

impl crate::Db<'_> {
    /// Reads rows by id with their row locks (`FOR UPDATE` on PostgreSQL), in id order: every
    /// writer takes its locks in the same order, so two writers never wait on each other in a
    /// circle.
    pub(crate) async fn lock_rows<T>(
        &mut self,
        table: &str,
        cols: &str,
        ids: &[&str],
        decode: fn(&AnyRow) -> Result<T>,
    ) -> Result<Vec<T>> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let mut sorted = ids.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        // In chunks for long lists, each in id order: the locks are still taken in id order.
        let head = format!("SELECT {cols} FROM {table} WHERE id");
        let tail = format!(" ORDER BY id{}", self.backend.for_update());
        self.fetch_in(&head, &[], &sorted, &tail)
            .await?
            .iter()
            .map(decode)
            .collect()
    }
}
