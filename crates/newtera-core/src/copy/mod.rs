//! Server-side copies: `copy_object` (one CopyObject request, or a
//! multipart UploadPartCopy for sources above the part size and for byte
//! ranges) and `compose_object` (see `compose.rs`).

mod compose;
mod parts;
mod source;

use http::{HeaderMap, HeaderName, HeaderValue, Method};

use crate::client::{Newtera, S3Request};
use crate::error::{Error, Result};
use crate::headers::{ObjectHeaders, WriteCondition};
use crate::multipart::write_result;
use crate::put::{trim_etag, MAX_PART_SIZE, MIN_PART_SIZE};
use crate::types::{ObjectWriteResult, Retention, Sse, Tags};
use crate::validate::{check_bucket_name, check_object_name};
use crate::{into_future, time};

pub use compose::ComposeObject;
pub use source::{ComposeSource, CopySource};

/// What a copy does with the source's metadata or tags
/// (`x-amz-metadata-directive`, `x-amz-tagging-directive`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Directive {
    /// Keep the source's (S3's default when no directive is sent).
    Copy,
    /// Use the ones given with the copy instead.
    Replace,
}

impl Directive {
    /// The S3 spelling: `COPY` or `REPLACE`.
    pub fn as_str(self) -> &'static str {
        match self {
            Directive::Copy => "COPY",
            Directive::Replace => "REPLACE",
        }
    }
}

/// The destination settings that copy and compose share.
#[derive(Clone, Debug)]
pub(crate) struct DestOptions {
    sse: Option<Sse>,
    metadata: Vec<(String, String)>,
    tags: Option<Tags>,
    retention: Option<Retention>,
    legal_hold: bool,
    part_size: Option<u64>,
    num_parallel_uploads: usize,
    condition: Option<WriteCondition>,
}

impl Default for DestOptions {
    fn default() -> Self {
        DestOptions {
            sse: None,
            metadata: Vec::new(),
            tags: None,
            retention: None,
            legal_hold: false,
            part_size: None,
            num_parallel_uploads: 3,
            condition: None,
        }
    }
}

impl DestOptions {
    fn part_size(&self) -> u64 {
        self.part_size.unwrap_or(MAX_PART_SIZE)
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
        if let Some(ps) = self.part_size {
            if !(MIN_PART_SIZE..=MAX_PART_SIZE).contains(&ps) {
                return Err(Error::arg(
                    "part_size",
                    format!("{ps} is outside 5 MiB to 5 GiB"),
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
        self.object_headers(false).map(drop)
    }

    /// The destination's headers; `multipart` for CreateMultipartUpload,
    /// which gets a default `Content-Type` as an upload does.
    fn object_headers(&self, multipart: bool) -> Result<HeaderMap> {
        ObjectHeaders {
            metadata: &self.metadata,
            content_type: None,
            default_content_type: multipart,
            sse: self.sse.as_ref(),
            tags: self.tags.as_ref(),
            retention: self.retention.as_ref(),
            legal_hold: self.legal_hold,
        }
        .build()
    }
}

/// Copies an object on the server. Built by [`Newtera::copy_object`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct CopyObject {
    client: Newtera,
    bucket: String,
    object: String,
    source: CopySource,
    opts: DestOptions,
    metadata_directive: Option<Directive>,
    tagging_directive: Option<Directive>,
}

impl Newtera {
    /// Creates `bucket_name/object_name` as a server-side copy of `source`.
    ///
    /// A whole source up to the part size (5 GiB unless
    /// [`CopyObject::part_size`] says less) is copied with one CopyObject
    /// request after a `stat_object` of it; a larger source, or a byte range
    /// ([`CopySource::offset`]/[`CopySource::length`]), is copied through a
    /// multipart upload of UploadPartCopy parts, as
    /// [`compose_object`](Newtera::compose_object) does, which cannot keep
    /// the source's metadata or tags (a `COPY` directive is refused then).
    ///
    /// As in S3, metadata and tags given here are only applied with a
    /// `REPLACE` directive; without one the source's are kept.
    ///
    /// ```no_run
    /// # async fn demo(client: newtera_core::Newtera) -> Result<(), newtera_core::Error> {
    /// use newtera_core::{CopySource, Directive};
    /// let result = client
    ///     .copy_object("my-bucket", "my-object", CopySource::new("my-sourcebucket", "my-sourceobject"))
    ///     .metadata([("test_meta_key", "test_meta_value")])
    ///     .metadata_directive(Directive::Replace)
    ///     .await?;
    /// println!("{} {:?}", result.object_name, result.version_id);
    /// # Ok(()) }
    /// ```
    pub fn copy_object(
        &self,
        bucket_name: impl Into<String>,
        object_name: impl Into<String>,
        source: CopySource,
    ) -> CopyObject {
        CopyObject {
            client: self.clone(),
            bucket: bucket_name.into(),
            object: object_name.into(),
            source,
            opts: DestOptions::default(),
            metadata_directive: None,
            tagging_directive: None,
        }
    }
}

macro_rules! dest_setters {
    ($ty:ty) => {
        impl $ty {
            /// Server-side encryption of the new object.
            pub fn sse(mut self, sse: impl Into<Sse>) -> Self {
                self.opts.sse = Some(sse.into());
                self
            }
            /// Metadata of the new object: user keys are sent as
            /// `x-amz-meta-<key>`; standard headers (content-type,
            /// cache-control, …) and `x-amz-*` keys pass through. Values
            /// must be US-ASCII.
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
            /// Tags of the new object.
            pub fn tags(mut self, tags: Tags) -> Self {
                self.opts.tags = Some(tags);
                self
            }
            /// Object-lock retention of the new object.
            pub fn retention(mut self, r: Retention) -> Self {
                self.opts.retention = Some(r);
                self
            }
            /// Object-lock legal hold of the new object.
            pub fn legal_hold(mut self, on: bool) -> Self {
                self.opts.legal_hold = on;
                self
            }
            /// The largest part copied by one UploadPartCopy, 5 MiB to 5 GiB
            /// (default 5 GiB, S3's limit): sources are split into parts of
            /// at most this size (a short remainder of a source that is not
            /// the last joins the part before it, to stay above 5 MiB).
            pub fn part_size(mut self, size: u64) -> Self {
                self.opts.part_size = Some(size);
                self
            }
            /// Parts copied at once (default 3).
            pub fn num_parallel_uploads(mut self, n: usize) -> Self {
                self.opts.num_parallel_uploads = n;
                self
            }
            /// Writes the destination only if the condition on the object
            /// it replaces holds (see [`WriteCondition`]): sent with the
            /// CopyObject, or with the CompleteMultipartUpload of a copy
            /// made of parts.
            pub fn condition(mut self, condition: WriteCondition) -> Self {
                self.opts.condition = Some(condition);
                self
            }
        }
    };
}
dest_setters!(CopyObject);
dest_setters!(ComposeObject);

impl CopyObject {
    /// Whether the copy keeps the source's metadata (`COPY`) or takes the
    /// given [`metadata`](CopyObject::metadata) (`REPLACE`).
    pub fn metadata_directive(mut self, d: Directive) -> Self {
        self.metadata_directive = Some(d);
        self
    }

    /// Whether the copy keeps the source's tags (`COPY`) or takes the given
    /// [`tags`](CopyObject::tags) (`REPLACE`).
    pub fn tagging_directive(mut self, d: Directive) -> Self {
        self.tagging_directive = Some(d);
        self
    }

    /// Refuses a `COPY` directive for a copy made of parts.
    fn check_multipart(&self, why: &str) -> Result<()> {
        for (param, d) in [
            ("metadata_directive", self.metadata_directive),
            ("tagging_directive", self.tagging_directive),
        ] {
            if d == Some(Directive::Copy) {
                return Err(Error::arg(
                    param,
                    format!("COPY cannot be kept by a multipart copy, which {why}"),
                ));
            }
        }
        Ok(())
    }

    /// Sends the requests.
    pub async fn send(self) -> Result<ObjectWriteResult> {
        check_bucket_name(&self.bucket)?;
        check_object_name(&self.object)?;
        self.source.0.check(&self.client)?;
        self.opts.check(&self.client)?;
        let spec = &self.source.0;
        if spec.is_ranged() {
            self.check_multipart("a byte range of the source needs")?;
            let stat = compose::stat(&self.client, spec).await?;
            let parts = compose::plan(
                std::slice::from_ref(spec),
                std::slice::from_ref(&stat),
                self.opts.part_size(),
            )?;
            return compose::multipart(&self.client, &self.bucket, &self.object, &self.opts, parts)
                .await;
        }
        let stat = compose::stat(&self.client, spec).await?;
        if stat.size.is_some_and(|s| s > self.opts.part_size()) {
            self.check_multipart("a source above the part size needs")?;
            let parts = compose::plan(
                std::slice::from_ref(spec),
                std::slice::from_ref(&stat),
                self.opts.part_size(),
            )?;
            return compose::multipart(&self.client, &self.bucket, &self.object, &self.opts, parts)
                .await;
        }
        single_copy(
            &self.client,
            &self.bucket,
            &self.object,
            spec.headers(None)?,
            &self.opts,
            self.metadata_directive,
            self.tagging_directive,
        )
        .await
    }
}

into_future!(CopyObject => ObjectWriteResult);

/// One CopyObject request with the copy-source headers `source`.
pub(crate) async fn single_copy(
    client: &Newtera,
    bucket: &str,
    object: &str,
    source: HeaderMap,
    opts: &DestOptions,
    metadata_directive: Option<Directive>,
    tagging_directive: Option<Directive>,
) -> Result<ObjectWriteResult> {
    const OP: &str = "CopyObject";
    let mut headers = opts.object_headers(false)?;
    headers.extend(source);
    if let Some(c) = &opts.condition {
        c.apply(&mut headers);
    }
    if opts.retention.is_some() || opts.legal_hold {
        // S3 wants an integrity header on writes that set object-lock
        // state; the request has no body, whose MD5 this is.
        headers.insert(
            HeaderName::from_static("content-md5"),
            HeaderValue::from_static("1B2M2Y8AsgTpgAcHnKMLBg=="),
        );
    }
    for (name, d) in [
        ("x-amz-metadata-directive", metadata_directive),
        ("x-amz-tagging-directive", tagging_directive),
    ] {
        if let Some(d) = d {
            headers.insert(
                HeaderName::from_static(name),
                HeaderValue::from_static(d.as_str()),
            );
        }
    }
    let req = S3Request::new(OP, Method::PUT)
        .bucket(bucket)
        .object(object)
        .headers(headers)
        // S3 may answer 200 and put an <Error> in the body.
        .buffered_answer();
    let resp = client.send(req).await?;
    let mut result = write_result(bucket, object, &resp, None);
    let body = crate::read_body(OP, resp).await?;
    let doc = newtera_xml::CopyObjectResult::from_xml(&body).map_err(Error::xml(OP))?;
    result.etag = Some(trim_etag(&doc.etag));
    if let Some(t) = time::parse_iso8601(&doc.last_modified) {
        result.last_modified = Some(t);
    }
    Ok(result)
}
