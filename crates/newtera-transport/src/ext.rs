//! Request and response extensions read or set by the layers.

use std::sync::Arc;

use http::Method;

/// Where a request is signed: present in a request's extensions, the sign
/// layer signs it with SigV4 for this region and service. Absent, the request
/// is sent anonymously.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigningScope {
    /// The signing region, e.g. `us-east-1`.
    pub region: Arc<str>,
    /// The signing service name, `s3` for S3.
    pub service: &'static str,
}

impl SigningScope {
    /// A scope for the S3 service in `region`.
    pub fn s3(region: impl Into<Arc<str>>) -> Self {
        SigningScope {
            region: region.into(),
            service: "s3",
        }
    }
}

/// Whether sending a request twice has the same effect as sending it once.
///
/// Decides whether a request that timed out, or whose connection broke
/// after it may have been written, is retried (it may have been processed).
/// Absent from the extensions, GET, HEAD, PUT, DELETE, OPTIONS and TRACE
/// requests are idempotent and others are not; a caller marks another
/// request (a POST whose repetition it compensates for, say) safe to repeat
/// by inserting [`Idempotency::Idempotent`], or forbids repeating a request
/// with [`Idempotency::NonIdempotent`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Idempotency {
    /// The request can be repeated safely.
    Idempotent,
    /// The request may have side effects if repeated.
    NonIdempotent,
}

impl Idempotency {
    /// The idempotency of `req`: its extension, or the default for its method.
    pub fn of<B>(req: &http::Request<B>) -> Idempotency {
        if let Some(i) = req.extensions().get::<Idempotency>() {
            return *i;
        }
        match *req.method() {
            Method::GET
            | Method::HEAD
            | Method::PUT
            | Method::DELETE
            | Method::OPTIONS
            | Method::TRACE => Idempotency::Idempotent,
            _ => Idempotency::NonIdempotent,
        }
    }
}

/// Marker extension: the answer to this request is a small document the
/// caller reads whole (an XML result). The error-body layer then buffers
/// `200` bodies too (up to [`ERROR_BODY_LIMIT`](crate::ERROR_BODY_LIMIT)),
/// inside the retry loop, so a connection lost in the middle of the body
/// fails that attempt and is retried; and a `200` carrying an S3 `<Error>`
/// document (CompleteMultipartUpload, CopyObject) reports its code in
/// [`S3ErrorCode`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BufferedAnswer;

/// Request extension: how to tell a whole answer from a damaged one.
///
/// For a request marked [`BufferedAnswer`], the error-body layer calls the
/// function on a buffered `200` body that is no S3 error document. When it
/// returns `false` (a document cut short or garbled on the way), the
/// response gets the [`DamagedAnswer`] extension and the retry layer treats
/// the attempt like a lost answer: it is retried within the attempt bound
/// and the retry budget, when the request may be repeated (see
/// [`Idempotency`]). When retries run out the damaged answer is handed
/// on, for the caller's parser to report.
#[derive(Clone, Copy)]
pub struct AnswerCheck(pub fn(&[u8]) -> bool);

impl std::fmt::Debug for AnswerCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AnswerCheck")
    }
}

/// Response extension set by the error-body layer: the buffered answer
/// failed its [`AnswerCheck`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DamagedAnswer;

/// Response extension set by the error-body layer: the `<Code>` of a buffered
/// S3 error document (from a non-2xx response, or a 200 response to a request
/// marked [`BufferedAnswer`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct S3ErrorCode(pub String);

impl S3ErrorCode {
    /// The code, e.g. `SlowDown`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Response extension set by the retry layer: how many attempts the request
/// took (1 when the first attempt answered). An operation whose earlier
/// attempt may have taken effect before its answer was lost (a retried
/// `CreateBucket` answered `BucketAlreadyOwnedByYou`, say) reads it to tell
/// its own earlier success from someone else's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Attempts(pub u32);
