//! The same API for synchronous code (cargo feature `blocking`).
//!
//! The blocking client is the async client run on a Tokio runtime of its
//! own, the way `reqwest::blocking` works: a current-thread runtime driven
//! by one dedicated thread (`newtera-blocking`), started by the first
//! blocking client (or call) and kept for the life of the process, shared by
//! every blocking client so pooled connections stay usable from call to call.
//! A call hands its future to that thread and waits for the result, so the
//! calling thread needs no runtime.
//!
//! Nothing is written twice: [`Newtera`] dereferences to the async
//! [`crate::Newtera`], so every operation has the same name, arguments and
//! builder with the same setters; [`Call::call`] then runs any builder (any
//! `IntoFuture`) to completion. What is a `Stream` or an `AsyncRead` in the
//! async API has a `std` counterpart here:
//!
//! | async | blocking |
//! |---|---|
//! | `builder.await` | [`builder.call()`](Call::call) |
//! | `list_objects(..).into_stream()`, `remove_objects(..).into_stream()` | [`.iter()`](IntoIter::iter): an [`Iterator`] |
//! | `GetObjectResponse::into_stream()` | [`.into_reader()`](IntoReader::into_reader): an [`std::io::Read`] |
//! | `ObjectContent::from_reader(AsyncRead, len)` | [`content_from_read(Read, len)`](content_from_read) |
//! | any other stream | [`Iter::new`] |
//!
//! ```no_run
//! use std::io::Read as _;
//! use newtera::blocking::{content_from_read, BuildBlocking as _, Call as _, IntoIter as _, IntoReader as _};
//!
//! # fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let client = newtera::Newtera::builder("http://localhost:9000")
//!     .access_key("ACCESS-KEY")
//!     .secret_key("SECRET-KEY")
//!     .build_blocking()?;
//! if !client.bucket_exists("my-bucket").call()? {
//!     client.make_bucket("my-bucket").call()?;
//! }
//! let file = std::fs::File::open("data.bin")?;
//! let len = file.metadata()?.len();
//! client.put_object("my-bucket", "data.bin", content_from_read(file, Some(len))).call()?;
//! for object in client.list_objects("my-bucket").recursive(true).iter() {
//!     println!("{}", object?.object_name);
//! }
//! let mut text = String::new();
//! client.get_object("my-bucket", "data.bin").call()?.into_reader().read_to_string(&mut text)?;
//! # Ok(()) }
//! ```
//!
//! # Inside an async runtime: a panic
//!
//! Blocking a thread that drives async tasks stalls them, and can deadlock
//! the very request being waited for. So every blocking call
//! ([`Call::call`], [`Iterator::next`] of an [`Iter`], [`std::io::Read::read`]
//! of an [`ObjectReader`]) **panics** when the calling thread is inside a
//! Tokio runtime — an async task, a `block_on`, or a `spawn_blocking`
//! closure — before anything is sent. In async code, `.await` the same
//! builders; to mix, run the blocking code on a `std::thread`. Building and
//! dropping a blocking client is allowed anywhere.

mod call;
mod io;
mod iter;
mod runtime;

use std::ops::Deref;

pub use call::Call;
pub use io::{content_from_read, IntoReader, ObjectReader};
pub use iter::{IntoIter, Iter};

/// The traits of the blocking API, for a glob import:
/// `use newtera::blocking::prelude::*;`.
pub mod prelude {
    pub use super::{BuildBlocking as _, Call as _, IntoIter as _, IntoReader as _};
}

/// A blocking S3 client: the async [`crate::Newtera`] (every operation,
/// through `Deref`) and the runtime thread its calls run on.
///
/// Build one with [`BuildBlocking::build_blocking`] on the usual builder, or
/// wrap an async client with [`Newtera::new`]. Cloning is cheap and clones
/// share the connection pool.
///
/// ```no_run
/// use newtera::blocking::prelude::*;
///
/// # fn demo() -> Result<(), newtera::Error> {
/// let client = newtera::Newtera::builder("play.min.io")
///     .access_key("Q3AM3UQ867SPQQA43P2F")
///     .secret_key("zuf+tfteSlswRu7BJ86wekitnifILbZam1KYY3TG")
///     .build_blocking()?;
/// for bucket in client.list_buckets().call()? {
///     println!("{} {:?}", bucket.name, bucket.creation_date);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Newtera {
    client: crate::Newtera,
}

impl Newtera {
    /// Wraps an async client, starting the runtime thread if it is not
    /// running yet ([`crate::Error::Runtime`] if it cannot start).
    pub fn new(client: crate::Newtera) -> crate::Result<Self> {
        runtime::handle().map_err(crate::Error::Runtime)?;
        Ok(Newtera { client })
    }

    /// The async client underneath, for code that awaits.
    pub fn as_async(&self) -> &crate::Newtera {
        &self.client
    }

    /// The async client underneath.
    pub fn into_async(self) -> crate::Newtera {
        self.client
    }
}

impl Deref for Newtera {
    type Target = crate::Newtera;
    fn deref(&self) -> &crate::Newtera {
        &self.client
    }
}

/// Builds a blocking client from the usual [`crate::NewteraBuilder`].
pub trait BuildBlocking {
    /// Like `build`, for a [`Newtera`] blocking client.
    fn build_blocking(self) -> crate::Result<Newtera>;
}

impl BuildBlocking for crate::NewteraBuilder {
    fn build_blocking(self) -> crate::Result<Newtera> {
        let handle = runtime::handle().map_err(crate::Error::Runtime)?;
        // Whatever the client sets up, it sets up on the runtime it will run on.
        let _context = handle.enter();
        Newtera::new(self.build()?)
    }
}
