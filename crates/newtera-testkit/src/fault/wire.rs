//! The proxy's HTTP/1.1 plumbing: reading heads and framed bodies, and one
//! exchange with its fault applied.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::BytesMut;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use super::{Fault, RequestInfo, Shared};

/// Longest head accepted.
const HEAD_LIMIT: usize = 1 << 20;
/// Largest piece of body moved at once.
const PIECE: usize = 64 * 1024;

fn bad(msg: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg.into())
}

/// A socket with a read buffer.
struct Conn {
    s: TcpStream,
    buf: BytesMut,
}

impl Conn {
    fn new(s: TcpStream) -> Conn {
        Conn {
            s,
            buf: BytesMut::with_capacity(PIECE),
        }
    }

    /// Reads more bytes into the buffer; 0 at the end of the stream.
    /// Cancel-safe.
    async fn fill(&mut self) -> io::Result<usize> {
        if self.buf.capacity() - self.buf.len() < 4096 {
            self.buf.reserve(PIECE);
        }
        self.s.read_buf(&mut self.buf).await
    }

    /// A whole message head (through the blank line), or `None` at a clean
    /// end of stream before any byte.
    async fn read_head(&mut self) -> io::Result<Option<BytesMut>> {
        let mut scanned = 0;
        loop {
            if let Some(i) = find(&self.buf[scanned..], b"\r\n\r\n") {
                return Ok(Some(self.buf.split_to(scanned + i + 4)));
            }
            scanned = self.buf.len().saturating_sub(3);
            if self.buf.len() > HEAD_LIMIT {
                return Err(bad("head too long"));
            }
            if self.fill().await? == 0 {
                if self.buf.is_empty() {
                    return Ok(None);
                }
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
        }
    }

    /// One line, CRLF included.
    async fn read_line(&mut self) -> io::Result<BytesMut> {
        let mut scanned = 0;
        loop {
            if let Some(i) = find(&self.buf[scanned..], b"\r\n") {
                return Ok(self.buf.split_to(scanned + i + 2));
            }
            scanned = self.buf.len().saturating_sub(1);
            if self.buf.len() > HEAD_LIMIT {
                return Err(bad("line too long"));
            }
            if self.fill().await? == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
        }
    }

    /// Up to `max` bytes (at least one); an empty result at end of stream.
    async fn read_some(&mut self, max: usize) -> io::Result<BytesMut> {
        if self.buf.is_empty() && self.fill().await? == 0 {
            return Ok(BytesMut::new());
        }
        let n = self.buf.len().min(max);
        Ok(self.buf.split_to(n))
    }

    /// Resets the connection (RST instead of FIN).
    fn reset(self) {
        let _ = self.s.set_zero_linger();
        drop(self);
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A parsed message head.
struct Head {
    raw: BytesMut,
    /// Method (requests) or status code (responses) and the second field.
    first: String,
    second: String,
    headers: Vec<(String, String)>,
}

impl Head {
    fn parse(raw: BytesMut, request: bool) -> io::Result<Head> {
        let text = std::str::from_utf8(&raw).map_err(|_| bad("head is not UTF-8"))?;
        let mut lines = text.split("\r\n");
        let start = lines.next().unwrap_or_default();
        let mut fields = start.splitn(3, ' ');
        let (a, b, c) = (
            fields.next().unwrap_or_default(),
            fields.next().unwrap_or_default(),
            fields.next().unwrap_or_default(),
        );
        let (first, second) = if request {
            (a.to_owned(), b.to_owned())
        } else {
            (b.to_owned(), c.to_owned())
        };
        if first.is_empty() {
            return Err(bad(format!("bad start line {start:?}")));
        }
        let headers = lines
            .filter(|l| !l.is_empty())
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        Ok(Head {
            first,
            second,
            headers,
            raw,
        })
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn has_token(&self, name: &str, token: &str) -> bool {
        self.headers
            .iter()
            .filter(|(k, _)| k == name)
            .flat_map(|(_, v)| v.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case(token))
    }

    fn status(&self) -> u16 {
        self.first.parse().unwrap_or(0)
    }

    fn framing(&self, request: bool, request_method: &str) -> io::Result<Framing> {
        if !request {
            let status = self.status();
            if request_method == "HEAD"
                || (100..200).contains(&status)
                || status == 204
                || status == 304
            {
                return Ok(Framing::Length(0));
            }
        }
        if self.has_token("transfer-encoding", "chunked") {
            return Ok(Framing::Chunked);
        }
        if let Some(v) = self.header("content-length") {
            return v
                .parse()
                .map(Framing::Length)
                .map_err(|_| bad(format!("bad content-length {v:?}")));
        }
        Ok(if request {
            Framing::Length(0)
        } else {
            Framing::UntilClose
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Framing {
    Length(u64),
    Chunked,
    UntilClose,
}

/// What to do to a body while copying it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum BodyFault {
    None,
    /// Stop after this many bytes (the caller then resets or closes).
    Cut(u64),
    /// Invert the byte at this offset.
    Flip(u64),
    /// Hold the body back at this offset for this long.
    Stall(u64, Duration),
}

/// How a body copy ended.
#[derive(Debug, PartialEq, Eq)]
enum Copied {
    /// The whole body went through; `true` if a byte was flipped.
    Done(bool),
    /// The body was cut as asked.
    Cut,
}

/// Copies one framed body from `from` to `to`, applying `fault`.
/// `fired` is called as the fault happens, before the client can see it.
async fn copy_body(
    from: &mut Conn,
    to: &mut TcpStream,
    framing: Framing,
    fault: BodyFault,
    fired: &(dyn Fn() + Send + Sync),
) -> io::Result<Copied> {
    // Clamp the fault into a body of known length.
    let fault = match (framing, fault) {
        (Framing::Length(0), _) => BodyFault::None,
        (Framing::Length(n), BodyFault::Cut(k)) => BodyFault::Cut(k.min(n - 1)),
        (Framing::Length(n), BodyFault::Flip(k)) => BodyFault::Flip(k.min(n - 1)),
        (Framing::Length(n), BodyFault::Stall(k, d)) => BodyFault::Stall(k.min(n - 1), d),
        (_, f) => f,
    };
    let mut offset = 0u64;
    let mut flipped = false;
    // Moves `data` (body bytes at `offset`) to `to`; true when cut.
    macro_rules! pass {
        ($data:expr) => {{
            let mut data: BytesMut = $data;
            let len = data.len() as u64;
            match fault {
                BodyFault::Cut(k) if k < offset + len => {
                    fired();
                    let keep = (k - offset) as usize;
                    to.write_all(&data[..keep]).await?;
                    to.flush().await?;
                    return Ok(Copied::Cut);
                }
                BodyFault::Flip(k) if k >= offset && k < offset + len => {
                    let i = (k - offset) as usize;
                    data[i] ^= 0xff;
                    fired();
                    flipped = true;
                }
                BodyFault::Stall(k, d) if k >= offset && k < offset + len => {
                    let keep = (k - offset) as usize;
                    to.write_all(&data[..keep]).await?;
                    to.flush().await?;
                    fired();
                    if !hold(to, d).await {
                        return Ok(Copied::Cut);
                    }
                    let _ = data.split_to(keep);
                }
                _ => {}
            }
            offset += len;
            to.write_all(&data).await?;
        }};
    }
    match framing {
        Framing::Length(n) => {
            let mut left = n;
            while left > 0 {
                let piece = from.read_some(left.min(PIECE as u64) as usize).await?;
                if piece.is_empty() {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
                left -= piece.len() as u64;
                pass!(piece);
            }
        }
        Framing::UntilClose => loop {
            let piece = from.read_some(PIECE).await?;
            if piece.is_empty() {
                if matches!(fault, BodyFault::Cut(_)) {
                    fired();
                    return Ok(Copied::Cut);
                }
                break;
            }
            pass!(piece);
        },
        Framing::Chunked => loop {
            let line = from.read_line().await?;
            let size_text = std::str::from_utf8(&line)
                .map_err(|_| bad("bad chunk size line"))?
                .trim_end_matches("\r\n");
            let size_text = size_text.split(';').next().unwrap_or_default().trim();
            let size = u64::from_str_radix(size_text, 16)
                .map_err(|_| bad(format!("bad chunk size {size_text:?}")))?;
            if size == 0 {
                if matches!(fault, BodyFault::Cut(_)) {
                    // Never reached the cut: withhold the end of the body.
                    fired();
                    to.flush().await?;
                    return Ok(Copied::Cut);
                }
                to.write_all(&line).await?;
                // Trailers, through the blank line.
                loop {
                    let l = from.read_line().await?;
                    to.write_all(&l).await?;
                    if &l[..] == b"\r\n" {
                        break;
                    }
                }
                break;
            }
            to.write_all(&line).await?;
            let mut left = size;
            while left > 0 {
                let piece = from.read_some(left.min(PIECE as u64) as usize).await?;
                if piece.is_empty() {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
                left -= piece.len() as u64;
                pass!(piece);
            }
            let crlf = from.read_line().await?;
            to.write_all(&crlf).await?;
        },
    }
    to.flush().await?;
    Ok(Copied::Done(flipped))
}

/// Waits `d`; false when the client closed its connection (or sent
/// something, which it should not while a response is under way) first.
async fn hold(to: &mut TcpStream, d: Duration) -> bool {
    let mut probe = [0u8; 1];
    tokio::select! {
        _ = tokio::time::sleep(d) => true,
        _ = to.read(&mut probe) => false,
    }
}

/// `raw` (a message head) with header `name` removed and, when `value` is
/// given, set to it; and whether the header was there.
fn rewrite_head(raw: &[u8], name: &str, value: Option<&str>) -> (BytesMut, bool) {
    let text = String::from_utf8_lossy(raw);
    let mut lines = text.trim_end_matches("\r\n").split("\r\n");
    let mut out = BytesMut::with_capacity(raw.len() + 64);
    out.extend_from_slice(lines.next().unwrap_or_default().as_bytes());
    out.extend_from_slice(b"\r\n");
    let mut had = false;
    for line in lines {
        let this = line
            .split_once(':')
            .is_some_and(|(k, _)| k.trim().eq_ignore_ascii_case(name));
        if this {
            had = true;
            continue;
        }
        out.extend_from_slice(line.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    if let Some(v) = value {
        out.extend_from_slice(format!("{name}: {v}\r\n").as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    (out, had)
}

/// Reads and discards one framed body.
async fn drain_body(from: &mut Conn, framing: Framing) -> io::Result<()> {
    match framing {
        Framing::Length(mut left) => {
            while left > 0 {
                let piece = from.read_some(left.min(PIECE as u64) as usize).await?;
                if piece.is_empty() {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
                left -= piece.len() as u64;
            }
        }
        Framing::Chunked => loop {
            let line = from.read_line().await?;
            let text = std::str::from_utf8(&line).map_err(|_| bad("bad chunk size line"))?;
            let text = text
                .trim_end_matches("\r\n")
                .split(';')
                .next()
                .unwrap_or_default()
                .trim();
            let size = u64::from_str_radix(text, 16).map_err(|_| bad("bad chunk size"))?;
            if size == 0 {
                loop {
                    let l = from.read_line().await?;
                    if &l[..] == b"\r\n" {
                        break;
                    }
                }
                break;
            }
            let mut left = size;
            while left > 0 {
                let piece = from.read_some(left.min(PIECE as u64) as usize).await?;
                if piece.is_empty() {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
                left -= piece.len() as u64;
            }
            from.read_line().await?;
        },
        Framing::UntilClose => while !from.read_some(PIECE).await?.is_empty() {},
    }
    Ok(())
}

/// The S3 error document the proxy answers with.
pub(super) fn error_response(status: u16, code: &str, head_only: bool) -> Vec<u8> {
    let reason = match status {
        200 => "OK",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Error",
    };
    let message = match code {
        "SlowDown" => "Please reduce your request rate.",
        "InternalError" => "We encountered an internal error. Please try again.",
        _ => "Injected by the newtera-testkit fault proxy.",
    };
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message>\
         <RequestId>faultproxy</RequestId><HostId>faultproxy</HostId></Error>"
    );
    let len = if head_only { 0 } else { body.len() };
    let mut out = format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: application/xml\r\ncontent-length: {len}\r\n\
         x-amz-request-id: faultproxy\r\n\r\n"
    )
    .into_bytes();
    if !head_only {
        out.extend_from_slice(body.as_bytes());
    }
    out
}

/// True when `up` is still open (no EOF or error pending on it).
fn alive(up: &Conn) -> bool {
    if !up.buf.is_empty() {
        // Bytes nobody asked for: the exchange is out of step.
        return false;
    }
    let mut probe = [0u8; 1];
    matches!(up.s.try_read(&mut probe), Err(e) if e.kind() == io::ErrorKind::WouldBlock)
}

/// Serves one client connection.
pub(super) async fn serve(shared: Arc<Shared>, client: TcpStream, upstream: SocketAddr) {
    let mut client = Conn::new(client);
    let mut up: Option<Conn> = None;
    loop {
        match exchange(&shared, &mut client, &mut up, upstream).await {
            Ok(Next::KeepAlive) => {}
            Ok(Next::Close) | Err(_) => return,
            Ok(Next::Reset) => {
                client.reset();
                return;
            }
        }
    }
}

enum Next {
    KeepAlive,
    Close,
    Reset,
}

/// One request and its response on `client`.
async fn exchange(
    shared: &Shared,
    client: &mut Conn,
    up_slot: &mut Option<Conn>,
    upstream: SocketAddr,
) -> io::Result<Next> {
    let Some(raw) = client.read_head().await? else {
        return Ok(Next::Close);
    };
    let req = Head::parse(raw, true)?;
    let method = req.first.clone();
    let target = req.second.clone();
    let (path, query) = target.split_once('?').unwrap_or((target.as_str(), ""));
    let info = RequestInfo {
        method: method.clone(),
        path: path.to_owned(),
        query: query.to_owned(),
    };
    let decision = shared.decide(&info, &target);
    let req_framing = req.framing(true, &method)?;
    let client_close = req.has_token("connection", "close");

    // Faults that never reach the server.
    match &decision {
        Some((Fault::DropRequest, counters)) => {
            drain_body(client, req_framing).await?;
            shared.applied(counters);
            return Ok(Next::Reset);
        }
        Some((Fault::Respond { status, code }, counters)) => {
            drain_body(client, req_framing).await?;
            let answer = error_response(*status, code, method == "HEAD");
            shared.applied(counters);
            client.s.write_all(&answer).await?;
            client.s.flush().await?;
            return Ok(if client_close {
                Next::Close
            } else {
                Next::KeepAlive
            });
        }
        _ => {}
    }

    // Forward the request.
    if up_slot.as_ref().is_some_and(|u| !alive(u)) {
        *up_slot = None;
    }
    if up_slot.is_none() {
        let s = TcpStream::connect(upstream).await?;
        let _ = s.set_nodelay(true);
        *up_slot = Some(Conn::new(s));
    }
    let Some(up) = up_slot.as_mut() else {
        return Ok(Next::Close);
    };
    match &decision {
        Some((Fault::StripRequestHeader(name), counters)) => {
            let (raw, had) = rewrite_head(&req.raw, name, None);
            if had {
                shared.applied(counters);
            }
            up.s.write_all(&raw).await?;
        }
        _ => up.s.write_all(&req.raw).await?,
    }
    copy_body(client, &mut up.s, req_framing, BodyFault::None, &|| {}).await?;
    up.s.flush().await?;

    // The response head (interim 1xx answers pass straight through).
    let resp = loop {
        let Some(raw) = up.read_head().await? else {
            // The server closed without answering.
            return Ok(Next::Reset);
        };
        let head = Head::parse(raw, false)?;
        let status = head.status();
        if (100..200).contains(&status) && status != 101 {
            client.s.write_all(&head.raw).await?;
            continue;
        }
        break head;
    };
    let resp_framing = resp.framing(false, &method)?;
    let server_close = resp.has_token("connection", "close") || resp_framing == Framing::UntilClose;

    let mut body_fault = BodyFault::None;
    let mut reset_on_cut = false;
    let mut short_body = false;
    let mut resp_raw = resp.raw.clone();
    if let Some((fault, counters)) = &decision {
        match fault {
            Fault::ResetBeforeResponse => {
                shared.applied(counters);
                *up_slot = None;
                return Ok(Next::Reset);
            }
            Fault::ResetAfterHeaders => {
                shared.applied(counters);
                client.s.write_all(&resp.raw).await?;
                client.s.flush().await?;
                *up_slot = None;
                return Ok(Next::Reset);
            }
            Fault::Stall(d) => {
                shared.applied(counters);
                let deadline = tokio::time::Instant::now() + *d;
                loop {
                    tokio::select! {
                        _ = tokio::time::sleep_until(deadline) => break,
                        n = client.fill() => match n {
                            Ok(0) | Err(_) => {
                                // The client gave up.
                                *up_slot = None;
                                return Ok(Next::Close);
                            }
                            Ok(_) => {}
                        },
                    }
                }
            }
            Fault::ResetMidBody(n) => {
                body_fault = BodyFault::Cut(*n);
                reset_on_cut = true;
            }
            Fault::Truncate(n) => body_fault = BodyFault::Cut(*n),
            Fault::FlipByte(n) => body_fault = BodyFault::Flip(*n),
            Fault::StallMidBody { after, stall } => body_fault = BodyFault::Stall(*after, *stall),
            Fault::ShortBody(n) => {
                if let Framing::Length(len @ 1..) = resp_framing {
                    let keep = (*n).min(len - 1);
                    resp_raw = rewrite_head(&resp.raw, "content-length", Some(&keep.to_string())).0;
                    body_fault = BodyFault::Cut(keep);
                    short_body = true;
                }
            }
            Fault::SetResponseHeader { name, value } => {
                shared.applied(counters);
                resp_raw = rewrite_head(&resp.raw, name, Some(value)).0;
            }
            Fault::DropRequest | Fault::Respond { .. } | Fault::StripRequestHeader(_) => {}
        }
    }

    client.s.write_all(&resp_raw).await?;
    let fired = || {
        if let Some((_, counters)) = &decision {
            shared.applied(counters);
        }
    };
    let copied = copy_body(up, &mut client.s, resp_framing, body_fault, &fired).await?;
    match copied {
        Copied::Cut if short_body => {
            // The client got a complete (short) message; the rest of the
            // server's body is unread, so that connection cannot be reused.
            *up_slot = None;
            return Ok(if client_close {
                Next::Close
            } else {
                Next::KeepAlive
            });
        }
        Copied::Cut => {
            *up_slot = None;
            if reset_on_cut {
                // Let the bytes already written leave before the reset.
                tokio::time::sleep(Duration::from_millis(20)).await;
                return Ok(Next::Reset);
            }
            let _ = client.s.shutdown().await;
            return Ok(Next::Close);
        }
        Copied::Done(_) => {}
    }
    if server_close {
        *up_slot = None;
        if resp_framing == Framing::UntilClose {
            return Ok(Next::Close);
        }
    }
    Ok(if client_close {
        Next::Close
    } else {
        Next::KeepAlive
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_are_rewritten() {
        let raw = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\nx-a: b\r\n\r\n";
        let (out, had) = rewrite_head(raw, "content-length", Some("4"));
        assert!(had);
        assert_eq!(
            &out[..],
            b"HTTP/1.1 200 OK\r\nx-a: b\r\ncontent-length: 4\r\n\r\n"
        );
        let (out, had) = rewrite_head(raw, "range", None);
        assert!(!had);
        assert_eq!(&out[..], &raw[..]);
    }
}
