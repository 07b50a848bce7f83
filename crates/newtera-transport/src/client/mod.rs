//! The built-in HTTP client: pooled HTTP/1.1 connections (hyper's
//! connection API over hyper-rustls and hyper-util's connectors), each
//! driven by the task that waits on it, direct or through a forward proxy.

mod classify;
mod driven;
mod pool;
mod proxy;
mod quiet;
mod service;
mod tls;

pub(crate) use classify::classify_body_error;
pub use proxy::ProxyConfig;
pub(crate) use service::{HyperClient, HyperClientConfig};
