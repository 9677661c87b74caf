//! `portico-bench measure`: what Portico's write paths cost next to the database's own limit for the
//! same rows, and how the rule lookups behave as the data grows. Prints a table and writes it
//! as JSON.
//!
//! Each measurement runs on a fresh database. "Baseline" writes the same rows as the service
//! (user, link, seat, role, assignment, task, emails, audit entries with their chain, record
//! state) with hand-written SQL, one transaction per record: what the database can do for that
//! work at best.

use std::time::{Duration, Instant};

use anyhow::Context;
use portico_domain::collab::ActionArgs;
use portico_domain::config::Config;
use portico_domain::UserId;
use portico_service::{
    Caller, OrganizationInput, PersonInput, Portico, RecordInput, RunMode, ServiceSettings,
};
use portico_store::{AuditEntry, SeedSpec, Store};
use serde_json::json;

/// What to run.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    /// Databases to run on (`sqlite://…` files are created; `postgres://…` gets a schema).
    pub databases: Vec<String>,
    /// Records per write measurement.
    pub ops: usize,
    /// The small and the large data set of the scale measurement.
    pub scale: (usize, usize),
}

/// One row of the table.
#[derive(Debug, Clone)]
pub struct Row {
    backend: String,
    name: String,
    value: f64,
    unit: &'static str,
    baseline: Option<f64>,
    ratio: Option<f64>,
    note: String,
}

fn now_ms() -> i64 {
    portico_service::now_ms()
}

async fn fresh(url: &str, label: &str) -> anyhow::Result<(Portico, Caller)> {
    let url = if url.starts_with("postgres") {
        let schema = format!("bench_{}_{}", label, uuid_like());
        let admin = Store::connect(url).await?;
        admin
            .execute_raw(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
            .await?;
        admin
            .execute_raw(&format!("CREATE SCHEMA {schema}"))
            .await?;
        admin.close().await;
        let sep = if url.contains('?') { '&' } else { '?' };
        format!("{url}{sep}options=-c%20search_path%3D{schema}")
    } else {
        let path = url.trim_start_matches("sqlite://");
        let file = format!("{path}.{label}.db");
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{file}{suffix}"));
        }
        format!("sqlite://{file}")
    };
    let store = portico::open_store(&url, true).await?;
    let app = Portico::new(
        store,
        Config::default_config().map_err(|e| anyhow::anyhow!("{e}"))?,
        ServiceSettings::default(),
    );
    app.bootstrap(Some("bench-admin-password"))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let admin = app
        .users_unchecked_by_username("admin")
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .context("admin")?;
    let caller = Caller::new(admin);
    app.set_seats(&caller, 100_000)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok((app, caller))
}

fn uuid_like() -> String {
    format!(
        "{:x}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    )
}

/// Draft SCARs, each naming a new contact of one supplier.
async fn drafts(
    app: &Portico,
    c: &Caller,
    n: usize,
    tag: &str,
) -> anyhow::Result<(String, Vec<(String, String)>)> {
    drafts_of(app, c, n, tag, None).await
}

/// Like [`drafts`], for an existing supplier when `org` is given.
async fn drafts_of(
    app: &Portico,
    c: &Caller,
    n: usize,
    tag: &str,
    org: Option<&str>,
) -> anyhow::Result<(String, Vec<(String, String)>)> {
    let e = |e: portico_service::ServiceError| anyhow::anyhow!("{e}");
    let org = match org {
        Some(id) => app.organization(c, id).await.map_err(e)?,
        None => app
            .create_organization(
                c,
                OrganizationInput {
                    name: Some(format!("Bench {tag}")),
                    status: None,
                },
            )
            .await
            .map_err(e)?,
    };
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let p = app
            .create_person(
                c,
                PersonInput {
                    first_name: Some(format!("B{i}")),
                    last_name: Some(tag.into()),
                    email: Some(format!("b{i}.{tag}@bench.example")),
                    organization: Some(Some(org.id.to_string())),
                    language: None,
                    timezone: None,
                },
            )
            .await
            .map_err(e)?;
        let r = app
            .create_record(
                c,
                "car__v",
                RecordInput {
                    name: Some(format!("SCAR-{tag}-{i}")),
                    object_type: None,
                    supplier: Some(Some(org.id.to_string())),
                    collaborators: Some(vec![p.id.to_string()]),
                    access_end_date: None,
                },
            )
            .await
            .map_err(e)?;
        out.push((r.record.id.to_string(), p.id.to_string()));
    }
    Ok((org.id.to_string(), out))
}

async fn timed<F, Fut>(n: usize, mut f: F) -> anyhow::Result<Duration>
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let start = Instant::now();
    for i in 0..n {
        f(i).await?;
    }
    Ok(start.elapsed())
}

/// Runs `action` on each record, one after the other; answers the time it took.
async fn act_on_each(
    app: &Portico,
    c: &Caller,
    records: &[(String, String)],
    action: &str,
) -> anyhow::Result<Duration> {
    let start = Instant::now();
    for (record, _) in records {
        app.run_action(
            c,
            "car__v",
            record,
            action,
            ActionArgs::default(),
            RunMode::Apply(None),
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    Ok(start.elapsed())
}

fn rate(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64()
}

/// Appends audit entries as the store does (chain head read, insert, head update).
async fn audit_sql(tx: &mut portico_store::Tx, entries: &[AuditEntry]) -> anyhow::Result<()> {
    for e in entries {
        tx.db().audit(e).await?;
    }
    Ok(())
}

fn entry(action: &str, object: &str, id: &str, record: &str, actor: &UserId) -> AuditEntry {
    AuditEntry {
        at: now_ms(),
        actor: Some(actor.to_string()),
        action: action.into(),
        object: object.into(),
        object_id: id.into(),
        record: Some(record.into()),
        after: Some(r#"{"status__v":"active__v"}"#.into()),
        cause: Some("bench".into()),
        ..AuditEntry::default()
    }
}

/// The activation baseline: the rows C2 writes for one record, by hand.
async fn baseline_activation(
    store: &Store,
    record: &str,
    person: &str,
    actor: &UserId,
    i: usize,
) -> anyhow::Result<()> {
    let uid = format!("usr_base_{record}");
    let mut tx = store.write().await?;
    tx.raw(
        "INSERT INTO users (id, username, first_name, last_name, email, status, license, security_profile, managed, person_id, language, created_at) \
         VALUES ($1, $2, 'B', 'Base', $3, 'active', 'external', 'external_collaborator', 1, $4, 'en', 0)",
        &[&uid, &format!("base{i}.{record}"), &format!("base{i}@bench.example"), person],
    )
    .await?;
    tx.raw(
        "UPDATE persons SET user_id = $1 WHERE id = $2",
        &[&uid, person],
    )
    .await?;
    tx.db().take_seats(&[UserId::new(uid.as_str())]).await?;
    tx.raw("INSERT INTO sharing (record_id, role, user_id, granted_at, granted_by) VALUES ($1, 'external_collaborator__v', $2, 0, $3)", &[record, &uid, actor.as_str()]).await?;
    tx.raw("INSERT INTO assignments (id, object, record_id, person_id, user_id, activity, activated_at) VALUES ($1, 'car__v', $2, $3, $4, 'active', 0)", &[&format!("asg_base_{record}"), record, person, &uid]).await?;
    tx.raw("INSERT INTO tasks (id, record_id, assignee_id, person_id, state, label, instructions, status, due_at, created_at) VALUES ($1, $2, $3, $4, 'pending_response__c', 'Respond', 'Respond', 'open', 0, 0)", &[&format!("tsk_base_{record}"), record, &uid, person]).await?;
    for kind in ["welcome", "task"] {
        tx.raw(
            "INSERT INTO outbox (id, to_address, user_id, record_id, template, subject, body, html, status, attempts, next_attempt_at, created_at) \
             VALUES ($1, 'b@bench.example', $2, $3, $4, 'subject', 'body', '<p>body</p>', 'pending', 0, 0, 0)",
            &[&format!("eml_{kind}_{record}"), &uid, record, kind],
        )
        .await?;
    }
    tx.raw("INSERT INTO password_tokens (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, 0, 1)", &[&format!("tok_{record}"), &uid]).await?;
    tx.raw(
        "UPDATE records SET state = 'pending_response__c', updated_at = 1 WHERE id = $1",
        &[record],
    )
    .await?;
    let e: Vec<AuditEntry> = [
        "user.created",
        "user.activated",
        "sharing.granted",
        "assignment.activated",
        "task.created",
        "record.state_changed",
        "email.queued",
        "email.queued",
        "action",
    ]
    .iter()
    .map(|a| entry(a, "car__v", record, record, actor))
    .collect();
    audit_sql(&mut tx, &e).await?;
    tx.commit().await?;
    Ok(())
}

/// The inactivation baseline: the rows C3 writes for one record's last collaborator.
async fn baseline_inactivation(store: &Store, record: &str, actor: &UserId) -> anyhow::Result<()> {
    let uid = format!("usr_base_{record}");
    let mut tx = store.write().await?;
    tx.raw(
        "UPDATE assignments SET activity = 'inactive', inactivated_at = 1 WHERE id = $1",
        &[&format!("asg_base_{record}")],
    )
    .await?;
    tx.db().free_seats(&[UserId::new(uid.as_str())]).await?;
    tx.raw(
        "UPDATE users SET status = 'inactive' WHERE id = $1",
        &[&uid],
    )
    .await?;
    tx.raw("DELETE FROM sessions WHERE user_id = $1", &[&uid])
        .await?;
    tx.raw(
        "UPDATE tasks SET status = 'cancelled' WHERE record_id = $1 AND status = 'open'",
        &[record],
    )
    .await?;
    tx.raw(
        "INSERT INTO outbox (id, to_address, user_id, record_id, template, subject, body, html, status, attempts, next_attempt_at, created_at) \
         VALUES ($1, 'b@bench.example', $2, $3, 'goodbye', 'subject', 'body', '<p>body</p>', 'pending', 0, 0, 0)",
        &[&format!("eml_bye_{record}"), &uid, record],
    )
    .await?;
    tx.raw(
        "UPDATE records SET state = 'cancelled__c', updated_at = 2 WHERE id = $1",
        &[record],
    )
    .await?;
    let e: Vec<AuditEntry> = [
        "task.cancelled",
        "user.inactivated",
        "assignment.inactivated",
        "record.state_changed",
        "email.queued",
        "action",
    ]
    .iter()
    .map(|a| entry(a, "car__v", record, record, actor))
    .collect();
    audit_sql(&mut tx, &e).await?;
    tx.commit().await?;
    Ok(())
}

fn row(
    backend: &str,
    name: &str,
    value: f64,
    unit: &'static str,
    baseline: Option<f64>,
    note: &str,
) -> Row {
    let ratio = baseline.map(|b| value / b);
    Row {
        backend: backend.into(),
        name: name.into(),
        value,
        unit,
        baseline,
        ratio,
        note: note.into(),
    }
}

/// Runs everything on one database.
async fn run_on(url: &str, opts: &BenchOptions) -> anyhow::Result<Vec<Row>> {
    let backend = if url.starts_with("postgres") {
        "postgres"
    } else {
        "sqlite"
    };
    let e = |e: portico_service::ServiceError| anyhow::anyhow!("{e}");
    let n = opts.ops;
    let mut rows = vec![];

    // Activation and inactivation: service, then baseline, on the same database.
    let (app, c) = fresh(url, "writes").await?;
    let (_, service_recs) = drafts(&app, &c, n, "svc").await?;
    let (_, base_recs) = drafts(&app, &c, n, "base").await?;
    let send = "change_state_to_pending_response__c";
    let d = act_on_each(&app, &c, &service_recs[..n], send).await?;
    let store = app.store().clone();
    let actor = c.user.id.clone();
    let b = timed(n, |i| {
        let (store, actor, (r, p)) = (&store, &actor, base_recs[i].clone());
        async move { baseline_activation(store, &r, &p, actor, i).await }
    })
    .await?;
    rows.push(row(
        backend,
        "activation (records/s)",
        rate(n, d),
        "/s",
        Some(rate(n, b)),
        "C2: user, seat, role, assignment, task, 2 emails, 9 audit entries",
    ));
    let cancel = "change_state_to_cancelled__c";
    let d = act_on_each(&app, &c, &service_recs[..n], cancel).await?;
    let b = timed(n, |i| {
        let (store, actor, r) = (&store, &actor, base_recs[i].0.clone());
        async move { baseline_inactivation(store, &r, actor).await }
    })
    .await?;
    rows.push(row(
        backend,
        "inactivation (records/s)",
        rate(n, d),
        "/s",
        Some(rate(n, b)),
        "C3: assignment, user, seat, task, Goodbye, 6 audit entries",
    ));

    // Reassign: one active collaborator handed to a new contact; the baseline writes both
    // halves (the inactivation and the activation rows).
    let (re_org, reassign_recs) = drafts(&app, &c, n, "re").await?;
    let (_, spare) = drafts_of(&app, &c, n, "spare", Some(&re_org)).await?;
    let (_, base2) = drafts(&app, &c, n, "base2").await?;
    for (r, _) in &reassign_recs {
        app.run_action(
            &c,
            "car__v",
            r,
            send,
            ActionArgs::default(),
            RunMode::Apply(None),
        )
        .await
        .map_err(e)?;
    }
    let d = timed(n, |i| {
        let (app, c, r, to) = (&app, &c, reassign_recs[i].0.clone(), spare[i].1.clone());
        async move {
            let args = ActionArgs {
                to: Some(portico_domain::PersonId::new(to)),
                ..ActionArgs::default()
            };
            app.run_action(
                c,
                "car__v",
                &r,
                "reassign_external_collaborator__v",
                args,
                RunMode::Apply(None),
            )
            .await
            .map(|_| ())
            .map_err(e)
        }
    })
    .await?;
    let b = timed(n, |i| {
        let (store, actor, (r, p)) = (&store, &actor, base2[i].clone());
        async move {
            baseline_activation(store, &r, &p, actor, i + 1_000_000).await?;
            baseline_inactivation(store, &r, actor).await
        }
    })
    .await?;
    rows.push(row(
        backend,
        "reassign (records/s)",
        rate(n, d),
        "/s",
        Some(rate(n, b)),
        "C5: prior released, new one created and activated",
    ));

    // Bulk: one call on 500 records, against 500 single actions; three of each, alternating,
    // and the medians (one bulk is a single sample of a third of a second).
    let (mut bulks, mut singles) = (vec![], vec![]);
    for rep in 0..3 {
        let (_, bulk_recs) = drafts(&app, &c, 500, &format!("bulk{rep}")).await?;
        let (_, single_recs) = drafts(&app, &c, 500, &format!("single{rep}")).await?;
        let ids: Vec<String> = bulk_recs.iter().map(|(r, _)| r.clone()).collect();
        let start = Instant::now();
        app.run_bulk(
            &c,
            "car__v",
            send,
            &ids,
            ActionArgs::default(),
            RunMode::Apply(None),
        )
        .await
        .map_err(e)?;
        bulks.push(start.elapsed());
        singles.push(act_on_each(&app, &c, &single_recs[..500], send).await?);
    }
    bulks.sort();
    singles.sort();
    rows.push(row(
        backend,
        "bulk of 500 (ms)",
        bulks[1].as_secs_f64() * 1000.0,
        "ms",
        Some(singles[1].as_secs_f64() * 1000.0),
        "baseline: 500 single actions (medians of 3)",
    ));
    app.store().close().await;

    // Scale: the decision and one activation at the small and at the large size.
    let (app, c) = fresh(url, "scale").await?;
    let mut per_size = vec![];
    let mut seeded = 0;
    for (k, size) in [opts.scale.0, opts.scale.1].into_iter().enumerate() {
        let started = Instant::now();
        app.store()
            .seed(
                SeedSpec {
                    records: size - seeded,
                    persons: ((size - seeded) / 20).max(50),
                },
                &format!("s{k}"),
                now_ms(),
            )
            .await?;
        let seed_time = started.elapsed();
        settle(app.store()).await;
        seeded = size;
        let some_user = UserId::new("usr_s0_1");
        // Five batches of a thousand decisions; the median batch (a few microseconds each,
        // so one batch is easily disturbed).
        let mut batches = vec![];
        for _ in 0..5 {
            let decisions = 1000;
            let start = Instant::now();
            for _ in 0..decisions {
                let mut r = app.store().read().await?;
                r.db()
                    .active_assignment_counts(std::slice::from_ref(&some_user))
                    .await?;
            }
            batches.push(start.elapsed().as_secs_f64() * 1e6 / decisions as f64);
        }
        batches.sort_by(f64::total_cmp);
        let decision_us = batches[2];
        // A few untimed activations first: the first ones after seeding pay for pages that
        // are not in the cache yet, at either size.
        let (warm, timed) = (20, 200);
        let (_, recs) = drafts(&app, &c, warm + timed, &format!("scale{k}")).await?;
        act_on_each(&app, &c, &recs[..warm], send).await?;
        let d = act_on_each(&app, &c, &recs[warm..], send).await?;
        let activation_ms = d.as_secs_f64() * 1000.0 / timed as f64;
        println!(
            "  {backend}: {size} records seeded in {:.1} s",
            seed_time.as_secs_f64()
        );
        per_size.push((size, decision_us, activation_ms, seed_time));
    }
    let (small, large) = (per_size[0], per_size[1]);
    rows.push(row(
        backend,
        &format!("decision at {} records (µs)", large.0),
        large.1,
        "µs",
        Some(small.1),
        &format!("baseline: at {} records", small.0),
    ));
    rows.push(row(
        backend,
        &format!("activation at {} records (ms)", large.0),
        large.2,
        "ms",
        Some(small.2),
        &format!("baseline: at {} records", small.0),
    ));
    rows.push(row(
        backend,
        &format!("seed {} records (s)", large.0 - small.0),
        large.3.as_secs_f64(),
        "s",
        None,
        "portico seed, batched inserts",
    ));
    app.store().close().await;
    Ok(rows)
}

/// Lets the machine finish writing a load out before anything is timed: a gigabyte just
/// written keeps the kernel's writeback (and PostgreSQL's checkpointer) busy on the same two
/// cores for a while, which showed as a slower second size in the scale rows.
async fn settle(store: &Store) {
    if store.backend() == portico_store::Backend::Postgres {
        // Needs a superuser; without one the settling is only the sync below.
        let _ = store.execute_raw("CHECKPOINT").await;
    }
    let _ = std::process::Command::new("sync").status();
    tokio::time::sleep(Duration::from_secs(2)).await;
}

/// Runs the benchmarks, prints the table, and answers it as JSON.
pub async fn run(opts: &BenchOptions) -> anyhow::Result<serde_json::Value> {
    let mut all = vec![];
    for url in &opts.databases {
        println!("running on {} …", portico::redact(url));
        all.extend(run_on(url, opts).await?);
    }
    println!(
        "\n{:<10} {:<36} {:>12} {:>12} {:>7}  note",
        "backend", "measure", "value", "baseline", "ratio"
    );
    for r in &all {
        println!(
            "{:<10} {:<36} {:>12.1} {:>12} {:>7}  {}",
            r.backend,
            r.name,
            r.value,
            r.baseline.map_or("-".to_string(), |b| format!("{b:.1}")),
            r.ratio.map_or("-".to_string(), |x| format!("{x:.2}")),
            r.note
        );
    }
    Ok(json!({
        "machine": machine(),
        "ops": opts.ops,
        "rows": all.iter().map(|r| json!({
            "backend": r.backend, "measure": r.name, "value": r.value, "unit": r.unit,
            "baseline": r.baseline, "ratio": r.ratio, "note": r.note,
        })).collect::<Vec<_>>(),
    }))
}

/// A line about the machine, for the README table.
pub fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    format!("{cores} cores, {cpu}")
}
