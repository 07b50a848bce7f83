//! A per-attempt deadline for the response head.
//!
//! The clock runs from the moment the attempt is sent and is pushed back
//! whenever the request body yields more data, so a large upload is never cut
//! off while it makes progress: the deadline is "`timeout` after the last
//! piece of request body was handed to the connection, or after the request
//! was sent if its body is empty". Reading the response body is not covered
//! (the caller streams it at its own pace).

mod future;
mod layer;
mod service;

pub use future::TimeoutFuture;
pub use layer::TimeoutLayer;
pub use service::Timeout;
