//! The built-in HTTP client as a tower service of our request/response
//! types.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::proxy::matcher::Matcher;
use tower_service::Service;

use super::driven::{self, Connector};
use super::pool::Pool;
use super::proxy::{self, ProxyConfig, ProxyConnector};
use super::tls;
use crate::error::TransportError;
use crate::{HttpRequest, HttpResponse};

/// TCP keepalive: the first probe after this much silence, then one every
/// `TCP_KEEPALIVE_INTERVAL`, so that a peer that vanished (a NAT or load
/// balancer that dropped the flow) is noticed by the OS.
const TCP_KEEPALIVE: Duration = Duration::from_secs(30);
const TCP_KEEPALIVE_INTERVAL: Duration = Duration::from_secs(10);

/// Settings of the built-in client.
pub(crate) struct HyperClientConfig<'a> {
    pub(crate) connect_timeout: Duration,
    pub(crate) cert_check: bool,
    pub(crate) extra_roots: &'a [Vec<u8>],
    pub(crate) proxy: &'a ProxyConfig,
}

/// Pooled HTTP/1.1 connections over hyper-rustls (HTTPS or plain HTTP,
/// `TCP_NODELAY`, TCP keepalive), each driven by the task waiting on it
/// (see `driven.rs`).
///
/// Behind an `Arc`: the stack is cloned for every request (tower's
/// `oneshot`, the retry and sign layers); one reference count is cheaper.
#[derive(Clone)]
pub(crate) struct HyperClient {
    inner: Arc<ClientInner>,
}

struct ClientInner {
    pool: Pool,
    connector: Connector,
    /// Set when some destination may go through a proxy.
    proxies: Option<Arc<Matcher>>,
}

impl std::fmt::Debug for HyperClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HyperClient")
            .field("proxied", &self.inner.proxies.is_some())
            .finish_non_exhaustive()
    }
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
        Ok(HyperClient {
            inner: Arc::new(ClientInner {
                pool: Pool::default(),
                connector: https,
                proxies,
            }),
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
        if let Some(m) = &self.inner.proxies {
            // A plain-HTTP request through a proxy with credentials carries
            // them itself (an HTTPS one sends them with its CONNECT).
            if let Some(auth) = proxy::http_proxy_auth(m, req.uri()) {
                req.headers_mut()
                    .insert(http::header::PROXY_AUTHORIZATION, auth);
            }
        }
        let inner = &self.inner;
        Box::pin(driven::send(
            inner.pool.clone(),
            inner.connector.clone(),
            req,
        ))
    }
}

/// Response future of [`HyperClient`].
pub(crate) type HyperFuture =
    Pin<Box<dyn Future<Output = Result<HttpResponse, TransportError>> + Send>>;
