//! Query-string presigning ([`Signer::presign`]).

use std::time::Duration;

use http::uri::PathAndQuery;
use http::{HeaderMap, Method, Uri};

use crate::canonical::{
    canonical_path, AmzDate, CanonicalHeaders, CanonicalQuery, CanonicalRequest, Scope, ALGORITHM,
};
use crate::sign::{SignError, Signer, SigningParams, UNSIGNED_PAYLOAD};

/// The longest lifetime S3 accepts for a presigned URL: 7 days.
pub const MAX_PRESIGN_EXPIRES: Duration = Duration::from_secs(7 * 24 * 3600);

impl Signer {
    /// Presigns a request in its query string.
    ///
    /// Adds `X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`,
    /// `X-Amz-Expires`, `X-Amz-SignedHeaders`, `X-Amz-Security-Token` (if the
    /// credentials have one) and `X-Amz-Signature` to `uri`'s query; the
    /// payload is `UNSIGNED-PAYLOAD`. `headers` are the headers the user of
    /// the URL will send and that the signature should cover (`host` is
    /// always signed, from `headers` or the URI authority); the same headers
    /// are excluded as by [`sign`](Self::sign). `expires` is truncated to
    /// whole seconds and must be within 1 s ..= 7 days.
    ///
    /// The returned URI's query is the canonical query string (parameters
    /// sorted and encoded canonically) followed by `X-Amz-Signature`.
    pub fn presign(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
        expires: Duration,
        params: &SigningParams<'_>,
    ) -> Result<Uri, SignError> {
        let secs = expires.as_secs();
        if secs < 1 || secs > MAX_PRESIGN_EXPIRES.as_secs() {
            return Err(SignError::InvalidExpires { requested: expires });
        }
        let date = AmzDate::new(params.time)?;
        let scope = Scope::new(&date, params.region, params.service);
        let credential = format!("{}/{scope}", params.credentials.access_key());
        let canonical_headers = CanonicalHeaders::new(headers, uri)?;
        let signed_headers = canonical_headers.signed_headers();
        let expires = secs.to_string();

        let mut extra = vec![
            ("X-Amz-Algorithm", ALGORITHM),
            ("X-Amz-Credential", credential.as_str()),
            ("X-Amz-Date", date.date_time()),
            ("X-Amz-Expires", expires.as_str()),
            ("X-Amz-SignedHeaders", signed_headers.as_str()),
        ];
        if let Some(token) = params.credentials.session_token() {
            extra.push(("X-Amz-Security-Token", token));
        }
        let query = CanonicalQuery::new(uri.query(), &extra);
        let path = canonical_path(uri);
        let creq_hash = CanonicalRequest {
            method: method.as_str(),
            path,
            query: &query,
            headers: &canonical_headers,
            payload_hash: UNSIGNED_PAYLOAD,
        }
        .hash_hex();
        let signature = self.signature(&date, &scope, &creq_hash, params);

        let path_and_query = format!(
            "{path}?{}&X-Amz-Signature={}",
            query.to_text(),
            signature.as_str()
        );
        let mut parts = uri.clone().into_parts();
        parts.path_and_query =
            Some(
                PathAndQuery::try_from(path_and_query).map_err(|e| SignError::InvalidUri {
                    reason: e.to_string(),
                })?,
            );
        Uri::from_parts(parts).map_err(|e| SignError::InvalidUri {
            reason: e.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::tests::{example_time, AK, SK};
    use crate::Credentials;

    fn params(c: &Credentials) -> SigningParams<'_> {
        SigningParams {
            credentials: c,
            region: "us-east-1",
            service: "s3",
            time: example_time(),
        }
    }

    // AWS S3 API reference, "Authenticating Requests: Using Query Parameters
    // (AWS Signature Version 4)", example presigned GET.
    #[test]
    fn aws_example_presigned_get() {
        let c = Credentials::new(AK, SK, None);
        let uri: Uri = "https://examplebucket.s3.amazonaws.com/test.txt"
            .parse()
            .unwrap();
        let out = Signer::new()
            .presign(
                &Method::GET,
                &uri,
                &HeaderMap::new(),
                Duration::from_secs(86_400),
                &params(&c),
            )
            .unwrap();
        assert_eq!(
            out.to_string(),
            "https://examplebucket.s3.amazonaws.com/test.txt\
             ?X-Amz-Algorithm=AWS4-HMAC-SHA256\
             &X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request\
             &X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host\
             &X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
        );
    }

    #[test]
    fn presign_token_query_and_headers() {
        let c = Credentials::new(AK, SK, Some("to+ken/=".into()));
        let uri: Uri =
            "http://127.0.0.1:9000/b/a%20b?versionId=3&response-content-type=text%2Fplain"
                .parse()
                .unwrap();
        let mut h = HeaderMap::new();
        h.insert(
            "x-amz-server-side-encryption-customer-algorithm",
            "AES256".parse().unwrap(),
        );
        h.insert("user-agent", "not signed".parse().unwrap());
        let out = Signer::new()
            .presign(
                &Method::PUT,
                &uri,
                &h,
                Duration::from_millis(3_600_900),
                &params(&c),
            )
            .unwrap();
        let q = out.query().unwrap();
        assert_eq!(out.path(), "/b/a%20b");
        assert_eq!(out.authority().unwrap().as_str(), "127.0.0.1:9000");
        assert!(q.contains("X-Amz-Security-Token=to%2Bken%2F%3D"), "{q}");
        assert!(q.contains("X-Amz-Expires=3600&"), "{q}");
        assert!(
            q.contains(
                "X-Amz-SignedHeaders=host%3Bx-amz-server-side-encryption-customer-algorithm&"
            ),
            "{q}"
        );
        assert!(
            q.contains("response-content-type=text%2Fplain&versionId=3"),
            "{q}"
        );
        assert!(q
            .rsplit_once('&')
            .unwrap()
            .1
            .starts_with("X-Amz-Signature="));
    }

    #[test]
    fn presign_expiry_bounds() {
        let c = Credentials::new(AK, SK, None);
        let uri: Uri = "https://h/b/k".parse().unwrap();
        let s = Signer::new();
        let try_exp = |d| s.presign(&Method::GET, &uri, &HeaderMap::new(), d, &params(&c));
        assert!(matches!(
            try_exp(Duration::from_millis(999)),
            Err(SignError::InvalidExpires { .. })
        ));
        assert!(matches!(
            try_exp(MAX_PRESIGN_EXPIRES + Duration::from_secs(1)),
            Err(SignError::InvalidExpires { .. })
        ));
        assert!(try_exp(Duration::from_secs(1)).is_ok());
        assert!(try_exp(MAX_PRESIGN_EXPIRES).is_ok());
    }
}
