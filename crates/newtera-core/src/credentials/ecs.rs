//! [`EcsProvider`]: the ECS / EKS Pod Identity container credentials
//! endpoint.

use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use http::header::{ACCEPT, AUTHORIZATION};
use http::{HeaderValue, Method};
use newtera_signer::{Credentials, CredentialsError, Provider, ProviderFuture};
use newtera_transport::Body;

use super::fetch::{display_url, join, parse_url, Http, TransportConfig};
use super::{env_var, not_found, parse_json_credentials, NetworkCredentialsError};

const NAME: &str = "ecs";

/// Where `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` is resolved by default.
pub const ECS_DEFAULT_BASE: &str = "http://169.254.170.2";

/// The largest response or token file read.
const LIMIT: usize = 64 << 10;

/// Credentials from the container credentials endpoint of ECS tasks and EKS
/// Pod Identity: a `GET` answered with
/// `{"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}`.
///
/// Each setting left unset is read from the environment at every
/// [`retrieve`](Provider::retrieve):
///
/// | setting | variable |
/// |---|---|
/// | path on [`ECS_DEFAULT_BASE`] | `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (wins over the full URI) |
/// | full URL | `AWS_CONTAINER_CREDENTIALS_FULL_URI` |
/// | `Authorization` header, from a file | `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (wins) |
/// | `Authorization` header | `AWS_CONTAINER_AUTHORIZATION_TOKEN` |
///
/// A full URI over plain `http` must name a loopback address or one of the
/// ECS/EKS link-local addresses (`169.254.170.2`, `169.254.170.23`,
/// `fd00:ec2::23`), so credentials are never fetched from elsewhere in the
/// clear. With neither URI set, `retrieve` fails with
/// [`CredentialsError::NotFound`]. The token file is re-read at each
/// `retrieve`. `Debug` masks the authorization token; errors never contain
/// it. Each `retrieve` asks the endpoint: wrap the provider in a
/// [`CachedProvider`](super::CachedProvider).
pub struct EcsProvider {
    relative_uri: Option<String>,
    full_uri: Option<String>,
    token: Option<String>,
    token_file: Option<PathBuf>,
    base: String,
    http: Http,
}

impl fmt::Debug for EcsProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EcsProvider")
            .field("relative_uri", &self.relative_uri)
            .field(
                "full_uri",
                &self.full_uri.as_deref().map(|u| {
                    parse_url(u, "")
                        .map(|u| display_url(&u))
                        .unwrap_or_default()
                }),
            )
            .field("token", &self.token.as_ref().map(|_| "***"))
            .field("token_file", &self.token_file)
            .field("base", &self.base)
            .finish()
    }
}

impl Default for EcsProvider {
    fn default() -> Self {
        Self::from_env()
    }
}

impl EcsProvider {
    /// Reads every setting from the environment (see the type's docs).
    pub fn from_env() -> Self {
        EcsProvider {
            relative_uri: None,
            full_uri: None,
            token: None,
            token_file: None,
            base: ECS_DEFAULT_BASE.to_owned(),
            http: Http::new(Duration::from_secs(2), Duration::from_secs(5), 3),
        }
    }

    /// The path of the credentials on the base URL, as in
    /// `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (e.g. `/v2/credentials/…`).
    /// Setting it or [`full_uri`](Self::full_uri) ignores both variables.
    #[must_use]
    pub fn relative_uri(mut self, path: impl Into<String>) -> Self {
        self.relative_uri = Some(path.into());
        self
    }

    /// The full URL of the credentials, as in
    /// `AWS_CONTAINER_CREDENTIALS_FULL_URI`.
    #[must_use]
    pub fn full_uri(mut self, url: impl Into<String>) -> Self {
        self.full_uri = Some(url.into());
        self
    }

    /// The `Authorization` header value. Setting it or
    /// [`authorization_token_file`](Self::authorization_token_file) ignores
    /// both token variables.
    #[must_use]
    pub fn authorization_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// A file holding the `Authorization` header value, re-read at each
    /// `retrieve`; wins over [`authorization_token`](Self::authorization_token).
    #[must_use]
    pub fn authorization_token_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.token_file = Some(path.into());
        self
    }

    /// Where relative URIs are resolved (default [`ECS_DEFAULT_BASE`]), e.g.
    /// `http://127.0.0.1:8080` for a local test endpoint.
    #[must_use]
    pub fn relative_base(mut self, url: impl Into<String>) -> Self {
        self.base = url.into();
        self
    }

    /// Adjusts the transport (defaults: 2 s connect timeout, 5 s request
    /// timeout, 3 attempts).
    #[must_use]
    pub fn transport_config(mut self, config: TransportConfig) -> Self {
        self.http.set_config(config);
        self
    }

    /// The URL to fetch, or `None` when nothing is configured.
    fn url(&self) -> Result<Option<http::Uri>, NetworkCredentialsError> {
        let explicit = self.relative_uri.is_some() || self.full_uri.is_some();
        let (relative, full) = if explicit {
            (self.relative_uri.clone(), self.full_uri.clone())
        } else {
            (
                env_var("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"),
                env_var("AWS_CONTAINER_CREDENTIALS_FULL_URI"),
            )
        };
        if let Some(rel) = relative {
            let rel = rel.trim();
            if !rel.starts_with('/') {
                return Err(NetworkCredentialsError::Config(
                    "the relative credentials URI must start with /".into(),
                ));
            }
            return parse_url(&join(&self.base, rel), "the ECS credentials URL").map(Some);
        }
        let Some(full) = full else {
            return Ok(None);
        };
        let uri = parse_url(&full, "the full ECS credentials URI")?;
        if uri.scheme_str() == Some("http") && !allowed_http_host(uri.host().unwrap_or_default()) {
            return Err(NetworkCredentialsError::Config(format!(
                "the full ECS credentials URI {} uses plain http to a host that is neither \
                 loopback nor an ECS/EKS address",
                display_url(&uri)
            )));
        }
        Ok(Some(uri))
    }

    /// The `Authorization` value, if any.
    async fn token(&self) -> Result<Option<String>, NetworkCredentialsError> {
        let explicit = self.token.is_some() || self.token_file.is_some();
        let (file, token) = if explicit {
            (self.token_file.clone(), self.token.clone())
        } else {
            (
                env_var("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE").map(PathBuf::from),
                env_var("AWS_CONTAINER_AUTHORIZATION_TOKEN"),
            )
        };
        if let Some(path) = file {
            let data =
                tokio::fs::read(&path)
                    .await
                    .map_err(|source| NetworkCredentialsError::Io {
                        path: path.clone(),
                        source,
                    })?;
            if data.len() > LIMIT {
                return Err(NetworkCredentialsError::Config(format!(
                    "authorization token file {} is too large",
                    path.display()
                )));
            }
            let s = String::from_utf8(data).map_err(|_| {
                NetworkCredentialsError::Config(format!(
                    "authorization token file {} is not UTF-8",
                    path.display()
                ))
            })?;
            return Ok(Some(s.trim().to_owned()));
        }
        Ok(token.map(|t| t.trim().to_owned()))
    }

    async fn fetch(&self) -> Result<Credentials, CredentialsError> {
        let wrap = |e: NetworkCredentialsError| e.into_credentials_error(NAME);
        let uri = self.url().map_err(wrap)?.ok_or_else(|| {
            not_found(
                NAME,
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI not set",
            )
        })?;
        let shown = display_url(&uri);
        let token = self.token().await.map_err(wrap)?;
        let mut req = http::Request::builder()
            .method(Method::GET)
            .uri(uri)
            .header(ACCEPT, "application/json")
            .body(Body::empty())
            .map_err(|_| {
                wrap(NetworkCredentialsError::Config(
                    "invalid ECS request".into(),
                ))
            })?;
        if let Some(token) = token.filter(|t| !t.is_empty()) {
            let mut v = HeaderValue::from_str(&token).map_err(|_| {
                wrap(NetworkCredentialsError::Config(
                    "the authorization token is not a valid header value".into(),
                ))
            })?;
            v.set_sensitive(true);
            req.headers_mut().insert(AUTHORIZATION, v);
        }
        let (status, body) = self.http.send(req, &shown, LIMIT).await.map_err(wrap)?;
        if !status.is_success() {
            return Err(wrap(NetworkCredentialsError::Status {
                endpoint: shown,
                status: status.as_u16(),
                code: None,
                message: None,
            }));
        }
        parse_json_credentials(&body, &shown).map_err(wrap)
    }
}

/// Whether plain http to `host` is allowed for a full URI.
fn allowed_http_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    match host.parse::<IpAddr>() {
        Ok(ip) if ip.is_loopback() => true,
        Ok(ip) => ["169.254.170.2", "169.254.170.23", "fd00:ec2::23"]
            .iter()
            .any(|a| a.parse::<IpAddr>().is_ok_and(|a| a == ip)),
        Err(_) => false,
    }
}

impl Provider for EcsProvider {
    fn retrieve(&self) -> ProviderFuture<'_> {
        Box::pin(self.fetch())
    }

    fn name(&self) -> &'static str {
        NAME
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_hosts() {
        for ok in [
            "127.0.0.1",
            "127.1.2.3",
            "[::1]",
            "localhost",
            "169.254.170.2",
            "169.254.170.23",
            "[fd00:ec2::23]",
        ] {
            assert!(allowed_http_host(ok), "{ok}");
        }
        for bad in ["10.0.0.1", "example.com", "169.254.169.254", ""] {
            assert!(!allowed_http_host(bad), "{bad}");
        }
    }

    #[test]
    fn urls_and_debug() {
        let p = EcsProvider::from_env()
            .relative_uri("/v2/creds")
            .relative_base("http://127.0.0.1:9/")
            .authorization_token("SUPERTOKEN");
        assert_eq!(
            p.url().expect("ok").map(|u| u.to_string()).as_deref(),
            Some("http://127.0.0.1:9/v2/creds")
        );
        assert!(!format!("{p:?}").contains("SUPERTOKEN"));

        let bad = EcsProvider::from_env().relative_uri("v2");
        assert!(matches!(bad.url(), Err(NetworkCredentialsError::Config(_))));
        let far = EcsProvider::from_env().full_uri("http://10.1.1.1/creds?x=SECRET");
        let e = far.url().expect_err("refused").to_string();
        assert!(!e.contains("SECRET"), "{e}");
        let tls = EcsProvider::from_env().full_uri("https://example.com/creds");
        assert!(tls.url().expect("ok").is_some());
    }
}
