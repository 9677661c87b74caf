//! Bulk lifecycle actions: one action on up to 500 records, each record all-or-nothing.
//!
//! A bulk works in rounds. A round locks its records, loads the facts of all of them in a dozen
//! statements, decides record after record in the order given — each plan's effects (users
//! made and activated, assignments, seats, usernames) carried into the facts the next record
//! is decided from (`Facts::absorb`) — and writes every plan in a few multi-row statements. A
//! plan that would change the status or link of a user an earlier plan of the round already
//! changed ends the round; it and the records after it go to the next, which is decided from
//! what the round wrote. If a round's write fails (a pool filled by someone else meanwhile),
//! its records are run one by one.
//!
//! The action commits each round in a transaction of its own. Its preview (a dry run, rule C7)
//! is the same rounds in one transaction that is rolled back: see [`Portico::preview_bulk`].

use std::collections::{BTreeMap, BTreeSet};

use portico_domain::collab::{self, ActionArgs};
use portico_domain::{PersonId, RecordId, UserId};
use portico_store::{Db, Signed, Tx, Writes};

use crate::records::{action_entry, not_found, require_all_found, ActionOutcome, RunMode};
use crate::retry::retrying;
use crate::signatures::{Signer, Signing};
use crate::snapshot::On;
use crate::{now_ms, Caller, Portico, ServiceError, ServiceResult};

/// Most records one bulk call may name.
pub const BULK_LIMIT: usize = 500;

type Outcomes = Vec<(String, ServiceResult<ActionOutcome>)>;

impl Portico {
    /// `POST /api/v1/vobjects/{object}/actions/{action}`: the result of each record, in the
    /// order given.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id, object = object, action = action, records = ids.len(), dry_run = mode.is_dry_run()))]
    pub async fn run_bulk(
        &self,
        caller: &Caller,
        object: &str,
        action: &str,
        ids: &[String],
        args: ActionArgs,
        mode: RunMode,
    ) -> ServiceResult<Outcomes> {
        let dry_run = mode.is_dry_run();
        let target = self.target(object)?;
        caller.require_internal()?;
        if ids.is_empty() {
            return Err(ServiceError::ParameterRequired(
                "\"ids\": name at least one record".into(),
            ));
        }
        if ids.len() > BULK_LIMIT {
            return Err(ServiceError::InvalidData(
                format!(
                    "a bulk action takes at most {BULK_LIMIT} records; {} were given",
                    ids.len()
                )
                .into(),
            ));
        }
        let mut seen = BTreeSet::new();
        if let Some(dup) = ids.iter().find(|id| !seen.insert(id.as_str())) {
            return Err(ServiceError::InvalidData(
                format!("record {dup} is named twice").into(),
            ));
        }
        // One signature for the batch, recorded on each record it changes.
        let signer = self
            .action_signer(caller, object, ids, action, &mode)
            .await?;
        let signer = signer.as_ref();
        let on = On {
            caller,
            target,
            dry_run,
        };
        if dry_run {
            return retrying(|| self.preview_bulk(on, action, ids, &args)).await;
        }
        let mut results: BTreeMap<String, ServiceResult<ActionOutcome>> = BTreeMap::new();
        let mut pending: Vec<String> = ids.to_vec();
        while !pending.is_empty() {
            // A round is all-or-nothing: one that collided is run again whole.
            let round = retrying(|| self.bulk_round(on, action, &args, signer, &pending)).await?;
            let (done, deferred) = match round {
                Round::Written { done, deferred } => (done, deferred),
                Round::Failed { retry, deferred } => (
                    self.one_by_one(on, action, &args, signer, &retry).await?,
                    deferred,
                ),
            };
            results.extend(done);
            pending = deferred;
        }
        Ok(in_order(ids, results))
    }

    /// One round: records decided in order and written together, up to the first whose plan
    /// would change a user an earlier plan of the round changed; it and the rest are answered
    /// as deferred. If anything of the round fails, nothing of it is kept and its records are
    /// answered as to be run one by one, where a failure is that record's alone.
    async fn bulk_round(
        &self,
        on: On<'_>,
        action: &str,
        args: &ActionArgs,
        signer: Option<&Signer>,
        ids: &[String],
    ) -> ServiceResult<Round> {
        let mut tx = self.write_as(on.caller).await?;
        let decided = self
            .decide_round(&mut tx.db(), on, action, args, signer, ids)
            .await;
        let written = match decided {
            Ok((done, deferred, w)) => {
                // Seats the round freed go to the oldest waiting collaborators, in the round.
                let written = match tx.db().write(w).await {
                    Ok(()) => self.serve_waitlist(&mut tx.db(), on.caller).await,
                    Err(e) => Err(e.into()),
                };
                match written {
                    Ok(()) => Ok((done, deferred)),
                    Err(e) => Err((e, done.into_iter().map(|(id, _)| id).collect(), deferred)),
                }
            }
            Err(e) => Err((e, ids.to_vec(), vec![])),
        };
        match written {
            Ok((done, deferred)) => {
                tx.commit().await?;
                Ok(Round::Written { done, deferred })
            }
            Err((e, retry, deferred)) => {
                tracing::info!(error = %e, "bulk round could not be done at once; running its records one by one");
                tx.rollback().await?;
                Ok(Round::Failed { retry, deferred })
            }
        }
    }

    /// Decides the records of a round in order; answers their outcomes, the records deferred
    /// to the next round, and the writes.
    async fn decide_round(
        &self,
        db: &mut Db<'_>,
        on: On<'_>,
        action: &str,
        args: &ActionArgs,
        signer: Option<&Signer>,
        ids: &[String],
    ) -> ServiceResult<(Outcomes, Vec<String>, Writes)> {
        let object = on.target.object.as_str();
        let wanted: Vec<RecordId> = ids.iter().map(|id| RecordId::new(id.as_str())).collect();
        let mut records = db.lock_records(object, &wanted).await?;
        let extra: Vec<PersonId> = args.to.iter().cloned().collect();
        let now = now_ms();
        let mut w = Writes::new(now, &on.caller.user.id, crate::new_id);
        let mut done: Outcomes = Vec::with_capacity(ids.len());
        if let Err(e) = require_all_found(db, &extra).await {
            for id in ids {
                let err = match records.contains_key(&RecordId::new(id.as_str())) {
                    true => e.clone(),
                    false => not_found(object, id),
                };
                done.push((id.clone(), Err(err)));
            }
            return Ok((done, vec![], w));
        }
        let found: Vec<_> = records.values().collect();
        let mut facts = self.load_facts(db, &found, &extra).await?;
        let creators: Vec<UserId> = records.values().map(|r| r.created_by.clone()).collect();
        let sources = self.email_sources(db, on.target, &creators).await?;
        let mut changed_users: BTreeSet<UserId> = BTreeSet::new();
        let mut deferred = vec![];
        for (k, id) in ids.iter().enumerate() {
            let Some(record) = records.remove(&RecordId::new(id.as_str())) else {
                done.push((id.clone(), Err(not_found(object, id))));
                continue;
            };
            let needed = on.target.lifecycle.signature_for(&record.state, action);
            let signer = match on.dry_run {
                true => None,
                false => match Signing::Checked(signer).for_record(needed, &record, action) {
                    Ok(signer) => signer,
                    Err(e) => {
                        done.push((id.clone(), Err(e)));
                        continue;
                    }
                },
            };
            let required = needed.map(|m| m.as_str().to_string());
            let people = facts.people(&record, &extra);
            let before = record.clone();
            let decided = self.decide(on, record, people, facts.pool(), now, |snap, ctx| {
                collab::run_action(snap, action, args, ctx)
            });
            let (plan, after) = match decided {
                Ok(decided) => decided,
                Err(e) => {
                    done.push((id.clone(), Err(e)));
                    continue;
                }
            };
            let rendered = match self.render(&sources, &plan, &after) {
                Ok(rendered) => rendered,
                Err(e) => {
                    done.push((id.clone(), Err(e)));
                    continue;
                }
            };
            if !facts.absorb(&plan, &mut changed_users) {
                // This record and every one after it wait for the next round, so that the
                // records are still decided in the order given. (The first plan of a round has
                // nothing to conflict with: every round decides at least one record.)
                deferred.extend(ids[k..].iter().cloned());
                break;
            }
            self.add_to_writes(&mut w, &plan, &after, rendered);
            w.audit(action_entry(on.caller, action, &before, &after, now));
            if let Some(signer) = signer {
                let row = signer.row(on.caller, &after, Signed::Action(action.to_string()), None);
                w.audit(signer.audit(&row, now));
                w.sign(row);
            }
            done.push((
                id.clone(),
                Ok(ActionOutcome {
                    plan,
                    dry_run: on.dry_run,
                    record: after,
                    signature_required: required,
                }),
            ));
        }
        Ok((done, deferred, w))
    }

    /// Runs each record as a single action in a transaction of its own.
    async fn one_by_one(
        &self,
        on: On<'_>,
        action: &str,
        args: &ActionArgs,
        signer: Option<&Signer>,
        ids: &[String],
    ) -> ServiceResult<Outcomes> {
        let mut results = Vec::with_capacity(ids.len());
        for id in ids {
            let outcome = retrying(|| self.single(on, id, action, args, signer)).await;
            results.push((id.clone(), outcome));
        }
        Ok(results)
    }

    /// One record's action in a transaction of its own.
    async fn single(
        &self,
        on: On<'_>,
        id: &str,
        action: &str,
        args: &ActionArgs,
        signer: Option<&Signer>,
    ) -> ServiceResult<ActionOutcome> {
        let mut tx = self.write_as(on.caller).await?;
        let outcome = self
            .action_in(&mut tx.db(), on, id, action, args, Signing::Checked(signer))
            .await;
        match &outcome {
            Ok(_) => tx.commit().await?,
            Err(_) => tx.rollback().await?,
        }
        outcome
    }

    /// A dry run: the action's rounds (`decide_round`, the same decisions from the same
    /// facts), in one transaction rolled back at the end. A round is written only when another
    /// round follows, whose records must see it; so the preview of a bulk of one round — one
    /// that changes no user twice, the usual case — writes nothing, and on SQLite reads in a
    /// transaction of its own beside the writer (`Store::preview`), as a single dry run does.
    /// A bulk that needs a second round starts over on the write path (SQLite's first write in
    /// a reading transaction fails if anyone has written since it began).
    async fn preview_bulk(
        &self,
        on: On<'_>,
        action: &str,
        ids: &[String],
        args: &ActionArgs,
    ) -> ServiceResult<Outcomes> {
        let tx = self.store.preview().await?;
        if let Some(outcomes) = self.preview_in(tx, on, action, args, ids).await? {
            return Ok(outcomes);
        }
        let tx = self.write_as(on.caller).await?;
        self.preview_in(tx, on, action, args, ids)
            .await?
            .ok_or_else(|| ServiceError::broken("a write transaction could not write"))
    }

    /// The rounds of a preview in `tx`, which is rolled back; `None` when a round must be
    /// written and `tx` cannot write.
    async fn preview_in(
        &self,
        mut tx: Tx,
        on: On<'_>,
        action: &str,
        args: &ActionArgs,
        ids: &[String],
    ) -> ServiceResult<Option<Outcomes>> {
        let mut results = BTreeMap::new();
        let mut pending: Vec<String> = ids.to_vec();
        while !pending.is_empty() {
            let (mut done, deferred, w) = self
                .decide_round(&mut tx.db(), on, action, args, None, &pending)
                .await?;
            if !deferred.is_empty() {
                if !tx.can_write() {
                    tx.rollback().await?;
                    return Ok(None);
                }
                // As the action's round: written whole, or else its records one by one.
                let mut sp = tx.savepoint().await?;
                let written = sp.db().write(w).await;
                match written {
                    Ok(()) => sp.commit().await?,
                    Err(e) => {
                        tracing::info!(error = %e, "bulk preview round could not be written at once; running its records one by one");
                        sp.rollback().await?;
                        let retry: Vec<String> = done.into_iter().map(|(id, _)| id).collect();
                        done = self
                            .preview_one_by_one(&mut tx, on, action, args, &retry)
                            .await?;
                    }
                }
            }
            results.extend(done);
            pending = deferred;
        }
        tx.rollback().await?;
        Ok(Some(in_order(ids, results)))
    }

    /// [`Portico::one_by_one`] inside a preview: each record written under a savepoint of its
    /// own, kept for the records after it, and all rolled back with the preview.
    async fn preview_one_by_one(
        &self,
        tx: &mut Tx,
        on: On<'_>,
        action: &str,
        args: &ActionArgs,
        ids: &[String],
    ) -> ServiceResult<Outcomes> {
        let write = On {
            dry_run: false,
            ..on
        };
        let mut results = Vec::with_capacity(ids.len());
        for id in ids {
            let mut sp = tx.savepoint().await?;
            let mut outcome = self
                .action_in(&mut sp.db(), write, id, action, args, Signing::Preview)
                .await;
            match &mut outcome {
                Ok(done) => {
                    done.dry_run = true;
                    sp.commit().await?;
                }
                Err(_) => sp.rollback().await?,
            }
            results.push((id.clone(), outcome));
        }
        Ok(results)
    }
}

/// The results in the order the records were given.
fn in_order(
    ids: &[String],
    mut results: BTreeMap<String, ServiceResult<ActionOutcome>>,
) -> Outcomes {
    ids.iter()
        .map(|id| {
            let r = results
                .remove(id)
                .unwrap_or_else(|| Err(ServiceError::broken(format!("record {id} was not run"))));
            (id.clone(), r)
        })
        .collect()
}

/// What a round did.
enum Round {
    /// Its plans are written; `deferred` wait for the next round.
    Written {
        done: Outcomes,
        deferred: Vec<String>,
    },
    /// Nothing was kept: `retry` must run one by one, `deferred` wait for the next round.
    Failed {
        retry: Vec<String>,
        deferred: Vec<String>,
    },
}
