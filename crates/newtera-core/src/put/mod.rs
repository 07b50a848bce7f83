//! put_object and fput_object: a single PUT, or a parallel multipart upload
//! with bounded memory that aborts cleanly on any failure.
//!
//! `mod.rs` holds the builders and their options; `plan.rs` the S3 part
//! limits; `upload.rs` the single-PUT and multipart paths; `part.rs` one
//! UploadPart request, which the public multipart steps
//! (`multipart_api.rs`) share.

use std::path::PathBuf;
use std::sync::Arc;

use http::HeaderMap;

use crate::client::Newtera;
use crate::content::ObjectContent;
use crate::error::{Error, Result};
use crate::headers::{ObjectHeaders, WriteCondition};
use crate::into_future;
pub(crate) use crate::multipart::abort;
use crate::types::{ObjectWriteResult, Progress, Retention, Sse, Tags};
use crate::validate::{check_bucket_name, check_object_name};

pub(crate) mod part;
mod plan;
mod upload;

pub use plan::{part_plan, MAX_OBJECT_SIZE, MAX_PARTS, MAX_PART_SIZE, MIN_PART_SIZE};
use upload::Upload;

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
    condition: Option<WriteCondition>,
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
            condition: None,
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
            .field("condition", &self.condition)
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
            /// Writes only if the condition on the object being replaced
            /// holds (S3 conditional writes): sent with the PutObject, or
            /// with the CompleteMultipartUpload of a multipart upload. A
            /// condition that does not hold fails with a 412
            /// ([`Error::is_precondition_failed`]); a server that does not
            /// support it refuses it (commonly `NotImplemented`).
            pub fn condition(mut self, condition: WriteCondition) -> Self {
                self.opts.condition = Some(condition);
                self
            }
        }
    };
}
put_setters!(PutObject);
put_setters!(FPutObject);

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
        if let Some(c) = &self.condition {
            c.check()?;
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

pub(crate) fn trim_etag(s: &str) -> String {
    s.trim().trim_matches('"').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

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
