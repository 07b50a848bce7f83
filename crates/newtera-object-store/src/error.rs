//! Newtera errors as `object_store` errors, through the client's typed
//! predicates (never the message text).

use object_store::Error as OsError;

use crate::STORE;

/// `e`, an error of a request on `path`, as the `object_store` error a
/// caller acts on.
pub(crate) fn map_err(e: newtera::Error, path: &str) -> OsError {
    let path = path.to_owned();
    if e.is_not_found() {
        OsError::NotFound {
            path,
            source: Box::new(e),
        }
    } else if e.is_not_modified() {
        OsError::NotModified {
            path,
            source: Box::new(e),
        }
    } else if e.is_precondition_failed() {
        OsError::Precondition {
            path,
            source: Box::new(e),
        }
    } else if not_implemented(&e) {
        OsError::NotImplemented {
            operation: e.as_s3().map_or("request", |s| s.op).to_owned(),
            implementer: format!("{STORE} (the server answered NotImplemented: {e})"),
        }
    } else {
        OsError::Generic {
            store: STORE,
            source: Box::new(e),
        }
    }
}

/// Did the server say it does not implement what was asked (HTTP 501 or
/// S3's `NotImplemented` code)?
pub(crate) fn not_implemented(e: &newtera::Error) -> bool {
    e.status() == Some(http::StatusCode::NOT_IMPLEMENTED) || e.code() == Some("NotImplemented")
}

/// A `Generic` error with a message of the adapter's own.
pub(crate) fn generic(message: String) -> OsError {
    OsError::Generic {
        store: STORE,
        source: message.into(),
    }
}
