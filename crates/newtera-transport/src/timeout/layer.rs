use std::time::Duration;

use tower_layer::Layer;

use super::Timeout;

/// Wraps a service in [`Timeout`].
#[derive(Clone, Copy, Debug)]
pub struct TimeoutLayer {
    timeout: Option<Duration>,
    read_timeout: Option<Duration>,
}

impl TimeoutLayer {
    /// A deadline of `timeout` per attempt for the response head and an
    /// idle timeout of `read_timeout` between body bytes; `None` for none.
    pub fn new(timeout: Option<Duration>, read_timeout: Option<Duration>) -> Self {
        TimeoutLayer {
            timeout,
            read_timeout,
        }
    }
}

impl<S> Layer<S> for TimeoutLayer {
    type Service = Timeout<S>;

    fn layer(&self, inner: S) -> Timeout<S> {
        Timeout::new(inner, self.timeout, self.read_timeout)
    }
}
