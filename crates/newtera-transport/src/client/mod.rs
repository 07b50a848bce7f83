//! The built-in HTTP client: hyper-util's pooled legacy client over
//! hyper-rustls, HTTP/1.1 only, direct or through a forward proxy.

mod classify;
mod proxy;
mod service;
mod tls;

pub(crate) use classify::classify_body_error;
pub use proxy::ProxyConfig;
pub(crate) use service::{HyperClient, HyperClientConfig};
