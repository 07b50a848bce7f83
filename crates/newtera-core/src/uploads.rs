//! Incomplete multipart uploads: listing them, and removing them.

use std::time::SystemTime;

use http::Method;

use crate::client::{Newtera, S3Request};
use crate::error::{Error, Result};
use crate::validate::{check_bucket_name, check_object_name};
use crate::{into_future, time};

/// A multipart upload that was started and neither completed nor aborted.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct IncompleteUpload {
    /// The object the upload is for.
    pub object_name: String,
    /// The upload id.
    pub upload_id: String,
    /// When it was started.
    pub initiated: Option<SystemTime>,
}

/// Lists incomplete multipart uploads. Built by [`Newtera::list_incomplete_uploads`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct ListIncompleteUploads {
    client: Newtera,
    bucket: String,
    prefix: Option<String>,
}

/// Aborts every incomplete upload of one object. Built by
/// [`Newtera::remove_incomplete_upload`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct RemoveIncompleteUpload {
    client: Newtera,
    bucket: String,
    object: String,
}

impl Newtera {
    /// Lists the incomplete multipart uploads of a bucket (ListMultipartUploads).
    pub fn list_incomplete_uploads(&self, bucket_name: impl Into<String>) -> ListIncompleteUploads {
        ListIncompleteUploads {
            client: self.clone(),
            bucket: bucket_name.into(),
            prefix: None,
        }
    }

    /// Aborts all incomplete multipart uploads of an object.
    pub fn remove_incomplete_upload(
        &self,
        bucket_name: impl Into<String>,
        object_name: impl Into<String>,
    ) -> RemoveIncompleteUpload {
        RemoveIncompleteUpload {
            client: self.clone(),
            bucket: bucket_name.into(),
            object: object_name.into(),
        }
    }
}

impl ListIncompleteUploads {
    /// Only uploads of objects whose names start with `prefix`.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = Some(prefix.into());
        self
    }

    /// Sends the requests, paging through all uploads.
    pub async fn send(self) -> Result<Vec<IncompleteUpload>> {
        const OP: &str = "ListMultipartUploads";
        check_bucket_name(&self.bucket)?;
        let mut out = Vec::new();
        let mut key_marker: Option<String> = None;
        let mut id_marker: Option<String> = None;
        loop {
            let req = S3Request::new(OP, Method::GET)
                .bucket(&self.bucket)
                .query("uploads", "")
                .query_opt("prefix", self.prefix.as_deref())
                .query_opt("key-marker", key_marker.as_deref())
                .query_opt("upload-id-marker", id_marker.as_deref())
                .buffered_answer();
            let resp = self.client.send(req).await?;
            let body = crate::read_body(OP, resp).await?;
            let page =
                newtera_xml::ListMultipartUploadsResult::from_xml(&body).map_err(Error::xml(OP))?;
            out.extend(page.uploads.into_iter().map(|u| IncompleteUpload {
                initiated: time::parse_iso8601(&u.initiated),
                object_name: u.key,
                upload_id: u.upload_id,
            }));
            if !page.is_truncated {
                return Ok(out);
            }
            if page.next_key_marker.is_none() && page.next_upload_id_marker.is_none() {
                return Err(Error::UnexpectedResponse {
                    op: OP,
                    reason: "a truncated page without a next marker".into(),
                });
            }
            key_marker = page.next_key_marker;
            id_marker = page.next_upload_id_marker;
        }
    }
}

impl RemoveIncompleteUpload {
    /// Sends the requests.
    pub async fn send(self) -> Result<()> {
        check_bucket_name(&self.bucket)?;
        check_object_name(&self.object)?;
        let uploads = self
            .client
            .list_incomplete_uploads(&self.bucket)
            .prefix(&self.object)
            .send()
            .await?;
        for u in uploads.iter().filter(|u| u.object_name == self.object) {
            crate::put::abort(&self.client, &self.bucket, &self.object, &u.upload_id).await?;
        }
        Ok(())
    }
}

into_future!(ListIncompleteUploads => Vec<IncompleteUpload>);
into_future!(RemoveIncompleteUpload => ());
