use std::time::Duration;

use tower_layer::Layer;

use super::ErrorBody;

/// Wraps a service in [`ErrorBody`].
#[derive(Clone, Copy, Debug)]
pub struct ErrorBodyLayer {
    timeout: Option<Duration>,
}

impl ErrorBodyLayer {
    /// Buffering error bodies takes at most `timeout` (`None`: no bound).
    pub fn new(timeout: Option<Duration>) -> Self {
        ErrorBodyLayer { timeout }
    }
}

impl<S> Layer<S> for ErrorBodyLayer {
    type Service = ErrorBody<S>;

    fn layer(&self, inner: S) -> ErrorBody<S> {
        ErrorBody::new(inner, self.timeout)
    }
}
