use std::fmt;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::SystemTime;

use tower_service::Service;

use super::SignFuture;
use crate::error::{ErrorKind, TransportError};
use crate::ext::SigningScope;
use crate::signer::{PayloadHash, Provider, Signer, SigningParams};
use crate::{HttpRequest, HttpResponse};

/// Signs requests that carry a [`SigningScope`] (see the [module docs](super)).
#[derive(Clone)]
pub struct Sign<S> {
    inner: S,
    provider: Option<Arc<dyn Provider>>,
    signer: Arc<Signer>,
}

impl<S> Sign<S> {
    /// Wraps `inner`.
    pub fn new(inner: S, provider: Option<Arc<dyn Provider>>, signer: Arc<Signer>) -> Self {
        Sign {
            inner,
            provider,
            signer,
        }
    }
}

impl<S: fmt::Debug> fmt::Debug for Sign<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sign")
            .field("inner", &self.inner)
            .field("has_provider", &self.provider.is_some())
            .finish()
    }
}

impl<S> Service<HttpRequest> for Sign<S>
where
    S: Service<HttpRequest, Response = HttpResponse, Error = TransportError>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    type Response = HttpResponse;
    type Error = TransportError;
    type Future = SignFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), TransportError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: HttpRequest) -> Self::Future {
        let scope = req.extensions().get::<SigningScope>().cloned();
        let (Some(scope), Some(provider)) = (scope, self.provider.clone()) else {
            return SignFuture::unsigned(self.inner.call(req));
        };
        // `self.inner` is the instance that was polled ready: take it, leave a clone.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let signer = self.signer.clone();
        SignFuture::signed(Box::pin(async move {
            let req = sign(req, &scope, &*provider, &signer).await?;
            inner.call(req).await
        }))
    }
}

async fn sign(
    req: HttpRequest,
    scope: &SigningScope,
    provider: &dyn Provider,
    signer: &Signer,
) -> Result<HttpRequest, TransportError> {
    let credentials = provider.retrieve().await.map_err(|e| {
        TransportError::with_source(ErrorKind::Credentials, e)
            .context("could not retrieve credentials")
    })?;
    let (mut parts, body) = req.into_parts();
    let payload = parts
        .extensions
        .get::<PayloadHash>()
        .cloned()
        .unwrap_or_else(|| {
            if body.content_length() == Some(0) {
                PayloadHash::Empty
            } else {
                PayloadHash::Unsigned
            }
        });
    let params = SigningParams {
        credentials: &credentials,
        region: &scope.region,
        service: scope.service,
        time: SystemTime::now(),
    };
    signer
        .sign(
            &parts.method,
            &parts.uri,
            &mut parts.headers,
            &payload,
            &params,
        )
        .map_err(|e| {
            TransportError::with_source(ErrorKind::Signing, e).context("could not sign the request")
        })?;
    Ok(http::Request::from_parts(parts, body))
}
