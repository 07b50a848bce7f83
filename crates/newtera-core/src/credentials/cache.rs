//! [`CachedProvider`]: caching and early refresh.

use std::fmt;
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use newtera_signer::{Credentials, Provider, ProviderFuture};

/// How long before their expiration cached credentials are refreshed by
/// default (5 minutes).
pub const DEFAULT_REFRESH_BEFORE: Duration = Duration::from_secs(300);

/// How long credentials without an expiration are cached by default
/// (15 minutes).
pub const DEFAULT_TTL: Duration = Duration::from_secs(900);

/// After a failed refresh while the cached credentials are still valid, how
/// long to keep using them before trying again.
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(10);

/// Caches the credentials of another provider and refreshes them before
/// they expire.
///
/// - Credentials are reused until [`refresh_before`](Self::refresh_before)
///   (default 5 minutes) ahead of their expiration; credentials without an
///   expiration are reused for [`ttl`](Self::ttl) (default 15 minutes).
/// - At most one refresh runs at a time: concurrent callers that find the
///   cache stale wait for the refresh in progress and share its result.
/// - If a refresh fails while the cached credentials are not yet expired,
///   they are still returned (and the refresh is tried again 10 s later);
///   once they are expired, the error is returned.
/// - Errors are not cached: the next call tries again.
///
/// `Debug` shows the inner provider's (masked) `Debug` and whether
/// credentials are cached, never the credentials.
pub struct CachedProvider<P = Arc<dyn Provider>> {
    inner: P,
    refresh_before: Duration,
    ttl: Duration,
    state: RwLock<Option<Entry>>,
    refresh: tokio::sync::Mutex<()>,
}

#[derive(Clone)]
struct Entry {
    credentials: Credentials,
    refresh_at: SystemTime,
}

impl<P: fmt::Debug> fmt::Debug for CachedProvider<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cached = self
            .state
            .read()
            .map(|s| s.as_ref().map(|e| e.refresh_at))
            .unwrap_or(None);
        f.debug_struct("CachedProvider")
            .field("inner", &self.inner)
            .field("refresh_before", &self.refresh_before)
            .field("ttl", &self.ttl)
            .field("refresh_at", &cached)
            .finish()
    }
}

impl<P: Provider> CachedProvider<P> {
    /// Caches the credentials of `inner`.
    pub fn new(inner: P) -> Self {
        CachedProvider {
            inner,
            refresh_before: DEFAULT_REFRESH_BEFORE,
            ttl: DEFAULT_TTL,
            state: RwLock::new(None),
            refresh: tokio::sync::Mutex::new(()),
        }
    }

    /// How long before the expiration to refresh (default 5 minutes).
    #[must_use]
    pub fn refresh_before(mut self, d: Duration) -> Self {
        self.refresh_before = d;
        self
    }

    /// How long credentials without an expiration are reused (default 15
    /// minutes).
    #[must_use]
    pub fn ttl(mut self, d: Duration) -> Self {
        self.ttl = d;
        self
    }

    /// The wrapped provider.
    pub fn inner(&self) -> &P {
        &self.inner
    }

    /// Forgets the cached credentials: the next call fetches new ones (e.g.
    /// after the server rejected them).
    pub fn invalidate(&self) {
        if let Ok(mut s) = self.state.write() {
            *s = None;
        }
    }

    /// The cached credentials if they need no refresh yet.
    fn fresh(&self, now: SystemTime) -> Option<Credentials> {
        let s = self.state.read().ok()?;
        let e = s.as_ref()?;
        (now < e.refresh_at && !e.credentials.is_expired()).then(|| e.credentials.clone())
    }

    /// The cached credentials if they are still usable (not expired).
    fn usable(&self) -> Option<Credentials> {
        let s = self.state.read().ok()?;
        let e = s.as_ref()?;
        (!e.credentials.is_expired()).then(|| e.credentials.clone())
    }

    fn store(&self, credentials: Credentials, refresh_at: SystemTime) {
        if let Ok(mut s) = self.state.write() {
            *s = Some(Entry {
                credentials,
                refresh_at,
            });
        }
    }

    /// When to refresh credentials fetched at `now`.
    fn refresh_at(&self, c: &Credentials, now: SystemTime) -> SystemTime {
        match c.expiration() {
            None => now.checked_add(self.ttl).unwrap_or(now),
            Some(exp) => {
                let early = exp.checked_sub(self.refresh_before).unwrap_or(now);
                if early > now {
                    early
                } else {
                    // Shorter-lived than the refresh window: refresh half-way
                    // through the remaining lifetime instead of at every call.
                    let left = exp.duration_since(now).unwrap_or_default();
                    now + left / 2
                }
            }
        }
    }

    async fn get(&self) -> Result<Credentials, newtera_signer::CredentialsError> {
        if let Some(c) = self.fresh(SystemTime::now()) {
            return Ok(c);
        }
        let _guard = self.refresh.lock().await;
        // Another caller may have refreshed while this one waited.
        if let Some(c) = self.fresh(SystemTime::now()) {
            return Ok(c);
        }
        match self.inner.retrieve().await {
            Ok(c) => {
                let now = SystemTime::now();
                let at = self.refresh_at(&c, now);
                self.store(c.clone(), at);
                Ok(c)
            }
            Err(e) => match self.usable() {
                Some(old) => {
                    tracing::warn!(
                        provider = self.inner.name(),
                        error = %e,
                        "credentials refresh failed; using the cached credentials until they expire"
                    );
                    let retry = SystemTime::now() + RETRY_AFTER_FAILURE;
                    let at = old.expiration().map_or(retry, |exp| retry.min(exp));
                    self.store(old.clone(), at);
                    Ok(old)
                }
                None => Err(e),
            },
        }
    }
}

impl<P: Provider> Provider for CachedProvider<P> {
    fn retrieve(&self) -> ProviderFuture<'_> {
        Box::pin(self.get())
    }

    fn name(&self) -> &'static str {
        self.inner.name()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use newtera_signer::CredentialsError;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[derive(Debug)]
    struct Counting {
        calls: AtomicUsize,
        lifetime: Option<Duration>,
        fail_after: usize,
    }

    impl Provider for Counting {
        fn retrieve(&self) -> ProviderFuture<'_> {
            Box::pin(async move {
                let n = self.calls.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(20)).await;
                if n >= self.fail_after {
                    return Err(CredentialsError::Provider {
                        provider: "counting",
                        source: "down".into(),
                    });
                }
                let c = Credentials::new(format!("AK{n}"), "SK", None);
                Ok(match self.lifetime {
                    Some(l) => c.with_expiration(SystemTime::now() + l),
                    None => c,
                })
            })
        }
    }

    fn counting(lifetime: Option<Duration>, fail_after: usize) -> Counting {
        Counting {
            calls: AtomicUsize::new(0),
            lifetime,
            fail_after,
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn one_refresh_for_concurrent_callers() {
        let p = Arc::new(CachedProvider::new(counting(
            Some(Duration::from_secs(3600)),
            99,
        )));
        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let p = p.clone();
                tokio::spawn(async move { p.retrieve().await })
            })
            .collect();
        for t in tasks {
            let c = t.await.expect("join").expect("credentials");
            assert_eq!(c.access_key(), "AK0");
        }
        assert_eq!(p.inner().calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn refreshes_within_window_and_ttl() {
        // Lifetime 301 s, window 300 s: fresh for ~1 s.
        let p = CachedProvider::new(counting(Some(Duration::from_secs(301)), 99));
        assert_eq!(p.retrieve().await.expect("ok").access_key(), "AK0");
        assert_eq!(p.retrieve().await.expect("ok").access_key(), "AK0");
        tokio::time::sleep(Duration::from_millis(1400)).await;
        assert_eq!(p.retrieve().await.expect("ok").access_key(), "AK1");

        // No expiration: the TTL applies.
        let p = CachedProvider::new(counting(None, 99)).ttl(Duration::from_millis(100));
        assert_eq!(p.retrieve().await.expect("ok").access_key(), "AK0");
        assert_eq!(p.retrieve().await.expect("ok").access_key(), "AK0");
        tokio::time::sleep(Duration::from_millis(150)).await;
        assert_eq!(p.retrieve().await.expect("ok").access_key(), "AK1");
        p.invalidate();
        assert_eq!(p.retrieve().await.expect("ok").access_key(), "AK2");
    }

    #[tokio::test]
    async fn failed_refresh_keeps_valid_credentials() {
        let p = CachedProvider::new(counting(Some(Duration::from_secs(301)), 1));
        assert_eq!(p.retrieve().await.expect("ok").access_key(), "AK0");
        tokio::time::sleep(Duration::from_millis(1400)).await;
        // The refresh fails but AK0 is still valid.
        assert_eq!(p.retrieve().await.expect("stale ok").access_key(), "AK0");
        // And is not retried at every call.
        assert_eq!(p.retrieve().await.expect("stale ok").access_key(), "AK0");
        assert_eq!(p.inner().calls.load(Ordering::SeqCst), 2);
        // With nothing cached, the error comes through.
        p.invalidate();
        assert!(p.retrieve().await.is_err());
    }
}
