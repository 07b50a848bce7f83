//! The one writer of a parallel `fget_object`: a loop on the blocking pool
//! that writes every range's batches at their offsets.
//!
//! Why one: a buffered write holds the file's inode lock while it copies
//! into the page cache (tmpfs, ext4 and XFS alike), so writers of one file
//! take turns whatever their number. With a blocking-pool job per batch,
//! the waiting ones spin on that lock and each batch costs a hand-over to
//! a pool thread and back; one loop that takes the batches in turn writes
//! as fast, spins on nothing and stays awake while batches keep coming.
//! The ranges do not wait for their writes either: each keeps reading its
//! next batch while the last one is written (see [`Write`]).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use tokio::sync::{mpsc, oneshot};

/// A batch handed to the writer: its chunks, its offset, and where to say
/// how it went.
struct Job {
    chunks: Vec<Bytes>,
    at: u64,
    done: oneshot::Sender<std::io::Result<()>>,
}

/// Hands batches to the download's writer; cloned into every range.
#[derive(Clone)]
pub(crate) struct Writer(mpsc::UnboundedSender<Job>);

/// The writer loop itself, owned by the download: [`Writing::finish`]
/// waits until it has stopped, so no batch is written after the download
/// returns.
pub(crate) struct Writing {
    handle: tokio::task::JoinHandle<()>,
    /// Set when the download failed: batches still queued are dropped.
    stop: Arc<AtomicBool>,
}

/// A batch being written; [`Write::finish`] waits for it.
pub(crate) struct Write(oneshot::Receiver<std::io::Result<()>>);

/// Starts the writer of `file`.
pub(crate) fn start(file: Arc<std::fs::File>) -> (Writer, Writing) {
    let (tx, mut rx) = mpsc::unbounded_channel::<Job>();
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = stop.clone();
    let handle = tokio::task::spawn_blocking(move || {
        while let Some(job) = rx.blocking_recv() {
            let result = if stopped.load(Ordering::Relaxed) {
                Err(std::io::Error::other("the download stopped"))
            } else {
                write_chunks(&file, &job.chunks, job.at)
            };
            drop(job.chunks);
            let _ = job.done.send(result);
        }
    });
    (Writer(tx), Writing { handle, stop })
}

impl Writer {
    /// Queues `chunks`, one after the other from offset `at`.
    pub(crate) fn write(&self, chunks: Vec<Bytes>, at: u64) -> Write {
        let (done, rx) = oneshot::channel();
        // A send fails only when the loop has gone; `finish` then says so.
        let _ = self.0.send(Job { chunks, at, done });
        Write(rx)
    }
}

impl Write {
    /// Waits until the batch is written.
    pub(crate) async fn finish(self) -> std::io::Result<()> {
        self.0
            .await
            .unwrap_or_else(|_| Err(std::io::Error::other("the file writer stopped")))
    }
}

impl Writing {
    /// Waits for the loop to stop, once every [`Writer`] is dropped;
    /// `failed` drops the batches still queued instead of writing them.
    pub(crate) async fn finish(self, failed: bool) {
        if failed {
            self.stop.store(true, Ordering::Relaxed);
        }
        // The loop cannot panic short of a bug; its end is all we wait for.
        let _ = self.handle.await;
    }
}

fn write_chunks(file: &std::fs::File, chunks: &[Bytes], mut at: u64) -> std::io::Result<()> {
    for c in chunks {
        write_all_at(file, c, at)?;
        at += c.len() as u64;
    }
    Ok(())
}

/// A positioned write: the file's own offset is neither used nor moved.
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
