//! The idle timeout of response bodies.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Body as _, Frame, SizeHint};
use tokio::time::{Instant, Sleep};

use crate::body::ResponseBody;
use crate::error::{ErrorKind, TransportError};

/// A response body that fails with [`ErrorKind::Timeout`] when no data
/// arrives for `timeout` while it is being read.
///
/// The clock only runs while the reader waits: it starts when a poll finds
/// no data and stops as soon as a frame arrives, so a slow consumer never
/// trips it, only a silent connection does.
pub(crate) struct IdleBody {
    inner: ResponseBody,
    timeout: Duration,
    sleep: Option<Pin<Box<Sleep>>>,
    /// The sleep is running for the current wait.
    armed: bool,
    failed: bool,
}

impl IdleBody {
    pub(crate) fn wrap(inner: ResponseBody, timeout: Duration) -> ResponseBody {
        if inner.is_end_stream() {
            return inner;
        }
        ResponseBody::from_transport_body(IdleBody {
            inner,
            timeout,
            sleep: None,
            armed: false,
            failed: false,
        })
    }
}

impl http_body::Body for IdleBody {
    type Data = Bytes;
    type Error = TransportError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, TransportError>>> {
        let this = &mut *self;
        if this.failed {
            return Poll::Ready(None);
        }
        if let Poll::Ready(frame) = Pin::new(&mut this.inner).poll_frame(cx) {
            this.armed = false;
            return Poll::Ready(frame);
        }
        if !this.armed {
            let deadline = Instant::now() + this.timeout;
            match this.sleep.as_mut() {
                Some(s) => s.as_mut().reset(deadline),
                None => this.sleep = Some(Box::pin(tokio::time::sleep_until(deadline))),
            }
            this.armed = true;
        }
        if let Some(s) = this.sleep.as_mut() {
            if s.as_mut().poll(cx).is_ready() {
                this.failed = true;
                return Poll::Ready(Some(Err(TransportError::new(ErrorKind::Timeout)
                    .context("no response body data within the read timeout"))));
            }
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.failed || self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    /// A body that yields `first`, then waits `gap` (tokio time), then
    /// yields `second`.
    fn gappy(gap: Duration) -> ResponseBody {
        let s = futures_util::stream::unfold(0u8, move |n| async move {
            match n {
                0 => Some((
                    Ok::<_, std::io::Error>(Frame::data(Bytes::from_static(b"ab"))),
                    1,
                )),
                1 => {
                    tokio::time::sleep(gap).await;
                    Some((Ok(Frame::data(Bytes::from_static(b"cd"))), 2))
                }
                _ => None,
            }
        });
        ResponseBody::new(http_body_util::StreamBody::new(s))
    }

    #[tokio::test(start_paused = true)]
    async fn a_silent_body_times_out() {
        let body = IdleBody::wrap(gappy(Duration::from_secs(10)), Duration::from_secs(3));
        let err = body.collect(100).await.err().map(|e| e.kind());
        assert_eq!(err, Some(ErrorKind::Timeout));
    }

    #[tokio::test(start_paused = true)]
    async fn gaps_shorter_than_the_timeout_pass() {
        let body = IdleBody::wrap(gappy(Duration::from_secs(2)), Duration::from_secs(3));
        assert_eq!(body.collect(100).await.ok().as_deref(), Some(&b"abcd"[..]));
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_reader_does_not_trip_it() {
        let mut body = IdleBody::wrap(gappy(Duration::from_millis(10)), Duration::from_secs(1));
        let first = body
            .frame()
            .await
            .map(|f| f.ok().and_then(|f| f.into_data().ok()));
        assert_eq!(first, Some(Some(Bytes::from_static(b"ab"))));
        // The reader goes away for longer than the timeout; the data that
        // arrived meanwhile is still there.
        tokio::time::sleep(Duration::from_secs(5)).await;
        assert_eq!(body.collect(100).await.ok().as_deref(), Some(&b"cd"[..]));
    }
}
