//! The HTTP plumbing shared by the network providers.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{StatusCode, Uri};
use newtera_signer::Provider;
use newtera_transport::{HttpRequest, RetryConfig, Transport, TransportBuilder};
use tokio::sync::OnceCell;

use super::NetworkCredentialsError;

/// Adjusts the [`TransportBuilder`] a network provider builds its transport
/// from (timeouts, retries, extra CA certificates, tower layers, a proxying
/// client, ...). It receives a builder already set with the provider's
/// defaults.
///
/// ```
/// use std::sync::Arc;
/// use std::time::Duration;
/// use newtera_core::credentials::{ImdsProvider, TransportConfig};
///
/// let config: TransportConfig = Arc::new(|b| b.connect_timeout(Duration::from_millis(200)));
/// let imds = ImdsProvider::new().transport_config(config);
/// # let _ = imds;
/// ```
pub type TransportConfig = Arc<dyn Fn(TransportBuilder) -> TransportBuilder + Send + Sync>;

/// A lazily built transport with per-provider defaults.
pub(crate) struct Http {
    connect_timeout: Duration,
    request_timeout: Duration,
    max_attempts: u32,
    config: Option<TransportConfig>,
    signing: Option<Arc<dyn Provider>>,
    transport: OnceCell<Transport>,
}

impl fmt::Debug for Http {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Http")
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("max_attempts", &self.max_attempts)
            .field("custom_config", &self.config.is_some())
            .finish_non_exhaustive()
    }
}

impl Http {
    pub(crate) fn new(
        connect_timeout: Duration,
        request_timeout: Duration,
        max_attempts: u32,
    ) -> Self {
        Http {
            connect_timeout,
            request_timeout,
            max_attempts,
            config: None,
            signing: None,
            transport: OnceCell::new(),
        }
    }

    /// Sets the user's adjustment of the transport (before first use).
    pub(crate) fn set_config(&mut self, config: TransportConfig) {
        self.config = Some(config);
        self.transport = OnceCell::new();
    }

    /// Signs requests carrying a `SigningScope` with `provider`'s credentials.
    pub(crate) fn set_signing(&mut self, provider: Arc<dyn Provider>) {
        self.signing = Some(provider);
        self.transport = OnceCell::new();
    }

    pub(crate) fn signing(&self) -> Option<&Arc<dyn Provider>> {
        self.signing.as_ref()
    }

    async fn transport(&self, endpoint: &str) -> Result<&Transport, NetworkCredentialsError> {
        self.transport
            .get_or_try_init(|| async {
                let mut b = Transport::builder()
                    .connect_timeout(self.connect_timeout)
                    .request_timeout(Some(self.request_timeout))
                    .retry(RetryConfig {
                        max_attempts: self.max_attempts,
                        ..RetryConfig::default()
                    })
                    .credentials(self.signing.clone());
                if let Some(config) = &self.config {
                    b = config(b);
                }
                b.build()
                    .map_err(|source| NetworkCredentialsError::Transport {
                        endpoint: endpoint.to_owned(),
                        source,
                    })
            })
            .await
    }

    /// Sends `req` and reads at most `limit` bytes of its body, whatever the
    /// status.
    pub(crate) async fn send(
        &self,
        req: HttpRequest,
        endpoint: &str,
        limit: usize,
    ) -> Result<(StatusCode, Bytes), NetworkCredentialsError> {
        let transport = self.transport(endpoint).await?;
        let wrap = |source| NetworkCredentialsError::Transport {
            endpoint: endpoint.to_owned(),
            source,
        };
        let resp = transport.send(req).await.map_err(wrap)?;
        let status = resp.status();
        let body = resp.into_body().collect(limit).await.map_err(wrap)?;
        Ok((status, body))
    }
}

/// A URL as shown in messages: scheme, authority and path, no query.
pub(crate) fn display_url(uri: &Uri) -> String {
    format!(
        "{}://{}{}",
        uri.scheme_str().unwrap_or("http"),
        uri.authority().map(|a| a.as_str()).unwrap_or(""),
        uri.path()
    )
}

/// Parses an absolute `http`/`https` URL.
pub(crate) fn parse_url(s: &str, what: &str) -> Result<Uri, NetworkCredentialsError> {
    let bad = |why: &str| NetworkCredentialsError::Config(format!("{what} {why}"));
    let uri: Uri = s.trim().parse().map_err(|_| bad("is not a valid URL"))?;
    match uri.scheme_str() {
        Some("http") | Some("https") => {}
        _ => return Err(bad("must start with http:// or https://")),
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(bad("has no host"));
    }
    Ok(uri)
}

/// `base` (an endpoint URL, maybe with a trailing `/`) joined with `path`
/// (which starts with `/`).
pub(crate) fn join(base: &str, path: &str) -> String {
    format!("{}{}", base.trim().trim_end_matches('/'), path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let u = parse_url("http://127.0.0.1:80/a?secret=1", "x").expect("valid");
        assert_eq!(display_url(&u), "http://127.0.0.1:80/a");
        for bad in ["ftp://h/", "127.0.0.1:80", "", "http://", "not a url"] {
            assert!(
                matches!(parse_url(bad, "x"), Err(NetworkCredentialsError::Config(_))),
                "{bad}"
            );
        }
        assert_eq!(join("http://h/", "/p"), "http://h/p");
        assert_eq!(join("http://h", "/p"), "http://h/p");
    }
}
