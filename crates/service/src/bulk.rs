//! Bulk lifecycle actions: one action on up to 500 records, each record all-or-nothing, in one
//! transaction with a savepoint per record (one commit instead of 500).

use portico_domain::collab::ActionArgs;

use crate::records::ActionOutcome;
use crate::snapshot::On;
use crate::{Caller, Portico, ServiceError, ServiceResult};

/// Most records one bulk call may name.
pub const BULK_LIMIT: usize = 500;

impl Portico {
    /// `POST /api/v1/vobjects/{object}/actions/{action}`: the result of each record, in the
    /// order given.
    pub async fn run_bulk(
        &self,
        caller: &Caller,
        object: &str,
        action: &str,
        ids: &[String],
        args: ActionArgs,
        dry_run: bool,
    ) -> ServiceResult<Vec<(String, ServiceResult<ActionOutcome>)>> {
        let target = self.target(object)?;
        caller.require_internal()?;
        if ids.is_empty() {
            return Err(ServiceError::ParameterRequired(
                "\"ids\": name at least one record".into(),
            ));
        }
        if ids.len() > BULK_LIMIT {
            return Err(ServiceError::InvalidData(format!(
                "a bulk action takes at most {BULK_LIMIT} records; {} were given",
                ids.len()
            )));
        }
        let mut seen = std::collections::BTreeSet::new();
        if let Some(dup) = ids.iter().find(|id| !seen.insert(id.as_str())) {
            return Err(ServiceError::InvalidData(format!(
                "record {dup} is named twice"
            )));
        }
        let on = On {
            caller,
            target,
            dry_run: false,
        };
        // Each record in a transaction of its own: one big transaction with a savepoint per
        // record measured slower than single actions on both backends (PostgreSQL: 1.85 ×, its
        // subtransaction cache overflows; SQLite: commits are cheap in WAL mode anyway).
        if !dry_run {
            let mut results = Vec::with_capacity(ids.len());
            for id in ids {
                let mut tx = self.store.write().await?;
                let outcome = self.action_in(&mut tx.db(), on, id, action, &args).await;
                match &outcome {
                    Ok(_) => tx.commit().await?,
                    Err(_) => tx.rollback().await?,
                }
                results.push((id.clone(), outcome));
            }
            return Ok(results);
        }
        // A dry run applies everything in one transaction with a savepoint per record and rolls
        // it all back at the end, so that each record's preview sees what the records before it
        // took (seats, users).
        let mut tx = self.store.write().await?;
        let mut results = Vec::with_capacity(ids.len());
        for id in ids {
            let mut sp = tx.savepoint().await?;
            let mut outcome = self.action_in(&mut sp.db(), on, id, action, &args).await;
            match &mut outcome {
                Ok(done) => {
                    done.dry_run = true;
                    sp.commit().await?;
                }
                Err(_) => sp.rollback().await?,
            }
            results.push((id.clone(), outcome));
        }
        tx.rollback().await?;
        Ok(results)
    }
}
