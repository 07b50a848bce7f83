//! Stray multipart uploads: the uploads a CreateMultipartUpload attempt may
//! have started when its answer was lost (the transport retried, or the
//! call failed), found and aborted without touching anyone else's upload.
//!
//! S3 does not say who started an upload, so a stray is told apart from
//! another writer's upload of the same key by what it cannot be:
//!
//! - an upload that was already there before the first attempt was sent
//!   (a listing taken just before it) is not ours;
//! - an upload another `put_object` of this process is using (a
//!   process-wide registry of live upload ids) is not ours;
//! - an upload with parts is not ours: nobody uploads parts to an upload
//!   whose id was never received.
//!
//! Only an upload of the very key, started while our attempts were in
//! flight, unknown to every writer of this process and without parts is
//! aborted. Dates are not used: servers differ in how they report when an
//! upload began. When the first listing fails (no permission to list
//! uploads, say) nothing is swept.

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock, PoisonError};

use http::Method;

use crate::client::{Newtera, S3Request};
use crate::error::{Error, Result};

/// The uploads of a key that existed before a CreateMultipartUpload was
/// sent; `None` when they could not be listed (then nothing is swept).
#[derive(Debug, Clone)]
pub(crate) struct Before(Option<HashSet<String>>);

/// Lists the uploads of exactly `object`.
async fn upload_ids(client: &Newtera, bucket: &str, object: &str) -> Result<HashSet<String>> {
    let uploads = client
        .list_incomplete_uploads(bucket)
        .prefix(object)
        .send()
        .await?;
    Ok(uploads
        .into_iter()
        .filter(|u| u.object_name == object)
        .map(|u| u.upload_id)
        .collect())
}

impl Before {
    /// Takes the listing before the first attempt.
    pub(crate) async fn take(client: &Newtera, bucket: &str, object: &str) -> Before {
        match upload_ids(client, bucket, object).await {
            Ok(ids) => Before(Some(ids)),
            Err(e) => {
                tracing::debug!(error = %e, "cannot list uploads; strays of lost answers will not be swept");
                Before(None)
            }
        }
    }
}

/// Upload ids that a writer of this process holds, with their bucket and key.
type Live = HashSet<(String, String, String)>;

fn live() -> &'static Mutex<Live> {
    static LIVE: OnceLock<Mutex<Live>> = OnceLock::new();
    LIVE.get_or_init(|| Mutex::new(HashSet::new()))
}

/// Keeps an upload id in the registry of live uploads while held.
#[derive(Debug)]
pub(crate) struct Registration(Option<(String, String, String)>);

impl Registration {
    /// Registers `upload_id` of `bucket`/`object` as in use.
    pub(crate) fn new(bucket: &str, object: &str, upload_id: &str) -> Registration {
        let entry = (bucket.to_owned(), object.to_owned(), upload_id.to_owned());
        live()
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(entry.clone());
        Registration(Some(entry))
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        if let Some(entry) = self.0.take() {
            live()
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(&entry);
        }
    }
}

fn is_live(bucket: &str, object: &str, upload_id: &str) -> bool {
    let entry = (bucket.to_owned(), object.to_owned(), upload_id.to_owned());
    live()
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .contains(&entry)
}

/// Whether the upload has no parts. `None` when that cannot be told (the
/// upload is gone, or listing its parts failed): leave it alone.
async fn has_no_parts(client: &Newtera, bucket: &str, object: &str, id: &str) -> Option<bool> {
    const OP: &str = "ListParts";
    let req = S3Request::new(OP, Method::GET)
        .bucket(bucket)
        .object(object)
        .query("uploadId", id)
        .query("max-parts", "1")
        .buffered_answer();
    let resp = client.send(req).await.ok()?;
    let body = crate::read_body(OP, resp).await.ok()?;
    let doc = newtera_xml::ListPartsResult::from_xml(&body)
        .map_err(Error::xml(OP))
        .ok()?;
    Some(doc.parts.is_empty() && !doc.is_truncated)
}

/// Aborts the strays of `object` (see the module docs); `keep` is the
/// upload the caller got an answer for.
pub(crate) async fn sweep(
    client: &Newtera,
    bucket: &str,
    object: &str,
    before: &Before,
    keep: Option<&str>,
) {
    let Some(before) = &before.0 else {
        return;
    };
    let now = match upload_ids(client, bucket, object).await {
        Ok(ids) => ids,
        Err(e) => {
            tracing::warn!(error = %e, "cannot list uploads to remove strays");
            return;
        }
    };
    for id in now {
        if before.contains(&id) || Some(id.as_str()) == keep || is_live(bucket, object, &id) {
            continue;
        }
        if has_no_parts(client, bucket, object, &id).await != Some(true) {
            continue;
        }
        // Checked again just before the abort: a writer of this process
        // may have received this id meanwhile.
        if is_live(bucket, object, &id) {
            continue;
        }
        tracing::debug!("aborting a stray multipart upload left by a lost answer");
        let _ = crate::put::abort(client, bucket, object, &id).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registrations_come_and_go() {
        assert!(!is_live("b", "k", "u1"));
        let r = Registration::new("b", "k", "u1");
        assert!(is_live("b", "k", "u1"));
        assert!(!is_live("b", "k2", "u1"));
        drop(r);
        assert!(!is_live("b", "k", "u1"));
    }
}
