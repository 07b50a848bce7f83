//! The error type of every operation.

use std::fmt;
use std::path::PathBuf;

use http::StatusCode;
use newtera_transport::TransportError;
use newtera_xml::XmlError;

/// The result type of Newtera operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in an operation.
///
/// Callers act on the variant; the text of a message is not part of the API.
/// No variant ever carries a secret key, a session token or an SSE-C key.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The S3 service answered with an error.
    #[error("{0}")]
    S3(Box<S3Error>),
    /// The request could not be carried out: connection, TLS, timeout, body.
    #[error("transport error during {op}")]
    Transport {
        /// The operation that failed.
        op: &'static str,
        /// What went wrong underneath.
        #[source]
        source: TransportError,
    },
    /// A bucket name breaks the S3 naming rules; nothing was sent.
    #[error("invalid bucket name {name:?}: {reason}")]
    InvalidBucketName {
        /// The name given.
        name: String,
        /// The rule it breaks.
        reason: &'static str,
    },
    /// An object name breaks the S3 naming rules; nothing was sent.
    #[error("invalid object name {name:?}: {reason}")]
    InvalidObjectName {
        /// The name given.
        name: String,
        /// The rule it breaks.
        reason: &'static str,
    },
    /// A parameter has a value the operation cannot accept; nothing was sent.
    #[error("invalid argument `{param}`: {reason}")]
    InvalidArgument {
        /// The parameter.
        param: &'static str,
        /// Why it was refused.
        reason: String,
    },
    /// The endpoint given to the client builder cannot be used.
    #[error("invalid endpoint {endpoint:?}: {reason}")]
    InvalidEndpoint {
        /// The endpoint as given.
        endpoint: String,
        /// Why it was refused.
        reason: String,
    },
    /// The server's answer could not be parsed.
    #[error("cannot parse the {op} response")]
    Xml {
        /// The operation whose answer was malformed.
        op: &'static str,
        /// What the parser said.
        #[source]
        source: XmlError,
    },
    /// The server's answer made no sense for the operation.
    #[error("unexpected response to {op}: {reason}")]
    UnexpectedResponse {
        /// The operation.
        op: &'static str,
        /// What was wrong with it.
        reason: String,
    },
    /// Uploading one part of a multipart upload failed; the upload was aborted.
    #[error("part {part_number} of the multipart upload failed; the upload was aborted")]
    Part {
        /// The 1-based part number.
        part_number: u32,
        /// Why the part failed.
        #[source]
        source: Box<Error>,
    },
    /// Downloaded data does not match the checksum the server declared; the
    /// data must not be used.
    #[error("{op}: {algorithm} checksum mismatch: the server declared {expected}, the data has {computed}")]
    ChecksumMismatch {
        /// The operation.
        op: &'static str,
        /// `CRC32C` or `CRC64NVME`.
        algorithm: &'static str,
        /// The value the server declared.
        expected: String,
        /// The value of the bytes received.
        computed: String,
    },
    /// The object changed while it was being read, so a cut-off read could
    /// not be resumed.
    #[error("{op}: the object changed while it was read (ETag was {etag})")]
    ObjectChanged {
        /// The operation.
        op: &'static str,
        /// The ETag the read started with.
        etag: String,
    },
    /// The body ended before all its bytes arrived and could not be resumed.
    #[error("{op}: the body ended after {received} of {expected} bytes")]
    Truncated {
        /// The operation.
        op: &'static str,
        /// Bytes received.
        received: u64,
        /// Bytes announced.
        expected: u64,
    },
    /// Local file I/O failed.
    #[error("I/O error on {}", path.display())]
    Io {
        /// The file involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Reading the caller's data failed.
    #[error("reading the input data failed")]
    Input(#[source] std::io::Error),
}

impl Error {
    /// The S3 error code (`NoSuchKey`, `AccessDenied`, …) when the server
    /// answered with an error.
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::S3(e) => Some(&e.code),
            Error::Part { source, .. } => source.code(),
            _ => None,
        }
    }

    /// The HTTP status of the server's answer, when there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::S3(e) => Some(e.status),
            _ => None,
        }
    }

    /// The service error, when the server answered with one.
    pub fn as_s3(&self) -> Option<&S3Error> {
        match self {
            Error::S3(e) => Some(e),
            _ => None,
        }
    }

    /// True for errors raised on the client before anything was sent.
    pub fn is_invalid_argument(&self) -> bool {
        matches!(
            self,
            Error::InvalidArgument { .. }
                | Error::InvalidBucketName { .. }
                | Error::InvalidObjectName { .. }
                | Error::InvalidEndpoint { .. }
        )
    }

    pub(crate) fn arg(param: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidArgument {
            param,
            reason: reason.into(),
        }
    }

    pub(crate) fn transport(op: &'static str) -> impl FnOnce(TransportError) -> Self {
        move |source| Error::Transport { op, source }
    }

    pub(crate) fn xml(op: &'static str) -> impl FnOnce(XmlError) -> Self {
        move |source| Error::Xml { op, source }
    }
}

/// An error answer from the S3 service.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct S3Error {
    /// The S3 error code, e.g. `NoSuchBucket`.
    pub code: String,
    /// The human-readable message.
    pub message: String,
    /// The resource the error concerns, as the server named it.
    pub resource: Option<String>,
    /// The server's request id (`x-amz-request-id`).
    pub request_id: Option<String>,
    /// The server's host id (`x-amz-id-2`).
    pub host_id: Option<String>,
    /// The bucket of the request.
    pub bucket: Option<String>,
    /// The object of the request.
    pub object: Option<String>,
    /// The HTTP status of the answer.
    pub status: StatusCode,
    /// The operation that failed.
    pub op: &'static str,
    /// How many attempts the request took; above 1, an earlier attempt may
    /// have taken effect before its answer was lost.
    pub attempts: u32,
}

impl fmt::Display for S3Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} failed: {} ({})", self.op, self.code, self.status)?;
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        match (&self.bucket, &self.object) {
            (Some(b), Some(o)) => write!(f, " [bucket {b:?}, object {o:?}]")?,
            (Some(b), None) => write!(f, " [bucket {b:?}]")?,
            _ => {}
        }
        if let Some(id) = &self.request_id {
            write!(f, " request id {id}")?;
        }
        Ok(())
    }
}

impl std::error::Error for S3Error {}
