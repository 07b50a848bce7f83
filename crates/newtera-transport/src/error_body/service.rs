use std::task::{Context, Poll};
use std::time::Duration;

use http::Method;
use tower_service::Service;

use super::ErrorBodyFuture;
use crate::error::TransportError;
use crate::ext::{AnswerCheck, BufferedAnswer};
use crate::{HttpRequest, HttpResponse};

/// Buffers error bodies and records their S3 code (see the
/// [module docs](super)).
#[derive(Clone, Debug)]
pub struct ErrorBody<S> {
    inner: S,
    timeout: Option<Duration>,
}

impl<S> ErrorBody<S> {
    /// Wraps `inner`; buffering takes at most `timeout`.
    pub fn new(inner: S, timeout: Option<Duration>) -> Self {
        ErrorBody { inner, timeout }
    }
}

impl<S> Service<HttpRequest> for ErrorBody<S>
where
    S: Service<HttpRequest, Response = HttpResponse, Error = TransportError>,
{
    type Response = HttpResponse;
    type Error = TransportError;
    type Future = ErrorBodyFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), TransportError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: HttpRequest) -> Self::Future {
        let buffered_answer = req.extensions().get::<BufferedAnswer>().is_some();
        let check = req.extensions().get::<AnswerCheck>().copied();
        let is_head = req.method() == Method::HEAD;
        ErrorBodyFuture::new(
            self.inner.call(req),
            buffered_answer,
            check,
            is_head,
            self.timeout,
        )
    }
}
