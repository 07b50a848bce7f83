//! Tracing spans, one per attempt: `newtera.attempt` (target
//! `newtera::attempt`, level `debug`) with the attempt number, method,
//! request body bytes, and, once the attempt is over, the status, the
//! `x-amz-request-id`, the announced response bytes, the duration and
//! either the error kind or, when the retry layer sends the request again,
//! why (`retry_reason`). No field holds a header other than the request id,
//! nor the URL: no credential or signature can end up in a span.
//!
//! [`Traced`] sits above the retry layer and, only when such spans are
//! enabled, gives the request a shared [`AttemptTrace`]; the retry policy's
//! copies of the request share it, so [`TraceAttempt`], just below the
//! retry layer, numbers the attempts, and the policy finds the span of the
//! attempt it is about to retry. When the spans are disabled, nothing is
//! allocated and each layer costs one check of a cached interest.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{ready, Context, Poll};
use std::time::Instant;

use http_body::Body as _;
use pin_project_lite::pin_project;
use tower_service::Service;
use tracing::field::Empty;
use tracing::{Level, Span};

use crate::error::TransportError;
use crate::{HttpRequest, HttpResponse};

/// The shared per-request state of the attempt spans.
#[derive(Clone, Debug, Default)]
pub(crate) struct AttemptTrace(Arc<Slot>);

#[derive(Debug, Default)]
struct Slot {
    attempts: AtomicU32,
    current: Mutex<Option<Span>>,
}

impl AttemptTrace {
    /// Records on the span of the attempt that just ended why it is retried.
    pub(crate) fn retrying(&self, reason: &dyn std::fmt::Display) {
        if let Ok(current) = self.0.current.lock() {
            if let Some(span) = current.as_ref() {
                span.record("retry_reason", tracing::field::display(reason));
            }
        }
    }
}

fn attempt_spans_enabled() -> bool {
    tracing::enabled!(target: "newtera::attempt", Level::DEBUG)
}

/// Gives each request an [`AttemptTrace`] when attempt spans are enabled.
#[derive(Clone, Debug)]
pub(crate) struct Traced<S> {
    inner: S,
}

impl<S> Traced<S> {
    pub(crate) fn new(inner: S) -> Self {
        Traced { inner }
    }
}

impl<S> Service<HttpRequest> for Traced<S>
where
    S: Service<HttpRequest, Response = HttpResponse, Error = TransportError>,
{
    type Response = HttpResponse;
    type Error = TransportError;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), TransportError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: HttpRequest) -> S::Future {
        if attempt_spans_enabled() && req.extensions().get::<AttemptTrace>().is_none() {
            req.extensions_mut().insert(AttemptTrace::default());
        }
        self.inner.call(req)
    }
}

/// Opens the `newtera.attempt` span of each attempt of a traced request.
#[derive(Clone, Debug)]
pub(crate) struct TraceAttempt<S> {
    inner: S,
}

impl<S> TraceAttempt<S> {
    pub(crate) fn new(inner: S) -> Self {
        TraceAttempt { inner }
    }
}

impl<S> Service<HttpRequest> for TraceAttempt<S>
where
    S: Service<HttpRequest, Response = HttpResponse, Error = TransportError>,
{
    type Response = HttpResponse;
    type Error = TransportError;
    type Future = AttemptFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), TransportError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: HttpRequest) -> Self::Future {
        let span = req.extensions().get::<AttemptTrace>().map(|t| {
            let n =
                t.0.attempts
                    .fetch_add(1, Ordering::Relaxed)
                    .saturating_add(1);
            let span = tracing::debug_span!(
                target: "newtera::attempt",
                "newtera.attempt",
                attempt = n,
                method = %req.method(),
                bytes_sent = req.body().size_hint().exact(),
                status = Empty,
                request_id = Empty,
                bytes = Empty,
                duration_ms = Empty,
                error = Empty,
                retry_reason = Empty,
            );
            if let Ok(mut current) = t.0.current.lock() {
                *current = Some(span.clone());
            }
            span
        });
        let inner = match &span {
            Some(s) => s.in_scope(|| self.inner.call(req)),
            None => self.inner.call(req),
        };
        AttemptFuture {
            inner,
            span,
            start: Instant::now(),
        }
    }
}

pin_project! {
    /// Response future of [`TraceAttempt`].
    pub(crate) struct AttemptFuture<F> {
        #[pin]
        inner: F,
        span: Option<Span>,
        start: Instant,
    }
}

impl<F> Future for AttemptFuture<F>
where
    F: Future<Output = Result<HttpResponse, TransportError>>,
{
    type Output = Result<HttpResponse, TransportError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let Some(span) = this.span.as_ref() else {
            return this.inner.poll(cx);
        };
        let result = ready!(span.in_scope(|| this.inner.poll(cx)));
        span.record("duration_ms", this.start.elapsed().as_secs_f64() * 1000.0);
        match &result {
            Ok(res) => {
                span.record("status", res.status().as_u16());
                // S3's header, or the one of AWS's other services.
                if let Some(id) = ["x-amz-request-id", "x-amzn-requestid"]
                    .iter()
                    .find_map(|h| res.headers().get(*h))
                    .and_then(|v| v.to_str().ok())
                {
                    span.record("request_id", id);
                }
                let announced = res
                    .headers()
                    .get(http::header::CONTENT_LENGTH)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse::<u64>().ok());
                if let Some(n) = announced.or_else(|| res.body().size_hint().exact()) {
                    span.record("bytes", n);
                }
            }
            Err(e) => {
                span.record("error", tracing::field::display(e.kind()));
            }
        }
        Poll::Ready(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::{Body, ResponseBody};
    use tower::ServiceExt;

    async fn saw_trace(svc_layered: bool) -> bool {
        let inner = tower::service_fn(|req: HttpRequest| async move {
            let traced = req.extensions().get::<AttemptTrace>().is_some();
            let res = http::Response::builder()
                .status(if traced { 299 } else { 200 })
                .body(ResponseBody::from_bytes(bytes::Bytes::new()))
                .map_err(|e| TransportError::with_source(crate::ErrorKind::Other, e))?;
            Ok::<_, TransportError>(res)
        });
        let req = http::Request::new(Body::empty());
        let res = if svc_layered {
            Traced::new(TraceAttempt::new(inner)).oneshot(req).await
        } else {
            TraceAttempt::new(inner).oneshot(req).await
        };
        res.map(|r| r.status().as_u16() == 299).unwrap_or(false)
    }

    #[tokio::test]
    async fn nothing_is_attached_without_a_subscriber() {
        assert!(!saw_trace(true).await);
    }

    #[tokio::test]
    async fn a_debug_subscriber_gets_the_shared_trace() {
        struct All;
        impl tracing::Subscriber for All {
            fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
                true
            }
            fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
                tracing::span::Id::from_u64(1)
            }
            fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
            fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
            fn event(&self, _: &tracing::Event<'_>) {}
            fn enter(&self, _: &tracing::span::Id) {}
            fn exit(&self, _: &tracing::span::Id) {}
        }
        let _guard = tracing::subscriber::set_default(All);
        assert!(saw_trace(true).await);
        // Without the outer layer, the attempt layer adds nothing itself.
        assert!(!saw_trace(false).await);
    }
}
