//! `.call()`: any request builder (anything `IntoFuture`) run to completion.

use std::future::IntoFuture;

use super::runtime;

/// Runs a request builder (or any other `IntoFuture`) synchronously.
///
/// Implemented for everything that can be awaited and sent to another
/// thread, so it covers every request builder of the client — each
/// implements `IntoFuture` — and the futures of the response types too
/// (e.g. `GetObjectResponse::bytes()`):
///
/// ```no_run
/// use newtera::blocking::{BuildBlocking as _, Call as _};
///
/// # fn demo() -> Result<(), newtera::Error> {
/// let client = newtera::Newtera::builder("http://localhost:9000")
///     .access_key("ACCESS-KEY")
///     .secret_key("SECRET-KEY")
///     .build_blocking()?;
/// client.put_object("my-bucket", "a.txt", "hello").content_type("text/plain").call()?;
/// let data = client.get_object("my-bucket", "a.txt").call()?.bytes().call()?;
/// assert_eq!(&data[..], b"hello");
/// # Ok(()) }
/// ```
///
/// The future runs on the blocking runtime's thread while the calling thread
/// waits; a panic inside it is resumed on the calling thread.
///
/// # Panics
///
/// When called from inside a Tokio runtime (an async task, `block_on` or
/// `spawn_blocking`): the check comes first, so nothing is sent. In async
/// code, `.await` the builder instead.
pub trait Call: IntoFuture + Sized {
    /// Runs the request and returns its result.
    fn call(self) -> Self::Output;
}

impl<F> Call for F
where
    F: IntoFuture + Send + 'static,
    F::IntoFuture: Send + 'static,
    F::Output: Send + 'static,
{
    fn call(self) -> Self::Output {
        runtime::assert_not_async();
        let handle = runtime::handle_or_panic();
        runtime::run(&handle, self.into_future())
    }
}
