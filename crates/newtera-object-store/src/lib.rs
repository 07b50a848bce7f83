//! An [`object_store::ObjectStore`] (and
//! [`MultipartStore`](object_store::multipart::MultipartStore),
//! [`PaginatedListStore`](object_store::list::PaginatedListStore)) over the
//! Newtera S3 client, so that whatever takes an `Arc<dyn ObjectStore>`
//! (DataFusion, delta-rs, Polars, …) reads and writes S3 through Newtera.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use object_store::{path::Path, ObjectStore, ObjectStoreExt as _};
//!
//! let client = newtera::Newtera::builder("http://127.0.0.1:9000")
//!     .access_key("minioadmin")
//!     .secret_key("minioadmin")
//!     .build()?;
//! let store: Arc<dyn ObjectStore> = Arc::new(newtera_object_store::NewteraStore::new(client, "my-bucket"));
//! store.put(&Path::from("data/a.parquet"), "hello".into()).await?;
//! # Ok(()) }
//! ```
//!
//! A crate of its own rather than a feature of the `newtera` facade: users
//! of `object_store` pick it, and `object_store`'s dependency tree (built
//! here with its default features off: no cloud backends, no local file
//! system) stays out of the facade's build.
//!
//! The adapter uses only the public `newtera` API. What maps to what:
//!
//! | object_store | Newtera / S3 |
//! |---|---|
//! | `put_opts` | `put_object` (one PutObject up to 5 GiB); `PutMode::Create` = `If-None-Match: *`, `PutMode::Update` = `If-Match: <etag>` ([`newtera::WriteCondition`]) |
//! | `put_multipart_opts` | `create_multipart_upload`; each `put_part` is one UploadPart, sent at once (memory is what the caller holds); aborted on `abort` or when dropped unfinished |
//! | `get_opts` | `get_object` / `stat_object` with `offset`/`length`, `version_id` and the `If-*` conditions; a suffix range reads the size first and pins the read to that ETag |
//! | `delete_stream` | `remove_objects`: DeleteObjects of at most 1,000 keys |
//! | `list`, `list_with_offset`, `list_with_delimiter` | `list_objects` (ListObjectsV2; `start_after` for the offset) |
//! | `copy_opts` | `copy_object`; `CopyMode::Create` sends `If-None-Match: *` when [enabled](NewteraStore::with_conditional_copy), and is `NotSupported` otherwise |
//! | `rename_opts` | copy, then delete |
//! | attributes | `Content-Type`, `Cache-Control`, `Content-Disposition`, `Content-Encoding`, `Content-Language` and `x-amz-meta-*`, written and read back |
//!
//! Errors: a missing object or bucket is [`object_store::Error::NotFound`],
//! a failed `If-Match`/`If-Unmodified-Since` is `Precondition`, a 304 is
//! `NotModified`, an existing destination of a `Create` write is
//! `AlreadyExists`, a server's `NotImplemented` answer is `NotImplemented`;
//! everything else is `Generic` with the Newtera error as its source.

mod error;
mod get;
mod list;
mod multipart;
mod put;

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use futures::stream::BoxStream;
use futures::StreamExt as _;
use newtera::{CopySource, DeleteObject, Newtera, WriteCondition};
use object_store::path::Path;
use object_store::{
    CopyMode, CopyOptions, GetOptions, GetResult, ListResult, MultipartUpload, ObjectMeta,
    ObjectStore, PutMultipartOptions, PutOptions, PutPayload, PutResult, Result,
};

use crate::error::{generic, map_err};

/// The name the adapter gives itself in `object_store` errors.
const STORE: &str = "Newtera";

/// An [`ObjectStore`] over one bucket of a [`Newtera`] client. Cheap to
/// clone; the client's settings (retries, timeouts, checksums, TLS) apply
/// to every request.
#[derive(Clone)]
pub struct NewteraStore {
    inner: Arc<Inner>,
}

struct Inner {
    client: Newtera,
    bucket: String,
    conditional_copy: bool,
}

impl NewteraStore {
    /// A store over `bucket` (which must exist) through `client`.
    pub fn new(client: Newtera, bucket: impl Into<String>) -> Self {
        NewteraStore {
            inner: Arc::new(Inner {
                client,
                bucket: bucket.into(),
                conditional_copy: false,
            }),
        }
    }

    /// Whether `copy_if_not_exists` (`CopyMode::Create`) sends CopyObject
    /// with `If-None-Match: *` (default off). Turn it on only for a server
    /// that honours that header on CopyObject: one that ignores it
    /// overwrites the destination. Off, such a copy fails with
    /// [`object_store::Error::NotSupported`], as object_store's own S3
    /// store does without a configured copy-if-not-exists mechanism.
    pub fn with_conditional_copy(self, on: bool) -> Self {
        NewteraStore {
            inner: Arc::new(Inner {
                client: self.inner.client.clone(),
                bucket: self.inner.bucket.clone(),
                conditional_copy: on,
            }),
        }
    }

    /// The client.
    pub fn client(&self) -> &Newtera {
        &self.inner.client
    }

    /// The bucket.
    pub fn bucket(&self) -> &str {
        &self.inner.bucket
    }
}

impl fmt::Debug for NewteraStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewteraStore")
            .field("client", &self.inner.client)
            .field("bucket", &self.inner.bucket)
            .finish()
    }
}

impl fmt::Display for NewteraStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NewteraStore({})", self.inner.bucket)
    }
}

/// `e_tag` as object_store users see it: S3's quoted form (`"abc"`).
pub(crate) fn quote_etag(etag: &str) -> String {
    format!("\"{}\"", etag.trim_matches('"'))
}

#[async_trait]
impl ObjectStore for NewteraStore {
    async fn put_opts(
        &self,
        location: &Path,
        payload: PutPayload,
        opts: PutOptions,
    ) -> Result<PutResult> {
        put::put_opts(self, location, payload, opts).await
    }

    async fn put_multipart_opts(
        &self,
        location: &Path,
        opts: PutMultipartOptions,
    ) -> Result<Box<dyn MultipartUpload>> {
        multipart::put_multipart_opts(self, location, opts).await
    }

    async fn get_opts(&self, location: &Path, options: GetOptions) -> Result<GetResult> {
        get::get_opts(self, location, options).await
    }

    fn delete_stream(
        &self,
        locations: BoxStream<'static, Result<Path>>,
    ) -> BoxStream<'static, Result<Path>> {
        let store = self.clone();
        locations
            // DeleteObjects takes at most 1,000 keys.
            .ready_chunks(1000)
            .then(move |batch| {
                let store = store.clone();
                async move { store.delete_batch(batch).await }
            })
            .flat_map(futures::stream::iter)
            .boxed()
    }

    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, Result<ObjectMeta>> {
        list::list(self, prefix, None)
    }

    fn list_with_offset(
        &self,
        prefix: Option<&Path>,
        offset: &Path,
    ) -> BoxStream<'static, Result<ObjectMeta>> {
        list::list(self, prefix, Some(offset))
    }

    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> Result<ListResult> {
        list::list_with_delimiter(self, prefix).await
    }

    async fn copy_opts(&self, from: &Path, to: &Path, options: CopyOptions) -> Result<()> {
        let source = CopySource::new(self.bucket(), from.as_ref());
        let mut copy = self
            .client()
            .copy_object(self.bucket(), to.as_ref(), source);
        let create = matches!(options.mode, CopyMode::Create);
        if create {
            if !self.inner.conditional_copy {
                // A missing source is still named as such.
                self.client()
                    .stat_object(self.bucket(), from.as_ref())
                    .await
                    .map_err(|e| map_err(e, from.as_ref()))?;
                return Err(object_store::Error::NotSupported {
                    source: "copy-if-not-exists needs a server that honours If-None-Match on \
                             CopyObject; see NewteraStore::with_conditional_copy"
                        .into(),
                });
            }
            copy = copy.condition(WriteCondition::NotExists);
        }
        match copy.await {
            Ok(_) => Ok(()),
            // The source was read first (a stat): a missing one is named.
            Err(e) if e.is_not_found() => Err(map_err(e, from.as_ref())),
            Err(e) if create && (e.is_precondition_failed() || e.is_conflict()) => {
                Err(object_store::Error::AlreadyExists {
                    path: to.to_string(),
                    source: Box::new(e),
                })
            }
            Err(e) => Err(map_err(e, to.as_ref())),
        }
    }
}

impl NewteraStore {
    /// Deletes one batch (at most 1,000 keys) with one DeleteObjects and
    /// answers for each input, in order. As on S3, a key that did not
    /// exist is deleted successfully.
    async fn delete_batch(&self, batch: Vec<Result<Path>>) -> Vec<Result<Path>> {
        let keys: Vec<DeleteObject> = batch
            .iter()
            .filter_map(|p| p.as_ref().ok())
            .map(|p| DeleteObject::new(p.as_ref()))
            .collect();
        if keys.is_empty() {
            return batch;
        }
        let outcome = self
            .client()
            .remove_objects(self.bucket(), newtera::DeleteObjects::from_iter(keys))
            .await;
        match outcome {
            Ok(errors) => batch
                .into_iter()
                .map(|p| {
                    let p = p?;
                    match errors.iter().find(|e| e.name == p.as_ref()) {
                        Some(e) => Err(generic(format!(
                            "deleting {p} failed: {} {}",
                            e.code, e.message
                        ))),
                        None => Ok(p),
                    }
                })
                .collect(),
            Err(e) => {
                let text = e.to_string();
                batch
                    .into_iter()
                    .map(|p| {
                        let p = p?;
                        Err(generic(format!("deleting {p} failed: {text}")))
                    })
                    .collect()
            }
        }
    }
}
