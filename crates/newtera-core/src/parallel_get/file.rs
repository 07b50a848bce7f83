//! The parallel `fget_object`: ranges written at their offsets in the
//! temporary file, then the whole checked.

use std::path::Path;
use std::sync::Arc;

use futures::{StreamExt as _, TryStreamExt as _};

use super::{drain, range_body, Plan};
use crate::error::{Error, Result};
use crate::progress::Meter;
use crate::task::Task;

/// Bytes gathered before one positioned write.
const WRITE_BATCH: u64 = 1 << 20;

/// Downloads every range of `plan` into `file` (at `path`), then checks
/// the object's checksum; returns the bytes written. `meter` has one lane
/// per range.
pub(crate) async fn download(
    plan: &Plan,
    file: &Arc<std::fs::File>,
    path: &Path,
    meter: Option<&Arc<Meter>>,
) -> Result<u64> {
    let io_err = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let size = plan.end - plan.start;
    let f = file.clone();
    blocking(move || f.set_len(size)).await.map_err(io_err)?;
    let etag = plan.head.etag.clone().unwrap_or_default();
    let tasks = plan.ranges().map(|(lane, start, end)| {
        let get = plan.get.clone();
        let etag = etag.clone();
        let segments = plan.segments(start, end);
        let file = file.clone();
        let path = path.to_path_buf();
        let meter = meter.cloned();
        let batch = WRITE_BATCH.min(plan.part_size);
        Task::spawn(super::OP, async move {
            let body = range_body(&get, &etag, start, end).await?;
            let mut pending: Vec<bytes::Bytes> = Vec::new();
            let mut pending_at = start;
            let mut pending_len = 0u64;
            let segs = drain(body, start, end, segments, |chunk, after| {
                pending_len += chunk.len() as u64;
                pending.push(chunk);
                let flush = pending_len >= batch || after == end;
                let job = flush.then(|| {
                    let job = (std::mem::take(&mut pending), pending_at);
                    pending_at = after;
                    pending_len = 0;
                    job
                });
                let (file, path, meter) = (file.clone(), path.clone(), meter.clone());
                async move {
                    if let Some((chunks, at)) = job {
                        write_chunks(file, chunks, at)
                            .await
                            .map_err(|source| Error::Io { path, source })?;
                        if let Some(m) = meter {
                            m.reached(lane, after);
                        }
                    }
                    Ok(())
                }
            })
            .await?;
            Ok(segs)
        })
    });
    let all: Vec<Vec<_>> = futures::stream::iter(tasks)
        .buffer_unordered(plan.parallel)
        .try_collect()
        .await?;
    plan.verify(all.into_iter().flatten().collect())?;
    let f = file.clone();
    blocking(move || f.sync_all()).await.map_err(io_err)?;
    Ok(size)
}

/// Writes `chunks` one after the other from offset `at`, off the runtime.
async fn write_chunks(
    file: Arc<std::fs::File>,
    chunks: Vec<bytes::Bytes>,
    mut at: u64,
) -> std::io::Result<()> {
    blocking(move || {
        for c in &chunks {
            write_all_at(&file, c, at)?;
            at += c.len() as u64;
        }
        Ok(())
    })
    .await
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> std::io::Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|e| Err(std::io::Error::other(e)))
}

/// A positioned write: the file's own offset is neither used nor moved,
/// so ranges write through one shared handle at once.
fn write_all_at(file: &std::fs::File, buf: &[u8], at: u64) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileExt as _;
        file.write_all_at(buf, at)
    }
    #[cfg(windows)]
    {
        use std::os::windows::fs::FileExt as _;
        let mut done = 0;
        while done < buf.len() {
            let n = file.seek_write(&buf[done..], at + done as u64)?;
            if n == 0 {
                return Err(std::io::ErrorKind::WriteZero.into());
            }
            done += n;
        }
        Ok(())
    }
    #[cfg(not(any(unix, windows)))]
    {
        let _ = (file, buf, at);
        Err(std::io::ErrorKind::Unsupported.into())
    }
}
