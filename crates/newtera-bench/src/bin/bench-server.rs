//! A minimal S3 endpoint for benchmarks: HTTP/1.1 on 127.0.0.1, no
//! signature checks, no storage. It drains uploads (decoding aws-chunked
//! bodies), serves GETs and ranges from one preallocated buffer, serves
//! prerendered ListObjectsV2 pages and answers DeleteObjects with an empty
//! quiet result. `GET /__cpu` returns its own user+sys CPU time in
//! microseconds so the harness can flag runs where the server is the
//! bottleneck; `GET /__requests` the number of S3 requests served.
//!
//! Objects carry the ETag a single-part upload would get on S3: the MD5 of
//! their content (taken once at start-up), so that a client that verifies
//! downloads against the ETag (Newtera's strict integrity mode) has real
//! work to do and would notice a wrong byte. No `x-amz-checksum-*` is
//! declared, except for `BIG_CRC_KEY` (the same 1 GiB under another key):
//! asked with `x-amz-checksum-mode: ENABLED`, its HEAD and whole-object GET
//! declare the real CRC64NVME of the content (computed at start-up) as a
//! `FULL_OBJECT` checksum, as S3 does for an object uploaded with it, so a
//! client that verifies it does the work (and would notice a wrong byte).
//! Ranged answers declare none, as on S3.
//!
//! Usage: `bench-server [--port N]`; prints `listening 127.0.0.1:PORT`.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use bytes::Bytes;
use futures::stream;
use http::{header, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{combinators::BoxBody, BodyExt, Empty, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use newtera_bench::{
    cpu_time, AwsChunkedDecoder, BIG_CRC_KEY, BIG_KEY, BIG_SIZE, BUCKET, LIST_KEYS, LIST_PAGE,
    LIST_PREFIX, SMALL_SIZE,
};
use tokio::net::TcpListener;

type Body = BoxBody<Bytes, Infallible>;

const XMLNS: &str = "http://s3.amazonaws.com/doc/2006-03-01/";
/// The ETag answered to uploads (they are not stored).
const ETAG: &str = "\"0123456789abcdef0123456789abcdef\"";
const LAST_MODIFIED: &str = "Mon, 01 Jan 2024 00:00:00 GMT";
/// Bytes per frame of a GET body.
const FRAME: usize = 1 << 20;

struct State {
    /// The content of every object: the big object is all of it, the small
    /// ones its first `SMALL_SIZE` bytes.
    data: Bytes,
    /// Prerendered ListObjectsV2 pages.
    pages: Vec<Bytes>,
    /// The quoted MD5 ETag of the big object.
    big_etag: HeaderValue,
    /// The base64 CRC64NVME of the big object (declared for `BIG_CRC_KEY`).
    big_crc64: HeaderValue,
    /// The quoted MD5 ETag of every small object.
    small_etag: HeaderValue,
    uploads: AtomicU64,
    requests: AtomicU64,
}

static STATE: OnceLock<State> = OnceLock::new();

fn state() -> &'static State {
    STATE.get().expect("state initialised")
}

fn main() {
    let mut port = 0u16;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--port" => port = args.next().and_then(|p| p.parse().ok()).expect("--port N"),
            other => panic!("unknown argument {other}"),
        }
    }
    let mut data = vec![0u8; BIG_SIZE as usize];
    // Touch every page, with a pattern, so that serving never faults.
    for (i, chunk) in data.chunks_mut(4096).enumerate() {
        chunk.fill((i % 251) as u8);
    }
    let big_etag = md5_etag(&data);
    let small_etag = md5_etag(&data[..SMALL_SIZE as usize]);
    let big_crc64 = {
        use base64::Engine;
        let crc = crc_fast::checksum(crc_fast::CrcAlgorithm::Crc64Nvme, &data);
        base64::engine::general_purpose::STANDARD.encode(crc.to_be_bytes())
    };
    let _ = STATE.set(State {
        pages: render_pages(&small_etag),
        data: Bytes::from(data),
        big_etag: HeaderValue::from_str(&big_etag).expect("hex etag"),
        big_crc64: HeaderValue::from_str(&big_crc64).expect("base64"),
        small_etag: HeaderValue::from_str(&small_etag).expect("hex etag"),
        uploads: AtomicU64::new(0),
        requests: AtomicU64::new(0),
    });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(serve(port));
}

/// `"<hex MD5 of data>"`.
fn md5_etag(data: &[u8]) -> String {
    use md5::{Digest, Md5};
    let mut s = String::with_capacity(34);
    s.push('"');
    for b in Md5::digest(data) {
        s.push_str(&format!("{b:02x}"));
    }
    s.push('"');
    s
}

fn render_pages(etag: &str) -> Vec<Bytes> {
    let etag = etag.trim_matches('"');
    let pages = LIST_KEYS.div_ceil(LIST_PAGE);
    (0..pages)
        .map(|p| {
            let mut s = String::with_capacity(LIST_PAGE * 220 + 512);
            let first = p * LIST_PAGE;
            let last = ((p + 1) * LIST_PAGE).min(LIST_KEYS);
            let truncated = last < LIST_KEYS;
            s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
            s.push_str(&format!(
                "<ListBucketResult xmlns=\"{XMLNS}\"><Name>{BUCKET}</Name><Prefix>{LIST_PREFIX}</Prefix>\
                 <KeyCount>{}</KeyCount><MaxKeys>{LIST_PAGE}</MaxKeys><IsTruncated>{truncated}</IsTruncated>",
                last - first
            ));
            if p > 0 {
                s.push_str(&format!("<ContinuationToken>{p}</ContinuationToken>"));
            }
            if truncated {
                s.push_str(&format!("<NextContinuationToken>{}</NextContinuationToken>", p + 1));
            }
            for k in first..last {
                s.push_str(&format!(
                    "<Contents><Key>{LIST_PREFIX}{k:06}</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified>\
                     <ETag>&quot;{etag}&quot;</ETag><Size>{SMALL_SIZE}</Size>\
                     <StorageClass>STANDARD</StorageClass></Contents>"
                ));
            }
            s.push_str("</ListBucketResult>");
            Bytes::from(s)
        })
        .collect()
}

async fn serve(port: u16) {
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port)))
        .await
        .expect("bind");
    println!("listening {}", listener.local_addr().expect("local addr"));
    loop {
        let Ok((sock, _)) = listener.accept().await else {
            continue;
        };
        let _ = sock.set_nodelay(true);
        tokio::spawn(async move {
            let _ = hyper::server::conn::http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(sock), service_fn(handle))
                .await;
        });
    }
}

fn full(b: impl Into<Bytes>) -> Body {
    Full::new(b.into()).boxed()
}

fn empty() -> Body {
    Empty::new().boxed()
}

fn xml(status: StatusCode, body: impl Into<Bytes>) -> Response<Body> {
    let mut r = Response::new(full(body));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml"),
    );
    r
}

fn error(status: StatusCode, code: &str, msg: &str) -> Response<Body> {
    xml(
        status,
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{msg}</Message><RequestId>bench</RequestId></Error>"),
    )
}

fn query_has(query: &str, name: &str) -> bool {
    query
        .split('&')
        .any(|kv| kv.split('=').next() == Some(name))
}

fn query_get<'a>(query: &'a str, name: &str) -> Option<&'a str> {
    query.split('&').find_map(|kv| {
        let mut it = kv.splitn(2, '=');
        (it.next() == Some(name)).then(|| it.next().unwrap_or(""))
    })
}

/// Reads the request body to its end; returns the payload length (decoded
/// when the body is aws-chunked).
async fn drain(req: Request<Incoming>) -> Result<u64, String> {
    let chunked = req
        .headers()
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("aws-chunked"))
        || req
            .headers()
            .get("x-amz-content-sha256")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("STREAMING-"));
    let mut body = req.into_body();
    let mut dec = chunked.then(AwsChunkedDecoder::default);
    let mut n = 0u64;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| e.to_string())?;
        if let Some(data) = frame.data_ref() {
            n += data.len() as u64;
            if let Some(d) = dec.as_mut() {
                d.feed(data)?;
            }
        }
    }
    match dec {
        Some(d) if !d.is_done() => Err("truncated aws-chunked body".into()),
        Some(d) => Ok(d.decoded),
        None => Ok(n),
    }
}

/// Reads a small request body (a DeleteObjects document) whole.
async fn collect(req: Request<Incoming>) -> Result<Bytes, String> {
    req.into_body()
        .collect()
        .await
        .map(|c| c.to_bytes())
        .map_err(|e| e.to_string())
}

/// The DeleteObjects answer: empty in quiet mode, else one `<Deleted>` per key.
fn delete_result(body: &[u8]) -> String {
    let body = String::from_utf8_lossy(body);
    let mut out =
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DeleteResult xmlns=\"{XMLNS}\">");
    if !body.contains("<Quiet>true</Quiet>") {
        for part in body.split("<Key>").skip(1) {
            if let Some((key, _)) = part.split_once("</Key>") {
                out.push_str("<Deleted><Key>");
                out.push_str(key);
                out.push_str("</Key></Deleted>");
            }
        }
    }
    out.push_str("</DeleteResult>");
    out
}

fn object_size(key: &str) -> u64 {
    if key == BIG_KEY || key == BIG_CRC_KEY {
        BIG_SIZE
    } else {
        SMALL_SIZE
    }
}

fn object_headers(r: &mut Response<Body>, key: &str, len: u64) {
    let h = r.headers_mut();
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    let etag = if key == BIG_KEY || key == BIG_CRC_KEY {
        &state().big_etag
    } else {
        &state().small_etag
    };
    h.insert(header::ETAG, etag.clone());
    h.insert(
        header::LAST_MODIFIED,
        HeaderValue::from_static(LAST_MODIFIED),
    );
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
}

/// `bytes=a-b`, `bytes=a-`, `bytes=-n` against an object of `size` bytes.
fn parse_range(v: &str, size: u64) -> Option<(u64, u64)> {
    let spec = v.strip_prefix("bytes=")?;
    let (a, b) = spec.split_once('-')?;
    if a.is_empty() {
        let n: u64 = b.parse().ok()?;
        let n = n.min(size);
        return (n > 0).then(|| (size - n, size - 1));
    }
    let start: u64 = a.parse().ok()?;
    let end = if b.is_empty() {
        size - 1
    } else {
        b.parse::<u64>().ok()?.min(size - 1)
    };
    (start <= end && start < size).then_some((start, end))
}

fn get_object(req: &Request<Incoming>, key: &str, head: bool) -> Response<Body> {
    let size = object_size(key);
    let range = req
        .headers()
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .map(|v| parse_range(v, size));
    let (status, start, end) = match range {
        None => (StatusCode::OK, 0, size - 1),
        Some(Some((a, b))) => (StatusCode::PARTIAL_CONTENT, a, b),
        Some(None) => {
            return error(
                StatusCode::RANGE_NOT_SATISFIABLE,
                "InvalidRange",
                "bad range",
            )
        }
    };
    let len = end - start + 1;
    let body = if head {
        empty()
    } else {
        let data = state().data.slice(start as usize..=end as usize);
        let frames = (0..data.len().div_ceil(FRAME)).map(move |i| {
            let a = i * FRAME;
            let b = (a + FRAME).min(data.len());
            Ok::<_, Infallible>(Frame::data(data.slice(a..b)))
        });
        StreamBody::new(stream::iter(frames)).boxed()
    };
    let mut r = Response::new(body);
    *r.status_mut() = status;
    object_headers(&mut r, key, len);
    let checksum_mode = req
        .headers()
        .get("x-amz-checksum-mode")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("ENABLED"));
    if key == BIG_CRC_KEY && status == StatusCode::OK && checksum_mode {
        let h = r.headers_mut();
        h.insert("x-amz-checksum-crc64nvme", state().big_crc64.clone());
        h.insert(
            "x-amz-checksum-type",
            HeaderValue::from_static("FULL_OBJECT"),
        );
    }
    if status == StatusCode::PARTIAL_CONTENT {
        r.headers_mut().insert(
            header::CONTENT_RANGE,
            HeaderValue::from_str(&format!("bytes {start}-{end}/{size}")).expect("header"),
        );
    }
    r
}

async fn handle(req: Request<Incoming>) -> Result<Response<Body>, Infallible> {
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    if path == "/__requests" {
        let n = state().requests.load(Ordering::Relaxed);
        return Ok(Response::new(full(n.to_string())));
    }
    if path == "/__cpu" {
        let (u, s) = cpu_time();
        return Ok(Response::new(full((u + s).as_micros().to_string())));
    }
    state().requests.fetch_add(1, Ordering::Relaxed);
    let trimmed = path.trim_start_matches('/');
    let (bucket, key) = match trimmed.split_once('/') {
        Some((b, k)) => (b.to_string(), k.to_string()),
        None => (trimmed.to_string(), String::new()),
    };
    let method = req.method().clone();
    let resp = if key.is_empty() {
        // Bucket operations.
        match method {
            Method::HEAD => {
                let mut r = Response::new(empty());
                r.headers_mut()
                    .insert("x-amz-bucket-region", HeaderValue::from_static("us-east-1"));
                r
            }
            Method::GET if query_has(&query, "location") => xml(
                StatusCode::OK,
                format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LocationConstraint xmlns=\"{XMLNS}\"></LocationConstraint>"),
            ),
            Method::GET => {
                let pages = &state().pages;
                let page = query_get(&query, "continuation-token")
                    .and_then(|t| t.parse::<usize>().ok())
                    .unwrap_or(0);
                match pages.get(page) {
                    Some(p) => xml(StatusCode::OK, p.clone()),
                    None => error(StatusCode::BAD_REQUEST, "InvalidArgument", "bad continuation token"),
                }
            }
            Method::POST if query_has(&query, "delete") => match collect(req).await {
                Ok(body) => xml(StatusCode::OK, delete_result(&body)),
                Err(e) => error(StatusCode::BAD_REQUEST, "IncompleteBody", &e),
            },
            Method::PUT => {
                let _ = drain(req).await;
                Response::new(empty())
            }
            _ => error(StatusCode::NOT_IMPLEMENTED, "NotImplemented", "bucket operation"),
        }
    } else {
        match method {
            Method::HEAD => get_object(&req, &key, true),
            Method::GET => get_object(&req, &key, false),
            Method::PUT => match drain(req).await {
                Ok(_) => {
                    let mut r = Response::new(empty());
                    r.headers_mut()
                        .insert(header::ETAG, HeaderValue::from_static(ETAG));
                    r
                }
                Err(e) => error(StatusCode::BAD_REQUEST, "IncompleteBody", &e),
            },
            Method::POST if query_has(&query, "uploads") => {
                let id = state().uploads.fetch_add(1, Ordering::Relaxed);
                let _ = drain(req).await;
                xml(
                    StatusCode::OK,
                    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<InitiateMultipartUploadResult xmlns=\"{XMLNS}\"><Bucket>{bucket}</Bucket><Key>{key}</Key><UploadId>upload-{id}</UploadId></InitiateMultipartUploadResult>"),
                )
            }
            Method::POST if query_has(&query, "uploadId") => match drain(req).await {
                Ok(_) => xml(
                    StatusCode::OK,
                    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CompleteMultipartUploadResult xmlns=\"{XMLNS}\"><Location>http://127.0.0.1/{bucket}/{key}</Location><Bucket>{bucket}</Bucket><Key>{key}</Key><ETag>&quot;0123456789abcdef0123456789abcdef-1&quot;</ETag></CompleteMultipartUploadResult>"),
                ),
                Err(e) => error(StatusCode::BAD_REQUEST, "IncompleteBody", &e),
            },
            Method::DELETE => {
                let mut r = Response::new(empty());
                *r.status_mut() = StatusCode::NO_CONTENT;
                r
            }
            _ => error(StatusCode::NOT_IMPLEMENTED, "NotImplemented", "object operation"),
        }
    };
    Ok(resp)
}
