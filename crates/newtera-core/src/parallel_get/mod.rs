//! Parallel ranged downloads: `fget_object` (by default) and `get_object`
//! (with [`GetObject::num_parallel_downloads`]) read a large object as
//! `part_size` ranges, `num_parallel_downloads` at a time.
//!
//! - **One object.** A HEAD (with checksum mode) gives the size, ETag,
//!   version and checksum; every range is a GET pinned to them
//!   (`If-Match`, and `versionId` when the object has one). An object
//!   replaced during the download fails its next range with `412`, which
//!   is [`Error::ObjectChanged`].
//! - **Each range resumes on its own**, as a single-stream read does
//!   (`Range` + `If-Match`, within `resume_attempts` without progress).
//! - **Integrity.** Each range computes the CRCs of its bytes as they
//!   arrive; once every range is in, they combine in order into the
//!   object's checksum and are compared with the declared one (see
//!   `checks.rs` for full-object and composite checksums). A mismatch is
//!   [`Error::ChecksumMismatch`]; `fget_object` then downloads the object
//!   again, as its single-stream path does, while the retry settings
//!   allow, and never publishes a file that failed.
//! - **Bounded memory.** `fget_object` writes each range at its offset in
//!   the temporary file (positioned writes in batches of 1 MiB, by one
//!   writer per download: `writer.rs`), so it holds about 2 MiB per range
//!   in flight (a batch being written while the next arrives); the in-order `get_object` holds each range whole until it is
//!   its turn: at most `part_size × (num_parallel_downloads + 1)` bytes,
//!   counting the chunk the caller holds, whatever the object's size.
//! - **Small objects** (under two part sizes), objects without an ETag,
//!   and strict-integrity reads of objects without a verifiable CRC (whose
//!   MD5 check needs one stream) are read as one stream.

pub(crate) mod checks;
pub(crate) mod file;
pub(crate) mod ordered;
mod writer;

use std::future::Future;

use futures::StreamExt as _;
use http::HeaderValue;

use crate::error::{Error, Result};
use crate::get::{GetObject, ObjectBody, StatObject};
use crate::progress::DownloadOptions;
use crate::types::Object;
use checks::{Expected, Segment, Segments};

const OP: &str = "GetObject";

/// The default bytes per ranged GET of a parallel download (16 MiB).
///
/// Chosen with the default parallelism from one measurement: a 256 MiB
/// `fget_object` from garage on 127.0.0.1 (debug build, 2-core machine
/// shared with other builds, two runs): one stream 183–223 MiB/s; 2 × 16
/// MiB 211–231; 4 × 8 MiB 256–322; 4 × 16 MiB 282–389; 4 × 32 MiB
/// 306–373; 8 × 8 MiB 350–435; 8 × 16 MiB 381–477.
pub const DEFAULT_DOWNLOAD_PART_SIZE: u64 = 16 << 20;

/// The default number of ranged GETs in flight for `fget_object` (8; see
/// [`DEFAULT_DOWNLOAD_PART_SIZE`] for the measurement). `get_object` reads
/// one stream unless asked ([`GetObject::num_parallel_downloads`]), since
/// its in-order ranges are held in memory.
pub const DEFAULT_PARALLEL_DOWNLOADS: usize = 8;

/// Refuses option values that make no download.
pub(crate) fn check_options(d: &DownloadOptions) -> Result<()> {
    if d.part_size == Some(0) {
        return Err(Error::arg(
            "part_size",
            "a range must hold at least one byte",
        ));
    }
    if d.parallel == Some(0) {
        return Err(Error::arg(
            "num_parallel_downloads",
            "at least one range must be in flight",
        ));
    }
    Ok(())
}

/// The builder options of parallel downloads.
macro_rules! download_setters {
    ($ty:ty, $default:expr) => {
        impl $ty {
            /// Bytes per ranged GET of a parallel download (default
            /// [`DEFAULT_DOWNLOAD_PART_SIZE`](crate::DEFAULT_DOWNLOAD_PART_SIZE),
            /// 16 MiB); spans under twice this size are read as one stream.
            pub fn part_size(mut self, bytes: u64) -> Self {
                self.download.part_size = Some(bytes);
                self
            }
            #[doc = concat!(
                                "Ranged GETs in flight (default ", $default,
                                "; 1 reads one stream), each pinned to the object's ETag and ",
                        "resumed on its own. `fget_object` writes each range at its offset ",
                        "(about 2 MiB buffered per range); the in-order `get_object` holds at ",
                        "most part_size × (n + 1) bytes. The full-object checksum is verified ",
                        "from the ranges' CRCs."
                            )]
            pub fn num_parallel_downloads(mut self, n: usize) -> Self {
                self.download.parallel = Some(n);
                self
            }
        }
    };
}
pub(crate) use download_setters;

/// A parallel download: the object it is pinned to and how it is cut.
pub(crate) struct Plan {
    /// The read pinned to the object (`If-Match`, version), without
    /// download options; each range sets its offset and length.
    pub(crate) get: GetObject,
    /// The object as the HEAD described it.
    pub(crate) head: Object,
    /// The span read, `[start, end)`.
    pub(crate) start: u64,
    pub(crate) end: u64,
    pub(crate) part_size: u64,
    pub(crate) parallel: usize,
    /// What the whole object is checked against (whole reads only).
    pub(crate) expected: Option<Expected>,
}

/// The HEAD of a parallel read: the caller's options, with checksum mode
/// when the client uses checksums.
pub(crate) fn head_request(get: &GetObject) -> StatObject {
    let mut stat = get.client().stat_object(get.bucket(), get.object());
    stat.opts = get.opts.clone();
    if get.client().inner.checksum.is_some() {
        stat.opts.headers.insert(
            http::HeaderName::from_static("x-amz-checksum-mode"),
            HeaderValue::from_static("ENABLED"),
        );
    }
    stat
}

impl Plan {
    /// The plan for reading `[get.offset, get.offset + get.length)` of the
    /// object `head` describes in parallel, or `None` when one stream
    /// should read it (see the module documentation).
    pub(crate) async fn new(
        get: &GetObject,
        head: Object,
        default_parallel: usize,
    ) -> Result<Option<Plan>> {
        let parallel = get.download.parallel.unwrap_or(default_parallel);
        let part_size = get.download.part_size.unwrap_or(DEFAULT_DOWNLOAD_PART_SIZE);
        let (Some(size), Some(etag)) = (head.size, head.etag.clone()) else {
            return Ok(None);
        };
        let start = get.offset.min(size);
        let end = get
            .length
            .map_or(size, |l| start.saturating_add(l).min(size));
        if parallel <= 1 || end - start < part_size.saturating_mul(2) {
            return Ok(None);
        }
        let mut pinned = get.clone();
        pinned.download = DownloadOptions::default();
        // Pinned to the ETag the HEAD saw (also over a caller's `*`).
        pinned.opts.match_etag = Some(etag.clone());
        pinned.opts.headers.remove(http::header::IF_MATCH);
        if let Some(v) = &head.version_id {
            pinned.opts.version_id = Some(v.clone());
        }
        let whole = start == 0 && end == size;
        let expected = if whole && get.client().inner.checksum.is_some() {
            checks::expected(&pinned, &head.metadata, size).await?
        } else {
            None
        };
        if expected.is_none() && get.client().inner.strict_integrity {
            return Ok(None);
        }
        Ok(Some(Plan {
            get: pinned,
            head,
            start,
            end,
            part_size,
            parallel,
            expected,
        }))
    }

    /// The ranges, `(index, start, end)`, in order.
    pub(crate) fn ranges(&self) -> impl Iterator<Item = (usize, u64, u64)> + Send + 'static {
        let (start, end, size) = (self.start, self.end, self.part_size);
        let count = (end - start).div_ceil(size);
        (0..count).map(move |i| {
            let a = start + i * size;
            (i as usize, a, (a + size).min(end))
        })
    }

    /// Checks the segments of every range against the declared checksum.
    pub(crate) fn verify(&self, segments: Vec<Segment>) -> Result<()> {
        match &self.expected {
            Some(e) => e.verify(segments),
            None => Ok(()),
        }
    }

    /// Where one range computes its CRCs, when there is a checksum.
    pub(crate) fn segments(&self, start: u64, end: u64) -> Option<Segments> {
        let e = self.expected.as_ref()?;
        Some(Segments::new(e.alg(), start, end, e.cuts()))
    }
}

/// The body of range `[start, end)`, pinned to the plan's object: a `412`
/// (the object changed) is [`Error::ObjectChanged`].
pub(crate) async fn range_body(
    get: &GetObject,
    etag: &str,
    start: u64,
    end: u64,
) -> Result<ObjectBody> {
    let mut range = get.clone();
    range.offset = start;
    range.length = Some(end - start);
    match range.send().await {
        Ok(resp) => Ok(resp.body),
        Err(e) if e.status() == Some(http::StatusCode::PRECONDITION_FAILED) => {
            Err(Error::ObjectChanged {
                op: OP,
                etag: etag.to_owned(),
            })
        }
        Err(e) => Err(e),
    }
}

/// Reads a range body to its end through `each` (chunk, offset after it),
/// checking that exactly `[start, end)` arrived.
pub(crate) async fn drain<F, Fut>(
    mut body: ObjectBody,
    start: u64,
    end: u64,
    mut segments: Option<Segments>,
    mut each: F,
) -> Result<Vec<Segment>>
where
    F: FnMut(bytes::Bytes, u64) -> Fut,
    Fut: Future<Output = Result<()>>,
{
    let mut at = start;
    while let Some(chunk) = body.next().await {
        let chunk = chunk?;
        at += chunk.len() as u64;
        if at > end {
            return Err(Error::UnexpectedResponse {
                op: OP,
                reason: format!("range {start}-{end} answered past its end"),
            });
        }
        if let Some(s) = segments.as_mut() {
            s.update(&chunk);
        }
        each(chunk, at).await?;
    }
    if at != end {
        return Err(Error::Truncated {
            op: OP,
            received: at - start,
            expected: end - start,
        });
    }
    Ok(segments.map(Segments::finish).unwrap_or_default())
}
