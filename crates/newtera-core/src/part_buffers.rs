//! Part buffers shared by the uploads of one client, kept for a short while
//! after use so that the next upload does not fault a fresh set of pages in.
//!
//! An upload from a reader fills one buffer of the part size per part and
//! reuses the buffers of finished parts (see `content.rs`). Without this
//! pool those buffers are freed when the upload ends; the allocator hands
//! buffers this large back to the kernel, and the next upload's buffers
//! fault in again page by page (an 8 MiB buffer is 2,048 page faults, each
//! zeroing a page).
//!
//! Memory bound and release rule:
//! - Only idle buffers are held here: at most `keep` of them, where `keep`
//!   is the bound of the upload handing one back (its
//!   `num_parallel_uploads + 1`, the buffers that upload held anyway), each
//!   of that upload's part size. A buffer that finds the pool full is freed.
//! - An idle buffer is released [`IDLE`] after it was handed back, by a
//!   timer task on the caller's tokio runtime, whether or not the client is
//!   used again; expired buffers are also dropped on the next use. Outside a
//!   runtime nothing is kept. Dropping the client frees them at once.
//!   (The timer runs only while its runtime is driven: on a current-thread
//!   runtime left idle between `block_on` calls, or one shut down, they go
//!   at the next use of the client or with the client. The blocking API's
//!   runtime is driven all the time.)

use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::Duration;

use bytes::BytesMut;
use tokio::time::Instant;

/// How long an idle buffer is kept.
pub(crate) const IDLE: Duration = Duration::from_secs(1);

/// The client-wide pool (cheap to clone: one `Arc`).
#[derive(Clone, Default)]
pub(crate) struct PartBuffers {
    state: Arc<Mutex<State>>,
}

#[derive(Default)]
struct State {
    /// Idle buffers (empty, full capacity) and when each was handed back,
    /// oldest first.
    free: Vec<(BytesMut, Instant)>,
    /// The timer task releasing them, while one runs.
    reaper: Option<tokio::task::AbortHandle>,
}

impl State {
    fn drop_expired(&mut self, now: Instant) {
        self.free.retain(|(_, at)| *at + IDLE > now);
    }
}

impl std::fmt::Debug for PartBuffers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PartBuffers")
            .field("idle", &self.idle())
            .finish()
    }
}

impl PartBuffers {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// An empty buffer of at least `cap` bytes: an idle one of that size
    /// (up to twice it) when there is one, else a new one.
    pub(crate) fn take(&self, cap: usize) -> BytesMut {
        let found = {
            let mut st = self.lock();
            st.drop_expired(Instant::now());
            let fits = |b: &BytesMut| b.capacity() >= cap && b.capacity() / 2 <= cap;
            // The most recently returned first: its pages are the warmest.
            st.free
                .iter()
                .rposition(|(b, _)| fits(b))
                .map(|i| st.free.remove(i).0)
        };
        found.unwrap_or_else(|| BytesMut::with_capacity(cap))
    }

    /// Keeps `b` (cleared) for [`IDLE`] if fewer than `keep` buffers are
    /// idle and a tokio runtime can release it later; frees it otherwise.
    pub(crate) fn give(&self, mut b: BytesMut, keep: usize) {
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let now = Instant::now();
        let mut st = self.lock();
        st.drop_expired(now);
        if st.free.len() >= keep || b.capacity() == 0 {
            return;
        }
        b.clear();
        st.free.push((b, now));
        if st.reaper.as_ref().is_none_or(|r| r.is_finished()) {
            let weak = Arc::downgrade(&self.state);
            st.reaper = Some(rt.spawn(reap(weak)).abort_handle());
        }
    }

    /// Idle buffers held now.
    pub(crate) fn idle(&self) -> usize {
        self.lock().free.len()
    }
}

/// Releases idle buffers as they expire; ends when none is left, or when
/// the client (and with it the pool) is gone.
async fn reap(state: Weak<Mutex<State>>) {
    loop {
        let next = {
            let Some(state) = state.upgrade() else { return };
            let mut st = state.lock().unwrap_or_else(PoisonError::into_inner);
            st.drop_expired(Instant::now());
            match st.free.first() {
                Some((_, at)) => *at + IDLE,
                None => {
                    st.reaper = None;
                    return;
                }
            }
        };
        tokio::time::sleep_until(next).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: usize = 1 << 20;

    #[tokio::test(start_paused = true)]
    async fn bounded_reused_and_released_after_idle() {
        let pool = PartBuffers::default();
        let bufs: Vec<BytesMut> = (0..5).map(|_| pool.take(MIB)).collect();
        let ptrs: Vec<*const u8> = bufs.iter().map(|b| b.as_ptr()).collect();
        for b in bufs {
            pool.give(b, 3);
        }
        // At most `keep` are held; the rest were freed.
        assert_eq!(pool.idle(), 3);
        // Reused: the same memory comes back, not a new allocation.
        let again = pool.take(MIB);
        assert!(ptrs.contains(&again.as_ptr()));
        assert_eq!(again.len(), 0);
        assert!(again.capacity() >= MIB);
        assert_eq!(pool.idle(), 2);
        // A much smaller part does not take a large buffer.
        let small = pool.take(MIB / 4);
        assert!(!ptrs.contains(&small.as_ptr()));
        assert_eq!(pool.idle(), 2);
        // Released by the timer once idle for IDLE, with no further use.
        tokio::time::sleep(IDLE / 2).await;
        assert_eq!(pool.idle(), 2);
        pool.give(again, 3);
        tokio::time::sleep(IDLE / 2 + Duration::from_millis(1)).await;
        // The two older ones are gone, the one returned later is not yet.
        assert_eq!(pool.idle(), 1);
        tokio::time::sleep(IDLE).await;
        assert_eq!(pool.idle(), 0);
        // The timer task ended with the last buffer.
        tokio::task::yield_now().await;
        assert!(pool.lock().reaper.as_ref().is_none_or(|r| r.is_finished()));
    }

    #[test]
    fn nothing_is_kept_outside_a_runtime() {
        let pool = PartBuffers::default();
        pool.give(BytesMut::with_capacity(MIB), 3);
        assert_eq!(pool.idle(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn dropping_the_pool_frees_the_buffers_and_ends_the_timer() {
        let pool = PartBuffers::default();
        pool.give(BytesMut::with_capacity(MIB), 3);
        let weak = Arc::downgrade(&pool.state);
        drop(pool);
        assert!(weak.upgrade().is_none());
        tokio::time::sleep(IDLE * 2).await;
    }
}
