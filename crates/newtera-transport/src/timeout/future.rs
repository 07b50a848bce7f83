use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use pin_project_lite::pin_project;
use tokio::time::Sleep;

use super::idle::IdleBody;
use crate::body::Progress;
use crate::error::{ErrorKind, TransportError};
use crate::HttpResponse;

struct Deadline {
    timeout: Duration,
    progress: Arc<Progress>,
    sleep: Pin<Box<Sleep>>,
}

pin_project! {
    /// Response future of [`Timeout`](super::Timeout).
    pub struct TimeoutFuture<F> {
        #[pin]
        inner: F,
        deadline: Option<Deadline>,
        read_timeout: Option<Duration>,
    }
}

impl<F> TimeoutFuture<F> {
    pub(crate) fn new(
        inner: F,
        deadline: Option<(Duration, Arc<Progress>)>,
        read_timeout: Option<Duration>,
    ) -> Self {
        TimeoutFuture {
            inner,
            read_timeout,
            deadline: deadline.map(|(timeout, progress)| Deadline {
                timeout,
                progress,
                sleep: Box::pin(tokio::time::sleep(timeout)),
            }),
        }
    }
}

impl<F> std::fmt::Debug for TimeoutFuture<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TimeoutFuture").finish_non_exhaustive()
    }
}

impl<F> Future for TimeoutFuture<F>
where
    F: Future<Output = Result<HttpResponse, TransportError>>,
{
    type Output = Result<HttpResponse, TransportError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Poll::Ready(out) = this.inner.poll(cx) {
            return Poll::Ready(match *this.read_timeout {
                Some(d) => out.map(|res| res.map(|body| IdleBody::wrap(body, d))),
                None => out,
            });
        }
        let Some(d) = this.deadline else {
            return Poll::Pending;
        };
        loop {
            if d.sleep.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            // The body may have made progress since the timer was set.
            let next = d.progress.last() + d.timeout;
            if next <= tokio::time::Instant::now() {
                return Poll::Ready(Err(TransportError::new(ErrorKind::Timeout)
                    .context("no response within the request timeout")));
            }
            d.sleep.as_mut().reset(next);
        }
    }
}
