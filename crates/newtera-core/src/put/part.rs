//! One UploadPart request of a multipart upload.

use std::sync::Arc;

use http::{HeaderMap, HeaderValue, Method};
use newtera_signer::PayloadHash;

use crate::checksum::{self, ChecksumAlgorithm};
use crate::client::{Newtera, S3Request};
use crate::content::PartData;
use crate::error::{Error, Result};
use crate::multipart::part_error;
use crate::types::{Progress, Sse};

/// The `Content-MD5` header value of `data`.
pub(crate) fn content_md5(data: &PartData) -> HeaderValue {
    use base64::Engine as _;
    use md5::Digest as _;
    let mut md5 = md5::Md5::new();
    for c in data.chunks() {
        md5.update(c);
    }
    let b64 = base64::engine::general_purpose::STANDARD.encode(md5.finalize());
    HeaderValue::from_str(&b64).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// What every part of one multipart upload shares.
pub(crate) struct PartContext {
    pub(crate) client: Newtera,
    pub(crate) bucket: String,
    pub(crate) object: String,
    pub(crate) upload_id: String,
    pub(crate) sse: Option<Sse>,
    pub(crate) progress: Option<Arc<dyn Progress>>,
    pub(crate) content_md5: bool,
    pub(crate) checksum: Option<ChecksumAlgorithm>,
}

/// A part the server has: its entry in the completion request, and its
/// buffers when they can go back to the source for the next parts.
pub(crate) struct PartDone {
    pub(crate) part: newtera_xml::CompletedPart,
    pub(crate) data: Option<PartData>,
}

pub(crate) async fn upload_part(
    ctx: Arc<PartContext>,
    part_number: u32,
    data: PartData,
) -> Result<PartDone> {
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
    let (mut checksum_crc32c, mut checksum_crc64nvme, mut checksum_crc32) = (None, None, None);
    match ctx.checksum {
        Some(ChecksumAlgorithm::Crc32c) => checksum_crc32c = part_checksum,
        Some(ChecksumAlgorithm::Crc64Nvme) => checksum_crc64nvme = part_checksum,
        Some(ChecksumAlgorithm::Crc32) => checksum_crc32 = part_checksum,
        None => {}
    }
    Ok(PartDone {
        part: newtera_xml::CompletedPart {
            part_number,
            etag,
            checksum_crc32c,
            checksum_crc64nvme,
            checksum_crc32,
        },
        data: reuse,
    })
}
