//! A waker that keeps a task from waking itself.
//!
//! Polling a connection from the task that waits on it, hyper wakes that
//! very task as it goes (a request handed to the connection, a body chunk
//! handed to the body). On tokio's multi-thread runtime a task woken while
//! it runs is queued again and an idle worker is woken to take it: a futex
//! call and a thread switch for nothing, several per request. Polled
//! through [`Quiet::poll`], a wake that comes while the task is inside the
//! poll only makes the poll go round once more; one that comes later (the
//! socket is readable) wakes the task as usual.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use futures_util::task::AtomicWaker;

/// Not inside [`Quiet::poll`]: a wake goes to the task.
const IDLE: u8 = 0;
/// Inside [`Quiet::poll`].
const POLLING: u8 = 1;
/// Inside [`Quiet::poll`], and woken since the round began.
const WOKEN: u8 = 2;

/// Rounds of one poll before a wake is passed on anyway, so that something
/// that keeps waking cannot hold the thread.
const MAX_ROUNDS: usize = 16;

struct State {
    state: AtomicU8,
    task: AtomicWaker,
}

impl Wake for State {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        // Inside a poll: note it, the poll goes round again. Otherwise (or
        // already noted) the task, or nothing more.
        match self
            .state
            .compare_exchange(POLLING, WOKEN, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => {}
            Err(WOKEN) => {}
            Err(_) => self.task.wake(),
        }
    }
}

/// The waker of one connection and whoever polls it.
pub(crate) struct Quiet {
    state: Arc<State>,
    waker: Waker,
}

impl Quiet {
    pub(crate) fn new() -> Self {
        let state = Arc::new(State {
            state: AtomicU8::new(IDLE),
            task: AtomicWaker::new(),
        });
        let waker = Waker::from(Arc::clone(&state));
        Quiet { state, waker }
    }

    /// Lets go of the last task's waker (the connection goes idle).
    pub(crate) fn forget(&self) {
        drop(self.state.task.take());
    }

    /// Polls `f` with this waker for the task of `cx`, again while `f`
    /// woke it during the round.
    pub(crate) fn poll<T>(
        &self,
        cx: &mut Context<'_>,
        mut f: impl FnMut(&mut Context<'_>) -> Poll<T>,
    ) -> Poll<T> {
        self.state.task.register(cx.waker());
        let mut inner = Context::from_waker(&self.waker);
        for _ in 0..MAX_ROUNDS {
            self.state.state.store(POLLING, Ordering::Release);
            if let Poll::Ready(v) = f(&mut inner) {
                self.state.state.store(IDLE, Ordering::Release);
                return Poll::Ready(v);
            }
            if self
                .state
                .state
                .compare_exchange(POLLING, IDLE, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
            {
                return Poll::Pending;
            }
        }
        self.state.state.store(IDLE, Ordering::Release);
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    struct Count(AtomicUsize);
    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn wakes_inside_a_poll_go_round_wakes_after_reach_the_task() {
        let count = Arc::new(Count(AtomicUsize::new(0)));
        let task = Waker::from(Arc::clone(&count));
        let mut cx = Context::from_waker(&task);
        let q = Quiet::new();
        let mut rounds = 0;
        let mut saved = None;
        let r: Poll<()> = q.poll(&mut cx, |cx| {
            rounds += 1;
            if rounds < 3 {
                cx.waker().wake_by_ref();
            }
            saved = Some(cx.waker().clone());
            Poll::Pending
        });
        assert!(r.is_pending());
        assert_eq!(rounds, 3, "each wake inside the poll made one more round");
        assert_eq!(count.0.load(Ordering::SeqCst), 0, "the task was not woken");
        // Later, from outside: the task is woken.
        saved.unwrap().wake();
        assert_eq!(count.0.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_poll_that_keeps_waking_yields() {
        let count = Arc::new(Count(AtomicUsize::new(0)));
        let task = Waker::from(Arc::clone(&count));
        let mut cx = Context::from_waker(&task);
        let q = Quiet::new();
        let r: Poll<()> = q.poll(&mut cx, |cx| {
            cx.waker().wake_by_ref();
            Poll::Pending
        });
        assert!(r.is_pending());
        assert_eq!(count.0.load(Ordering::SeqCst), 1);
    }
}
