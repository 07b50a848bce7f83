//! A request on a pooled HTTP/1.1 connection, driven by the task that waits
//! for it.
//!
//! hyper-util's pooled client runs each connection in a task of its own:
//! every request, answer and body chunk is then handed between that task
//! and the caller's, and on a multi-thread runtime (or from `block_on`)
//! each hand-over is a cross-thread wake-up, which costs more CPU than the
//! bytes themselves on loopback-fast networks. Here the caller's task polls
//! the connection itself: while sending the request and waiting for the
//! head, and then inside the response body, until the body ends and the
//! connection goes back to the pool. The connection makes progress only
//! while someone waits on it, as a socket does.

use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::uri::{PathAndQuery, Uri};
use http::HeaderValue;
use http_body::{Body as HttpBody, Frame, SizeHint};
use hyper::body::Incoming;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::Connection as _;
use tower_service::Service;

use super::classify::{classify_body_error, classify_connect_error, classify_hyper_error};
use super::pool::{Conn, Key, Pool};
use super::proxy::ProxyConnector;
use super::quiet::Quiet;
use crate::body::ResponseBody;
use crate::error::{ErrorKind, TransportError};
use crate::{HttpRequest, HttpResponse};

/// The most a connection reads from its socket at once. hyper grows a
/// connection's read buffer from 8 KiB while reads fill it, up to this
/// (hyper's own ceiling is about 400 KiB): a large download comes in chunks
/// of up to 1 MiB, fewer reads and wake-ups per GiB. Small answers never
/// grow the buffer. Also the ceiling on a response head's size.
const READ_BUF_MAX: usize = 1 << 20;

/// What opens connections.
pub(crate) type Connector = HttpsConnector<ProxyConnector>;

/// Sends `req` on a pooled connection to its destination, or on a new one.
pub(crate) async fn send(
    pool: Pool,
    connector: Connector,
    mut req: HttpRequest,
) -> Result<HttpResponse, TransportError> {
    let key = key_of(req.uri())?;
    set_host(&mut req);
    // The absolute form, kept for requests to a forward proxy; other
    // connections get the origin form.
    let absolute = req.uri().clone();
    // A pooled connection can turn out closed as the request goes out: the
    // request then comes back unsent and goes once more, on a new one.
    loop {
        let (mut conn, reused) = match pool.checkout(&key) {
            Some(conn) => (conn, true),
            // Boxed: the rare connect keeps its state out of every
            // request's future.
            None => (Box::pin(connect(&connector, &key)).await?, false),
        };
        *req.uri_mut() = if conn.proxied {
            absolute.clone()
        } else {
            origin_form(&absolute)
        };
        let sent = conn.send.try_send_request(req);
        let mut sent = std::pin::pin!(sent);
        let mut driver_done = false;
        let Conn { driver, quiet, .. } = &mut conn;
        let answer = poll_fn(|cx| {
            quiet.poll(cx, |cx| {
                // The driver writes the request and reads the answer; it
                // ends (closed or failed) only together with the answer's
                // future.
                if !driver_done && Pin::new(&mut *driver).poll(cx).is_ready() {
                    driver_done = true;
                }
                sent.as_mut().poll(cx)
            })
        })
        .await;
        match answer {
            Ok(resp) => return Ok(respond(resp, conn, pool, key, driver_done)),
            // Unsent, so safe to send again whatever the method.
            Err(mut e) => match e.take_message() {
                Some(back) if reused => req = back,
                _ => return Err(classify_hyper_error(e.into_error())),
            },
        }
    }
}

/// Turns the answer into our response, its body driving the connection.
fn respond(
    resp: http::Response<Incoming>,
    conn: Conn,
    pool: Pool,
    key: Key,
    driver_done: bool,
) -> HttpResponse {
    let (parts, inner) = resp.into_parts();
    let mut body = DrivenBody {
        inner,
        conn: Mutex::new((!driver_done).then_some(conn)),
        pool,
        key: Some(key),
    };
    if body.inner.is_end_stream() {
        // No body (HEAD, 204, 304, `Content-Length: 0`): the exchange is
        // complete, the connection free again.
        body.release();
    }
    use http_body_util::BodyExt as _;
    http::Response::from_parts(
        parts,
        ResponseBody::from_transport_body(body.map_err(|e| classify_body_error(Box::new(e)))),
    )
}

/// Opens a connection to `key`'s destination (through a proxy when one
/// applies).
async fn connect(connector: &Connector, key: &Key) -> Result<Conn, TransportError> {
    let dst = Uri::builder()
        .scheme(key.0.clone())
        .authority(key.1.clone())
        .path_and_query("/")
        .build()
        .map_err(|e| TransportError::with_source(ErrorKind::Other, e))?;
    let mut connector = connector.clone();
    poll_fn(|cx| connector.poll_ready(cx))
        .await
        .map_err(classify_connect_error)?;
    let io = connector.call(dst).await.map_err(classify_connect_error)?;
    let proxied = io.connected().is_proxied();
    let (send, driver) = hyper::client::conn::http1::Builder::new()
        .max_buf_size(READ_BUF_MAX)
        .handshake(io)
        .await
        .map_err(|e| TransportError::with_source(ErrorKind::Connect, e))?;
    Ok(Conn {
        send,
        driver: Box::new(driver),
        proxied,
        quiet: Quiet::new(),
    })
}

/// The destination of an absolute URI.
fn key_of(uri: &Uri) -> Result<Key, TransportError> {
    match (uri.scheme(), uri.authority()) {
        (Some(s), Some(a)) => Ok((s.clone(), a.clone())),
        _ => Err(TransportError::with_source(
            ErrorKind::Other,
            "the request URI has no scheme or host",
        )),
    }
}

/// `Host` from the URI when the request has none, the port left out when
/// it is the scheme's default (as the signer computes it).
fn set_host(req: &mut HttpRequest) {
    if req.headers().contains_key(http::header::HOST) {
        return;
    }
    let uri = req.uri();
    let default_port = matches!(
        (uri.scheme_str(), uri.port_u16()),
        (Some("http"), Some(80)) | (Some("https"), Some(443))
    );
    let host = match (uri.authority(), default_port) {
        (Some(a), false) => a.as_str().rsplit_once('@').map_or(a.as_str(), |(_, h)| h),
        (Some(a), true) => a.host(),
        (None, _) => return,
    };
    if let Ok(v) = HeaderValue::from_str(host) {
        req.headers_mut().insert(http::header::HOST, v);
    }
}

/// The origin-form target (`/path?query`) of an absolute URI.
fn origin_form(uri: &Uri) -> Uri {
    let pq = uri
        .path_and_query()
        .cloned()
        .unwrap_or_else(|| PathAndQuery::from_static("/"));
    Uri::from(pq)
}

/// A response body that drives its connection while it is read, and gives
/// the connection back to the pool when it ends. Dropped before its end, it
/// closes the connection (HTTP/1.1 cannot skip an unread body).
struct DrivenBody {
    inner: Incoming,
    /// `None` once the driver finished (the connection closed or failed:
    /// what the body still holds, or its error, comes from `inner`), or once
    /// given back. In a mutex only so that the body is `Sync` (a connection
    /// holds the request body, which is not): it is only ever reached
    /// through `&mut self`, never locked.
    conn: Mutex<Option<Conn>>,
    pool: Pool,
    key: Option<Key>,
}

impl DrivenBody {
    /// The exchange is complete: the connection goes back to the pool.
    fn release(&mut self) {
        let DrivenBody {
            conn, pool, key, ..
        } = self;
        release(conn.get_mut().unwrap_or_else(|e| e.into_inner()), key, pool);
    }
}

/// Gives the connection, if still there, back to the pool.
fn release(conn: &mut Option<Conn>, key: &mut Option<Key>, pool: &Pool) {
    if let (Some(conn), Some(key)) = (conn.take(), key.take()) {
        pool.put(key, conn);
    }
}

impl HttpBody for DrivenBody {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let this = self.get_mut();
        let DrivenBody {
            inner,
            conn,
            pool,
            key,
            ..
        } = this;
        let conn = conn.get_mut().unwrap_or_else(|e| e.into_inner());
        let Some(c) = conn.as_mut() else {
            // The driver finished: `inner` has the rest, or the error.
            return Pin::new(inner).poll_frame(cx);
        };
        let Conn { driver, quiet, .. } = c;
        let mut driver_done = false;
        let polled = quiet.poll(cx, |cx| {
            if let Poll::Ready(f) = Pin::new(&mut *inner).poll_frame(cx) {
                return Poll::Ready(f);
            }
            // Nothing buffered: let the driver read (it hands what it reads
            // to `inner`), then look again.
            if !driver_done && Pin::new(&mut *driver).poll(cx).is_ready() {
                driver_done = true;
            }
            Pin::new(&mut *inner).poll_frame(cx)
        });
        if driver_done {
            *conn = None;
        }
        match &polled {
            Poll::Ready(None) => release(conn, key, pool),
            Poll::Ready(Some(Ok(_))) if inner.is_end_stream() => release(conn, key, pool),
            // A failed body leaves the connection unusable.
            Poll::Ready(Some(Err(_))) => *conn = None,
            Poll::Ready(Some(Ok(_))) | Poll::Pending => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
