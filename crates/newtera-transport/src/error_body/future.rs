use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use http::StatusCode;
use pin_project_lite::pin_project;

use super::{scan, ERROR_BODY_LIMIT};
use crate::body::{chain, collect_prefix, Collected, ResponseBody};
use crate::error::{ErrorKind, TransportError};
use crate::ext::{AnswerCheck, DamagedAnswer, S3ErrorCode};
use crate::HttpResponse;

type BufferFuture = Pin<Box<dyn Future<Output = Result<HttpResponse, TransportError>> + Send>>;

pin_project! {
    /// Response future of [`ErrorBody`](super::ErrorBody).
    pub struct ErrorBodyFuture<F> {
        #[pin]
        state: State<F>,
        buffered_answer: bool,
        check: Option<AnswerCheck>,
        is_head: bool,
        timeout: Option<Duration>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F> {
        Head { #[pin] inner: F },
        // Only error responses get here, so boxing is cheap enough.
        Buffering { fut: BufferFuture },
    }
}

impl<F> ErrorBodyFuture<F> {
    pub(crate) fn new(
        inner: F,
        buffered_answer: bool,
        check: Option<AnswerCheck>,
        is_head: bool,
        timeout: Option<Duration>,
    ) -> Self {
        ErrorBodyFuture {
            state: State::Head { inner },
            buffered_answer,
            check,
            is_head,
            timeout,
        }
    }
}

impl<F> std::fmt::Debug for ErrorBodyFuture<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ErrorBodyFuture").finish_non_exhaustive()
    }
}

impl<F> Future for ErrorBodyFuture<F>
where
    F: Future<Output = Result<HttpResponse, TransportError>>,
{
    type Output = Result<HttpResponse, TransportError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        loop {
            match this.state.as_mut().project() {
                StateProj::Head { inner } => {
                    let res = ready!(inner.poll(cx))?;
                    let status = res.status();
                    let wanted = !*this.is_head
                        && (!status.is_success()
                            || (*this.buffered_answer && status == StatusCode::OK));
                    if !wanted {
                        return Poll::Ready(Ok(res));
                    }
                    let check = this.check.filter(|_| status.is_success());
                    let fut = Box::pin(buffer(res, check, *this.timeout));
                    this.state.set(State::Buffering { fut });
                }
                StateProj::Buffering { fut } => return fut.as_mut().poll(cx),
            }
        }
    }
}

async fn buffer(
    res: HttpResponse,
    check: Option<AnswerCheck>,
    timeout: Option<Duration>,
) -> Result<HttpResponse, TransportError> {
    let (mut parts, body) = res.into_parts();
    let collect = collect_prefix(body, ERROR_BODY_LIMIT);
    let collected = match timeout {
        None => collect.await?,
        Some(d) => tokio::time::timeout(d, collect).await.map_err(|_| {
            TransportError::new(ErrorKind::Timeout)
                .context("error body did not arrive within the request timeout")
        })??,
    };
    let body = match collected {
        Collected::Complete(bytes) => {
            if let Some(code) = scan::error_code(&bytes) {
                parts.extensions.insert(S3ErrorCode(code));
            } else if check.is_some_and(|AnswerCheck(whole)| !whole(&bytes)) {
                tracing::debug!(len = bytes.len(), "a buffered answer arrived damaged");
                parts.extensions.insert(DamagedAnswer);
            }
            ResponseBody::from_bytes(bytes)
        }
        Collected::Over { prefix, rest } => chain(prefix, rest),
    };
    Ok(http::Response::from_parts(parts, body))
}
