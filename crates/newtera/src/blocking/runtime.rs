//! The runtime thread every blocking call runs on, and the guard against
//! blocking inside an async runtime.

use std::future::Future;
use std::io;
use std::sync::{Mutex, PoisonError};

use tokio::runtime::Handle;

/// The name of the runtime thread (shows in debuggers and panics).
const THREAD_NAME: &str = "newtera-blocking";

/// The handle of the process's blocking runtime, once started.
static RUNTIME: Mutex<Option<Handle>> = Mutex::new(None);

/// The runtime the blocking API runs its futures on: a current-thread Tokio
/// runtime driven by a thread of its own, started on first use and kept for
/// the life of the process (so connections pooled by a client stay usable
/// from one call to the next, whichever client or builder made them).
pub(crate) fn handle() -> io::Result<Handle> {
    let mut slot = RUNTIME.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(handle) = slot.as_ref() {
        return Ok(handle.clone());
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .thread_name(THREAD_NAME)
        .build()?;
    let handle = rt.handle().clone();
    std::thread::Builder::new()
        .name(THREAD_NAME.into())
        .spawn(move || {
            // Drives every task spawned on the handle, forever; the thread
            // ends with the process.
            rt.block_on(std::future::pending::<()>());
        })?;
    *slot = Some(handle.clone());
    Ok(handle)
}

/// [`handle`], or a panic naming what failed: for the places whose return
/// type has no room for the error (a builder's `call`).
pub(crate) fn handle_or_panic() -> Handle {
    match handle() {
        Ok(h) => h,
        Err(e) => panic!("newtera::blocking: cannot start the runtime thread: {e}"),
    }
}

/// Panics when the current thread is inside a Tokio runtime, where blocking
/// would stall (or deadlock) the runtime's other tasks. Checked before a call
/// starts, so nothing has been sent when it fires.
pub(crate) fn assert_not_async() {
    if Handle::try_current().is_ok() {
        panic!(
            "newtera::blocking: a blocking call was made from inside an async runtime \
             (a Tokio task, `block_on` or `spawn_blocking`); await the async builder \
             there instead, or run the blocking code on a std::thread"
        );
    }
}

/// Runs `fut` to completion on the runtime thread and waits for it here.
/// A panic inside the future is resumed on the calling thread.
pub(crate) fn run<F>(handle: &Handle, fut: F) -> F::Output
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    assert_not_async();
    let task = handle.spawn(fut);
    match futures::executor::block_on(task) {
        Ok(out) => out,
        Err(e) => match e.try_into_panic() {
            Ok(payload) => std::panic::resume_unwind(payload),
            // The runtime lives as long as the process, so its tasks are
            // never cancelled.
            Err(e) => panic!("newtera::blocking: the call was cancelled: {e}"),
        },
    }
}
