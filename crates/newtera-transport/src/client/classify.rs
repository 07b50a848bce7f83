//! Sorting hyper / hyper-util / io errors into [`ErrorKind`]s.

use std::error::Error as StdError;
use std::io;

use crate::error::{BoxError, ErrorKind, RequestBodyError, TransportError};

/// Walks the source chain of `e`, the error itself first.
fn chain<'a>(
    e: &'a (dyn StdError + 'static),
) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    std::iter::successors(Some(e), |e| (*e).source())
}

/// The kind of an error found anywhere in a chain, apart from "connect".
fn kind_in_chain(e: &(dyn StdError + 'static)) -> Option<ErrorKind> {
    for err in chain(e) {
        if err.is::<RequestBodyError>() {
            return Some(ErrorKind::RequestBody);
        }
        if let Some(t) = err.downcast_ref::<TransportError>() {
            return Some(t.kind());
        }
        if err.is::<rustls::Error>() {
            return Some(ErrorKind::Tls);
        }
        if let Some(h) = err.downcast_ref::<hyper::Error>() {
            if h.is_incomplete_message() || h.is_canceled() || h.is_body_write_aborted() {
                return Some(ErrorKind::ConnectionReset);
            }
            if h.is_timeout() {
                return Some(ErrorKind::Timeout);
            }
        }
        if let Some(io) = err.downcast_ref::<io::Error>() {
            match io.kind() {
                io::ErrorKind::ConnectionReset
                | io::ErrorKind::ConnectionAborted
                | io::ErrorKind::BrokenPipe
                | io::ErrorKind::UnexpectedEof => return Some(ErrorKind::ConnectionReset),
                io::ErrorKind::TimedOut => return Some(ErrorKind::Timeout),
                _ => {}
            }
        }
    }
    None
}

/// Maps an error of opening a connection (TCP, proxy, TLS).
pub(crate) fn classify_connect_error(e: BoxError) -> TransportError {
    let kind = match kind_in_chain(&*e) {
        Some(ErrorKind::Tls) => ErrorKind::Tls,
        _ => ErrorKind::Connect,
    };
    TransportError::with_source(kind, e)
}

/// Maps an error of an exchange on an open connection.
pub(crate) fn classify_hyper_error(e: hyper::Error) -> TransportError {
    let kind = kind_in_chain(&e).unwrap_or(ErrorKind::Other);
    TransportError::with_source(kind, e)
}

/// Maps an error read from a response body.
pub(crate) fn classify_body_error(e: BoxError) -> TransportError {
    let kind = match kind_in_chain(&*e) {
        Some(ErrorKind::ConnectionReset) => ErrorKind::ConnectionReset,
        Some(ErrorKind::Timeout) => ErrorKind::Timeout,
        _ => ErrorKind::ResponseBody,
    };
    TransportError::with_source(kind, e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_reset_in_body_is_connection_reset() {
        let e = classify_body_error(Box::new(io::Error::from(io::ErrorKind::ConnectionReset)));
        assert_eq!(e.kind(), ErrorKind::ConnectionReset);
        let e = classify_body_error(Box::new(io::Error::other("x")));
        assert_eq!(e.kind(), ErrorKind::ResponseBody);
    }
}
