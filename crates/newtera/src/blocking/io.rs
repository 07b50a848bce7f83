//! `std::io` on both ends of an object: an object's data as a `Read`, and an
//! upload's data from a `Read`.

use std::io::{self, Read};

use bytes::{Buf as _, Bytes, BytesMut};

use super::iter::Iter;
use super::runtime;
use crate::{GetObjectResponse, ObjectContent};

/// The data of a `get_object` answer as a [`std::io::Read`].
///
/// Chunks are pulled from the body on the runtime thread, a couple at a time
/// ahead of the reader, so memory stays bounded whatever the object's size.
/// The body keeps the async client's guarantees: cut reads are resumed and
/// the full-object checksum is verified before the last bytes are handed
/// over. A failure is an `io::Error` whose source
/// ([`get_ref`](io::Error::get_ref)) is the [`crate::Error`].
///
/// # Panics
///
/// `read` panics when called from inside a Tokio runtime.
#[derive(Debug)]
pub struct ObjectReader {
    chunks: Iter<crate::Result<Bytes>>,
    chunk: Bytes,
    content_length: Option<u64>,
    etag: Option<String>,
}

impl ObjectReader {
    /// Reads the body of `response`.
    pub fn new(response: GetObjectResponse) -> Self {
        let content_length = response.content_length();
        let etag = response.etag();
        ObjectReader {
            chunks: Iter::new(response.into_stream()),
            chunk: Bytes::new(),
            content_length,
            etag,
        }
    }

    /// The `Content-Length` of the answer.
    pub fn content_length(&self) -> Option<u64> {
        self.content_length
    }

    /// The object's ETag, without quotes.
    pub fn etag(&self) -> Option<&str> {
        self.etag.as_deref()
    }
}

impl From<GetObjectResponse> for ObjectReader {
    fn from(response: GetObjectResponse) -> Self {
        ObjectReader::new(response)
    }
}

impl Read for ObjectReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        while self.chunk.is_empty() {
            match self.chunks.next() {
                None => return Ok(0),
                Some(Ok(chunk)) => self.chunk = chunk,
                Some(Err(e)) => return Err(io::Error::other(e)),
            }
        }
        let n = buf.len().min(self.chunk.len());
        buf[..n].copy_from_slice(&self.chunk[..n]);
        self.chunk.advance(n);
        Ok(n)
    }
}

/// `get_object`'s answer as a [`std::io::Read`].
///
/// ```no_run
/// use newtera::blocking::{BuildBlocking as _, Call as _, IntoReader as _};
///
/// # fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let client = newtera::Newtera::builder("http://localhost:9000").build_blocking()?;
/// let mut reader = client.get_object("my-bucket", "big.bin").call()?.into_reader();
/// let mut file = std::fs::File::create("big.bin")?;
/// std::io::copy(&mut reader, &mut file)?;
/// # Ok(()) }
/// ```
pub trait IntoReader {
    /// The body as a blocking reader.
    fn into_reader(self) -> ObjectReader;
}

impl IntoReader for GetObjectResponse {
    fn into_reader(self) -> ObjectReader {
        ObjectReader::new(self)
    }
}

/// The size of the chunks read from a blocking reader for an upload.
const READ_CHUNK: usize = 256 << 10;

/// Upload data read from a blocking [`std::io::Read`] (a file, a pipe,
/// stdin…), for `put_object`; `length` is its exact size when known (with
/// `None` the upload needs a `part_size`).
///
/// The reader is read on the runtime's blocking-thread pool, one chunk of
/// 256 KiB at a time and only as fast as the upload takes them, so memory
/// stays bounded by the upload's part buffers. A read error fails the upload
/// with [`crate::Error::Input`] (a multipart upload is aborted).
///
/// ```no_run
/// use newtera::blocking::{content_from_read, BuildBlocking as _, Call as _};
///
/// # fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let client = newtera::Newtera::builder("http://localhost:9000").build_blocking()?;
/// let stdin = std::io::stdin();
/// client
///     .put_object("my-bucket", "from-stdin", content_from_read(stdin, None))
///     .part_size(16 << 20)
///     .call()?;
/// # Ok(()) }
/// ```
pub fn content_from_read<R>(reader: R, length: Option<u64>) -> ObjectContent
where
    R: Read + Send + 'static,
{
    let reader: Box<dyn Read + Send> = Box::new(reader);
    let chunks = futures::stream::unfold(Some(reader), |reader| async move {
        let mut reader = reader?;
        let handle = match runtime::handle() {
            Ok(h) => h,
            Err(e) => return Some((Err(e), None)),
        };
        let read = handle
            .spawn_blocking(move || {
                let chunk = read_chunk(&mut reader);
                (reader, chunk)
            })
            .await;
        match read {
            Ok((_, Ok(chunk))) if chunk.is_empty() => None,
            Ok((reader, Ok(chunk))) => Some((Ok(chunk), Some(reader))),
            Ok((_, Err(e))) => Some((Err(e), None)),
            Err(e) => Some((Err(io::Error::other(e)), None)),
        }
    });
    ObjectContent::from_stream(chunks, length)
}

/// Reads up to [`READ_CHUNK`] bytes (fewer only at the end of the data).
fn read_chunk(reader: &mut dyn Read) -> io::Result<Bytes> {
    let mut buf = BytesMut::zeroed(READ_CHUNK);
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    buf.truncate(filled);
    Ok(buf.freeze())
}
