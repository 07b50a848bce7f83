//! [`Signer`]: SigV4 header signing with S3's settings, and the signing-key
//! cache.

use std::fmt;
use std::sync::RwLock;
use std::time::{Duration, SystemTime};

use hmac::{Hmac, Mac};
use http::header::{HeaderName, HeaderValue, AUTHORIZATION};
use http::{HeaderMap, Method, Uri};
use sha2::{Digest, Sha256};

use crate::canonical::{
    canonical_path, hex_lower, write_string_to_sign, AmzDate, CanonicalHeaders, CanonicalQuery,
    CanonicalRequest, Hex64, Scope, Sink, ALGORITHM,
};
use crate::credentials::Credentials;

/// HMAC-SHA256 keyed with a signing key.
pub(crate) type SigningMac = Hmac<Sha256>;

pub(crate) const X_AMZ_DATE: HeaderName = HeaderName::from_static("x-amz-date");
pub(crate) const X_AMZ_CONTENT_SHA256: HeaderName = HeaderName::from_static("x-amz-content-sha256");
pub(crate) const X_AMZ_SECURITY_TOKEN: HeaderName = HeaderName::from_static("x-amz-security-token");

const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
pub(crate) const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
const STREAMING_UNSIGNED_PAYLOAD_TRAILER: &str = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

/// At most this many signing keys are cached (one per access key, region and
/// service in use on the current day).
const KEY_CACHE_CAPACITY: usize = 32;

/// What goes in `x-amz-content-sha256` (and ends the canonical request).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PayloadHash {
    /// `UNSIGNED-PAYLOAD`: the body is not covered by the signature.
    Unsigned,
    /// The SHA-256 of an empty body.
    Empty,
    /// The lowercase hex SHA-256 of the body (64 characters).
    Sha256Hex(String),
    /// `STREAMING-UNSIGNED-PAYLOAD-TRAILER`: an aws-chunked body with
    /// trailing checksums.
    StreamingUnsignedTrailer,
}

impl PayloadHash {
    /// The header value.
    pub fn header_value(&self) -> &str {
        match self {
            Self::Unsigned => UNSIGNED_PAYLOAD,
            Self::Empty => EMPTY_SHA256,
            Self::Sha256Hex(h) => h,
            Self::StreamingUnsignedTrailer => STREAMING_UNSIGNED_PAYLOAD_TRAILER,
        }
    }

    /// Hashes `data` (SHA-256) into a [`PayloadHash::Sha256Hex`].
    pub fn for_bytes(data: &[u8]) -> Self {
        Self::Sha256Hex(hex_lower(&Sha256::digest(data).into()).as_str().to_owned())
    }

    /// The `x-amz-content-sha256` header value; the constants are static
    /// values, neither validated nor copied again per request.
    fn to_header_value(&self) -> Result<HeaderValue, SignError> {
        Ok(match self {
            Self::Unsigned => HeaderValue::from_static(UNSIGNED_PAYLOAD),
            Self::Empty => HeaderValue::from_static(EMPTY_SHA256),
            Self::StreamingUnsignedTrailer => {
                HeaderValue::from_static(STREAMING_UNSIGNED_PAYLOAD_TRAILER)
            }
            Self::Sha256Hex(h) => {
                HeaderValue::from_str(h).map_err(|_| SignError::InvalidHeaderValue {
                    header: "x-amz-content-sha256",
                })?
            }
        })
    }

    fn validate(&self) -> Result<(), SignError> {
        match self {
            Self::Sha256Hex(h)
                if h.len() != 64 || !h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) =>
            {
                Err(SignError::InvalidPayloadHash)
            }
            _ => Ok(()),
        }
    }
}

/// Who signs, for which region and service, at what time.
#[derive(Clone, Copy, Debug)]
pub struct SigningParams<'a> {
    /// The credentials to sign with.
    pub credentials: &'a Credentials,
    /// The region, e.g. `us-east-1`.
    pub region: &'a str,
    /// The service, `s3` for S3.
    pub service: &'a str,
    /// The signing time (`x-amz-date`).
    pub time: SystemTime,
}

/// Why a request could not be signed. Never carries a secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// The request has neither a `host` header nor a URI authority.
    #[error("cannot sign: the request has no host header and its URI no authority")]
    MissingHost,
    /// The signing time is before 1970 or after year 9999.
    #[error("cannot sign: the signing time is out of range")]
    InvalidTime,
    /// A presigned URL's lifetime is outside 1 s ..= 7 days.
    #[error("presign expiry {requested:?} is outside 1 s ..= 7 days")]
    InvalidExpires {
        /// The lifetime asked for.
        requested: Duration,
    },
    /// [`PayloadHash::Sha256Hex`] is not 64 lowercase hex digits.
    #[error("payload hash is not 64 lowercase hex digits")]
    InvalidPayloadHash,
    /// A value to be put in this header is not a valid header value (e.g. a
    /// session token or access key with control characters).
    #[error("cannot sign: invalid value for header {header}")]
    InvalidHeaderValue {
        /// The header.
        header: &'static str,
    },
    /// The presigned URI could not be built.
    #[error("cannot build the presigned URI: {reason}")]
    InvalidUri {
        /// What went wrong.
        reason: String,
    },
}

struct CacheEntry {
    date: [u8; 8],
    region: Box<str>,
    service: Box<str>,
    access_key: Box<str>,
    /// SHA-256 of the secret key (computed once per [`Credentials`] value):
    /// the cache never holds the secret itself.
    secret_fingerprint: [u8; 32],
    /// HMAC-SHA256 keyed with the derived signing key. Keeping the keyed
    /// state (the key's inner and outer pads already hashed) saves two
    /// SHA-256 blocks per signature over keying an HMAC from the raw key.
    mac: SigningMac,
}

impl CacheEntry {
    fn matches(&self, date: &[u8; 8], p: &SigningParams<'_>) -> bool {
        &self.date == date
            && &*self.region == p.region
            && &*self.service == p.service
            && &*self.access_key == p.credentials.access_key()
            && &self.secret_fingerprint == p.credentials.secret_fingerprint()
    }
}

/// Signs S3 requests with SigV4 (header signing or presigned URLs).
///
/// S3 settings: the path is used as given (single encoding, no
/// normalisation), the canonical query is decoded and re-encoded, every
/// header present is signed except `authorization`, `user-agent`,
/// `x-amzn-trace-id`, `transfer-encoding`, `content-length` and `expect`
/// (framing and hop-by-hop headers that hyper or proxies may change after
/// signing), and `x-amz-content-sha256` is always sent.
///
/// The canonical request and string to sign are streamed into SHA-256 and
/// HMAC-SHA256 without being built; the signing key derivation is aws-sigv4's
/// ([`aws_sigv4::sign::v4::generate_signing_key`]). Derived keys are cached
/// (as keyed HMAC states) per (day, region, service, access key, secret
/// fingerprint), so a request costs one SHA-256 of the canonical request and
/// one HMAC of the string to sign. `Signer` is `Send + Sync`; share one per
/// client.
#[derive(Default)]
pub struct Signer {
    cache: RwLock<Vec<CacheEntry>>,
    #[cfg(test)]
    pub(crate) derivations: std::sync::atomic::AtomicUsize,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.cache.read().map_or(0, |c| c.len());
        f.debug_struct("Signer")
            .field("cached_keys", &n)
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// A signer with an empty key cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// An HMAC keyed with the signing key for `date`, derived once per day,
    /// region, service and credentials.
    pub(crate) fn signing_mac(&self, date: &AmzDate, p: &SigningParams<'_>) -> SigningMac {
        let d = date.date_bytes();
        {
            let cache = self.cache.read().unwrap_or_else(|e| e.into_inner());
            if let Some(e) = cache.iter().find(|e| e.matches(&d, p)) {
                return e.mac.clone();
            }
        }
        #[cfg(test)]
        self.derivations
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let derived = aws_sigv4::sign::v4::generate_signing_key(
            p.credentials.secret_key(),
            p.time,
            p.region,
            p.service,
        );
        let mac =
            SigningMac::new_from_slice(derived.as_ref()).expect("HMAC takes keys of any length");

        let mut cache = self.cache.write().unwrap_or_else(|e| e.into_inner());
        // Keys of other days are useless from now on (clocks only move
        // forward, give or take a retry around midnight).
        cache.retain(|e| e.date == d);
        if cache.len() >= KEY_CACHE_CAPACITY {
            cache.remove(0);
        }
        if !cache.iter().any(|e| e.matches(&d, p)) {
            cache.push(CacheEntry {
                date: d,
                region: p.region.into(),
                service: p.service.into(),
                access_key: p.credentials.access_key().into(),
                secret_fingerprint: *p.credentials.secret_fingerprint(),
                mac: mac.clone(),
            });
        }
        mac
    }

    /// The hex signature of the canonical request whose hash is `creq_hash`.
    pub(crate) fn signature(
        &self,
        date: &AmzDate,
        scope: &Scope<'_>,
        creq_hash: &Hex64,
        params: &SigningParams<'_>,
    ) -> Hex64 {
        let mut mac = self.signing_mac(date, params);
        write_string_to_sign(&mut mac, date, scope, creq_hash);
        hex_lower(&mac.finalize().into_bytes().into())
    }

    /// Signs in place: sets `x-amz-date`, `x-amz-content-sha256` (from
    /// `payload`), `x-amz-security-token` (if the credentials have one) and
    /// `Authorization`.
    ///
    /// Replaces any earlier `Authorization`, `x-amz-date` and
    /// `x-amz-security-token` (a retry re-signs the same header map). The
    /// `host` header is used if present, else the URI authority (without the
    /// default port, as hyper sends it); `host` is not added to the map.
    /// `uri`'s path must already be percent-encoded the S3 way.
    pub fn sign(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &mut HeaderMap,
        payload: &PayloadHash,
        params: &SigningParams<'_>,
    ) -> Result<(), SignError> {
        payload.validate()?;
        let date = AmzDate::new(params.time)?;

        let token = params
            .credentials
            .session_token()
            .map(|t| {
                let mut v =
                    HeaderValue::from_str(t).map_err(|_| SignError::InvalidHeaderValue {
                        header: "x-amz-security-token",
                    })?;
                v.set_sensitive(true);
                Ok::<_, SignError>(v)
            })
            .transpose()?;
        let date_value = HeaderValue::from_bytes(date.as_bytes()).map_err(|_| {
            SignError::InvalidHeaderValue {
                header: "x-amz-date",
            }
        })?;
        let payload_value = payload.to_header_value()?;

        // `insert` replaces earlier values, including the `Authorization` of
        // an earlier attempt below; that one is never signed
        // (`UNSIGNED_HEADERS`), so it need not be removed first.
        headers.insert(X_AMZ_DATE, date_value);
        headers.insert(X_AMZ_CONTENT_SHA256, payload_value);
        match token {
            Some(t) => headers.insert(X_AMZ_SECURITY_TOKEN, t),
            None => headers.remove(X_AMZ_SECURITY_TOKEN),
        };

        match self.authorization(method, uri, headers, payload, params, &date) {
            Ok(auth) => {
                headers.insert(AUTHORIZATION, auth);
                Ok(())
            }
            Err(e) => {
                // Do not leave a stale signature next to the new headers.
                headers.remove(AUTHORIZATION);
                Err(e)
            }
        }
    }

    /// The `Authorization` value for a request whose `x-amz-*` headers are
    /// already set.
    fn authorization(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
        payload: &PayloadHash,
        params: &SigningParams<'_>,
        date: &AmzDate,
    ) -> Result<HeaderValue, SignError> {
        const CREDENTIAL: &str = " Credential=";
        const SIGNED_HEADERS: &str = ", SignedHeaders=";
        const SIGNATURE: &str = ", Signature=";

        let scope = Scope::new(date, params.region, params.service);
        let query = CanonicalQuery::new(uri.query(), &[]);
        let canonical_headers = CanonicalHeaders::new(headers, uri)?;
        let creq_hash = CanonicalRequest {
            method: method.as_str(),
            path: canonical_path(uri),
            query: &query,
            headers: &canonical_headers,
            payload_hash: payload.header_value(),
        }
        .hash_hex();
        let signature = self.signature(date, &scope, &creq_hash, params);

        let ak = params.credentials.access_key();
        let len = ALGORITHM.len()
            + CREDENTIAL.len()
            + ak.len()
            + 1
            + scope.len()
            + SIGNED_HEADERS.len()
            + canonical_headers.signed_headers_len()
            + SIGNATURE.len()
            + signature.as_bytes().len();
        // Exactly `len` bytes: `HeaderValue` takes a `Vec` whose length is
        // its capacity without copying it or allocating a shared header.
        let mut auth = Vec::with_capacity(len);
        auth.put(ALGORITHM.as_bytes());
        auth.put(CREDENTIAL.as_bytes());
        auth.put(ak.as_bytes());
        auth.put(b"/");
        scope.write(&mut auth);
        auth.put(SIGNED_HEADERS.as_bytes());
        canonical_headers.write_signed_headers(&mut auth);
        auth.put(SIGNATURE.as_bytes());
        auth.put(signature.as_bytes());
        debug_assert_eq!(auth.len(), len);
        // Validated: the access key and region come from the caller.
        let mut auth = HeaderValue::try_from(auth).map_err(|_| SignError::InvalidHeaderValue {
            header: "authorization",
        })?;
        auth.set_sensitive(true);
        Ok(auth)
    }
}

#[cfg(test)]
pub(crate) mod tests;
