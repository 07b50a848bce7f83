//! Forward proxies for the built-in client, over hyper-util's proxy support:
//! [`Matcher`] decides per destination (the `HTTP_PROXY` / `HTTPS_PROXY` /
//! `ALL_PROXY` / `NO_PROXY` rules curl follows), [`Tunnel`] opens an HTTP
//! `CONNECT` tunnel for HTTPS destinations, and plain-HTTP destinations are
//! sent to the proxy itself, marked as proxied so that hyper-util writes
//! absolute-form request targets.

use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::{HeaderValue, Uri};
use hyper::rt::{Read, ReadBufCursor, Write};
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tower_service::Service;

use crate::error::{BoxError, ErrorKind, TransportError};

/// Which forward proxy the built-in client goes through.
///
/// `Debug` never shows a password given in a proxy URL.
#[derive(Clone, Default, PartialEq, Eq)]
pub enum ProxyConfig {
    /// The proxies named by the environment, read once when the transport
    /// is built (the default): `HTTPS_PROXY` for `https://` endpoints,
    /// `HTTP_PROXY` for `http://` ones, `ALL_PROXY` for both when the
    /// specific one is unset, each also in lower case (upper case wins), and
    /// `NO_PROXY`/`no_proxy`, a comma-separated list of hosts, domains
    /// (matching their subdomains too), IP addresses or CIDR ranges reached
    /// directly, or `*` for all. As in curl, loopback addresses are not
    /// exempt by themselves: list `127.0.0.1,localhost` in `NO_PROXY` to
    /// reach local servers directly. Nothing is proxied when no variable is
    /// set, or when `REQUEST_METHOD` is (a CGI environment, where
    /// `HTTP_PROXY` may come from a request header).
    #[default]
    FromEnv,
    /// No proxy, whatever the environment says.
    None,
    /// Every request through this proxy, whatever the environment says:
    /// `http://host:port`, optionally with `user:password@` (sent as
    /// `Proxy-Authorization: Basic`). HTTPS requests are tunnelled with
    /// `CONNECT`; plain-HTTP requests are sent to the proxy in absolute form.
    Url(String),
}

impl fmt::Debug for ProxyConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProxyConfig::FromEnv => f.write_str("FromEnv"),
            ProxyConfig::None => f.write_str("None"),
            ProxyConfig::Url(u) => f.debug_tuple("Url").field(&masked(u)).finish(),
        }
    }
}

/// `url` with any `user:password@` replaced by `***@`.
fn masked(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (Some(s), r),
        None => (None, url),
    };
    let rest = match rest.split_once('@') {
        Some((_, host)) => format!("***@{host}"),
        None => rest.to_owned(),
    };
    match scheme {
        Some(s) => format!("{s}://{rest}"),
        None => rest,
    }
}

/// The matcher for `cfg`; `None` when nothing is ever proxied.
pub(crate) fn matcher(cfg: &ProxyConfig) -> Result<Option<Arc<Matcher>>, TransportError> {
    match cfg {
        ProxyConfig::None => Ok(None),
        ProxyConfig::FromEnv => Ok(Some(Arc::new(Matcher::from_env()))),
        ProxyConfig::Url(url) => {
            check_proxy_url(url)?;
            Ok(Some(Arc::new(Matcher::builder().all(url.as_str()).build())))
        }
    }
}

/// An explicit proxy URL must be `http://host[:port]` (the matcher would
/// silently ignore anything it cannot parse).
fn check_proxy_url(url: &str) -> Result<(), TransportError> {
    let bad = |why: &str| {
        TransportError::with_source(ErrorKind::Config, format!("{:?}: {why}", masked(url)))
            .context("invalid proxy URL")
    };
    let uri: Uri = url.parse().map_err(|_| bad("not a URL"))?;
    match uri.scheme_str() {
        Some("http") => {}
        Some(_) => return Err(bad("only http:// proxies are supported")),
        None => return Err(bad("the scheme (http://) is missing")),
    }
    let host = uri.authority().map(|a| a.host()).unwrap_or("");
    if host.is_empty() {
        return Err(bad("no host"));
    }
    if uri.path_and_query().is_some_and(|p| p.as_str() != "/") {
        return Err(bad("a proxy URL has no path or query"));
    }
    Ok(())
}

/// The `Proxy-Authorization` a plain-HTTP request to `dst` carries, if it
/// goes through a proxy with credentials.
pub(crate) fn http_proxy_auth(matcher: &Matcher, dst: &Uri) -> Option<HeaderValue> {
    if dst.scheme() != Some(&http::uri::Scheme::HTTP) {
        return None;
    }
    matcher.intercept(dst)?.basic_auth().cloned()
}

/// A connector that goes direct or through the proxy the matcher picks.
#[derive(Clone)]
pub(crate) struct ProxyConnector {
    http: HttpConnector,
    matcher: Option<Arc<Matcher>>,
}

impl ProxyConnector {
    pub(crate) fn new(http: HttpConnector, matcher: Option<Arc<Matcher>>) -> Self {
        ProxyConnector { http, matcher }
    }
}

impl Service<Uri> for ProxyConnector {
    type Response = ProxyStream;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<ProxyStream, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.http.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let intercept = self.matcher.as_ref().and_then(|m| m.intercept(&dst));
        let mut http = self.http.clone();
        Box::pin(async move {
            let Some(proxy) = intercept else {
                let io = http.call(dst).await?;
                return Ok(ProxyStream { io, proxied: false });
            };
            if proxy.uri().scheme() != Some(&http::uri::Scheme::HTTP) {
                let why = format!(
                    "proxy scheme {:?}: only http:// proxies are supported",
                    proxy.uri().scheme_str().unwrap_or("")
                );
                return Err(TransportError::with_source(ErrorKind::Connect, why)
                    .context("unsupported proxy")
                    .into());
            }
            if dst.scheme() == Some(&http::uri::Scheme::HTTPS) {
                let mut tunnel = Tunnel::new(proxy.uri().clone(), http);
                if let Some(auth) = proxy.basic_auth() {
                    tunnel = tunnel.with_auth(auth.clone());
                }
                let io = tunnel.call(dst).await?;
                // Inside the tunnel the origin server is spoken to directly.
                Ok(ProxyStream { io, proxied: false })
            } else {
                let io = http.call(proxy.uri().clone()).await?;
                Ok(ProxyStream { io, proxied: true })
            }
        })
    }
}

/// A TCP connection to the server, to a proxy (`proxied`: requests go in
/// absolute form) or through a `CONNECT` tunnel.
pub(crate) struct ProxyStream {
    io: TokioIo<TcpStream>,
    proxied: bool,
}

impl Connection for ProxyStream {
    fn connected(&self) -> Connected {
        self.io.connected().proxy(self.proxied)
    }
}

impl Read for ProxyStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl Write for ProxyStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_urls_are_checked() {
        assert!(matcher(&ProxyConfig::Url("http://127.0.0.1:3128".into())).is_ok());
        assert!(matcher(&ProxyConfig::Url("http://u:p@proxy:3128/".into())).is_ok());
        for bad in [
            "127.0.0.1:3128",
            "https://proxy:3128",
            "socks5://proxy:1080",
            "http://proxy:3128/path",
            "not a url",
        ] {
            let e = matcher(&ProxyConfig::Url(bad.into()))
                .err()
                .map(|e| e.kind());
            assert_eq!(e, Some(ErrorKind::Config), "{bad}");
        }
        assert!(matcher(&ProxyConfig::None).ok().flatten().is_none());
    }

    #[test]
    fn debug_masks_the_password() {
        let d = format!(
            "{:?}",
            ProxyConfig::Url("http://user:hunter2@proxy:3128".into())
        );
        assert!(!d.contains("hunter2") && !d.contains("user"), "{d}");
        let e = matcher(&ProxyConfig::Url("https://user:hunter2@proxy:3128".into()))
            .err()
            .map(|e| format!("{e} {:?}", std::error::Error::source(&e)))
            .unwrap_or_default();
        assert!(!e.contains("hunter2"), "{e}");
    }

    #[test]
    fn explicit_proxy_catches_both_schemes_and_auth() {
        let m = matcher(&ProxyConfig::Url("http://u:p@127.0.0.1:3128".into()))
            .ok()
            .flatten();
        let m = m.as_deref();
        let http_dst = Uri::from_static("http://127.0.0.1:9000/b/k");
        let https_dst = Uri::from_static("https://127.0.0.1:9443/b/k");
        assert!(m.and_then(|m| m.intercept(&https_dst)).is_some());
        assert!(m.and_then(|m| http_proxy_auth(m, &http_dst)).is_some());
        assert!(m.and_then(|m| http_proxy_auth(m, &https_dst)).is_none());
    }
}
