//! Which region each request is signed for, and region redirects.
//!
//! - A region given to the builder (or named by the endpoint host, such as
//!   `s3.eu-west-1.amazonaws.com`) is used for every request; nothing is
//!   discovered and redirects are not followed: the error names the region
//!   the server pointed to ([`S3Error::bucket_region`]).
//! - Otherwise each bucket's region is discovered once with
//!   GetBucketLocation (signed for `us-east-1`; a server in another region
//!   that refuses it and names its region is asked again there) and cached.
//!   Anonymous clients never send GetBucketLocation: they use `us-east-1`
//!   until a redirect says otherwise, as the reference SDK does.
//! - A request for a bucket whose region was discovered (or defaulted) that
//!   the server answers with a redirect to another region (`301
//!   PermanentRedirect`, `400 AuthorizationHeaderMalformed` with a
//!   `<Region>`, or any 301/307/400 with an `x-amz-bucket-region` header
//!   naming another region) updates the cache and is sent once more in that
//!   region, when its body can be replayed. When such an answer names no
//!   region (a HEAD has no error document; garage sends no
//!   `x-amz-bucket-region`), an authenticated client asks for the location
//!   again and, if it changed, sends the request once more there. A
//!   redirect was not carried out by the server, so repeating the request
//!   is safe.

use std::sync::Arc;

use http::Method;

use crate::client::{Newtera, S3Request, DEFAULT_REGION, ERROR_BODY_LIMIT};
use crate::error::{Error, Result, S3Error};
use crate::url::is_valid_region;

impl Newtera {
    /// The region to sign requests for `bucket` with.
    pub(crate) async fn region_for(&self, bucket: Option<&str>) -> Result<Arc<str>> {
        if let Some(r) = &self.inner.region {
            return Ok(r.clone());
        }
        let Some(bucket) = bucket else {
            return Ok(Arc::from(DEFAULT_REGION));
        };
        if let Some(r) = self.cached_region(bucket) {
            return Ok(r);
        }
        if self.inner.anonymous {
            return Ok(Arc::from(DEFAULT_REGION));
        }
        self.discover_region(bucket).await
    }

    /// Asks the server where `bucket` is (GetBucketLocation) and caches it.
    async fn discover_region(&self, bucket: &str) -> Result<Arc<str>> {
        const OP: &str = "GetBucketLocation";
        let req = || {
            S3Request::new(OP, Method::GET)
                .bucket(bucket)
                .query("location", "")
                .buffered_answer()
        };
        let resp = match self.send_in(req(), Arc::from(DEFAULT_REGION)).await {
            Ok(resp) => resp,
            Err(Error::S3(e)) => match redirect_target(&e) {
                Some(r) => self.send_in(req(), Arc::from(r)).await?,
                None => return Err(Error::S3(e)),
            },
            Err(e) => return Err(e),
        };
        let body = resp
            .into_body()
            .collect(ERROR_BODY_LIMIT)
            .await
            .map_err(Error::transport(OP))?;
        let region = newtera_xml::parse_location_constraint(&body).map_err(Error::xml(OP))?;
        let region: Arc<str> = match region.as_deref() {
            None | Some("") => Arc::from(DEFAULT_REGION),
            Some("EU") => Arc::from("eu-west-1"),
            Some(r) if is_valid_region(r) => Arc::from(r),
            Some(r) => {
                return Err(Error::UnexpectedResponse {
                    op: OP,
                    reason: format!("{r:?} is not a region name"),
                })
            }
        };
        self.remember_region(bucket, &region);
        Ok(region)
    }

    /// Follows a region redirect of `first`, the answer to a `method`
    /// request for `bucket` in a region the client chose: caches the region
    /// the server named and sends `again` there, once. An answer that says
    /// the region is wrong without naming the right one (a HEAD has no
    /// error document, and not every server sends `x-amz-bucket-region`)
    /// has the bucket's location asked again instead.
    pub(crate) async fn follow_redirect(
        &self,
        bucket: &str,
        method: &Method,
        first: Result<http::Response<newtera_transport::ResponseBody>>,
        again: Option<S3Request<'_>>,
    ) -> Result<http::Response<newtera_transport::ResponseBody>> {
        let e = match first {
            Err(Error::S3(e)) => e,
            other => return other,
        };
        let target: Arc<str> = match redirect_target(&e) {
            Some(t) => Arc::from(t),
            None if !self.inner.anonymous && wrong_region_unnamed(&e, method) => {
                self.forget_region(bucket);
                match self.discover_region(bucket).await {
                    Ok(r) if Some(&*r) != e.region.as_deref() => r,
                    _ => return Err(Error::S3(e)),
                }
            }
            None => return Err(Error::S3(e)),
        };
        self.remember_region(bucket, &target);
        match again {
            Some(req) => {
                tracing::debug!(
                    bucket,
                    from = e.region.as_deref().unwrap_or(""),
                    to = &*target,
                    "following a region redirect"
                );
                self.send_in(req, target).await
            }
            None => Err(Error::S3(e)),
        }
    }

    pub(crate) fn cached_region(&self, bucket: &str) -> Option<Arc<str>> {
        self.inner
            .regions
            .read()
            .ok()
            .and_then(|m| m.get(bucket).cloned())
    }

    pub(crate) fn remember_region(&self, bucket: &str, region: &Arc<str>) {
        if self.inner.region.is_some() {
            return;
        }
        if let Ok(mut m) = self.inner.regions.write() {
            m.insert(bucket.to_owned(), region.clone());
        }
    }

    pub(crate) fn forget_region(&self, bucket: &str) {
        if let Ok(mut m) = self.inner.regions.write() {
            m.remove(bucket);
        }
    }
}

/// The region an error answer redirects to: one the server named (header
/// or `<Region>`), other than the one the request was signed for, in an
/// answer that is a redirect or a refusal of the signing region.
pub(crate) fn redirect_target(e: &S3Error) -> Option<&str> {
    let named = e.bucket_region.as_deref()?;
    let redirect = matches!(e.status.as_u16(), 301 | 307 | 400)
        || matches!(
            e.code.as_str(),
            "PermanentRedirect" | "AuthorizationHeaderMalformed" | "Redirect" | "TemporaryRedirect"
        );
    (redirect && Some(named) != e.region.as_deref() && is_valid_region(named)).then_some(named)
}

/// An answer that may mean "wrong region" but names none: a redirect or
/// region refusal without a region, or a HEAD refused with a bare 400.
fn wrong_region_unnamed(e: &S3Error, method: &Method) -> bool {
    e.bucket_region.is_none()
        && (matches!(
            e.code.as_str(),
            "PermanentRedirect" | "AuthorizationHeaderMalformed"
        ) || (method == Method::HEAD && e.status.as_u16() == 400))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::StatusCode;

    fn err(status: u16, code: &str, signed: &str, named: Option<&str>) -> S3Error {
        S3Error {
            code: code.to_owned(),
            message: String::new(),
            resource: None,
            request_id: None,
            host_id: None,
            bucket: Some("b".to_owned()),
            object: None,
            status: StatusCode::from_u16(status).unwrap(),
            op: "GetObject",
            attempts: 1,
            region: Some(signed.to_owned()),
            bucket_region: named.map(str::to_owned),
        }
    }

    #[test]
    fn which_answers_redirect() {
        let table = [
            (
                301,
                "PermanentRedirect",
                Some("eu-west-1"),
                Some("eu-west-1"),
            ),
            (
                400,
                "AuthorizationHeaderMalformed",
                Some("eu-west-1"),
                Some("eu-west-1"),
            ),
            (
                307,
                "TemporaryRedirect",
                Some("eu-west-1"),
                Some("eu-west-1"),
            ),
            (400, "BadRequest", Some("ap-south-1"), Some("ap-south-1")),
            // Nothing named, the same region, or not a region name.
            (301, "PermanentRedirect", None, None),
            (400, "AuthorizationHeaderMalformed", Some("us-east-1"), None),
            (301, "PermanentRedirect", Some("evil.example/x"), None),
            // Not a redirect, whatever the header says.
            (403, "AccessDenied", Some("eu-west-1"), None),
            (404, "NoSuchKey", Some("eu-west-1"), None),
        ];
        for (status, code, named, want) in table {
            let e = err(status, code, "us-east-1", named);
            assert_eq!(redirect_target(&e), want, "{status} {code} {named:?}");
        }
        let unnamed = |status, code, m: Method| {
            wrong_region_unnamed(&err(status, code, "us-east-1", None), &m)
        };
        assert!(unnamed(400, "BadRequest", Method::HEAD));
        assert!(unnamed(301, "PermanentRedirect", Method::HEAD));
        assert!(unnamed(400, "AuthorizationHeaderMalformed", Method::GET));
        assert!(!unnamed(400, "BadRequest", Method::GET));
        assert!(!unnamed(400, "InvalidArgument", Method::PUT));
        assert!(!unnamed(404, "NoSuchKey", Method::HEAD));
        assert!(!wrong_region_unnamed(
            &err(400, "BadRequest", "us-east-1", Some("eu-west-1")),
            &Method::HEAD
        ));
    }
}
