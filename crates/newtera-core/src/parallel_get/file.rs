//! The parallel `fget_object`: ranges written at their offsets in the
//! temporary file, then the whole checked.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use futures::{StreamExt as _, TryStreamExt as _};

use super::checks::Segment;
use super::writer::{self, Write, Writer};
use super::{drain, range_body, Plan};
use crate::error::{Error, Result};
use crate::progress::Meter;
use crate::task::Task;

/// Bytes gathered before one positioned write; a range holds at most two
/// batches (one being written while the next arrives).
const WRITE_BATCH: u64 = 1 << 20;

/// Downloads every range of `plan` into `file` (at `path`), then checks
/// the object's checksum; returns the bytes written. `meter` has one lane
/// per range. Every write has ended when this returns, failed or not.
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
    let (writer, writing) = writer::start(file.clone());
    let result = ranges(plan, writer, path, meter).await;
    writing.finish(result.is_err()).await;
    plan.verify(result?)?;
    let f = file.clone();
    blocking(move || f.sync_all()).await.map_err(io_err)?;
    Ok(size)
}

/// Reads the ranges, `plan.parallel` at a time, handing their bytes to
/// `writer`; returns their CRC segments.
async fn ranges(
    plan: &Plan,
    writer: Writer,
    path: &Path,
    meter: Option<&Arc<Meter>>,
) -> Result<Vec<Segment>> {
    let etag = plan.head.etag.clone().unwrap_or_default();
    let batch = WRITE_BATCH.min(plan.part_size);
    let tasks = plan.ranges().map(|(lane, start, end)| {
        let get = plan.get.clone();
        let etag = etag.clone();
        let segments = plan.segments(start, end);
        let writer = writer.clone();
        let landed = Landed {
            path: path.to_path_buf(),
            meter: meter.cloned(),
            lane,
        };
        Task::spawn(super::OP, async move {
            let body = range_body(&get, &etag, start, end).await?;
            let mut pending: Vec<Bytes> = Vec::new();
            let (mut pending_at, mut pending_len) = (start, 0u64);
            // The batch being written while the next one arrives.
            let mut in_flight: Option<(Write, u64)> = None;
            let segs = drain(body, start, end, segments, |chunk, after| {
                pending_len += chunk.len() as u64;
                pending.push(chunk);
                let previous = (pending_len >= batch || after == end).then(|| {
                    let write = writer.write(std::mem::take(&mut pending), pending_at);
                    (pending_at, pending_len) = (after, 0);
                    in_flight.replace((write, after))
                });
                let landed = landed.clone();
                async move {
                    match previous.flatten() {
                        Some((write, after)) => landed.wait(write, after).await,
                        None => Ok(()),
                    }
                }
            })
            .await?;
            if let Some((write, after)) = in_flight {
                landed.wait(write, after).await?;
            }
            Ok(segs)
        })
    });
    let all: Vec<Vec<Segment>> = futures::stream::iter(tasks)
        .buffer_unordered(plan.parallel)
        .try_collect()
        .await?;
    Ok(all.into_iter().flatten().collect())
}

/// Where a range reports its written batches.
#[derive(Clone)]
struct Landed {
    path: PathBuf,
    meter: Option<Arc<Meter>>,
    lane: usize,
}

impl Landed {
    /// Waits for `write`, whose bytes end at offset `after`, and moves the
    /// range's progress there.
    async fn wait(&self, write: Write, after: u64) -> Result<()> {
        write.finish().await.map_err(|source| Error::Io {
            path: self.path.clone(),
            source,
        })?;
        if let Some(m) = &self.meter {
            m.reached(self.lane, after);
        }
        Ok(())
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> std::io::Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|e| Err(std::io::Error::other(e)))
}
