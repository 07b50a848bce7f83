//! The idle connections of the built-in client, by destination.
//!
//! A connection is an HTTP/1.1 [`SendRequest`] and the [`Connection`] that
//! moves its bytes. Nothing polls an idle connection: the next request
//! checks it on the way out of the pool (a connection the server closed, or
//! that is not ready for a new request, is dropped), and a reaper task
//! closes the ones left idle longer than [`IDLE_TIMEOUT`].

use std::collections::HashMap;
use std::future::Future;
use std::hash::{BuildHasherDefault, Hasher};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::task::{Context, Waker};
use std::time::{Duration, Instant};

use http::uri::{Authority, Scheme};
use hyper::client::conn::http1::{Connection, SendRequest};
use hyper_rustls::MaybeHttpsStream;

use super::proxy::ProxyStream;
use super::quiet::Quiet;
use crate::body::Body;

/// How long an unused keep-alive connection stays in the pool.
pub(crate) const IDLE_TIMEOUT: Duration = Duration::from_secs(90);

/// The byte stream under a connection: TCP (direct, to a proxy, or through
/// a `CONNECT` tunnel), with or without TLS.
pub(crate) type Io = MaybeHttpsStream<ProxyStream>;

/// The destination a connection serves.
pub(crate) type Key = (Scheme, Authority);

/// The idle connections by destination.
type IdleMap = HashMap<Key, Vec<Idle>, BuildHasherDefault<Fnv>>;

/// FNV-1a, the pool's hash: every request looks its destination up twice
/// (checkout and return), and the default SipHash over an authority (fed
/// byte by byte, lowercased) cost more than the rest of a checkout. The
/// keys are the endpoints the client sends to, each backed by a real
/// connection, so a hash that is not collision-resistant costs nothing.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// One HTTP/1.1 connection.
pub(crate) struct Conn {
    pub(crate) send: SendRequest<Body>,
    /// Reads and writes the connection's bytes: polled by whoever is
    /// waiting on it (the request, then its response body). Boxed, so that
    /// a connection is a few words to move (into the pool, the request's
    /// future, the response body) rather than hyper's whole state.
    pub(crate) driver: Box<Connection<Io, Body>>,
    /// The connection goes to a forward proxy for plain-HTTP requests, which
    /// then carry absolute-form targets.
    pub(crate) proxied: bool,
    /// The waker the driver is polled with.
    pub(crate) quiet: Quiet,
}

impl Conn {
    /// Polls the driver without a waker (it reads what has arrived, such as
    /// the server closing the connection) and says whether the connection
    /// is open and ready for another request.
    pub(crate) fn is_reusable(&mut self) -> bool {
        let mut cx = Context::from_waker(Waker::noop());
        if Pin::new(&mut self.driver).poll(&mut cx).is_ready() {
            return false;
        }
        self.send.is_ready()
    }
}

struct Idle {
    conn: Conn,
    since: Instant,
}

#[derive(Default)]
struct Inner {
    idle: Mutex<IdleMap>,
    /// Whether the reaper task was started.
    reaping: AtomicBool,
}

/// The pool; cheap to clone.
#[derive(Clone, Default)]
pub(crate) struct Pool {
    inner: Arc<Inner>,
}

impl Pool {
    fn idle(&self) -> MutexGuard<'_, IdleMap> {
        // A panic elsewhere while the lock was held leaves a consistent map.
        self.inner.idle.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The most recently used idle connection to `key` that is still
    /// usable, if any; the unusable ones met on the way are closed.
    pub(crate) fn checkout(&self, key: &Key) -> Option<Conn> {
        let mut idle = self.idle();
        let list = idle.get_mut(key)?;
        while let Some(mut i) = list.pop() {
            if i.since.elapsed() < IDLE_TIMEOUT && i.conn.is_reusable() {
                return Some(i.conn);
            }
        }
        None
    }

    /// Gives a connection whose exchange is complete back to the pool, or
    /// closes it when it cannot take another request.
    pub(crate) fn put(&self, key: Key, mut conn: Conn) {
        if !conn.is_reusable() {
            return;
        }
        conn.quiet.forget();
        self.idle().entry(key).or_default().push(Idle {
            conn,
            since: Instant::now(),
        });
        self.start_reaper();
    }

    /// Starts, once and when a runtime is at hand, the task that closes
    /// connections idle for longer than [`IDLE_TIMEOUT`]. It holds the
    /// pool weakly and ends with it.
    fn start_reaper(&self) {
        if self.inner.reaping.load(Ordering::Acquire) {
            return;
        }
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            return;
        };
        if self.inner.reaping.swap(true, Ordering::AcqRel) {
            return;
        }
        let weak = Arc::downgrade(&self.inner);
        rt.spawn(reap(weak));
    }
}

async fn reap(pool: Weak<Inner>) {
    loop {
        tokio::time::sleep(IDLE_TIMEOUT / 3).await;
        let Some(inner) = pool.upgrade() else { return };
        let mut idle = inner.idle.lock().unwrap_or_else(|e| e.into_inner());
        for list in idle.values_mut() {
            list.retain_mut(|i| i.since.elapsed() < IDLE_TIMEOUT && i.conn.is_reusable());
        }
        idle.retain(|_, list| !list.is_empty());
    }
}
