use std::task::{Context, Poll};

use http::header::USER_AGENT;
use http::{HeaderValue, Request};
use tower_service::Service;

/// Sets the `user-agent` header when the request has none.
#[derive(Clone, Debug)]
pub struct UserAgent<S> {
    inner: S,
    value: HeaderValue,
}

impl<S> UserAgent<S> {
    /// Wraps `inner`.
    pub fn new(inner: S, value: HeaderValue) -> Self {
        UserAgent { inner, value }
    }
}

impl<S, B> Service<Request<B>> for UserAgent<S>
where
    S: Service<Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<B>) -> S::Future {
        if !req.headers().contains_key(USER_AGENT) {
            req.headers_mut().insert(USER_AGENT, self.value.clone());
        }
        self.inner.call(req)
    }
}
