//! A data generator for benchmarks and trials: a realistic spread of suppliers, contacts,
//! users, records of all five types in every state, assignments, sharing, tasks and audit
//! entries, written with multi-row inserts in large transactions (a million records in
//! minutes). It writes rows directly, keeping every invariant the rules keep: a managed user
//! is active exactly when it has an Active assignment, the pool counts the active users, and
//! the audit chain holds.

use crate::audit::AuditEntry;
use crate::batch::V;
use crate::records::{ASSIGNMENT_COLS, SHARING_COLS};
use crate::tasks::TASK_INSERT_COLS;
use crate::users::USER_INSERT_COLS;
use crate::{rows, Result, Store};

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct SeedSpec {
    /// Records to add.
    pub records: usize,
    /// Persons (contacts) to add.
    pub persons: usize,
}

/// What was generated.
#[derive(Debug, Clone, Copy, Default)]
pub struct SeedReport {
    /// Organizations.
    pub organizations: usize,
    /// Persons.
    pub persons: usize,
    /// External users.
    pub users: usize,
    /// Of them active.
    pub active_users: usize,
    /// Records.
    pub records: usize,
    /// Assignments.
    pub assignments: usize,
    /// Audit entries.
    pub audit_entries: usize,
}

const TYPES: [(&str, &str); 5] = [
    ("car__v", "scar__v"),
    ("ncr__v", "supplier_ncr__v"),
    ("audit__qdm", "supplier_audit__qdm"),
    ("change_control__v", "supplier_change__v"),
    ("inspection__v", "coa_inspection__v"),
];

/// Out of 20: 4 draft, 4 pending response, 2 in review, 8 closed, 2 cancelled.
fn state_of(i: usize) -> &'static str {
    match i % 20 {
        0..=3 => "draft__c",
        4..=7 => "pending_response__c",
        8..=9 => "in_review__c",
        10..=17 => "closed__c",
        _ => "cancelled__c",
    }
}

struct Batch {
    table: &'static str,
    cols: &'static [&'static str],
    rows: Vec<Vec<V>>,
}

impl Batch {
    fn new(table: &'static str, cols: &'static [&'static str]) -> Self {
        Batch {
            table,
            cols,
            rows: Vec::new(),
        }
    }
}

impl Store {
    /// Adds `spec` to the database. Ids are derived from `tag` so that several seeds can be
    /// added to one database.
    pub async fn seed(&self, spec: SeedSpec, tag: &str, now: i64) -> Result<SeedReport> {
        let persons = spec.persons.max(1);
        let orgs = (persons / 12).max(3);
        let mut report = SeedReport {
            organizations: orgs,
            persons,
            ..SeedReport::default()
        };
        let admin: String = {
            let mut r = self.read().await?;
            let row = sqlx::query("SELECT id FROM users WHERE username = 'admin'")
                .fetch_one(&mut *r.conn)
                .await?;
            rows::get(&row, "id")?
        };
        // Suppliers of different sizes: the first organizations get most contacts.
        let org_of = |p: usize| ((p as f64 / persons as f64).powi(2) * orgs as f64) as usize % orgs;
        let has_user = |p: usize| !p.is_multiple_of(5);
        let mut orgs_b = Batch::new("organizations", &["id", "name", "status", "created_at"]);
        for o in 0..orgs {
            orgs_b.rows.push(vec![
                V::T(format!("org_{tag}_{o}")),
                V::T(format!("Supplier {tag}-{o}")),
                V::T("active__v".into()),
                V::I(now),
            ]);
        }
        // Records first in memory: they decide which users are active.
        let mut active_user = vec![false; persons];
        let mut recs = Batch::new(
            "records",
            &[
                "id",
                "object",
                "object_type",
                "name",
                "state",
                "supplier_id",
                "created_by",
                "created_at",
                "updated_at",
                "deleted",
                "collaborators",
            ],
        );
        let mut collabs = Batch::new(
            "record_collaborators",
            &["record_id", "person_id", "position"],
        );
        let mut sharing = Batch::new("sharing", SHARING_COLS);
        let mut asg = Batch::new("assignments", ASSIGNMENT_COLS);
        let mut tasks = Batch::new("tasks", TASK_INSERT_COLS);
        let mut audit: Vec<AuditEntry> = Vec::new();
        for r in 0..spec.records {
            let (object, object_type) = TYPES[r % 5];
            let mut p = (r.wrapping_mul(7919)) % persons;
            let mut state = state_of(r / 5);
            if state != "draft__c" && !has_user(p) {
                p = (p + 1) % persons;
                if !has_user(p) {
                    state = "draft__c";
                }
            }
            let rid = format!("rec_{tag}_{r}");
            let pid = format!("per_{tag}_{p}");
            let uid = format!("usr_{tag}_{p}");
            let at = now - (spec.records - r) as i64 * 1000;
            recs.rows.push(vec![
                V::T(rid.clone()),
                V::T(object.into()),
                V::T(object_type.into()),
                V::T(format!(
                    "{}-{tag}-{r}",
                    object_type
                        .trim_end_matches("__v")
                        .trim_end_matches("__qdm")
                        .to_uppercase()
                )),
                V::T(state.into()),
                V::T(format!("org_{tag}_{}", org_of(p))),
                V::T(admin.clone()),
                V::I(at),
                V::I(at),
                V::I(0),
                V::T(pid.clone()),
            ]);
            collabs
                .rows
                .push(vec![V::T(rid.clone()), V::T(pid.clone()), V::I(0)]);
            audit.push(AuditEntry {
                at,
                actor: Some(admin.clone()),
                action: "record.created".into(),
                object: object.into(),
                object_id: rid.clone(),
                record: Some(rid.clone()),
                cause: Some("seed".into()),
                ..AuditEntry::default()
            });
            if state == "draft__c" {
                continue;
            }
            let open = matches!(state, "pending_response__c" | "in_review__c");
            sharing.rows.push(vec![
                V::T(rid.clone()),
                V::T("external_collaborator__v".into()),
                V::T(uid.clone()),
                V::I(at),
                V::T(admin.clone()),
            ]);
            asg.rows.push(vec![
                V::T(format!("asg_{tag}_{r}")),
                V::T(object.into()),
                V::T(rid.clone()),
                V::T(pid),
                V::T(uid.clone()),
                V::T(if open { "active" } else { "inactive" }.into()),
                V::I(at),
                if open { V::NI } else { V::I(at + 500) },
                V::T(admin.clone()),
            ]);
            report.assignments += 1;
            if open {
                active_user[p] = true;
            }
            if state == "pending_response__c" {
                tasks.rows.push(vec![
                    V::T(format!("tsk_{tag}_{r}")),
                    V::T(rid),
                    V::T(uid),
                    V::T(format!("per_{tag}_{p}")),
                    V::T(state.into()),
                    V::T("Respond".into()),
                    V::T("Respond to the request.".into()),
                    V::T("open".into()),
                    V::I(at + 14 * 86_400_000),
                    V::I(at),
                ]);
            }
        }
        let mut persons_b = Batch::new(
            "persons",
            &[
                "id",
                "first_name",
                "last_name",
                "email",
                "organization_id",
                "language",
                "user_id",
                "created_at",
            ],
        );
        let mut users_b = Batch::new("users", USER_INSERT_COLS);
        #[allow(clippy::needless_range_loop)]
        for p in 0..persons {
            let email = format!("p{p}.{tag}@s{}.example", org_of(p));
            persons_b.rows.push(vec![
                V::T(format!("per_{tag}_{p}")),
                V::T(format!("First{p}")),
                V::T(format!("Last{p}")),
                V::T(email.clone()),
                V::T(format!("org_{tag}_{}", org_of(p))),
                V::T("en".into()),
                if has_user(p) {
                    V::T(format!("usr_{tag}_{p}"))
                } else {
                    V::N
                },
                V::I(now),
            ]);
            if has_user(p) {
                report.users += 1;
                report.active_users += usize::from(active_user[p]);
                users_b.rows.push(vec![
                    V::T(format!("usr_{tag}_{p}")),
                    V::T(email.clone()),
                    V::T(format!("First{p}")),
                    V::T(format!("Last{p}")),
                    V::T(email),
                    V::T(if active_user[p] { "active" } else { "inactive" }.into()),
                    V::T("external".into()),
                    V::T("external_collaborator".into()),
                    V::I(1),
                    V::T(format!("per_{tag}_{p}")),
                    V::T("en".into()),
                    V::N,
                    V::I(now),
                ]);
                if active_user[p] {
                    audit.push(AuditEntry {
                        at: now,
                        actor: Some(admin.clone()),
                        action: "user.activated".into(),
                        object: "user".into(),
                        object_id: format!("usr_{tag}_{p}"),
                        user: Some(format!("usr_{tag}_{p}")),
                        person: Some(format!("per_{tag}_{p}")),
                        cause: Some("seed".into()),
                        ..AuditEntry::default()
                    });
                }
            }
        }
        report.records = spec.records;
        report.audit_entries = audit.len();
        // Users before persons (persons.user_id refers to users), persons before records.
        for batch in [
            orgs_b, users_b, persons_b, recs, collabs, sharing, asg, tasks,
        ] {
            self.insert_batch(batch).await?;
        }
        self.append_audit(audit).await?;
        // The pool's slots: the active external users hold one each; seats grow to the next
        // bundle.
        let mut tx = self.write().await?;
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM users WHERE status = 'active' AND license = 'external'",
        )
        .fetch_one(&mut *tx.tx)
        .await?;
        let active: i64 = rows::get(&row, "n")?;
        let row = sqlx::query("SELECT COUNT(*) AS n FROM license_seats")
            .fetch_one(&mut *tx.tx)
            .await?;
        let had: i64 = rows::get(&row, "n")?;
        let seats = if active <= 10 {
            10
        } else {
            ((active + 99) / 100).max(1) * 100
        }
        .max(active)
        .max(had);
        tx.db().seed_slots(seats, active).await?;
        tx.commit().await?;
        // Fresh statistics, as autovacuum (PostgreSQL) or `PRAGMA optimize` (SQLite) would
        // gather soon after such a load; without them the planner guesses.
        // (Table by table: a bare ANALYZE on PostgreSQL covers every schema of the database.)
        for table in [
            "organizations",
            "persons",
            "users",
            "records",
            "record_collaborators",
            "sharing",
            "assignments",
            "tasks",
            "audit_trail",
        ] {
            self.execute_unbound(&format!("ANALYZE {table}")).await?;
        }
        if self.backend() == crate::Backend::Sqlite {
            // Move the load from the write-ahead log into the database file now, rather than
            // in the middle of the first requests that follow.
            self.execute_unbound("PRAGMA wal_checkpoint(TRUNCATE)")
                .await?;
        }
        Ok(report)
    }

    async fn insert_batch(&self, batch: Batch) -> Result<()> {
        // A transaction per 20 000 rows: few commits, and no transaction so big that the
        // journal balloons.
        let mut rows = batch.rows.into_iter().peekable();
        while rows.peek().is_some() {
            let chunk: Vec<Vec<V>> = rows.by_ref().take(20_000).collect();
            let mut tx = self.write().await?;
            tx.db().insert_rows(batch.table, batch.cols, chunk).await?;
            tx.commit().await?;
        }
        Ok(())
    }

    async fn append_audit(&self, entries: Vec<AuditEntry>) -> Result<()> {
        // Sealed as they are written: a server started on a seeded database then has no
        // backlog of a million entries to chain before its caches settle. Each chunk with the
        // chain head in one transaction: the chain is never left forked.
        for chunk in entries.chunks(20_000) {
            let mut tx = self.write().await?;
            tx.db().audit_all_sealed(chunk).await?;
            tx.commit().await?;
        }
        Ok(())
    }
}
