//! The lookups the collaboration rules make on every action, with the index each must use. The
//! query-plan test walks this list on both backends (asking the database how it runs each,
//! `Store::explain` of `raw.rs`), so a lookup that starts scanning a table fails a test instead
//! of a customer.

use sqlx::Executor;

use crate::batch::{self, Sql, V};
use crate::{facts, records, rows, Backend, RecordFilter, Result, Store};

/// A lookup: its name, its SQL (as the store runs it), and the index that must serve it.
pub struct Lookup {
    /// What it decides.
    pub name: &'static str,
    /// Its SQL.
    pub sql: String,
    /// Values for its `$n` parameters, like those it runs with (ids of `portico seed --tag
    /// qp`): a planner with statistics plans for the values it is given.
    pub args: Vec<String>,
    /// The indexes (or primary key) of which the plan must use one.
    pub indexes: &'static [&'static str],
}

/// A statement built as the store runs it (with PostgreSQL's `$n` placeholders, which SQLite
/// reads too), and its values.
fn built(sql: Sql) -> (String, Vec<String>) {
    (sql.text().to_string(), sql.texts())
}

/// `head IN (x, x) tail` with `fixed` values before the list, as the batch lookups run.
fn with_in(head: &str, fixed: usize, tail: &str) -> (String, Vec<String>) {
    built(batch::in_sql(
        Backend::Postgres,
        head,
        &vec![V::t("x"); fixed],
        &["x", "x"],
        tail,
    ))
}

/// A statement written with its placeholders `$1` … `$params`, each given `x`.
fn fixed(sql: &str, params: usize) -> (String, Vec<String>) {
    (sql.to_string(), vec!["x".to_string(); params])
}

fn lookup(
    name: &'static str,
    (sql, args): (String, Vec<String>),
    indexes: &'static [&'static str],
) -> Lookup {
    Lookup {
        name,
        sql,
        args,
        indexes,
    }
}

fn listing(name: &'static str, filter: RecordFilter, indexes: &'static [&'static str]) -> Lookup {
    let filter = RecordFilter {
        limit: 20,
        ..filter
    };
    lookup(
        name,
        built(records::listing_sql(Backend::Postgres, "car__v", &filter)),
        indexes,
    )
}

/// Every lookup an action makes, in the batched form that serves one record or five hundred.
pub fn rule_lookups() -> Vec<Lookup> {
    vec![
        lookup(
            "Active assignments of each user, for C3's \"any other Active assignment?\"",
            with_in(facts::ACTIVE_COUNTS_OF_USERS, 0, " GROUP BY user_id"),
            &["assignments_user_activity"],
        ),
        lookup(
            "Active assignments on the records",
            with_in(facts::ACTIVE_ON_RECORDS, 0, ""),
            &["assignments_record", "assignments_one_active"],
        ),
        lookup(
            "users with the persons' details and no person (C2 step 1)",
            with_in(
                &facts::UNLINKED_USERS_BY_EMAIL.replace("{USER_COLS}", rows::USER_COLS),
                0,
                facts::UNLINKED_USERS_TAIL,
            ),
            &["users_email"],
        ),
        lookup(
            "a user by its username, whatever its case (sign-in)",
            fixed(
                &format!("SELECT id FROM users WHERE {}", crate::users::BY_USERNAME),
                1,
            ),
            &["users_username_lower"],
        ),
        lookup(
            "open tasks on the records",
            with_in(facts::OPEN_TASKS_ON_RECORDS, 0, " ORDER BY id"),
            &["tasks_record"],
        ),
        lookup(
            "open checklists on the records",
            with_in(facts::OPEN_CHECKLISTS_ON_RECORDS, 0, " ORDER BY id"),
            &["checklists_record"],
        ),
        lookup(
            "persons of the records' Active assignments, role holders and open tasks",
            built(facts::concerned_persons_sql(Backend::Postgres, &["x", "y"])),
            &["assignments_record", "assignments_one_active"],
        ),
        lookup(
            "role holders of the records",
            with_in(facts::HOLDERS_ON_RECORDS, 1, ""),
            &["sharing"],
        ),
        listing(
            "an external user's records (every list an external user sees)",
            RecordFilter {
                shared_with: Some(portico_domain::UserId::new("usr_qp_1")),
                ..RecordFilter::default()
            },
            &["sharing_user"],
        ),
        listing(
            "a supplier's records in a state, newest first",
            RecordFilter {
                supplier: Some("org_qp_0".into()),
                state: Some("pending_response__c".into()),
                ..RecordFilter::default()
            },
            &["records_supplier"],
        ),
        listing(
            "the records of a contact",
            RecordFilter {
                collaborator: Some("per_qp_1".into()),
                ..RecordFilter::default()
            },
            &["record_collaborators_person"],
        ),
        lookup(
            "role of the user on the record (every read by an external user)",
            fixed(records::HAS_ROLE, 3),
            &["sharing"],
        ),
    ]
}

/// The lookups of SCIM lists (`/scim/v2/Users` with the filters identity providers send,
/// paged and sorted in the database; the batches of a filter it cannot decide). Their SQL
/// differs by backend (the order of `sortBy=userName`).
pub fn scim_lookups(backend: Backend) -> Vec<Lookup> {
    use crate::scim::{scim_after_sql, scim_page_sql, ScimOrder, ScimUserQuery, ScimWhere};
    let page = |name, condition, order, indexes| {
        let q = ScimUserQuery {
            condition,
            order,
            offset: 0,
            limit: 100,
        };
        lookup(name, scim_page_sql(backend, &q), indexes)
    };
    let x = || "x".to_string();
    let by_name = ScimOrder::UserName { descending: false };
    vec![
        page(
            "SCIM userName eq",
            ScimWhere::UserName(x()),
            ScimOrder::Any,
            &["users_username_lower"],
        ),
        page(
            "SCIM externalId eq",
            ScimWhere::ExternalId(x()),
            ScimOrder::Any,
            &["users_external_id"],
        ),
        page(
            "SCIM emails.value eq",
            ScimWhere::Email(x()),
            ScimOrder::Any,
            &["users_email"],
        ),
        page(
            "SCIM id eq",
            ScimWhere::Id(x()),
            ScimOrder::Any,
            &["users_pkey", "sqlite_autoindex_users_1"],
        ),
        page(
            "SCIM active eq, a page in creation order",
            ScimWhere::Active(true),
            ScimOrder::Created,
            &["users_status_created"],
        ),
        page(
            "SCIM list, a page in creation order",
            ScimWhere::All,
            ScimOrder::Created,
            &["users_created"],
        ),
        page(
            "SCIM list, a page by userName",
            ScimWhere::All,
            by_name,
            &["users_username_lower", "users_username_sort"],
        ),
        lookup(
            "SCIM batch of users after one (a filter decided over SCIM's JSON)",
            // Its creation time as a number: `explain` binds text.
            (
                scim_after_sql(500).replace("$1", "0").replace("$2", "$1"),
                vec![x()],
            ),
            &["users_created"],
        ),
    ]
}

impl Store {
    /// Runs a statement without parameters outside any use case (the seed's `ANALYZE`s and
    /// checkpoint; through [`Store::execute_raw`], tests' set-ups).
    pub(crate) async fn execute_unbound(&self, sql: &str) -> Result<()> {
        self.pool.execute(sql).await?;
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        Ok(())
    }
}
