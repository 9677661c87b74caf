//! Opaque identifiers (SPEC section 9: "Ids are opaque strings"), one type per object so that a
//! person id can never be passed where a user id is expected.

use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// Wraps an id that was issued by Portico (or read back from storage).
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            /// The id as it is stored and shown.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id_type!(
    /// An Organization (`organization__v`): a supplier, partner or contractor.
    OrgId
);
id_type!(
    /// A Person (`person__v`): a named contact, who may or may not have a user.
    PersonId
);
id_type!(
    /// A User: a login, internal (`full__v`) or external (`external__v`).
    UserId
);
id_type!(
    /// A record of one of the target objects (a SCAR, a Supplier NCR, …).
    RecordId
);
id_type!(
    /// An assignment tracking record (SPEC section 1, "Assignment (tracking)").
    AssignmentId
);
id_type!(
    /// A workflow task.
    TaskId
);
id_type!(
    /// An external collaboration checklist.
    ChecklistId
);

/// Hands out fresh ids; the service passes one in so that the domain stays free of randomness.
pub trait IdSource: Send {
    /// A new unique id; `kind` is a short prefix such as `"usr"` that makes ids readable.
    fn next_id(&mut self, kind: &str) -> String;
}

/// Sequential ids for tests and examples: `usr-1`, `usr-2`, ….
#[derive(Debug, Default)]
pub struct SequentialIds {
    counter: u64,
}

impl IdSource for SequentialIds {
    fn next_id(&mut self, kind: &str) -> String {
        self.counter += 1;
        format!("{kind}-{}", self.counter)
    }
}
