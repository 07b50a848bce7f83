//! Downloads into a file (the `fget_1g` workload): where the file goes, and
//! the parallel ranged download written at offsets that the peers without a
//! file download of their own (aws-sdk-s3, object_store) use.

use std::error::Error as StdError;
use std::future::Future;
use std::os::unix::fs::FileExt;
use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;
use futures::stream::{self, StreamExt, TryStreamExt};

/// The error type of the benchmark's client code.
pub type BoxError = Box<dyn StdError + Send + Sync>;

/// Where the `fget_1g` workload writes: `/dev/shm` when there is one (the
/// figures are then the client's, not the disk's), else the temporary
/// directory; one name per process.
pub fn download_path() -> PathBuf {
    let shm = std::path::Path::new("/dev/shm");
    let dir = if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    };
    dir.join(format!("newtera-bench-fget-{}", std::process::id()))
}

/// Removes the downloaded file, if any.
pub fn remove_download() {
    let _ = std::fs::remove_file(download_path());
}

/// Downloads `size` bytes as ranges of `part` bytes, `parallel` in flight,
/// each fetched whole by `fetch(offset, length)` and written at its offset
/// of a file created (or truncated) at `path` with a positioned write on the
/// blocking pool. Returns the bytes written.
pub async fn ranges_to_file<F, Fut>(
    path: &std::path::Path,
    size: u64,
    part: u64,
    parallel: usize,
    fetch: F,
) -> Result<u64, BoxError>
where
    F: Fn(u64, u64) -> Fut,
    Fut: Future<Output = Result<Bytes, BoxError>>,
{
    let file = std::fs::File::create(path)?;
    file.set_len(size)?;
    let file = Arc::new(file);
    stream::iter(0..size.div_ceil(part))
        .map(|i| {
            let off = i * part;
            let len = part.min(size - off);
            let data = fetch(off, len);
            let file = file.clone();
            async move {
                let data = data.await?;
                if data.len() as u64 != len {
                    return Err::<u64, BoxError>(
                        format!("range {off}+{len}: got {} bytes", data.len()).into(),
                    );
                }
                tokio::task::spawn_blocking(move || file.write_all_at(&data, off)).await??;
                Ok(len)
            }
        })
        .buffer_unordered(parallel)
        .try_fold(0u64, |a, n| async move { Ok(a + n) })
        .await
}
