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

use bytes::BytesMut;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

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

// ---------------------------------------------------------------------------
// HTTP/1.1 plumbing

/// Longest head accepted.
const HEAD_LIMIT: usize = 1 << 20;
/// Largest piece of body moved at once.
const PIECE: usize = 64 * 1024;

fn bad(msg: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg.into())
}

/// A socket with a read buffer.
struct Conn {
    s: TcpStream,
    buf: BytesMut,
}

impl Conn {
    fn new(s: TcpStream) -> Conn {
        Conn {
            s,
            buf: BytesMut::with_capacity(PIECE),
        }
    }

    /// Reads more bytes into the buffer; 0 at the end of the stream.
    /// Cancel-safe.
    async fn fill(&mut self) -> io::Result<usize> {
        if self.buf.capacity() - self.buf.len() < 4096 {
            self.buf.reserve(PIECE);
        }
        self.s.read_buf(&mut self.buf).await
    }

    /// A whole message head (through the blank line), or `None` at a clean
    /// end of stream before any byte.
    async fn read_head(&mut self) -> io::Result<Option<BytesMut>> {
        let mut scanned = 0;
        loop {
            if let Some(i) = find(&self.buf[scanned..], b"\r\n\r\n") {
                return Ok(Some(self.buf.split_to(scanned + i + 4)));
            }
            scanned = self.buf.len().saturating_sub(3);
            if self.buf.len() > HEAD_LIMIT {
                return Err(bad("head too long"));
            }
            if self.fill().await? == 0 {
                if self.buf.is_empty() {
                    return Ok(None);
                }
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
        }
    }

    /// One line, CRLF included.
    async fn read_line(&mut self) -> io::Result<BytesMut> {
        let mut scanned = 0;
        loop {
            if let Some(i) = find(&self.buf[scanned..], b"\r\n") {
                return Ok(self.buf.split_to(scanned + i + 2));
            }
            scanned = self.buf.len().saturating_sub(1);
            if self.buf.len() > HEAD_LIMIT {
                return Err(bad("line too long"));
            }
            if self.fill().await? == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
        }
    }

    /// Up to `max` bytes (at least one); an empty result at end of stream.
    async fn read_some(&mut self, max: usize) -> io::Result<BytesMut> {
        if self.buf.is_empty() && self.fill().await? == 0 {
            return Ok(BytesMut::new());
        }
        let n = self.buf.len().min(max);
        Ok(self.buf.split_to(n))
    }

    /// Resets the connection (RST instead of FIN).
    fn reset(self) {
        let _ = self.s.set_zero_linger();
        drop(self);
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A parsed message head.
struct Head {
    raw: BytesMut,
    /// Method (requests) or status code (responses) and the second field.
    first: String,
    second: String,
    headers: Vec<(String, String)>,
}

impl Head {
    fn parse(raw: BytesMut, request: bool) -> io::Result<Head> {
        let text = std::str::from_utf8(&raw).map_err(|_| bad("head is not UTF-8"))?;
        let mut lines = text.split("\r\n");
        let start = lines.next().unwrap_or_default();
        let mut fields = start.splitn(3, ' ');
        let (a, b, c) = (
            fields.next().unwrap_or_default(),
            fields.next().unwrap_or_default(),
            fields.next().unwrap_or_default(),
        );
        let (first, second) = if request {
            (a.to_owned(), b.to_owned())
        } else {
            (b.to_owned(), c.to_owned())
        };
        if first.is_empty() {
            return Err(bad(format!("bad start line {start:?}")));
        }
        let headers = lines
            .filter(|l| !l.is_empty())
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        Ok(Head {
            first,
            second,
            headers,
            raw,
        })
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn has_token(&self, name: &str, token: &str) -> bool {
        self.headers
            .iter()
            .filter(|(k, _)| k == name)
            .flat_map(|(_, v)| v.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case(token))
    }

    fn status(&self) -> u16 {
        self.first.parse().unwrap_or(0)
    }

    fn framing(&self, request: bool, request_method: &str) -> io::Result<Framing> {
        if !request {
            let status = self.status();
            if request_method == "HEAD"
                || (100..200).contains(&status)
                || status == 204
                || status == 304
            {
                return Ok(Framing::Length(0));
            }
        }
        if self.has_token("transfer-encoding", "chunked") {
            return Ok(Framing::Chunked);
        }
        if let Some(v) = self.header("content-length") {
            return v
                .parse()
                .map(Framing::Length)
                .map_err(|_| bad(format!("bad content-length {v:?}")));
        }
        Ok(if request {
            Framing::Length(0)
        } else {
            Framing::UntilClose
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Framing {
    Length(u64),
    Chunked,
    UntilClose,
}

/// What to do to a body while copying it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum BodyFault {
    None,
    /// Stop after this many bytes (the caller then resets or closes).
    Cut(u64),
    /// Invert the byte at this offset.
    Flip(u64),
}

/// How a body copy ended.
#[derive(Debug, PartialEq, Eq)]
enum Copied {
    /// The whole body went through; `true` if a byte was flipped.
    Done(bool),
    /// The body was cut as asked.
    Cut,
}

/// Copies one framed body from `from` to `to`, applying `fault`.
/// `fired` is called as the fault happens, before the client can see it.
async fn copy_body(
    from: &mut Conn,
    to: &mut TcpStream,
    framing: Framing,
    fault: BodyFault,
    fired: &(dyn Fn() + Send + Sync),
) -> io::Result<Copied> {
    // Clamp the fault into a body of known length.
    let fault = match (framing, fault) {
        (Framing::Length(0), _) => BodyFault::None,
        (Framing::Length(n), BodyFault::Cut(k)) => BodyFault::Cut(k.min(n - 1)),
        (Framing::Length(n), BodyFault::Flip(k)) => BodyFault::Flip(k.min(n - 1)),
        (_, f) => f,
    };
    let mut offset = 0u64;
    let mut flipped = false;
    // Moves `data` (body bytes at `offset`) to `to`; true when cut.
    macro_rules! pass {
        ($data:expr) => {{
            let mut data: BytesMut = $data;
            let len = data.len() as u64;
            match fault {
                BodyFault::Cut(k) if k < offset + len => {
                    fired();
                    let keep = (k - offset) as usize;
                    to.write_all(&data[..keep]).await?;
                    to.flush().await?;
                    return Ok(Copied::Cut);
                }
                BodyFault::Flip(k) if k >= offset && k < offset + len => {
                    let i = (k - offset) as usize;
                    data[i] ^= 0xff;
                    fired();
                    flipped = true;
                }
                _ => {}
            }
            offset += len;
            to.write_all(&data).await?;
        }};
    }
    match framing {
        Framing::Length(n) => {
            let mut left = n;
            while left > 0 {
                let piece = from.read_some(left.min(PIECE as u64) as usize).await?;
                if piece.is_empty() {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
                left -= piece.len() as u64;
                pass!(piece);
            }
        }
        Framing::UntilClose => loop {
            let piece = from.read_some(PIECE).await?;
            if piece.is_empty() {
                if matches!(fault, BodyFault::Cut(_)) {
                    fired();
                    return Ok(Copied::Cut);
                }
                break;
            }
            pass!(piece);
        },
        Framing::Chunked => loop {
            let line = from.read_line().await?;
            let size_text = std::str::from_utf8(&line)
                .map_err(|_| bad("bad chunk size line"))?
                .trim_end_matches("\r\n");
            let size_text = size_text.split(';').next().unwrap_or_default().trim();
            let size = u64::from_str_radix(size_text, 16)
                .map_err(|_| bad(format!("bad chunk size {size_text:?}")))?;
            if size == 0 {
                if matches!(fault, BodyFault::Cut(_)) {
                    // Never reached the cut: withhold the end of the body.
                    fired();
                    to.flush().await?;
                    return Ok(Copied::Cut);
                }
                to.write_all(&line).await?;
                // Trailers, through the blank line.
                loop {
                    let l = from.read_line().await?;
                    to.write_all(&l).await?;
                    if &l[..] == b"\r\n" {
                        break;
                    }
                }
                break;
            }
            to.write_all(&line).await?;
            let mut left = size;
            while left > 0 {
                let piece = from.read_some(left.min(PIECE as u64) as usize).await?;
                if piece.is_empty() {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
                left -= piece.len() as u64;
                pass!(piece);
            }
            let crlf = from.read_line().await?;
            to.write_all(&crlf).await?;
        },
    }
    to.flush().await?;
    Ok(Copied::Done(flipped))
}

/// Reads and discards one framed body.
async fn drain_body(from: &mut Conn, framing: Framing) -> io::Result<()> {
    match framing {
        Framing::Length(mut left) => {
            while left > 0 {
                let piece = from.read_some(left.min(PIECE as u64) as usize).await?;
                if piece.is_empty() {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
                left -= piece.len() as u64;
            }
        }
        Framing::Chunked => loop {
            let line = from.read_line().await?;
            let text = std::str::from_utf8(&line).map_err(|_| bad("bad chunk size line"))?;
            let text = text
                .trim_end_matches("\r\n")
                .split(';')
                .next()
                .unwrap_or_default()
                .trim();
            let size = u64::from_str_radix(text, 16).map_err(|_| bad("bad chunk size"))?;
            if size == 0 {
                loop {
                    let l = from.read_line().await?;
                    if &l[..] == b"\r\n" {
                        break;
                    }
                }
                break;
            }
            let mut left = size;
            while left > 0 {
                let piece = from.read_some(left.min(PIECE as u64) as usize).await?;
                if piece.is_empty() {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
                left -= piece.len() as u64;
            }
            from.read_line().await?;
        },
        Framing::UntilClose => while !from.read_some(PIECE).await?.is_empty() {},
    }
    Ok(())
}

/// The S3 error document the proxy answers with.
fn error_response(status: u16, code: &str, head_only: bool) -> Vec<u8> {
    let reason = match status {
        200 => "OK",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Error",
    };
    let message = match code {
        "SlowDown" => "Please reduce your request rate.",
        "InternalError" => "We encountered an internal error. Please try again.",
        _ => "Injected by the newtera-testkit fault proxy.",
    };
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message>\
         <RequestId>faultproxy</RequestId><HostId>faultproxy</HostId></Error>"
    );
    let len = if head_only { 0 } else { body.len() };
    let mut out = format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: application/xml\r\ncontent-length: {len}\r\n\
         x-amz-request-id: faultproxy\r\n\r\n"
    )
    .into_bytes();
    if !head_only {
        out.extend_from_slice(body.as_bytes());
    }
    out
}

/// True when `up` is still open (no EOF or error pending on it).
fn alive(up: &Conn) -> bool {
    if !up.buf.is_empty() {
        // Bytes nobody asked for: the exchange is out of step.
        return false;
    }
    let mut probe = [0u8; 1];
    matches!(up.s.try_read(&mut probe), Err(e) if e.kind() == io::ErrorKind::WouldBlock)
}

/// Serves one client connection.
async fn serve(shared: Arc<Shared>, client: TcpStream, upstream: SocketAddr) {
    let mut client = Conn::new(client);
    let mut up: Option<Conn> = None;
    loop {
        match exchange(&shared, &mut client, &mut up, upstream).await {
            Ok(Next::KeepAlive) => {}
            Ok(Next::Close) | Err(_) => return,
            Ok(Next::Reset) => {
                client.reset();
                return;
            }
        }
    }
}

enum Next {
    KeepAlive,
    Close,
    Reset,
}

/// One request and its response on `client`.
async fn exchange(
    shared: &Shared,
    client: &mut Conn,
    up_slot: &mut Option<Conn>,
    upstream: SocketAddr,
) -> io::Result<Next> {
    let Some(raw) = client.read_head().await? else {
        return Ok(Next::Close);
    };
    let req = Head::parse(raw, true)?;
    let method = req.first.clone();
    let target = req.second.clone();
    let (path, query) = target.split_once('?').unwrap_or((target.as_str(), ""));
    let info = RequestInfo {
        method: method.clone(),
        path: path.to_owned(),
        query: query.to_owned(),
    };
    let decision = shared.decide(&info, &target);
    let req_framing = req.framing(true, &method)?;
    let client_close = req.has_token("connection", "close");

    // Faults that never reach the server.
    match &decision {
        Some((Fault::DropRequest, counters)) => {
            drain_body(client, req_framing).await?;
            shared.applied(counters);
            return Ok(Next::Reset);
        }
        Some((Fault::Respond { status, code }, counters)) => {
            drain_body(client, req_framing).await?;
            let answer = error_response(*status, code, method == "HEAD");
            shared.applied(counters);
            client.s.write_all(&answer).await?;
            client.s.flush().await?;
            return Ok(if client_close {
                Next::Close
            } else {
                Next::KeepAlive
            });
        }
        _ => {}
    }

    // Forward the request.
    if up_slot.as_ref().is_some_and(|u| !alive(u)) {
        *up_slot = None;
    }
    if up_slot.is_none() {
        let s = TcpStream::connect(upstream).await?;
        let _ = s.set_nodelay(true);
        *up_slot = Some(Conn::new(s));
    }
    let Some(up) = up_slot.as_mut() else {
        return Ok(Next::Close);
    };
    up.s.write_all(&req.raw).await?;
    copy_body(client, &mut up.s, req_framing, BodyFault::None, &|| {}).await?;
    up.s.flush().await?;

    // The response head (interim 1xx answers pass straight through).
    let resp = loop {
        let Some(raw) = up.read_head().await? else {
            // The server closed without answering.
            return Ok(Next::Reset);
        };
        let head = Head::parse(raw, false)?;
        let status = head.status();
        if (100..200).contains(&status) && status != 101 {
            client.s.write_all(&head.raw).await?;
            continue;
        }
        break head;
    };
    let resp_framing = resp.framing(false, &method)?;
    let server_close = resp.has_token("connection", "close") || resp_framing == Framing::UntilClose;

    let mut body_fault = BodyFault::None;
    let mut reset_on_cut = false;
    if let Some((fault, counters)) = &decision {
        match fault {
            Fault::ResetBeforeResponse => {
                shared.applied(counters);
                *up_slot = None;
                return Ok(Next::Reset);
            }
            Fault::ResetAfterHeaders => {
                shared.applied(counters);
                client.s.write_all(&resp.raw).await?;
                client.s.flush().await?;
                *up_slot = None;
                return Ok(Next::Reset);
            }
            Fault::Stall(d) => {
                shared.applied(counters);
                let deadline = tokio::time::Instant::now() + *d;
                loop {
                    tokio::select! {
                        _ = tokio::time::sleep_until(deadline) => break,
                        n = client.fill() => match n {
                            Ok(0) | Err(_) => {
                                // The client gave up.
                                *up_slot = None;
                                return Ok(Next::Close);
                            }
                            Ok(_) => {}
                        },
                    }
                }
            }
            Fault::ResetMidBody(n) => {
                body_fault = BodyFault::Cut(*n);
                reset_on_cut = true;
            }
            Fault::Truncate(n) => body_fault = BodyFault::Cut(*n),
            Fault::FlipByte(n) => body_fault = BodyFault::Flip(*n),
            Fault::DropRequest | Fault::Respond { .. } => {}
        }
    }

    client.s.write_all(&resp.raw).await?;
    let fired = || {
        if let Some((_, counters)) = &decision {
            shared.applied(counters);
        }
    };
    let copied = copy_body(up, &mut client.s, resp_framing, body_fault, &fired).await?;
    match copied {
        Copied::Cut => {
            *up_slot = None;
            if reset_on_cut {
                // Let the bytes already written leave before the reset.
                tokio::time::sleep(Duration::from_millis(20)).await;
                return Ok(Next::Reset);
            }
            let _ = client.s.shutdown().await;
            return Ok(Next::Close);
        }
        Copied::Done(_) => {}
    }
    if server_close {
        *up_slot = None;
        if resp_framing == Framing::UntilClose {
            return Ok(Next::Close);
        }
    }
    Ok(if client_close {
        Next::Close
    } else {
        Next::KeepAlive
    })
}

#[cfg(test)]
mod tests {
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
