//! Presigned URLs: `get_presigned_url`, `presigned_get_object`,
//! `presigned_put_object`.
//!
//! A presigned URL carries its SigV4 signature in the query string, so any
//! HTTP client can use it until it expires. Presigning needs no network when
//! the region is known (given to the builder, named by an AWS endpoint, or
//! learnt earlier for the bucket); otherwise the bucket's region is
//! discovered once, as for any request.
//!
//! An anonymous client (no credentials) gets the plain, unsigned URL, as the
//! reference SDK gives: usable for public objects only.

use std::borrow::Cow;
use std::time::{Duration, SystemTime};

use http::{HeaderMap, Method};
use newtera_signer::{Credentials, SignError, SigningParams, MAX_PRESIGN_EXPIRES};
use newtera_transport::{ErrorKind, TransportError};

use crate::client::Newtera;
use crate::error::{Error, Result};
use crate::into_future;
use crate::validate::{check_bucket_name, check_object_name};

/// The query parameters a presigned URL's signature is made of; the caller
/// may not set them.
const SIGNATURE_PARAMS: [&str; 7] = [
    "x-amz-algorithm",
    "x-amz-credential",
    "x-amz-date",
    "x-amz-expires",
    "x-amz-signedheaders",
    "x-amz-signature",
    "x-amz-security-token",
];

/// Builds a presigned URL. Made by [`Newtera::get_presigned_url`],
/// [`Newtera::presigned_get_object`] and [`Newtera::presigned_put_object`];
/// awaiting it gives the URL.
#[derive(Debug)]
#[must_use = "a presigned URL is only made when awaited"]
pub struct GetPresignedUrl {
    client: Newtera,
    method: Method,
    bucket: String,
    object: String,
    expires: Duration,
    response_headers: Vec<(String, String)>,
    request_date: Option<SystemTime>,
    version_id: Option<String>,
    extra_query: Vec<(String, String)>,
}

impl Newtera {
    /// A presigned URL for `method` on an object (any HTTP method: `GET`,
    /// `PUT`, `DELETE`, `HEAD` …). Valid for 7 days unless
    /// [`expires`](GetPresignedUrl::expires) says otherwise.
    ///
    /// ```no_run
    /// # async fn demo(client: newtera_core::Newtera) -> Result<(), newtera_core::Error> {
    /// use std::time::Duration;
    /// let url = client
    ///     .get_presigned_url(http::Method::DELETE, "my-bucket", "my-object")
    ///     .expires(Duration::from_secs(24 * 3600))
    ///     .await?;
    /// println!("{url}");
    /// # Ok(()) }
    /// ```
    pub fn get_presigned_url(
        &self,
        method: Method,
        bucket_name: impl Into<String>,
        object_name: impl Into<String>,
    ) -> GetPresignedUrl {
        GetPresignedUrl {
            client: self.clone(),
            method,
            bucket: bucket_name.into(),
            object: object_name.into(),
            expires: MAX_PRESIGN_EXPIRES,
            response_headers: Vec::new(),
            request_date: None,
            version_id: None,
            extra_query: Vec::new(),
        }
    }

    /// A presigned URL to download an object (`GET`).
    ///
    /// ```no_run
    /// # async fn demo(client: newtera_core::Newtera) -> Result<(), newtera_core::Error> {
    /// use std::time::Duration;
    /// let url = client
    ///     .presigned_get_object("my-bucket", "my-object")
    ///     .expires(Duration::from_secs(2 * 3600))
    ///     .response_headers([("response-content-type", "application/json")])
    ///     .await?;
    /// # let _ = url; Ok(()) }
    /// ```
    pub fn presigned_get_object(
        &self,
        bucket_name: impl Into<String>,
        object_name: impl Into<String>,
    ) -> GetPresignedUrl {
        self.get_presigned_url(Method::GET, bucket_name, object_name)
    }

    /// A presigned URL to upload an object (`PUT`, with the data as body).
    pub fn presigned_put_object(
        &self,
        bucket_name: impl Into<String>,
        object_name: impl Into<String>,
    ) -> GetPresignedUrl {
        self.get_presigned_url(Method::PUT, bucket_name, object_name)
    }
}

impl GetPresignedUrl {
    /// How long the URL is valid: 1 second to 7 days (the default), whole
    /// seconds (a fraction is dropped). Anything else is refused with
    /// [`Error::InvalidArgument`].
    pub fn expires(mut self, expires: Duration) -> Self {
        self.expires = expires;
        self
    }

    /// Response headers the server should send with the answer to the URL,
    /// as query parameters: `response-content-type`,
    /// `response-content-disposition`, `response-cache-control`,
    /// `response-content-language`, `response-content-encoding`,
    /// `response-expires`.
    pub fn response_headers<K, V>(mut self, headers: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: Into<String>,
        V: Into<String>,
    {
        self.response_headers
            .extend(headers.into_iter().map(|(k, v)| (k.into(), v.into())));
        self
    }

    /// The signing time the validity counts from (default: now).
    pub fn request_date(mut self, date: SystemTime) -> Self {
        self.request_date = Some(date);
        self
    }

    /// A version of the object (`versionId`).
    pub fn version_id(mut self, version_id: impl Into<String>) -> Self {
        self.version_id = Some(version_id.into());
        self
    }

    /// Further query parameters, signed with the URL (e.g. `partNumber` and
    /// `uploadId` to presign an `UploadPart`). The signature's own
    /// `X-Amz-*` parameters are refused.
    pub fn extra_query_params<K, V>(mut self, params: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: Into<String>,
        V: Into<String>,
    {
        self.extra_query
            .extend(params.into_iter().map(|(k, v)| (k.into(), v.into())));
        self
    }

    /// Makes the URL; sends nothing unless the bucket's region must be
    /// discovered.
    pub async fn send(self) -> Result<String> {
        const OP: &str = "presign URL";
        check_bucket_name(&self.bucket)?;
        check_object_name(&self.object)?;
        check_expires(self.expires)?;
        if let Some(date) = self.request_date {
            check_time("request_date", date)?;
        }
        for (k, _) in self.extra_query.iter().chain(&self.response_headers) {
            check_query_key(k)?;
        }
        // An anonymous client hands out the plain URL, unsigned, as the
        // reference SDK does: it is what such a client can use itself.
        let credentials = match self.client.inner.provider {
            Some(_) => Some(presign_credentials(&self.client, OP).await?),
            None => None,
        };
        let region = self.client.region_for(Some(&self.bucket)).await?;

        let mut query: Vec<(Cow<'static, str>, String)> = self
            .extra_query
            .into_iter()
            .chain(self.response_headers)
            .map(|(k, v)| (Cow::Owned(k), v))
            .collect();
        if let Some(v) = self.version_id {
            query.push((Cow::Borrowed("versionId"), v));
        }
        let inner = &self.client.inner;
        let uri = inner.base.uri(
            &self.method,
            Some(&self.bucket),
            Some(&self.object),
            &query,
            &region,
        )?;
        let Some(credentials) = credentials else {
            return Ok(uri.to_string());
        };
        let params = SigningParams {
            credentials: &credentials,
            region: &region,
            service: "s3",
            time: self.request_date.unwrap_or_else(SystemTime::now),
        };
        let url = inner
            .signer
            .presign(&self.method, &uri, &HeaderMap::new(), self.expires, &params)
            .map_err(sign_error)?;
        Ok(url.to_string())
    }
}

into_future!(GetPresignedUrl => String);

/// Refuses a lifetime outside 1 s ..= 7 days.
fn check_expires(expires: Duration) -> Result<()> {
    if expires < Duration::from_secs(1) || expires > MAX_PRESIGN_EXPIRES {
        return Err(Error::arg(
            "expires",
            format!("{expires:?} is outside 1 second ..= 7 days"),
        ));
    }
    Ok(())
}

/// Refuses a time a SigV4 date cannot express: before 1970 or after 9999.
pub(crate) fn check_time(param: &'static str, t: SystemTime) -> Result<()> {
    // 9999-12-31T23:59:59Z
    let last = SystemTime::UNIX_EPOCH + Duration::from_secs(253_402_300_799);
    if !(SystemTime::UNIX_EPOCH..=last).contains(&t) {
        return Err(Error::arg(param, "outside the years 1970 ..= 9999"));
    }
    Ok(())
}

/// Refuses an empty query parameter name and the signature's own ones.
fn check_query_key(key: &str) -> Result<()> {
    if key.is_empty() {
        return Err(Error::arg(
            "extra_query_params",
            "a query parameter name is empty",
        ));
    }
    if SIGNATURE_PARAMS.iter().any(|p| p.eq_ignore_ascii_case(key)) {
        return Err(Error::arg(
            "extra_query_params",
            format!("{key} is set by the signature itself"),
        ));
    }
    Ok(())
}

/// The current credentials, or an error for an anonymous client (which has
/// nothing to sign a POST policy with).
pub(crate) async fn presign_credentials(client: &Newtera, op: &'static str) -> Result<Credentials> {
    let Some(provider) = &client.inner.provider else {
        return Err(Error::arg(
            "credentials",
            "an anonymous client has no credentials to presign with",
        ));
    };
    provider
        .retrieve()
        .await
        .map_err(|e| Error::transport(op)(TransportError::with_source(ErrorKind::Credentials, e)))
}

/// A signing error: the time or lifetime given could not be used.
pub(crate) fn sign_error(e: SignError) -> Error {
    let param = match &e {
        SignError::InvalidExpires { .. } => "expires",
        SignError::InvalidTime => "request_date",
        _ => "presign",
    };
    Error::arg(param, e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_bounds() {
        assert!(check_expires(Duration::from_millis(999)).is_err());
        assert!(check_expires(Duration::ZERO).is_err());
        assert!(check_expires(Duration::from_secs(1)).is_ok());
        assert!(check_expires(MAX_PRESIGN_EXPIRES).is_ok());
        assert!(check_expires(MAX_PRESIGN_EXPIRES + Duration::from_millis(1)).is_err());
    }

    #[test]
    fn request_date_bounds() {
        let epoch = SystemTime::UNIX_EPOCH;
        assert!(check_time("t", epoch).is_ok());
        assert!(check_time("t", epoch - Duration::from_secs(1)).is_err());
        assert!(check_time("t", epoch + Duration::from_secs(253_402_300_800)).is_err());
    }

    #[test]
    fn signature_params_are_refused() {
        assert!(check_query_key("X-Amz-Signature").is_err());
        assert!(check_query_key("x-amz-security-token").is_err());
        assert!(check_query_key("").is_err());
        assert!(check_query_key("partNumber").is_ok());
        assert!(check_query_key("X-Amz-Meta-Foo").is_ok());
    }
}
