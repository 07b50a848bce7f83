//! The multipart-upload steps shared by uploads (`put_object`) and
//! server-side copies (`copy_object`, `compose_object`): create (sweeping
//! uploads left by lost answers), complete (recognising a completion whose
//! answer was lost), and abort, also when the caller's future is dropped.

use http::{HeaderMap, HeaderName, HeaderValue, Method};
use newtera_transport::{Attempts, HttpResponse};

use crate::checksum::ChecksumAlgorithm;
use crate::client::{Newtera, S3Request};
use crate::error::{Error, Result, S3Error};
use crate::put::trim_etag;
use crate::time;
use crate::types::{ObjectWriteResult, SseCustomerKey};

/// One multipart upload's destination.
pub(crate) struct Target<'a> {
    pub(crate) client: &'a Newtera,
    pub(crate) bucket: &'a str,
    pub(crate) object: &'a str,
}

/// What a write answered, from its response headers.
pub(crate) fn write_result(
    bucket: &str,
    object: &str,
    resp: &HttpResponse,
    location: Option<String>,
) -> ObjectWriteResult {
    let h = resp.headers();
    let get = |n: &str| h.get(n).and_then(|v| v.to_str().ok()).map(str::to_owned);
    ObjectWriteResult {
        bucket_name: bucket.to_owned(),
        object_name: object.to_owned(),
        etag: get("etag").map(|e| trim_etag(&e)),
        version_id: get("x-amz-version-id"),
        last_modified: get("last-modified").and_then(|d| time::parse_http_date(&d)),
        headers: h.clone(),
        location,
    }
}

impl Target<'_> {
    /// CreateMultipartUpload with the object's `headers`, announcing
    /// `checksum` for the parts. When an attempt may have created an upload
    /// whose answer was lost, the strays are aborted so none is orphaned.
    pub(crate) async fn create(
        &self,
        headers: HeaderMap,
        checksum: Option<ChecksumAlgorithm>,
    ) -> Result<String> {
        const OP: &str = "CreateMultipartUpload";
        let started = std::time::Instant::now();
        let req = S3Request::new(OP, Method::POST)
            .bucket(self.bucket)
            .object(self.object)
            .query("uploads", "")
            .headers(headers)
            // Safe to repeat: uploads created by attempts whose answers were
            // lost are swept below.
            .idempotent(true)
            .buffered_answer();
        let req = match checksum {
            Some(alg) => {
                let req = req.header(
                    HeaderName::from_static("x-amz-checksum-algorithm"),
                    HeaderValue::from_static(alg.as_str()),
                );
                if alg == ChecksumAlgorithm::Crc64Nvme {
                    req.header(
                        HeaderName::from_static("x-amz-checksum-type"),
                        HeaderValue::from_static("FULL_OBJECT"),
                    )
                } else {
                    req
                }
            }
            None => req,
        };
        let outcome = async {
            let resp = self.client.send(req).await?;
            let attempts = resp.extensions().get::<Attempts>().map_or(1, |a| a.0);
            let body = crate::read_body(OP, resp).await?;
            let init = newtera_xml::InitiateMultipartUploadResult::from_xml(&body)
                .map_err(Error::xml(OP))?;
            Ok::<_, Error>((init.upload_id, attempts))
        }
        .await;
        match outcome {
            Ok((id, attempts)) => {
                if attempts > 1 {
                    self.sweep_strays(Some(&id), started).await;
                }
                Ok(id)
            }
            Err(e) => {
                let maybe_created = match &e {
                    Error::Transport { source, .. } => !source.is_connect(),
                    Error::S3(s3) => s3.attempts > 1,
                    _ => true,
                };
                if maybe_created {
                    self.sweep_strays(None, started).await;
                }
                Err(e)
            }
        }
    }

    /// Aborts uploads of this very key started since `started` (with a few
    /// seconds of slack for clock skew), except `keep`. They can only be
    /// ours from attempts whose answers were lost, unless another writer
    /// began an upload of the same key in that window: a documented risk
    /// taken only after a lost answer.
    async fn sweep_strays(&self, keep: Option<&str>, started: std::time::Instant) {
        let window = started.elapsed() + std::time::Duration::from_secs(5);
        let since = std::time::SystemTime::now()
            .checked_sub(window)
            .unwrap_or(std::time::UNIX_EPOCH);
        let uploads = match self
            .client
            .list_incomplete_uploads(self.bucket)
            .prefix(self.object)
            .send()
            .await
        {
            Ok(u) => u,
            Err(e) => {
                tracing::warn!(error = %e, "cannot list uploads to remove strays");
                return;
            }
        };
        // Some servers do not track when an upload began (moto answers a
        // fixed date in 2010); a date that old is read as "unknown".
        let undated = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_420_070_400);
        for u in uploads {
            let recent = u.initiated.is_none_or(|t| t >= since || t < undated);
            if u.object_name == self.object && Some(u.upload_id.as_str()) != keep && recent {
                tracing::debug!("aborting a stray multipart upload left by a lost answer");
                let _ = abort(self.client, self.bucket, self.object, &u.upload_id).await;
            }
        }
    }

    /// CompleteMultipartUpload of `parts` (sorted by part number), with
    /// extra `headers`. `ssec` is the destination's SSE-C key, needed to
    /// stat the object when an earlier attempt's answer was lost.
    pub(crate) async fn complete(
        &self,
        upload_id: &str,
        parts: Vec<newtera_xml::CompletedPart>,
        headers: HeaderMap,
        ssec: Option<&SseCustomerKey>,
    ) -> Result<ObjectWriteResult> {
        const OP: &str = "CompleteMultipartUpload";
        let expected_etag = multipart_etag(&parts);
        let doc = newtera_xml::CompleteMultipartUpload { parts };
        let xml = doc.to_xml().map_err(Error::xml(OP))?;
        let req = S3Request::new(OP, Method::POST)
            .bucket(self.bucket)
            .object(self.object)
            .query("uploadId", upload_id)
            .headers(headers)
            .signed_body(xml)
            .idempotent(true)
            .buffered_answer();
        let resp = match self.client.send(req).await {
            Ok(r) => r,
            Err(Error::S3(e)) if e.code == "NoSuchUpload" && e.attempts > 1 => {
                // An earlier attempt completed the upload and its answer was
                // lost: the object is there if its ETag is the one our parts make.
                return self.completed_by_lost_attempt(expected_etag, e, ssec).await;
            }
            Err(e) => return Err(e),
        };
        let mut result = write_result(self.bucket, self.object, &resp, None);
        let body = crate::read_body(OP, resp).await?;
        let doc =
            newtera_xml::CompleteMultipartUploadResult::from_xml(&body).map_err(Error::xml(OP))?;
        result.etag = Some(trim_etag(&doc.etag));
        result.location = Some(doc.location).filter(|l| !l.is_empty());
        Ok(result)
    }

    async fn completed_by_lost_attempt(
        &self,
        expected: Option<String>,
        err: Box<S3Error>,
        ssec: Option<&SseCustomerKey>,
    ) -> Result<ObjectWriteResult> {
        let mut stat = self.client.stat_object(self.bucket, self.object);
        if let Some(k) = ssec {
            stat = stat.ssec(k.clone());
        }
        match (stat.send().await, expected) {
            (Ok(obj), Some(want)) if obj.etag.as_deref() == Some(want.as_str()) => {
                Ok(ObjectWriteResult {
                    bucket_name: self.bucket.to_owned(),
                    object_name: self.object.to_owned(),
                    etag: obj.etag,
                    version_id: obj.version_id,
                    last_modified: obj.last_modified,
                    headers: obj.metadata,
                    location: None,
                })
            }
            _ => Err(Error::S3(err)),
        }
    }
}

/// The ETag S3 gives a multipart object: the MD5 of the parts' binary MD5s,
/// then `-<count>`. `None` when a part's ETag is not a plain MD5.
fn multipart_etag(parts: &[newtera_xml::CompletedPart]) -> Option<String> {
    use md5::Digest as _;
    let mut md5 = md5::Md5::new();
    for p in parts {
        let raw = hex::decode(trim_etag(&p.etag))
            .ok()
            .filter(|b| b.len() == 16)?;
        md5.update(&raw);
    }
    Some(format!("{}-{}", hex::encode(md5.finalize()), parts.len()))
}

/// Names the failed part in the error.
pub(crate) fn part_error(part_number: u32, e: Error) -> Error {
    Error::Part {
        part_number,
        source: Box::new(e),
    }
}

/// Aborts a multipart upload that did not complete, even if the future was
/// dropped half-way.
pub(crate) struct AbortGuard {
    pub(crate) client: Newtera,
    pub(crate) bucket: String,
    pub(crate) object: String,
    /// The upload to abort; `None` once it completed.
    pub(crate) upload_id: Option<String>,
}

impl AbortGuard {
    /// Aborts now (and not again on drop).
    pub(crate) async fn abort_now(&mut self) {
        if let Some(id) = self.upload_id.take() {
            let _ = abort(&self.client, &self.bucket, &self.object, &id).await;
        }
    }
}

impl Drop for AbortGuard {
    fn drop(&mut self) {
        if let Some(id) = self.upload_id.take() {
            if let Ok(handle) = tokio::runtime::Handle::try_current() {
                let (client, bucket, object) = (
                    self.client.clone(),
                    self.bucket.clone(),
                    self.object.clone(),
                );
                handle.spawn(async move {
                    let _ = abort(&client, &bucket, &object, &id).await;
                });
            }
        }
    }
}

/// AbortMultipartUpload.
pub(crate) async fn abort(
    client: &Newtera,
    bucket: &str,
    object: &str,
    upload_id: &str,
) -> Result<()> {
    let req = S3Request::new("AbortMultipartUpload", Method::DELETE)
        .bucket(bucket)
        .object(object)
        .query("uploadId", upload_id);
    client.send(req).await.map(|_| ())
}
