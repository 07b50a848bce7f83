//! The multipart-upload steps as public operations, for callers that drive
//! an upload themselves (adapters such as `newtera-object-store`, uploads
//! resumed across processes): `create_multipart_upload`, `upload_part`,
//! `complete_multipart_upload`, `abort_multipart_upload`.
//!
//! They share the requests of `put_object`'s multipart path (`multipart.rs`,
//! `put/part.rs`): the same headers, checksums and stray sweeping. Part
//! sizes are the caller's to choose (S3: at least 5 MiB but for the last).

use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue};

use crate::checksum::{self, ChecksumAlgorithm};
use crate::client::Newtera;
use crate::content::PartData;
use crate::error::{Error, Result};
use crate::headers::{ObjectHeaders, WriteCondition};
use crate::multipart::{AbortGuard, Target};
use crate::put::part::{upload_part, PartContext};
use crate::types::{ObjectWriteResult, Tags};
use crate::validate::{check_bucket_name, check_object_name};
use crate::{into_future, MAX_PARTS};

/// A part the server has, as [`upload_part`](Newtera::upload_part) returns
/// it and [`complete_multipart_upload`](Newtera::complete_multipart_upload)
/// takes it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct UploadedPart {
    /// The part number, 1 to 10,000.
    pub part_number: u32,
    /// The part's ETag, as the server gave it.
    pub etag: String,
    /// The part's length in bytes.
    pub size: u64,
    /// The part's checksum in the client's
    /// [`checksum_algorithm`](crate::NewteraBuilder::checksum_algorithm)
    /// (base64), when it has one.
    pub checksum: Option<String>,
}

impl UploadedPart {
    /// A part known from elsewhere (e.g. kept by the caller across
    /// processes).
    pub fn new(
        part_number: u32,
        etag: impl Into<String>,
        size: u64,
        checksum: Option<String>,
    ) -> Self {
        UploadedPart {
            part_number,
            etag: etag.into(),
            size,
            checksum,
        }
    }
}

/// Starts a multipart upload. Built by [`Newtera::create_multipart_upload`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct CreateMultipartUpload {
    client: Newtera,
    bucket: String,
    object: String,
    content_type: Option<String>,
    metadata: Vec<(String, String)>,
    tags: Option<Tags>,
}

/// A multipart upload in progress, made by
/// [`Newtera::create_multipart_upload`]. Dropped without
/// [`complete`](Self::complete) or [`detach`](Self::detach), it is aborted
/// (in the background, on the current tokio runtime).
#[derive(Debug)]
pub struct MultipartUpload {
    client: Newtera,
    bucket: String,
    object: String,
    upload_id: String,
    guard: AbortGuard,
}

impl std::fmt::Debug for AbortGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AbortGuard")
    }
}

/// Uploads one part. Built by [`Newtera::upload_part`] or
/// [`MultipartUpload::upload_part`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct UploadPart {
    client: Newtera,
    bucket: String,
    object: String,
    upload_id: String,
    part_number: u32,
    data: PartData,
}

/// Completes a multipart upload. Built by
/// [`Newtera::complete_multipart_upload`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct CompleteMultipartUpload {
    client: Newtera,
    bucket: String,
    object: String,
    upload_id: String,
    parts: Vec<UploadedPart>,
    condition: Option<WriteCondition>,
}

impl Newtera {
    /// Starts a multipart upload of `bucket_name/object_name`
    /// (CreateMultipartUpload); the object's content type, metadata and tags
    /// are given here.
    pub fn create_multipart_upload(
        &self,
        bucket_name: impl Into<String>,
        object_name: impl Into<String>,
    ) -> CreateMultipartUpload {
        CreateMultipartUpload {
            client: self.clone(),
            bucket: bucket_name.into(),
            object: object_name.into(),
            content_type: None,
            metadata: Vec::new(),
            tags: None,
        }
    }

    /// Uploads part `part_number` (1 to 10,000) of the upload `upload_id`;
    /// `data` is the part as one or more buffers, sent as they are.
    pub fn upload_part(
        &self,
        bucket_name: impl Into<String>,
        object_name: impl Into<String>,
        upload_id: impl Into<String>,
        part_number: u32,
        data: impl IntoIterator<Item = Bytes>,
    ) -> UploadPart {
        UploadPart {
            client: self.clone(),
            bucket: bucket_name.into(),
            object: object_name.into(),
            upload_id: upload_id.into(),
            part_number,
            data: PartData::from_chunks(data),
        }
    }

    /// Completes the upload `upload_id` with `parts` (in any order; they
    /// are sent sorted by number). S3 refuses an empty list.
    pub fn complete_multipart_upload(
        &self,
        bucket_name: impl Into<String>,
        object_name: impl Into<String>,
        upload_id: impl Into<String>,
        parts: Vec<UploadedPart>,
    ) -> CompleteMultipartUpload {
        CompleteMultipartUpload {
            client: self.clone(),
            bucket: bucket_name.into(),
            object: object_name.into(),
            upload_id: upload_id.into(),
            parts,
            condition: None,
        }
    }

    /// Aborts the upload `upload_id`: its parts are discarded.
    pub async fn abort_multipart_upload(
        &self,
        bucket_name: &str,
        object_name: &str,
        upload_id: &str,
    ) -> Result<()> {
        check_bucket_name(bucket_name)?;
        check_object_name(object_name)?;
        crate::multipart::abort(self, bucket_name, object_name, upload_id).await
    }
}

impl CreateMultipartUpload {
    /// The object's `Content-Type` (default `application/octet-stream`).
    pub fn content_type(mut self, v: impl Into<String>) -> Self {
        self.content_type = Some(v.into());
        self
    }

    /// Metadata, as for [`PutObject::metadata`](crate::PutObject::metadata).
    pub fn metadata<K, V>(mut self, pairs: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: Into<String>,
        V: Into<String>,
    {
        self.metadata
            .extend(pairs.into_iter().map(|(k, v)| (k.into(), v.into())));
        self
    }

    /// Object tags.
    pub fn tags(mut self, tags: Tags) -> Self {
        self.tags = Some(tags);
        self
    }

    /// Sends the request.
    pub async fn send(self) -> Result<MultipartUpload> {
        check_bucket_name(&self.bucket)?;
        check_object_name(&self.object)?;
        let headers = ObjectHeaders {
            metadata: &self.metadata,
            content_type: self.content_type.as_deref(),
            default_content_type: true,
            tags: self.tags.as_ref(),
            ..ObjectHeaders::default()
        }
        .build()?;
        let target = Target {
            client: &self.client,
            bucket: &self.bucket,
            object: &self.object,
        };
        let guard = target.create(headers, self.client.inner.checksum).await?;
        Ok(MultipartUpload {
            upload_id: guard.upload_id().to_owned(),
            client: self.client,
            bucket: self.bucket,
            object: self.object,
            guard,
        })
    }
}

impl MultipartUpload {
    /// The upload id.
    pub fn upload_id(&self) -> &str {
        &self.upload_id
    }

    /// Uploads part `part_number`; see [`Newtera::upload_part`]. The
    /// request owns what it needs, so parts can be in flight at once.
    pub fn upload_part(
        &self,
        part_number: u32,
        data: impl IntoIterator<Item = Bytes>,
    ) -> UploadPart {
        self.client.upload_part(
            &self.bucket,
            &self.object,
            &self.upload_id,
            part_number,
            data,
        )
    }

    /// Completes the upload with `parts`; on failure it is aborted.
    pub async fn complete(
        self,
        parts: Vec<UploadedPart>,
        condition: Option<WriteCondition>,
    ) -> Result<ObjectWriteResult> {
        let MultipartUpload {
            client,
            bucket,
            object,
            upload_id,
            mut guard,
        } = self;
        let mut req = client.complete_multipart_upload(&bucket, &object, &upload_id, parts);
        req.condition = condition;
        let outcome = req.send().await;
        if outcome.is_ok() {
            guard.completed();
        }
        guard.finish().await;
        outcome
    }

    /// Aborts the upload now.
    pub async fn abort(self) -> Result<()> {
        let MultipartUpload {
            client,
            bucket,
            object,
            upload_id,
            mut guard,
        } = self;
        guard.completed();
        let outcome = crate::multipart::abort(&client, &bucket, &object, &upload_id).await;
        guard.finish().await;
        outcome
    }

    /// Leaves the upload to the caller (it is no longer aborted on drop) and
    /// returns its id.
    pub fn detach(self) -> String {
        self.guard.detach()
    }
}

impl UploadPart {
    /// Sends the part.
    pub async fn send(self) -> Result<UploadedPart> {
        check_bucket_name(&self.bucket)?;
        check_object_name(&self.object)?;
        if self.part_number == 0 || u64::from(self.part_number) > MAX_PARTS {
            return Err(Error::arg(
                "part_number",
                format!("{} is outside 1 to {MAX_PARTS}", self.part_number),
            ));
        }
        let size = self.data.len() as u64;
        let ctx = Arc::new(PartContext {
            checksum: self.client.inner.checksum,
            client: self.client,
            bucket: self.bucket,
            object: self.object,
            upload_id: self.upload_id,
            sse: None,
            progress: None,
            content_md5: false,
        });
        let done = upload_part(ctx, self.part_number, self.data).await?;
        let p = done.part;
        Ok(UploadedPart {
            part_number: p.part_number,
            etag: p.etag,
            size,
            checksum: p.checksum_crc64nvme.or(p.checksum_crc32c),
        })
    }
}

impl CompleteMultipartUpload {
    /// Completes only if the condition on the object being replaced holds
    /// (see [`WriteCondition`]).
    pub fn condition(mut self, condition: WriteCondition) -> Self {
        self.condition = Some(condition);
        self
    }

    /// Sends the request.
    pub async fn send(self) -> Result<ObjectWriteResult> {
        check_bucket_name(&self.bucket)?;
        check_object_name(&self.object)?;
        if let Some(c) = &self.condition {
            c.check()?;
        }
        let alg = self.client.inner.checksum;
        let mut parts = self.parts;
        parts.sort_by_key(|p| p.part_number);
        let mut headers = HeaderMap::new();
        if let Some(c) = &self.condition {
            c.apply(&mut headers);
        }
        // A CRC64NVME upload carries the checksum of the whole object,
        // combined from the parts' (when every part has one).
        if alg == Some(ChecksumAlgorithm::Crc64Nvme)
            && !parts.is_empty()
            && parts.iter().all(|p| p.checksum.is_some())
        {
            let values = parts
                .iter()
                .map(|p| (p.checksum.as_deref().unwrap_or_default(), p.size));
            let full =
                checksum::combine(ChecksumAlgorithm::Crc64Nvme, values).ok_or_else(|| {
                    Error::arg("parts", "a part's CRC64NVME value could not be combined")
                })?;
            if let Ok(v) = HeaderValue::from_str(&full) {
                headers.insert(ChecksumAlgorithm::Crc64Nvme.header_name(), v);
                headers.insert(
                    "x-amz-checksum-type",
                    HeaderValue::from_static("FULL_OBJECT"),
                );
            }
        }
        let completed = parts
            .into_iter()
            .map(|p| {
                let (mut crc32c, mut crc64, mut crc32) = (None, None, None);
                match alg {
                    Some(ChecksumAlgorithm::Crc32c) => crc32c = p.checksum,
                    Some(ChecksumAlgorithm::Crc64Nvme) => crc64 = p.checksum,
                    Some(ChecksumAlgorithm::Crc32) => crc32 = p.checksum,
                    None => {}
                }
                newtera_xml::CompletedPart {
                    part_number: p.part_number,
                    etag: p.etag,
                    checksum_crc32c: crc32c,
                    checksum_crc64nvme: crc64,
                    checksum_crc32: crc32,
                }
            })
            .collect();
        Target {
            client: &self.client,
            bucket: &self.bucket,
            object: &self.object,
        }
        .complete(&self.upload_id, completed, headers, None)
        .await
    }
}

into_future!(CreateMultipartUpload => MultipartUpload);
into_future!(UploadPart => UploadedPart);
into_future!(CompleteMultipartUpload => ObjectWriteResult);
