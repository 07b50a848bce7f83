//! Signs each attempt with SigV4.
//!
//! A request whose extensions hold a [`SigningScope`](crate::SigningScope) is
//! signed when a credentials provider is configured: credentials are fetched
//! from the provider for every attempt (so expiring credentials are re-read)
//! and the request is signed with the current time. The `x-amz-content-sha256`
//! value comes from the request's `PayloadHash` extension, or is `Empty` for
//! an empty body and `Unsigned` otherwise. Without a scope or a provider the
//! request passes through unsigned.

mod future;
mod layer;
mod service;

pub use future::SignFuture;
pub use layer::SignLayer;
pub use service::Sign;
