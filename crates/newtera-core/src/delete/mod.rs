//! `remove_object` and `remove_objects`: single deletes and batched
//! multi-object deletes (DeleteObjects, 1,000 keys a request) as a lazy
//! stream of the keys that could not be deleted.

use std::fmt;

use base64::Engine as _;
use futures::stream::{self, BoxStream, Stream, StreamExt as _, TryStreamExt as _};
use http::{HeaderName, HeaderValue, Method};
use md5::{Digest as _, Md5};
use newtera_xml::{Delete, DeleteResult, ObjectIdentifier};

use crate::checksum::ChecksumAlgorithm;
use crate::client::{Newtera, S3Request};
use crate::error::{Error, Result};
use crate::into_future;
use crate::types::{DeleteError, DeleteObject, Object};
use crate::validate::{check_bucket_name, check_object_name};
use newtera_signer::PayloadHash;
use newtera_transport::Body;

/// S3 takes at most this many keys in one DeleteObjects request.
const MAX_BATCH: usize = 1000;

const BYPASS_GOVERNANCE: HeaderName = HeaderName::from_static("x-amz-bypass-governance-retention");

/// The objects [`Newtera::remove_objects`] deletes: a list, an iterator or a
/// stream of [`DeleteObject`]s, read lazily, 1,000 at a time.
///
/// ```no_run
/// # async fn demo(client: newtera_core::Newtera) -> newtera_core::Result<()> {
/// use futures::TryStreamExt as _;
/// use newtera_core::{DeleteObject, DeleteObjects};
/// // A list.
/// let errors = client
///     .remove_objects("my-bucket", vec!["my-object1", "my-object2"])
///     .await?;
/// // Everything under a prefix, straight from a listing.
/// let listing = client
///     .list_objects("my-bucket")
///     .prefix("my/prefix/")
///     .recursive(true)
///     .into_stream()
///     .map_ok(|o| DeleteObject::new(o.object_name));
/// let mut errors = client
///     .remove_objects("my-bucket", DeleteObjects::from_try_stream(listing))
///     .into_stream();
/// while let Some(e) = errors.try_next().await? {
///     println!("error occurred when deleting object {e}");
/// }
/// # Ok(()) }
/// ```
pub struct DeleteObjects {
    inner: BoxStream<'static, Result<DeleteObject>>,
}

impl fmt::Debug for DeleteObjects {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DeleteObjects(..)")
    }
}

impl DeleteObjects {
    /// Objects from an iterator, read lazily as the batches are sent.
    #[allow(clippy::should_implement_trait)]
    pub fn from_iter<I>(objects: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<DeleteObject>,
        I::IntoIter: Send + 'static,
    {
        DeleteObjects {
            inner: stream::iter(objects.into_iter().map(|o| Ok(o.into()))).boxed(),
        }
    }

    /// Objects from a stream, read lazily as the batches are sent.
    pub fn from_stream(objects: impl Stream<Item = DeleteObject> + Send + 'static) -> Self {
        DeleteObjects {
            inner: objects.map(Ok).boxed(),
        }
    }

    /// Objects from a fallible stream, such as a listing mapped to
    /// [`DeleteObject`]s. An error in the stream ends the removal: the objects
    /// read before it are still deleted, then the error is returned.
    pub fn from_try_stream(
        objects: impl Stream<Item = Result<DeleteObject>> + Send + 'static,
    ) -> Self {
        DeleteObjects {
            inner: objects.boxed(),
        }
    }
}

impl From<Vec<DeleteObject>> for DeleteObjects {
    fn from(v: Vec<DeleteObject>) -> Self {
        DeleteObjects::from_iter(v)
    }
}

impl From<Vec<String>> for DeleteObjects {
    fn from(v: Vec<String>) -> Self {
        DeleteObjects::from_iter(v)
    }
}

impl From<Vec<&str>> for DeleteObjects {
    fn from(v: Vec<&str>) -> Self {
        let v: Vec<DeleteObject> = v.into_iter().map(DeleteObject::new).collect();
        DeleteObjects::from_iter(v)
    }
}

impl<const N: usize> From<[&str; N]> for DeleteObjects {
    fn from(v: [&str; N]) -> Self {
        let v: Vec<DeleteObject> = v.into_iter().map(DeleteObject::new).collect();
        DeleteObjects::from_iter(v)
    }
}

impl<const N: usize> From<[DeleteObject; N]> for DeleteObjects {
    fn from(v: [DeleteObject; N]) -> Self {
        DeleteObjects::from_iter(v)
    }
}

impl From<DeleteObject> for DeleteObjects {
    fn from(o: DeleteObject) -> Self {
        DeleteObjects::from_iter([o])
    }
}

impl<T: Into<DeleteObject>> FromIterator<T> for DeleteObjects {
    /// Collects the objects eagerly; see [`DeleteObjects::from_iter`] (the
    /// inherent function) for a lazy iterator.
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let v: Vec<DeleteObject> = iter.into_iter().map(Into::into).collect();
        DeleteObjects::from_iter(v)
    }
}

impl From<Object> for DeleteObject {
    /// The object (version) a listing or `stat_object` reported.
    fn from(o: Object) -> Self {
        DeleteObject {
            name: o.object_name,
            version_id: o.version_id,
        }
    }
}

/// Removes many objects, 1,000 per DeleteObjects request. Built by
/// [`Newtera::remove_objects`].
///
/// Await it (or call [`RemoveObjects::send`]) to delete everything and get
/// the list of failures, or call [`RemoveObjects::into_stream`] to delete
/// batch by batch as the failures are consumed.
#[must_use = "a request does nothing until awaited or streamed"]
pub struct RemoveObjects {
    client: Newtera,
    bucket: String,
    objects: DeleteObjects,
    bypass_governance_mode: bool,
}

impl fmt::Debug for RemoveObjects {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoveObjects")
            .field("bucket", &self.bucket)
            .field("bypass_governance_mode", &self.bypass_governance_mode)
            .finish_non_exhaustive()
    }
}

/// The stream [`RemoveObjects::into_stream`] returns: the objects that could
/// not be deleted.
pub type DeleteErrorStream = BoxStream<'static, Result<DeleteError>>;

/// Removes one object (or one version of it). Built by
/// [`Newtera::remove_object`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct RemoveObject {
    client: Newtera,
    bucket: String,
    object: String,
    version_id: Option<String>,
    bypass_governance_mode: bool,
}

impl Newtera {
    /// Removes an object: its latest version, or on a versioned bucket adds
    /// a delete marker; with [`RemoveObject::version_id`], that version.
    pub fn remove_object(
        &self,
        bucket_name: impl Into<String>,
        object_name: impl Into<String>,
    ) -> RemoveObject {
        RemoveObject {
            client: self.clone(),
            bucket: bucket_name.into(),
            object: object_name.into(),
            version_id: None,
            bypass_governance_mode: false,
        }
    }

    /// Removes multiple objects: a list, an iterator or a stream of
    /// [`DeleteObject`]s (see [`DeleteObjects`]), in DeleteObjects requests
    /// of up to 1,000 keys. Yields the objects that could not be deleted;
    /// like the reference SDK, it leaves out `NoSuchVersion` failures (the
    /// version is already gone).
    pub fn remove_objects(
        &self,
        bucket_name: impl Into<String>,
        objects: impl Into<DeleteObjects>,
    ) -> RemoveObjects {
        RemoveObjects {
            client: self.clone(),
            bucket: bucket_name.into(),
            objects: objects.into(),
            bypass_governance_mode: false,
        }
    }
}

impl RemoveObject {
    /// Removes this version of the object.
    pub fn version_id(mut self, version_id: impl Into<String>) -> Self {
        self.version_id = Some(version_id.into());
        self
    }

    /// Removes the version even if it is under GOVERNANCE retention (the
    /// credentials need `s3:BypassGovernanceRetention`).
    pub fn bypass_governance_mode(mut self, bypass: bool) -> Self {
        self.bypass_governance_mode = bypass;
        self
    }

    /// Sends the request.
    pub async fn send(self) -> Result<()> {
        check_bucket_name(&self.bucket)?;
        check_object_name(&self.object)?;
        delete_one(
            &self.client,
            &self.bucket,
            &self.object,
            self.version_id.as_deref(),
            self.bypass_governance_mode,
        )
        .await
    }
}

impl RemoveObjects {
    /// Removes versions even if they are under GOVERNANCE retention
    /// (header `x-amz-bypass-governance-retention: true`).
    pub fn bypass_governance_mode(mut self, bypass: bool) -> Self {
        self.bypass_governance_mode = bypass;
        self
    }

    /// The removal as a lazy stream of failures: up to 1,000 objects are read
    /// from the input and deleted in one request only when the consumer
    /// polls, and that batch's failures are yielded before the next batch is
    /// read. An `Err` (invalid bucket or object name, a failed request, an
    /// error from the input) ends the stream; the batches before it were
    /// deleted.
    pub fn into_stream(self) -> DeleteErrorStream {
        let state = Batches {
            client: self.client,
            bucket: self.bucket,
            input: Some(self.objects.inner),
            bypass: self.bypass_governance_mode,
            pending_error: None,
            started: false,
        };
        stream::try_unfold(state, |mut st| async move {
            match st.next_batch().await? {
                Some(errors) => Ok(Some((errors, st))),
                None => Ok(None),
            }
        })
        .map_ok(|errors| stream::iter(errors.into_iter().map(Ok)))
        .try_flatten()
        .boxed()
    }

    /// Removes all the objects and returns those that could not be deleted.
    pub async fn send(self) -> Result<Vec<DeleteError>> {
        self.into_stream().try_collect().await
    }
}

into_future!(RemoveObject => ());
into_future!(RemoveObjects => Vec<DeleteError>);

/// One batch read from the input.
#[derive(Debug, Default)]
struct Batch {
    objects: Vec<DeleteObject>,
    /// The error that stopped the reading (from the input or a bad name);
    /// the input is not read any further.
    error: Option<Error>,
    /// The input has no more objects.
    exhausted: bool,
}

/// Reads up to `max` objects from `input`, stopping early at the end of the
/// input or at an error (an invalid object name counts as one).
async fn read_batch(input: &mut BoxStream<'static, Result<DeleteObject>>, max: usize) -> Batch {
    let mut batch = Batch {
        objects: Vec::with_capacity(max.min(MAX_BATCH)),
        ..Batch::default()
    };
    while batch.objects.len() < max {
        match input.next().await {
            Some(Ok(o)) => match check_object_name(&o.name) {
                Ok(()) => batch.objects.push(o),
                Err(e) => {
                    batch.error = Some(e);
                    return batch;
                }
            },
            Some(Err(e)) => {
                batch.error = Some(e);
                return batch;
            }
            None => {
                batch.exhausted = true;
                return batch;
            }
        }
    }
    batch
}

/// The state of a `remove_objects` stream.
struct Batches {
    client: Newtera,
    bucket: String,
    /// `None` once the input is exhausted or failed.
    input: Option<BoxStream<'static, Result<DeleteObject>>>,
    bypass: bool,
    /// An input error to return after the objects read before it are deleted.
    pending_error: Option<Error>,
    started: bool,
}

impl Batches {
    /// Deletes the next batch and returns its failures; `None` at the end.
    async fn next_batch(&mut self) -> Result<Option<Vec<DeleteError>>> {
        if !self.started {
            self.started = true;
            check_bucket_name(&self.bucket)?;
        }
        loop {
            let Some(input) = self.input.as_mut() else {
                return match self.pending_error.take() {
                    Some(e) => Err(e),
                    None => Ok(None),
                };
            };
            let batch = read_batch(input, MAX_BATCH).await;
            if batch.exhausted || batch.error.is_some() {
                self.input = None;
                self.pending_error = batch.error;
            }
            if batch.objects.is_empty() {
                continue;
            }
            let mut errors = self.delete_batch(batch.objects).await?;
            errors.retain(reported);
            return Ok(Some(errors));
        }
    }

    /// Deletes one batch of at most 1,000 objects.
    async fn delete_batch(&mut self, objects: Vec<DeleteObject>) -> Result<Vec<DeleteError>> {
        // Keys XML 1.0 cannot carry go one at a time, by name in the URL.
        let (singles, objects): (Vec<_>, Vec<_>) = if objects.iter().all(xml_representable) {
            // The usual case: the batch as it is, without moving it.
            (Vec::new(), objects)
        } else {
            objects.into_iter().partition(|o| !xml_representable(o))
        };
        let mut errors = Vec::new();
        if !objects.is_empty() {
            errors = self.delete_many(objects).await?;
        }
        for o in singles {
            let res = delete_one(
                &self.client,
                &self.bucket,
                &o.name,
                o.version_id.as_deref(),
                self.bypass,
            )
            .await;
            match res {
                Ok(()) => {}
                Err(Error::S3(e)) => errors.push(DeleteError {
                    code: e.code,
                    message: e.message,
                    name: o.name,
                    version_id: o.version_id,
                }),
                Err(e) => return Err(e),
            }
        }
        Ok(errors)
    }

    /// One DeleteObjects request, quiet mode.
    async fn delete_many(&mut self, objects: Vec<DeleteObject>) -> Result<Vec<DeleteError>> {
        const OP: &str = "DeleteObjects";
        let alg = self.client.inner.checksum;
        let (xml, (name, value)) = delete_body(objects, alg)?;
        let mut req = S3Request::new(OP, Method::POST)
            .bucket(&self.bucket)
            .query("delete", "")
            .header(
                http::header::CONTENT_TYPE,
                HeaderValue::from_static("application/xml"),
            )
            // The integrity header S3 requires (a flexible checksum, or
            // Content-MD5 with checksums off) already guards the list in
            // transit; like object data, it is not also hashed with SHA-256
            // for the signature (the design's "no SHA-256 of payloads" rule).
            .header(name, value);
        if let Some(alg) = alg {
            req = req.header(
                HeaderName::from_static("x-amz-sdk-checksum-algorithm"),
                HeaderValue::from_static(alg.as_str()),
            );
        }
        let mut req = req
            .body(Body::from_bytes(xml.into()), PayloadHash::Unsigned)
            .idempotent(true)
            .buffered_answer();
        if self.bypass {
            req = req.header(BYPASS_GOVERNANCE, HeaderValue::from_static("true"));
        }
        let resp = self.client.send(req).await?;
        let body = crate::read_body(OP, resp).await?;
        let doc = DeleteResult::from_xml(&body).map_err(Error::xml(OP))?;
        Ok(doc
            .errors
            .into_iter()
            .map(|e| DeleteError {
                code: e.code,
                message: e.message,
                name: e.key,
                version_id: e.version_id.filter(|v| !v.is_empty()),
            })
            .collect())
    }
}

/// Whether a failure goes to the caller. As in the reference SDK,
/// `NoSuchVersion` does not: the version asked for is not there, which is
/// what deleting it is meant to achieve (S3 answers it for a version id that
/// never existed).
fn reported(e: &DeleteError) -> bool {
    e.code != "NoSuchVersion"
}

/// The `<Delete>` document (quiet mode) for `objects` and the integrity
/// header S3 requires on it: the client's checksum (`x-amz-checksum-*`) when
/// one is configured, else `Content-MD5`. S3 takes either on DeleteObjects;
/// a CRC costs a small fraction of an MD5 over the ~42 bytes per key.
fn delete_body(
    objects: Vec<DeleteObject>,
    alg: Option<ChecksumAlgorithm>,
) -> Result<(String, (HeaderName, HeaderValue))> {
    let doc = Delete {
        quiet: true,
        objects: objects
            .into_iter()
            .map(|o| ObjectIdentifier {
                key: o.name,
                version_id: o.version_id,
            })
            .collect(),
    };
    let xml = doc.to_xml().map_err(Error::xml("DeleteObjects"))?;
    let (name, value) = match alg {
        Some(alg) => (
            HeaderName::from_static(alg.header_name()),
            alg.compute(xml.as_bytes()),
        ),
        None => (
            HeaderName::from_static("content-md5"),
            base64::engine::general_purpose::STANDARD.encode(Md5::digest(xml.as_bytes())),
        ),
    };
    let value = HeaderValue::from_str(&value).map_err(|_| Error::UnexpectedResponse {
        op: "DeleteObjects",
        reason: format!("{name} is not a valid header value"),
    })?;
    Ok((xml, (name, value)))
}

/// False when the key or version id holds a character XML 1.0 cannot carry
/// (see the newtera-xml serialising rules).
fn xml_representable(o: &DeleteObject) -> bool {
    let ok = |s: &str| {
        // Fast path: no control byte and no 0xEF lead byte (U+FFFE/U+FFFF).
        if s.bytes().all(|b| b >= 0x20 && b != 0xef) {
            return true;
        }
        s.chars().all(|c| {
            !matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
        })
    };
    ok(&o.name) && o.version_id.as_deref().is_none_or(ok)
}

/// One DeleteObject request.
async fn delete_one(
    client: &Newtera,
    bucket: &str,
    object: &str,
    version_id: Option<&str>,
    bypass: bool,
) -> Result<()> {
    let mut req = S3Request::new("DeleteObject", Method::DELETE)
        .bucket(bucket)
        .object(object)
        .query_opt("versionId", version_id);
    if bypass {
        req = req.header(BYPASS_GOVERNANCE, HeaderValue::from_static("true"));
    }
    client.send(req).await?;
    Ok(())
}

#[cfg(test)]
mod tests;
