//! Building blocks of the SigV4 canonical request with S3's settings.
//!
//! The canonical request is never materialised in production: it is fed piece
//! by piece into a [`Sink`] that is the SHA-256 hasher itself, and the string
//! to sign likewise into the HMAC. Hashes are hex-encoded into stack arrays
//! ([`hex_lower`]). Header signing allocates the list of signed headers,
//! the sorted parameters of a request with a query, and the `x-amz-date` and
//! `Authorization` values themselves.

use std::borrow::Cow;
use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use http::{HeaderMap, Uri};
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

impl Sink for Hmac<Sha256> {
    fn put(&mut self, bytes: &[u8]) {
        self.update(bytes);
    }
}

impl Sink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

/// A SHA-256 (or HMAC-SHA256) value in lowercase hex.
#[derive(Clone, Copy)]
pub(crate) struct Hex64([u8; 64]);

impl Hex64 {
    pub(crate) fn as_bytes(&self) -> &[u8; 64] {
        &self.0
    }

    pub(crate) fn as_str(&self) -> &str {
        // Only the ASCII characters of `HEX_DIGITS` are ever written.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Lowercase hex of a 32-byte hash, on the stack (`hex::encode` goes through
/// a `char` iterator and a growing `String`, which showed up in profiles).
pub(crate) fn hex_lower(bytes: &[u8; 32]) -> Hex64 {
    let mut out = [0u8; 64];
    for (pair, b) in out.chunks_exact_mut(2).zip(bytes) {
        pair[0] = HEX_DIGITS[usize::from(b >> 4)];
        pair[1] = HEX_DIGITS[usize::from(b & 0x0f)];
    }
    Hex64(out)
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
    pub(crate) fn as_bytes(&self) -> &[u8; 16] {
        &self.0
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

/// The credential scope, `date/region/service/aws4_request`, written where
/// it is needed rather than built as a `String`.
#[derive(Clone, Copy)]
pub(crate) struct Scope<'a> {
    /// `YYYYMMDD`.
    date: &'a str,
    region: &'a str,
    service: &'a str,
}

impl<'a> Scope<'a> {
    pub(crate) fn new(date: &'a AmzDate, region: &'a str, service: &'a str) -> Self {
        Self {
            date: date.date(),
            region,
            service,
        }
    }

    fn parts(&self) -> [&'a str; 6] {
        [
            self.date,
            "/",
            self.region,
            "/",
            self.service,
            "/aws4_request",
        ]
    }

    /// The length in bytes.
    pub(crate) fn len(&self) -> usize {
        self.parts().iter().map(|p| p.len()).sum()
    }

    pub(crate) fn write(&self, sink: &mut impl Sink) {
        for part in self.parts() {
            sink.put(part.as_bytes());
        }
    }
}

impl fmt::Display for Scope<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.parts().iter().try_for_each(|p| f.write_str(p))
    }
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
///
/// Kept as sorted pairs and written straight into the hasher; a request
/// without a query allocates nothing.
pub(crate) struct CanonicalQuery<'a> {
    pairs: Vec<(Cow<'a, str>, Cow<'a, str>)>,
}

impl<'a> CanonicalQuery<'a> {
    pub(crate) fn new(query: Option<&'a str>, extra: &[(&'a str, &'a str)]) -> Self {
        let mut pairs: Vec<(Cow<'a, str>, Cow<'a, str>)> = Vec::new();
        if let Some(q) = query {
            for part in q.split('&').filter(|p| !p.is_empty()) {
                let (k, v) = part.split_once('=').unwrap_or((part, ""));
                pairs.push((canonical_component(k), canonical_component(v)));
            }
        }
        for (k, v) in extra {
            pairs.push((encode(k), encode(v)));
        }
        pairs.sort_unstable();
        Self { pairs }
    }

    /// Calls `put` with each piece of the query string in order.
    fn for_each_piece(&self, mut put: impl FnMut(&str)) {
        for (i, (k, v)) in self.pairs.iter().enumerate() {
            if i > 0 {
                put("&");
            }
            put(k);
            put("=");
            put(v);
        }
    }

    pub(crate) fn write(&self, sink: &mut impl Sink) {
        self.for_each_piece(|p| sink.put(p.as_bytes()));
    }

    /// The query string, e.g. for a presigned URL.
    pub(crate) fn to_text(&self) -> String {
        let len = self.pairs.iter().map(|(k, v)| k.len() + v.len() + 2).sum();
        let mut out = String::with_capacity(len);
        self.for_each_piece(|p| out.push_str(p));
        out
    }
}

/// [`CanonicalQuery`] as a string.
#[cfg(test)]
pub(crate) fn canonical_query(query: Option<&str>, extra: &[(&str, &str)]) -> String {
    CanonicalQuery::new(query, extra).to_text()
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

/// One value of a signed header.
struct Entry<'a> {
    name: &'a str,
    value: &'a [u8],
    /// Whether the previous entry is a value of the same header.
    continues: bool,
}

/// The signed headers of a request, sorted by name.
pub(crate) struct CanonicalHeaders<'a> {
    /// One entry per value, sorted by name; the values of one header keep
    /// their order in the map.
    entries: Vec<Entry<'a>>,
}

impl<'a> CanonicalHeaders<'a> {
    /// Every header of `map` but the [`UNSIGNED_HEADERS`], plus `host` from
    /// `uri` when the map has none.
    pub(crate) fn new(map: &'a HeaderMap, uri: &'a Uri) -> Result<Self, SignError> {
        let mut entries = Vec::with_capacity(map.len() + 1);
        let mut has_host = false;
        // One pass over the map's values instead of a `get_all` (a hash and
        // a probe) per header.
        for (name, value) in map {
            has_host |= name == http::header::HOST;
            if !UNSIGNED_HEADERS.contains(&name.as_str()) {
                entries.push(Entry {
                    name: name.as_str(),
                    value: value.as_bytes(),
                    continues: false,
                });
            }
        }
        if !has_host {
            let host = host_from_uri(uri).ok_or(SignError::MissingHost)?;
            entries.push(Entry {
                name: "host",
                value: host.as_bytes(),
                continues: false,
            });
        }
        // Stable: `HeaderMap` yields the values of a header in the order they
        // were appended, and that order is kept when they are joined.
        entries.sort_by(|a, b| a.name.cmp(b.name));
        for i in 1..entries.len() {
            entries[i].continues = entries[i].name == entries[i - 1].name;
        }
        Ok(Self { entries })
    }

    /// The names, once each, in order.
    fn names(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.entries.iter().filter(|e| !e.continues).map(|e| e.name)
    }

    /// Calls `put` with each piece of `name1;name2;...` in order.
    fn for_each_signed_piece(&self, mut put: impl FnMut(&str)) {
        for (i, name) in self.names().enumerate() {
            if i > 0 {
                put(";");
            }
            put(name);
        }
    }

    /// The length of [`signed_headers`](Self::signed_headers).
    pub(crate) fn signed_headers_len(&self) -> usize {
        let (count, len) = self.names().fold((0usize, 0usize), |(count, len), n| {
            (count + 1, len + n.len())
        });
        len + count.saturating_sub(1)
    }

    /// Writes `name1;name2;...`.
    pub(crate) fn write_signed_headers(&self, sink: &mut impl Sink) {
        self.for_each_signed_piece(|p| sink.put(p.as_bytes()));
    }

    /// `name1;name2;...`.
    pub(crate) fn signed_headers(&self) -> String {
        let mut s = String::with_capacity(self.signed_headers_len());
        self.for_each_signed_piece(|p| s.push_str(p));
        s
    }

    /// `name:value\n` for each header; several values are joined with `,`.
    fn write(&self, sink: &mut impl Sink) {
        for (i, e) in self.entries.iter().enumerate() {
            if e.continues {
                sink.put(b",");
            } else {
                if i > 0 {
                    sink.put(b"\n");
                }
                sink.put(e.name.as_bytes());
                sink.put(b":");
            }
            put_trimmed(sink, e.value);
        }
        if !self.entries.is_empty() {
            sink.put(b"\n");
        }
    }
}

/// Writes `value` without leading or trailing spaces and with runs of spaces
/// collapsed to one (only spaces, as S3 does).
fn put_trimmed(sink: &mut impl Sink, value: &[u8]) {
    // Most signed values (dates, hashes, hosts, checksums) have no space at
    // all: one write instead of one per word.
    if !value.contains(&b' ') {
        sink.put(value);
        return;
    }
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
    pub(crate) query: &'a CanonicalQuery<'a>,
    pub(crate) headers: &'a CanonicalHeaders<'a>,
    pub(crate) payload_hash: &'a str,
}

impl CanonicalRequest<'_> {
    pub(crate) fn write(&self, sink: &mut impl Sink) {
        sink.put(self.method.as_bytes());
        sink.put(b"\n");
        sink.put(self.path.as_bytes());
        sink.put(b"\n");
        self.query.write(sink);
        sink.put(b"\n");
        self.headers.write(sink);
        sink.put(b"\n");
        self.headers.write_signed_headers(sink);
        sink.put(b"\n");
        sink.put(self.payload_hash.as_bytes());
    }

    /// Hex SHA-256 of the canonical request.
    pub(crate) fn hash_hex(&self) -> Hex64 {
        let mut h = Sha256::new();
        self.write(&mut h);
        hex_lower(&h.finalize().into())
    }

    #[cfg(test)]
    pub(crate) fn to_text(&self) -> String {
        let mut v = Vec::new();
        self.write(&mut v);
        String::from_utf8_lossy(&v).into_owned()
    }
}

/// Writes the string to sign (into the HMAC, in production).
pub(crate) fn write_string_to_sign(
    sink: &mut impl Sink,
    date: &AmzDate,
    scope: &Scope<'_>,
    creq_hash: &Hex64,
) {
    sink.put(ALGORITHM.as_bytes());
    sink.put(b"\n");
    sink.put(date.as_bytes());
    sink.put(b"\n");
    scope.write(sink);
    sink.put(b"\n");
    sink.put(creq_hash.as_bytes());
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
    fn hex_lower_matches_hex_encode() {
        let mut bytes = [0u8; 32];
        for (i, b) in bytes.iter_mut().enumerate() {
            // 0x00, 0x09, 0x12, ... covers every nibble in both halves.
            *b = u8::try_from(i * 9 % 256).unwrap();
        }
        bytes[31] = 0xff;
        bytes[30] = 0xa0;
        assert_eq!(hex_lower(&bytes).as_str(), hex::encode(bytes));
        assert_eq!(hex_lower(&[0; 32]).as_str(), "0".repeat(64));
        let digest: [u8; 32] = Sha256::digest(b"").into();
        assert_eq!(
            hex_lower(&digest).as_str(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn scope_and_string_to_sign() {
        let d = AmzDate::new(UNIX_EPOCH + Duration::from_secs(1_369_353_600)).unwrap();
        let scope = Scope::new(&d, "us-east-1", "s3");
        assert_eq!(scope.to_string(), "20130524/us-east-1/s3/aws4_request");
        assert_eq!(scope.len(), scope.to_string().len());
        let mut hash = [0u8; 32];
        hash[0] = 0xab;
        let mut out = Vec::new();
        write_string_to_sign(&mut out, &d, &scope, &hex_lower(&hash));
        assert_eq!(
            String::from_utf8(out).unwrap(),
            format!(
                "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\nab{}",
                "0".repeat(62)
            )
        );
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
        assert_eq!(ch.signed_headers_len(), ch.signed_headers().len());
        let mut out = Vec::new();
        ch.write(&mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "host:h:9000\nx-amz-meta-a:two spaces here\nx-amz-meta-b:1,2\n"
        );
    }

    #[test]
    fn multi_valued_headers_keep_their_order_among_others() {
        let mut map = HeaderMap::new();
        map.append("x-amz-meta-z", "z1".parse().unwrap());
        map.append("x-amz-meta-b", "b1".parse().unwrap());
        map.append("x-amz-meta-z", "z2".parse().unwrap());
        map.append("host", "h".parse().unwrap());
        map.append("x-amz-meta-b", "b2".parse().unwrap());
        map.append("x-amz-meta-z", "z3".parse().unwrap());
        map.append("x-amz-meta-a", "a".parse().unwrap());
        map.append("user-agent", "u1".parse().unwrap());
        map.append("user-agent", "u2".parse().unwrap());
        let uri: Uri = "/no/authority".parse().unwrap();
        let ch = CanonicalHeaders::new(&map, &uri).unwrap();
        assert_eq!(
            ch.signed_headers(),
            "host;x-amz-meta-a;x-amz-meta-b;x-amz-meta-z"
        );
        assert_eq!(ch.signed_headers_len(), ch.signed_headers().len());
        let mut out = Vec::new();
        ch.write(&mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "host:h\nx-amz-meta-a:a\nx-amz-meta-b:b1,b2\nx-amz-meta-z:z1,z2,z3\n"
        );
    }
}
