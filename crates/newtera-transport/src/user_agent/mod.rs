//! Sets the `user-agent` header of requests that have none.

mod layer;
mod service;

pub use layer::UserAgentLayer;
pub use service::UserAgent;
