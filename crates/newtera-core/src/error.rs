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
/// Callers act on the variant or, across variants and S3 codes, on the
/// predicates [`is_not_found`](Self::is_not_found),
/// [`is_access_denied`](Self::is_access_denied),
/// [`is_precondition_failed`](Self::is_precondition_failed),
/// [`is_not_modified`](Self::is_not_modified),
/// [`is_conflict`](Self::is_conflict), [`is_throttled`](Self::is_throttled),
/// [`is_timeout`](Self::is_timeout) and [`is_retryable`](Self::is_retryable)
/// (methods rather than a kind enum, since one error can be several things:
/// a `SlowDown` is throttled and retryable). The text of a message is not
/// part of the API.
/// No variant ever carries a secret key, a session token or an SSE-C key.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The S3 service answered with an error.
    #[error("{0}")]
    S3(Box<S3Error>),
    /// The request could not be carried out: connection, TLS, timeout, body.
    #[error("transport error during {op}{}", Target(.bucket.as_deref(), .object.as_deref()))]
    Transport {
        /// The operation that failed.
        op: &'static str,
        /// The bucket of the request, when the failure happened on one.
        bucket: Option<String>,
        /// The object of the request, when the failure happened on one.
        object: Option<String>,
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
    /// The thread running the blocking client's runtime could not be started.
    #[error("cannot start the runtime thread of the blocking client")]
    Runtime(#[source] std::io::Error),
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

    /// The service error this error stands for: itself, or the cause of a
    /// failed part.
    fn service(&self) -> Option<&S3Error> {
        match self {
            Error::S3(e) => Some(e),
            Error::Part { source, .. } => source.service(),
            _ => None,
        }
    }

    /// True when the bucket, object, version, upload or configuration asked
    /// for does not exist: HTTP 404 or one of S3's `NoSuch…` / `…NotFound…`
    /// codes.
    pub fn is_not_found(&self) -> bool {
        self.service().is_some_and(|e| {
            e.status == StatusCode::NOT_FOUND
                || e.code.starts_with("NoSuch")
                || e.code.contains("NotFound")
        })
    }

    /// True when the server refused the credentials or the permission: HTTP
    /// 403, or a code saying the keys, the signature or the token are not
    /// accepted (`AccessDenied`, `InvalidAccessKeyId`,
    /// `SignatureDoesNotMatch`, `ExpiredToken`, `InvalidToken`, …).
    pub fn is_access_denied(&self) -> bool {
        self.service().is_some_and(|e| {
            e.status == StatusCode::FORBIDDEN
                || matches!(
                    e.code.as_str(),
                    "AccessDenied"
                        | "AllAccessDisabled"
                        | "AccountProblem"
                        | "InvalidAccessKeyId"
                        | "SignatureDoesNotMatch"
                        | "ExpiredToken"
                        | "InvalidToken"
                        | "TokenRefreshRequired"
                )
        })
    }

    /// True when a condition of the request (`If-Match`, `If-None-Match`,
    /// `If-Unmodified-Since`, …) did not hold: HTTP 412 `PreconditionFailed`.
    /// An [`Error::ObjectChanged`] (the object changed while a download was
    /// resumed) counts too, since it is an `If-Match` that failed.
    pub fn is_precondition_failed(&self) -> bool {
        matches!(self, Error::ObjectChanged { .. })
            || self.service().is_some_and(|e| {
                e.status == StatusCode::PRECONDITION_FAILED || e.code == "PreconditionFailed"
            })
    }

    /// True when a read's `If-None-Match` / `If-Modified-Since` condition
    /// said the object has not changed: HTTP 304 Not Modified.
    pub fn is_not_modified(&self) -> bool {
        self.service()
            .is_some_and(|e| e.status == StatusCode::NOT_MODIFIED)
    }

    /// True when the request conflicts with the state of the resource: HTTP
    /// 409 (`BucketAlreadyExists`, `BucketAlreadyOwnedByYou`,
    /// `BucketNotEmpty`, `OperationAborted`, `ConditionalRequestConflict`, …).
    pub fn is_conflict(&self) -> bool {
        self.service().is_some_and(|e| {
            e.status == StatusCode::CONFLICT
                || matches!(
                    e.code.as_str(),
                    "BucketAlreadyExists"
                        | "BucketAlreadyOwnedByYou"
                        | "BucketNotEmpty"
                        | "OperationAborted"
                        | "ConditionalRequestConflict"
                )
        })
    }

    /// True when the server asked the client to slow down: HTTP 429, or
    /// `SlowDown`, `Throttling`, `RequestLimitExceeded`, … The transport has
    /// already backed off and retried as far as its settings allow when such
    /// an error reaches the caller.
    pub fn is_throttled(&self) -> bool {
        self.service().is_some_and(|e| {
            e.status == StatusCode::TOO_MANY_REQUESTS
                || matches!(
                    e.code.as_str(),
                    "SlowDown"
                        | "Throttling"
                        | "ThrottlingException"
                        | "ThrottledException"
                        | "RequestThrottled"
                        | "RequestThrottledException"
                        | "RequestLimitExceeded"
                        | "TooManyRequests"
                        | "BandwidthLimitExceeded"
                )
        })
    }

    /// True when time ran out: a connect, request or read timeout of the
    /// client, or the server's `RequestTimeout` (it waited too long for the
    /// request body).
    pub fn is_timeout(&self) -> bool {
        match self {
            Error::Transport { source, .. } => source.is_timeout(),
            Error::Part { source, .. } => source.is_timeout(),
            _ => self.service().is_some_and(|e| {
                e.code == "RequestTimeout" || e.status == StatusCode::REQUEST_TIMEOUT
            }),
        }
    }

    /// True when the failure is known to be transient, so that trying the
    /// operation again later may succeed: connection failures and resets,
    /// timeouts, bodies cut short, throttling and server-side errors (HTTP
    /// 5xx, `InternalError`, `ServiceUnavailable`). False for everything the
    /// request itself got wrong (invalid arguments, missing objects, denied
    /// access, failed preconditions, conflicts) and for answers that made no
    /// sense.
    ///
    /// The client has already retried such errors within its retry settings;
    /// this says whether a caller's own, later retry is worthwhile.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport { source, .. } => {
                source.is_retryable() || source.kind() == newtera_transport::ErrorKind::ResponseBody
            }
            Error::Truncated { .. } => true,
            Error::Part { source, .. } => source.is_retryable(),
            Error::S3(e) => {
                e.status.is_server_error()
                    || self.is_throttled()
                    || self.is_timeout()
                    || matches!(
                        e.code.as_str(),
                        "InternalError" | "ServiceUnavailable" | "SlowDown"
                    )
            }
            _ => false,
        }
    }

    pub(crate) fn arg(param: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidArgument {
            param,
            reason: reason.into(),
        }
    }

    /// A transport failure of `op` that concerns no particular bucket.
    pub(crate) fn transport(op: &'static str) -> impl FnOnce(TransportError) -> Self {
        Self::transport_at(op, None, None)
    }

    /// A transport failure of `op` on `bucket` / `object`.
    pub(crate) fn transport_at<'a>(
        op: &'static str,
        bucket: Option<&'a str>,
        object: Option<&'a str>,
    ) -> impl FnOnce(TransportError) -> Self + 'a {
        // The names are copied only when there is an error to carry them.
        move |source| Error::Transport {
            op,
            bucket: bucket.map(str::to_owned),
            object: object.map(str::to_owned),
            source,
        }
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
    /// The region the request was signed for, when the client knew one.
    pub region: Option<String>,
    /// The region the server said the bucket is in (the
    /// `x-amz-bucket-region` header or the `<Region>` of the error document),
    /// when it said one.
    pub bucket_region: Option<String>,
}

/// Writes ` [bucket "b", object "k"]` (or the part of it that is known).
struct Target<'a>(Option<&'a str>, Option<&'a str>);

impl fmt::Display for Target<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.0, self.1) {
            (Some(b), Some(o)) => write!(f, " [bucket {b:?}, object {o:?}]"),
            (Some(b), None) => write!(f, " [bucket {b:?}]"),
            _ => Ok(()),
        }
    }
}

impl fmt::Display for S3Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} failed: {} ({})", self.op, self.code, self.status)?;
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        write!(
            f,
            "{}",
            Target(self.bucket.as_deref(), self.object.as_deref())
        )?;
        if let Some(r) = &self.region {
            write!(f, " region {r}")?;
        }
        if let Some(r) = self
            .bucket_region
            .as_ref()
            .filter(|r| Some(*r) != self.region.as_ref())
        {
            write!(f, " (the bucket is in region {r})")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " request id {id}")?;
        }
        Ok(())
    }
}

impl std::error::Error for S3Error {}

#[cfg(test)]
mod tests {
    use super::*;

    fn s3(status: u16, code: &str) -> Error {
        Error::S3(Box::new(S3Error {
            code: code.to_owned(),
            message: "msg".to_owned(),
            resource: None,
            request_id: Some("RID".to_owned()),
            host_id: None,
            bucket: Some("bkt".to_owned()),
            object: Some("key".to_owned()),
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::IM_A_TEAPOT),
            op: "GetObject",
            attempts: 1,
            region: Some("us-east-1".to_owned()),
            bucket_region: None,
        }))
    }

    /// (status, code) → not found, access denied, precondition failed,
    /// conflict, throttled, timeout, retryable.
    #[test]
    fn predicates_of_service_errors() {
        #[rustfmt::skip]
        let table: &[(u16, &str, [bool; 7])] = &[
            (404, "NoSuchKey",               [true, false, false, false, false, false, false]),
            (404, "NoSuchBucket",            [true, false, false, false, false, false, false]),
            (404, "NoSuchVersion",           [true, false, false, false, false, false, false]),
            (404, "NoSuchUpload",            [true, false, false, false, false, false, false]),
            (404, "ObjectLockConfigurationNotFoundError", [true, false, false, false, false, false, false]),
            (400, "NoSuchVersion",           [true, false, false, false, false, false, false]),
            (403, "AccessDenied",            [false, true, false, false, false, false, false]),
            (403, "SignatureDoesNotMatch",   [false, true, false, false, false, false, false]),
            (403, "InvalidAccessKeyId",      [false, true, false, false, false, false, false]),
            (400, "ExpiredToken",            [false, true, false, false, false, false, false]),
            (412, "PreconditionFailed",      [false, false, true, false, false, false, false]),
            (409, "BucketAlreadyOwnedByYou", [false, false, false, true, false, false, false]),
            (409, "BucketNotEmpty",          [false, false, false, true, false, false, false]),
            (409, "OperationAborted",        [false, false, false, true, false, false, false]),
            (503, "SlowDown",                [false, false, false, false, true, false, true]),
            (429, "TooManyRequests",         [false, false, false, false, true, false, true]),
            (400, "RequestLimitExceeded",    [false, false, false, false, true, false, true]),
            (400, "RequestTimeout",          [false, false, false, false, false, true, true]),
            (500, "InternalError",           [false, false, false, false, false, false, true]),
            (503, "ServiceUnavailable",      [false, false, false, false, false, false, true]),
            (400, "InvalidArgument",         [false, false, false, false, false, false, false]),
            (416, "InvalidRange",            [false, false, false, false, false, false, false]),
        ];
        for &(status, code, want) in table {
            let e = s3(status, code);
            let got = [
                e.is_not_found(),
                e.is_access_denied(),
                e.is_precondition_failed(),
                e.is_conflict(),
                e.is_throttled(),
                e.is_timeout(),
                e.is_retryable(),
            ];
            assert_eq!(got, want, "{status} {code}");
            // A failed part answers as its cause does.
            let part = Error::Part {
                part_number: 3,
                source: Box::new(e),
            };
            assert_eq!(part.is_not_found(), want[0], "part {code}");
            assert_eq!(part.is_retryable(), want[6], "part {code}");
        }
    }

    #[test]
    fn predicates_of_client_side_errors() {
        use newtera_transport::ErrorKind;
        let transport = |kind| Error::Transport {
            op: "GetObject",
            bucket: Some("b".into()),
            object: Some("k".into()),
            source: TransportError::new(kind),
        };
        assert_eq!(
            transport(ErrorKind::Timeout).to_string(),
            r#"transport error during GetObject [bucket "b", object "k"]"#
        );
        assert!(transport(ErrorKind::Timeout).is_timeout());
        assert!(transport(ErrorKind::Timeout).is_retryable());
        assert!(transport(ErrorKind::ConnectionReset).is_retryable());
        assert!(transport(ErrorKind::ResponseBody).is_retryable());
        assert!(!transport(ErrorKind::ConnectionReset).is_timeout());
        assert!(!transport(ErrorKind::Tls).is_retryable());
        assert!(!transport(ErrorKind::Credentials).is_retryable());
        let truncated = Error::Truncated {
            op: "GetObject",
            received: 1,
            expected: 2,
        };
        assert!(truncated.is_retryable() && !truncated.is_not_found());
        let changed = Error::ObjectChanged {
            op: "GetObject",
            etag: "e".into(),
        };
        assert!(changed.is_precondition_failed() && !changed.is_retryable());
        let arg = Error::arg("length", "bad");
        for p in [
            arg.is_not_found(),
            arg.is_access_denied(),
            arg.is_precondition_failed(),
            arg.is_conflict(),
            arg.is_throttled(),
            arg.is_timeout(),
            arg.is_retryable(),
        ] {
            assert!(!p);
        }
    }

    #[test]
    fn display_names_operation_resource_code_request_and_region() {
        let e = s3(404, "NoSuchKey");
        assert_eq!(
            e.to_string(),
            "GetObject failed: NoSuchKey (404 Not Found): msg [bucket \"bkt\", object \"key\"] \
             region us-east-1 request id RID"
        );
        let Error::S3(mut inner) = s3(301, "PermanentRedirect") else {
            unreachable!()
        };
        inner.bucket_region = Some("eu-west-1".into());
        let text = Error::S3(inner).to_string();
        assert!(
            text.contains("region us-east-1 (the bucket is in region eu-west-1)"),
            "{text}"
        );
    }
}
