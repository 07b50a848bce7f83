//! [`WebIdentityProvider`]: STS `AssumeRoleWithWebIdentity`.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use newtera_signer::{Credentials, CredentialsError, Provider, ProviderFuture};

use super::fetch::{Http, TransportConfig};
use super::sts::{default_endpoint, default_session_name, StsCall};
use super::{env_region, env_var, not_found, NetworkCredentialsError};

const NAME: &str = "web-identity";

/// The largest token file read.
const TOKEN_LIMIT: u64 = 64 << 10;

/// Temporary credentials from STS `AssumeRoleWithWebIdentity`, exchanging
/// the OIDC token in a file (as Kubernetes service accounts provide, "IRSA")
/// for the credentials of a role. The request is not signed.
///
/// Each setting left unset is read from the environment at every
/// [`retrieve`](Provider::retrieve):
///
/// | setting | variable |
/// |---|---|
/// | token file | `AWS_WEB_IDENTITY_TOKEN_FILE` |
/// | role ARN | `AWS_ROLE_ARN` |
/// | session name | `AWS_ROLE_SESSION_NAME` (else `newtera-<unix ms>`) |
/// | region | `AWS_REGION`, `AWS_DEFAULT_REGION` (else `us-east-1`) |
/// | endpoint | `AWS_ENDPOINT_URL_STS` (else the region's STS endpoint) |
///
/// Without a token file or role ARN, `retrieve` fails with
/// [`CredentialsError::NotFound`]. The token file is read at each
/// `retrieve`, since it is rotated; its content never appears in an error or
/// in `Debug`. Each `retrieve` asks STS: wrap the provider in a
/// [`CachedProvider`](super::CachedProvider).
pub struct WebIdentityProvider {
    token_file: Option<PathBuf>,
    role_arn: Option<String>,
    session_name: Option<String>,
    region: Option<String>,
    endpoint: Option<String>,
    duration: Option<Duration>,
    policy: Option<String>,
    http: Http,
}

impl fmt::Debug for WebIdentityProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebIdentityProvider")
            .field("token_file", &self.token_file)
            .field("role_arn", &self.role_arn)
            .field("session_name", &self.session_name)
            .field("region", &self.region)
            .field("endpoint", &self.endpoint)
            .field("duration", &self.duration)
            .field("policy", &self.policy.as_ref().map(|_| "<policy>"))
            .finish()
    }
}

impl WebIdentityProvider {
    /// Exchanges the token in `token_file` for credentials of `role_arn`.
    pub fn new(token_file: impl Into<PathBuf>, role_arn: impl Into<String>) -> Self {
        let mut p = Self::from_env();
        p.token_file = Some(token_file.into());
        p.role_arn = Some(role_arn.into());
        p
    }

    /// Reads every setting from the environment (see the type's docs).
    pub fn from_env() -> Self {
        WebIdentityProvider {
            token_file: None,
            role_arn: None,
            session_name: None,
            region: None,
            endpoint: None,
            duration: None,
            policy: None,
            http: Http::new(Duration::from_secs(5), Duration::from_secs(30), 3),
        }
    }

    /// `RoleSessionName`.
    #[must_use]
    pub fn session_name(mut self, name: impl Into<String>) -> Self {
        self.session_name = Some(name.into());
        self
    }

    /// The region whose STS endpoint is called.
    #[must_use]
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// The STS endpoint URL, e.g. `http://127.0.0.1:5000`.
    #[must_use]
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Some(url.into());
        self
    }

    /// `DurationSeconds` (STS's default: one hour).
    #[must_use]
    pub fn duration(mut self, d: Duration) -> Self {
        self.duration = Some(d);
        self
    }

    /// An inline session `Policy` (JSON).
    #[must_use]
    pub fn policy(mut self, policy: impl Into<String>) -> Self {
        self.policy = Some(policy.into());
        self
    }

    /// Adjusts the transport used to call STS (defaults: 5 s connect
    /// timeout, 30 s request timeout, 3 attempts).
    #[must_use]
    pub fn transport_config(mut self, config: TransportConfig) -> Self {
        self.http.set_config(config);
        self
    }

    async fn fetch(&self) -> Result<Credentials, CredentialsError> {
        let token_file = self
            .token_file
            .clone()
            .or_else(|| env_var("AWS_WEB_IDENTITY_TOKEN_FILE").map(PathBuf::from))
            .ok_or_else(|| not_found(NAME, "AWS_WEB_IDENTITY_TOKEN_FILE not set"))?;
        let role_arn = self
            .role_arn
            .clone()
            .or_else(|| env_var("AWS_ROLE_ARN"))
            .ok_or_else(|| not_found(NAME, "AWS_ROLE_ARN not set"))?;
        let wrap = |e: NetworkCredentialsError| e.into_credentials_error(NAME);
        let token = read_token(&token_file).await.map_err(wrap)?;
        let session_name = self
            .session_name
            .clone()
            .or_else(|| env_var("AWS_ROLE_SESSION_NAME"))
            .unwrap_or_else(default_session_name);
        let region = self.region.clone().or_else(env_region);
        let endpoint = self
            .endpoint
            .clone()
            .or_else(|| env_var("AWS_ENDPOINT_URL_STS"))
            .unwrap_or_else(|| default_endpoint(region.as_deref()));
        let mut params = vec![
            ("RoleArn", role_arn),
            ("RoleSessionName", session_name),
            ("WebIdentityToken", token.clone()),
        ];
        if let Some(d) = self.duration {
            params.push(("DurationSeconds", d.as_secs().to_string()));
        }
        if let Some(p) = &self.policy {
            params.push(("Policy", p.clone()));
        }
        StsCall {
            endpoint: &endpoint,
            sign_region: None,
            action: "AssumeRoleWithWebIdentity",
            params,
            redact: Some(&token),
        }
        .send(&self.http)
        .await
        .map_err(wrap)
    }
}

/// Reads the token file (bounded), trimmed.
async fn read_token(path: &PathBuf) -> Result<String, NetworkCredentialsError> {
    use tokio::io::AsyncReadExt;
    let io = |source| NetworkCredentialsError::Io {
        path: path.clone(),
        source,
    };
    let file = tokio::fs::File::open(path).await.map_err(io)?;
    let mut buf = Vec::new();
    file.take(TOKEN_LIMIT + 1)
        .read_to_end(&mut buf)
        .await
        .map_err(io)?;
    if buf.len() as u64 > TOKEN_LIMIT {
        return Err(NetworkCredentialsError::Config(format!(
            "token file {} is larger than {TOKEN_LIMIT} bytes",
            path.display()
        )));
    }
    let token = String::from_utf8(buf).map_err(|_| {
        NetworkCredentialsError::Config(format!("token file {} is not UTF-8", path.display()))
    })?;
    let token = token.trim();
    if token.is_empty() {
        return Err(NetworkCredentialsError::Config(format!(
            "token file {} is empty",
            path.display()
        )));
    }
    Ok(token.to_owned())
}

impl Provider for WebIdentityProvider {
    fn retrieve(&self) -> ProviderFuture<'_> {
        Box::pin(self.fetch())
    }

    fn name(&self) -> &'static str {
        NAME
    }
}
