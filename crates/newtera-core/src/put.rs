//! put_object and fput_object: a single PUT, or a parallel multipart upload
//! with bounded memory that aborts cleanly on any failure.

use std::path::PathBuf;
use std::sync::Arc;

use http::{HeaderMap, HeaderValue, Method};
use newtera_signer::PayloadHash;
use tokio::task::JoinSet;

use crate::checksum::{self, ChecksumAlgorithm};
use crate::client::{Newtera, S3Request};
use crate::content::{ObjectContent, PartData};
use crate::error::{Error, Result};
use crate::headers::ObjectHeaders;
use crate::into_future;
pub(crate) use crate::multipart::abort;
use crate::multipart::{part_error, write_result, Target};
use crate::types::{ObjectWriteResult, Progress, Retention, Sse, Tags};
use crate::validate::{check_bucket_name, check_object_name};

/// Smallest part S3 accepts (but for the last).
pub const MIN_PART_SIZE: u64 = 5 * 1024 * 1024;
/// Largest part S3 accepts.
pub const MAX_PART_SIZE: u64 = 5 * 1024 * 1024 * 1024;
/// Most parts in one upload.
pub const MAX_PARTS: u64 = 10_000;
/// Largest object S3 accepts.
pub const MAX_OBJECT_SIZE: u64 = 5 * 1024 * 1024 * 1024 * 1024;
/// Smallest part size chosen automatically for a known length.
const AUTO_MIN_PART_SIZE: u64 = 8 * 1024 * 1024;

/// Uploads data to an object. Built by [`Newtera::put_object`].
#[must_use = "a request does nothing until awaited"]
pub struct PutObject {
    client: Newtera,
    bucket: String,
    object: String,
    content: ObjectContent,
    opts: PutOptions,
}

/// Uploads a file to an object. Built by [`Newtera::fput_object`].
#[must_use = "a request does nothing until awaited"]
pub struct FPutObject {
    client: Newtera,
    bucket: String,
    object: String,
    file_path: PathBuf,
    opts: PutOptions,
}

#[derive(Clone)]
struct PutOptions {
    content_type: Option<String>,
    metadata: Vec<(String, String)>,
    sse: Option<Sse>,
    progress: Option<Arc<dyn Progress>>,
    part_size: Option<u64>,
    num_parallel_uploads: usize,
    tags: Option<Tags>,
    retention: Option<Retention>,
    legal_hold: bool,
}

impl Default for PutOptions {
    fn default() -> Self {
        PutOptions {
            content_type: None,
            metadata: Vec::new(),
            sse: None,
            progress: None,
            part_size: None,
            num_parallel_uploads: 3,
            tags: None,
            retention: None,
            legal_hold: false,
        }
    }
}

impl std::fmt::Debug for PutOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PutOptions")
            .field("content_type", &self.content_type)
            .field("metadata", &self.metadata)
            .field("sse", &self.sse)
            .field("part_size", &self.part_size)
            .field("num_parallel_uploads", &self.num_parallel_uploads)
            .field("tags", &self.tags)
            .field("retention", &self.retention)
            .field("legal_hold", &self.legal_hold)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for PutObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PutObject")
            .field("bucket", &self.bucket)
            .field("object", &self.object)
            .field("content", &self.content)
            .field("opts", &self.opts)
            .finish()
    }
}

impl std::fmt::Debug for FPutObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FPutObject")
            .field("bucket", &self.bucket)
            .field("object", &self.object)
            .field("file_path", &self.file_path)
            .field("opts", &self.opts)
            .finish()
    }
}

impl Newtera {
    /// Uploads `data` to an object. `data` is anything convertible into
    /// [`ObjectContent`]: bytes, or `ObjectContent::from_reader`/`from_stream`
    /// with a known or unknown length.
    pub fn put_object(
        &self,
        bucket_name: impl Into<String>,
        object_name: impl Into<String>,
        data: impl Into<ObjectContent>,
    ) -> PutObject {
        PutObject {
            client: self.clone(),
            bucket: bucket_name.into(),
            object: object_name.into(),
            content: data.into(),
            opts: PutOptions::default(),
        }
    }

    /// Uploads the file at `file_path` to an object.
    pub fn fput_object(
        &self,
        bucket_name: impl Into<String>,
        object_name: impl Into<String>,
        file_path: impl Into<PathBuf>,
    ) -> FPutObject {
        FPutObject {
            client: self.clone(),
            bucket: bucket_name.into(),
            object: object_name.into(),
            file_path: file_path.into(),
            opts: PutOptions::default(),
        }
    }
}

macro_rules! put_setters {
    ($ty:ty) => {
        impl $ty {
            /// The object's `Content-Type` (default `application/octet-stream`).
            pub fn content_type(mut self, v: impl Into<String>) -> Self {
                self.opts.content_type = Some(v.into());
                self
            }
            /// Metadata: user keys are sent as `x-amz-meta-<key>`; standard
            /// headers (cache-control, content-disposition, content-encoding,
            /// content-language, expires) and `x-amz-*` keys pass through.
            /// Values must be US-ASCII.
            pub fn metadata<K, V>(mut self, pairs: impl IntoIterator<Item = (K, V)>) -> Self
            where
                K: Into<String>,
                V: Into<String>,
            {
                self.opts
                    .metadata
                    .extend(pairs.into_iter().map(|(k, v)| (k.into(), v.into())));
                self
            }
            /// Server-side encryption.
            pub fn sse(mut self, sse: impl Into<Sse>) -> Self {
                self.opts.sse = Some(sse.into());
                self
            }
            /// Receives the total and the bytes the server acknowledged.
            pub fn progress(mut self, p: Arc<dyn Progress>) -> Self {
                self.opts.progress = Some(p);
                self
            }
            /// Multipart part size, 5 MiB to 5 GiB; required for unknown lengths.
            pub fn part_size(mut self, size: u64) -> Self {
                self.opts.part_size = Some(size);
                self
            }
            /// Parts uploaded at once (default 3).
            pub fn num_parallel_uploads(mut self, n: usize) -> Self {
                self.opts.num_parallel_uploads = n;
                self
            }
            /// Object tags.
            pub fn tags(mut self, tags: Tags) -> Self {
                self.opts.tags = Some(tags);
                self
            }
            /// Object-lock retention.
            pub fn retention(mut self, r: Retention) -> Self {
                self.opts.retention = Some(r);
                self
            }
            /// Object-lock legal hold.
            pub fn legal_hold(mut self, on: bool) -> Self {
                self.opts.legal_hold = on;
                self
            }
        }
    };
}
put_setters!(PutObject);
put_setters!(FPutObject);

/// The part size and count for an upload, checked against the S3 limits.
pub fn part_plan(length: Option<u64>, part_size: Option<u64>) -> Result<(u64, Option<u64>)> {
    if let Some(ps) = part_size {
        if ps < MIN_PART_SIZE {
            return Err(Error::arg(
                "part_size",
                format!("{ps} is below the 5 MiB minimum"),
            ));
        }
        if ps > MAX_PART_SIZE {
            return Err(Error::arg(
                "part_size",
                format!("{ps} is above the 5 GiB maximum"),
            ));
        }
    }
    let Some(len) = length else {
        let ps = part_size
            .ok_or_else(|| Error::arg("part_size", "required when the length is unknown"))?;
        return Ok((ps, None));
    };
    if len > MAX_OBJECT_SIZE {
        return Err(Error::arg(
            "length",
            format!("{len} is above the 5 TiB maximum object size"),
        ));
    }
    let ps = match part_size {
        Some(ps) => ps,
        None => {
            let per_part = len.div_ceil(MAX_PARTS);
            (per_part.div_ceil(MIN_PART_SIZE) * MIN_PART_SIZE).max(AUTO_MIN_PART_SIZE)
        }
    };
    let count = len.div_ceil(ps).max(1);
    if count > MAX_PARTS {
        return Err(Error::arg(
            "part_size",
            format!("{ps} gives {count} parts for {len} bytes; at most {MAX_PARTS} are allowed"),
        ));
    }
    Ok((ps, Some(count)))
}

/// The `Content-MD5` header value of `data`.
fn content_md5(data: &PartData) -> HeaderValue {
    use base64::Engine as _;
    use md5::Digest as _;
    let mut md5 = md5::Md5::new();
    for c in data.chunks() {
        md5.update(c);
    }
    let b64 = base64::engine::general_purpose::STANDARD.encode(md5.finalize());
    HeaderValue::from_str(&b64).unwrap_or_else(|_| HeaderValue::from_static(""))
}

impl PutOptions {
    /// S3 requires an integrity header on writes that set object-lock state.
    fn needs_content_md5(&self) -> bool {
        self.retention.is_some() || self.legal_hold
    }

    fn check(&self, client: &Newtera) -> Result<()> {
        if let Some(sse) = &self.sse {
            if sse.tls_required() && !client.is_secure() {
                return Err(Error::arg(
                    "sse",
                    "SSE-C and SSE-KMS keys are only sent over HTTPS; this client uses plain HTTP",
                ));
            }
        }
        if self.num_parallel_uploads == 0 {
            return Err(Error::arg("num_parallel_uploads", "must be at least 1"));
        }
        if let Some(r) = &self.retention {
            r.check()?;
        }
        Ok(())
    }

    /// Headers of the PutObject / CreateMultipartUpload request.
    fn object_headers(&self) -> Result<HeaderMap> {
        ObjectHeaders {
            metadata: &self.metadata,
            content_type: self.content_type.as_deref(),
            default_content_type: true,
            sse: self.sse.as_ref(),
            tags: self.tags.as_ref(),
            retention: self.retention.as_ref(),
            legal_hold: self.legal_hold,
        }
        .build()
    }
}

impl PutObject {
    /// Sends the upload.
    pub async fn send(self) -> Result<ObjectWriteResult> {
        check_bucket_name(&self.bucket)?;
        check_object_name(&self.object)?;
        self.opts.check(&self.client)?;
        let headers = self.opts.object_headers()?;
        let upload = Upload {
            client: self.client,
            bucket: self.bucket,
            object: self.object,
            opts: self.opts,
            headers,
        };
        upload.run(self.content).await
    }
}

impl FPutObject {
    /// Sends the upload.
    pub async fn send(self) -> Result<ObjectWriteResult> {
        check_bucket_name(&self.bucket)?;
        check_object_name(&self.object)?;
        self.opts.check(&self.client)?;
        let io_err = |source| Error::Io {
            path: self.file_path.clone(),
            source,
        };
        let file = tokio::fs::File::open(&self.file_path)
            .await
            .map_err(io_err)?;
        let meta = file.metadata().await.map_err(io_err)?;
        if !meta.is_file() {
            return Err(Error::arg(
                "file_path",
                format!("{} is not a regular file", self.file_path.display()),
            ));
        }
        let content = ObjectContent::from_reader(file, Some(meta.len()));
        PutObject {
            client: self.client,
            bucket: self.bucket,
            object: self.object,
            content,
            opts: self.opts,
        }
        .send()
        .await
    }
}

into_future!(PutObject => ObjectWriteResult);
into_future!(FPutObject => ObjectWriteResult);

struct Upload {
    client: Newtera,
    bucket: String,
    object: String,
    opts: PutOptions,
    headers: HeaderMap,
}

fn short_input(got: u64, want: u64) -> Error {
    Error::Input(std::io::Error::new(
        std::io::ErrorKind::UnexpectedEof,
        format!("the data ended after {got} of its declared {want} bytes"),
    ))
}

impl Upload {
    async fn run(self, mut content: ObjectContent) -> Result<ObjectWriteResult> {
        let length = content.length();
        let (part_size, part_count) = part_plan(length, self.opts.part_size)?;
        if let Some(p) = &self.opts.progress {
            p.set_total(length);
        }
        let ps = usize::try_from(part_size)
            .map_err(|_| Error::arg("part_size", "too large for this platform"))?;
        // Everything fits one request?
        let first_len = match length {
            Some(len) if len <= part_size => len as usize,
            _ => ps,
        };
        let first = content.read_chunk(first_len).await.map_err(Error::Input)?;
        if let Some(len) = length {
            if len <= part_size {
                if (first.len() as u64) < len {
                    return Err(short_input(first.len() as u64, len));
                }
                return self.single(first).await;
            }
        } else if first.len() < ps {
            return self.single(first).await;
        }
        // Boxed: the multipart state (task set, guard, part bookkeeping) is
        // large, and would otherwise be moved with every small upload's future.
        Box::pin(self.multipart(content, first, part_size, part_count)).await
    }

    async fn single(&self, data: PartData) -> Result<ObjectWriteResult> {
        let len = data.len() as u64;
        let mut headers = self.headers.clone();
        if self.opts.needs_content_md5() {
            headers.insert("content-md5", content_md5(&data));
        }
        if let Some(alg) = self.client.inner.checksum {
            checksum::set_value(
                &mut headers,
                alg,
                &checksum::compute_chunks(alg, data.chunks()),
            );
        }
        let req = S3Request::new("PutObject", Method::PUT)
            .bucket(&self.bucket)
            .object(&self.object)
            .headers(headers)
            .body(data.into_body(), PayloadHash::Unsigned);
        let resp = self.client.send(req).await?;
        if let Some(p) = &self.opts.progress {
            p.update(len);
        }
        Ok(write_result(&self.bucket, &self.object, &resp, None))
    }

    fn target(&self) -> Target<'_> {
        Target {
            client: &self.client,
            bucket: &self.bucket,
            object: &self.object,
        }
    }

    async fn multipart(
        self,
        mut content: ObjectContent,
        first: PartData,
        part_size: u64,
        part_count: Option<u64>,
    ) -> Result<ObjectWriteResult> {
        let mut guard = self
            .target()
            .create(self.headers.clone(), self.client.inner.checksum)
            .await?;
        let upload_id = guard.upload_id().to_owned();
        let result = self
            .upload_parts(&upload_id, &mut content, first, part_size, part_count)
            .await;
        let outcome = match result {
            Ok((parts, full_checksum)) => self.complete(&upload_id, parts, full_checksum).await,
            Err(e) => Err(e),
        };
        if outcome.is_ok() {
            guard.completed();
        }
        guard.finish().await;
        outcome
    }

    async fn upload_parts(
        &self,
        upload_id: &str,
        content: &mut ObjectContent,
        first: PartData,
        part_size: u64,
        part_count: Option<u64>,
    ) -> Result<(Vec<newtera_xml::CompletedPart>, Option<String>)> {
        let ps = part_size as usize;
        let checksum = self.client.inner.checksum;
        // Part lengths by part number, for the whole-object checksum.
        let mut lengths: Vec<u64> = Vec::new();
        let length = content.length();
        let ctx = Arc::new(PartContext {
            client: self.client.clone(),
            bucket: self.bucket.clone(),
            object: self.object.clone(),
            upload_id: upload_id.to_owned(),
            sse: self.opts.sse.clone(),
            progress: self.opts.progress.clone(),
            content_md5: self.opts.needs_content_md5(),
            checksum,
        });
        // A reader source refills the buffers of finished parts. A part is
        // read only once a slot is free, so `num_parallel_uploads` buffers
        // suffice; one more covers the first part, read before the upload
        // was created.
        content.keep_buffers(self.opts.num_parallel_uploads + 1);
        let mut tasks: JoinSet<Result<PartDone>> = JoinSet::new();
        let mut done = Vec::new();
        let mut sent: u64 = 0;
        let mut next = Some(first);
        let mut number: u64 = 0;
        loop {
            let chunk = match next.take() {
                Some(c) => c,
                None => {
                    let want = match length {
                        Some(len) => (len - sent).min(part_size) as usize,
                        None => ps,
                    };
                    // Bound memory: read the next part only once a slot is
                    // free, so at most `num_parallel_uploads` parts are held.
                    while tasks.len() >= self.opts.num_parallel_uploads {
                        if let Err(e) = self.join_one(&mut tasks, &mut done, content).await {
                            tasks.abort_all();
                            return Err(e);
                        }
                    }
                    if want == 0 {
                        PartData::default()
                    } else {
                        match content.read_chunk(want).await {
                            Ok(c) => c,
                            Err(e) => {
                                tasks.abort_all();
                                return Err(Error::Input(e));
                            }
                        }
                    }
                }
            };
            if chunk.is_empty() {
                if let Some(len) = length {
                    if sent < len {
                        tasks.abort_all();
                        return Err(short_input(sent, len));
                    }
                }
                if number > 0 {
                    break;
                }
            }
            number += 1;
            if number > part_count.unwrap_or(MAX_PARTS) {
                tasks.abort_all();
                return Err(Error::arg(
                    "part_size",
                    format!("the data needs more than {MAX_PARTS} parts of {part_size} bytes"),
                ));
            }
            sent += chunk.len() as u64;
            let short = (chunk.len() as u64) < part_size;
            if let Some(len) = length {
                if short && sent < len {
                    tasks.abort_all();
                    return Err(short_input(sent, len));
                }
            }
            // (Only the first part, read before the upload was created, can
            // find no free slot here.)
            while tasks.len() >= self.opts.num_parallel_uploads {
                if let Err(e) = self.join_one(&mut tasks, &mut done, content).await {
                    tasks.abort_all();
                    return Err(e);
                }
            }
            let part_number = number as u32;
            lengths.push(chunk.len() as u64);
            tasks.spawn(upload_part(ctx.clone(), part_number, chunk));
            let last = match length {
                Some(len) => sent >= len,
                None => short,
            };
            if last {
                break;
            }
        }
        // Everything is read: buffers of the parts still in flight are freed
        // as they finish rather than held through completion.
        content.keep_buffers(0);
        while !tasks.is_empty() {
            if let Err(e) = self.join_one(&mut tasks, &mut done, content).await {
                tasks.abort_all();
                return Err(e);
            }
        }
        done.sort_by_key(|p: &newtera_xml::CompletedPart| p.part_number);
        // CRC64NVME multipart objects carry a checksum of the whole object,
        // combined from the parts' checksums (each part was read once).
        let full = match checksum {
            Some(alg @ ChecksumAlgorithm::Crc64Nvme) => {
                if done.len() != lengths.len() {
                    return Err(Error::UnexpectedResponse {
                        op: "CompleteMultipartUpload",
                        reason: format!("{} parts uploaded but {} read", done.len(), lengths.len()),
                    });
                }
                let values = done
                    .iter()
                    .zip(&lengths)
                    .map(|(p, len)| (p.checksum_crc64nvme.as_deref().unwrap_or_default(), *len));
                Some(
                    checksum::combine(alg, values).ok_or_else(|| Error::UnexpectedResponse {
                        op: "CompleteMultipartUpload",
                        reason: "a part's CRC64NVME value could not be combined".into(),
                    })?,
                )
            }
            _ => None,
        };
        Ok((done, full))
    }

    async fn join_one(
        &self,
        tasks: &mut JoinSet<Result<PartDone>>,
        done: &mut Vec<newtera_xml::CompletedPart>,
        content: &mut ObjectContent,
    ) -> Result<()> {
        match tasks.join_next().await {
            None => Ok(()),
            Some(Ok(Ok(PartDone { part, data }))) => {
                done.push(part);
                if let Some(data) = data {
                    content.recycle(data);
                }
                Ok(())
            }
            Some(Ok(Err(e))) => Err(e),
            Some(Err(join)) => Err(Error::UnexpectedResponse {
                op: "UploadPart",
                reason: format!("part upload task failed: {join}"),
            }),
        }
    }

    async fn complete(
        &self,
        upload_id: &str,
        parts: Vec<newtera_xml::CompletedPart>,
        full_checksum: Option<String>,
    ) -> Result<ObjectWriteResult> {
        let mut headers = HeaderMap::new();
        // The SSE-C key goes with the completion too: S3 asks for it there
        // when the upload was started with one, and servers check it.
        if let Some(sse) = &self.opts.sse {
            sse.part_headers(&mut headers);
        }
        if let Some(v) = full_checksum.and_then(|v| HeaderValue::from_str(&v).ok()) {
            headers.insert(ChecksumAlgorithm::Crc64Nvme.header_name(), v);
            headers.insert(
                "x-amz-checksum-type",
                HeaderValue::from_static("FULL_OBJECT"),
            );
        }
        let ssec = match &self.opts.sse {
            Some(Sse::CustomerKey(k)) => Some(k),
            _ => None,
        };
        self.target()
            .complete(upload_id, parts, headers, ssec)
            .await
    }
}

/// What every part of one multipart upload shares.
struct PartContext {
    client: Newtera,
    bucket: String,
    object: String,
    upload_id: String,
    sse: Option<Sse>,
    progress: Option<Arc<dyn Progress>>,
    content_md5: bool,
    checksum: Option<ChecksumAlgorithm>,
}

/// A part the server has: its entry in the completion request, and its
/// buffers when they can go back to the source for the next parts.
struct PartDone {
    part: newtera_xml::CompletedPart,
    data: Option<PartData>,
}

async fn upload_part(ctx: Arc<PartContext>, part_number: u32, data: PartData) -> Result<PartDone> {
    let len = data.len() as u64;
    // A second handle on the buffers: it is handed back only after `send`
    // returned, i.e. once every attempt is over and the request (with the
    // retry layer's copies of the body) is dropped.
    let reuse = data.is_recyclable().then(|| data.clone());
    let mut headers = HeaderMap::new();
    if let Some(sse) = &ctx.sse {
        sse.part_headers(&mut headers);
    }
    if ctx.content_md5 {
        headers.insert("content-md5", content_md5(&data));
    }
    let part_checksum = ctx
        .checksum
        .map(|alg| checksum::compute_chunks(alg, data.chunks()));
    if let (Some(alg), Some(v)) = (ctx.checksum, part_checksum.as_deref()) {
        checksum::set_value(&mut headers, alg, v);
    }
    let req = S3Request::new("UploadPart", Method::PUT)
        .bucket(&ctx.bucket)
        .object(&ctx.object)
        .query("partNumber", part_number.to_string())
        .query("uploadId", ctx.upload_id.clone())
        .headers(headers)
        .body(data.into_body(), PayloadHash::Unsigned);
    let progress = &ctx.progress;
    let resp = ctx
        .client
        .send(req)
        .await
        .map_err(|e| part_error(part_number, e))?;
    let etag = resp
        .headers()
        .get(http::header::ETAG)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .ok_or_else(|| Error::UnexpectedResponse {
            op: "UploadPart",
            reason: format!("part {part_number}: the answer has no ETag"),
        })?;
    if let Some(p) = &progress {
        p.update(len);
    }
    let (mut checksum_crc32c, mut checksum_crc64nvme) = (None, None);
    match ctx.checksum {
        Some(ChecksumAlgorithm::Crc32c) => checksum_crc32c = part_checksum,
        Some(ChecksumAlgorithm::Crc64Nvme) => checksum_crc64nvme = part_checksum,
        None => {}
    }
    Ok(PartDone {
        part: newtera_xml::CompletedPart {
            part_number,
            etag,
            checksum_crc32c,
            checksum_crc64nvme,
        },
        data: reuse,
    })
}

pub(crate) fn trim_etag(s: &str) -> String {
    s.trim().trim_matches('"').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1024 * 1024;

    #[test]
    fn plans() {
        assert_eq!(part_plan(Some(0), None).unwrap(), (8 * MIB, Some(1)));
        assert_eq!(
            part_plan(Some(20 * MIB), Some(5 * MIB)).unwrap(),
            (5 * MIB, Some(4))
        );
        let (ps, n) = part_plan(Some(MAX_OBJECT_SIZE), None).unwrap();
        assert!(n.unwrap() <= MAX_PARTS && ps <= MAX_PART_SIZE && ps % MIN_PART_SIZE == 0);
        assert!(part_plan(Some(MAX_OBJECT_SIZE + 1), None).is_err());
        assert!(part_plan(None, None).is_err());
        assert!(part_plan(None, Some(MIB)).is_err());
        assert!(part_plan(None, Some(6 * MAX_PART_SIZE)).is_err());
        assert!(part_plan(Some(100_000 * 5 * MIB), Some(5 * MIB)).is_err());
    }

    #[test]
    fn metadata_headers() {
        let opts = PutOptions {
            metadata: vec![
                ("My-Project".into(), "one".into()),
                ("Cache-Control".into(), "no-cache".into()),
                ("x-amz-meta-already".into(), "x".into()),
            ],
            ..PutOptions::default()
        };
        let h = opts.object_headers().unwrap();
        assert_eq!(h["x-amz-meta-my-project"], "one");
        assert_eq!(h["cache-control"], "no-cache");
        assert_eq!(h["x-amz-meta-already"], "x");
        assert_eq!(h["content-type"], "application/octet-stream");
        let bad = PutOptions {
            metadata: vec![("k".into(), "ü".into())],
            ..PutOptions::default()
        };
        assert!(bad.object_headers().is_err());
    }
}
