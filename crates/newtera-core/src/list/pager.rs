//! Paging through a listing: where the next page starts, and the guards
//! against a truncated page the listing cannot continue from.

use std::sync::Arc;

use super::page::{
    bucket_doc, bucket_page, is_url_encoded, non_empty, versions_doc, versions_page,
};
use super::{ListObjects, DEFAULT_MAX_KEYS};
use crate::client::S3Request;
use crate::error::{Error, Result};
use crate::types::Object;
use crate::validate::check_bucket_name;
use http::Method;

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

    /// Fetches the next page, or `None` when the listing is complete.
    pub(super) async fn next_page(&mut self) -> Result<Option<Vec<Object>>> {
        if matches!(self.cursor, Cursor::Done) {
            return Ok(None);
        }
        if matches!(self.cursor, Cursor::Start) {
            check_bucket_name(&self.req.bucket)?;
            if self.req.max_keys == Some(0) {
                return Err(Error::arg("max_keys", "must be at least 1"));
            }
        }
        let page = if self.req.include_version {
            self.versions_page().await?
        } else if self.req.use_api_v1 {
            self.v1_page().await?
        } else {
            self.v2_page().await?
        };
        Ok(Some(page))
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

    async fn v2_page(&mut self) -> Result<Vec<Object>> {
        const OP: &str = "ListObjectsV2";
        let token = match &self.cursor {
            Cursor::Token(t) => Some(t.clone()),
            _ => None,
        };
        let mut req = self
            .common_query(OP)
            .query("list-type", "2")
            .query_opt("start-after", self.req.start_after.as_deref())
            .query_opt("continuation-token", token.as_deref());
        if self.req.include_user_meta {
            req = req.query("metadata", "true");
        }
        if self.req.fetch_owner {
            req = req.query("fetch-owner", "true");
        }
        let resp = self.req.client.send(req).await?;
        let body = crate::read_body(OP, resp).await?;
        let doc = bucket_doc(&self.bucket, &body).map_err(Error::xml(OP))?;
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

    async fn v1_page(&mut self) -> Result<Vec<Object>> {
        const OP: &str = "ListObjects";
        let marker = match &self.cursor {
            Cursor::Marker(m) => Some(m.clone()),
            _ => self.req.start_after.clone(),
        };
        let req = self.common_query(OP).query_opt("marker", marker.as_deref());
        let resp = self.req.client.send(req).await?;
        let body = crate::read_body(OP, resp).await?;
        let doc = bucket_doc(&self.bucket, &body).map_err(Error::xml(OP))?;
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

    async fn versions_page(&mut self) -> Result<Vec<Object>> {
        const OP: &str = "ListObjectVersions";
        let (key_marker, version_marker) = match &self.cursor {
            Cursor::Versions(k, v) => (Some(k.clone()), v.clone()),
            _ => (self.req.start_after.clone(), None),
        };
        let req = self
            .common_query(OP)
            .query("versions", "")
            .query_opt("key-marker", key_marker.as_deref())
            .query_opt("version-id-marker", version_marker.as_deref());
        let resp = self.req.client.send(req).await?;
        let body = crate::read_body(OP, resp).await?;
        let doc = versions_doc(&self.bucket, &body).map_err(Error::xml(OP))?;
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

/// The error for a truncated page the listing cannot continue from.
fn stuck(op: &'static str, what: &str) -> Error {
    Error::UnexpectedResponse {
        op,
        reason: format!("the listing is truncated but the server sent {what}"),
    }
}
