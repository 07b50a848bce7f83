//! The multipart-upload steps shared by uploads (`put_object`) and
//! server-side copies (`copy_object`, `compose_object`): create (sweeping
//! uploads left by lost answers, see `strays.rs`), complete (recognising a completion whose
//! answer was lost), and abort, also when the caller's future is dropped.

use http::{HeaderMap, HeaderName, HeaderValue, Method};
use newtera_transport::{Attempts, HttpResponse};

use crate::checksum::ChecksumAlgorithm;
use crate::client::{Newtera, S3Request};
use crate::error::{Error, Result, S3Error};
use crate::put::trim_etag;
use crate::strays;
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
    /// `checksum` for the parts. Returns the guard of the new upload (see
    /// [`AbortGuard::finish`]). When an attempt may have created an upload
    /// whose answer was lost, its strays are swept (see `strays.rs`): at
    /// once when the call fails, when the upload is over otherwise (so that
    /// other writers of the key had time to upload parts).
    ///
    /// The request runs in a task of its own: when the caller's future is
    /// dropped while the answer is on its way, the task still receives the
    /// upload id, and the guard it made, dropped by the runtime as an
    /// output nobody claimed, aborts the upload. No upload is orphaned by a
    /// cancelled `put_object`.
    pub(crate) async fn create(
        &self,
        headers: HeaderMap,
        checksum: Option<ChecksumAlgorithm>,
    ) -> Result<AbortGuard> {
        let before = strays::Before::take(self.client, self.bucket, self.object).await;
        let task = tokio::spawn(create_upload(
            self.client.clone(),
            self.bucket.to_owned(),
            self.object.to_owned(),
            headers,
            checksum,
            before,
        ));
        match task.await {
            Ok(r) => r,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(e) => Err(Error::UnexpectedResponse {
                op: "CreateMultipartUpload",
                reason: format!("the request's task ended: {e}"),
            }),
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

/// The body of [`Target::create`], on owned values so that it can run as a
/// task of its own.
async fn create_upload(
    client: Newtera,
    bucket: String,
    object: String,
    headers: HeaderMap,
    checksum: Option<ChecksumAlgorithm>,
    before: strays::Before,
) -> Result<AbortGuard> {
    const OP: &str = "CreateMultipartUpload";
    let req = S3Request::new(OP, Method::POST)
        .bucket(&bucket)
        .object(&object)
        .query("uploads", "")
        .headers(headers)
        // Safe to repeat: uploads created by attempts whose answers were
        // lost are swept (strays.rs).
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
        let resp = client.send(req).await?;
        let attempts = resp.extensions().get::<Attempts>().map_or(1, |a| a.0);
        let body = crate::read_body(OP, resp).await?;
        let init =
            newtera_xml::InitiateMultipartUploadResult::from_xml(&body).map_err(Error::xml(OP))?;
        Ok::<_, Error>((init.upload_id, attempts))
    }
    .await;
    match outcome {
        Ok((id, attempts)) => {
            let registration = strays::Registration::new(&bucket, &object, &id);
            Ok(AbortGuard {
                client,
                bucket,
                object,
                upload_id: Some(id),
                strays: (attempts > 1).then_some(before),
                _registration: registration,
            })
        }
        Err(e) => {
            let maybe_created = match &e {
                Error::Transport { source, .. } => !source.is_connect(),
                Error::S3(s3) => s3.attempts > 1,
                _ => true,
            };
            if maybe_created {
                strays::sweep(&client, &bucket, &object, &before, None).await;
            }
            Err(e)
        }
    }
}

/// Names the failed part in the error.
pub(crate) fn part_error(part_number: u32, e: Error) -> Error {
    Error::Part {
        part_number,
        source: Box::new(e),
    }
}

/// The guard of one multipart upload: aborts it unless it completed, even
/// if the future was dropped half-way, and sweeps the strays of lost
/// CreateMultipartUpload answers once the upload is over. Made by
/// [`Target::create`].
pub(crate) struct AbortGuard {
    client: Newtera,
    bucket: String,
    object: String,
    /// The upload to abort; `None` once it completed.
    upload_id: Option<String>,
    /// Set when CreateMultipartUpload took more than one attempt.
    strays: Option<strays::Before>,
    /// Keeps the upload in the registry of live uploads while it runs.
    _registration: strays::Registration,
}

impl AbortGuard {
    /// The upload id.
    pub(crate) fn upload_id(&self) -> &str {
        self.upload_id.as_deref().unwrap_or_default()
    }

    /// The upload completed: nothing to abort.
    pub(crate) fn completed(&mut self) {
        self.upload_id = None;
    }

    /// The caller takes the upload over: it is neither aborted nor swept
    /// by this guard, and leaves the registry of live uploads.
    pub(crate) fn detach(mut self) -> String {
        self.strays = None;
        self.upload_id.take().unwrap_or_default()
    }

    /// Aborts the upload unless it [completed](Self::completed), then
    /// sweeps strays; nothing is left to do on drop.
    pub(crate) async fn finish(&mut self) {
        if let Some(id) = self.upload_id.take() {
            let _ = abort(&self.client, &self.bucket, &self.object, &id).await;
        }
        if let Some(before) = self.strays.take() {
            strays::sweep(&self.client, &self.bucket, &self.object, &before, None).await;
        }
    }
}

impl Drop for AbortGuard {
    fn drop(&mut self) {
        let id = self.upload_id.take();
        let before = self.strays.take();
        if id.is_none() && before.is_none() {
            return;
        }
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            let (client, bucket, object) = (
                self.client.clone(),
                self.bucket.clone(),
                self.object.clone(),
            );
            handle.spawn(async move {
                if let Some(id) = id {
                    let _ = abort(&client, &bucket, &object, &id).await;
                }
                if let Some(before) = before {
                    strays::sweep(&client, &bucket, &object, &before, None).await;
                }
            });
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
