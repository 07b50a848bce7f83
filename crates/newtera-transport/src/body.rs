//! Request and response bodies.

use std::fmt;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use futures_util::Stream;
use http_body::{Body as _, Frame, SizeHint};

use crate::error::{BoxError, ErrorKind, RequestBodyError, TransportError};

/// Largest frame a [`Body`] made from bytes yields at once. Bytes are sliced,
/// never copied; small frames let the timeout layer see upload progress.
const BYTES_FRAME: usize = 1 << 20;

type BoxStream = Pin<Box<dyn Stream<Item = Result<Bytes, BoxError>> + Send + 'static>>;

/// A request body.
///
/// Implements [`http_body::Body`] with `Data = Bytes` and `Error = BoxError`.
/// A body made from bytes (or an empty one) can be replayed, so the retry
/// layer may send it again; a body made from a stream cannot, and a request
/// carrying one is sent at most once.
pub struct Body {
    kind: Kind,
    progress: Option<Arc<Progress>>,
}

enum Kind {
    Empty,
    Bytes {
        data: Bytes,
        pos: usize,
    },
    /// Several byte buffers sent back to back (a part gathered from a
    /// stream's chunks without copying them into one buffer).
    Chunks {
        chunks: Arc<[Bytes]>,
        /// The chunk being sent, and the offset in it.
        idx: usize,
        pos: usize,
        /// Bytes not yet sent.
        remaining: u64,
    },
    Stream {
        stream: BoxStream,
        len: Option<u64>,
        read: u64,
        done: bool,
    },
}

impl Body {
    /// An empty body.
    pub fn empty() -> Self {
        Body {
            kind: Kind::Empty,
            progress: None,
        }
    }

    /// A body holding `b`; replayable.
    pub fn from_bytes(b: Bytes) -> Self {
        Body {
            kind: Kind::Bytes { data: b, pos: 0 },
            progress: None,
        }
    }

    /// A body made of `chunks` sent one after the other; replayable, and
    /// no byte is copied.
    pub fn from_chunks(chunks: Vec<Bytes>) -> Self {
        let remaining = chunks.iter().map(|c| c.len() as u64).sum();
        Body {
            kind: Kind::Chunks {
                chunks: chunks.into(),
                idx: 0,
                pos: 0,
                remaining,
            },
            progress: None,
        }
    }

    /// A body read from a stream; not replayable.
    ///
    /// When `len` is given the body reports it as an exact size (so the
    /// request gets a `content-length`), and a stream that yields more or
    /// fewer bytes fails the request with [`ErrorKind::RequestBody`].
    pub fn from_stream<S>(s: S, len: Option<u64>) -> Self
    where
        S: Stream<Item = Result<Bytes, BoxError>> + Send + 'static,
    {
        Body {
            kind: Kind::Stream {
                stream: Box::pin(s),
                len,
                read: 0,
                done: false,
            },
            progress: None,
        }
    }

    /// A copy of the body that can be sent again, or `None` for a stream.
    pub fn try_clone(&self) -> Option<Body> {
        match &self.kind {
            Kind::Empty => Some(Body::empty()),
            Kind::Bytes { data, .. } => Some(Body::from_bytes(data.clone())),
            Kind::Chunks { chunks, .. } => {
                let remaining = chunks.iter().map(|c| c.len() as u64).sum();
                Some(Body {
                    kind: Kind::Chunks {
                        chunks: chunks.clone(),
                        idx: 0,
                        pos: 0,
                        remaining,
                    },
                    progress: None,
                })
            }
            Kind::Stream { .. } => None,
        }
    }

    /// Whether [`try_clone`](Self::try_clone) returns `Some`.
    pub fn is_replayable(&self) -> bool {
        !matches!(self.kind, Kind::Stream { .. })
    }

    /// The length of the body, when known.
    pub fn content_length(&self) -> Option<u64> {
        match &self.kind {
            Kind::Empty => Some(0),
            Kind::Bytes { data, .. } => Some(data.len() as u64),
            Kind::Chunks { chunks, .. } => Some(chunks.iter().map(|c| c.len() as u64).sum()),
            Kind::Stream { len, .. } => *len,
        }
    }

    /// Lets the timeout layer observe upload progress.
    pub(crate) fn set_progress(&mut self, p: Arc<Progress>) {
        self.progress = Some(p);
    }
}

impl Default for Body {
    fn default() -> Self {
        Body::empty()
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            Kind::Empty => "empty",
            Kind::Bytes { .. } => "bytes",
            Kind::Chunks { .. } => "chunks",
            Kind::Stream { .. } => "stream",
        };
        f.debug_struct("Body")
            .field("kind", &kind)
            .field("content_length", &self.content_length())
            .finish()
    }
}

fn body_error(msg: &'static str) -> BoxError {
    Box::new(RequestBodyError(msg.into()))
}

impl http_body::Body for Body {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = &mut *self;
        let out = match &mut this.kind {
            Kind::Empty => None,
            Kind::Bytes { data, pos } => {
                if *pos >= data.len() {
                    None
                } else {
                    let end = data.len().min(*pos + BYTES_FRAME);
                    let chunk = data.slice(*pos..end);
                    *pos = end;
                    Some(Ok(Frame::data(chunk)))
                }
            }
            Kind::Chunks {
                chunks,
                idx,
                pos,
                remaining,
            } => loop {
                let Some(cur) = chunks.get(*idx) else {
                    break None;
                };
                if *pos >= cur.len() {
                    *idx += 1;
                    *pos = 0;
                    continue;
                }
                let end = cur.len().min(*pos + BYTES_FRAME);
                let chunk = cur.slice(*pos..end);
                *remaining -= chunk.len() as u64;
                *pos = end;
                break Some(Ok(Frame::data(chunk)));
            },
            Kind::Stream {
                stream,
                len,
                read,
                done,
            } => {
                if *done {
                    None
                } else {
                    match stream.as_mut().poll_next(cx) {
                        Poll::Pending => return Poll::Pending,
                        Poll::Ready(None) => {
                            *done = true;
                            match len {
                                Some(l) if *read != *l => {
                                    Some(Err(body_error("stream ended before its declared length")))
                                }
                                _ => None,
                            }
                        }
                        Poll::Ready(Some(Err(e))) => {
                            *done = true;
                            Some(Err(Box::new(RequestBodyError(e)) as BoxError))
                        }
                        Poll::Ready(Some(Ok(chunk))) => {
                            *read += chunk.len() as u64;
                            match len {
                                Some(l) if *read > *l => {
                                    *done = true;
                                    Some(Err(body_error(
                                        "stream is longer than its declared length",
                                    )))
                                }
                                _ => Some(Ok(Frame::data(chunk))),
                            }
                        }
                    }
                }
            }
        };
        if let (Some(p), Some(Ok(_))) = (&this.progress, &out) {
            p.touch();
        }
        Poll::Ready(out)
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            Kind::Empty => true,
            Kind::Bytes { data, pos } => *pos >= data.len(),
            Kind::Chunks { remaining, .. } => *remaining == 0,
            Kind::Stream { done, .. } => *done,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            Kind::Empty => SizeHint::with_exact(0),
            Kind::Bytes { data, pos } => SizeHint::with_exact((data.len() - *pos) as u64),
            Kind::Chunks { remaining, .. } => SizeHint::with_exact(*remaining),
            Kind::Stream {
                len: Some(l), read, ..
            } => SizeHint::with_exact(l.saturating_sub(*read)),
            Kind::Stream { len: None, .. } => SizeHint::default(),
        }
    }
}

impl From<Bytes> for Body {
    fn from(b: Bytes) -> Self {
        Body::from_bytes(b)
    }
}

impl From<Vec<u8>> for Body {
    fn from(v: Vec<u8>) -> Self {
        Body::from_bytes(Bytes::from(v))
    }
}

impl From<&'static [u8]> for Body {
    fn from(s: &'static [u8]) -> Self {
        Body::from_bytes(Bytes::from_static(s))
    }
}

impl From<String> for Body {
    fn from(s: String) -> Self {
        Body::from_bytes(Bytes::from(s))
    }
}

impl From<&'static str> for Body {
    fn from(s: &'static str) -> Self {
        Body::from_bytes(Bytes::from_static(s.as_bytes()))
    }
}

/// The time of the last frame a request body yielded, in milliseconds since
/// `base`; read by the timeout layer.
pub(crate) struct Progress {
    base: tokio::time::Instant,
    last_ms: AtomicU64,
}

impl Progress {
    pub(crate) fn new() -> Self {
        Progress {
            base: tokio::time::Instant::now(),
            last_ms: AtomicU64::new(0),
        }
    }

    fn touch(&self) {
        let ms = self.base.elapsed().as_millis();
        self.last_ms
            .store(u64::try_from(ms).unwrap_or(u64::MAX), Ordering::Relaxed);
    }

    /// When the body last made progress (or when tracking started).
    pub(crate) fn last(&self) -> tokio::time::Instant {
        self.base + std::time::Duration::from_millis(self.last_ms.load(Ordering::Relaxed))
    }
}

type BoxResponseBody =
    Pin<Box<dyn http_body::Body<Data = Bytes, Error = TransportError> + Send + Sync + 'static>>;

/// A response body.
///
/// Implements [`http_body::Body`] with `Data = Bytes` and
/// `Error = TransportError`, whatever the HTTP client underneath returned.
pub struct ResponseBody {
    inner: BoxResponseBody,
}

impl ResponseBody {
    /// Wraps any body whose data is [`Bytes`]. Its errors are reported as
    /// [`ErrorKind::ResponseBody`] unless they already are a
    /// [`TransportError`].
    pub fn new<B>(b: B) -> Self
    where
        B: http_body::Body<Data = Bytes> + Send + Sync + 'static,
        B::Error: Into<BoxError>,
    {
        use http_body_util::BodyExt;
        ResponseBody {
            inner: Box::pin(b.map_err(|e| {
                let e: BoxError = e.into();
                match e.downcast::<TransportError>() {
                    Ok(t) => *t,
                    Err(e) => crate::client::classify_body_error(e),
                }
            })),
        }
    }

    /// Wraps an already-typed body without re-mapping its errors.
    pub(crate) fn from_transport_body<B>(b: B) -> Self
    where
        B: http_body::Body<Data = Bytes, Error = TransportError> + Send + Sync + 'static,
    {
        ResponseBody { inner: Box::pin(b) }
    }

    /// A body holding `b`.
    pub fn from_bytes(b: Bytes) -> Self {
        use http_body_util::BodyExt;
        Self::from_transport_body(
            http_body_util::Full::new(b).map_err(|never: std::convert::Infallible| match never {}),
        )
    }

    /// An empty body.
    pub fn empty() -> Self {
        Self::from_bytes(Bytes::new())
    }

    /// Reads the whole body into memory.
    ///
    /// Fails with [`ErrorKind::TooLarge`] as soon as more than `limit` bytes
    /// arrive (or the body announces more), without reading further.
    pub async fn collect(self, limit: usize) -> Result<Bytes, TransportError> {
        collect_prefix(self, limit).await.and_then(|c| match c {
            Collected::Complete(b) => Ok(b),
            Collected::Over { .. } => {
                Err(TransportError::new(ErrorKind::TooLarge)
                    .context("response body exceeds the limit"))
            }
        })
    }

    /// The body as a stream of data chunks (trailers are skipped).
    pub fn into_stream(self) -> ResponseBodyStream {
        ResponseBodyStream { body: self }
    }
}

impl Default for ResponseBody {
    fn default() -> Self {
        Self::empty()
    }
}

impl fmt::Debug for ResponseBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseBody")
            .field("size_hint", &self.inner.size_hint())
            .finish_non_exhaustive()
    }
}

impl http_body::Body for ResponseBody {
    type Data = Bytes;
    type Error = TransportError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, TransportError>>> {
        self.inner.as_mut().poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// The data chunks of a [`ResponseBody`], as a [`Stream`].
#[derive(Debug)]
pub struct ResponseBodyStream {
    body: ResponseBody,
}

impl Stream for ResponseBodyStream {
    type Item = Result<Bytes, TransportError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            match std::task::ready!(Pin::new(&mut self.body).poll_frame(cx)) {
                None => return Poll::Ready(None),
                Some(Err(e)) => return Poll::Ready(Some(Err(e))),
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        if !data.is_empty() {
                            return Poll::Ready(Some(Ok(data)));
                        }
                    }
                }
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, None)
    }
}

/// The result of reading a body up to a limit.
pub(crate) enum Collected {
    /// The whole body, within the limit.
    Complete(Bytes),
    /// The body is longer than the limit: what was read so far, and the rest.
    Over { prefix: Bytes, rest: ResponseBody },
}

/// Reads `body` until its end or until more than `limit` bytes were read.
pub(crate) async fn collect_prefix(
    mut body: ResponseBody,
    limit: usize,
) -> Result<Collected, TransportError> {
    use http_body_util::BodyExt;
    if body.size_hint().lower() > limit as u64 {
        return Ok(Collected::Over {
            prefix: Bytes::new(),
            rest: body,
        });
    }
    let mut first: Option<Bytes> = None;
    let mut buf = BytesMut::new();
    let mut total = 0usize;
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame?.into_data() else {
            continue;
        };
        if data.is_empty() {
            continue;
        }
        total = total.saturating_add(data.len());
        match first.take() {
            None if buf.is_empty() => first = Some(data),
            Some(f) => {
                // A second chunk: size the buffer once, for what was read and
                // what the body says is left (its Content-Length), within
                // the limit, rather than growing it chunk by chunk.
                let left = usize::try_from(body.size_hint().lower()).unwrap_or(usize::MAX);
                buf.reserve(total.saturating_add(left).min(limit.saturating_add(1)));
                buf.extend_from_slice(&f);
                buf.extend_from_slice(&data);
            }
            None => buf.extend_from_slice(&data),
        }
        if total > limit {
            let prefix = first.take().unwrap_or_else(|| buf.split().freeze());
            return Ok(Collected::Over { prefix, rest: body });
        }
    }
    Ok(Collected::Complete(first.unwrap_or_else(|| buf.freeze())))
}

/// A body that yields `prefix` and then `rest`.
pub(crate) fn chain(prefix: Bytes, rest: ResponseBody) -> ResponseBody {
    if prefix.is_empty() {
        return rest;
    }
    ResponseBody::from_transport_body(Chain {
        prefix: Some(prefix),
        rest,
    })
}

struct Chain {
    prefix: Option<Bytes>,
    rest: ResponseBody,
}

impl http_body::Body for Chain {
    type Data = Bytes;
    type Error = TransportError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, TransportError>>> {
        if let Some(p) = self.prefix.take() {
            return Poll::Ready(Some(Ok(Frame::data(p))));
        }
        Pin::new(&mut self.rest).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.prefix.is_none() && self.rest.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        let p = self.prefix.as_ref().map_or(0, |p| p.len() as u64);
        let r = self.rest.size_hint();
        let mut h = SizeHint::new();
        h.set_lower(r.lower().saturating_add(p));
        if let Some(u) = r.upper() {
            h.set_upper(u.saturating_add(p));
        }
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    #[tokio::test]
    async fn bytes_body_is_replayable_and_sliced() {
        let data = Bytes::from(vec![7u8; BYTES_FRAME * 2 + 3]);
        let body = Body::from_bytes(data.clone());
        assert!(body.is_replayable());
        assert_eq!(body.content_length(), Some(data.len() as u64));
        let copy = body.try_clone().map(|b| b.content_length());
        assert_eq!(copy, Some(Some(data.len() as u64)));
        let mut body = body;
        let mut frames = 0;
        let mut got = BytesMut::new();
        while let Some(f) = body.frame().await {
            let f = f.map_err(|e| e.to_string());
            if let Ok(Ok(d)) = f.map(|f| f.into_data()) {
                frames += 1;
                got.extend_from_slice(&d);
            }
        }
        assert_eq!(frames, 3);
        assert_eq!(got.freeze(), data);
    }

    #[tokio::test]
    async fn chunks_body_is_replayable_and_sends_every_chunk_in_order() {
        let chunks = vec![
            Bytes::from_static(b"ab"),
            Bytes::new(),
            Bytes::from(vec![9u8; BYTES_FRAME + 1]),
            Bytes::from_static(b"z"),
        ];
        let want: Vec<u8> = chunks.concat();
        let body = Body::from_chunks(chunks);
        assert!(body.is_replayable());
        assert_eq!(body.content_length(), Some(want.len() as u64));
        assert_eq!(body.size_hint().exact(), Some(want.len() as u64));
        for mut b in [body.try_clone().expect("replayable"), body] {
            let mut got = BytesMut::new();
            while let Some(f) = b.frame().await {
                if let Ok(Ok(d)) = f.map_err(|e| e.to_string()).map(|f| f.into_data()) {
                    got.extend_from_slice(&d);
                }
            }
            assert!(b.is_end_stream());
            assert_eq!(&got[..], &want[..]);
        }
    }

    #[tokio::test]
    async fn stream_body_is_not_replayable_and_checks_length() {
        let s = futures_util::stream::iter(vec![Ok::<_, BoxError>(Bytes::from_static(b"abc"))]);
        let body = Body::from_stream(s, Some(5));
        assert!(!body.is_replayable());
        assert!(body.try_clone().is_none());
        assert_eq!(body.size_hint().exact(), Some(5));
        let err = body
            .collect()
            .await
            .err()
            .map(|e| e.is::<RequestBodyError>());
        assert_eq!(err, Some(true));
    }

    #[tokio::test]
    async fn collect_respects_limit() {
        let b = ResponseBody::from_bytes(Bytes::from_static(b"hello"));
        assert_eq!(b.collect(5).await.ok(), Some(Bytes::from_static(b"hello")));
        let b = ResponseBody::from_bytes(Bytes::from_static(b"hello"));
        let e = b.collect(4).await.err().map(|e| e.kind());
        assert_eq!(e, Some(ErrorKind::TooLarge));
    }

    #[tokio::test]
    async fn into_stream_yields_chunks() {
        use futures_util::StreamExt;
        let b = chain(
            Bytes::from_static(b"ab"),
            ResponseBody::from_bytes(Bytes::from_static(b"cd")),
        );
        let parts: Vec<_> = b.into_stream().collect().await;
        let parts: Vec<Bytes> = parts.into_iter().filter_map(Result::ok).collect();
        assert_eq!(
            parts,
            vec![Bytes::from_static(b"ab"), Bytes::from_static(b"cd")]
        );
    }

    #[tokio::test]
    async fn collect_prefix_keeps_what_it_read_when_over() {
        let chunks = futures_util::stream::iter(vec![
            Ok::<_, std::io::Error>(Frame::data(Bytes::from_static(b"abc"))),
            Ok(Frame::data(Bytes::from_static(b"def"))),
            Ok(Frame::data(Bytes::from_static(b"gh"))),
        ]);
        let body = ResponseBody::new(http_body_util::StreamBody::new(chunks));
        let Ok(Collected::Over { prefix, rest }) = collect_prefix(body, 4).await else {
            panic!("expected Over");
        };
        assert_eq!(prefix, "abcdef");
        let whole = chain(prefix, rest).collect(100).await.ok();
        assert_eq!(whole.as_deref(), Some(&b"abcdefgh"[..]));
    }

    #[test]
    fn bodies_are_send() {
        fn send<T: Send + 'static>() {}
        fn sync<T: Sync>() {}
        send::<Body>();
        send::<ResponseBody>();
        sync::<ResponseBody>();
        sync::<hyper::body::Incoming>();
    }
}
