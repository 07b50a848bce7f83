//! The floor client's HTTP/1.1 over one raw `TcpStream`: hand-written
//! request heads, and the minimal reading of an answer (status line, end of
//! the head, `Content-Length`, an `ETag` when asked, then exactly the body).

use std::io::Write as _;
use std::sync::Arc;

use memchr::memmem;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::source::CHUNK;
use super::R;

/// Size of a connection's read buffer (response heads and small bodies).
const READ_BUF: usize = 64 << 10;

/// One keep-alive connection.
pub(crate) struct Conn {
    pub(crate) stream: TcpStream,
    host: Arc<str>,
    /// Bytes read and not consumed yet: `buf[start..end]`.
    buf: Box<[u8]>,
    start: usize,
    end: usize,
    /// The request being written (head, and a small body).
    out: Vec<u8>,
    /// The buffer large bodies are read into and dropped (1 MiB, on first use).
    drain: Vec<u8>,
}

/// What the floor reads of a response head.
pub(crate) struct Head {
    pub(crate) status: u16,
    pub(crate) len: Option<u64>,
    pub(crate) etag: Option<String>,
}

impl Head {
    pub(crate) fn body_len(&self) -> R<u64> {
        self.len
            .ok_or_else(|| "response without Content-Length".into())
    }
}

/// Percent-encodes a query value (everything but the unreserved characters).
pub(crate) fn encode(v: &str) -> String {
    let mut s = String::with_capacity(v.len());
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

/// The text between `open` and `close` in `body`, if both are there.
pub(crate) fn between<'a>(body: &'a [u8], open: &[u8], close: &[u8]) -> Option<&'a [u8]> {
    let a = memmem::find(body, open)? + open.len();
    let b = memmem::find(&body[a..], close)?;
    Some(&body[a..a + b])
}

pub(crate) fn parse_head(head: &[u8], want_etag: bool) -> R<Head> {
    let head = std::str::from_utf8(head).map_err(|_| "response head not UTF-8")?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or("");
    let status = status_line
        .strip_prefix("HTTP/1.1 ")
        .and_then(|s| s.get(..3))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad status line {status_line:?}"))?;
    let mut h = Head {
        status,
        len: None,
        etag: None,
    };
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        if name.eq_ignore_ascii_case("content-length") {
            h.len = Some(value.trim().parse().map_err(|_| "bad Content-Length")?);
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            return Err("the floor reads Content-Length bodies only".into());
        } else if want_etag && name.eq_ignore_ascii_case("etag") {
            h.etag = Some(value.trim().to_string());
        }
    }
    Ok(h)
}

impl Conn {
    pub(crate) async fn open(addr: &str, host: Arc<str>) -> R<Conn> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Conn {
            stream,
            host,
            buf: vec![0u8; READ_BUF].into_boxed_slice(),
            start: 0,
            end: 0,
            out: Vec::with_capacity(4096),
            drain: Vec::new(),
        })
    }

    /// Writes a request head; `len` is the body's Content-Length (none for a
    /// request without a body). `extra` are more header lines (`\r\n` each).
    fn head_into_out(&mut self, method: &str, target: &str, extra: &str, len: Option<u64>) {
        self.out.clear();
        // Writing into a Vec cannot fail.
        let _ = write!(
            self.out,
            "{method} {target} HTTP/1.1\r\nHost: {}\r\n{extra}",
            self.host
        );
        if let Some(n) = len {
            let _ = write!(self.out, "Content-Length: {n}\r\n");
        }
        self.out.extend_from_slice(b"\r\n");
    }

    /// Sends a request whose body (if any) is small: one write.
    pub(crate) async fn send(
        &mut self,
        method: &str,
        target: &str,
        extra: &str,
        body: Option<&[u8]>,
    ) -> R<()> {
        self.head_into_out(method, target, extra, body.map(|b| b.len() as u64));
        if let Some(b) = body {
            self.out.extend_from_slice(b);
        }
        self.stream.write_all(&self.out).await?;
        Ok(())
    }

    /// Sends only the head of a request with a `len`-byte body; the caller
    /// writes the body to `self.stream`.
    pub(crate) async fn send_head(&mut self, method: &str, target: &str, len: u64) -> R<()> {
        self.head_into_out(method, target, "", Some(len));
        self.stream.write_all(&self.out).await?;
        Ok(())
    }

    async fn read_head(&mut self, want_etag: bool) -> R<Head> {
        loop {
            if let Some(p) = memmem::find(&self.buf[self.start..self.end], b"\r\n\r\n") {
                let head = parse_head(&self.buf[self.start..self.start + p], want_etag)?;
                self.start += p + 4;
                return Ok(head);
            }
            if self.start > 0 {
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            }
            if self.end == self.buf.len() {
                return Err("response head beyond 64 KiB".into());
            }
            let n = self.stream.read(&mut self.buf[self.end..]).await?;
            if n == 0 {
                return Err("connection closed before a response head".into());
            }
            self.end += n;
        }
    }

    /// Reads a body of exactly `out.len()` bytes into `out`.
    pub(crate) async fn read_body(&mut self, out: &mut [u8]) -> R<()> {
        let have = (self.end - self.start).min(out.len());
        out[..have].copy_from_slice(&self.buf[self.start..self.start + have]);
        self.start += have;
        if have < out.len() {
            self.stream.read_exact(&mut out[have..]).await?;
        }
        Ok(())
    }

    /// Reads a body of `len` bytes and drops it; returns the bytes read.
    pub(crate) async fn skip_body(&mut self, len: u64) -> R<u64> {
        let have = ((self.end - self.start) as u64).min(len) as usize;
        self.start += have;
        let mut left = len - have as u64;
        if left > 0 && self.drain.is_empty() {
            self.drain = vec![0u8; CHUNK];
        }
        while left > 0 {
            let want = left.min(self.drain.len() as u64) as usize;
            let n = self.stream.read(&mut self.drain[..want]).await?;
            if n == 0 {
                return Err(format!("connection closed {left} bytes before a body's end").into());
            }
            left -= n as u64;
        }
        Ok(len)
    }

    /// Reads the response head, checks its status (an unexpected one is an
    /// error carrying the body) and returns it.
    pub(crate) async fn expect(&mut self, status: u16, want_etag: bool) -> R<Head> {
        let h = self.read_head(want_etag).await?;
        if h.status != status {
            let mut body = vec![0u8; h.len.unwrap_or(0).min(4096) as usize];
            self.read_body(&mut body).await?;
            return Err(format!(
                "status {} (expected {status}): {}",
                h.status,
                String::from_utf8_lossy(&body)
            )
            .into());
        }
        Ok(h)
    }

    /// Reads a whole (small) body into `body`.
    pub(crate) async fn body_into(&mut self, h: &Head, body: &mut Vec<u8>) -> R<()> {
        body.resize(h.body_len()? as usize, 0);
        self.read_body(body).await
    }
}
