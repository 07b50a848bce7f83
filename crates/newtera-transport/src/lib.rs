//! The HTTP transport of the Newtera S3 SDK.
//!
//! A [`Transport`] is a tower stack, outermost first:
//!
//! | layer | does |
//! |---|---|
//! | retry | backoff with full jitter, a retry budget and an attempt bound ([`RetryConfig`]) |
//! | sign | fetches credentials and signs every attempt afresh ([`SigningScope`]) |
//! | error body | buffers S3 error bodies and records their code ([`S3ErrorCode`]) |
//! | timeout | a per-attempt deadline for the response head; an idle timeout between response body bytes |
//! | user layers | whatever [`TransportBuilder::layer`] added |
//! | user agent | sets `user-agent` when absent |
//! | client | pooled HTTP/1.1 connections over rustls, each driven by the task awaiting it (hyper's connection API), or [`TransportBuilder::http_client`] |
//!
//! Each attempt is a `newtera.attempt` tracing span at `debug` level
//! (attempt number, method, status, `x-amz-request-id`, bytes, duration,
//! retry reason); no field holds a header value, URL or secret.
//!
//! Requests carry their body as a [`Body`], which knows whether it can be
//! replayed: only replayable requests are ever retried. Layers read
//! per-request settings from the request extensions: [`SigningScope`],
//! `newtera_signer::PayloadHash`, [`Idempotency`], [`BufferedAnswer`] and
//! [`AnswerCheck`].
//!
//! ```no_run
//! # async fn demo() -> Result<(), newtera_transport::TransportError> {
//! use newtera_transport::{Body, SigningScope, Transport};
//!
//! let transport = Transport::builder().build()?;
//! let mut req = http::Request::get("http://127.0.0.1:9000/bucket/key")
//!     .body(Body::empty())
//!     .map_err(|e| newtera_transport::TransportError::with_source(
//!         newtera_transport::ErrorKind::Config, e))?;
//! req.extensions_mut().insert(SigningScope::s3("us-east-1"));
//! let res = transport.send(req).await?;
//! let bytes = res.into_body().collect(1 << 20).await?;
//! # let _ = bytes; Ok(()) }
//! ```

mod body;
mod client;
mod error;
mod error_body;
mod ext;
mod retry;
mod sign;
mod timeout;
mod trace;
mod transport;
mod user_agent;

use newtera_signer as signer;

pub use body::{Body, ResponseBody, ResponseBodyStream};
pub use client::ProxyConfig;
pub use error::{BoxError, ErrorKind, TransportError};
pub use error_body::ERROR_BODY_LIMIT;
pub use ext::{
    AnswerCheck, Attempts, BufferedAnswer, DamagedAnswer, Idempotency, S3ErrorCode, SigningScope,
};
pub use retry::{RetryBudget, RetryConfig};
pub use transport::{
    Transport, TransportBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT,
    DEFAULT_REQUEST_TIMEOUT,
};

/// A request as the transport takes it.
pub type HttpRequest = http::Request<Body>;
/// A response as the transport returns it.
pub type HttpResponse = http::Response<ResponseBody>;
/// A boxed, cloneable, shareable HTTP service: the type of the whole stack,
/// of a replacement client, and of what user layers wrap.
pub type HttpService = tower::util::BoxCloneSyncService<HttpRequest, HttpResponse, TransportError>;
