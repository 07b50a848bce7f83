//! The stream of a listing: the objects of the page at hand, then the next
//! page, fetched when the consumer polls past the last object.
//!
//! Each page's request and answer run in a task of its own, so that the
//! exchange with the connection (request, answer head, body chunks) stays
//! on one runtime worker and the consumer's task (often not on a worker at
//! all: `block_on`, `#[tokio::main]`) is woken once per page rather than
//! for every hand-over. The answer is parsed in the consumer's task: the
//! objects are then allocated by the thread that frees them (with glibc,
//! objects built on a worker and freed elsewhere made the worker's arena
//! shrink and grow again, page faults on every page). The stream is
//! written out rather than composed from `try_unfold` and `try_flatten`:
//! an [`Object`] is a few hundred bytes, and each combinator layer moved it
//! once more on its way to the consumer.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures::{FutureExt as _, Stream};

use super::pager::{Fetched, Pager};
use crate::error::Result;
use crate::task::Task;
use crate::types::Object;

/// A fetch in flight: the pager, back with the next page's answer, or
/// `None` at the end of the listing. Aborted when the stream is dropped.
type Fetch = Task<(Pager, Option<Fetched>)>;

pub(super) struct Listing {
    /// The objects of the current page not yet yielded.
    page: std::vec::IntoIter<Object>,
    state: State,
}

enum State {
    /// Between pages.
    Idle(Pager),
    /// Fetching the next page.
    Fetching(Fetch),
    /// The listing is complete, or failed.
    Done,
}

impl Listing {
    pub(super) fn new(pager: Pager) -> Self {
        Listing {
            page: Vec::new().into_iter(),
            state: State::Idle(pager),
        }
    }
}

impl Stream for Listing {
    type Item = Result<Object>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if let Some(object) = this.page.next() {
                return Poll::Ready(Some(Ok(object)));
            }
            let mut fetch = match std::mem::replace(&mut this.state, State::Done) {
                State::Fetching(fetch) => fetch,
                State::Done => return Poll::Ready(None),
                State::Idle(pager) => Task::spawn(pager.op(), async move {
                    let fetched = pager.fetch().await?;
                    Ok((pager, fetched))
                }),
            };
            let Poll::Ready(fetched) = fetch.poll_unpin(cx) else {
                this.state = State::Fetching(fetch);
                return Poll::Pending;
            };
            // `Done` stays on the end and on an error.
            match fetched {
                Ok((mut pager, Some(answer))) => match pager.page(answer) {
                    Ok(objects) => {
                        this.page = objects.into_iter();
                        this.state = State::Idle(pager);
                    }
                    Err(e) => return Poll::Ready(Some(Err(e))),
                },
                Ok((_, None)) => {}
                Err(e) => return Poll::Ready(Some(Err(e))),
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let upper = matches!(self.state, State::Done).then_some(self.page.len());
        (self.page.len(), upper)
    }
}
