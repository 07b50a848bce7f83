//! [`ImdsProvider`]: the EC2 instance metadata service, IMDSv2.

use std::fmt;
use std::time::Duration;

use http::{HeaderValue, Method};
use newtera_signer::{Credentials, Provider, ProviderFuture};

#[cfg(doc)]
use newtera_signer::CredentialsError;
use newtera_transport::Body;

use super::fetch::{display_url, join, parse_url, Http, TransportConfig};
use super::{env_var, not_found, parse_json_credentials, NetworkCredentialsError};

const NAME: &str = "imds";

/// The instance metadata endpoint (IPv4).
pub const IMDS_DEFAULT_ENDPOINT: &str = "http://169.254.169.254";

/// The instance metadata endpoint in `IPv6` endpoint mode.
const IMDS_IPV6_ENDPOINT: &str = "http://[fd00:ec2::254]";

/// The lifetime asked for the IMDSv2 session token (6 hours, the maximum).
pub const IMDS_DEFAULT_TOKEN_TTL: Duration = Duration::from_secs(21_600);

const TOKEN_PATH: &str = "/latest/api/token";
const CREDS_PATH: &str = "/latest/meta-data/iam/security-credentials/";
const TOKEN_HEADER: &str = "x-aws-ec2-metadata-token";
const TTL_HEADER: &str = "x-aws-ec2-metadata-token-ttl-seconds";
const LIMIT: usize = 64 << 10;

/// Credentials of the instance profile from the EC2 instance metadata
/// service, version 2:
///
/// 1. `PUT /latest/api/token` with `x-aws-ec2-metadata-token-ttl-seconds`
///    yields a session token;
/// 2. `GET /latest/meta-data/iam/security-credentials/` with
///    `x-aws-ec2-metadata-token` yields the role name;
/// 3. `GET /latest/meta-data/iam/security-credentials/<role>` yields the
///    JSON credentials.
///
/// The endpoint is, in order: [`endpoint`](Self::endpoint),
/// `AWS_EC2_METADATA_SERVICE_ENDPOINT`, `http://[fd00:ec2::254]` when
/// `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6`, else
/// [`IMDS_DEFAULT_ENDPOINT`]. With `AWS_EC2_METADATA_DISABLED=true`,
/// `retrieve` fails at once with [`CredentialsError::NotFound`]. Timeouts
/// are short (1 s to connect, 2 s per request, 2 attempts) since off EC2
/// nothing answers. Each `retrieve` does the three requests: wrap the
/// provider in a [`CachedProvider`](super::CachedProvider).
pub struct ImdsProvider {
    endpoint: Option<String>,
    token_ttl: Duration,
    http: Http,
}

impl fmt::Debug for ImdsProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImdsProvider")
            .field("endpoint", &self.endpoint)
            .field("token_ttl", &self.token_ttl)
            .finish()
    }
}

impl Default for ImdsProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl ImdsProvider {
    /// The provider, configured from the environment.
    pub fn new() -> Self {
        ImdsProvider {
            endpoint: None,
            token_ttl: IMDS_DEFAULT_TOKEN_TTL,
            http: Http::new(Duration::from_secs(1), Duration::from_secs(2), 2),
        }
    }

    /// The metadata endpoint URL, e.g. `http://127.0.0.1:8080`; wins over
    /// the environment.
    #[must_use]
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Some(url.into());
        self
    }

    /// The lifetime asked for the session token (default 6 hours).
    #[must_use]
    pub fn token_ttl(mut self, ttl: Duration) -> Self {
        self.token_ttl = ttl;
        self
    }

    /// Adjusts the transport (defaults: 1 s connect timeout, 2 s request
    /// timeout, 2 attempts).
    #[must_use]
    pub fn transport_config(mut self, config: TransportConfig) -> Self {
        self.http.set_config(config);
        self
    }

    fn resolve_endpoint(&self) -> String {
        if let Some(e) = &self.endpoint {
            return e.clone();
        }
        if let Some(e) = env_var("AWS_EC2_METADATA_SERVICE_ENDPOINT") {
            return e;
        }
        match env_var("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE") {
            Some(m) if m.trim().eq_ignore_ascii_case("ipv6") => IMDS_IPV6_ENDPOINT.to_owned(),
            _ => IMDS_DEFAULT_ENDPOINT.to_owned(),
        }
    }

    /// Sends one request; the body of a 2xx answer.
    async fn call(
        &self,
        method: Method,
        url: &str,
        header: (&'static str, HeaderValue),
    ) -> Result<bytes::Bytes, NetworkCredentialsError> {
        let uri = parse_url(url, "the instance metadata URL")?;
        let shown = display_url(&uri);
        let req = http::Request::builder()
            .method(method)
            .uri(uri)
            .header(header.0, header.1)
            .body(Body::empty())
            .map_err(|_| NetworkCredentialsError::Config("invalid IMDS request".into()))?;
        let (status, body) = self.http.send(req, &shown, LIMIT).await?;
        if !status.is_success() {
            return Err(NetworkCredentialsError::Status {
                endpoint: shown,
                status: status.as_u16(),
                code: None,
                message: None,
            });
        }
        Ok(body)
    }

    async fn fetch(&self) -> Result<Credentials, NetworkCredentialsError> {
        let base = self.resolve_endpoint();
        let token_url = join(&base, TOKEN_PATH);
        let ttl = HeaderValue::from(self.token_ttl.as_secs().max(1));
        let token = self
            .call(Method::PUT, &token_url, (TTL_HEADER, ttl))
            .await?;
        let invalid = |endpoint: &str, reason: &str| NetworkCredentialsError::InvalidResponse {
            endpoint: endpoint.to_owned(),
            reason: reason.to_owned(),
        };
        let token = std::str::from_utf8(&token)
            .ok()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .and_then(|t| HeaderValue::from_str(t).ok())
            .ok_or_else(|| {
                invalid(
                    &token_url,
                    "the session token is empty or not a header value",
                )
            })?;
        let mut token = token;
        token.set_sensitive(true);

        let list_url = join(&base, CREDS_PATH);
        let roles = self
            .call(Method::GET, &list_url, (TOKEN_HEADER, token.clone()))
            .await?;
        let role = std::str::from_utf8(&roles)
            .ok()
            .and_then(|s| s.lines().map(str::trim).find(|l| !l.is_empty()))
            .ok_or_else(|| invalid(&list_url, "no instance profile role"))?;
        if !role
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b))
        {
            return Err(invalid(&list_url, "the role name has invalid characters"));
        }

        let creds_url = format!("{list_url}{role}");
        let body = self
            .call(Method::GET, &creds_url, (TOKEN_HEADER, token))
            .await?;
        let shown = parse_url(&creds_url, "the instance metadata URL")
            .map(|u| display_url(&u))
            .unwrap_or(creds_url);
        parse_json_credentials(&body, &shown)
    }
}

impl Provider for ImdsProvider {
    fn retrieve(&self) -> ProviderFuture<'_> {
        Box::pin(async move {
            if env_var("AWS_EC2_METADATA_DISABLED")
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
            {
                return Err(not_found(NAME, "AWS_EC2_METADATA_DISABLED is true"));
            }
            self.fetch()
                .await
                .map_err(|e| e.into_credentials_error(NAME))
        })
    }

    fn name(&self) -> &'static str {
        NAME
    }
}
