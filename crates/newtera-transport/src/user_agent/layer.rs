use http::HeaderValue;
use tower_layer::Layer;

use super::UserAgent;

/// Wraps a service in [`UserAgent`].
#[derive(Clone, Debug)]
pub struct UserAgentLayer {
    value: HeaderValue,
}

impl UserAgentLayer {
    /// Sets `value` as the user agent of requests that have none.
    pub fn new(value: HeaderValue) -> Self {
        UserAgentLayer { value }
    }
}

impl<S> Layer<S> for UserAgentLayer {
    type Service = UserAgent<S>;

    fn layer(&self, inner: S) -> UserAgent<S> {
        UserAgent::new(inner, self.value.clone())
    }
}
