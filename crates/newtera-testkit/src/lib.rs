//! Test support for the Newtera workspace (never published).
//!
//! Integration tests talk S3 over real sockets to real, independently written
//! servers started on free `127.0.0.1` ports:
//!
//! - [`garage()`]: garage 2.5.0, a production object store that checks SigV4
//!   signatures and payload hashes and enforces SSE-C;
//! - [`moto()`]: moto's S3 server, broad S3 semantics (versioning, tagging,
//!   object lock) but no signature checks;
//! - [`garage_tls()`] / [`moto_tls()`]: the same servers behind a TLS
//!   terminator whose certificate is issued by a per-process test CA
//!   ([`TestServer::ca_pem`]);
//! - [`tinyproxy()`]: a real HTTP forward proxy (tinyproxy) for the proxy
//!   tests;
//! - [`start_embedded`]: an in-process s3s-fs server for the quickstart
//!   example. Its semantics are not a reference for correct behaviour.
//!
//! The external servers start lazily, once per test process, and are killed
//! when the test process exits. Binaries are found through
//! `NEWTERA_GARAGE_BIN` / `NEWTERA_MOTO_SERVER`, then the cache folder
//! `$NEWTERA_CACHE` (default `$HOME/.cache/newtera`) that
//! `cargo xtask install-servers` fills, then `PATH`.
//!
//! ```no_run
//! for server in newtera_testkit::servers_with(|caps| caps.multipart_listing) {
//!     println!("{:?} at {}", server.kind, server.url());
//! }
//! ```

// This crate spawns child processes that must die with the test process:
// that takes `prctl(PR_SET_PDEATHSIG)` in a `pre_exec` hook and an `atexit`
// handler, both `unsafe`. Every `unsafe` block carries a SAFETY comment.
#![allow(unsafe_code)]

mod embedded;
pub mod fault;
mod garage;
mod http;
mod moto;
mod process;
mod proxy;
mod tls;

use std::fmt;
use std::sync::OnceLock;

pub use embedded::{start_embedded, EmbeddedServer};
pub use garage::GarageWeb;
pub use proxy::{tinyproxy, ForwardProxy};

/// Which server a [`TestServer`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServerKind {
    /// garage over plain HTTP.
    Garage,
    /// moto's S3 server over plain HTTP.
    Moto,
    /// garage behind the testkit's TLS terminator.
    GarageTls,
    /// moto behind the testkit's TLS terminator.
    MotoTls,
}

impl ServerKind {
    /// What this kind of server supports.
    pub fn caps(self) -> Caps {
        match self {
            ServerKind::Garage | ServerKind::GarageTls => Caps {
                checks_signatures: true,
                versioning: false,
                tagging: false,
                object_lock: false,
                sse_c_enforced: true,
                multipart_listing: true,
                create_bucket: true,
            },
            ServerKind::Moto | ServerKind::MotoTls => Caps {
                checks_signatures: false,
                versioning: true,
                tagging: true,
                object_lock: true,
                sse_c_enforced: false,
                multipart_listing: true,
                create_bucket: true,
            },
        }
    }
}

/// What a server supports, so that each test runs on every server that has
/// the feature it tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Caps {
    /// Rejects requests with a wrong signature or secret key.
    pub checks_signatures: bool,
    /// Bucket versioning (GetBucketVersioning, ListObjectVersions, ...).
    pub versioning: bool,
    /// Object and bucket tagging.
    pub tagging: bool,
    /// Object lock: retention and legal hold.
    pub object_lock: bool,
    /// SSE-C is really applied: reading without the key fails.
    pub sse_c_enforced: bool,
    /// ListMultipartUploads and ListParts.
    pub multipart_listing: bool,
    /// CreateBucket works with the server's credentials.
    pub create_bucket: bool,
}

/// A running S3 server, on `127.0.0.1`.
#[non_exhaustive]
pub struct TestServer {
    /// Which server this is.
    pub kind: ServerKind,
    /// `127.0.0.1:PORT`.
    pub endpoint: String,
    /// Whether the endpoint speaks HTTPS (trust [`TestServer::ca_pem`]).
    pub secure: bool,
    /// Access key that the server accepts.
    pub access_key: String,
    /// Secret key of `access_key`.
    pub secret_key: String,
    /// The server's region.
    pub region: String,
    /// PEM of the CA that issued the server's certificate, when `secure`.
    pub ca_pem: Option<Vec<u8>>,
    /// A bucket that exists from the start, if the server made one.
    pub default_bucket: Option<String>,
}

impl TestServer {
    /// What the server supports.
    pub fn caps(&self) -> Caps {
        self.kind.caps()
    }

    /// `http://127.0.0.1:PORT` or `https://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        let scheme = if self.secure { "https" } else { "http" };
        format!("{scheme}://{}", self.endpoint)
    }
}

impl fmt::Debug for TestServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestServer")
            .field("kind", &self.kind)
            .field("endpoint", &self.endpoint)
            .field("secure", &self.secure)
            .field("access_key", &self.access_key)
            .field("secret_key", &"<redacted>")
            .field("region", &self.region)
            .field("ca_pem", &self.ca_pem.as_ref().map(|_| "<pem>"))
            .field("default_bucket", &self.default_bucket)
            .finish()
    }
}

/// garage 2.5.0, single node, over plain HTTP. Started on first use.
///
/// # Panics
/// If the garage binary is missing or the server does not become ready.
pub fn garage() -> &'static TestServer {
    &garage_pair().0
}

fn garage_pair() -> &'static (TestServer, GarageWeb) {
    static SERVER: OnceLock<(TestServer, GarageWeb)> = OnceLock::new();
    SERVER.get_or_init(garage::start)
}

/// The web endpoint (static website hosting) of [`garage()`]: buckets whose
/// website access is allowed ([`GarageWeb::allow_website`]) are served there
/// without authentication.
pub fn garage_web() -> &'static GarageWeb {
    &garage_pair().1
}

/// A second garage, like [`garage()`] but whose S3 API is in region
/// `garage` (garage's own default), to show what a server in a region other
/// than `us-east-1` answers. Started on first use.
pub fn garage_other_region() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| garage::start_in("garage").0)
}

/// moto's S3 server over plain HTTP. Started on first use.
///
/// # Panics
/// If `moto_server` is missing or the server does not become ready.
pub fn moto() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(moto::start)
}

/// [`garage()`] behind a TLS terminator; its certificate (for `127.0.0.1`
/// and `localhost`) is issued by the CA in [`TestServer::ca_pem`]. Shares
/// the data of [`garage()`].
pub fn garage_tls() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| tls::wrap(garage(), ServerKind::GarageTls))
}

/// [`moto()`] behind a TLS terminator, like [`garage_tls()`].
pub fn moto_tls() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| tls::wrap(moto(), ServerKind::MotoTls))
}

/// The plain-HTTP servers (garage, moto) whose capabilities pass `filter`.
/// Only the servers selected are started (in parallel, on first use).
pub fn servers_with(filter: impl Fn(&Caps) -> bool) -> Vec<&'static TestServer> {
    type Start = fn() -> &'static TestServer;
    let all: [(ServerKind, Start); 2] = [(ServerKind::Garage, garage), (ServerKind::Moto, moto)];
    let selected: Vec<Start> = all
        .into_iter()
        .filter(|(kind, _)| filter(&kind.caps()))
        .map(|(_, start)| start)
        .collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = selected.iter().map(|start| scope.spawn(start)).collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

/// The PEM of the per-process test CA that issues the TLS terminators'
/// certificates.
pub fn test_ca_pem() -> Vec<u8> {
    tls::pki().ca_pem.clone()
}

/// A valid, unused-looking S3 bucket name: `prefix` (lower-cased, reduced to
/// `[a-z0-9-]`) followed by a random suffix, at most 63 characters.
pub fn unique_bucket(prefix: &str) -> String {
    let mut name: String = prefix
        .chars()
        .map(|c| c.to_ascii_lowercase())
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    name = name.trim_matches('-').to_owned();
    name.truncate(40);
    let name = name.trim_end_matches('-');
    let suffix = process::random_hex(8);
    if name.is_empty() {
        format!("nt-{suffix}")
    } else if name.len() < 3 {
        format!("{name}-nt-{suffix}")
    } else {
        format!("{name}-{suffix}")
    }
}
