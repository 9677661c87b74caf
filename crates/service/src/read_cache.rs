//! What a request read recently, so that the next request for the same thing need not ask the
//! database: sessions (every request checks one) and records. An entry serves only while no
//! write transaction of this process has committed since it was read — the store's
//! generation, taken before the read; a logout, an inactivation, an action, any write bumps
//! it — and for at most a second, which bounds how long a write by another process on the
//! same database can go unseen.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;

/// How long an entry may serve, whatever the generation says.
const MAX_AGE_MS: i64 = 1_000;

struct Entry<V> {
    value: V,
    generation: u64,
    read_at: i64,
}

/// Values by key, each tagged with the generation it was read at.
pub(crate) struct ReadCache<K, V> {
    entries: Mutex<HashMap<K, Entry<V>>>,
    capacity: usize,
}

impl<K: Eq + Hash, V: Clone> ReadCache<K, V> {
    /// An empty cache that empties itself when it holds `capacity` entries.
    pub(crate) fn new(capacity: usize) -> Self {
        ReadCache {
            entries: Mutex::new(HashMap::new()),
            capacity,
        }
    }

    /// The value read at `generation`, if it was read no more than a second before `now`.
    pub(crate) fn get(&self, key: &K, generation: u64, now: i64) -> Option<V> {
        let entries = self.entries.lock().ok()?;
        let e = entries.get(key)?;
        (e.generation == generation && now - e.read_at <= MAX_AGE_MS).then(|| e.value.clone())
    }

    /// Keeps a value read at `generation` (taken before the read began) and `now`.
    pub(crate) fn put(&self, key: K, value: V, generation: u64, now: i64) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= self.capacity {
                entries.clear();
            }
            entries.insert(
                key,
                Entry {
                    value,
                    generation,
                    read_at: now,
                },
            );
        }
    }

    /// The value of `key`: from the cache if it serves at the store's current `generation`
    /// (taken by the caller before anything is read) and `now`, else from `read`, kept.
    pub(crate) async fn get_or_read<E, Fut>(
        &self,
        key: K,
        generation: u64,
        now: i64,
        read: impl FnOnce() -> Fut,
    ) -> Result<V, E>
    where
        Fut: std::future::Future<Output = Result<V, E>>,
    {
        if let Some(v) = self.get(&key, generation, now) {
            return Ok(v);
        }
        let v = read().await?;
        self.put(key, v.clone(), generation, now);
        Ok(v)
    }

    /// Drops an entry.
    pub(crate) fn forget(&self, key: &K) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_serves_only_at_its_generation_and_for_a_second() {
        let cache = ReadCache::new(10);
        cache.put("h", 1, 7, 1_000);
        assert_eq!(cache.get(&"h", 7, 1_500), Some(1));
        assert_eq!(cache.get(&"h", 8, 1_500), None, "a commit since the read");
        assert_eq!(cache.get(&"h", 7, 2_001), None, "older than a second");
        assert_eq!(cache.get(&"other", 7, 1_500), None);
        cache.forget(&"h");
        assert_eq!(cache.get(&"h", 7, 1_500), None);
    }

    #[test]
    fn a_full_cache_starts_over() {
        let cache = ReadCache::new(2);
        cache.put(1, "a", 0, 0);
        cache.put(2, "b", 0, 0);
        cache.put(3, "c", 0, 0);
        assert_eq!(cache.get(&1, 0, 0), None);
        assert_eq!(cache.get(&3, 0, 0), Some("c"));
    }
}
