//! Cross-checks `Signer` against aws-sigv4's high-level signer configured
//! with S3's settings: identical Authorization headers and presigned queries
//! are expected.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use std::borrow::Cow;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sigv4::http_request::{
    sign, PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest,
    SignatureLocation, SigningSettings, UriPathNormalizationMode,
};
use aws_smithy_runtime_api::client::identity::Identity;
use http::{HeaderMap, Method, Uri};
use newtera_signer::{Credentials, PayloadHash, Signer, SigningParams};

const EXCLUDED: [&str; 6] = [
    "authorization",
    "user-agent",
    "x-amzn-trace-id",
    "transfer-encoding",
    "content-length",
    "expect",
];

fn s3_settings(location: SignatureLocation, expires: Option<Duration>) -> SigningSettings {
    let mut s = SigningSettings::default();
    s.percent_encoding_mode = PercentEncodingMode::Single;
    s.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    s.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    s.excluded_headers = Some(EXCLUDED.iter().map(|h| Cow::Borrowed(*h)).collect());
    s.signature_location = location;
    s.expires_in = expires;
    s
}

fn identity(c: &Credentials) -> Identity {
    aws_credential_types::Credentials::new(
        c.access_key(),
        c.secret_key(),
        c.session_token().map(str::to_owned),
        None,
        "test",
    )
    .into()
}

fn body(p: &PayloadHash) -> SignableBody<'static> {
    match p {
        PayloadHash::Unsigned => SignableBody::UnsignedPayload,
        PayloadHash::StreamingUnsignedTrailer => SignableBody::StreamingUnsignedPayloadTrailer,
        other => SignableBody::Precomputed(other.header_value().to_owned()),
    }
}

struct Case {
    method: Method,
    uri: &'static str,
    headers: &'static [(&'static str, &'static str)],
    payload: PayloadHash,
    token: Option<&'static str>,
    region: &'static str,
    time: SystemTime,
}

fn cases() -> Vec<Case> {
    let t = UNIX_EPOCH + Duration::from_secs(1_700_000_123);
    vec![
        Case {
            method: Method::GET,
            uri: "https://examplebucket.s3.amazonaws.com/test.txt",
            headers: &[("range", "bytes=0-9")],
            payload: PayloadHash::Empty,
            token: None,
            region: "us-east-1",
            time: UNIX_EPOCH + Duration::from_secs(1_369_353_600),
        },
        Case {
            method: Method::PUT,
            uri: "http://127.0.0.1:9000/my-bucket/dir/a%20b%2Bc%24%C3%A9.txt",
            headers: &[
                ("content-type", "application/octet-stream"),
                ("content-length", "21"),
                ("user-agent", "newtera/0.1"),
                ("x-amz-meta-note", "  spaced   out  value "),
                ("x-amz-storage-class", "STANDARD"),
            ],
            payload: PayloadHash::for_bytes(b"Welcome to Amazon S3."),
            token: Some("FwoGZXIvYXdzE+token/with=chars"),
            region: "eu-central-1",
            time: t,
        },
        Case {
            method: Method::GET,
            uri: "http://localhost:9000/bucket?list-type=2&prefix=photos%2F2024%2F&delimiter=%2F&encoding-type=url&start-after=a%20b&max-keys=1000",
            headers: &[],
            payload: PayloadHash::Empty,
            token: None,
            region: "us-east-1",
            time: t,
        },
        Case {
            method: Method::POST,
            uri: "https://bucket.s3.us-west-2.amazonaws.com/?delete",
            headers: &[("content-md5", "1B2M2Y8AsgTpgAmY7PhCfg=="), ("x-amz-checksum-crc32c", "AAAAAA==")],
            payload: PayloadHash::Unsigned,
            token: None,
            region: "us-west-2",
            time: t,
        },
        Case {
            method: Method::PUT,
            uri: "https://bucket.s3.amazonaws.com:443/big?partNumber=3&uploadId=VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA",
            headers: &[
                ("content-encoding", "aws-chunked"),
                ("x-amz-decoded-content-length", "10485760"),
                ("x-amz-trailer", "x-amz-checksum-crc64nvme"),
            ],
            payload: PayloadHash::StreamingUnsignedTrailer,
            token: Some("session-token"),
            region: "us-east-1",
            time: t,
        },
        Case {
            method: Method::HEAD,
            uri: "http://[::1]:9000/b/k%2F..%2F.//x?versionId=null",
            headers: &[("if-none-match", "\"etag\"")],
            payload: PayloadHash::Unsigned,
            token: None,
            region: "custom-region",
            time: t,
        },
    ]
}

fn header_map(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in pairs {
        h.append(
            http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            v.parse().unwrap(),
        );
    }
    h
}

#[test]
fn header_signing_matches_aws_sigv4() {
    let signer = Signer::new();
    for case in cases() {
        let creds = Credentials::new(
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            case.token.map(str::to_owned),
        );
        let uri: Uri = case.uri.parse().unwrap();
        let mut ours = header_map(case.headers);
        signer
            .sign(
                &case.method,
                &uri,
                &mut ours,
                &case.payload,
                &SigningParams {
                    credentials: &creds,
                    region: case.region,
                    service: "s3",
                    time: case.time,
                },
            )
            .unwrap();

        let id = identity(&creds);
        let settings = s3_settings(SignatureLocation::Headers, None);
        let params = aws_sigv4::sign::v4::SigningParams::builder()
            .identity(&id)
            .region(case.region)
            .name("s3")
            .time(case.time)
            .settings(settings)
            .build()
            .unwrap()
            .into();
        let theirs_headers = header_map(case.headers);
        let request = SignableRequest::new(
            case.method.as_str(),
            case.uri,
            theirs_headers
                .iter()
                .map(|(k, v)| (k.as_str(), v.to_str().unwrap())),
            body(&case.payload),
        )
        .unwrap();
        let out = sign(request, &params).unwrap();
        let theirs: Vec<(&str, &str)> = out.output().headers().collect();
        let get = |name: &str| {
            theirs
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| *v)
        };
        assert_eq!(
            ours["authorization"].to_str().unwrap(),
            get("authorization").unwrap(),
            "{}",
            case.uri
        );
        assert_eq!(
            ours["x-amz-date"].to_str().unwrap(),
            get("x-amz-date").unwrap()
        );
        assert_eq!(
            ours.get("x-amz-security-token")
                .map(|v| v.to_str().unwrap()),
            get("x-amz-security-token")
        );
        assert_eq!(
            ours["x-amz-content-sha256"].to_str().unwrap(),
            case.payload.header_value()
        );
    }
}

#[test]
fn presigning_matches_aws_sigv4() {
    let signer = Signer::new();
    for case in cases() {
        let creds = Credentials::new("AKIDEXAMPLE", "secret/key+1", case.token.map(str::to_owned));
        let expires = Duration::from_secs(900);
        let uri: Uri = case.uri.parse().unwrap();
        let headers = header_map(case.headers);
        let ours = signer
            .presign(
                &case.method,
                &uri,
                &headers,
                expires,
                &SigningParams {
                    credentials: &creds,
                    region: case.region,
                    service: "s3",
                    time: case.time,
                },
            )
            .unwrap();

        let id = identity(&creds);
        let settings = s3_settings(SignatureLocation::QueryParams, Some(expires));
        let params = aws_sigv4::sign::v4::SigningParams::builder()
            .identity(&id)
            .region(case.region)
            .name("s3")
            .time(case.time)
            .settings(settings)
            .build()
            .unwrap()
            .into();
        let request = SignableRequest::new(
            case.method.as_str(),
            case.uri,
            headers
                .iter()
                .map(|(k, v)| (k.as_str(), v.to_str().unwrap())),
            SignableBody::UnsignedPayload,
        )
        .unwrap();
        let out = sign(request, &params).unwrap();
        let their_sig = out
            .output()
            .params()
            .iter()
            .find(|(k, _)| *k == "X-Amz-Signature")
            .map(|(_, v)| v.to_string())
            .unwrap();
        let query = ours.query().unwrap();
        let our_sig = query.rsplit_once("X-Amz-Signature=").unwrap().1;
        assert_eq!(our_sig, their_sig, "{}", case.uri);
    }
}
