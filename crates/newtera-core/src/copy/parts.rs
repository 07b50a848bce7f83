//! The multipart side of server-side copies: splitting sources into parts,
//! and copying the parts with `UploadPartCopy`, a bounded number at once,
//! aborting the upload on any failure (also when the future is dropped).

use std::sync::Arc;

use http::{HeaderMap, HeaderName, HeaderValue, Method};
use tokio::task::JoinSet;

use crate::client::{Newtera, S3Request};
use crate::error::{Error, Result};
use crate::headers::WriteCondition;
use crate::multipart::{part_error, Target};
use crate::put::{MAX_PARTS, MAX_PART_SIZE, MIN_PART_SIZE};
use crate::types::{ObjectWriteResult, SseCustomerKey};

/// One part to copy: the source's copy headers and the byte range.
pub(crate) struct PartCopy {
    /// `x-amz-copy-source` and friends (shared by a source's parts).
    pub(crate) source: Arc<HeaderMap>,
    /// The first byte and the number of bytes; `None` copies the whole
    /// source object.
    pub(crate) range: Option<(u64, u64)>,
}

/// The byte ranges `(offset, len)` of the parts that copy `len` bytes from
/// `offset`, each at most `part_size` bytes. Unless `last` (the final piece
/// of the object, which may end in a short part), the final part is kept at
/// or above S3's 5 MiB minimum by joining a short remainder to the part
/// before it, or, when that would exceed 5 GiB, splitting the two evenly.
pub(crate) fn split(offset: u64, len: u64, part_size: u64, last: bool) -> Vec<(u64, u64)> {
    let mut sizes = Vec::new();
    let mut left = len;
    while left > 0 {
        let n = left.min(part_size);
        sizes.push(n);
        left -= n;
    }
    if sizes.is_empty() {
        sizes.push(0);
    }
    let count = sizes.len();
    if !last && count >= 2 && sizes[count - 1] < MIN_PART_SIZE {
        let tail = sizes[count - 2] + sizes[count - 1];
        sizes.truncate(count - 2);
        if tail <= MAX_PART_SIZE {
            sizes.push(tail);
        } else {
            sizes.push(tail - tail / 2);
            sizes.push(tail / 2);
        }
    }
    let mut at = offset;
    sizes
        .into_iter()
        .map(|n| {
            let r = (at, n);
            at += n;
            r
        })
        .collect()
}

/// Checks the part count against S3's limit.
pub(crate) fn check_count(count: usize) -> Result<()> {
    if count as u64 > MAX_PARTS {
        return Err(Error::arg(
            "sources",
            format!("the copy needs {count} parts; at most {MAX_PARTS} are allowed"),
        ));
    }
    Ok(())
}

/// What every part copy of one upload shares.
struct Context {
    client: Newtera,
    bucket: String,
    object: String,
    upload_id: String,
    /// The destination's SSE-C headers, sent with every part.
    dest_ssec: HeaderMap,
}

/// A multipart copy into `bucket/object`.
pub(crate) struct MultipartCopy<'a> {
    pub(crate) client: &'a Newtera,
    pub(crate) bucket: &'a str,
    pub(crate) object: &'a str,
    /// Headers of CreateMultipartUpload (metadata, SSE, tags, lock).
    pub(crate) create_headers: HeaderMap,
    /// The destination's SSE-C key, if it is encrypted so.
    pub(crate) dest_ssec: Option<SseCustomerKey>,
    /// Part copies in flight at once.
    pub(crate) parallel: usize,
    /// The condition of the write, sent with the completion.
    pub(crate) condition: Option<WriteCondition>,
}

impl MultipartCopy<'_> {
    /// Creates the upload, copies `parts` (numbered from 1 in order) and
    /// completes it; on any failure the upload is aborted.
    pub(crate) async fn run(self, parts: Vec<PartCopy>) -> Result<ObjectWriteResult> {
        let target = Target {
            client: self.client,
            bucket: self.bucket,
            object: self.object,
        };
        // No checksum is announced: the data never passes through the
        // client, and parts copied server-side carry none to combine.
        let mut guard = target.create(self.create_headers.clone(), None).await?;
        let upload_id = guard.upload_id().to_owned();
        let mut dest_ssec = HeaderMap::new();
        if let Some(k) = &self.dest_ssec {
            k.headers(&mut dest_ssec);
        }
        let ctx = Arc::new(Context {
            client: self.client.clone(),
            bucket: self.bucket.to_owned(),
            object: self.object.to_owned(),
            upload_id: upload_id.clone(),
            dest_ssec: dest_ssec.clone(),
        });
        let outcome = match copy_all(ctx, parts, self.parallel).await {
            Ok(done) => {
                let mut headers = dest_ssec;
                if let Some(c) = &self.condition {
                    c.apply(&mut headers);
                }
                target
                    .complete(&upload_id, done, headers, self.dest_ssec.as_ref())
                    .await
            }
            Err(e) => Err(e),
        };
        if outcome.is_ok() {
            guard.completed();
        }
        // Aborts the upload unless it completed, and sweeps strays.
        guard.finish().await;
        outcome
    }
}

/// Copies every part, at most `parallel` at once; the first failure stops
/// the others. Returns the completed parts sorted by number.
async fn copy_all(
    ctx: Arc<Context>,
    parts: Vec<PartCopy>,
    parallel: usize,
) -> Result<Vec<newtera_xml::CompletedPart>> {
    let mut tasks: JoinSet<Result<newtera_xml::CompletedPart>> = JoinSet::new();
    let mut done = Vec::with_capacity(parts.len());
    let join = |r: Option<std::result::Result<Result<_>, tokio::task::JoinError>>| match r {
        None => Ok(None),
        Some(Ok(Ok(part))) => Ok(Some(part)),
        Some(Ok(Err(e))) => Err(e),
        Some(Err(e)) => Err(Error::UnexpectedResponse {
            op: "UploadPartCopy",
            reason: format!("part copy task failed: {e}"),
        }),
    };
    for (i, part) in parts.into_iter().enumerate() {
        while tasks.len() >= parallel {
            match join(tasks.join_next().await) {
                Ok(p) => done.extend(p),
                Err(e) => {
                    tasks.abort_all();
                    return Err(e);
                }
            }
        }
        let number = u32::try_from(i + 1).map_err(|_| Error::arg("sources", "too many parts"))?;
        tasks.spawn(copy_part(ctx.clone(), number, part));
    }
    while !tasks.is_empty() {
        match join(tasks.join_next().await) {
            Ok(p) => done.extend(p),
            Err(e) => {
                tasks.abort_all();
                return Err(e);
            }
        }
    }
    done.sort_by_key(|p| p.part_number);
    Ok(done)
}

/// One UploadPartCopy.
async fn copy_part(
    ctx: Arc<Context>,
    part_number: u32,
    part: PartCopy,
) -> Result<newtera_xml::CompletedPart> {
    const OP: &str = "UploadPartCopy";
    let mut headers = (*part.source).clone();
    headers.extend(ctx.dest_ssec.clone());
    if let Some((offset, len)) = part.range {
        let range = if len == 0 {
            // Only the empty object has no byte to name; copy it whole.
            None
        } else {
            Some(format!("bytes={offset}-{}", offset + len - 1))
        };
        if let Some(range) = range.and_then(|r| HeaderValue::from_str(&r).ok()) {
            headers.insert(HeaderName::from_static("x-amz-copy-source-range"), range);
        }
    }
    let req = S3Request::new(OP, Method::PUT)
        .bucket(&ctx.bucket)
        .object(&ctx.object)
        .query("partNumber", part_number.to_string())
        .query("uploadId", ctx.upload_id.clone())
        .headers(headers)
        // Copying a part again replaces it with the same bytes.
        .idempotent(true)
        .buffered_answer();
    let send = async {
        let resp = ctx.client.send(req).await?;
        let body = crate::read_body(OP, resp).await?;
        newtera_xml::CopyPartResult::from_xml(&body).map_err(Error::xml(OP))
    };
    let result = send.await.map_err(|e| part_error(part_number, e))?;
    Ok(newtera_xml::CompletedPart {
        part_number,
        etag: result.etag,
        checksum_crc32c: None,
        checksum_crc64nvme: None,
        checksum_crc32: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1024 * 1024;

    #[test]
    fn splits_keep_parts_within_limits() {
        assert_eq!(split(0, 0, 5 * MIB, true), vec![(0, 0)]);
        assert_eq!(split(7, 3, 5 * MIB, true), vec![(7, 3)]);
        assert_eq!(
            split(0, 12 * MIB, 5 * MIB, true),
            vec![(0, 5 * MIB), (5 * MIB, 5 * MIB), (10 * MIB, 2 * MIB)]
        );
        // Not last: the 2 MiB remainder joins the part before it.
        assert_eq!(
            split(MIB, 12 * MIB, 5 * MIB, false),
            vec![(MIB, 5 * MIB), (6 * MIB, 7 * MIB)]
        );
        // ... or, when that part would pass 5 GiB, the two share evenly.
        let parts = split(0, MAX_PART_SIZE + MIB, MAX_PART_SIZE, false);
        assert_eq!(parts.len(), 2);
        assert!(parts
            .iter()
            .all(|&(_, n)| (MIN_PART_SIZE..=MAX_PART_SIZE).contains(&n)));
        assert_eq!(parts[1].0, parts[0].1);
        assert_eq!(parts[0].1 + parts[1].1, MAX_PART_SIZE + MIB);
        // Every byte once, in order, whatever the sizes.
        for (len, ps, last) in [
            (5 * MIB, 5 * MIB, false),
            (13 * MIB + 1, 6 * MIB, false),
            (100 * MIB + 7, 5 * MIB, true),
        ] {
            let parts = split(3, len, ps, last);
            let mut at = 3;
            for &(o, n) in &parts {
                assert_eq!(o, at);
                assert!(n <= MAX_PART_SIZE);
                at += n;
            }
            assert_eq!(at, 3 + len);
            if !last {
                assert!(parts.iter().all(|&(_, n)| n >= MIN_PART_SIZE));
            }
        }
        assert!(check_count(10_000).is_ok());
        assert!(check_count(10_001).is_err());
    }
}
