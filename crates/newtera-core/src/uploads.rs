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

    /// Sends the requests, paging through all uploads. Keys are asked for
    /// URL-encoded (`encoding-type=url`) and decoded, so keys XML cannot
    /// carry are listed right; a truncated page whose markers do not move
    /// the listing on is an error rather than an endless loop.
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
                .query("encoding-type", "url")
                .query_opt("prefix", self.prefix.as_deref())
                .query_opt("key-marker", key_marker.as_deref())
                .query_opt("upload-id-marker", id_marker.as_deref())
                .buffered_answer();
            let resp = self.client.send(req).await?;
            let body = crate::read_body(OP, resp).await?;
            let page =
                newtera_xml::ListMultipartUploadsResult::from_xml(&body).map_err(Error::xml(OP))?;
            let (uploads, next) = uploads_page(page)?;
            out.extend(uploads);
            let Some((next_key, next_id)) = next else {
                return Ok(out);
            };
            if (Some(&next_key), next_id.as_ref()) == (key_marker.as_ref(), id_marker.as_ref()) {
                return Err(stuck("the same NextKeyMarker/NextUploadIdMarker again"));
            }
            key_marker = Some(next_key);
            id_marker = next_id;
        }
    }
}

/// The error for a truncated page the listing cannot continue from.
fn stuck(what: &str) -> Error {
    Error::UnexpectedResponse {
        op: "ListMultipartUploads",
        reason: format!("the listing is truncated but the server sent {what}"),
    }
}

/// The uploads of one page (keys decoded when the server URL-encoded them)
/// and, when the page is truncated, the markers the next page starts at.
#[allow(clippy::type_complexity)]
fn uploads_page(
    page: newtera_xml::ListMultipartUploadsResult,
) -> Result<(Vec<IncompleteUpload>, Option<(String, Option<String>)>)> {
    let encoded = page
        .encoding_type
        .as_deref()
        .is_some_and(|e| e.trim().eq_ignore_ascii_case("url"));
    let decode = |s: String| {
        if encoded {
            crate::list::url_decode(&s)
        } else {
            Ok(s)
        }
    };
    let mut uploads = Vec::with_capacity(page.uploads.len());
    for u in page.uploads {
        uploads.push(IncompleteUpload {
            initiated: time::parse_iso8601(&u.initiated),
            object_name: decode(u.key)?,
            upload_id: u.upload_id,
        });
    }
    if !page.is_truncated {
        return Ok((uploads, None));
    }
    let next_key = page.next_key_marker.filter(|k| !k.is_empty());
    let next_id = page.next_upload_id_marker.filter(|k| !k.is_empty());
    match (next_key, next_id) {
        (Some(k), id) => Ok((uploads, Some((decode(k)?, id)))),
        (None, _) => Err(stuck("no NextKeyMarker")),
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use newtera_xml::ListMultipartUploadsResult;

    fn page(xml: &str) -> ListMultipartUploadsResult {
        ListMultipartUploadsResult::from_xml(xml.as_bytes()).unwrap()
    }

    #[test]
    fn keys_and_markers_are_decoded() {
        let p = page(
            r#"<ListMultipartUploadsResult><Bucket>b</Bucket>
              <EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>
              <NextKeyMarker>a%20b%2Fc</NextKeyMarker><NextUploadIdMarker>u2</NextUploadIdMarker>
              <Upload><Key>a%20b%2Fc</Key><UploadId>u2</UploadId>
                <Initiated>2024-01-02T03:04:05.000Z</Initiated></Upload>
            </ListMultipartUploadsResult>"#,
        );
        let (uploads, next) = uploads_page(p).unwrap();
        assert_eq!(uploads[0].object_name, "a b/c");
        assert_eq!(uploads[0].upload_id, "u2");
        assert!(uploads[0].initiated.is_some());
        assert_eq!(next, Some(("a b/c".to_owned(), Some("u2".to_owned()))));
    }

    #[test]
    fn plain_keys_stay_as_sent() {
        let p = page(
            r#"<ListMultipartUploadsResult><Bucket>b</Bucket>
              <Upload><Key>a%20b</Key><UploadId>u</UploadId></Upload>
            </ListMultipartUploadsResult>"#,
        );
        let (uploads, next) = uploads_page(p).unwrap();
        assert_eq!(uploads[0].object_name, "a%20b");
        assert_eq!(next, None);
    }

    #[test]
    fn truncated_without_marker_is_an_error() {
        let p = page(
            r#"<ListMultipartUploadsResult><Bucket>b</Bucket>
              <IsTruncated>true</IsTruncated></ListMultipartUploadsResult>"#,
        );
        assert!(matches!(
            uploads_page(p),
            Err(Error::UnexpectedResponse { .. })
        ));
    }
}
