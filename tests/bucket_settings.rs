//! Bucket configuration on real servers: versioning, object lock, policy and
//! default encryption. Each group: set, get (equal to what was set), delete,
//! get again (none), on moto; garage's typed refusals of what it does not
//! implement; bad input fails before anything is sent.

#![allow(clippy::unwrap_used)]

mod common;

use common::Count;
use newtera::{
    ObjectLockConfiguration, ServerSideEncryptionConfiguration, SseRule, VersioningConfiguration,
};

/// A client for `server` that counts the requests it sends.
fn counted(server: &newtera_testkit::TestServer) -> (newtera::Newtera, Count) {
    let count = Count::default();
    let client = common::builder(server)
        .layer(count.clone())
        .build()
        .unwrap();
    (client, count)
}

#[tokio::test]
async fn versioning_round_trip_on_moto() {
    let client = common::client(newtera_testkit::moto());
    let bucket = common::bucket(&client, "vercfg").await;
    let fresh = client.get_bucket_versioning(&bucket).await.unwrap();
    assert_eq!(fresh.status, None, "a new bucket was never versioned");
    assert!(!fresh.is_enabled());

    // moto names the answer's root <GetBucketVersioningResponse> (S3:
    // <VersioningConfiguration>) and drops MfaDelete; both are read as S3's.
    let enabled = VersioningConfiguration::enabled();
    client
        .set_bucket_versioning(&bucket, enabled.clone())
        .await
        .unwrap();
    assert_eq!(
        client.get_bucket_versioning(&bucket).await.unwrap(),
        enabled
    );

    // S3 has no DeleteBucketVersioning: suspending is the way back.
    let suspended = VersioningConfiguration::suspended();
    client
        .set_bucket_versioning(&bucket, suspended.clone())
        .await
        .unwrap();
    assert_eq!(
        client.get_bucket_versioning(&bucket).await.unwrap(),
        suspended
    );
}

#[tokio::test]
async fn bad_versioning_config_is_refused_before_sending() {
    let (client, count) = counted(newtera_testkit::moto());
    for bad in [
        VersioningConfiguration::default(),
        VersioningConfiguration::new("Off"),
        VersioningConfiguration::enabled().with_mfa_delete("yes"),
        VersioningConfiguration::enabled().with_excluded_prefixes([""]),
    ] {
        let err = client
            .set_bucket_versioning("some-bucket", bad)
            .await
            .unwrap_err();
        assert!(err.is_invalid_argument(), "{err:?}");
    }
    let err = client
        .set_bucket_versioning("-bad-bucket", VersioningConfiguration::enabled())
        .await
        .unwrap_err();
    assert!(err.is_invalid_argument(), "{err:?}");
    let err = client
        .get_bucket_versioning("-bad-bucket")
        .await
        .unwrap_err();
    assert!(err.is_invalid_argument(), "{err:?}");
    assert_eq!(count.get(), 0, "nothing may be sent");
}

#[tokio::test]
async fn object_lock_config_round_trip_on_moto() {
    let client = common::client(newtera_testkit::moto());
    let plain = common::bucket(&client, "lockcfg").await;
    assert_eq!(client.get_object_lock_config(&plain).await.unwrap(), None);

    let bucket = newtera_testkit::unique_bucket("lockcfg");
    client.make_bucket(&bucket).object_lock(true).await.unwrap();
    let on = client
        .get_object_lock_config(&bucket)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(on, ObjectLockConfiguration::enabled());

    for set in [
        ObjectLockConfiguration::with_days(ObjectLockConfiguration::GOVERNANCE, 3),
        ObjectLockConfiguration::with_years(ObjectLockConfiguration::COMPLIANCE, 2),
    ] {
        client
            .set_object_lock_config(&bucket, set.clone())
            .await
            .unwrap();
        let mut got = client
            .get_object_lock_config(&bucket)
            .await
            .unwrap()
            .unwrap();
        // moto writes the unused duration as 0 (`<Years>0</Years>`), which S3
        // leaves out; a zero duration means none.
        for d in [&mut got.days, &mut got.years] {
            if *d == Some(0) {
                *d = None;
            }
        }
        assert_eq!(got, set);
    }

    client.delete_object_lock_config(&bucket).await.unwrap();
    let after = client
        .get_object_lock_config(&bucket)
        .await
        .unwrap()
        .unwrap();
    assert!(!after.has_rule(), "{after:?}");
    assert_eq!(after.object_lock_enabled.as_deref(), Some("Enabled"));
}

#[tokio::test]
async fn bad_object_lock_config_is_refused_before_sending() {
    let (client, count) = counted(newtera_testkit::moto());
    let mut both = ObjectLockConfiguration::with_days("GOVERNANCE", 1);
    both.years = Some(1);
    let mut no_mode = ObjectLockConfiguration::with_days("GOVERNANCE", 1);
    no_mode.mode = None;
    for bad in [
        ObjectLockConfiguration::with_days("GOVERNANCE", 0),
        ObjectLockConfiguration::with_days("LEGAL", 1),
        both,
        no_mode,
    ] {
        let err = client
            .set_object_lock_config("some-bucket", bad)
            .await
            .unwrap_err();
        assert!(err.is_invalid_argument(), "{err:?}");
    }
    assert!(client
        .delete_object_lock_config("a")
        .await
        .unwrap_err()
        .is_invalid_argument());
    assert_eq!(count.get(), 0, "nothing may be sent");
}

const POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::BUCKET/*"]}]}"#;

#[tokio::test]
async fn policy_round_trip_on_moto() {
    let client = common::client(newtera_testkit::moto());
    let bucket = common::bucket(&client, "polcfg").await;
    assert_eq!(client.get_bucket_policy(&bucket).await.unwrap(), None);
    let policy = POLICY.replace("BUCKET", &bucket);
    client.set_bucket_policy(&bucket, &policy).await.unwrap();
    let got = client.get_bucket_policy(&bucket).await.unwrap().unwrap();
    let as_json = |s: &str| serde_json_value(s);
    assert_eq!(as_json(&got), as_json(&policy));
    client.delete_bucket_policy(&bucket).await.unwrap();
    assert_eq!(client.get_bucket_policy(&bucket).await.unwrap(), None);
    // Deleting what is not there is not an error.
    client.delete_bucket_policy(&bucket).await.unwrap();
}

/// The policy as a JSON value (servers may reformat the text).
fn serde_json_value(s: &str) -> serde_json::Value {
    serde_json::from_str(s).unwrap()
}

#[tokio::test]
async fn bad_policy_is_refused_before_sending() {
    let (client, count) = counted(newtera_testkit::moto());
    for bad in ["", "{\"Version\":", "[1]", "not json", "{\"a\":1,}"] {
        let err = client
            .set_bucket_policy("some-bucket", bad)
            .await
            .unwrap_err();
        assert!(err.is_invalid_argument(), "{bad:?}: {err:?}");
    }
    assert_eq!(count.get(), 0, "nothing may be sent");
}

#[tokio::test]
async fn encryption_round_trip_on_moto() {
    let client = common::client(newtera_testkit::moto());
    let bucket = common::bucket(&client, "enccfg").await;
    assert_eq!(client.get_bucket_encryption(&bucket).await.unwrap(), None);
    // S3 (and moto) answer BucketKeyEnabled even when it was not sent, as
    // false: the configurations set it so that they read back equal.
    for set in [
        ServerSideEncryptionConfiguration::new(SseRule::sse_s3().with_bucket_key_enabled(false)),
        ServerSideEncryptionConfiguration::new(
            SseRule::sse_kms(Some("my-key-id".into())).with_bucket_key_enabled(false),
        ),
        ServerSideEncryptionConfiguration::new(
            SseRule::sse_kms(Some("arn:aws:kms:us-east-1:123456789012:key/k".into()))
                .with_bucket_key_enabled(true),
        ),
    ] {
        client
            .set_bucket_encryption(&bucket, set.clone())
            .await
            .unwrap();
        assert_eq!(
            client.get_bucket_encryption(&bucket).await.unwrap(),
            Some(set)
        );
    }
    client.delete_bucket_encryption(&bucket).await.unwrap();
    assert_eq!(client.get_bucket_encryption(&bucket).await.unwrap(), None);
    client.delete_bucket_encryption(&bucket).await.unwrap();
}

#[tokio::test]
async fn bad_encryption_is_refused_before_sending() {
    let (client, count) = counted(newtera_testkit::moto());
    let mut s3_with_key = ServerSideEncryptionConfiguration::sse_s3();
    s3_with_key.rules[0].kms_master_key_id = Some("k".into());
    for bad in [
        ServerSideEncryptionConfiguration::default(),
        ServerSideEncryptionConfiguration::sse_kms(Some(String::new())),
        s3_with_key,
    ] {
        let err = client
            .set_bucket_encryption("some-bucket", bad)
            .await
            .unwrap_err();
        assert!(err.is_invalid_argument(), "{err:?}");
    }
    assert_eq!(count.get(), 0, "nothing may be sent");
}

/// garage 2.5 implements none of these groups but GetBucketVersioning
/// (always "never enabled"): each call is refused with a typed
/// `NotImplemented` (501), after garage checked the request's signature.
#[tokio::test]
async fn garage_refuses_what_it_does_not_implement_with_a_typed_error() {
    let client = common::client(newtera_testkit::garage());
    let b = common::bucket(&client, "unimpl").await;
    let got = client.get_bucket_versioning(&b).await.unwrap();
    assert_eq!(got, VersioningConfiguration::default());
    let mut tags = newtera::Tags::new_bucket_tags();
    tags.insert("a", "b").unwrap();
    let policy = POLICY.replace("BUCKET", &b);
    let lock = ObjectLockConfiguration::with_days(ObjectLockConfiguration::GOVERNANCE, 1);
    let sse = ServerSideEncryptionConfiguration::sse_s3();
    let refusals: Vec<(&str, newtera::Error)> = vec![
        (
            "PutBucketVersioning",
            client
                .set_bucket_versioning(&b, VersioningConfiguration::enabled())
                .await
                .unwrap_err(),
        ),
        (
            "GetObjectLockConfiguration",
            client.get_object_lock_config(&b).await.unwrap_err(),
        ),
        (
            "PutObjectLockConfiguration",
            client.set_object_lock_config(&b, lock).await.unwrap_err(),
        ),
        (
            "PutObjectLockConfiguration",
            client.delete_object_lock_config(&b).await.unwrap_err(),
        ),
        (
            "GetBucketPolicy",
            client.get_bucket_policy(&b).await.unwrap_err(),
        ),
        (
            "PutBucketPolicy",
            client.set_bucket_policy(&b, policy).await.unwrap_err(),
        ),
        (
            "DeleteBucketPolicy",
            client.delete_bucket_policy(&b).await.unwrap_err(),
        ),
        (
            "GetBucketEncryption",
            client.get_bucket_encryption(&b).await.unwrap_err(),
        ),
        (
            "PutBucketEncryption",
            client.set_bucket_encryption(&b, sse).await.unwrap_err(),
        ),
        (
            "DeleteBucketEncryption",
            client.delete_bucket_encryption(&b).await.unwrap_err(),
        ),
        (
            "GetBucketTagging",
            client.get_bucket_tags(&b).await.unwrap_err(),
        ),
        (
            "PutBucketTagging",
            client.set_bucket_tags(&b, tags).await.unwrap_err(),
        ),
        (
            "DeleteBucketTagging",
            client.delete_bucket_tags(&b).await.unwrap_err(),
        ),
    ];
    for (op, err) in refusals {
        let s3 = err.as_s3().unwrap_or_else(|| panic!("{op}: {err:?}"));
        assert_eq!((s3.op, s3.code.as_str()), (op, "NotImplemented"), "{err}");
        assert_eq!(s3.status, http::StatusCode::NOT_IMPLEMENTED, "{err}");
        assert_eq!(s3.bucket.as_deref(), Some(b.as_str()));
    }
}

/// Every configuration PUT carries the `Content-MD5` of exactly the document
/// it sends (S3 requires one for several of them); GETs and DELETEs carry none.
/// Each request is sent once: answers that are not XML (moto's `True` to a
/// policy PUT, the JSON policy) are not mistaken for damaged ones and retried.
#[tokio::test]
async fn configuration_puts_carry_the_md5_of_their_document() {
    use base64::Engine as _;
    use md5::Digest as _;
    use std::sync::{Arc, Mutex};

    type Seen = Arc<Mutex<Vec<(String, Option<String>, Option<String>)>>>;
    let seen: Seen = Arc::default();
    let log = seen.clone();
    let server = newtera_testkit::moto();
    let client = common::builder(server)
        .layer(common::Hook(
            move |req: &newtera::transport::HttpRequest| {
                let header = |n: &str| {
                    req.headers()
                        .get(n)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned)
                };
                log.lock().unwrap().push((
                    format!("{} {}", req.method(), req.uri().query().unwrap_or("")),
                    header("content-md5"),
                    header("content-type"),
                ));
                common::pass()
            },
        ))
        .build()
        .unwrap();
    let md5 = |doc: &str| base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(doc));
    let bucket = newtera_testkit::unique_bucket("md5cfg");
    client.make_bucket(&bucket).object_lock(true).await.unwrap();
    let versioning = VersioningConfiguration::enabled();
    let lock = ObjectLockConfiguration::with_days(ObjectLockConfiguration::GOVERNANCE, 1);
    let sse = ServerSideEncryptionConfiguration::sse_s3();
    let policy = POLICY.replace("BUCKET", &bucket);
    let expected = [
        (md5(&versioning.to_xml().unwrap()), "application/xml"),
        (md5(&lock.to_xml().unwrap()), "application/xml"),
        (md5(&sse.to_xml().unwrap()), "application/xml"),
        (md5(&policy), "application/json"),
    ];
    seen.lock().unwrap().clear();
    client
        .set_bucket_versioning(&bucket, versioning)
        .await
        .unwrap();
    client.set_object_lock_config(&bucket, lock).await.unwrap();
    client.set_bucket_encryption(&bucket, sse).await.unwrap();
    client.set_bucket_policy(&bucket, &policy).await.unwrap();
    client.get_bucket_policy(&bucket).await.unwrap();
    client.delete_bucket_policy(&bucket).await.unwrap();
    let seen = seen.lock().unwrap().clone();
    let is_put = |m: &str| m.starts_with("PUT ");
    let puts: Vec<_> = seen.iter().filter(|(m, ..)| is_put(m)).collect();
    assert_eq!(puts.len(), expected.len(), "{seen:?}");
    for ((_, got_md5, got_type), (want_md5, want_type)) in puts.into_iter().zip(&expected) {
        assert_eq!(got_md5.as_deref(), Some(want_md5.as_str()));
        assert_eq!(got_type.as_deref(), Some(*want_type));
    }
    assert!(
        seen.iter()
            .filter(|(m, ..)| !is_put(m))
            .all(|(_, md5, _)| md5.is_none()),
        "{seen:?}"
    );
    let policy_gets = seen
        .iter()
        .filter(|(m, ..)| m.trim_end_matches('=') == "GET policy")
        .count();
    assert_eq!(policy_gets, 1, "{seen:?}");
}

/// A missing bucket is a typed error, not "no configuration".
#[tokio::test]
async fn a_missing_bucket_is_an_error_not_none() {
    for server in common::all_servers() {
        let client = common::client(server);
        let missing = newtera_testkit::unique_bucket("nosuch");
        let kind = server.kind;
        for err in [
            client.get_bucket_versioning(&missing).await.unwrap_err(),
            client.get_bucket_cors(&missing).await.unwrap_err(),
        ] {
            assert_eq!(err.code(), Some("NoSuchBucket"), "{kind:?}: {err:?}");
        }
        if server.caps().versioning {
            for err in [
                client.get_bucket_policy(&missing).await.unwrap_err(),
                client.get_bucket_encryption(&missing).await.unwrap_err(),
                client.get_object_lock_config(&missing).await.unwrap_err(),
            ] {
                assert_eq!(err.code(), Some("NoSuchBucket"), "{kind:?}: {err:?}");
            }
        }
    }
}
