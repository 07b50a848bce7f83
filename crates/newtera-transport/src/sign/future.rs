use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use crate::error::TransportError;
use crate::HttpResponse;

type Boxed = Pin<Box<dyn Future<Output = Result<HttpResponse, TransportError>> + Send>>;

pin_project! {
    /// Response future of [`Sign`](super::Sign): the inner future as is for
    /// an unsigned request, a boxed one (credentials, signing, call) otherwise.
    #[project = SignFutureProj]
    pub enum SignFuture<F> {
        /// The request was sent unsigned.
        Unsigned { #[pin] inner: F },
        /// The request is being signed, then sent.
        Signed { inner: Boxed },
    }
}

impl<F> SignFuture<F> {
    pub(crate) fn unsigned(inner: F) -> Self {
        SignFuture::Unsigned { inner }
    }

    pub(crate) fn signed(inner: Boxed) -> Self {
        SignFuture::Signed { inner }
    }
}

impl<F> std::fmt::Debug for SignFuture<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignFuture").finish_non_exhaustive()
    }
}

impl<F> Future for SignFuture<F>
where
    F: Future<Output = Result<HttpResponse, TransportError>>,
{
    type Output = Result<HttpResponse, TransportError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            SignFutureProj::Unsigned { inner } => inner.poll(cx),
            SignFutureProj::Signed { inner } => inner.as_mut().poll(cx),
        }
    }
}
