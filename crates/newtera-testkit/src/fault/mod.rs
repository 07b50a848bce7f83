//! A fault-injecting HTTP/1.1 proxy for tests.
//!
//! [`FaultProxy`] listens on `127.0.0.1:0` and forwards every connection to
//! a real server (garage, moto) byte for byte, one upstream connection per
//! client connection, keep-alive included. It parses just enough HTTP/1.1 to
//! find message boundaries (request and status lines, headers,
//! `Content-Length` and chunked bodies, bodies read to the end of the
//! connection) so that a test can script faults on chosen requests:
//!
//! ```no_run
//! use newtera_testkit::fault::{Fault, FaultProxy, Rule};
//! let proxy = FaultProxy::start(&newtera_testkit::garage().endpoint).unwrap();
//! // The second part upload of any multipart upload is reset once, after the
//! // server stored it and before the client sees the answer.
//! let rule = proxy.add(
//!     Rule::new(Fault::ResetBeforeResponse)
//!         .method("PUT")
//!         .query_contains("partNumber=2"),
//! );
//! // ... point a client at `proxy.endpoint()` and run the operation ...
//! assert_eq!(rule.applied(), 1);
//! assert!(rule.matched() >= 2, "the client retried");
//! ```
//!
//! The `Host` header is forwarded unchanged: the client signs the host it
//! connects to (the proxy's address), and neither garage nor moto compares
//! it with their own address, so SigV4 signatures still validate.
//!
//! Like the TLS terminator, the proxy runs on a thread of its own with its
//! own tokio runtime, so it works from any test, async or not. Dropping the
//! [`FaultProxy`] stops it and closes its connections.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use tokio::net::TcpListener;

mod wire;

use wire::serve;

/// What the proxy does to a request that a [`Rule`] picked.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Read the request, never forward it, and reset the client connection
    /// (`SO_LINGER` 0): the server never saw the request.
    DropRequest,
    /// Forward the request, wait for the server's response head, then reset
    /// the client connection: the server did the work, the answer is lost.
    ResetBeforeResponse,
    /// Forward the response head, then reset the connection.
    ResetAfterHeaders,
    /// Forward the head and the first `n` body bytes, then reset. `n` is
    /// clamped so that at least one byte of a non-empty body is withheld.
    ResetMidBody(u64),
    /// Forward the head (with its `Content-Length`) and the first `n` body
    /// bytes, then close the connection normally (FIN). Clamped like
    /// [`Fault::ResetMidBody`].
    Truncate(u64),
    /// Forward everything, with the body byte at offset `n` inverted
    /// (clamped to the last byte of a `Content-Length` body).
    FlipByte(u64),
    /// Forward the request, then hold the response head back for this long
    /// (or until the client gives up and closes), then forward the response.
    Stall(Duration),
    /// Forward the head and the first `n` body bytes, then hold the rest of
    /// the body back for `stall` (or until the client gives up and closes),
    /// then forward it: a connection that goes silent in the middle of the
    /// body. Clamped like [`Fault::ResetMidBody`].
    StallMidBody {
        /// Body bytes forwarded before the stall.
        after: u64,
        /// How long the rest is held back.
        stall: Duration,
    },
    /// A well-framed but cut answer: the head goes out with its
    /// `Content-Length` rewritten to `n` and only the first `n` body bytes
    /// follow; the connection stays usable. Clamped like
    /// [`Fault::ResetMidBody`]; applies to `Content-Length` bodies only.
    ShortBody(u64),
    /// Forward the request without this header (e.g. `range`, so that the
    /// server answers with the whole object). A server that checks
    /// signatures refuses the request when the header was signed.
    StripRequestHeader(&'static str),
    /// Forward the response with this header set to `value` (replacing any
    /// value the server sent), e.g. a `content-range` that does not match
    /// the request.
    SetResponseHeader {
        /// The header name, lower case.
        name: &'static str,
        /// Its new value.
        value: String,
    },
    /// Answer with this status and an S3 `<Error>` document carrying `code`
    /// without forwarding the request; the connection stays open.
    Respond {
        /// The HTTP status, e.g. 500 or 503 (or 200 for an error in a 200).
        status: u16,
        /// The S3 error code, e.g. `InternalError` or `SlowDown`.
        code: &'static str,
    },
}

impl Fault {
    /// `500 Internal Server Error` with S3 code `InternalError`.
    pub fn internal_error() -> Fault {
        Fault::Respond {
            status: 500,
            code: "InternalError",
        }
    }

    /// `503 Service Unavailable` with S3 code `SlowDown`.
    pub fn slow_down() -> Fault {
        Fault::Respond {
            status: 503,
            code: "SlowDown",
        }
    }

    /// `200 OK` whose body is an S3 `<Error>` document with `code` (what S3
    /// does when CompleteMultipartUpload or DeleteObjects fails late).
    pub fn buffered_answer(code: &'static str) -> Fault {
        Fault::Respond { status: 200, code }
    }
}

/// Which requests a fault applies to, and how often.
///
/// A rule matches a request when every predicate given holds; from the
/// `nth` match on it applies its fault `times` times (once by default, or
/// every time after [`Rule::always`]).
#[derive(Clone, Debug)]
pub struct Rule {
    method: Option<String>,
    path: Option<String>,
    query: Option<String>,
    nth: u64,
    times: Option<u64>,
    fault: Fault,
}

impl Rule {
    /// A rule applying `fault` once, to the first request.
    pub fn new(fault: Fault) -> Rule {
        Rule {
            method: None,
            path: None,
            query: None,
            nth: 1,
            times: Some(1),
            fault,
        }
    }

    /// Only requests with this method (`GET`, `PUT`, …).
    pub fn method(mut self, method: &str) -> Rule {
        self.method = Some(method.to_ascii_uppercase());
        self
    }

    /// Only requests whose path (as sent, percent-encoded) contains `s`.
    pub fn path_contains(mut self, s: &str) -> Rule {
        self.path = Some(s.to_owned());
        self
    }

    /// Only requests whose path ends with `s`.
    pub fn path_ends_with(mut self, s: &str) -> Rule {
        self.path = Some(format!("{s}\u{0}"));
        self
    }

    /// Only requests whose query string (as sent) contains `s`, e.g.
    /// `partNumber=2` or `uploads`.
    pub fn query_contains(mut self, s: &str) -> Rule {
        self.query = Some(s.to_owned());
        self
    }

    /// Skip the first `n - 1` matching requests (1 = the first one).
    pub fn nth(mut self, n: u64) -> Rule {
        self.nth = n.max(1);
        self
    }

    /// Apply the fault `n` times.
    pub fn times(mut self, n: u64) -> Rule {
        self.times = Some(n);
        self
    }

    /// Apply the fault to every matching request from the `nth` on.
    pub fn always(mut self) -> Rule {
        self.times = None;
        self
    }

    fn matches(&self, req: &RequestInfo) -> bool {
        if self.method.as_deref().is_some_and(|m| m != req.method) {
            return false;
        }
        if let Some(p) = &self.path {
            let ok = match p.strip_suffix('\u{0}') {
                Some(suffix) => req.path.ends_with(suffix),
                None => req.path.contains(p.as_str()),
            };
            if !ok {
                return false;
            }
        }
        if self
            .query
            .as_deref()
            .is_some_and(|q| !req.query.contains(q))
        {
            return false;
        }
        true
    }
}

/// Counters of one rule (see [`FaultProxy::add`]).
#[derive(Clone)]
pub struct RuleHandle {
    counters: Arc<RuleCounters>,
}

#[derive(Default)]
struct RuleCounters {
    matched: AtomicU64,
    picked: AtomicU64,
    applied: AtomicU64,
}

impl RuleHandle {
    /// Requests that matched the rule's predicates, whether or not the fault
    /// was applied to them. More than [`applied`](Self::applied) means the
    /// client came back after a fault (a retry or a resumption).
    pub fn matched(&self) -> u64 {
        self.counters.matched.load(Ordering::SeqCst)
    }

    /// Times the fault really happened on the wire.
    pub fn applied(&self) -> u64 {
        self.counters.applied.load(Ordering::SeqCst)
    }
}

impl fmt::Debug for RuleHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RuleHandle")
            .field("matched", &self.matched())
            .field("applied", &self.applied())
            .finish()
    }
}

/// One request the proxy saw.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Exchange {
    /// The request method.
    pub method: String,
    /// The request target (path and query) as sent.
    pub target: String,
    /// The fault picked for it, if any.
    pub fault: Option<Fault>,
}

struct RuleState {
    rule: Rule,
    counters: Arc<RuleCounters>,
}

#[derive(Default)]
struct Shared {
    rules: Mutex<Vec<RuleState>>,
    log: Mutex<Vec<Exchange>>,
    requests: AtomicU64,
    faults: AtomicU64,
}

/// What a connection needs to know about a request.
struct RequestInfo {
    method: String,
    path: String,
    query: String,
}

impl Shared {
    /// Counts the request and picks the fault to apply, if any.
    fn decide(&self, req: &RequestInfo, target: &str) -> Option<(Fault, Arc<RuleCounters>)> {
        self.requests.fetch_add(1, Ordering::SeqCst);
        let mut picked = None;
        if let Ok(rules) = self.rules.lock() {
            for state in rules.iter() {
                if !state.rule.matches(req) {
                    continue;
                }
                let n = state.counters.matched.fetch_add(1, Ordering::SeqCst) + 1;
                if picked.is_some() || n < state.rule.nth {
                    continue;
                }
                let taken = state.counters.picked.load(Ordering::SeqCst);
                if state.rule.times.is_some_and(|t| taken >= t) {
                    continue;
                }
                state.counters.picked.fetch_add(1, Ordering::SeqCst);
                picked = Some((state.rule.fault.clone(), state.counters.clone()));
            }
        }
        if let Ok(mut log) = self.log.lock() {
            log.push(Exchange {
                method: req.method.clone(),
                target: target.to_owned(),
                fault: picked.as_ref().map(|(f, _)| f.clone()),
            });
        }
        picked
    }

    fn applied(&self, counters: &RuleCounters) {
        counters.applied.fetch_add(1, Ordering::SeqCst);
        self.faults.fetch_add(1, Ordering::SeqCst);
    }
}

/// A fault-injecting proxy in front of a real server (see the module docs).
pub struct FaultProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::AbortHandle,
}

impl fmt::Debug for FaultProxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FaultProxy")
            .field("addr", &self.addr)
            .field("requests", &self.requests())
            .field("faults", &self.faults())
            .finish()
    }
}

impl FaultProxy {
    /// Starts a proxy to `upstream` (`127.0.0.1:PORT`) on a free port.
    pub fn start(upstream: &str) -> io::Result<FaultProxy> {
        let upstream: SocketAddr = upstream
            .parse()
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, format!("{upstream}: {e}")))?;
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::default());
        let conn_shared = shared.clone();
        let task = runtime().spawn(async move {
            let listener = match TcpListener::from_std(listener) {
                Ok(l) => l,
                Err(e) => {
                    eprintln!("newtera-testkit: fault proxy on {addr}: {e}");
                    return;
                }
            };
            // Connections live in this set: aborting the accept task (when
            // the proxy is dropped) drops the set, which aborts them all.
            let mut conns = tokio::task::JoinSet::new();
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        let Ok((socket, _)) = accepted else { continue };
                        let shared = conn_shared.clone();
                        conns.spawn(async move {
                            let _ = socket.set_nodelay(true);
                            serve(shared, socket, upstream).await;
                        });
                    }
                    Some(_) = conns.join_next(), if !conns.is_empty() => {}
                }
            }
        });
        Ok(FaultProxy {
            addr,
            shared,
            task: task.abort_handle(),
        })
    }

    /// `127.0.0.1:PORT`, where clients connect.
    pub fn endpoint(&self) -> String {
        self.addr.to_string()
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Adds a rule (after the existing ones; the first rule that picks a
    /// request wins) and returns its counters.
    pub fn add(&self, rule: Rule) -> RuleHandle {
        let counters = Arc::new(RuleCounters::default());
        if let Ok(mut rules) = self.shared.rules.lock() {
            rules.push(RuleState {
                rule,
                counters: counters.clone(),
            });
        }
        RuleHandle { counters }
    }

    /// Removes every rule; requests are forwarded untouched from now on.
    pub fn clear(&self) {
        if let Ok(mut rules) = self.shared.rules.lock() {
            rules.clear();
        }
    }

    /// Requests seen since the start.
    pub fn requests(&self) -> u64 {
        self.shared.requests.load(Ordering::SeqCst)
    }

    /// Faults that really happened since the start.
    pub fn faults(&self) -> u64 {
        self.shared.faults.load(Ordering::SeqCst)
    }

    /// Every request seen so far, in order.
    pub fn log(&self) -> Vec<Exchange> {
        self.shared
            .log
            .lock()
            .map(|l| l.clone())
            .unwrap_or_default()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The proxies' runtime, on a thread of its own that lives as long as the
/// process.
fn runtime() -> &'static tokio::runtime::Handle {
    static HANDLE: OnceLock<tokio::runtime::Handle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("newtera-testkit-fault".into())
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap_or_else(|e| panic!("newtera-testkit: tokio runtime: {e}"));
                let _ = tx.send(rt.handle().clone());
                rt.block_on(std::future::pending::<()>());
            })
            .unwrap_or_else(|e| {
                panic!("newtera-testkit: cannot start the fault proxy thread: {e}")
            });
        rx.recv()
            .unwrap_or_else(|e| panic!("newtera-testkit: fault proxy thread failed: {e}"))
    })
}

#[cfg(test)]
mod tests {
    use super::wire::error_response;
    use super::*;

    #[test]
    fn rules_match_method_path_and_query() {
        let req = RequestInfo {
            method: "PUT".into(),
            path: "/bucket/key".into(),
            query: "partNumber=2&uploadId=abc".into(),
        };
        assert!(Rule::new(Fault::DropRequest).matches(&req));
        assert!(Rule::new(Fault::DropRequest)
            .method("put")
            .query_contains("partNumber=2")
            .matches(&req));
        assert!(!Rule::new(Fault::DropRequest).method("GET").matches(&req));
        assert!(Rule::new(Fault::DropRequest)
            .path_ends_with("/key")
            .matches(&req));
        assert!(!Rule::new(Fault::DropRequest)
            .path_ends_with("/bucket")
            .matches(&req));
        assert!(!Rule::new(Fault::DropRequest)
            .query_contains("uploads")
            .matches(&req));
    }

    #[test]
    fn nth_and_times() {
        let shared = Shared::default();
        let counters = Arc::new(RuleCounters::default());
        if let Ok(mut rules) = shared.rules.lock() {
            rules.push(RuleState {
                rule: Rule::new(Fault::DropRequest).nth(2).times(2),
                counters: counters.clone(),
            });
        }
        let req = RequestInfo {
            method: "GET".into(),
            path: "/".into(),
            query: String::new(),
        };
        let picks: Vec<bool> = (0..5).map(|_| shared.decide(&req, "/").is_some()).collect();
        assert_eq!(picks, [false, true, true, false, false]);
        assert_eq!(counters.matched.load(Ordering::SeqCst), 5);
    }

    #[test]
    fn error_documents() {
        let r = String::from_utf8(error_response(503, "SlowDown", false)).unwrap_or_default();
        assert!(r.starts_with("HTTP/1.1 503 "));
        assert!(r.contains("<Code>SlowDown</Code>"));
        let h = String::from_utf8(error_response(500, "InternalError", true)).unwrap_or_default();
        assert!(h.ends_with("content-length: 0\r\nx-amz-request-id: faultproxy\r\n\r\n"));
    }
}
