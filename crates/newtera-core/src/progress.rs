//! Download options shared by `get_object` and `fget_object` (progress,
//! parallel ranged reads), and the meter that reports download progress.
//!
//! Downloads report through the same [`Progress`] trait as uploads:
//! `set_total` once, with the number of bytes the download will deliver,
//! then `update` as bytes are handed out (`get_object`: bytes the body
//! stream yields; `fget_object`: bytes written to the file). Every byte of
//! the object is counted once, the first time it is delivered: bytes a
//! resumed read fetches again are never handed out twice, and a download
//! read again from its start after a damaged attempt counts only what goes
//! past the furthest point an earlier attempt reached. So the updates are
//! never negative, their sum never exceeds the total, and it equals the
//! total once the download succeeded.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use crate::types::Progress;

/// Counts the bytes of one download delivered for the first time, over
/// one or more lanes (the ranges of a parallel download; one lane for a
/// single stream), each remembering how far it reached.
pub(crate) struct Meter {
    progress: Arc<dyn Progress>,
    total_set: AtomicBool,
    /// Absolute offset up to which each lane has been reported.
    marks: Vec<AtomicU64>,
}

impl Meter {
    /// A meter whose lanes begin at `starts` (absolute offsets).
    pub(crate) fn new(progress: Arc<dyn Progress>, starts: &[u64]) -> Arc<Meter> {
        Arc::new(Meter {
            progress,
            total_set: AtomicBool::new(false),
            marks: starts.iter().map(|s| AtomicU64::new(*s)).collect(),
        })
    }

    /// Reports the total, the first time only (a download read again does
    /// not announce it twice).
    pub(crate) fn set_total(&self, total: Option<u64>) {
        if !self.total_set.swap(true, Ordering::SeqCst) {
            self.progress.set_total(total);
        }
    }

    /// Lane `lane` has delivered every byte before the absolute offset
    /// `end`; reports what goes past the lane's furthest point so far.
    pub(crate) fn reached(&self, lane: usize, end: u64) {
        let Some(mark) = self.marks.get(lane) else {
            return;
        };
        let before = mark.fetch_max(end, Ordering::SeqCst);
        if end > before {
            self.progress.update(end - before);
        }
    }
}

/// How a download is made: its progress receiver, and how many ranged
/// requests of which size read it in parallel.
#[derive(Clone, Default)]
pub(crate) struct DownloadOptions {
    /// The user's progress receiver.
    pub(crate) progress: Option<Arc<dyn Progress>>,
    /// The meter of a download under way, shared with the reads that
    /// repeat it (a whole read again after a damaged attempt).
    pub(crate) meter: Option<Arc<Meter>>,
    /// Bytes per ranged request of a parallel download.
    pub(crate) part_size: Option<u64>,
    /// Ranged requests in flight (`None`: the operation's default).
    pub(crate) parallel: Option<usize>,
}

impl std::fmt::Debug for DownloadOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DownloadOptions")
            .field("progress", &self.progress.is_some())
            .field("part_size", &self.part_size)
            .field("parallel", &self.parallel)
            .finish()
    }
}

impl DownloadOptions {
    /// The meter of a single-stream read starting at `start`: the one of
    /// the download this read repeats, else a new one, if progress is
    /// wanted at all.
    pub(crate) fn meter_from(&self, start: u64) -> Option<Arc<Meter>> {
        self.meter.clone().or_else(|| {
            self.progress
                .as_ref()
                .map(|p| Meter::new(p.clone(), &[start]))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[derive(Default)]
    struct Seen(Mutex<(Vec<Option<u64>>, Vec<u64>)>);
    impl Progress for Seen {
        fn set_total(&self, total: Option<u64>) {
            self.0
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .0
                .push(total);
        }
        fn update(&self, bytes: u64) {
            self.0
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .1
                .push(bytes);
        }
    }

    #[test]
    fn each_byte_counts_once() {
        let seen = Arc::new(Seen::default());
        let m = Meter::new(seen.clone(), &[0, 100]);
        m.set_total(Some(150));
        m.set_total(Some(150));
        m.reached(0, 40);
        m.reached(1, 120);
        // Lane 0 read again from its start: nothing new until past 40.
        m.reached(0, 10);
        m.reached(0, 40);
        m.reached(0, 100);
        m.reached(1, 150);
        m.reached(7, 1_000);
        let (totals, updates) =
            std::mem::take(&mut *seen.0.lock().unwrap_or_else(|e| e.into_inner()));
        assert_eq!(totals, vec![Some(150)]);
        assert_eq!(updates, vec![40, 20, 60, 30]);
        assert_eq!(updates.iter().sum::<u64>(), 150);
    }
}
