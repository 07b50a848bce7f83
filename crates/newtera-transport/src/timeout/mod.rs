//! Per-attempt deadlines: one for the response head, one between response
//! body bytes.
//!
//! The head deadline runs from the moment the attempt is sent and is pushed
//! back whenever the request body yields more data, so a large upload is
//! never cut off while it makes progress: the deadline is "`timeout` after
//! the last piece of request body was handed to the connection, or after
//! the request was sent if its body is empty".
//!
//! The read timeout bounds the silence inside a response body: the body
//! handed out fails with [`ErrorKind::Timeout`](crate::ErrorKind::Timeout)
//! when no data arrives for that long while it is being read. The time the
//! caller takes between two reads is not counted, so a slow consumer is
//! never cut off; a connection that goes silent is.

mod future;
mod idle;
mod layer;
mod service;

pub use future::TimeoutFuture;
pub use layer::TimeoutLayer;
pub use service::Timeout;
