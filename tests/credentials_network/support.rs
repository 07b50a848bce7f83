//! Helpers: a header-capturing client, a tiny metadata endpoint, environment guards.

pub(crate) use std::sync::{Arc, Mutex};
pub(crate) use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub(crate) use newtera::credentials::{CredentialsError, Provider, StaticProvider};
pub(crate) use newtera::transport::{HttpRequest, TransportBuilder};
pub(crate) use newtera::{
    AssumeRoleProvider, CachedProvider, EcsProvider, ImdsProvider, NetworkCredentialsError,
    Newtera, WebIdentityProvider,
};
pub(crate) use newtera_testkit::TestServer;
pub(crate) use tokio::io::{AsyncReadExt, AsyncWriteExt};
pub(crate) use tokio::net::TcpListener;

pub(crate) const ROLE_ARN: &str = "arn:aws:iam::123456789012:role/newtera-test";

// ---------------------------------------------------------------------------
// Helpers

/// Headers of every request that went through a client, signed.
#[derive(Clone, Default)]
pub(crate) struct Seen(pub(crate) Arc<Mutex<Vec<http::HeaderMap>>>);

impl Seen {
    pub(crate) fn layer(
        &self,
    ) -> tower::util::MapRequestLayer<impl Fn(HttpRequest) -> HttpRequest + Clone + Send + Sync>
    {
        let seen = self.0.clone();
        tower::util::MapRequestLayer::new(move |req: HttpRequest| {
            seen.lock().unwrap().push(req.headers().clone());
            req
        })
    }

    pub(crate) fn all(&self) -> Vec<http::HeaderMap> {
        self.0.lock().unwrap().clone()
    }
}

pub(crate) fn header(h: &http::HeaderMap, name: &str) -> String {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// A client for `server` with `provider` and a header-capturing layer.
pub(crate) fn client(server: &TestServer, provider: Arc<dyn Provider>, seen: &Seen) -> Newtera {
    Newtera::builder(server.url())
        .region(server.region.clone())
        .credentials_arc(provider)
        .layer(seen.layer())
        .build()
        .unwrap()
}

/// Asserts every captured request was signed with `access_key`, and carried
/// `token` as `x-amz-security-token` (or none).
pub(crate) fn assert_signed_with(seen: &Seen, access_key: &str, token: Option<&str>) {
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
pub(crate) fn error_text(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = format!("{e} / {e:?}");
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(&format!(" / {c}"));
        cur = c.source();
    }
    s
}

/// The [`NetworkCredentialsError`] inside a provider error.
pub(crate) fn network_error(e: &CredentialsError) -> &NetworkCredentialsError {
    match e {
        CredentialsError::Provider { source, .. } => source
            .downcast_ref::<NetworkCredentialsError>()
            .unwrap_or_else(|| panic!("not a network error: {e:?}")),
        other => panic!("unexpected {other:?}"),
    }
}

/// `t` as ISO 8601 (`2026-01-02T03:04:05Z`).
pub(crate) fn iso8601(t: SystemTime) -> String {
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

pub(crate) fn creds_json(ak: &str, sk: &str, token: Option<&str>, expires_in: Duration) -> String {
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
pub(crate) struct Hit {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) headers: Vec<(String, String)>,
}

impl Hit {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
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
pub(crate) struct Meta {
    pub(crate) url: String,
    pub(crate) hits: Arc<Mutex<Vec<Hit>>>,
}

impl Meta {
    pub(crate) async fn start(delay: Duration, route: Route) -> Meta {
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

    pub(crate) fn hits(&self) -> Vec<Hit> {
        self.hits.lock().unwrap().clone()
    }
}

pub(crate) async fn read_request(sock: &mut tokio::net::TcpStream) -> Option<Hit> {
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
pub(crate) async fn dead_url() -> String {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    drop(l);
    url
}

/// Serialises the tests that change environment variables.
/// Tests using IMDS hold it too, since `AWS_EC2_METADATA_DISABLED` applies
/// to every `ImdsProvider`.
pub(crate) static ENV: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Sets or clears variables, restoring them when dropped.
pub(crate) struct EnvGuard {
    pub(crate) saved: Vec<(&'static str, Option<std::ffi::OsString>)>,
    pub(crate) _lock: tokio::sync::MutexGuard<'static, ()>,
}

impl EnvGuard {
    pub(crate) async fn new() -> Self {
        EnvGuard {
            saved: Vec::new(),
            _lock: ENV.lock().await,
        }
    }
    pub(crate) fn set(&mut self, k: &'static str, v: Option<&str>) {
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
