//! The signer against AWS's published examples and aws-sigv4's signer.

use super::*;
use std::sync::atomic::Ordering;
use std::time::UNIX_EPOCH;

pub(crate) const AK: &str = "AKIAIOSFODNN7EXAMPLE";
pub(crate) const SK: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
/// 20130524T000000Z
pub(crate) fn example_time() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_369_353_600)
}

fn params(c: &Credentials) -> SigningParams<'_> {
    SigningParams {
        credentials: c,
        region: "us-east-1",
        service: "s3",
        time: example_time(),
    }
}

fn auth(h: &HeaderMap) -> &str {
    h.get(AUTHORIZATION).unwrap().to_str().unwrap()
}

// AWS S3 API reference, "Examples: Signature Calculations in AWS
// Signature Version 4", GET Object.
#[test]
fn aws_example_get_object() {
    let c = Credentials::new(AK, SK, None);
    let uri: Uri = "https://examplebucket.s3.amazonaws.com/test.txt"
        .parse()
        .unwrap();
    let mut h = HeaderMap::new();
    h.insert("range", "bytes=0-9".parse().unwrap());
    Signer::new()
        .sign(&Method::GET, &uri, &mut h, &PayloadHash::Empty, &params(&c))
        .unwrap();
    assert_eq!(
        auth(&h),
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, \
         SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, \
         Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
    );
    assert_eq!(h["x-amz-date"], "20130524T000000Z");
    assert_eq!(h["x-amz-content-sha256"], EMPTY_SHA256);
}

/// The published canonical request of the GET Object example, and its
/// hash in the published string to sign.
#[test]
fn aws_example_get_object_canonical_request() {
    let uri: Uri = "https://examplebucket.s3.amazonaws.com/test.txt"
        .parse()
        .unwrap();
    let mut h = HeaderMap::new();
    h.insert("range", "bytes=0-9".parse().unwrap());
    h.insert("x-amz-content-sha256", EMPTY_SHA256.parse().unwrap());
    h.insert("x-amz-date", "20130524T000000Z".parse().unwrap());
    let ch = CanonicalHeaders::new(&h, &uri).unwrap();
    let creq = CanonicalRequest {
        method: "GET",
        path: canonical_path(&uri),
        query: &CanonicalQuery::new(None, &[]),
        headers: &ch,
        payload_hash: EMPTY_SHA256,
    };
    assert_eq!(
        creq.to_text(),
        format!(
            "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n\
             x-amz-content-sha256:{EMPTY_SHA256}\nx-amz-date:20130524T000000Z\n\n\
             host;range;x-amz-content-sha256;x-amz-date\n{EMPTY_SHA256}"
        )
    );
    assert_eq!(
        creq.hash_hex().as_str(),
        "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972"
    );
}

// Same source, PUT Object.
#[test]
fn aws_example_put_object() {
    let c = Credentials::new(AK, SK, None);
    let uri: Uri = "https://examplebucket.s3.amazonaws.com/test%24file.text"
        .parse()
        .unwrap();
    let mut h = HeaderMap::new();
    h.insert("date", "Fri, 24 May 2013 00:00:00 GMT".parse().unwrap());
    h.insert("x-amz-storage-class", "REDUCED_REDUNDANCY".parse().unwrap());
    let payload = PayloadHash::for_bytes(b"Welcome to Amazon S3.");
    assert_eq!(
        payload.header_value(),
        "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"
    );
    Signer::new()
        .sign(&Method::PUT, &uri, &mut h, &payload, &params(&c))
        .unwrap();
    assert_eq!(
        auth(&h),
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, \
         SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class, \
         Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"
    );
}

// Same source, GET Bucket Lifecycle and GET Bucket (List Objects).
#[test]
fn aws_example_bucket_queries() {
    let c = Credentials::new(AK, SK, None);
    let signer = Signer::new();
    let sig = |uri: &str| {
        let mut h = HeaderMap::new();
        signer
            .sign(
                &Method::GET,
                &uri.parse().unwrap(),
                &mut h,
                &PayloadHash::Empty,
                &params(&c),
            )
            .unwrap();
        let a = auth(&h);
        a[a.len() - 64..].to_owned()
    };
    assert_eq!(
        sig("https://examplebucket.s3.amazonaws.com/?lifecycle"),
        "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"
    );
    assert_eq!(
        sig("https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J"),
        "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"
    );
}

#[test]
fn key_cache_hits_and_keys_by_scope() {
    let c = Credentials::new(AK, SK, None);
    let signer = Signer::new();
    let uri: Uri = "http://127.0.0.1:9000/b/k".parse().unwrap();
    let sign = |p: &SigningParams<'_>| {
        let mut h = HeaderMap::new();
        signer
            .sign(&Method::GET, &uri, &mut h, &PayloadHash::Unsigned, p)
            .unwrap();
    };
    let p = params(&c);
    sign(&p);
    sign(&p);
    // Later the same day: still a hit.
    sign(&SigningParams {
        time: example_time() + Duration::from_secs(3600),
        ..p
    });
    assert_eq!(signer.derivations.load(Ordering::Relaxed), 1);
    // Another region, another secret, another day: misses.
    sign(&SigningParams {
        region: "eu-west-1",
        ..p
    });
    let other = Credentials::new(AK, "another-secret", None);
    sign(&SigningParams {
        credentials: &other,
        ..p
    });
    assert_eq!(signer.derivations.load(Ordering::Relaxed), 3);
    assert_eq!(signer.cache.read().unwrap().len(), 3);
    sign(&SigningParams {
        time: example_time() + Duration::from_secs(86_400),
        ..p
    });
    assert_eq!(signer.derivations.load(Ordering::Relaxed), 4);
    // The previous day's keys were dropped.
    assert_eq!(signer.cache.read().unwrap().len(), 1);
    let dbg = format!("{signer:?}");
    assert!(
        !dbg.contains("another-secret") && !dbg.contains(SK),
        "{dbg}"
    );
}

/// Same access key, rotated secret: the cache must not hand out the key
/// of the old secret, in either direction.
#[test]
fn key_cache_tells_secrets_of_one_access_key_apart() {
    let uri: Uri = "http://127.0.0.1:9000/b/k".parse().unwrap();
    let sign = |signer: &Signer, c: &Credentials| {
        let mut h = HeaderMap::new();
        signer
            .sign(&Method::GET, &uri, &mut h, &PayloadHash::Empty, &params(c))
            .unwrap();
        auth(&h).to_owned()
    };
    let old = Credentials::new(AK, SK, None);
    let new = Credentials::new(AK, "rotated-secret", None);
    let fresh_old = sign(&Signer::new(), &old);
    let fresh_new = sign(&Signer::new(), &new);
    assert_ne!(fresh_old, fresh_new);

    let shared = Signer::new();
    for _ in 0..2 {
        assert_eq!(sign(&shared, &old), fresh_old);
        assert_eq!(sign(&shared, &new), fresh_new);
        // A clone carries the same fingerprint: a hit, not a new key.
        assert_eq!(sign(&shared, &new.clone()), fresh_new);
    }
    assert_eq!(shared.derivations.load(Ordering::Relaxed), 2);
}

/// Our HMAC of the string to sign, from the cached keyed state, equals
/// aws-sigv4's `calculate_signature` over the derived key.
#[test]
fn signature_matches_aws_sigv4_calculate_signature() {
    let c = Credentials::new(AK, SK, None);
    let p = params(&c);
    let date = AmzDate::new(p.time).unwrap();
    let scope = Scope::new(&date, p.region, p.service);
    let creq_hash = hex_lower(&Sha256::digest(b"canonical request").into());
    let signer = Signer::new();
    let mut sts = Vec::new();
    write_string_to_sign(&mut sts, &date, &scope, &creq_hash);
    let key = aws_sigv4::sign::v4::generate_signing_key(SK, p.time, p.region, p.service);
    let expected = aws_sigv4::sign::v4::calculate_signature(key, &sts);
    for _ in 0..2 {
        // A miss, then a hit.
        let ours = signer.signature(&date, &scope, &creq_hash, &p);
        assert_eq!(ours.as_str(), expected);
    }
    assert_eq!(signer.derivations.load(Ordering::Relaxed), 1);
}

#[test]
fn failed_resign_drops_the_old_authorization() {
    let c = Credentials::new(AK, SK, None);
    let signer = Signer::new();
    let mut h = HeaderMap::new();
    let with_host: Uri = "http://h/b/k".parse().unwrap();
    signer
        .sign(
            &Method::GET,
            &with_host,
            &mut h,
            &PayloadHash::Empty,
            &params(&c),
        )
        .unwrap();
    assert!(h.contains_key(AUTHORIZATION));
    let no_host: Uri = "/b/k".parse().unwrap();
    let e = signer
        .sign(
            &Method::GET,
            &no_host,
            &mut h,
            &PayloadHash::Empty,
            &params(&c),
        )
        .unwrap_err();
    assert!(matches!(e, SignError::MissingHost));
    assert!(!h.contains_key(AUTHORIZATION));
}

#[test]
fn authorization_rejects_invalid_access_key() {
    let c = Credentials::new("AKID\nEXAMPLE", SK, None);
    let uri: Uri = "http://h/b/k".parse().unwrap();
    let mut h = HeaderMap::new();
    let e = Signer::new()
        .sign(&Method::GET, &uri, &mut h, &PayloadHash::Empty, &params(&c))
        .unwrap_err();
    assert!(matches!(
        e,
        SignError::InvalidHeaderValue {
            header: "authorization"
        }
    ));
    assert!(!h.contains_key(AUTHORIZATION));
}

#[test]
fn cached_key_equals_fresh_key() {
    let c = Credentials::new(AK, SK, None);
    let uri: Uri = "https://examplebucket.s3.amazonaws.com/test.txt"
        .parse()
        .unwrap();
    let shared = Signer::new();
    let mut first = None;
    for _ in 0..3 {
        let mut h = HeaderMap::new();
        shared
            .sign(
                &Method::GET,
                &uri,
                &mut h,
                &PayloadHash::Unsigned,
                &params(&c),
            )
            .unwrap();
        let a = auth(&h).to_owned();
        assert_eq!(first.get_or_insert_with(|| a.clone()), &a);
    }
}

#[test]
fn resign_replaces_headers() {
    let signer = Signer::new();
    let uri: Uri = "https://examplebucket.s3.amazonaws.com/test.txt"
        .parse()
        .unwrap();
    let mut h = HeaderMap::new();
    h.insert("range", "bytes=0-9".parse().unwrap());
    let with_token = Credentials::new(AK, SK, Some("tok+en/1=".into()));
    signer
        .sign(
            &Method::GET,
            &uri,
            &mut h,
            &PayloadHash::Unsigned,
            &params(&with_token),
        )
        .unwrap();
    assert_eq!(h["x-amz-security-token"], "tok+en/1=");
    assert!(h["x-amz-security-token"].is_sensitive());
    assert!(auth(&h).contains("x-amz-security-token"));

    // Retry: a later time, credentials without token, another payload.
    let c = Credentials::new(AK, SK, None);
    let p = SigningParams {
        time: example_time() + Duration::from_secs(5),
        ..params(&c)
    };
    signer
        .sign(&Method::GET, &uri, &mut h, &PayloadHash::Empty, &p)
        .unwrap();
    assert_eq!(h.get_all(AUTHORIZATION).iter().count(), 1);
    assert_eq!(h.get_all("x-amz-date").iter().count(), 1);
    assert_eq!(h["x-amz-date"], "20130524T000005Z");
    assert_eq!(h["x-amz-content-sha256"], EMPTY_SHA256);
    assert!(!h.contains_key("x-amz-security-token"));
    assert!(!auth(&h).contains("x-amz-security-token"));

    // Re-signing at the example time gives the published signature again.
    signer
        .sign(&Method::GET, &uri, &mut h, &PayloadHash::Empty, &params(&c))
        .unwrap();
    assert!(auth(&h).ends_with("f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"));
}

#[test]
fn host_header_wins_and_default_ports_dropped() {
    let c = Credentials::new(AK, SK, None);
    let signer = Signer::new();
    let sign = |uri: &str, host: Option<&str>| {
        let mut h = HeaderMap::new();
        if let Some(host) = host {
            h.insert("host", host.parse().unwrap());
        }
        signer
            .sign(
                &Method::GET,
                &uri.parse().unwrap(),
                &mut h,
                &PayloadHash::Empty,
                &params(&c),
            )
            .map(|()| auth(&h).to_owned())
    };
    let reference = sign("https://examplebucket.s3.amazonaws.com/test.txt?x=1", None).unwrap();
    assert_eq!(
        sign(
            "https://examplebucket.s3.amazonaws.com:443/test.txt?x=1",
            None
        )
        .unwrap(),
        reference
    );
    assert_eq!(
        sign("/test.txt?x=1", Some("examplebucket.s3.amazonaws.com")).unwrap(),
        reference
    );
    assert_ne!(
        sign(
            "https://examplebucket.s3.amazonaws.com:8443/test.txt?x=1",
            None
        )
        .unwrap(),
        reference
    );
    assert!(matches!(
        sign("/test.txt", None),
        Err(SignError::MissingHost)
    ));
}

#[test]
fn excluded_headers_are_not_signed() {
    let c = Credentials::new(AK, SK, None);
    let uri: Uri = "http://127.0.0.1:9000/b/k".parse().unwrap();
    let mut h = HeaderMap::new();
    for (k, v) in [
        ("user-agent", "x"),
        ("content-length", "5"),
        ("expect", "100-continue"),
        ("transfer-encoding", "chunked"),
        ("x-amzn-trace-id", "t"),
        ("content-type", "text/plain"),
    ] {
        h.insert(k, v.parse().unwrap());
    }
    Signer::new()
        .sign(
            &Method::PUT,
            &uri,
            &mut h,
            &PayloadHash::Unsigned,
            &params(&c),
        )
        .unwrap();
    assert!(
        auth(&h).contains("SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date,"),
        "{}",
        auth(&h)
    );
}

#[test]
fn invalid_inputs() {
    let c = Credentials::new(AK, SK, None);
    let uri: Uri = "http://h/b/k".parse().unwrap();
    let mut h = HeaderMap::new();
    let s = Signer::new();
    for bad in ["abc", &"A".repeat(64), &"g".repeat(64)] {
        let e = s
            .sign(
                &Method::PUT,
                &uri,
                &mut h,
                &PayloadHash::Sha256Hex(bad.into()),
                &params(&c),
            )
            .unwrap_err();
        assert!(matches!(e, SignError::InvalidPayloadHash));
    }
    let bad_token = Credentials::new(AK, SK, Some("bad\ntoken-secret".into()));
    let e = s
        .sign(
            &Method::GET,
            &uri,
            &mut h,
            &PayloadHash::Empty,
            &params(&bad_token),
        )
        .unwrap_err();
    assert!(!format!("{e} {e:?}").contains("token-secret"));
    let e = s
        .sign(
            &Method::GET,
            &uri,
            &mut h,
            &PayloadHash::Empty,
            &SigningParams {
                time: UNIX_EPOCH - Duration::from_secs(1),
                ..params(&c)
            },
        )
        .unwrap_err();
    assert!(matches!(e, SignError::InvalidTime));
}

#[test]
fn payload_hash_values() {
    assert_eq!(PayloadHash::Unsigned.header_value(), "UNSIGNED-PAYLOAD");
    assert_eq!(PayloadHash::Empty.header_value(), EMPTY_SHA256);
    assert_eq!(
        PayloadHash::for_bytes(b""),
        PayloadHash::Sha256Hex(EMPTY_SHA256.into())
    );
    assert_eq!(
        PayloadHash::StreamingUnsignedTrailer.header_value(),
        "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
    );
}
