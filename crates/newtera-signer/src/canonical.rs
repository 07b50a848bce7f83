//! Building blocks of the SigV4 canonical request with S3's settings.
//!
//! The canonical request is never materialised in production: it is fed piece
//! by piece into a [`Sink`] that is the SHA-256 hasher itself, so signing
//! allocates little beyond the canonical query and the header list.

use std::borrow::Cow;
use std::time::{SystemTime, UNIX_EPOCH};

use http::{HeaderMap, HeaderName, Uri};
use percent_encoding::{percent_decode, percent_encode, AsciiSet, NON_ALPHANUMERIC};
use sha2::{Digest, Sha256};

use crate::sign::SignError;

/// The SigV4 algorithm name.
pub(crate) const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// Everything but the unreserved characters `A-Za-z0-9-_.~` is encoded.
const AWS_URI_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Headers never signed.
///
/// - `authorization`: it is the result of signing;
/// - `user-agent`, `x-amzn-trace-id`: set below the signing layer or altered
///   by proxies;
/// - `transfer-encoding`, `content-length`, `expect`: message framing and
///   hop-by-hop handling that hyper or a proxy may add, drop or rewrite after
///   signing. The payload itself is covered by `x-amz-content-sha256` (or by
///   checksums), so signing its length adds nothing.
pub(crate) const UNSIGNED_HEADERS: [&str; 6] = [
    "authorization",
    "user-agent",
    "x-amzn-trace-id",
    "transfer-encoding",
    "content-length",
    "expect",
];

/// Where canonical-request bytes go: a hasher, or a buffer in tests.
pub(crate) trait Sink {
    fn put(&mut self, bytes: &[u8]);
}

impl Sink for Sha256 {
    fn put(&mut self, bytes: &[u8]) {
        self.update(bytes);
    }
}

impl Sink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

/// `x-amz-date` time: `YYYYMMDDTHHMMSSZ`, UTC.
#[derive(Clone, Copy)]
pub(crate) struct AmzDate([u8; 16]);

impl AmzDate {
    pub(crate) fn new(t: SystemTime) -> Result<Self, SignError> {
        let secs = t
            .duration_since(UNIX_EPOCH)
            .ok()
            .and_then(|d| i64::try_from(d.as_secs()).ok())
            .ok_or(SignError::InvalidTime)?;
        let dt =
            time::OffsetDateTime::from_unix_timestamp(secs).map_err(|_| SignError::InvalidTime)?;
        let year = u32::try_from(dt.year()).map_err(|_| SignError::InvalidTime)?;
        if year > 9999 {
            return Err(SignError::InvalidTime);
        }
        let mut b = [0u8; 16];
        put_digits(&mut b[0..4], year);
        put_digits(&mut b[4..6], u32::from(u8::from(dt.month())));
        put_digits(&mut b[6..8], u32::from(dt.day()));
        b[8] = b'T';
        put_digits(&mut b[9..11], u32::from(dt.hour()));
        put_digits(&mut b[11..13], u32::from(dt.minute()));
        put_digits(&mut b[13..15], u32::from(dt.second()));
        b[15] = b'Z';
        Ok(Self(b))
    }

    /// `YYYYMMDDTHHMMSSZ`.
    pub(crate) fn date_time(&self) -> &str {
        // Only ASCII digits, 'T' and 'Z' are ever written.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// `YYYYMMDD`.
    pub(crate) fn date(&self) -> &str {
        std::str::from_utf8(&self.0[..8]).unwrap_or_default()
    }

    pub(crate) fn date_bytes(&self) -> [u8; 8] {
        let mut d = [0u8; 8];
        d.copy_from_slice(&self.0[..8]);
        d
    }
}

fn put_digits(out: &mut [u8], mut v: u32) {
    for slot in out.iter_mut().rev() {
        // `v % 10` < 10, so the cast cannot truncate.
        *slot = b'0' + (v % 10) as u8;
        v /= 10;
    }
}

/// `date/region/service/aws4_request`.
pub(crate) fn scope(date: &AmzDate, region: &str, service: &str) -> String {
    let mut s = String::with_capacity(8 + region.len() + service.len() + 16);
    s.push_str(date.date());
    s.push('/');
    s.push_str(region);
    s.push('/');
    s.push_str(service);
    s.push_str("/aws4_request");
    s
}

/// The canonical path: the (already percent-encoded) path as given, `/` if
/// empty. S3 is signed with single encoding and no normalisation.
pub(crate) fn canonical_path(uri: &Uri) -> &str {
    match uri.path() {
        "" => "/",
        p => p,
    }
}

/// URI-encodes a raw value the AWS way.
pub(crate) fn encode(raw: &str) -> Cow<'_, str> {
    percent_encode(raw.as_bytes(), AWS_URI_ENCODE).into()
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// Canonical form of a query component taken from a URI: decoded as
/// `application/x-www-form-urlencoded` (`%XX` and `+` for a space, as S3,
/// MinIO and aws-sigv4 read it), then AWS-encoded. A stray `%` that does not
/// start an escape stays a literal `%`.
fn canonical_component(raw: &str) -> Cow<'_, str> {
    if raw.bytes().all(is_unreserved) {
        return Cow::Borrowed(raw);
    }
    let plus_fixed: Cow<'_, [u8]> = if raw.contains('+') {
        Cow::Owned(
            raw.bytes()
                .map(|b| if b == b'+' { b' ' } else { b })
                .collect(),
        )
    } else {
        Cow::Borrowed(raw.as_bytes())
    };
    let decoded: Cow<'_, [u8]> = percent_decode(&plus_fixed).into();
    Cow::Owned(percent_encode(&decoded, AWS_URI_ENCODE).to_string())
}

/// The canonical query string: the URI's parameters (canonicalised by
/// [`canonical_component`]) plus `extra` raw (unencoded) parameters, sorted by
/// encoded key then encoded value, joined with `&`; a key without `=` gets an
/// empty value.
pub(crate) fn canonical_query(query: Option<&str>, extra: &[(&str, &str)]) -> String {
    let mut pairs: Vec<(Cow<'_, str>, Cow<'_, str>)> = Vec::new();
    if let Some(q) = query {
        for part in q.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = part.split_once('=').unwrap_or((part, ""));
            pairs.push((canonical_component(k), canonical_component(v)));
        }
    }
    for (k, v) in extra {
        pairs.push((encode(k), encode(v)));
    }
    if pairs.is_empty() {
        return String::new();
    }
    pairs.sort_unstable();
    let len = pairs.iter().map(|(k, v)| k.len() + v.len() + 2).sum();
    let mut out = String::with_capacity(len);
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
    out
}

/// The `host` value derived from the URI: the authority without user info,
/// without the scheme's default port (`:80` for http, `:443` for https).
pub(crate) fn host_from_uri(uri: &Uri) -> Option<&str> {
    let authority = uri.authority()?.as_str();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let default_port = matches!(
        (uri.scheme_str(), uri.port_u16()),
        (Some("http"), Some(80)) | (Some("https"), Some(443))
    );
    if default_port {
        uri.host()
    } else {
        Some(host_port)
    }
}

enum Values<'a> {
    /// All values of this header in the map.
    Map(&'a HeaderName),
    /// A value not in the map (the `host` derived from the URI).
    Literal(&'a str),
}

/// The signed headers of a request, sorted by name.
pub(crate) struct CanonicalHeaders<'a> {
    map: &'a HeaderMap,
    entries: Vec<(&'a str, Values<'a>)>,
}

impl<'a> CanonicalHeaders<'a> {
    /// Every header of `map` but the [`UNSIGNED_HEADERS`], plus `host` from
    /// `uri` when the map has none.
    pub(crate) fn new(map: &'a HeaderMap, uri: &'a Uri) -> Result<Self, SignError> {
        let mut entries = Vec::with_capacity(map.keys_len() + 1);
        for name in map.keys() {
            if !UNSIGNED_HEADERS.contains(&name.as_str()) {
                entries.push((name.as_str(), Values::Map(name)));
            }
        }
        if !map.contains_key(http::header::HOST) {
            let host = host_from_uri(uri).ok_or(SignError::MissingHost)?;
            entries.push(("host", Values::Literal(host)));
        }
        entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
        Ok(Self { map, entries })
    }

    /// `name1;name2;...`.
    pub(crate) fn signed_headers(&self) -> String {
        let len = self.entries.iter().map(|(n, _)| n.len() + 1).sum();
        let mut s = String::with_capacity(len);
        for (i, (name, _)) in self.entries.iter().enumerate() {
            if i > 0 {
                s.push(';');
            }
            s.push_str(name);
        }
        s
    }

    /// `name:value\n` for each header; several values are joined with `,`.
    fn write(&self, sink: &mut impl Sink) {
        for (name, values) in &self.entries {
            sink.put(name.as_bytes());
            sink.put(b":");
            match values {
                Values::Literal(v) => put_trimmed(sink, v.as_bytes()),
                Values::Map(n) => {
                    for (i, v) in self.map.get_all(*n).iter().enumerate() {
                        if i > 0 {
                            sink.put(b",");
                        }
                        put_trimmed(sink, v.as_bytes());
                    }
                }
            }
            sink.put(b"\n");
        }
    }
}

/// Writes `value` without leading or trailing spaces and with runs of spaces
/// collapsed to one (only spaces, as S3 does).
fn put_trimmed(sink: &mut impl Sink, value: &[u8]) {
    for (i, word) in value
        .split(|b| *b == b' ')
        .filter(|w| !w.is_empty())
        .enumerate()
    {
        if i > 0 {
            sink.put(b" ");
        }
        sink.put(word);
    }
}

/// The parts of a canonical request.
pub(crate) struct CanonicalRequest<'a> {
    pub(crate) method: &'a str,
    pub(crate) path: &'a str,
    pub(crate) query: &'a str,
    pub(crate) headers: &'a CanonicalHeaders<'a>,
    pub(crate) signed_headers: &'a str,
    pub(crate) payload_hash: &'a str,
}

impl CanonicalRequest<'_> {
    pub(crate) fn write(&self, sink: &mut impl Sink) {
        sink.put(self.method.as_bytes());
        sink.put(b"\n");
        sink.put(self.path.as_bytes());
        sink.put(b"\n");
        sink.put(self.query.as_bytes());
        sink.put(b"\n");
        self.headers.write(sink);
        sink.put(b"\n");
        sink.put(self.signed_headers.as_bytes());
        sink.put(b"\n");
        sink.put(self.payload_hash.as_bytes());
    }

    /// Hex SHA-256 of the canonical request.
    pub(crate) fn hash_hex(&self) -> String {
        let mut h = Sha256::new();
        self.write(&mut h);
        hex::encode(h.finalize())
    }

    #[cfg(test)]
    pub(crate) fn to_text(&self) -> String {
        let mut v = Vec::new();
        self.write(&mut v);
        String::from_utf8_lossy(&v).into_owned()
    }
}

/// The string to sign.
pub(crate) fn string_to_sign(date: &AmzDate, scope: &str, creq_hash: &str) -> String {
    let mut s = String::with_capacity(ALGORITHM.len() + 16 + scope.len() + creq_hash.len() + 3);
    s.push_str(ALGORITHM);
    s.push('\n');
    s.push_str(date.date_time());
    s.push('\n');
    s.push_str(scope);
    s.push('\n');
    s.push_str(creq_hash);
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn amz_date() {
        let t = UNIX_EPOCH + Duration::from_secs(1_369_353_600); // 2013-05-24T00:00:00Z
        let d = AmzDate::new(t).unwrap();
        assert_eq!(d.date_time(), "20130524T000000Z");
        assert_eq!(d.date(), "20130524");
        let d = AmzDate::new(UNIX_EPOCH + Duration::from_secs(1_700_000_000 + 3661)).unwrap();
        assert_eq!(d.date_time(), "20231114T231421Z");
        assert!(AmzDate::new(UNIX_EPOCH - Duration::from_secs(1)).is_err());
    }

    #[test]
    fn query_canonicalisation() {
        assert_eq!(canonical_query(None, &[]), "");
        assert_eq!(canonical_query(Some(""), &[]), "");
        assert_eq!(canonical_query(Some("uploads"), &[]), "uploads=");
        assert_eq!(
            canonical_query(Some("prefix=J&max-keys=2"), &[]),
            "max-keys=2&prefix=J"
        );
        // Already-encoded values are decoded then re-encoded canonically.
        assert_eq!(
            canonical_query(Some("prefix=a%2fb%20c&x=%7E~"), &[]),
            "prefix=a%2Fb%20c&x=~~"
        );
        // Raw reserved characters, '+' as space, stray '%'.
        assert_eq!(
            canonical_query(Some("k=a/b:c&p=a+b&q=100%"), &[]),
            "k=a%2Fb%3Ac&p=a%20b&q=100%25"
        );
        // Sorted by key, then by value.
        assert_eq!(canonical_query(Some("a=2&b=1&a=1"), &[]), "a=1&a=2&b=1");
        // Extra parameters are raw: '+' and '/' are encoded, not decoded.
        assert_eq!(
            canonical_query(Some("z=1"), &[("X-Amz-Security-Token", "a+b/c=")]),
            "X-Amz-Security-Token=a%2Bb%2Fc%3D&z=1"
        );
        // Non-ASCII is UTF-8 percent-encoded in upper case.
        assert_eq!(canonical_query(Some("k=%C3%A9"), &[]), "k=%C3%A9");
        assert_eq!(canonical_query(Some("k=é"), &[]), "k=%C3%A9");
    }

    #[test]
    fn host_derivation() {
        let h = |s: &str| host_from_uri(&s.parse().unwrap()).map(str::to_owned);
        assert_eq!(h("http://localhost:80/").as_deref(), Some("localhost"));
        assert_eq!(h("https://localhost:443/").as_deref(), Some("localhost"));
        assert_eq!(h("http://localhost:443/").as_deref(), Some("localhost:443"));
        assert_eq!(
            h("https://h.example:9000/").as_deref(),
            Some("h.example:9000")
        );
        assert_eq!(h("http://[::1]:9000/").as_deref(), Some("[::1]:9000"));
        assert_eq!(h("http://[::1]:80/").as_deref(), Some("[::1]"));
        assert_eq!(h("/just/a/path"), None);
    }

    #[test]
    fn header_values_are_trimmed_and_joined() {
        let mut map = HeaderMap::new();
        map.insert("x-amz-meta-a", "  two   spaces  here ".parse().unwrap());
        map.append("x-amz-meta-b", "1".parse().unwrap());
        map.append("x-amz-meta-b", " 2 ".parse().unwrap());
        map.insert("user-agent", "ignored".parse().unwrap());
        map.insert("content-length", "10".parse().unwrap());
        let uri: Uri = "http://h:9000/b/k".parse().unwrap();
        let ch = CanonicalHeaders::new(&map, &uri).unwrap();
        assert_eq!(ch.signed_headers(), "host;x-amz-meta-a;x-amz-meta-b");
        let mut out = Vec::new();
        ch.write(&mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "host:h:9000\nx-amz-meta-a:two spaces here\nx-amz-meta-b:1,2\n"
        );
    }
}
