//! The body of a GetObject answer: the bytes asked for and no others,
//! resumed with `Range` + `If-Match` when the connection is cut or goes
//! silent, and verified against the full-object checksum when the server
//! declares one.
//!
//! Every answer, the first one and each resumed one, is checked against the
//! span still wanted before its bytes are handed out:
//!
//! - a `206` must carry a `Content-Range` starting at the next byte wanted
//!   and ending at the end wanted (or earlier, at the object's end);
//!   anything else is a typed error;
//! - a `200` to a ranged request (a server or proxy that ignored `Range`)
//!   holds the whole object: the bytes before the next one wanted are read
//!   and discarded, and the read stops at the end wanted.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures::{Stream, StreamExt as _};
use http::{HeaderMap, HeaderValue, StatusCode};
use newtera_transport::TransportError;

use crate::error::{Error, Result};
use crate::get::GetObject;
pub(crate) use crate::integrity::Verifier;
use crate::progress::Meter;

const OP: &str = "GetObject";

/// The streaming data of an object: a `Stream` of `Bytes` chunks.
///
/// Fused: once it has ended (`None`), polling it again yields `None`
/// again, so readers that poll past the end (some `AsyncRead` adapters
/// do) need not guard against it.
pub struct ObjectBody {
    inner: futures::stream::Fuse<futures::stream::BoxStream<'static, Result<Bytes>>>,
}

impl std::fmt::Debug for ObjectBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ObjectBody")
    }
}

impl ObjectBody {
    /// A body made of `inner`'s chunks.
    pub(crate) fn from_stream(inner: futures::stream::BoxStream<'static, Result<Bytes>>) -> Self {
        ObjectBody {
            inner: inner.fuse(),
        }
    }
}

impl Stream for ObjectBody {
    type Item = Result<Bytes>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.poll_next_unpin(cx)
    }
}

impl futures::stream::FusedStream for ObjectBody {
    fn is_terminated(&self) -> bool {
        self.inner.is_terminated()
    }
}

/// The bytes of a part of an object an answer carries, as its headers say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Span {
    /// Absolute offset of the first byte of the body.
    pub(crate) start: u64,
    /// Absolute end (exclusive) of the body, when announced.
    pub(crate) end: Option<u64>,
    /// The object's size, when announced.
    pub(crate) total: Option<u64>,
}

fn header_str(h: &HeaderMap, name: http::header::HeaderName) -> Option<&str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

fn unexpected(reason: String) -> Error {
    Error::UnexpectedResponse { op: OP, reason }
}

/// The span of a GET answer: from its `Content-Range` for a `206` (which
/// must have a valid one), the whole object for any other 2xx.
pub(crate) fn answer_span(h: &HeaderMap, status: StatusCode) -> Result<Span> {
    let len =
        header_str(h, http::header::CONTENT_LENGTH).and_then(|v| v.trim().parse::<u64>().ok());
    if status != StatusCode::PARTIAL_CONTENT {
        return Ok(Span {
            start: 0,
            end: len,
            total: len,
        });
    }
    let cr = header_str(h, http::header::CONTENT_RANGE).unwrap_or("");
    let parsed = cr
        .trim()
        .strip_prefix("bytes ")
        .and_then(|v| v.split_once('/'))
        .and_then(|(range, total)| {
            let (a, b) = range.split_once('-')?;
            let a = a.trim().parse::<u64>().ok()?;
            let b = b.trim().parse::<u64>().ok()?;
            let total = match total.trim() {
                "*" => None,
                t => Some(t.parse::<u64>().ok()?),
            };
            let end = b.checked_add(1)?;
            let ok = a <= b && total.is_none_or(|t| end <= t);
            ok.then_some(Span {
                start: a,
                end: Some(end),
                total,
            })
        });
    let span =
        parsed.ok_or_else(|| unexpected(format!("a 206 answer with Content-Range {cr:?}")))?;
    if let (Some(l), Some(end)) = (len, span.end) {
        if end - span.start != l {
            return Err(unexpected(format!(
                "Content-Range {cr:?} does not match Content-Length {l}"
            )));
        }
    }
    Ok(span)
}

/// How to read the current answer's body.
#[derive(Debug, PartialEq, Eq)]
struct Plan {
    /// Bytes at the start of the body to discard (a `200` to a ranged read).
    skip: u64,
    /// Absolute end (exclusive) to read to, when known.
    end: Option<u64>,
    /// The body runs past `end` and is cut there (a `200` to a ranged read).
    trim: bool,
}

/// How to read an answer of span `got` when byte `next` is the next one
/// wanted and `want_end` the end wanted; a typed error for an answer that
/// does not carry them.
fn plan(status: StatusCode, got: Span, next: u64, want_end: Option<u64>) -> Result<Plan> {
    if status == StatusCode::PARTIAL_CONTENT {
        if got.start != next {
            return Err(unexpected(format!(
                "asked from byte {next}, the answer's Content-Range starts at {}",
                got.start
            )));
        }
        let end = match (got.end, want_end) {
            (Some(e), Some(w)) if e > w => {
                return Err(unexpected(format!(
                    "asked up to byte {w}, the answer's Content-Range ends at {e}"
                )))
            }
            // Shorter than asked only where the object ends.
            (Some(e), Some(w)) if e < w && got.total.is_some_and(|t| t != e) => {
                return Err(unexpected(format!(
                    "asked up to byte {w}, the answer's Content-Range ends at {e} of {:?}",
                    got.total
                )))
            }
            (e, w) => e.or(w),
        };
        return Ok(Plan {
            skip: 0,
            end,
            trim: false,
        });
    }
    // The whole object, from byte 0.
    if let Some(total) = got.end {
        if total < next {
            return Err(unexpected(format!(
                "asked from byte {next} of an object of {total} bytes"
            )));
        }
    }
    let end = match (got.end, want_end) {
        (Some(e), Some(w)) => Some(e.min(w)),
        (e, w) => e.or(w),
    };
    Ok(Plan {
        skip: next,
        end,
        trim: want_end.is_some_and(|w| got.end.is_none_or(|e| e > w)),
    })
}

/// The `Range` header that resumes a read at `next`; `None` when nothing
/// is left to read.
pub(crate) fn resume_range(next: u64, end: Option<u64>) -> Option<String> {
    match end {
        Some(end) if next >= end => None,
        Some(end) => Some(format!("bytes={next}-{}", end - 1)),
        None => Some(format!("bytes={next}-")),
    }
}

type ByteStream = futures::stream::BoxStream<'static, std::result::Result<Bytes, TransportError>>;

/// The state of a resumable, verified object body.
pub(crate) struct BodyState {
    stream: ByteStream,
    /// Absolute offset of the next byte wanted.
    next: u64,
    /// Absolute end (exclusive) wanted, when known.
    want_end: Option<u64>,
    plan: Plan,
    /// The ETag the read is pinned to on resumption.
    etag: Option<String>,
    resumes_left: u32,
    max_resumes: u32,
    verifier: Option<Verifier>,
    done: bool,
    request: std::sync::Arc<GetObject>,
    /// Reports the bytes handed out.
    meter: Option<std::sync::Arc<Meter>>,
}

impl BodyState {
    /// The body of the first answer, which covers `span`, for a read of
    /// `[start, want_end)`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn start(
        stream: ByteStream,
        status: StatusCode,
        span: Span,
        start: u64,
        want_end: Option<u64>,
        etag: Option<String>,
        verifier: Option<Verifier>,
        request: std::sync::Arc<GetObject>,
        resumes: u32,
        meter: Option<std::sync::Arc<Meter>>,
    ) -> Result<ObjectBody> {
        let plan = plan(status, span, start, want_end)?;
        if let Some(m) = &meter {
            m.set_total(plan.end.map(|e| e.saturating_sub(start)));
        }
        let state = BodyState {
            stream,
            next: start,
            want_end: plan.end,
            plan,
            etag,
            resumes_left: resumes,
            max_resumes: resumes,
            verifier,
            done: false,
            request,
            meter,
        };
        Ok(ObjectBody::from_stream(
            // Boxed: each step moves a pointer, not the state.
            futures::stream::unfold(Box::new(state), BodyState::step).boxed(),
        ))
    }

    async fn step(mut self: Box<Self>) -> Option<(Result<Bytes>, Box<BodyState>)> {
        if self.done {
            return None;
        }
        loop {
            if self.plan.trim && self.plan.end.is_some_and(|e| self.next >= e) {
                // A whole-object answer to a ranged read: the rest is not ours.
                return self.finish();
            }
            match self.stream.next().await {
                Some(Ok(chunk)) if chunk.is_empty() => {}
                Some(Ok(mut chunk)) => {
                    if self.plan.skip > 0 {
                        let len = chunk.len() as u64;
                        if len <= self.plan.skip {
                            self.plan.skip -= len;
                            continue;
                        }
                        chunk = chunk.slice(self.plan.skip as usize..);
                        self.plan.skip = 0;
                    }
                    if let Some(end) = self.plan.end {
                        let room = end.saturating_sub(self.next);
                        if chunk.len() as u64 > room {
                            if !self.plan.trim {
                                return self
                                    .fail(unexpected("the body is longer than announced".into()));
                            }
                            chunk.truncate(room as usize);
                        }
                    }
                    self.next += chunk.len() as u64;
                    self.resumes_left = self.max_resumes;
                    if let Some(v) = self.verifier.as_mut() {
                        v.update(&chunk);
                    }
                    if let Some(m) = &self.meter {
                        m.reached(0, self.next);
                    }
                    return Some((Ok(chunk), self));
                }
                Some(Err(cause)) => {
                    if self.plan.end.is_some_and(|e| self.next >= e) && self.plan.skip == 0 {
                        // Every byte arrived before the connection failed.
                        return self.finish();
                    }
                    let cause = Error::transport_at(
                        OP,
                        Some(&self.request.bucket),
                        Some(&self.request.object),
                    )(cause);
                    match Box::pin(self.resume(cause)).await {
                        Ok(true) => {}
                        Ok(false) => return self.finish(),
                        Err(e) => return self.fail(e),
                    }
                }
                None => {
                    let short = match self.plan.end {
                        Some(end) if self.next < end => Some(end),
                        _ => None,
                    };
                    let Some(end) = short else {
                        if self.plan.skip > 0 {
                            let reason = format!("the body ended before byte {}", self.next);
                            return self.fail(unexpected(reason));
                        }
                        return self.finish();
                    };
                    let cause = Error::Truncated {
                        op: OP,
                        received: self.next,
                        expected: end,
                    };
                    match Box::pin(self.resume(cause)).await {
                        Ok(true) => {}
                        Ok(false) => return self.finish(),
                        Err(e) => return self.fail(e),
                    }
                }
            }
        }
    }

    /// The end of the body: checks the checksum, if any.
    fn finish(mut self: Box<Self>) -> Option<(Result<Bytes>, Box<BodyState>)> {
        self.done = true;
        if let Some(err) = self.verifier.as_ref().and_then(Verifier::verify) {
            return Some((Err(err), self));
        }
        None
    }

    fn fail(mut self: Box<Self>, e: Error) -> Option<(Result<Bytes>, Box<BodyState>)> {
        self.done = true;
        Some((Err(e), self))
    }

    /// Continues the read from `self.next` with a range request pinned to
    /// the same object: `Ok(true)` when a new answer streams, `Ok(false)`
    /// when the server says nothing is left, or `cause` when resuming is
    /// not possible. Its callers box it: the rare resume then keeps its
    /// request's state out of every step of every read.
    async fn resume(&mut self, cause: Error) -> Result<bool> {
        let Some(etag) = self.etag.clone() else {
            return Err(cause);
        };
        if self.resumes_left == 0 {
            return Err(cause);
        }
        self.resumes_left -= 1;
        let Some(range) = resume_range(self.next, self.want_end) else {
            return Ok(false);
        };
        tracing::debug!(offset = self.next, "resuming a cut-off GetObject body");
        let range = HeaderValue::from_str(&range)
            .map_err(|_| unexpected("cannot form the resumed range".into()))?;
        let resp = match self.request.fetch(Some(range), Some(&etag)).await {
            Ok(r) => r,
            Err(e) if e.status() == Some(StatusCode::PRECONDITION_FAILED) => {
                return Err(Error::ObjectChanged {
                    op: OP,
                    etag: crate::put::trim_etag(&etag),
                })
            }
            // An open-ended range from the object's size: everything arrived.
            Err(e)
                if e.status() == Some(StatusCode::RANGE_NOT_SATISFIABLE)
                    && self.want_end.is_none()
                    && self.next > 0 =>
            {
                return Ok(false)
            }
            Err(e) => return Err(e),
        };
        let (parts, body) = resp.into_parts();
        let span = answer_span(&parts.headers, parts.status)?;
        let plan = plan(parts.status, span, self.next, self.want_end)?;
        if plan.end.is_some() && self.want_end.is_none() {
            self.want_end = plan.end;
        }
        self.plan = plan;
        self.stream = body.into_stream().boxed();
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(
                *k,
                HeaderValue::from_str(v).unwrap_or(HeaderValue::from_static("")),
            );
        }
        h
    }

    const PARTIAL: StatusCode = StatusCode::PARTIAL_CONTENT;
    const OK: StatusCode = StatusCode::OK;

    #[test]
    fn spans_from_headers() {
        let h = headers(&[
            ("content-range", "bytes 10-19/100"),
            ("content-length", "10"),
        ]);
        assert_eq!(
            answer_span(&h, PARTIAL).ok(),
            Some(Span {
                start: 10,
                end: Some(20),
                total: Some(100)
            })
        );
        let h = headers(&[("content-length", "100")]);
        assert_eq!(
            answer_span(&h, OK).ok(),
            Some(Span {
                start: 0,
                end: Some(100),
                total: Some(100)
            })
        );
        let star = headers(&[("content-range", "bytes 0-9/*")]);
        assert_eq!(
            answer_span(&star, PARTIAL).ok().and_then(|s| s.end),
            Some(10)
        );
        for bad in [
            "bytes 19-10/100",
            "bytes 10-19/15",
            "bytes */100",
            "bytes 0-18446744073709551615/*",
            "items 0-1/2",
            "",
        ] {
            let h = headers(&[("content-range", bad)]);
            assert!(answer_span(&h, PARTIAL).is_err(), "{bad}");
        }
        let h = headers(&[
            ("content-range", "bytes 10-19/100"),
            ("content-length", "5"),
        ]);
        assert!(answer_span(&h, PARTIAL).is_err());
    }

    fn span(start: u64, end: u64, total: u64) -> Span {
        Span {
            start,
            end: Some(end),
            total: Some(total),
        }
    }

    #[test]
    fn partial_answers_must_match() {
        let p = plan(PARTIAL, span(10, 20, 100), 10, Some(20)).ok();
        assert_eq!(
            p,
            Some(Plan {
                skip: 0,
                end: Some(20),
                trim: false
            })
        );
        // Wrong start, past the end, short of the end mid-object: errors.
        assert!(plan(PARTIAL, span(0, 10, 100), 10, Some(20)).is_err());
        assert!(plan(PARTIAL, span(10, 30, 100), 10, Some(20)).is_err());
        assert!(plan(PARTIAL, span(10, 15, 100), 10, Some(20)).is_err());
        // Short where the object ends: fine.
        let p = plan(PARTIAL, span(10, 15, 15), 10, Some(20)).ok();
        assert_eq!(p.and_then(|p| p.end), Some(15));
        // An open-ended read learns its end.
        let p = plan(PARTIAL, span(10, 100, 100), 10, None).ok();
        assert_eq!(p.and_then(|p| p.end), Some(100));
    }

    #[test]
    fn a_whole_object_answer_to_a_range_is_skipped_and_trimmed() {
        let whole = Span {
            start: 0,
            end: Some(100),
            total: Some(100),
        };
        assert_eq!(
            plan(OK, whole, 10, Some(20)).ok(),
            Some(Plan {
                skip: 10,
                end: Some(20),
                trim: true
            })
        );
        assert_eq!(
            plan(OK, whole, 10, None).ok(),
            Some(Plan {
                skip: 10,
                end: Some(100),
                trim: false
            })
        );
        // Asked past the end of the object.
        assert!(plan(OK, whole, 101, None).is_err());
        // Unknown length.
        let open = Span {
            start: 0,
            end: None,
            total: None,
        };
        assert_eq!(
            plan(OK, open, 5, Some(8)).ok(),
            Some(Plan {
                skip: 5,
                end: Some(8),
                trim: true
            })
        );
    }

    #[test]
    fn resume_ranges_never_invert() {
        assert_eq!(resume_range(5, Some(10)).as_deref(), Some("bytes=5-9"));
        assert_eq!(resume_range(9, Some(10)).as_deref(), Some("bytes=9-9"));
        assert_eq!(resume_range(10, Some(10)), None);
        assert_eq!(resume_range(0, Some(0)), None);
        assert_eq!(resume_range(11, Some(10)), None);
        assert_eq!(resume_range(7, None).as_deref(), Some("bytes=7-"));
    }

    #[tokio::test]
    async fn a_body_polled_after_its_end_stays_ended() {
        // `unfold` panics when polled after its end; the body must not.
        let inner = futures::stream::unfold(0u8, |n| async move {
            (n < 2).then(|| (Ok(Bytes::from(vec![n])), n + 1))
        });
        let mut body = ObjectBody::from_stream(inner.boxed());
        assert_eq!(
            body.next().await.map(|r| r.ok()),
            Some(Some(Bytes::from(vec![0])))
        );
        assert_eq!(
            body.next().await.map(|r| r.ok()),
            Some(Some(Bytes::from(vec![1])))
        );
        assert!(body.next().await.is_none());
        assert!(futures::stream::FusedStream::is_terminated(&body));
        assert!(body.next().await.is_none());
    }
}
