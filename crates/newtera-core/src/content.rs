//! Object data for uploads: bytes, an `AsyncRead` or a `Stream`, with a known
//! or unknown length, read part by part with bounded memory.

use std::fmt;
use std::io;
use std::pin::Pin;

use bytes::{Bytes, BytesMut};
use futures::stream::BoxStream;
use futures::{Stream, StreamExt as _};
use tokio::io::{AsyncRead, AsyncReadExt as _};

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
    Reader(Pin<Box<dyn AsyncRead + Send>>),
    Stream {
        stream: BoxStream<'static, Result<Bytes, BoxError>>,
        leftover: Bytes,
    },
}

impl fmt::Debug for ObjectContent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.source {
            Source::Bytes(_) => "bytes",
            Source::Reader(_) => "reader",
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
            source: Source::Reader(Box::pin(reader)),
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

    /// Reads the next `max` bytes; fewer only at the end of the data. A
    /// stream's chunks are kept as they are (no copy); a reader fills one
    /// buffer of the part's size.
    pub(crate) async fn read_chunk(&mut self, max: usize) -> io::Result<PartData> {
        match &mut self.source {
            Source::Bytes(b) => {
                let n = max.min(b.len());
                Ok(PartData::one(b.split_to(n)))
            }
            Source::Reader(r) => {
                let mut buf = BytesMut::with_capacity(max);
                while buf.len() < max {
                    // `read_buf` writes into the spare capacity; limit it to `max`.
                    let mut limited = (&mut *r).take((max - buf.len()) as u64);
                    if limited.read_buf(&mut buf).await? == 0 {
                        break;
                    }
                }
                Ok(PartData::one(buf.freeze()))
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

/// The data of one part (or of a single-request upload): the source's own
/// buffers, in order, never copied into one.
#[derive(Clone, Debug, Default)]
pub(crate) struct PartData {
    chunks: Vec<Bytes>,
    len: usize,
}

impl PartData {
    fn one(b: Bytes) -> Self {
        PartData {
            len: b.len(),
            chunks: if b.is_empty() { Vec::new() } else { vec![b] },
        }
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
