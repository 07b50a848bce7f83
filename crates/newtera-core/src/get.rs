//! get_object (a streaming body) and stat_object; fget_object lives in
//! `fget.rs`.

use std::collections::BTreeMap;
use std::io;
use std::sync::Arc;

use bytes::Bytes;
use futures::{StreamExt as _, TryStreamExt as _};
use http::{header, HeaderMap, HeaderName, HeaderValue, Method};
use tokio::io::AsyncRead;

use crate::client::{Newtera, S3Request};
use crate::error::{Error, Result};
use crate::headers::etag_header;
use crate::integrity;
pub use crate::object_body::ObjectBody;
use crate::object_body::{answer_span, BodyState};
use crate::progress::{DownloadOptions, Meter};
use crate::put::trim_etag;
use crate::types::{Object, SseCustomerKey};
use crate::validate::{check_bucket_name, check_object_name};
use crate::{into_future, time};

/// Downloads an object as a stream. Built by [`Newtera::get_object`].
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct GetObject {
    pub(crate) client: Newtera,
    pub(crate) bucket: String,
    pub(crate) object: String,
    pub(crate) offset: u64,
    pub(crate) length: Option<u64>,
    pub(crate) opts: ReadOptions,
    pub(crate) download: DownloadOptions,
}

/// Reads object information. Built by [`Newtera::stat_object`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct StatObject {
    pub(crate) client: Newtera,
    pub(crate) bucket: String,
    pub(crate) object: String,
    pub(crate) opts: ReadOptions,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct ReadOptions {
    pub(crate) headers: HeaderMap,
    pub(crate) ssec: Option<SseCustomerKey>,
    pub(crate) version_id: Option<String>,
    pub(crate) extra_query_params: Vec<(String, String)>,
    pub(crate) match_etag: Option<String>,
    pub(crate) not_match_etag: Option<String>,
    pub(crate) modified_since: Option<std::time::SystemTime>,
    pub(crate) unmodified_since: Option<std::time::SystemTime>,
}

impl ReadOptions {
    pub(crate) fn check(&self, client: &Newtera) -> Result<()> {
        if self.ssec.is_some() && !client.is_secure() {
            return Err(Error::arg(
                "ssec",
                "SSE-C keys are only sent over HTTPS; this client uses plain HTTP",
            ));
        }
        for (param, etag) in [
            ("match_etag", &self.match_etag),
            ("not_match_etag", &self.not_match_etag),
        ] {
            if let Some(e) = etag.as_deref().filter(|e| etag_header(e).is_none()) {
                return Err(Error::arg(param, format!("{e:?} is not a valid ETag")));
            }
        }
        Ok(())
    }

    fn apply<'a>(&self, mut req: S3Request<'a>) -> S3Request<'a> {
        let mut h = self.headers.clone();
        if let Some(k) = &self.ssec {
            k.headers(&mut h);
        }
        for (name, etag) in [
            (http::header::IF_MATCH, &self.match_etag),
            (http::header::IF_NONE_MATCH, &self.not_match_etag),
        ] {
            if let Some(v) = etag.as_deref().and_then(etag_header) {
                h.insert(name, v);
            }
        }
        for (name, t) in [
            (http::header::IF_MODIFIED_SINCE, self.modified_since),
            (http::header::IF_UNMODIFIED_SINCE, self.unmodified_since),
        ] {
            if let Some(v) = t.and_then(|t| HeaderValue::from_str(&time::format_http_date(t)).ok())
            {
                h.insert(name, v);
            }
        }
        req = req.headers(h).extra_query(&self.extra_query_params);
        req.query_opt("versionId", self.version_id.as_deref())
    }
}

macro_rules! read_setters {
    ($ty:ty, $headers:ident) => {
        impl $ty {
            /// Extra HTTP headers for the request.
            pub fn $headers(mut self, headers: HeaderMap) -> Self {
                self.opts.headers.extend(headers);
                self
            }
            /// The SSE-C key the object was written with.
            pub fn ssec(mut self, key: SseCustomerKey) -> Self {
                self.opts.ssec = Some(key);
                self
            }
            /// A specific version of the object.
            pub fn version_id(mut self, v: impl Into<String>) -> Self {
                self.opts.version_id = Some(v.into());
                self
            }
            /// Extra query parameters for advanced usage.
            pub fn extra_query_params<K, V>(
                mut self,
                params: impl IntoIterator<Item = (K, V)>,
            ) -> Self
            where
                K: Into<String>,
                V: Into<String>,
            {
                self.opts
                    .extra_query_params
                    .extend(params.into_iter().map(|(k, v)| (k.into(), v.into())));
                self
            }
            /// Only if the object's ETag is this one (`If-Match`; quotes
            /// optional, `*` for any); otherwise the server answers 412
            /// ([`Error::is_precondition_failed`]).
            pub fn match_etag(mut self, etag: impl Into<String>) -> Self {
                self.opts.match_etag = Some(etag.into());
                self
            }
            /// Only if the object's ETag is not this one (`If-None-Match`);
            /// otherwise the server answers 304 ([`Error::is_not_modified`]).
            pub fn not_match_etag(mut self, etag: impl Into<String>) -> Self {
                self.opts.not_match_etag = Some(etag.into());
                self
            }
            /// Only if the object was modified after `t`
            /// (`If-Modified-Since`, whole seconds); otherwise 304.
            pub fn modified_since(mut self, t: std::time::SystemTime) -> Self {
                self.opts.modified_since = Some(t);
                self
            }
            /// Only if the object was not modified after `t`
            /// (`If-Unmodified-Since`, whole seconds); otherwise 412.
            pub fn unmodified_since(mut self, t: std::time::SystemTime) -> Self {
                self.opts.unmodified_since = Some(t);
                self
            }
        }
    };
}
pub(crate) use read_setters;
read_setters!(GetObject, request_headers);
read_setters!(StatObject, extra_headers);
crate::parallel_get::download_setters!(GetObject, "1");

impl Newtera {
    /// Gets the data of an object as a stream (optionally a byte range).
    pub fn get_object(
        &self,
        bucket_name: impl Into<String>,
        object_name: impl Into<String>,
    ) -> GetObject {
        GetObject {
            client: self.clone(),
            bucket: bucket_name.into(),
            object: object_name.into(),
            offset: 0,
            length: None,
            opts: ReadOptions::default(),
            download: DownloadOptions::default(),
        }
    }

    /// Gets the information and metadata of an object.
    pub fn stat_object(
        &self,
        bucket_name: impl Into<String>,
        object_name: impl Into<String>,
    ) -> StatObject {
        StatObject {
            client: self.clone(),
            bucket: bucket_name.into(),
            object: object_name.into(),
            opts: ReadOptions::default(),
        }
    }
}

impl GetObject {
    /// Start at byte `offset`.
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = offset;
        self
    }

    /// Read `length` bytes (`0`, the default, reads to the end).
    pub fn length(mut self, length: u64) -> Self {
        self.length = (length > 0).then_some(length);
        self
    }

    /// Receives the number of bytes the read delivers and, as the body
    /// stream yields them, the bytes delivered; each byte of the object is
    /// counted once, also when a cut read resumes or a damaged one is read
    /// again by [`GetObjectResponse::bytes`].
    pub fn progress(mut self, p: std::sync::Arc<dyn crate::Progress>) -> Self {
        self.download.progress = Some(p);
        self
    }

    /// Sends the request; the body streams as it arrives (with
    /// [`num_parallel_downloads`](Self::num_parallel_downloads) above 1, a
    /// HEAD first, then ranges fetched ahead and handed out in order).
    pub async fn send(self) -> Result<GetObjectResponse> {
        check_bucket_name(&self.bucket)?;
        check_object_name(&self.object)?;
        self.opts.check(&self.client)?;
        crate::parallel_get::check_options(&self.download)?;
        if self.download.parallel.is_some_and(|n| n > 1) {
            if let Some(resp) = Box::pin(crate::parallel_get::ordered::send(&self)).await? {
                return Ok(resp);
            }
        }
        let range = range_header(self.offset, self.length)?;
        let whole = range.is_none();
        let want_end = self.length.and_then(|l| self.offset.checked_add(l));
        let resp = self.fetch(range, None).await?;
        let (parts, body) = resp.into_parts();
        let span = answer_span(&parts.headers, parts.status)?;
        let verifier = if whole && parts.status == http::StatusCode::OK {
            integrity::verifier(&self, &parts.headers).await?
        } else {
            None
        };
        let etag = header_str(&parts.headers, header::ETAG).map(str::to_owned);
        let resumes = self.client.inner.resume_attempts;
        let meter = self.download.meter_from(self.offset);
        let (bucket_name, object_name) = (self.bucket.clone(), self.object.clone());
        // One copy of the read, shared by the body (to resume) and the
        // response (to read again).
        let read = Arc::new(self);
        let body = BodyState::start(
            body.into_stream().boxed(),
            parts.status,
            span,
            read.offset,
            want_end,
            etag.clone(),
            verifier,
            read.clone(),
            resumes,
            meter.clone(),
        )?;
        Ok(GetObjectResponse {
            bucket_name,
            object_name,
            headers: parts.headers,
            status: parts.status,
            body,
            // A whole read that fails its checksum reads the same object again.
            again: Again { read, meter, etag },
        })
    }

    pub(crate) fn client(&self) -> &Newtera {
        &self.client
    }

    pub(crate) fn bucket(&self) -> &str {
        &self.bucket
    }

    pub(crate) fn object(&self) -> &str {
        &self.object
    }

    /// `req` with this read's headers, SSE-C key, version and extra query.
    pub(crate) fn apply_opts<'a>(&self, req: S3Request<'a>) -> S3Request<'a> {
        self.opts.apply(req)
    }

    /// One GetObject request for `range`, pinned to `if_match` when given.
    pub(crate) async fn fetch(
        &self,
        range: Option<HeaderValue>,
        if_match: Option<&str>,
    ) -> Result<newtera_transport::HttpResponse> {
        let mut req = S3Request::new("GetObject", Method::GET)
            .bucket(&self.bucket)
            .object(&self.object);
        if let Some(r) = range {
            req = req.header(http::header::RANGE, r);
        }
        if let Some(tag) = if_match.and_then(|t| HeaderValue::from_str(t).ok()) {
            req = req.header(http::header::IF_MATCH, tag);
        }
        if self.client.inner.checksum.is_some() {
            req = req.header(
                http::HeaderName::from_static("x-amz-checksum-mode"),
                HeaderValue::from_static("ENABLED"),
            );
        }
        req = self.opts.apply(req);
        self.client.send(req).await
    }
}

/// The `Range` header for `offset`/`length`, refusing ranges that overflow.
fn range_header(offset: u64, length: Option<u64>) -> Result<Option<HeaderValue>> {
    let value = match (offset, length) {
        (0, None) => return Ok(None),
        (o, None) => format!("bytes={o}-"),
        (o, Some(l)) => {
            let last = o.checked_add(l - 1).ok_or_else(|| {
                Error::arg("length", format!("offset {o} + length {l} overflows"))
            })?;
            format!("bytes={o}-{last}")
        }
    };
    HeaderValue::from_str(&value)
        .map(Some)
        .map_err(|_| Error::arg("offset", "cannot form a Range header"))
}

/// The answer of `get_object`: headers and a streaming body.
#[derive(Debug)]
#[non_exhaustive]
pub struct GetObjectResponse {
    /// The bucket.
    pub bucket_name: String,
    /// The object.
    pub object_name: String,
    /// The response headers.
    pub headers: HeaderMap,
    /// 200, or 206 for a range.
    pub status: http::StatusCode,
    /// The object data.
    pub body: ObjectBody,
    /// The same read, pinned to the same object, for reading it again.
    pub(crate) again: Again,
}

/// The most [`GetObjectResponse::bytes`] reserves up front from the
/// announced length (64 MiB); a longer body grows its buffer as it comes.
const RESERVE_MAX: u64 = 64 << 20;

/// A body gathered into one `Bytes`: a body of one chunk is that chunk
/// (no copy); a longer one is copied once into a buffer sized from the
/// announced length.
struct Gather {
    first: Option<Bytes>,
    rest: bytes::BytesMut,
    hint: usize,
}

impl Gather {
    fn new(hint: usize) -> Gather {
        Gather {
            first: None,
            rest: bytes::BytesMut::new(),
            hint,
        }
    }

    fn push(&mut self, chunk: Bytes) {
        if self.rest.is_empty() {
            let Some(first) = self.first.take() else {
                self.first = Some(chunk);
                return;
            };
            self.rest.reserve(self.hint.max(first.len() + chunk.len()));
            self.rest.extend_from_slice(&first);
        }
        self.rest.extend_from_slice(&chunk);
    }

    fn finish(self) -> Bytes {
        match self.first {
            Some(only) => only,
            None => self.rest.freeze(),
        }
    }
}

/// What reading an object again takes: the read itself, shared with its
/// body, and what the new read changes; the new read is built only when
/// one is needed.
pub(crate) struct Again {
    pub(crate) read: Arc<GetObject>,
    /// Progress, counted on from where the first read left it.
    pub(crate) meter: Option<Arc<Meter>>,
    /// The ETag the first answer had: the new read is pinned to it.
    pub(crate) etag: Option<String>,
}

impl std::fmt::Debug for Again {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Again")
            .field("read", &self.read)
            .field("etag", &self.etag)
            .finish_non_exhaustive()
    }
}

impl Again {
    /// The read to send again.
    fn request(&self) -> GetObject {
        let mut again = (*self.read).clone();
        again.download.meter = self.meter.clone();
        if let Some(tag) = self
            .etag
            .as_deref()
            .and_then(|t| HeaderValue::from_str(t).ok())
        {
            again
                .opts
                .headers
                .entry(http::header::IF_MATCH)
                .or_insert(tag);
        }
        again
    }
}

impl GetObjectResponse {
    /// The `Content-Length` of this response.
    pub fn content_length(&self) -> Option<u64> {
        header_str(&self.headers, header::CONTENT_LENGTH).and_then(|v| v.parse().ok())
    }

    /// The object's ETag, without quotes.
    pub fn etag(&self) -> Option<String> {
        header_str(&self.headers, header::ETAG).map(trim_etag)
    }

    /// The body as a `Stream` of `Bytes`.
    pub fn into_stream(self) -> ObjectBody {
        self.body
    }

    /// The body as a tokio `AsyncRead`.
    pub fn into_async_read(self) -> impl AsyncRead + Send + Unpin {
        tokio_util::io::StreamReader::new(self.body.map_err(io::Error::other))
    }

    /// Reads the whole body into memory. Fine for small objects; use the
    /// stream for large ones.
    ///
    /// A body that fails its checksum (damaged on the way) is read again,
    /// pinned to the same ETag, as long as the client's retry settings (the
    /// attempt bound and the retry budget) allow; then the
    /// [`Error::ChecksumMismatch`] comes. A caller reading the stream
    /// itself has already been handed the bytes and gets the error.
    pub async fn bytes(self) -> Result<Bytes> {
        let hint = self.content_length().unwrap_or(0).min(RESERVE_MAX) as usize;
        let again = self.again;
        let mut body = self.body;
        let mut attempts = 1;
        loop {
            let mut out = Gather::new(hint);
            let mut failed = None;
            while let Some(chunk) = body.next().await {
                match chunk {
                    Ok(c) => out.push(c),
                    Err(e) => {
                        failed = Some(e);
                        break;
                    }
                }
            }
            let Some(err) = failed else {
                return Ok(out.finish());
            };
            let Some(delay) = again.read.read_again_after(damaged(&err), attempts) else {
                return Err(err);
            };
            tokio::time::sleep(delay).await;
            attempts += 1;
            body = again.request().send().await?.body;
        }
    }
}

impl GetObject {
    /// How long to wait before reading the object again, when the bytes
    /// read were `damaged` and the retry settings allow another attempt
    /// after `attempts`.
    pub(crate) fn read_again_after(
        &self,
        damaged: bool,
        attempts: u32,
    ) -> Option<std::time::Duration> {
        if !damaged {
            return None;
        }
        let delay = self.client.inner.transport.retry_after(attempts)?;
        tracing::debug!(attempts, "a download failed its checksum; reading it again");
        Some(delay)
    }
}

/// Does `e` say that the bytes of a whole download were damaged on the way
/// (so that reading the object again may help)?
pub(crate) fn damaged(e: &Error) -> bool {
    matches!(e, Error::ChecksumMismatch { .. })
}

fn header_str(h: &HeaderMap, name: impl header::AsHeaderName) -> Option<&str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

// Names, not strings: a lookup by string parses the name every time.
const X_AMZ_VERSION_ID: HeaderName = HeaderName::from_static("x-amz-version-id");
const X_AMZ_DELETE_MARKER: HeaderName = HeaderName::from_static("x-amz-delete-marker");
const X_AMZ_STORAGE_CLASS: HeaderName = HeaderName::from_static("x-amz-storage-class");

/// Object information from the headers of a HEAD or GET answer.
pub(crate) fn object_from_headers(bucket: String, object: String, h: HeaderMap) -> Object {
    let mut user_metadata = BTreeMap::new();
    for (name, value) in &h {
        if let Some(key) = name.as_str().strip_prefix("x-amz-meta-") {
            if let Ok(v) = value.to_str() {
                user_metadata.insert(key.to_owned(), v.to_owned());
            }
        }
    }
    Object {
        bucket_name: bucket.into(),
        object_name: object,
        last_modified: header_str(&h, header::LAST_MODIFIED).and_then(time::parse_http_date),
        etag: header_str(&h, header::ETAG).map(trim_etag),
        size: header_str(&h, header::CONTENT_LENGTH).and_then(|v| v.parse().ok()),
        content_type: header_str(&h, header::CONTENT_TYPE).map(str::to_owned),
        version_id: header_str(&h, X_AMZ_VERSION_ID).map(str::to_owned),
        is_delete_marker: header_str(&h, X_AMZ_DELETE_MARKER) == Some("true"),
        storage_class: header_str(&h, X_AMZ_STORAGE_CLASS).map(str::to_owned),
        user_metadata,
        metadata: h,
        ..Object::default()
    }
}

impl StatObject {
    /// Sends the request.
    pub async fn send(self) -> Result<Object> {
        check_bucket_name(&self.bucket)?;
        check_object_name(&self.object)?;
        self.opts.check(&self.client)?;
        let req = S3Request::new("HeadObject", Method::HEAD)
            .bucket(&self.bucket)
            .object(&self.object);
        let resp = self.client.send(self.opts.apply(req)).await?;
        let headers = resp.into_parts().0.headers;
        Ok(object_from_headers(self.bucket, self.object, headers))
    }
}

into_future!(GetObject => GetObjectResponse);
into_future!(StatObject => Object);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert!(range_header(0, None).unwrap().is_none());
        assert_eq!(range_header(512, None).unwrap().unwrap(), "bytes=512-");
        assert_eq!(
            range_header(512, Some(1024)).unwrap().unwrap(),
            "bytes=512-1535"
        );
        assert_eq!(range_header(0, Some(1)).unwrap().unwrap(), "bytes=0-0");
        assert!(range_header(u64::MAX, Some(2)).is_err());
    }

    #[test]
    fn a_body_of_one_chunk_is_handed_back_without_a_copy() {
        let chunk = Bytes::from(vec![7u8; 1024]);
        let mut g = Gather::new(1024);
        g.push(chunk.clone());
        let out = g.finish();
        assert_eq!(out.as_ptr(), chunk.as_ptr());
        assert_eq!(out, chunk);
    }

    #[test]
    fn a_body_of_many_chunks_is_joined_in_order() {
        let mut g = Gather::new(6);
        for part in [&b"ab"[..], b"", b"cd", b"ef"] {
            g.push(Bytes::copy_from_slice(part));
        }
        assert_eq!(g.finish(), Bytes::from_static(b"abcdef"));
        assert!(Gather::new(0).finish().is_empty());
    }
}
