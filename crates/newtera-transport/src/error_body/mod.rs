//! Buffers S3 error bodies so that the retry policy and the caller can read
//! the error code.
//!
//! A response is buffered when its status is not 2xx, or when it is `200` and
//! the request carried [`BufferedAnswer`](crate::BufferedAnswer); HEAD responses
//! never are. Up to [`ERROR_BODY_LIMIT`] bytes are read: a body that fits is
//! replaced by the buffered bytes and, if it is an S3 `<Error>` document, its
//! `<Code>` is put in the response's [`S3ErrorCode`](crate::S3ErrorCode)
//! extension. A body that turns out longer than the limit is no S3 error
//! document: it is handed on unchanged (the part already read is replayed in
//! front of the rest) and no code is set. Reading is bounded by the request
//! timeout, when one is set. A buffered `200` that is no error document is
//! given to the request's [`AnswerCheck`](crate::AnswerCheck), if any; a
//! damaged one is marked [`DamagedAnswer`](crate::DamagedAnswer) for the
//! retry layer.

mod future;
mod layer;
mod scan;
mod service;

pub use future::ErrorBodyFuture;
pub use layer::ErrorBodyLayer;
pub use service::ErrorBody;

/// The most bytes of an error body that are buffered (1 MiB).
pub const ERROR_BODY_LIMIT: usize = 1 << 20;
