use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tower_service::Service;

use super::TimeoutFuture;
use crate::body::Progress;
use crate::error::TransportError;
use crate::{HttpRequest, HttpResponse};

/// Fails an attempt with [`ErrorKind::Timeout`](crate::ErrorKind::Timeout)
/// when its response head does not arrive in time, and its response body
/// when it goes silent for longer than the read timeout (see the
/// [module docs](super)).
#[derive(Clone, Debug)]
pub struct Timeout<S> {
    inner: S,
    timeout: Option<Duration>,
    read_timeout: Option<Duration>,
}

impl<S> Timeout<S> {
    /// Wraps `inner` with a deadline of `timeout` for the response head and
    /// an idle timeout of `read_timeout` between response body bytes; `None`
    /// disables either.
    pub fn new(inner: S, timeout: Option<Duration>, read_timeout: Option<Duration>) -> Self {
        Timeout {
            inner,
            timeout,
            read_timeout,
        }
    }
}

impl<S> Service<HttpRequest> for Timeout<S>
where
    S: Service<HttpRequest, Response = HttpResponse, Error = TransportError>,
{
    type Response = HttpResponse;
    type Error = TransportError;
    type Future = TimeoutFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), TransportError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: HttpRequest) -> Self::Future {
        match self.timeout {
            None => TimeoutFuture::new(self.inner.call(req), None, self.read_timeout),
            Some(d) => {
                let progress = Arc::new(Progress::new());
                req.body_mut().set_progress(progress.clone());
                TimeoutFuture::new(self.inner.call(req), Some((d, progress)), self.read_timeout)
            }
        }
    }
}
