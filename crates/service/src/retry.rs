//! Running a write use case again when it collided with a concurrent one: a PostgreSQL
//! deadlock (`40P01`) or serialization failure (`40001`), a username another transaction took
//! first, SQLite busy past its timeout. The collided transaction was rolled back whole, so the
//! use case starts over from a fresh read; after [`ATTEMPTS`] runs the collision is answered as
//! [`ServiceError::Conflict`] (409, "try again"), never as an internal error.

use std::future::Future;
use std::time::Duration;

use rand::Rng;

use crate::{ServiceError, ServiceResult};

/// Runs of one use case at most (the first and two more).
pub const ATTEMPTS: u32 = 3;

/// Runs `body` until it does not collide, at most [`ATTEMPTS`] times, waiting a little (with
/// jitter, so two colliding requests do not collide again in step) between runs. `body` must
/// open its own transaction: each run is a whole use case.
pub(crate) async fn retrying<T, F, Fut>(mut body: F) -> ServiceResult<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = ServiceResult<T>>,
{
    let mut attempt = 1;
    loop {
        match body().await {
            Err(ServiceError::Conflict(kind)) if attempt < ATTEMPTS => {
                tracing::info!(%kind, attempt, "the write collided with a concurrent one; running it again");
                tokio::time::sleep(backoff(attempt)).await;
                attempt += 1;
            }
            done => return done,
        }
    }
}

/// 10–20 ms after the first run, 20–40 ms after the second.
fn backoff(attempt: u32) -> Duration {
    let base = 10u64 << (attempt - 1).min(4);
    Duration::from_millis(base + rand::thread_rng().gen_range(0..=base))
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    #[tokio::test]
    async fn a_collision_is_run_again_until_it_succeeds() {
        let runs = AtomicU32::new(0);
        let out = retrying(|| async {
            match runs.fetch_add(1, Ordering::SeqCst) {
                0 | 1 => Err(ServiceError::Conflict("deadlock".into())),
                _ => Ok("done"),
            }
        })
        .await;
        assert_eq!(out.ok(), Some("done"));
        assert_eq!(runs.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn runs_are_bounded_and_the_last_collision_is_answered() {
        let runs = AtomicU32::new(0);
        let out: ServiceResult<()> = retrying(|| async {
            runs.fetch_add(1, Ordering::SeqCst);
            Err(ServiceError::Conflict("deadlock".into()))
        })
        .await;
        assert!(matches!(out, Err(ServiceError::Conflict(_))));
        assert_eq!(runs.load(Ordering::SeqCst), ATTEMPTS);
    }

    #[tokio::test]
    async fn other_errors_are_not_run_again() {
        let runs = AtomicU32::new(0);
        let out: ServiceResult<()> = retrying(|| async {
            runs.fetch_add(1, Ordering::SeqCst);
            Err(ServiceError::OperationNotAllowed("no".into()))
        })
        .await;
        assert!(matches!(out, Err(ServiceError::OperationNotAllowed(_))));
        assert_eq!(runs.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn the_backoff_is_small_and_grows() {
        for _ in 0..100 {
            let first = backoff(1);
            let second = backoff(2);
            assert!(first >= Duration::from_millis(10) && first <= Duration::from_millis(20));
            assert!(second >= Duration::from_millis(20) && second <= Duration::from_millis(40));
        }
    }
}
