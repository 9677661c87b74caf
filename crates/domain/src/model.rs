//! The objects of SPEC section 1 as the rules see them.

use crate::vql::{Fields, Value};
use crate::{EmailAddress, OrgId, PersonId, RecordId, UserId};

/// Whether a user may sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserStatus {
    /// `active__v`
    Active,
    /// `inactive__v`
    Inactive,
}

/// The license a user holds; only external licenses count against the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LicenseType {
    /// `full__v`: internal users.
    Full,
    /// `external__v`: external collaborators, counted against the seats of SPEC section 3.
    External,
}

/// The built-in security profiles of SPEC section 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SecurityProfile {
    /// `system_admin`: configures Portico, manages users and licenses.
    SystemAdmin,
    /// `vault_owner`: like an administrator.
    VaultOwner,
    /// `internal_user`: works records.
    InternalUser,
    /// `external_collaborator`: sees only records shared with it.
    ExternalCollaborator,
}

impl SecurityProfile {
    /// All profiles, for listings and validation messages.
    pub const ALL: [SecurityProfile; 4] = [
        Self::SystemAdmin,
        Self::VaultOwner,
        Self::InternalUser,
        Self::ExternalCollaborator,
    ];

    /// The profile's name as stored and shown.
    pub fn name(self) -> &'static str {
        match self {
            Self::SystemAdmin => "system_admin",
            Self::VaultOwner => "vault_owner",
            Self::InternalUser => "internal_user",
            Self::ExternalCollaborator => "external_collaborator",
        }
    }

    /// The profile with this name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    /// Administrators configure Portico, manage users, licenses, the outbox and the audit trail.
    pub fn is_admin(self) -> bool {
        matches!(self, Self::SystemAdmin | Self::VaultOwner)
    }

    /// Internal users (and admins) work records; external collaborators do not.
    pub fn is_internal(self) -> bool {
        !matches!(self, Self::ExternalCollaborator)
    }
}

/// A named individual (`person__v`); being a Person grants no login.
#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    /// Its id.
    pub id: PersonId,
    /// `first_name__v`
    pub first_name: String,
    /// `last_name__v`
    pub last_name: String,
    /// `email__v`
    pub email: EmailAddress,
    /// `organization__v`: the contact list it belongs to.
    pub organization: Option<OrgId>,
    /// `language__v`, default `en`: the language of its emails and pages (SPEC section 11).
    pub language: String,
    /// `timezone__v`: an IANA zone name for the dates it reads; `None`: the company's.
    pub timezone: Option<String>,
    /// `user__v`: its user, once it has one.
    pub user: Option<UserId>,
}

impl Person {
    /// "First Last", as messages name a person.
    pub fn display_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

impl Fields for Person {
    fn field(&self, name: &str) -> Option<Value> {
        let text = |s: &str| Some(Value::Str(s.to_string()));
        let opt = |s: Option<&str>| Some(s.map_or(Value::Null, |s| Value::Str(s.to_string())));
        match name {
            "id" => text(self.id.as_str()),
            "first_name__v" => text(&self.first_name),
            "last_name__v" => text(&self.last_name),
            "email__v" => text(self.email.as_str()),
            "language__v" => text(&self.language),
            "organization__v" => opt(self.organization.as_ref().map(OrgId::as_str)),
            "user__v" => opt(self.user.as_ref().map(UserId::as_str)),
            _ => None,
        }
    }
}

/// A login.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    /// Its id.
    pub id: UserId,
    /// `username__v`, unique.
    pub username: String,
    /// `first_name__v`
    pub first_name: String,
    /// `last_name__v`
    pub last_name: String,
    /// `email__v`
    pub email: EmailAddress,
    /// `status__v`
    pub status: UserStatus,
    /// `license_type__v`
    pub license: LicenseType,
    /// `security_profile__v`
    pub security_profile: SecurityProfile,
    /// `managed_by_qms_automation__v`: false means automation never activates or inactivates it.
    pub managed: bool,
    /// `person__v`
    pub person: Option<PersonId>,
}

impl User {
    /// Whether it holds a seat of the external pool while active.
    pub fn takes_seat(&self) -> bool {
        self.license == LicenseType::External
    }

    /// Whether it is active.
    pub fn is_active(&self) -> bool {
        self.status == UserStatus::Active
    }

    /// The exact-details match of C2 step 1: same email, first name and last name.
    pub fn has_details_of(&self, person: &Person) -> bool {
        self.email == person.email
            && self.first_name == person.first_name
            && self.last_name == person.last_name
    }
}

/// A record of a target object as the rules see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Its id.
    pub id: RecordId,
    /// The target object, e.g. `car__v`.
    pub object: String,
    /// `object_type__v`, e.g. `scar__v`.
    pub object_type: String,
    /// `name__v`
    pub name: String,
    /// `state__v`
    pub state: String,
    /// `supplier__v`
    pub supplier: Option<OrgId>,
    /// `external_collaborator__v`, in the order they were given.
    pub collaborators: Vec<PersonId>,
    /// `created_by__v`
    pub created_by: UserId,
    /// `access_end_date__v`: a date, `YYYY-MM-DD` (checked where it comes in). Past it, the
    /// collaborators' access ends as by the exit action (C3).
    pub access_end_date: Option<String>,
}

impl Fields for Record {
    fn field(&self, name: &str) -> Option<Value> {
        let text = |s: &str| Some(Value::Str(s.to_string()));
        match name {
            "id" => text(self.id.as_str()),
            "name__v" => text(&self.name),
            "object_type__v" => text(&self.object_type),
            "state__v" => text(&self.state),
            "created_by__v" => text(self.created_by.as_str()),
            "access_end_date__v" => Some(
                self.access_end_date
                    .as_ref()
                    .map_or(Value::Null, |d| Value::Str(d.clone())),
            ),
            "supplier__v" => Some(
                self.supplier
                    .as_ref()
                    .map_or(Value::Null, |s| Value::Str(s.as_str().to_string())),
            ),
            _ => None,
        }
    }
}

/// The fields of a person a constraint may name (for validating configurations).
pub const PERSON_FIELDS: [&str; 7] = [
    "id",
    "first_name__v",
    "last_name__v",
    "email__v",
    "language__v",
    "organization__v",
    "user__v",
];

/// The fields of a record a constraint or template may name.
pub const RECORD_FIELDS: [&str; 7] = [
    "id",
    "name__v",
    "object_type__v",
    "state__v",
    "created_by__v",
    "supplier__v",
    "access_end_date__v",
];
