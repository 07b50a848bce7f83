//! The built-in HTTP client: hyper-util's pooled legacy client over
//! hyper-rustls, HTTP/1.1 only.

mod classify;
mod service;
mod tls;

pub(crate) use classify::classify_body_error;
pub(crate) use service::{HyperClient, HyperClientConfig};
