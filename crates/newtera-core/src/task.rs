//! [`Task`]: work spawned on the runtime, aborted when its handle is
//! dropped.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::error::{Error, Result};

/// A spawned piece of an operation (a range download, a listing page),
/// aborted when dropped: a failed or dropped operation stops the work it
/// still had in flight. Awaiting it gives the work's result; a panic in
/// it resumes in the awaiting task.
pub(crate) struct Task<T> {
    handle: tokio::task::JoinHandle<Result<T>>,
    /// The operation, for the error of a task the runtime cancelled.
    op: &'static str,
}

impl<T: Send + 'static> Task<T> {
    /// Spawns `f` on the current runtime.
    pub(crate) fn spawn(
        op: &'static str,
        f: impl Future<Output = Result<T>> + Send + 'static,
    ) -> Task<T> {
        Task {
            handle: tokio::spawn(f),
            op,
        }
    }
}

impl<T> Drop for Task<T> {
    fn drop(&mut self) {
        self.handle.abort();
    }
}

impl<T> Future for Task<T> {
    type Output = Result<T>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T>> {
        let op = self.op;
        match Pin::new(&mut self.handle).poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Ok(r)) => Poll::Ready(r),
            Poll::Ready(Err(e)) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            // Only a runtime shutting down cancels a task we did not abort.
            Poll::Ready(Err(_)) => Poll::Ready(Err(Error::UnexpectedResponse {
                op,
                reason: "the runtime cancelled the request (shutting down?)".into(),
            })),
        }
    }
}
