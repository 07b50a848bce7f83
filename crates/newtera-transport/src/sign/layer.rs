use std::fmt;
use std::sync::Arc;

use tower_layer::Layer;

use super::Sign;
use crate::signer::{Provider, Signer};

/// Wraps a service in [`Sign`].
#[derive(Clone)]
pub struct SignLayer {
    provider: Option<Arc<dyn Provider>>,
    signer: Arc<Signer>,
}

impl SignLayer {
    /// Signs with credentials from `provider` (`None`: never sign). One
    /// [`Signer`] is shared by every clone so its signing-key cache is shared.
    pub fn new(provider: Option<Arc<dyn Provider>>) -> Self {
        SignLayer {
            provider,
            signer: Arc::new(Signer::new()),
        }
    }
}

impl fmt::Debug for SignLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignLayer")
            .field("has_provider", &self.provider.is_some())
            .finish()
    }
}

impl<S> Layer<S> for SignLayer {
    type Service = Sign<S>;

    fn layer(&self, inner: S) -> Sign<S> {
        Sign::new(inner, self.provider.clone(), self.signer.clone())
    }
}
