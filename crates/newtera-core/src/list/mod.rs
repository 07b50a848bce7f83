//! `list_objects`: ListObjectsV2, ListObjects (v1) and ListObjectVersions as
//! one lazy stream of [`Object`]s that pages through the whole listing.

//!
//! `pager.rs` walks the pages (continuation token, marker or version
//! markers, with the guards against a server that does not advance);
//! `page.rs` turns one parsed page into [`Object`]s; `stream.rs` yields
//! them, one page at a time.

mod page;
mod pager;
mod stream;

use futures::stream::{BoxStream, TryStreamExt as _};

use crate::client::Newtera;
use crate::error::Result;
use crate::into_future;
use crate::types::Object;

pub(crate) use page::url_decode;
use pager::Pager;
use stream::Listing;

/// `max-keys` when the caller sets none (the reference SDK's default).
const DEFAULT_MAX_KEYS: u32 = 1000;

/// The stream [`ListObjects::into_stream`] returns: every object (and, for a
/// non-recursive listing, every common prefix) of the listing, in key order,
/// fetched one page at a time as the consumer polls.
pub type ObjectStream = BoxStream<'static, Result<Object>>;

/// Lists the objects of a bucket. Built by [`Newtera::list_objects`].
///
/// Await it (or call [`ListObjects::send`]) to collect the whole listing into
/// a `Vec`, or call [`ListObjects::into_stream`] to page through it lazily:
///
/// ```no_run
/// # async fn demo(client: newtera_core::Newtera) -> newtera_core::Result<()> {
/// use futures::TryStreamExt as _;
/// let mut objects = client
///     .list_objects("my-bucket")
///     .prefix("my/prefix/")
///     .recursive(true)
///     .into_stream();
/// while let Some(obj) = objects.try_next().await? {
///     println!("{} {:?}", obj.object_name, obj.size);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until awaited or streamed"]
pub struct ListObjects {
    client: Newtera,
    bucket: String,
    prefix: Option<String>,
    recursive: bool,
    start_after: Option<String>,
    include_user_meta: bool,
    include_version: bool,
    use_api_v1: bool,
    use_url_encoding_type: bool,
    max_keys: Option<u32>,
    fetch_owner: bool,
}

impl Newtera {
    /// Lists object information of a bucket: by default the objects and
    /// common prefixes ("directories") directly under the bucket, using
    /// ListObjectsV2 with URL-encoded keys.
    pub fn list_objects(&self, bucket_name: impl Into<String>) -> ListObjects {
        ListObjects {
            client: self.clone(),
            bucket: bucket_name.into(),
            prefix: None,
            recursive: false,
            start_after: None,
            include_user_meta: false,
            include_version: false,
            use_api_v1: false,
            use_url_encoding_type: true,
            max_keys: None,
            fetch_owner: false,
        }
    }
}

impl ListObjects {
    /// Lists only object names that start with `prefix`.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = Some(prefix.into());
        self
    }

    /// List recursively (`true`) rather than emulating directories (`false`,
    /// the default: keys are grouped by `/` into common prefixes, reported as
    /// objects with [`Object::is_dir`] set).
    pub fn recursive(mut self, recursive: bool) -> Self {
        self.recursive = recursive;
        self
    }

    /// Lists only objects whose names sort after `start_after`.
    pub fn start_after(mut self, start_after: impl Into<String>) -> Self {
        self.start_after = Some(start_after.into());
        self
    }

    /// MinIO extension (`metadata=true`): include each object's user metadata
    /// in [`Object::user_metadata`] (and its content type in
    /// [`Object::content_type`]). ListObjectsV2 only; other servers ignore it.
    pub fn include_user_meta(mut self, include: bool) -> Self {
        self.include_user_meta = include;
        self
    }

    /// List every version and delete marker (ListObjectVersions) instead of
    /// the current objects. Delete markers come as objects with
    /// [`Object::is_delete_marker`] set.
    pub fn include_version(mut self, include: bool) -> Self {
        self.include_version = include;
        self
    }

    /// Use the ListObjects (v1) API, paging with markers, instead of
    /// ListObjectsV2. Ignored when [`ListObjects::include_version`] is set.
    pub fn use_api_v1(mut self, use_v1: bool) -> Self {
        self.use_api_v1 = use_v1;
        self
    }

    /// Ask the server to URL-encode keys in its answers (`encoding-type=url`,
    /// the default `true`), so that keys holding characters XML cannot carry
    /// are listed correctly. The keys are decoded before they are returned.
    pub fn use_url_encoding_type(mut self, use_encoding: bool) -> Self {
        self.use_url_encoding_type = use_encoding;
        self
    }

    /// The most entries asked for in one page (`max-keys`, 1 to 1,000 on
    /// most servers; 1,000 when unset). Always sent.
    pub fn max_keys(mut self, max_keys: u32) -> Self {
        self.max_keys = Some(max_keys);
        self
    }

    /// ListObjectsV2 only: ask for each object's owner (`fetch-owner=true`),
    /// reported in [`Object::owner_id`] and [`Object::owner_name`]. v1 and
    /// version listings always include it.
    pub fn fetch_owner(mut self, fetch: bool) -> Self {
        self.fetch_owner = fetch;
        self
    }

    /// The listing as a lazy stream: a page is requested only when the
    /// consumer polls past the previous one, until the server says the
    /// listing is complete. The first error ends the stream.
    pub fn into_stream(self) -> ObjectStream {
        Box::pin(Listing::new(Pager::new(self)))
    }

    /// Collects the whole listing.
    pub async fn send(self) -> Result<Vec<Object>> {
        self.into_stream().try_collect().await
    }
}

into_future!(ListObjects => Vec<Object>);
