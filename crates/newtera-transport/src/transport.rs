//! [`Transport`] and its builder.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::HeaderValue;
use tower::retry::Retry;
use tower::util::{BoxCloneSyncService, Either};
use tower::ServiceExt;
use tower_layer::Layer;
use tower_service::Service;

use crate::client::{HyperClient, HyperClientConfig, ProxyConfig};
use crate::error::{ErrorKind, TransportError};
use crate::error_body::{ErrorBody, ErrorBodyLayer};
use crate::retry::{RetryConfig, RetryLayer, RetryPolicy};
use crate::sign::{Sign, SignLayer};
use crate::signer::Provider;
use crate::timeout::{Timeout, TimeoutLayer};
use crate::trace::{TraceAttempt, Traced};
use crate::user_agent::{UserAgent, UserAgentLayer};
use crate::{HttpRequest, HttpResponse, HttpService};

/// Default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default per-attempt request timeout (see [`TransportBuilder::request_timeout`]).
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(300);
/// Default idle timeout between response body bytes (see
/// [`TransportBuilder::read_timeout`]).
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(300);

type BoxedLayer = Box<dyn Fn(HttpService) -> HttpService + Send + Sync>;

/// Builds a [`Transport`]; from [`Transport::builder`].
pub struct TransportBuilder {
    provider: Option<Arc<dyn Provider>>,
    connect_timeout: Duration,
    request_timeout: Option<Duration>,
    read_timeout: Option<Duration>,
    user_agent: String,
    retry: RetryConfig,
    cert_check: bool,
    extra_roots: Vec<Vec<u8>>,
    proxy: ProxyConfig,
    http_client: Option<HttpService>,
    layers: Vec<BoxedLayer>,
}

impl Default for TransportBuilder {
    fn default() -> Self {
        TransportBuilder {
            provider: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            request_timeout: Some(DEFAULT_REQUEST_TIMEOUT),
            read_timeout: Some(DEFAULT_READ_TIMEOUT),
            user_agent: default_user_agent(),
            retry: RetryConfig::default(),
            cert_check: true,
            extra_roots: Vec::new(),
            proxy: ProxyConfig::default(),
            http_client: None,
            layers: Vec::new(),
        }
    }
}

fn default_user_agent() -> String {
    concat!("newtera-rust/", env!("CARGO_PKG_VERSION")).to_owned()
}

impl TransportBuilder {
    /// The credentials used to sign requests that carry a
    /// [`SigningScope`](crate::SigningScope); `None` (the default) sends every
    /// request anonymously.
    pub fn credentials(mut self, p: Option<Arc<dyn Provider>>) -> Self {
        self.provider = p;
        self
    }

    /// How long establishing a TCP connection may take (default 10 s). Only
    /// applies to the built-in client.
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }

    /// The per-attempt deadline for the response head (default 5 minutes;
    /// `None` for none).
    ///
    /// The clock restarts whenever the request body yields more data, so
    /// uploads of any size are not cut off while they progress: what is
    /// bounded is the time the server takes to answer after the last piece
    /// of the body was handed over. Streaming the response body is bounded
    /// by the [`read_timeout`](Self::read_timeout) only. Buffering an error
    /// body is bounded by the same duration.
    pub fn request_timeout(mut self, d: Option<Duration>) -> Self {
        self.request_timeout = d;
        self
    }

    /// The idle timeout of response bodies (default 5 minutes, as the
    /// reference SDK's read timeout; `None` for none).
    ///
    /// A response body that yields no data for this long while it is being
    /// read fails with [`ErrorKind::Timeout`]. Only the time spent waiting
    /// for the server counts, not the time the caller takes between reads.
    /// Applies to every response, whatever the HTTP client.
    pub fn read_timeout(mut self, d: Option<Duration>) -> Self {
        self.read_timeout = d;
        self
    }

    /// The `user-agent` of requests that set none (default
    /// `newtera-rust/<version>`). An invalid header value fails
    /// [`build`](Self::build).
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = ua.into();
        self
    }

    /// The retry settings (default [`RetryConfig::default`]).
    pub fn retry(mut self, cfg: RetryConfig) -> Self {
        self.retry = cfg;
        self
    }

    /// Whether server certificates are checked (default `true`).
    ///
    /// **Danger:** with `false` any certificate is accepted, for any host, so
    /// anyone on the network path can impersonate the server and read the
    /// traffic, credentials-derived signatures and data included. Use it only
    /// against a test server with a self-signed certificate; prefer
    /// [`add_root_certificate_pem`](Self::add_root_certificate_pem).
    pub fn cert_check(mut self, on: bool) -> Self {
        self.cert_check = on;
        self
    }

    /// Trusts the certificate(s) in `pem` in addition to the webpki roots. A
    /// PEM without a valid certificate fails [`build`](Self::build) with
    /// [`ErrorKind::Config`].
    pub fn add_root_certificate_pem(mut self, pem: &[u8]) -> Self {
        self.extra_roots.push(pem.to_vec());
        self
    }

    /// The forward proxy of the built-in client (default
    /// [`ProxyConfig::FromEnv`]: `HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`, …).
    /// An explicit URL that is not `http://host[:port]` fails
    /// [`build`](Self::build) with [`ErrorKind::Config`].
    pub fn proxy(mut self, proxy: ProxyConfig) -> Self {
        self.proxy = proxy;
        self
    }

    /// Replaces the built-in hyper client. Every
    /// layer above the client still applies; the connect timeout and TLS
    /// settings of this builder are then unused.
    pub fn http_client(mut self, svc: HttpService) -> Self {
        self.http_client = Some(svc);
        self
    }

    /// Adds a layer between the timeout layer and the user-agent layer; it
    /// sees every attempt, signed. Layers added first are outermost.
    pub fn layer<L>(mut self, layer: L) -> Self
    where
        L: Layer<HttpService> + Send + Sync + 'static,
        L::Service: Service<HttpRequest, Response = HttpResponse, Error = TransportError>
            + Clone
            + Send
            + Sync
            + 'static,
        <L::Service as Service<HttpRequest>>::Future: Send + 'static,
    {
        self.layers.push(Box::new(move |svc| {
            BoxCloneSyncService::new(layer.layer(svc))
        }));
        self
    }

    /// Builds the transport.
    pub fn build(self) -> Result<Transport, TransportError> {
        let user_agent = HeaderValue::from_str(&self.user_agent).map_err(|e| {
            TransportError::with_source(ErrorKind::Config, e).context("invalid user agent")
        })?;
        let policy = RetryPolicy::new(self.retry.clone())?;
        let custom_client = self.http_client.is_some();
        let ua = UserAgentLayer::new(user_agent);
        let base = if custom_client || !self.layers.is_empty() {
            let client = match self.http_client {
                Some(c) => c,
                None => BoxCloneSyncService::new(self.builtin_client()?),
            };
            let mut svc = BoxCloneSyncService::new(ua.layer(client));
            for layer in self.layers.iter().rev() {
                svc = layer(svc);
            }
            Either::Right(svc)
        } else {
            // The common case stays unboxed: no allocation per clone or call.
            Either::Left(ua.layer(self.builtin_client()?))
        };
        let stack = tower::ServiceBuilder::new()
            .layer_fn(Traced::new)
            .layer(RetryLayer::new(policy.clone()))
            .layer_fn(TraceAttempt::new)
            .layer(SignLayer::new(self.provider.clone()))
            .layer(ErrorBodyLayer::new(self.request_timeout))
            .layer(TimeoutLayer::new(self.request_timeout, self.read_timeout))
            .service(base);
        Ok(Transport {
            inner: Arc::new(Inner {
                stack,
                policy,
                summary: Summary {
                    has_credentials: self.provider.is_some(),
                    connect_timeout: self.connect_timeout,
                    request_timeout: self.request_timeout,
                    read_timeout: self.read_timeout,
                    user_agent: self.user_agent,
                    retry: self.retry,
                    cert_check: self.cert_check,
                    extra_roots: self.extra_roots.len(),
                    proxy: self.proxy,
                    custom_client,
                    layers: self.layers.len(),
                },
            }),
        })
    }
}

impl TransportBuilder {
    fn builtin_client(&self) -> Result<HyperClient, TransportError> {
        HyperClient::new(&HyperClientConfig {
            connect_timeout: self.connect_timeout,
            cert_check: self.cert_check,
            extra_roots: &self.extra_roots,
            proxy: &self.proxy,
        })
    }
}

impl fmt::Debug for TransportBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransportBuilder")
            .field("has_credentials", &self.provider.is_some())
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("read_timeout", &self.read_timeout)
            .field("user_agent", &self.user_agent)
            .field("retry", &self.retry)
            .field("cert_check", &self.cert_check)
            .field("proxy", &self.proxy)
            .finish_non_exhaustive()
    }
}

/// The HTTP transport: a cheap-to-clone, shareable stack of
/// retry → sign → error body → timeout → user layers → user agent → client.
///
/// `Debug` shows the settings, never credentials.
#[derive(Clone)]
pub struct Transport {
    inner: Arc<Inner>,
}

/// The service under the standard layers: the built-in client with its
/// user agent, or (with a custom client or user layers) a boxed stack.
type Base = Either<UserAgent<HyperClient>, HttpService>;

/// The whole stack, concrete: [`Transport::send`] clones and calls it
/// without boxing; [`Transport::service`] boxes a clone.
type Stack = Traced<Retry<RetryPolicy, TraceAttempt<Sign<ErrorBody<Timeout<Base>>>>>>;

struct Inner {
    stack: Stack,
    /// Shares its settings and budget with the retry layer's policy.
    policy: RetryPolicy,
    summary: Summary,
}

#[derive(Debug)]
#[allow(dead_code)] // read through Debug only
struct Summary {
    has_credentials: bool,
    connect_timeout: Duration,
    request_timeout: Option<Duration>,
    read_timeout: Option<Duration>,
    user_agent: String,
    retry: RetryConfig,
    cert_check: bool,
    extra_roots: usize,
    proxy: ProxyConfig,
    custom_client: bool,
    layers: usize,
}

impl Transport {
    /// A builder with the default settings.
    pub fn builder() -> TransportBuilder {
        TransportBuilder::default()
    }

    /// Sends `req` through the whole stack.
    pub async fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.inner.stack.clone().oneshot(req).await
    }

    /// For a caller that repeats a whole exchange above the transport: an
    /// answer that arrived complete but failed a check only the caller can
    /// make (a download whose checksum does not match). Says whether,
    /// after `attempts` attempts, another one is allowed by the same rules
    /// the retry layer follows (the attempt bound of the [`RetryConfig`]
    /// and the shared retry budget, which is withdrawn from when the answer
    /// is yes) and how long to back off first.
    pub fn retry_after(&self, attempts: u32) -> Option<Duration> {
        self.inner.policy.outer_retry(attempts)
    }

    /// The stack as a tower service.
    pub fn service(&self) -> HttpService {
        BoxCloneSyncService::new(self.inner.stack.clone())
    }
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Transport")
            .field(&self.inner.summary)
            .finish()
    }
}
