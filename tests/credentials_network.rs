//! The network credentials providers, each used for a real signed request:
//! STS AssumeRole and AssumeRoleWithWebIdentity against moto's STS, the ECS
//! and EC2 (IMDSv2) metadata endpoints served by a small HTTP server on
//! 127.0.0.1 handing out garage's real keys (garage checks signatures, so a
//! successful request proves the keys flowed end to end); the cache's early
//! refresh and single refresh under concurrency; typed errors without
//! secrets.

#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use newtera::credentials::{CredentialsError, Provider, StaticProvider};
use newtera::transport::{HttpRequest, TransportBuilder};
use newtera::{
    AssumeRoleProvider, CachedProvider, EcsProvider, ImdsProvider, NetworkCredentialsError,
    Newtera, WebIdentityProvider,
};
use newtera_testkit::TestServer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const ROLE_ARN: &str = "arn:aws:iam::123456789012:role/newtera-test";

// ---------------------------------------------------------------------------
// Helpers

/// Headers of every request that went through a client, signed.
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<http::HeaderMap>>>);

impl Seen {
    fn layer(
        &self,
    ) -> tower::util::MapRequestLayer<impl Fn(HttpRequest) -> HttpRequest + Clone + Send + Sync>
    {
        let seen = self.0.clone();
        tower::util::MapRequestLayer::new(move |req: HttpRequest| {
            seen.lock().unwrap().push(req.headers().clone());
            req
        })
    }

    fn all(&self) -> Vec<http::HeaderMap> {
        self.0.lock().unwrap().clone()
    }
}

fn header(h: &http::HeaderMap, name: &str) -> String {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// A client for `server` with `provider` and a header-capturing layer.
fn client(server: &TestServer, provider: Arc<dyn Provider>, seen: &Seen) -> Newtera {
    Newtera::builder(server.url())
        .region(server.region.clone())
        .credentials_arc(provider)
        .layer(seen.layer())
        .build()
        .unwrap()
}

/// Asserts every captured request was signed with `access_key`, and carried
/// `token` as `x-amz-security-token` (or none).
fn assert_signed_with(seen: &Seen, access_key: &str, token: Option<&str>) {
    let all = seen.all();
    assert!(!all.is_empty(), "no request seen");
    for h in all {
        let auth = header(&h, "authorization");
        assert!(
            auth.contains(&format!("Credential={access_key}/")),
            "authorization {auth:?} does not use {access_key}"
        );
        match token {
            Some(t) => assert_eq!(header(&h, "x-amz-security-token"), t),
            None => assert!(!h.contains_key("x-amz-security-token")),
        }
    }
}

/// The full text of an error: Display, its sources, and Debug.
fn error_text(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = format!("{e} / {e:?}");
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(&format!(" / {c}"));
        cur = c.source();
    }
    s
}

/// The [`NetworkCredentialsError`] inside a provider error.
fn network_error(e: &CredentialsError) -> &NetworkCredentialsError {
    match e {
        CredentialsError::Provider { source, .. } => source
            .downcast_ref::<NetworkCredentialsError>()
            .unwrap_or_else(|| panic!("not a network error: {e:?}")),
        other => panic!("unexpected {other:?}"),
    }
}

/// `t` as ISO 8601 (`2026-01-02T03:04:05Z`).
fn iso8601(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn creds_json(ak: &str, sk: &str, token: Option<&str>, expires_in: Duration) -> String {
    let token = token
        .map(|t| format!(r#""Token":"{t}","#))
        .unwrap_or_default();
    format!(
        r#"{{"Code":"Success","Type":"AWS-HMAC","AccessKeyId":"{ak}","SecretAccessKey":"{sk}",{token}"Expiration":"{}"}}"#,
        iso8601(SystemTime::now() + expires_in)
    )
}

/// One request received by [`Meta`].
#[derive(Clone, Debug)]
struct Hit {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
}

impl Hit {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

type Route = Arc<dyn Fn(&Hit, usize) -> (u16, String) + Send + Sync>;

/// A tiny HTTP/1.1 server on 127.0.0.1 standing in for a metadata endpoint:
/// answers each request with `route(hit, index)` after `delay`, one request
/// per connection, and records every request.
struct Meta {
    url: String,
    hits: Arc<Mutex<Vec<Hit>>>,
}

impl Meta {
    async fn start(delay: Duration, route: Route) -> Meta {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let hits: Arc<Mutex<Vec<Hit>>> = Arc::default();
        let log = hits.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut sock, _)) = listener.accept().await else {
                    return;
                };
                let (log, route) = (log.clone(), route.clone());
                tokio::spawn(async move {
                    let Some(hit) = read_request(&mut sock).await else {
                        return;
                    };
                    let index = {
                        let mut l = log.lock().unwrap();
                        l.push(hit.clone());
                        l.len() - 1
                    };
                    tokio::time::sleep(delay).await;
                    let (status, body) = route(&hit, index);
                    let resp = format!(
                        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n\
                         content-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = sock.write_all(resp.as_bytes()).await;
                    let _ = sock.shutdown().await;
                });
            }
        });
        Meta { url, hits }
    }

    fn hits(&self) -> Vec<Hit> {
        self.hits.lock().unwrap().clone()
    }
}

async fn read_request(sock: &mut tokio::net::TcpStream) -> Option<Hit> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        if buf.len() > 65_536 {
            return None;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_owned();
    let path = first.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut have = buf.len() - head_end - 4;
    while have < len {
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        have += n;
    }
    Some(Hit {
        method,
        path,
        headers,
    })
}

/// A 127.0.0.1 URL where nothing listens.
async fn dead_url() -> String {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    drop(l);
    url
}

/// Serialises the tests that change environment variables.
/// Tests using IMDS hold it too, since `AWS_EC2_METADATA_DISABLED` applies
/// to every `ImdsProvider`.
static ENV: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Sets or clears variables, restoring them when dropped.
struct EnvGuard {
    saved: Vec<(&'static str, Option<std::ffi::OsString>)>,
    _lock: tokio::sync::MutexGuard<'static, ()>,
}

impl EnvGuard {
    async fn new() -> Self {
        EnvGuard {
            saved: Vec::new(),
            _lock: ENV.lock().await,
        }
    }
    fn set(&mut self, k: &'static str, v: Option<&str>) {
        if !self.saved.iter().any(|(s, _)| *s == k) {
            self.saved.push((k, std::env::var_os(k)));
        }
        match v {
            Some(v) => std::env::set_var(k, v),
            None => std::env::remove_var(k),
        }
    }
}

impl Drop for EnvGuard {
    fn drop(&mut self) {
        for (k, v) in self.saved.drain(..) {
            match v {
                Some(v) => std::env::set_var(k, v),
                None => std::env::remove_var(k),
            }
        }
    }
}

// ---------------------------------------------------------------------------
// STS on moto

#[tokio::test]
async fn assume_role_on_moto_signs_real_requests() {
    let moto = newtera_testkit::moto();
    let base: Arc<dyn Provider> = Arc::new(StaticProvider::new(
        moto.access_key.clone(),
        moto.secret_key.clone(),
        None,
    ));
    // Capture the STS request itself: signed for service `sts` with the base key.
    let sts_seen = Seen::default();
    let layer_src = sts_seen.clone();
    let role = AssumeRoleProvider::new(base, ROLE_ARN)
        .endpoint(moto.url())
        .region(moto.region.clone())
        .session_name("newtera-it")
        .duration(Duration::from_secs(900))
        .external_id("ext-123")
        .transport_config(Arc::new(move |b: TransportBuilder| {
            b.layer(layer_src.layer())
        }));
    let dbg = format!("{role:?}");
    assert!(!dbg.contains(&moto.secret_key), "{dbg}");

    let cached = Arc::new(CachedProvider::new(role));
    let creds = cached.retrieve().await.unwrap();
    assert!(creds.access_key().starts_with("ASIA"), "{creds:?}");
    assert_ne!(creds.access_key(), moto.access_key);
    let token = creds.session_token().expect("session token").to_owned();
    assert!(!token.is_empty());
    assert!(creds.expiration().is_some());

    let sts_requests = sts_seen.all();
    assert_eq!(sts_requests.len(), 1);
    let auth = header(&sts_requests[0], "authorization");
    assert!(
        auth.contains(&format!("Credential={}/", moto.access_key))
            && auth.contains(&format!("/{}/sts/aws4_request", moto.region)),
        "{auth}"
    );

    // The S3 client signs with the assumed role's keys and token.
    let seen = Seen::default();
    let c = client(moto, cached.clone(), &seen);
    let bucket = newtera_testkit::unique_bucket("creds-assume-role");
    c.make_bucket(&bucket).await.unwrap();
    let names: Vec<String> = c
        .list_buckets()
        .await
        .unwrap()
        .into_iter()
        .map(|b| b.name)
        .collect();
    assert!(names.contains(&bucket));
    c.remove_bucket(&bucket).await.unwrap();
    assert_signed_with(&seen, creds.access_key(), Some(&token));
    // Still one STS call: the cache served every request.
    assert_eq!(sts_seen.all().len(), 1);
}

#[tokio::test]
async fn web_identity_on_moto_signs_real_requests() {
    let moto = newtera_testkit::moto();
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("token");
    let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJuZXd0ZXJhIn0.c2VjcmV0LXdlYi1pZGVudGl0eQ";
    std::fs::write(&token_file, format!("{jwt}\n")).unwrap();

    let sts_seen = Seen::default();
    let layer_src = sts_seen.clone();
    let provider = WebIdentityProvider::new(&token_file, ROLE_ARN)
        .endpoint(moto.url())
        .session_name("newtera-web")
        .transport_config(Arc::new(move |b: TransportBuilder| {
            b.layer(layer_src.layer())
        }));
    assert!(!format!("{provider:?}").contains(jwt));
    let cached = Arc::new(CachedProvider::new(provider));
    let creds = cached.retrieve().await.unwrap();
    assert!(creds.access_key().starts_with("ASIA"), "{creds:?}");
    let token = creds.session_token().expect("session token").to_owned();
    // AssumeRoleWithWebIdentity is not signed.
    let sts_requests = sts_seen.all();
    assert_eq!(sts_requests.len(), 1);
    assert!(!sts_requests[0].contains_key("authorization"));

    let seen = Seen::default();
    let c = client(moto, cached, &seen);
    c.list_buckets().await.unwrap();
    assert_signed_with(&seen, creds.access_key(), Some(&token));

    // STS down: a typed transport error that never shows the token.
    let down = WebIdentityProvider::new(&token_file, ROLE_ARN)
        .endpoint(dead_url().await)
        .transport_config(Arc::new(|b: TransportBuilder| {
            b.retry(newtera::transport::RetryConfig::disabled())
        }));
    let e = down.retrieve().await.unwrap_err();
    assert!(matches!(
        network_error(&e),
        NetworkCredentialsError::Transport { .. }
    ));
    assert!(!error_text(&e).contains(jwt), "{}", error_text(&e));

    // A missing token file: an I/O error naming the file, not its content.
    let missing = WebIdentityProvider::new(dir.path().join("nope"), ROLE_ARN).endpoint(moto.url());
    let e = missing.retrieve().await.unwrap_err();
    assert!(matches!(
        network_error(&e),
        NetworkCredentialsError::Io { .. }
    ));
}

#[tokio::test]
async fn web_identity_from_env_and_default_chain() {
    let moto = newtera_testkit::moto();
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, "env-web-identity-token").unwrap();

    let mut env = EnvGuard::new().await;
    for k in [
        "AWS_ACCESS_KEY_ID",
        "AWS_ACCESS_KEY",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SECRET_KEY",
        "AWS_SESSION_TOKEN",
        "MINIO_ACCESS_KEY",
        "MINIO_SECRET_KEY",
        "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_PROFILE",
        "MINIO_ALIAS",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
        "AWS_ROLE_SESSION_NAME",
    ] {
        env.set(k, None);
    }
    env.set("HOME", Some(dir.path().to_str().unwrap()));
    env.set("AWS_EC2_METADATA_DISABLED", Some("true"));
    env.set("AWS_WEB_IDENTITY_TOKEN_FILE", None);
    env.set("AWS_ROLE_ARN", None);

    // Nothing configured: NotFound naming every provider of the chain.
    let chain = newtera::default_chain();
    let e = chain.retrieve().await.unwrap_err();
    let msg = e.to_string();
    for name in [
        "env-aws",
        "env-minio",
        "aws-config",
        "minio-client-config",
        "web-identity",
        "ecs",
        "imds",
    ] {
        assert!(msg.contains(name), "{msg}");
    }

    // Web identity configured by the environment (read at retrieve time).
    env.set("AWS_WEB_IDENTITY_TOKEN_FILE", token_file.to_str());
    env.set("AWS_ROLE_ARN", Some(ROLE_ARN));
    env.set("AWS_ROLE_SESSION_NAME", Some("from-env"));
    env.set("AWS_ENDPOINT_URL_STS", Some(&moto.url()));
    let direct = WebIdentityProvider::from_env().retrieve().await.unwrap();
    assert!(direct.access_key().starts_with("ASIA"));

    let chain: Arc<dyn Provider> = Arc::new(newtera::default_chain());
    let creds = chain.retrieve().await.unwrap();
    assert!(creds.access_key().starts_with("ASIA"), "{creds:?}");
    // Cached inside the chain: the same credentials again.
    assert_eq!(chain.retrieve().await.unwrap(), creds);

    let seen = Seen::default();
    let c = client(moto, chain, &seen);
    c.list_buckets().await.unwrap();
    assert_signed_with(&seen, creds.access_key(), creds.session_token());

    // IMDS disabled: NotFound at once.
    let e = ImdsProvider::new().retrieve().await.unwrap_err();
    assert!(matches!(e, CredentialsError::NotFound { .. }), "{e:?}");
}

// ---------------------------------------------------------------------------
// ECS and IMDS on a local metadata endpoint, with garage's real keys

#[tokio::test]
async fn ecs_relative_uri_with_garage_keys() {
    let garage = newtera_testkit::garage();
    let (ak, sk) = (garage.access_key.clone(), garage.secret_key.clone());
    let meta = Meta::start(
        Duration::ZERO,
        Arc::new(move |hit: &Hit, _| {
            if hit.method == "GET"
                && hit.path == "/v2/credentials/task-1"
                && hit.header("authorization") == Some("ecs-auth-token")
            {
                (200, creds_json(&ak, &sk, None, Duration::from_secs(3600)))
            } else {
                (403, r#"{"error":"denied"}"#.to_owned())
            }
        }),
    )
    .await;
    let ecs = EcsProvider::from_env()
        .relative_uri("/v2/credentials/task-1")
        .relative_base(meta.url.clone())
        .authorization_token("ecs-auth-token");
    assert!(!format!("{ecs:?}").contains("ecs-auth-token"));
    let cached = Arc::new(CachedProvider::new(ecs));

    let seen = Seen::default();
    let c = client(garage, cached, &seen);
    let bucket = newtera_testkit::unique_bucket("creds-ecs");
    c.make_bucket(&bucket).await.unwrap();
    let names: Vec<String> = c
        .list_buckets()
        .await
        .unwrap()
        .into_iter()
        .map(|b| b.name)
        .collect();
    assert!(names.contains(&bucket), "{names:?}");
    c.remove_bucket(&bucket).await.unwrap();
    assert_signed_with(&seen, &garage.access_key, None);
    // One fetch for all three requests.
    assert_eq!(meta.hits().len(), 1);
    assert_eq!(meta.hits()[0].header("accept"), Some("application/json"));

    // A wrong token: the endpoint's 403 as a typed error without the token.
    let bad = EcsProvider::from_env()
        .relative_uri("/v2/credentials/task-1")
        .relative_base(meta.url.clone())
        .authorization_token("wrong-token");
    let e = bad.retrieve().await.unwrap_err();
    assert_eq!(network_error(&e).status(), Some(403));
    assert!(!error_text(&e).contains("wrong-token"));
}

#[tokio::test]
async fn ecs_full_uri_token_file_and_session_token() {
    let moto = newtera_testkit::moto();
    let meta = Meta::start(
        Duration::ZERO,
        Arc::new(|hit: &Hit, _| {
            if hit.path == "/creds?id=7" && hit.header("authorization") == Some("file-token") {
                (
                    200,
                    creds_json(
                        "ASIAECSFULLURI",
                        "ecs-full-secret",
                        Some("ecs-session-token"),
                        Duration::from_secs(3600),
                    ),
                )
            } else {
                (401, String::new())
            }
        }),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("auth");
    std::fs::write(&token_file, "file-token\n").unwrap();
    let ecs = EcsProvider::from_env()
        .full_uri(format!("{}/creds?id=7", meta.url))
        .authorization_token_file(&token_file);
    let seen = Seen::default();
    let c = client(moto, Arc::new(CachedProvider::new(ecs)), &seen);
    c.list_buckets().await.unwrap();
    assert_signed_with(&seen, "ASIAECSFULLURI", Some("ecs-session-token"));

    // Plain http to a non-loopback host is refused before any request.
    let far = EcsProvider::from_env().full_uri("http://192.0.2.1/creds");
    let e = far.retrieve().await.unwrap_err();
    assert!(matches!(
        network_error(&e),
        NetworkCredentialsError::Config(_)
    ));
}

#[tokio::test]
async fn imds_v2_token_flow_with_garage_keys() {
    let _env = EnvGuard::new().await;
    let garage = newtera_testkit::garage();
    let (ak, sk) = (garage.access_key.clone(), garage.secret_key.clone());
    let meta = Meta::start(
        Duration::ZERO,
        Arc::new(move |hit: &Hit, _| {
            const BASE: &str = "/latest/meta-data/iam/security-credentials/";
            match (hit.method.as_str(), hit.path.as_str()) {
                ("PUT", "/latest/api/token") => {
                    if hit.header("x-aws-ec2-metadata-token-ttl-seconds") == Some("21600") {
                        (200, "imds-session-AAAA".to_owned())
                    } else {
                        (400, String::new())
                    }
                }
                _ if hit.header("x-aws-ec2-metadata-token") != Some("imds-session-AAAA") => {
                    (401, String::new())
                }
                ("GET", BASE) => (200, "newtera-role\n".to_owned()),
                ("GET", p) if p == format!("{BASE}newtera-role") => (
                    200,
                    creds_json(&ak, &sk, None, Duration::from_secs(6 * 3600)),
                ),
                _ => (404, String::new()),
            }
        }),
    )
    .await;
    let imds = ImdsProvider::new().endpoint(meta.url.clone());
    let seen = Seen::default();
    let c = client(garage, Arc::new(CachedProvider::new(imds)), &seen);
    c.list_buckets().await.unwrap();
    assert_signed_with(&seen, &garage.access_key, None);

    let hits = meta.hits();
    let flow: Vec<(&str, &str)> = hits
        .iter()
        .map(|h| (h.method.as_str(), h.path.as_str()))
        .collect();
    assert_eq!(
        flow,
        [
            ("PUT", "/latest/api/token"),
            ("GET", "/latest/meta-data/iam/security-credentials/"),
            (
                "GET",
                "/latest/meta-data/iam/security-credentials/newtera-role"
            ),
        ]
    );
    assert!(hits[0].header("x-aws-ec2-metadata-token").is_none());
    for h in &hits[1..] {
        assert_eq!(
            h.header("x-aws-ec2-metadata-token"),
            Some("imds-session-AAAA")
        );
    }

    // Wrong keys served: garage refuses them, so the success above was real.
    let liar = Meta::start(
        Duration::ZERO,
        Arc::new(|hit: &Hit, _| match hit.method.as_str() {
            "PUT" => (200, "t".to_owned()),
            _ if hit.path.ends_with('/') => (200, "r".to_owned()),
            _ => (
                200,
                creds_json(
                    "GK0000000000000000000000",
                    "wrong-secret",
                    None,
                    Duration::from_secs(3600),
                ),
            ),
        }),
    )
    .await;
    let c = client(
        garage,
        Arc::new(ImdsProvider::new().endpoint(liar.url.clone())),
        &Seen::default(),
    );
    let e = c.list_buckets().await.unwrap_err();
    assert_eq!(e.status(), Some(http::StatusCode::FORBIDDEN), "{e:?}");
}

// ---------------------------------------------------------------------------
// Cache

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cache_single_refresh_under_concurrency() {
    let meta = Meta::start(
        Duration::from_millis(200),
        Arc::new(|_: &Hit, i| {
            (
                200,
                creds_json(
                    &format!("AKIDCONC{i}"),
                    "sk",
                    Some("tk"),
                    Duration::from_secs(3600),
                ),
            )
        }),
    )
    .await;
    let p = Arc::new(CachedProvider::new(
        EcsProvider::from_env()
            .relative_uri("/c")
            .relative_base(meta.url.clone()),
    ));
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let p = p.clone();
            tokio::spawn(async move { p.retrieve().await })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap().access_key(), "AKIDCONC0");
    }
    assert_eq!(meta.hits().len(), 1);
}

#[tokio::test]
async fn cache_refreshes_before_expiry() {
    // First credentials expire in 301 s (within the 300 s refresh window
    // after one second); the next ones in an hour.
    let meta = Meta::start(
        Duration::ZERO,
        Arc::new(|_: &Hit, i| {
            let life = if i == 0 { 301 } else { 3600 };
            (
                200,
                creds_json(
                    &format!("AKIDGEN{i}"),
                    "sk",
                    Some("tk"),
                    Duration::from_secs(life),
                ),
            )
        }),
    )
    .await;
    let p = CachedProvider::new(
        EcsProvider::from_env()
            .relative_uri("/c")
            .relative_base(meta.url.clone()),
    )
    .refresh_before(Duration::from_secs(300));
    let first = p.retrieve().await.unwrap();
    assert_eq!(first.access_key(), "AKIDGEN0");
    assert_eq!(p.retrieve().await.unwrap().access_key(), "AKIDGEN0");
    assert_eq!(meta.hits().len(), 1);

    tokio::time::sleep(Duration::from_millis(1500)).await;
    // Not expired yet, but inside the window: refreshed.
    assert!(!first.is_expired());
    assert_eq!(p.retrieve().await.unwrap().access_key(), "AKIDGEN1");
    assert_eq!(p.retrieve().await.unwrap().access_key(), "AKIDGEN1");
    assert_eq!(meta.hits().len(), 2);
}

// ---------------------------------------------------------------------------
// Typed errors

#[tokio::test]
async fn endpoints_down_or_broken_give_typed_errors() {
    let _env = EnvGuard::new().await;
    let dead = dead_url().await;
    let quick =
        || -> newtera::transport::RetryConfig { newtera::transport::RetryConfig::disabled() };

    let ecs = EcsProvider::from_env()
        .relative_uri("/c")
        .relative_base(dead.clone())
        .authorization_token("down-token")
        .transport_config(Arc::new(move |b: TransportBuilder| b.retry(quick())));
    let e = ecs.retrieve().await.unwrap_err();
    match network_error(&e) {
        NetworkCredentialsError::Transport { source, .. } => assert!(source.is_connect()),
        other => panic!("{other:?}"),
    }
    assert!(!error_text(&e).contains("down-token"));

    let imds = ImdsProvider::new().endpoint(dead.clone());
    let e = imds.retrieve().await.unwrap_err();
    assert!(matches!(
        network_error(&e),
        NetworkCredentialsError::Transport { .. }
    ));
    assert!(matches!(
        e,
        CredentialsError::Provider {
            provider: "imds",
            ..
        }
    ));

    let base: Arc<dyn Provider> = Arc::new(StaticProvider::new("AK", "base-secret", None));
    let sts = AssumeRoleProvider::new(base, ROLE_ARN).endpoint(dead.clone());
    let e = sts.retrieve().await.unwrap_err();
    assert!(matches!(
        network_error(&e),
        NetworkCredentialsError::Transport { .. }
    ));
    assert!(!error_text(&e).contains("base-secret"));

    // Broken answers: malformed JSON, a 500, an IMDS without a role.
    let broken = Meta::start(
        Duration::ZERO,
        Arc::new(|hit: &Hit, _| match hit.path.as_str() {
            "/json" => (
                200,
                r#"{"AccessKeyId":"AK","SecretAccessKey":"leaked-secret""#.to_owned(),
            ),
            "/latest/api/token" => (200, "tok".to_owned()),
            "/latest/meta-data/iam/security-credentials/" => (200, String::new()),
            _ => (500, "oops".to_owned()),
        }),
    )
    .await;
    let e = EcsProvider::from_env()
        .relative_uri("/json")
        .relative_base(broken.url.clone())
        .retrieve()
        .await
        .unwrap_err();
    assert!(matches!(
        network_error(&e),
        NetworkCredentialsError::InvalidResponse { .. }
    ));
    assert!(!error_text(&e).contains("leaked-secret"));
    let e = EcsProvider::from_env()
        .relative_uri("/500")
        .relative_base(broken.url.clone())
        .transport_config(Arc::new(move |b: TransportBuilder| b.retry(quick())))
        .retrieve()
        .await
        .unwrap_err();
    assert_eq!(network_error(&e).status(), Some(500));
    let e = ImdsProvider::new()
        .endpoint(broken.url.clone())
        .retrieve()
        .await
        .unwrap_err();
    assert!(matches!(
        network_error(&e),
        NetworkCredentialsError::InvalidResponse { .. }
    ));

    // STS answering an error document: code and message are kept, and a
    // web identity token echoed in the message is masked.
    let sts = Meta::start(
        Duration::ZERO,
        Arc::new(|_: &Hit, _| {
            (
                403,
                "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error>\
                 <Type>Sender</Type><Code>AccessDenied</Code><Message>token echoed-token-xyz \
                 is not authorized</Message></Error><RequestId>r1</RequestId></ErrorResponse>"
                    .to_owned(),
            )
        }),
    )
    .await;
    let base: Arc<dyn Provider> = Arc::new(StaticProvider::new("AK", "base-secret", None));
    let e = AssumeRoleProvider::new(base, ROLE_ARN)
        .endpoint(sts.url.clone())
        .retrieve()
        .await
        .unwrap_err();
    match network_error(&e) {
        NetworkCredentialsError::Status {
            status: 403,
            code: Some(code),
            message: Some(_),
            ..
        } => assert_eq!(code, "AccessDenied"),
        other => panic!("{other:?}"),
    }
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("t");
    std::fs::write(&token_file, "echoed-token-xyz").unwrap();
    let e = WebIdentityProvider::new(&token_file, ROLE_ARN)
        .endpoint(sts.url.clone())
        .retrieve()
        .await
        .unwrap_err();
    let text = error_text(&e);
    assert!(text.contains("AccessDenied"), "{text}");
    assert!(!text.contains("echoed-token-xyz"), "{text}");
}
