use tower::retry::Retry;
use tower_layer::Layer;

use super::RetryPolicy;

/// Wraps a service in tower's [`Retry`] with a [`RetryPolicy`].
#[derive(Clone, Debug)]
pub struct RetryLayer {
    policy: RetryPolicy,
}

impl RetryLayer {
    /// A layer retrying with `policy`; its budget is shared by every service
    /// the layer wraps.
    pub fn new(policy: RetryPolicy) -> Self {
        RetryLayer { policy }
    }
}

impl<S> Layer<S> for RetryLayer {
    type Service = Retry<RetryPolicy, S>;

    fn layer(&self, inner: S) -> Self::Service {
        Retry::new(self.policy.clone(), inner)
    }
}
