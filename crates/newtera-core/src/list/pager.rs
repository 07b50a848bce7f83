//! Paging through a listing: where the next page starts, and the guards
//! against a truncated page the listing cannot continue from.

use std::sync::Arc;

use bytes::Bytes;
use http::Method;

use super::page::{
    bucket_doc, bucket_page, is_url_encoded, non_empty, versions_doc, versions_page,
};
use super::{ListObjects, DEFAULT_MAX_KEYS};
use crate::client::S3Request;
use crate::error::{Error, Result};
use crate::types::Object;
use crate::validate::check_bucket_name;

/// Where the next page starts.
#[derive(Debug)]
enum Cursor {
    /// No page fetched yet.
    Start,
    /// ListObjectsV2: the continuation token.
    Token(String),
    /// ListObjects v1: the marker.
    Marker(String),
    /// ListObjectVersions: key marker and version id marker.
    Versions(String, Option<String>),
    /// The listing is complete.
    Done,
}

/// The paging state of one listing.
pub(super) struct Pager {
    req: ListObjects,
    cursor: Cursor,
    /// The bucket name every listed object shares.
    bucket: Arc<str>,
}

impl Pager {
    pub(super) fn new(req: ListObjects) -> Self {
        let bucket = Arc::from(req.bucket.as_str());
        Pager {
            req,
            cursor: Cursor::Start,
            bucket,
        }
    }

    /// The listing's S3 operation, for errors.
    pub(super) fn op(&self) -> &'static str {
        if self.req.include_version {
            "ListObjectVersions"
        } else if self.req.use_api_v1 {
            "ListObjects"
        } else {
            "ListObjectsV2"
        }
    }

    /// Requests the next page and reads its answer, or `None` when the
    /// listing is complete. [`Pager::page`] then turns the answer into
    /// objects and moves the cursor on.
    pub(super) async fn fetch(&self) -> Result<Option<Fetched>> {
        if matches!(self.cursor, Cursor::Done) {
            return Ok(None);
        }
        if matches!(self.cursor, Cursor::Start) {
            check_bucket_name(&self.req.bucket)?;
            if self.req.max_keys == Some(0) {
                return Err(Error::arg("max_keys", "must be at least 1"));
            }
        }
        let op = self.op();
        let (req, sent) = if self.req.include_version {
            let (key_marker, version_marker) = match &self.cursor {
                Cursor::Versions(k, v) => (Some(k.clone()), v.clone()),
                _ => (self.req.start_after.clone(), None),
            };
            let req = self
                .common_query(op)
                .query("versions", "")
                .query_opt("key-marker", key_marker.as_deref())
                .query_opt("version-id-marker", version_marker.as_deref());
            (req, Sent::Versions(key_marker, version_marker))
        } else if self.req.use_api_v1 {
            let marker = match &self.cursor {
                Cursor::Marker(m) => Some(m.clone()),
                _ => self.req.start_after.clone(),
            };
            let req = self.common_query(op).query_opt("marker", marker.as_deref());
            (req, Sent::Marker(marker))
        } else {
            let token = match &self.cursor {
                Cursor::Token(t) => Some(t.clone()),
                _ => None,
            };
            let mut req = self
                .common_query(op)
                .query("list-type", "2")
                .query_opt("start-after", self.req.start_after.as_deref())
                .query_opt("continuation-token", token.as_deref());
            if self.req.include_user_meta {
                req = req.query("metadata", "true");
            }
            if self.req.fetch_owner {
                req = req.query("fetch-owner", "true");
            }
            (req, Sent::Token(token))
        };
        let resp = self.req.client.send(req).await?;
        let body = crate::read_body(op, resp).await?;
        Ok(Some(Fetched { body, sent }))
    }

    /// Turns a fetched answer into the page's objects and moves the cursor
    /// to the next page.
    pub(super) fn page(&mut self, fetched: Fetched) -> Result<Vec<Object>> {
        let Fetched { body, sent } = fetched;
        match sent {
            Sent::Token(token) => self.v2_page(&body, token),
            Sent::Marker(marker) => self.v1_page(&body, marker),
            Sent::Versions(key_marker, version_marker) => {
                self.versions_page(&body, key_marker, version_marker)
            }
        }
    }

    /// The query parameters all three APIs share.
    fn common_query<'a>(&'a self, op: &'static str) -> S3Request<'a> {
        let r = &self.req;
        let req = S3Request::new(op, Method::GET)
            .buffered_answer()
            .bucket(&r.bucket)
            .query("prefix", r.prefix.as_deref().unwrap_or(""))
            // Always sent, as the reference SDK does, so that bucket
            // policies conditioned on s3:delimiter / s3:max-keys evaluate.
            .query("delimiter", if r.recursive { "" } else { "/" })
            .query(
                "max-keys",
                r.max_keys.unwrap_or(DEFAULT_MAX_KEYS).to_string(),
            );
        if r.use_url_encoding_type {
            return req.query("encoding-type", "url");
        }
        req
    }

    fn v2_page(&mut self, body: &[u8], token: Option<String>) -> Result<Vec<Object>> {
        const OP: &str = "ListObjectsV2";
        let doc = bucket_doc(&self.bucket, body).map_err(Error::xml(OP))?;
        let decode = self.req.use_url_encoding_type && is_url_encoded(doc.encoding_type.as_deref());
        self.cursor = if doc.is_truncated {
            match non_empty(doc.next_continuation_token.clone()) {
                Some(next) if Some(&next) != token.as_ref() => Cursor::Token(next),
                Some(_) => return Err(stuck(OP, "the same NextContinuationToken again")),
                None => return Err(stuck(OP, "no NextContinuationToken")),
            }
        } else {
            Cursor::Done
        };
        bucket_page(&self.bucket, doc, decode).map(|(objects, _)| objects)
    }

    fn v1_page(&mut self, body: &[u8], marker: Option<String>) -> Result<Vec<Object>> {
        const OP: &str = "ListObjects";
        let doc = bucket_doc(&self.bucket, body).map_err(Error::xml(OP))?;
        let decode = self.req.use_url_encoding_type && is_url_encoded(doc.encoding_type.as_deref());
        let truncated = doc.is_truncated;
        let (objects, next_marker) = bucket_page(&self.bucket, doc, decode)?;
        self.cursor = if truncated {
            match next_marker {
                Some(next) if marker.as_ref().is_none_or(|m| next > *m) => Cursor::Marker(next),
                Some(_) => return Err(stuck(OP, "a NextMarker that does not advance")),
                None => return Err(stuck(OP, "no NextMarker and no entries")),
            }
        } else {
            Cursor::Done
        };
        Ok(objects)
    }

    fn versions_page(
        &mut self,
        body: &[u8],
        key_marker: Option<String>,
        version_marker: Option<String>,
    ) -> Result<Vec<Object>> {
        const OP: &str = "ListObjectVersions";
        let doc = versions_doc(&self.bucket, body).map_err(Error::xml(OP))?;
        let decode = self.req.use_url_encoding_type && is_url_encoded(doc.encoding_type.as_deref());
        let truncated = doc.is_truncated;
        let (objects, next) = versions_page(&self.bucket, doc, decode)?;
        self.cursor = if truncated {
            match next {
                Some((k, v))
                    if (Some(&k), v.as_ref()) != (key_marker.as_ref(), version_marker.as_ref()) =>
                {
                    Cursor::Versions(k, v)
                }
                Some(_) => {
                    return Err(stuck(
                        OP,
                        "the same NextKeyMarker/NextVersionIdMarker again",
                    ))
                }
                None => return Err(stuck(OP, "no NextKeyMarker")),
            }
        } else {
            Cursor::Done
        };
        Ok(objects)
    }
}

/// A page's answer, read but not yet parsed, and what its request carried
/// (to tell a server that does not advance).
pub(super) struct Fetched {
    body: Bytes,
    sent: Sent,
}

/// The position a page's request carried.
enum Sent {
    /// ListObjectsV2: the continuation token.
    Token(Option<String>),
    /// ListObjects v1: the marker.
    Marker(Option<String>),
    /// ListObjectVersions: key marker and version id marker.
    Versions(Option<String>, Option<String>),
}

/// The error for a truncated page the listing cannot continue from.
fn stuck(op: &'static str, what: &str) -> Error {
    Error::UnexpectedResponse {
        op,
        reason: format!("the listing is truncated but the server sent {what}"),
    }
}
