//! The transport error: one opaque struct with a [`kind`](TransportError::kind)
//! and a retry classification.

use std::error::Error as StdError;
use std::fmt;
use std::io;

/// A boxed error that can cross threads; the error type of request bodies.
pub type BoxError = Box<dyn StdError + Send + Sync>;

/// What went wrong while sending a request or receiving its response.
///
/// Each variant says whether the retry layer retries it. Whatever the kind, a
/// request is retried only when its body can be replayed
/// ([`Body::try_clone`](crate::Body::try_clone)) and the attempt bound and
/// retry budget allow it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The TCP connection could not be established (refused, unreachable,
    /// DNS failure, connect timeout). **Retried.**
    Connect,
    /// The per-attempt deadline passed before the response head (or a
    /// buffered error body) arrived, or a response body stayed silent for
    /// longer than the read timeout. **Retried only for idempotent requests**
    /// (see [`Idempotency`](crate::Idempotency)), and only while the
    /// response is still inside the retry loop (a buffered answer); a
    /// streamed body's timeout reaches the caller.
    Timeout,
    /// The connection broke mid-exchange: reset by the peer, broken pipe,
    /// unexpected end of file or an incomplete HTTP message. **Retried only
    /// for idempotent requests** (see [`Idempotency`](crate::Idempotency)):
    /// the request may have been written and processed.
    ConnectionReset,
    /// The TLS handshake failed, for instance because the server certificate
    /// was not trusted. **Not retried.**
    Tls,
    /// The request body stream supplied by the caller failed or yielded a
    /// length other than the one declared. **Not retried.**
    RequestBody,
    /// Reading the response body failed. **Not retried** by the transport
    /// (the response head was already handed out).
    ResponseBody,
    /// The credentials provider failed. **Not retried.**
    Credentials,
    /// The request could not be signed. **Not retried.**
    Signing,
    /// The transport was misconfigured (bad certificate, bad user agent,
    /// invalid retry settings) or the request was malformed. **Not retried.**
    Config,
    /// A body was larger than the limit the caller allowed. **Not retried.**
    TooLarge,
    /// Anything else. **Not retried.**
    Other,
}

impl ErrorKind {
    fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Connect => "error trying to connect",
            ErrorKind::Timeout => "operation timed out",
            ErrorKind::ConnectionReset => "connection closed mid-exchange",
            ErrorKind::Tls => "TLS error",
            ErrorKind::RequestBody => "request body error",
            ErrorKind::ResponseBody => "response body error",
            ErrorKind::Credentials => "credentials error",
            ErrorKind::Signing => "signing error",
            ErrorKind::Config => "invalid transport configuration",
            ErrorKind::TooLarge => "body too large",
            ErrorKind::Other => "transport error",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error from the transport.
///
/// Opaque on purpose: ask [`kind`](Self::kind) or the `is_*` methods; the
/// text of the message is not part of the API. `Display` prints the kind and
/// a short static context, never a header, URL or secret; the underlying
/// cause is available through [`source`](std::error::Error::source).
pub struct TransportError {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    context: Option<&'static str>,
    source: Option<BoxError>,
}

impl TransportError {
    /// A new error of `kind` with no cause.
    pub fn new(kind: ErrorKind) -> Self {
        TransportError {
            inner: Box::new(Inner {
                kind,
                context: None,
                source: None,
            }),
        }
    }

    /// A new error of `kind` caused by `source`.
    pub fn with_source(kind: ErrorKind, source: impl Into<BoxError>) -> Self {
        let mut e = Self::new(kind);
        e.inner.source = Some(source.into());
        e
    }

    /// Adds a short static description (shown by `Display`).
    pub(crate) fn context(mut self, context: &'static str) -> Self {
        self.inner.context = Some(context);
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// True for a per-attempt timeout, and for a connect error caused by the
    /// connect timeout.
    pub fn is_timeout(&self) -> bool {
        match self.inner.kind {
            ErrorKind::Timeout => true,
            ErrorKind::Connect => {
                find_io(self).is_some_and(|e| e.kind() == io::ErrorKind::TimedOut)
            }
            _ => false,
        }
    }

    /// True when the connection could not be established.
    pub fn is_connect(&self) -> bool {
        self.inner.kind == ErrorKind::Connect
    }

    /// True when the kind is one the retry layer may retry ([`Connect`],
    /// and [`ConnectionReset`] and [`Timeout`] for idempotent requests). The
    /// transport has already retried such errors as far as its settings
    /// allowed when one reaches the caller.
    ///
    /// [`Connect`]: ErrorKind::Connect
    /// [`ConnectionReset`]: ErrorKind::ConnectionReset
    /// [`Timeout`]: ErrorKind::Timeout
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.inner.kind,
            ErrorKind::Connect | ErrorKind::ConnectionReset | ErrorKind::Timeout
        )
    }
}

fn find_io<'a>(e: &'a (dyn StdError + 'static)) -> Option<&'a io::Error> {
    let mut cur = e.source();
    while let Some(err) = cur {
        if let Some(io) = err.downcast_ref::<io::Error>() {
            return Some(io);
        }
        cur = err.source();
    }
    None
}

impl fmt::Debug for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("TransportError");
        d.field("kind", &self.inner.kind);
        if let Some(c) = self.inner.context {
            d.field("context", &c);
        }
        if let Some(s) = &self.inner.source {
            d.field("source", s);
        }
        d.finish()
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.inner.kind.as_str())?;
        if let Some(c) = self.inner.context {
            write!(f, ": {c}")?;
        }
        Ok(())
    }
}

impl StdError for TransportError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static))
    }
}

/// Marks an error that came out of a caller's request body stream, so the
/// client can tell it apart from network errors in hyper's source chain.
#[derive(Debug)]
pub(crate) struct RequestBodyError(pub(crate) BoxError);

impl fmt::Display for RequestBodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("request body stream failed")
    }
}

impl StdError for RequestBodyError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&*self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_shows_kind_not_source_text() {
        let e = TransportError::with_source(ErrorKind::Credentials, io::Error::other("secret=abc"));
        let s = e.to_string();
        assert!(!s.contains("secret"), "{s}");
        assert_eq!(e.kind(), ErrorKind::Credentials);
        assert!(e.source().is_some());
    }

    #[test]
    fn connect_timeout_is_timeout() {
        let e = TransportError::with_source(
            ErrorKind::Connect,
            io::Error::new(io::ErrorKind::TimedOut, "t"),
        );
        // io::Error is the direct source: find_io starts at source().
        assert!(e.is_connect());
        assert!(e.is_timeout());
        assert!(e.is_retryable());
    }

    #[test]
    fn error_is_send_sync() {
        fn assert_send_sync<T: Send + Sync + 'static>() {}
        assert_send_sync::<TransportError>();
    }
}
