//! Streams (listings, delete errors, object data) pulled through the
//! runtime thread as blocking iterators.

use futures::stream::BoxStream;
use futures::{Stream, StreamExt as _};
use tokio::sync::mpsc;

use super::runtime;
use crate::{ListObjects, RemoveObjects};

/// How many items a pump hands ahead of the reader: the memory a blocking
/// iterator holds beyond what its stream buffers itself.
const AHEAD: usize = 2;

/// A `Stream` of the async API as an [`Iterator`].
///
/// The stream runs on the blocking runtime's thread, started by the first
/// [`next`](Iterator::next); it stays at most a couple of items ahead of the
/// caller. Dropping the iterator stops it (a page request in flight is
/// dropped too).
///
/// # Panics
///
/// `next` panics when called from inside a Tokio runtime, as
/// [`Call::call`](super::Call::call) does; `new` panics if the runtime thread
/// cannot be started.
pub struct Iter<T> {
    state: State<T>,
}

enum State<T> {
    Idle(BoxStream<'static, T>),
    Running(mpsc::Receiver<T>),
}

impl<T> std::fmt::Debug for Iter<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match self.state {
            State::Idle(_) => "idle",
            State::Running(_) => "running",
        };
        f.debug_struct("Iter").field("state", &state).finish()
    }
}

impl<T: Send + 'static> Iter<T> {
    /// Iterates over `stream`, polled on the runtime thread.
    pub fn new<S>(stream: S) -> Self
    where
        S: Stream<Item = T> + Send + 'static,
    {
        Iter {
            state: State::Idle(stream.boxed()),
        }
    }
}

/// Moves `stream` onto the runtime thread: a task polls it and hands each
/// item over a bounded channel; it ends when the stream does or when the
/// receiver is dropped.
fn pump<T: Send + 'static>(mut stream: BoxStream<'static, T>) -> mpsc::Receiver<T> {
    let (tx, rx) = mpsc::channel(AHEAD);
    runtime::handle_or_panic().spawn(async move {
        loop {
            let item = tokio::select! {
                biased;
                _ = tx.closed() => break,
                item = stream.next() => item,
            };
            let Some(item) = item else { break };
            if tx.send(item).await.is_err() {
                break;
            }
        }
    });
    rx
}

impl<T: Send + 'static> Iterator for Iter<T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        runtime::assert_not_async();
        if let State::Idle(_) = self.state {
            let empty = futures::stream::empty().boxed();
            if let State::Idle(stream) = std::mem::replace(&mut self.state, State::Idle(empty)) {
                self.state = State::Running(pump(stream));
            }
        }
        match &mut self.state {
            State::Running(rx) => rx.blocking_recv(),
            State::Idle(_) => None,
        }
    }
}

/// The listing builders as blocking iterators.
///
/// ```no_run
/// use newtera::blocking::{BuildBlocking as _, IntoIter as _};
///
/// # fn demo() -> Result<(), newtera::Error> {
/// let client = newtera::Newtera::builder("http://localhost:9000").build_blocking()?;
/// for object in client.list_objects("my-bucket").recursive(true).iter() {
///     let object = object?;
///     println!("{} {:?}", object.object_name, object.size);
/// }
/// # Ok(()) }
/// ```
pub trait IntoIter {
    /// What the iterator yields.
    type Item: Send + 'static;
    /// The results one by one, fetched lazily page by page.
    fn iter(self) -> Iter<Self::Item>;
}

impl IntoIter for ListObjects {
    type Item = crate::Result<crate::Object>;
    fn iter(self) -> Iter<Self::Item> {
        Iter::new(self.into_stream())
    }
}

impl IntoIter for RemoveObjects {
    type Item = crate::Result<crate::DeleteError>;
    fn iter(self) -> Iter<Self::Item> {
        Iter::new(self.into_stream())
    }
}
