//! Object data for uploads: bytes, an `AsyncRead` or a `Stream`, with a known
//! or unknown length, read part by part with bounded memory.

use std::fmt;
use std::io;
use std::pin::Pin;

use bytes::{Bytes, BytesMut};
use futures::stream::BoxStream;
use futures::{Stream, StreamExt as _};
use tokio::io::{AsyncRead, AsyncReadExt as _};

use crate::part_buffers::PartBuffers;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The data of an upload.
///
/// From bytes (`Bytes`, `Vec<u8>`, `String`, `&'static [u8]`): the length is
/// known and parts are zero-copy slices. From a reader or a stream: give the
/// length when you know it; with `None` the upload needs a `part_size`.
pub struct ObjectContent {
    source: Source,
    length: Option<u64>,
}

enum Source {
    Bytes(Bytes),
    Reader {
        reader: Pin<Box<dyn AsyncRead + Send>>,
        pool: BufferPool,
    },
    Stream {
        stream: BoxStream<'static, Result<Bytes, BoxError>>,
        leftover: Bytes,
    },
}

impl fmt::Debug for ObjectContent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.source {
            Source::Bytes(_) => "bytes",
            Source::Reader { .. } => "reader",
            Source::Stream { .. } => "stream",
        };
        f.debug_struct("ObjectContent")
            .field("source", &kind)
            .field("length", &self.length)
            .finish()
    }
}

impl ObjectContent {
    /// In-memory data.
    pub fn from_bytes(data: impl Into<Bytes>) -> Self {
        let data = data.into();
        ObjectContent {
            length: Some(data.len() as u64),
            source: Source::Bytes(data),
        }
    }

    /// Data read from `reader`; `length` is its exact size when known. A
    /// reader that ends before `length` bytes fails the upload.
    pub fn from_reader(reader: impl AsyncRead + Send + 'static, length: Option<u64>) -> Self {
        ObjectContent {
            source: Source::Reader {
                reader: Box::pin(reader),
                pool: BufferPool::default(),
            },
            length,
        }
    }

    /// Data from a stream of byte chunks; `length` is its exact size when known.
    pub fn from_stream<S, E>(stream: S, length: Option<u64>) -> Self
    where
        S: Stream<Item = Result<Bytes, E>> + Send + 'static,
        E: Into<BoxError>,
    {
        ObjectContent {
            source: Source::Stream {
                stream: stream.map(|r| r.map_err(Into::into)).boxed(),
                leftover: Bytes::new(),
            },
            length,
        }
    }

    /// The declared length, if known.
    pub fn length(&self) -> Option<u64> {
        self.length
    }

    /// Lets a reader source keep up to `n` part buffers for reuse (see
    /// [`recycle`](Self::recycle)); other sources have no buffers of their own.
    pub(crate) fn keep_buffers(&mut self, n: usize) {
        if let Source::Reader { pool, .. } = &mut self.source {
            pool.max = n;
            pool.free.truncate(n);
        }
    }

    /// Lets a reader source take its part buffers from `pool`, and give them
    /// back to it (at most `keep` idle there) instead of freeing them.
    pub(crate) fn share_buffers(&mut self, pool: &PartBuffers, keep: usize) {
        if let Source::Reader { pool: own, .. } = &mut self.source {
            own.shared = Some((pool.clone(), keep));
        }
    }

    /// Hands back the buffers of a part whose upload is over, so that a
    /// reader source can fill them again. Buffers still shared with anyone
    /// else are simply dropped.
    pub(crate) fn recycle(&mut self, part: PartData) {
        if let Source::Reader { pool, .. } = &mut self.source {
            for chunk in part.chunks {
                pool.give(chunk);
            }
        }
    }

    /// Reads the next `max` bytes; fewer only at the end of the data. A
    /// stream's chunks are kept as they are (no copy); a reader fills one
    /// buffer of the part's size, a recycled one when there is one.
    pub(crate) async fn read_chunk(&mut self, max: usize) -> io::Result<PartData> {
        match &mut self.source {
            Source::Bytes(b) => {
                let n = max.min(b.len());
                Ok(PartData::one(b.split_to(n)))
            }
            Source::Reader { reader, pool } => {
                let mut buf = pool.take(max);
                while buf.len() < max {
                    // `read_buf` writes straight into the spare capacity
                    // (nothing is zero-filled); `take` caps it at `max`.
                    let mut limited = (&mut *reader).take((max - buf.len()) as u64);
                    if limited.read_buf(&mut buf).await? == 0 {
                        break;
                    }
                }
                let mut part = PartData::one(buf.freeze());
                part.recyclable = true;
                Ok(part)
            }
            Source::Stream { stream, leftover } => {
                let mut part = PartData::default();
                if !leftover.is_empty() {
                    let take = leftover.len().min(max);
                    part.push(leftover.split_to(take));
                }
                while part.len < max {
                    match stream.next().await {
                        None => break,
                        Some(Err(e)) => return Err(io::Error::other(e)),
                        Some(Ok(chunk)) if chunk.is_empty() => {}
                        Some(Ok(mut chunk)) => {
                            let take = (max - part.len).min(chunk.len());
                            if take < chunk.len() {
                                *leftover = chunk.split_off(take);
                            }
                            part.push(chunk);
                        }
                    }
                }
                Ok(part)
            }
        }
    }
}

/// Part buffers of a reader source, kept for the next parts so that each
/// part does not cost a fresh allocation of the part size (for large parts
/// the allocator maps and unmaps it, and every page faults in again).
///
/// Invariant: a buffer is refilled only once nothing else can see it. It
/// comes back as the frozen `Bytes` of a finished part, and
/// `Bytes::try_into_mut` succeeds only when that handle is the last one: no
/// clone or slice is left in a request body, a retry layer's copy or the
/// connection. When one is, the buffer is dropped instead (and freed when
/// that last holder lets go), never reused.
///
/// With a client's pool attached ([`ObjectContent::share_buffers`]), buffers
/// beyond the upload's own `max` go to it rather than being freed, and the
/// upload's first buffers come from it; what is left in `free` when the
/// upload ends goes there too.
#[derive(Debug, Default)]
struct BufferPool {
    /// Empty buffers ready to be filled.
    free: Vec<BytesMut>,
    /// Most buffers kept; 0 (the default) keeps none.
    max: usize,
    /// The client's pool and how many idle buffers it may hold.
    shared: Option<(PartBuffers, usize)>,
}

impl BufferPool {
    /// An empty buffer of at least `cap` bytes of capacity.
    fn take(&mut self, cap: usize) -> BytesMut {
        match self.free.pop() {
            Some(b) if b.capacity() >= cap => b,
            _ => match &self.shared {
                Some((pool, _)) => pool.take(cap),
                None => BytesMut::with_capacity(cap),
            },
        }
    }

    /// Keeps `b`'s buffer if `b` is its only handle and there is room.
    fn give(&mut self, b: Bytes) {
        if self.free.len() >= self.max && self.shared.is_none() {
            return;
        }
        if let Ok(mut b) = b.try_into_mut() {
            // `clear` keeps the capacity; `try_into_mut` of a handle that
            // starts at the buffer's start gives all of it back.
            b.clear();
            if self.free.len() < self.max {
                self.free.push(b);
            } else if let Some((pool, keep)) = &self.shared {
                pool.give(b, *keep);
            }
        }
    }
}

impl Drop for BufferPool {
    fn drop(&mut self) {
        if let Some((pool, keep)) = &self.shared {
            for b in self.free.drain(..) {
                pool.give(b, *keep);
            }
        }
    }
}

/// The data of one part (or of a single-request upload): the source's own
/// buffers, in order, never copied into one.
#[derive(Clone, Debug, Default)]
pub(crate) struct PartData {
    chunks: Vec<Bytes>,
    len: usize,
    /// The buffers belong to a reader source and are worth handing back to
    /// [`ObjectContent::recycle`] once the part is sent.
    recyclable: bool,
}

impl PartData {
    fn one(b: Bytes) -> Self {
        PartData {
            len: b.len(),
            chunks: if b.is_empty() { Vec::new() } else { vec![b] },
            recyclable: false,
        }
    }

    /// A part made of the caller's buffers, sent as they are.
    pub(crate) fn from_chunks(chunks: impl IntoIterator<Item = Bytes>) -> Self {
        let mut part = PartData::default();
        for c in chunks.into_iter().filter(|c| !c.is_empty()) {
            part.push(c);
        }
        part
    }

    /// Whether [`ObjectContent::recycle`] can reuse these buffers.
    pub(crate) fn is_recyclable(&self) -> bool {
        self.recyclable
    }

    fn push(&mut self, b: Bytes) {
        self.len += b.len();
        self.chunks.push(b);
    }

    /// Bytes in the part.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The buffers, in order.
    pub(crate) fn chunks(&self) -> &[Bytes] {
        &self.chunks
    }

    /// A replayable request body over the buffers.
    pub(crate) fn into_body(mut self) -> newtera_transport::Body {
        match self.chunks.len() {
            0 => newtera_transport::Body::empty(),
            1 => newtera_transport::Body::from_bytes(self.chunks.remove(0)),
            _ => newtera_transport::Body::from_chunks(self.chunks),
        }
    }
}

impl From<Bytes> for ObjectContent {
    fn from(b: Bytes) -> Self {
        ObjectContent::from_bytes(b)
    }
}
impl From<Vec<u8>> for ObjectContent {
    fn from(b: Vec<u8>) -> Self {
        ObjectContent::from_bytes(b)
    }
}
impl From<String> for ObjectContent {
    fn from(b: String) -> Self {
        ObjectContent::from_bytes(b)
    }
}
impl From<&'static [u8]> for ObjectContent {
    fn from(b: &'static [u8]) -> Self {
        ObjectContent::from_bytes(Bytes::from_static(b))
    }
}
impl From<&'static str> for ObjectContent {
    fn from(b: &'static str) -> Self {
        ObjectContent::from_bytes(Bytes::from_static(b.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn chunks(mut c: ObjectContent, size: usize) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        loop {
            let b = c.read_chunk(size).await.unwrap();
            if b.is_empty() {
                return out;
            }
            out.push(b.chunks().concat());
        }
    }

    #[tokio::test]
    async fn every_source_yields_full_chunks() {
        let data: Vec<u8> = (0..100u8).collect();
        let expect: Vec<Vec<u8>> = data.chunks(30).map(<[u8]>::to_vec).collect();
        assert_eq!(chunks(ObjectContent::from(data.clone()), 30).await, expect);
        let reader = std::io::Cursor::new(data.clone());
        assert_eq!(
            chunks(ObjectContent::from_reader(reader, None), 30).await,
            expect
        );
        let pieces: Vec<Result<Bytes, io::Error>> = data
            .chunks(7)
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect();
        let s = futures::stream::iter(pieces);
        assert_eq!(
            chunks(ObjectContent::from_stream(s, None), 30).await,
            expect
        );
    }

    fn filled(pool: &mut BufferPool, n: usize) -> Bytes {
        let mut b = pool.take(n);
        b.resize(n, 7);
        b.freeze()
    }

    #[test]
    fn pool_reuses_a_buffer_once_its_last_handle_is_back() {
        let mut pool = BufferPool {
            max: 2,
            free: Vec::new(),
            shared: None,
        };
        let b = filled(&mut pool, 64);
        let ptr = b.as_ptr();
        pool.give(b);
        let again = pool.take(64);
        assert_eq!(again.as_ptr(), ptr);
        assert!(again.is_empty() && again.capacity() >= 64);
        // A short (last) part's buffer keeps its whole capacity.
        let mut short = again;
        short.extend_from_slice(b"tail");
        pool.give(short.freeze());
        let again = pool.take(64);
        assert_eq!(again.as_ptr(), ptr);
        // Too small for the part asked: a new buffer instead.
        pool.give(filled(&mut BufferPool::default(), 8));
        assert_eq!(pool.take(64).capacity(), 64);
    }

    #[test]
    fn pool_never_reuses_a_buffer_still_shared() {
        let mut pool = BufferPool {
            max: 2,
            free: Vec::new(),
            shared: None,
        };
        let b = filled(&mut pool, 64);
        let ptr = b.as_ptr();
        // A slice in a request body or a retry layer's copy is still alive.
        let frame = b.slice(16..32);
        pool.give(b);
        assert!(pool.free.is_empty());
        assert_ne!(pool.take(64).as_ptr(), ptr);
        assert_eq!(&frame[..], &[7; 16]);
    }

    #[test]
    fn pool_keeps_at_most_max() {
        let mut pool = BufferPool::default();
        pool.give(filled(&mut BufferPool::default(), 64));
        assert!(pool.free.is_empty(), "keeps none by default");
        pool.max = 2;
        for _ in 0..3 {
            pool.give(filled(&mut BufferPool::default(), 64));
        }
        assert_eq!(pool.free.len(), 2);
    }

    #[tokio::test]
    async fn reader_refills_recycled_buffers() {
        let data: Vec<u8> = (0..100u8).collect();
        let mut c = ObjectContent::from_reader(std::io::Cursor::new(data.clone()), None);
        c.keep_buffers(2);
        let first = c.read_chunk(40).await.unwrap();
        assert!(first.is_recyclable());
        let ptr = first.chunks()[0].as_ptr();
        let mut got = first.chunks().concat();
        c.recycle(first);
        let second = c.read_chunk(40).await.unwrap();
        assert_eq!(second.chunks()[0].as_ptr(), ptr);
        got.extend_from_slice(&second.chunks()[0]);
        // Still held (as by a part upload in flight): the next part gets
        // another buffer.
        let third = c.read_chunk(40).await.unwrap();
        assert_ne!(third.chunks()[0].as_ptr(), ptr);
        got.extend_from_slice(&third.chunks()[0]);
        assert_eq!(got, data);
        assert!(c.read_chunk(40).await.unwrap().is_empty());
        // Other sources hand out no buffers to recycle.
        let mut b = ObjectContent::from(data);
        assert!(!b.read_chunk(40).await.unwrap().is_recyclable());
    }

    #[tokio::test]
    async fn stream_errors_surface() {
        let s = futures::stream::iter(vec![
            Ok(Bytes::from_static(b"abc")),
            Err(io::Error::other("boom")),
        ]);
        let mut c = ObjectContent::from_stream(s, None);
        assert!(c.read_chunk(10).await.is_err());
    }
}
