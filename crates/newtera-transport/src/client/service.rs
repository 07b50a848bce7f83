//! The hyper-util client as a tower service of our request/response types.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::{self, Client};
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use pin_project_lite::pin_project;
use tower_service::Service;

use super::classify::{classify_body_error, classify_client_error};
use super::proxy::{self, ProxyConfig, ProxyConnector};
use super::tls;
use crate::body::{Body, ResponseBody};
use crate::error::TransportError;
use crate::{HttpRequest, HttpResponse};

/// How long an unused keep-alive connection stays in the pool.
const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(90);
/// TCP keepalive: the first probe after this much silence, then one every
/// `TCP_KEEPALIVE_INTERVAL`, so that a peer that vanished (a NAT or load
/// balancer that dropped the flow) is noticed by the OS.
const TCP_KEEPALIVE: Duration = Duration::from_secs(30);
const TCP_KEEPALIVE_INTERVAL: Duration = Duration::from_secs(10);
/// The most a connection reads from its socket at once. hyper grows a
/// connection's read buffer from 8 KiB while reads fill it, up to this
/// (hyper's own ceiling is about 400 KiB): a large download is handed over
/// in chunks of up to 1 MiB, so the connection task and the reader wake each
/// other up less often per GiB (get_1g_stream: about -30 % CPU). Small answers
/// never grow the buffer. Also the ceiling on a response head's size.
const READ_BUF_MAX: usize = 1 << 20;

/// Settings of the built-in client.
pub(crate) struct HyperClientConfig<'a> {
    pub(crate) connect_timeout: Duration,
    pub(crate) cert_check: bool,
    pub(crate) extra_roots: &'a [Vec<u8>],
    pub(crate) proxy: &'a ProxyConfig,
}

/// hyper-util's pooled client over hyper-rustls (HTTPS or plain HTTP,
/// HTTP/1.1, `TCP_NODELAY`, TCP keepalive).
///
/// Behind an `Arc`: the stack is cloned for every request (tower's
/// `oneshot`, the retry and sign layers), and hyper-util's `Client` clones
/// several `Arc`s of its own; one reference count is cheaper.
#[derive(Clone, Debug)]
pub(crate) struct HyperClient {
    client: Arc<Client<HttpsConnector<ProxyConnector>, Body>>,
    /// Set when some destination may go through a proxy.
    proxies: Option<Arc<Matcher>>,
}

impl HyperClient {
    pub(crate) fn new(cfg: &HyperClientConfig<'_>) -> Result<Self, TransportError> {
        let tls = tls::client_config(cfg.cert_check, cfg.extra_roots)?;
        let mut http = HttpConnector::new();
        http.set_nodelay(true);
        http.set_keepalive(Some(TCP_KEEPALIVE));
        http.set_keepalive_interval(Some(TCP_KEEPALIVE_INTERVAL));
        http.set_connect_timeout(Some(cfg.connect_timeout));
        http.enforce_http(false);
        let proxies = proxy::matcher(cfg.proxy)?;
        let connector = ProxyConnector::new(http, proxies.clone());
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(connector);
        let mut builder = Client::builder(TokioExecutor::new());
        builder
            .pool_idle_timeout(POOL_IDLE_TIMEOUT)
            .pool_timer(TokioTimer::new())
            .http1_max_buf_size(READ_BUF_MAX);
        let client = builder.build(https);
        Ok(HyperClient {
            client: Arc::new(client),
            proxies,
        })
    }
}

impl Service<HttpRequest> for HyperClient {
    type Response = HttpResponse;
    type Error = TransportError;
    type Future = HyperFuture;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), TransportError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, mut req: HttpRequest) -> HyperFuture {
        if let Some(m) = &self.proxies {
            // A plain-HTTP request through a proxy with credentials carries
            // them itself (an HTTPS one sends them with its CONNECT).
            if let Some(auth) = proxy::http_proxy_auth(m, req.uri()) {
                req.headers_mut()
                    .insert(http::header::PROXY_AUTHORIZATION, auth);
            }
        }
        HyperFuture {
            inner: self.client.request(req),
        }
    }
}

pin_project! {
    /// Response future of [`HyperClient`].
    pub(crate) struct HyperFuture {
        #[pin]
        inner: legacy::ResponseFuture,
    }
}

impl Future for HyperFuture {
    type Output = Result<HttpResponse, TransportError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let res = ready!(self.project().inner.poll(cx)).map_err(classify_client_error)?;
        Poll::Ready(Ok(res.map(|b| {
            use http_body_util::BodyExt;
            ResponseBody::from_transport_body(b.map_err(|e| classify_body_error(Box::new(e))))
        })))
    }
}
