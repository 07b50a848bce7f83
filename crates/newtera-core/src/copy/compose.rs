//! compose_object: one object made of (ranges of) others, server-side,
//! through UploadPartCopy; and the multipart path of copy_object.

use std::sync::Arc;

use futures::{StreamExt as _, TryStreamExt as _};

use super::parts::{check_count, split, MultipartCopy, PartCopy};
use super::source::{ComposeSource, SourceSpec};
use super::{single_copy, DestOptions, Directive};
use crate::client::Newtera;
use crate::error::{Error, Result};
use crate::into_future;
use crate::put::{MAX_OBJECT_SIZE, MAX_PARTS, MIN_PART_SIZE};
use crate::types::{Object, ObjectWriteResult, Sse};
use crate::validate::{check_bucket_name, check_object_name};

/// Creates an object by concatenating (ranges of) other objects on the
/// server. Built by [`Newtera::compose_object`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct ComposeObject {
    pub(super) client: Newtera,
    pub(super) bucket: String,
    pub(super) object: String,
    pub(super) sources: Vec<ComposeSource>,
    pub(super) opts: DestOptions,
}

impl Newtera {
    /// Creates `bucket_name/object_name` from `sources`, in order, by
    /// server-side copy.
    ///
    /// Each source is stat'ed first (for its size, and for its ETag, which
    /// the copy is then made conditional on); every source but the last
    /// must contribute at least 5 MiB, and the whole at most 10,000 parts
    /// of at most `part_size` bytes (default 5 GiB). A single whole source
    /// that fits one part is copied with one CopyObject request. The parts
    /// are copied `num_parallel_uploads` at a time; if any fails, the
    /// upload is aborted and nothing is left behind.
    ///
    /// ```no_run
    /// # async fn demo(client: newtera_core::Newtera) -> Result<(), newtera_core::Error> {
    /// use newtera_core::ComposeSource;
    /// let sources = vec![
    ///     ComposeSource::new("my-job-bucket", "my-object-part-one"),
    ///     ComposeSource::new("my-job-bucket", "my-object-part-two"),
    /// ];
    /// let result = client.compose_object("my-bucket", "my-object", sources).await?;
    /// println!("{} {:?}", result.object_name, result.version_id);
    /// # Ok(()) }
    /// ```
    pub fn compose_object(
        &self,
        bucket_name: impl Into<String>,
        object_name: impl Into<String>,
        sources: impl IntoIterator<Item = ComposeSource>,
    ) -> ComposeObject {
        ComposeObject {
            client: self.clone(),
            bucket: bucket_name.into(),
            object: object_name.into(),
            sources: sources.into_iter().collect(),
            opts: DestOptions::default(),
        }
    }
}

impl ComposeObject {
    /// Sends the requests.
    pub async fn send(self) -> Result<ObjectWriteResult> {
        check_bucket_name(&self.bucket)?;
        check_object_name(&self.object)?;
        if self.sources.is_empty() {
            return Err(Error::arg("sources", "at least one source is needed"));
        }
        if self.sources.len() as u64 > MAX_PARTS {
            return Err(Error::arg(
                "sources",
                format!(
                    "{} sources make more than the {MAX_PARTS} parts allowed",
                    self.sources.len()
                ),
            ));
        }
        self.opts.check(&self.client)?;
        let specs: Vec<SourceSpec> = self.sources.into_iter().map(|s| s.0).collect();
        let n = specs.len();
        for (i, s) in specs.iter().enumerate() {
            s.check(&self.client)?;
            // A length given up front is checked before anything is sent.
            if let Some(len) = s.length.filter(|&l| l < MIN_PART_SIZE && i + 1 < n) {
                return Err(too_small(s, len));
            }
        }
        let stats = stat_all(&self.client, &specs, self.opts.num_parallel_uploads).await?;
        let single = specs.len() == 1 && !specs[0].is_ranged();
        let plan = plan(&specs, &stats, self.opts.part_size())?;
        if single && plan.len() == 1 {
            // One whole source that fits a part: one CopyObject, with the
            // given metadata and tags replacing the source's.
            let directive = |set: bool| set.then_some(Directive::Replace);
            let metadata = directive(!self.opts.metadata.is_empty());
            let tagging = directive(self.opts.tags.is_some());
            let pinned = stats[0].etag.as_deref();
            let headers = specs[0].headers(pinned)?;
            return single_copy(
                &self.client,
                &self.bucket,
                &self.object,
                headers,
                &self.opts,
                metadata,
                tagging,
            )
            .await;
        }
        multipart(&self.client, &self.bucket, &self.object, &self.opts, plan).await
    }
}

into_future!(ComposeObject => ObjectWriteResult);

fn too_small(s: &SourceSpec, size: u64) -> Error {
    Error::arg(
        "sources",
        format!(
            "source {}: {size} bytes is below the 5 MiB minimum for any source but the last",
            s.describe()
        ),
    )
}

/// Stats every source (`parallel` at once), in order.
async fn stat_all(client: &Newtera, specs: &[SourceSpec], parallel: usize) -> Result<Vec<Object>> {
    let stats: Vec<_> = specs.iter().map(|s| stat(client, s)).collect();
    futures::stream::iter(stats)
        .buffered(parallel)
        .try_collect()
        .await
}

/// The source's information (size, ETag).
///
/// An `unmodified_since` condition without a `match_etag` is checked here
/// too: the copy requests are pinned to this stat's ETag with if-match,
/// and S3 (RFC 7232) ignores if-unmodified-since beside an if-match that
/// holds, so this stat is where it can fail (with `PreconditionFailed`).
pub(super) async fn stat(client: &Newtera, s: &SourceSpec) -> Result<Object> {
    let mut req = client.stat_object(&s.bucket, &s.object);
    if let (Some(t), None) = (s.unmodified_since, &s.match_etag) {
        let mut h = http::HeaderMap::new();
        let date = crate::time::format_http_date(t);
        let date = http::HeaderValue::from_str(&date)
            .map_err(|_| Error::arg("unmodified_since", "not a valid header value"))?;
        h.insert(http::header::IF_UNMODIFIED_SINCE, date);
        req = req.extra_headers(h);
    }
    if let Some(v) = &s.version_id {
        req = req.version_id(v);
    }
    if let Some(k) = &s.ssec {
        req = req.ssec(k.clone());
    }
    req.send().await
}

/// The parts that make the object: each source's range split into parts,
/// with the reference's checks (sizes within the objects, every source but
/// the last at least 5 MiB, at most 10,000 parts and 5 TiB in all).
pub(super) fn plan(
    specs: &[SourceSpec],
    stats: &[Object],
    part_size: u64,
) -> Result<Vec<PartCopy>> {
    let n = specs.len();
    let mut total: u64 = 0;
    let mut parts = Vec::new();
    for (i, (s, st)) in specs.iter().zip(stats).enumerate() {
        let size = st.size.ok_or_else(|| Error::UnexpectedResponse {
            op: "HeadObject",
            reason: format!("source {}: the answer has no Content-Length", s.describe()),
        })?;
        let (offset, len) = s.range_in(size)?;
        let last = i + 1 == n;
        if len < MIN_PART_SIZE && !last {
            return Err(too_small(s, len));
        }
        total = total.saturating_add(len);
        if total > MAX_OBJECT_SIZE {
            return Err(Error::arg(
                "sources",
                format!("the object would be {total} bytes or more, above the 5 TiB maximum"),
            ));
        }
        let headers = Arc::new(s.headers(st.etag.as_deref())?);
        let ranges = split(offset, len, part_size, last);
        check_count(parts.len() + ranges.len())?;
        let whole = ranges.len() == 1 && offset == 0 && len == size;
        for range in ranges {
            parts.push(PartCopy {
                source: headers.clone(),
                range: (!whole).then_some(range),
            });
        }
    }
    Ok(parts)
}

/// Copies `parts` into `bucket/object` through a multipart upload.
pub(super) async fn multipart(
    client: &Newtera,
    bucket: &str,
    object: &str,
    opts: &DestOptions,
    parts: Vec<PartCopy>,
) -> Result<ObjectWriteResult> {
    let dest_ssec = match &opts.sse {
        Some(Sse::CustomerKey(k)) => Some(k.clone()),
        _ => None,
    };
    MultipartCopy {
        client,
        bucket,
        object,
        create_headers: opts.object_headers(true)?,
        dest_ssec,
        parallel: opts.num_parallel_uploads,
        condition: opts.condition.clone(),
    }
    .run(parts)
    .await
}
