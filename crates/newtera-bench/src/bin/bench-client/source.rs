//! The generated upload sources: one 1 MiB pattern chunk, a zero-copy
//! stream of clones of it, and an `AsyncRead` of unknown length that copies
//! from it (as a file or a socket would).

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use futures::stream::{self, StreamExt};
use tokio::io::{AsyncRead, AsyncReadExt, ReadBuf};

/// Size of the chunks the generated upload sources yield.
pub(crate) const CHUNK: usize = 1 << 20;

/// One 1 MiB chunk of pattern data; every generated source hands out clones
/// of it (zero-copy) or copies from it (readers).
pub(crate) fn pattern() -> Bytes {
    static P: std::sync::OnceLock<Bytes> = std::sync::OnceLock::new();
    P.get_or_init(|| Bytes::from((0..CHUNK).map(|i| (i % 253) as u8).collect::<Vec<u8>>()))
        .clone()
}

/// A stream of `total` bytes in 1 MiB chunks, without copying.
pub(crate) fn gen_stream(
    total: u64,
) -> impl futures::Stream<Item = std::io::Result<Bytes>> + Send + 'static {
    let p = pattern();
    let n = total.div_ceil(CHUNK as u64);
    stream::iter(0..n).map(move |i| {
        let left = total - i * CHUNK as u64;
        Ok(p.slice(..(left.min(CHUNK as u64) as usize)))
    })
}

/// An `AsyncRead` of `remaining` bytes of pattern data whose length the
/// consumer is not told.
pub(crate) struct GenReader {
    remaining: u64,
    pos: usize,
    p: Bytes,
}

impl GenReader {
    pub(crate) fn new(total: u64) -> Self {
        GenReader {
            remaining: total,
            pos: 0,
            p: pattern(),
        }
    }
}

impl AsyncRead for GenReader {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let n = (buf.remaining() as u64)
            .min(self.remaining)
            .min((CHUNK - self.pos) as u64) as usize;
        let pos = self.pos;
        buf.put_slice(&self.p[pos..pos + n]);
        self.pos = (pos + n) % CHUNK;
        self.remaining -= n as u64;
        Poll::Ready(Ok(()))
    }
}

/// Reads `reader` into 1 MiB chunks (copying), as a user reading a file or a
/// socket of unknown length would.
pub(crate) fn reader_stream(
    reader: GenReader,
) -> impl futures::Stream<Item = std::io::Result<Bytes>> + Send + 'static {
    stream::try_unfold(reader, |mut reader| async move {
        let mut buf = BytesMut::with_capacity(CHUNK);
        while buf.len() < CHUNK {
            if reader.read_buf(&mut buf).await? == 0 {
                break;
            }
        }
        if buf.is_empty() {
            Ok(None)
        } else {
            Ok(Some((buf.freeze(), reader)))
        }
    })
}
