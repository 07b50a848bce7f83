//! Endpoint parsing and request URL building (path style or virtual-host style).
//!
//! The Amazon S3 host forms (regional, legacy `s3-REGION`, FIPS, dual-stack,
//! Transfer Acceleration, `s3-external-1`, GovCloud, China, VPC endpoints)
//! are understood by [`aws`](self::aws); everything else is a plain host
//! whose requests always go to that host.

mod aws;

use std::borrow::Cow;
use std::fmt::Write as _;

use http::{Method, Uri};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

pub(crate) use self::aws::AwsHost;
use crate::error::{Error, Result};

/// Everything but the unreserved characters of RFC 3986 (`A-Z a-z 0-9 - _ . ~`).
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');
/// As [`COMPONENT`], but keeps `/` so object keys keep their "folders".
const PATH: &AsciiSet = &COMPONENT.remove(b'/');

/// Percent-encodes a query key or value the way SigV4 expects.
pub(crate) fn encode_component(s: &str, out: &mut String) {
    for part in utf8_percent_encode(s, COMPONENT) {
        out.push_str(part);
    }
}

/// The `x-amz-copy-source` value naming `bucket/object` (and a version):
/// the path percent-encoded as in a request URL, `/` kept.
pub(crate) fn copy_source(bucket: &str, object: &str, version_id: Option<&str>) -> String {
    let mut s = String::with_capacity(2 + bucket.len() + object.len() * 3 / 2);
    s.push('/');
    s.push_str(bucket);
    s.push('/');
    for part in utf8_percent_encode(object, PATH) {
        s.push_str(part);
    }
    if let Some(v) = version_id {
        s.push_str("?versionId=");
        encode_component(v, &mut s);
    }
    s
}

/// The parsed endpoint of a client.
#[derive(Clone, Debug)]
pub(crate) struct BaseUrl {
    pub(crate) https: bool,
    /// Host without port, lowercase.
    pub(crate) host: String,
    /// Explicit, non-default port.
    pub(crate) port: Option<u16>,
    /// Set for Amazon S3 hosts.
    pub(crate) aws: Option<AwsHost>,
    /// The region the client uses: the one given by the user, else the one
    /// the host names (`s3.eu-west-1.amazonaws.com`, an ELB host).
    pub(crate) region: Option<String>,
    /// Buckets go into the host name (`bucket.host`) where they can.
    virtual_style: bool,
    /// `scheme://host[:port]`, rendered once, for endpoints whose host does
    /// not depend on the region or bucket (non-AWS endpoints in path style).
    origin: Option<String>,
}

/// Is `region` a well-formed region name (letters, digits, `-` and `_`,
/// 1 to 63 characters, not starting or ending with `-` or `_`)?
pub(crate) fn is_valid_region(region: &str) -> bool {
    aws::is_host_label(region)
}

impl BaseUrl {
    /// Parses `host`, `host:port` or a URL `http(s)://host[:port][/]`, with
    /// the region the user configured, if any.
    pub(crate) fn parse(endpoint: &str, secure: bool, region: Option<&str>) -> Result<Self> {
        let bad = |reason: &str| Error::InvalidEndpoint {
            endpoint: endpoint.to_owned(),
            reason: reason.to_owned(),
        };
        let trimmed = endpoint.trim();
        if trimmed.is_empty() {
            return Err(bad("empty"));
        }
        let (https, rest) = if let Some((scheme, rest)) = trimmed.split_once("://") {
            match scheme.to_ascii_lowercase().as_str() {
                "http" => (false, rest),
                "https" => (true, rest),
                _ => return Err(bad("scheme must be http or https")),
            }
        } else {
            (secure, trimmed)
        };
        let authority = match rest.split_once('/') {
            Some((auth, path)) => {
                if !path.is_empty() {
                    return Err(bad("must not contain a path"));
                }
                auth
            }
            None => rest,
        };
        if authority.contains(['?', '#', '@']) {
            return Err(bad("must not contain a query, fragment or user info"));
        }
        let parsed: http::uri::Authority = authority
            .parse()
            .map_err(|_| bad("not a valid host[:port]"))?;
        let host = parsed.host().to_ascii_lowercase();
        if host.is_empty() {
            return Err(bad("missing host"));
        }
        if authority.contains(':') && !authority.ends_with(']') && parsed.port_u16().is_none() {
            return Err(bad("invalid port"));
        }
        if let Some(r) = region {
            if !is_valid_region(r) {
                return Err(Error::arg(
                    "region",
                    format!(
                        "{r:?} is not a region name (letters, digits, '-' and '_', \
                         at most 63, not starting or ending with '-' or '_')"
                    ),
                ));
            }
        }
        let port = parsed
            .port_u16()
            .filter(|p| !((https && *p == 443) || (!https && *p == 80)));
        let detected = aws::detect(&host, https, region).map_err(|reason| bad(&reason))?;
        let virtual_style = detected.aws.is_some() || host.ends_with("aliyuncs.com");
        let mut base = BaseUrl {
            https,
            host,
            port,
            aws: detected.aws,
            region: region.map(str::to_owned).or(detected.region),
            virtual_style,
            origin: None,
        };
        base.render_origin();
        Ok(base)
    }

    /// Forces virtual-host style (`bucket.host`) on or off, for servers that
    /// address buckets by DNS name (MinIO with a domain, Aliyun OSS) or that
    /// only know paths.
    pub(crate) fn set_virtual_style(&mut self, on: bool) {
        self.virtual_style = on;
        self.render_origin();
    }

    fn render_origin(&mut self) {
        self.origin = None;
        if self.aws.is_none() {
            let mut origin = String::new();
            self.push_origin(&mut origin, &self.host);
            self.origin = Some(origin);
        }
    }

    /// True when `bucket` is addressed as `bucket.host` rather than
    /// `host/bucket` for a request with `method`, `object` and `query`.
    pub(crate) fn virtual_style(
        &self,
        method: &Method,
        bucket: &str,
        object: Option<&str>,
        query: &[(Cow<'static, str>, String)],
    ) -> bool {
        if !self.virtual_style {
            return false;
        }
        // CreateBucket and GetBucketLocation are sent in path style, as the
        // reference SDK does (Amazon S3 answers both for any bucket there).
        let create_bucket = method == Method::PUT && object.is_none() && query.is_empty();
        let location = query.iter().any(|(k, _)| k == "location");
        // Dots in a bucket name break TLS wildcard certificates; upper case,
        // `_` and `:` (legacy names) cannot be in a host name at all.
        let dns_name = bucket
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
        let dotted_tls = self.https && bucket.contains('.');
        !(create_bucket || location || dotted_tls || !dns_name)
    }

    /// Writes `scheme://host[:port]`.
    fn push_origin(&self, s: &mut String, host: &str) {
        s.push_str(if self.https { "https://" } else { "http://" });
        if host.contains(':') {
            // IPv6 literal without its brackets.
            if host.starts_with('[') {
                s.push_str(host);
            } else {
                let _ = write!(s, "[{host}]");
            }
        } else {
            s.push_str(host);
        }
        if let Some(port) = self.port {
            let _ = write!(s, ":{port}");
        }
    }

    /// Builds the request URI. `query` pairs are raw; they are encoded here.
    ///
    /// On the path of every request: the URI is written into one buffer
    /// that the `Uri` then owns, without a copy.
    pub(crate) fn uri(
        &self,
        method: &Method,
        bucket: Option<&str>,
        object: Option<&str>,
        query: &[(Cow<'static, str>, String)],
        region: &str,
    ) -> Result<Uri> {
        let (in_host, in_path) = match bucket {
            Some(b) if self.virtual_style(method, b, object, query) => (Some(b), None),
            b => (None, b),
        };
        let mut s = String::with_capacity(
            40 + self.host.len()
                + bucket.map_or(0, str::len)
                + object.map_or(0, |o| o.len() + o.len() / 2)
                + 48 * query.len(),
        );
        match (&self.origin, in_host) {
            (Some(origin), None) => s.push_str(origin),
            _ => {
                let host = match &self.aws {
                    None => Cow::Borrowed(self.host.as_str()),
                    Some(aws) => Cow::Owned(aws.host_for(bucket, in_host.is_none(), region)?),
                };
                match in_host {
                    Some(b) => self.push_origin(&mut s, &format!("{b}.{host}")),
                    None => self.push_origin(&mut s, &host),
                }
            }
        }
        s.push('/');
        if let Some(bucket) = in_path {
            s.push_str(bucket);
            if object.is_some() {
                s.push('/');
            }
        }
        if let Some(object) = object {
            for part in utf8_percent_encode(object, PATH) {
                s.push_str(part);
            }
        }
        for (i, (k, v)) in query.iter().enumerate() {
            s.push(if i == 0 { '?' } else { '&' });
            encode_component(k, &mut s);
            if !v.is_empty() || !is_bare_subresource(k) {
                s.push('=');
                encode_component(v, &mut s);
            }
        }
        Uri::from_maybe_shared(bytes::Bytes::from(s.into_bytes())).map_err(|e| {
            Error::UnexpectedResponse {
                op: "build request URL",
                reason: e.to_string(),
            }
        })
    }
}

/// Sub-resources such as `?location` are sent without `=`.
fn is_bare_subresource(key: &str) -> bool {
    matches!(
        key,
        "location"
            | "versioning"
            | "uploads"
            | "delete"
            | "tagging"
            | "retention"
            | "legal-hold"
            | "versions"
            | "object-lock"
            | "acl"
            | "policy"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn q(pairs: &[(&'static str, &str)]) -> Vec<(Cow<'static, str>, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).into(), v.to_string()))
            .collect()
    }

    fn parse(endpoint: &str) -> BaseUrl {
        BaseUrl::parse(endpoint, true, None).unwrap()
    }

    #[test]
    fn copy_sources_encode_keys_and_versions() {
        assert_eq!(
            copy_source("bkt", "a b/c+d%e/ü~?x=1&y#", None),
            "/bkt/a%20b/c%2Bd%25e/%C3%BC~%3Fx%3D1%26y%23"
        );
        assert_eq!(
            copy_source("bkt", "k", Some("v/1+2")),
            "/bkt/k?versionId=v%2F1%2B2"
        );
    }

    #[test]
    fn endpoints() {
        let b = parse("play.min.io");
        assert!(b.https && b.port.is_none() && b.aws.is_none());
        let b = BaseUrl::parse("play.min.io:9000", false, None).unwrap();
        assert_eq!(b.port, Some(9000));
        let b = parse("http://127.0.0.1:9000/");
        assert!(!b.https);
        let b = BaseUrl::parse("https://s3.amazonaws.com", false, None).unwrap();
        assert!(b.https && b.aws.is_some());
        let b = BaseUrl::parse("HTTPS://Example.COM:443", false, None).unwrap();
        assert_eq!((b.host.as_str(), b.port), ("example.com", None));
        let b = parse("http://[::1]:9000");
        assert_eq!(
            b.uri(&Method::GET, Some("b"), Some("k"), &[], "us-east-1")
                .unwrap()
                .to_string(),
            "http://[::1]:9000/b/k"
        );
        for bad in [
            "",
            "ftp://host",
            "http://host/path",
            "host/bucket",
            "http://user@host",
            "host:notaport",
            "host?x=1",
        ] {
            assert!(
                matches!(
                    BaseUrl::parse(bad, true, None),
                    Err(Error::InvalidEndpoint { .. })
                ),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn user_regions_are_validated() {
        for ok in ["us-east-1", "eu-west-3", "my_region", "R1"] {
            let b = BaseUrl::parse("localhost:9000", false, Some(ok)).unwrap();
            assert_eq!(b.region.as_deref(), Some(ok));
        }
        for bad in [
            "",
            "-us",
            "us-",
            "_x",
            "x_",
            "us east",
            "us/east",
            "ü",
            &"a".repeat(64),
        ] {
            let err = BaseUrl::parse("localhost:9000", false, Some(bad)).unwrap_err();
            assert!(
                matches!(
                    err,
                    Error::InvalidArgument {
                        param: "region",
                        ..
                    }
                ),
                "{bad:?}: {err:?}"
            );
        }
    }

    #[test]
    fn path_style_urls_encode_keys() {
        let b = BaseUrl::parse("localhost:9000", false, None).unwrap();
        let uri = b
            .uri(
                &Method::GET,
                Some("bkt"),
                Some("a b/c+d%e/ü~"),
                &q(&[("versionId", "x/y"), ("uploads", "")]),
                "us-east-1",
            )
            .unwrap();
        assert_eq!(
            uri.to_string(),
            "http://localhost:9000/bkt/a%20b/c%2Bd%25e/%C3%BC~?versionId=x%2Fy&uploads"
        );
        let uri = b
            .uri(
                &Method::GET,
                Some("bkt"),
                None,
                &q(&[("location", "")]),
                "us-east-1",
            )
            .unwrap();
        assert_eq!(uri.to_string(), "http://localhost:9000/bkt?location");
        let uri = b.uri(&Method::GET, None, None, &[], "us-east-1").unwrap();
        assert_eq!(uri.to_string(), "http://localhost:9000/");
    }

    /// `virtual_style(true)` for a non-AWS server that addresses buckets by
    /// DNS name; names that cannot be host names, CreateBucket and
    /// GetBucketLocation stay in path style.
    #[test]
    fn virtual_style_on_other_servers() {
        let mut b = BaseUrl::parse("https://minio.example.com:9000", true, None).unwrap();
        assert!(!b.virtual_style);
        b.set_virtual_style(true);
        let get = |b: &BaseUrl, m: Method, bucket: &str, obj: Option<&str>, qs| {
            b.uri(&m, Some(bucket), obj, &q(qs), "us-east-1")
                .unwrap()
                .to_string()
        };
        assert_eq!(
            get(&b, Method::GET, "bkt", Some("k"), &[]),
            "https://bkt.minio.example.com:9000/k"
        );
        assert_eq!(
            get(&b, Method::GET, "bkt", None, &[("list-type", "2")]),
            "https://bkt.minio.example.com:9000/?list-type=2"
        );
        assert_eq!(
            get(&b, Method::PUT, "bkt", None, &[]),
            "https://minio.example.com:9000/bkt"
        );
        assert_eq!(
            get(&b, Method::GET, "bkt", None, &[("location", "")]),
            "https://minio.example.com:9000/bkt?location"
        );
        assert_eq!(
            get(&b, Method::GET, "my.bkt", Some("k"), &[]),
            "https://minio.example.com:9000/my.bkt/k"
        );
        assert_eq!(
            get(&b, Method::GET, "Legacy_Bkt", Some("k"), &[]),
            "https://minio.example.com:9000/Legacy_Bkt/k"
        );
        let b = parse("oss-cn-hangzhou.aliyuncs.com");
        assert_eq!(
            get(&b, Method::GET, "bkt", Some("k"), &[]),
            "https://bkt.oss-cn-hangzhou.aliyuncs.com/k"
        );
        let mut b = parse("oss-cn-hangzhou.aliyuncs.com");
        b.set_virtual_style(false);
        assert_eq!(
            get(&b, Method::GET, "bkt", Some("k"), &[]),
            "https://oss-cn-hangzhou.aliyuncs.com/bkt/k"
        );
        let mut b = BaseUrl::parse("http://minio.local:9000", true, None).unwrap();
        b.set_virtual_style(true);
        assert_eq!(
            get(&b, Method::GET, "my.bkt", Some("k"), &[]),
            "http://my.bkt.minio.local:9000/k",
            "dots are fine without TLS"
        );
    }
}
