//! Object tags, retention and legal hold: round trips on moto (which
//! implements them, also per version), garage's typed refusal (2.5.0
//! answers NotImplemented to all of them),
//! and bad input refused before anything is sent.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use newtera::{Error, Newtera, Retention, RetentionMode, Tags};

/// 2099-01-01T00:00:00Z and 2100-01-01T00:00:00Z, in seconds since the epoch.
const Y2099_SECS: u64 = 4_070_908_800;
const Y2100_SECS: u64 = 4_102_444_800;

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

/// The object-lock mode and retain-until date `stat_object` shows for a version.
async fn lock_headers(
    client: &Newtera,
    bucket: &str,
    version: &str,
) -> (Option<String>, Option<String>) {
    let st = client
        .stat_object(bucket, "doc")
        .version_id(version)
        .await
        .unwrap();
    let h = |n: &str| st.metadata.get(n).map(|v| v.to_str().unwrap().to_owned());
    (
        h("x-amz-object-lock-mode"),
        h("x-amz-object-lock-retain-until-date"),
    )
}

/// Reads a version's retention back with `get_object_retention`: the value
/// set, on a server that implements GetObjectRetention; on moto 5.2.1,
/// which answers the object's data instead, the typed parse error.
async fn read_retention_back(
    client: &Newtera,
    bucket: &str,
    version: &str,
    expected: Option<Retention>,
) {
    match client
        .get_object_retention(bucket, "doc")
        .version_id(version)
        .await
    {
        Ok(got) => assert_eq!(got, expected),
        Err(Error::Xml {
            op: "GetObjectRetention",
            ..
        }) => {}
        Err(e) => panic!("get_object_retention: {e:?}"),
    }
}

/// A whole second `days` days from now (S3 keeps retention dates to the
/// millisecond at best, so a whole second survives the round trip).
fn days_from_now(days: u64) -> SystemTime {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    UNIX_EPOCH + Duration::from_secs(now.as_secs() + days * 86_400)
}

fn tags(pairs: &[(&str, &str)]) -> Tags {
    let mut t = Tags::new_object_tags();
    for (k, v) in pairs {
        t.insert(*k, *v).unwrap();
    }
    t
}

fn pairs(t: &Tags) -> Vec<(String, String)> {
    t.iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

#[tokio::test]
async fn object_tags_round_trip_on_moto() {
    let client = common::client(newtera_testkit::moto());
    let bucket = common::bucket(&client, "otags").await;
    client.put_object(&bucket, "a b/c+d%ü", "x").await.unwrap();
    let key = "a b/c+d%ü";

    // An untagged object has an empty tag set.
    let none = client.get_object_tags(&bucket, key).await.unwrap();
    assert!(none.as_ref().is_none_or(Tags::is_empty), "{none:?}");

    let set = tags(&[
        ("Project", "Project One"),
        ("User", "jsmith"),
        ("path", "a b+c/d@e=f:g.h_i-j"),
        ("ünïcode", "välue"),
        ("empty", ""),
    ]);
    client
        .set_object_tags(&bucket, key, set.clone())
        .await
        .unwrap();
    let got = client.get_object_tags(&bucket, key).await.unwrap().unwrap();
    assert_eq!(pairs(&got), pairs(&set));
    assert!(got.is_for_object());
    let st = client.stat_object(&bucket, key).await.unwrap();
    assert_eq!(st.metadata.get("x-amz-tagging-count").unwrap(), "5");

    // Setting replaces the whole set.
    let replaced = tags(&[("only", "one")]);
    client
        .set_object_tags(&bucket, key, replaced.clone())
        .await
        .unwrap();
    let got = client.get_object_tags(&bucket, key).await.unwrap().unwrap();
    assert_eq!(pairs(&got), pairs(&replaced));

    client.delete_object_tags(&bucket, key).await.unwrap();
    let got = client.get_object_tags(&bucket, key).await.unwrap();
    assert!(got.as_ref().is_none_or(Tags::is_empty), "{got:?}");

    // A missing object is the server's typed error.
    let err = client
        .get_object_tags(&bucket, "missing")
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchKey"), "{err:?}");
}

#[tokio::test]
async fn tags_retention_and_legal_hold_per_version_on_moto() {
    let client = common::client(newtera_testkit::moto());
    let bucket = newtera_testkit::unique_bucket("olock");
    client.make_bucket(&bucket).object_lock(true).await.unwrap();
    let v1 = client
        .put_object(&bucket, "doc", "first")
        .await
        .unwrap()
        .version_id
        .unwrap();
    let v2 = client
        .put_object(&bucket, "doc", "second")
        .await
        .unwrap()
        .version_id
        .unwrap();
    assert_ne!(v1, v2);

    // Tags on the old version only.
    let t1 = tags(&[("version", "one")]);
    client
        .set_object_tags(&bucket, "doc", t1.clone())
        .version_id(&v1)
        .await
        .unwrap();
    let got = client
        .get_object_tags(&bucket, "doc")
        .version_id(&v1)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(pairs(&got), pairs(&t1));
    let latest = client.get_object_tags(&bucket, "doc").await.unwrap();
    assert!(latest.as_ref().is_none_or(Tags::is_empty), "{latest:?}");
    client
        .delete_object_tags(&bucket, "doc")
        .version_id(&v1)
        .await
        .unwrap();
    let got = client
        .get_object_tags(&bucket, "doc")
        .version_id(&v1)
        .await
        .unwrap();
    assert!(got.as_ref().is_none_or(Tags::is_empty), "{got:?}");

    // Retention on the old version. moto 5.2.1 stores it (HEAD shows it and
    // the lock holds) but has no GetObjectRetention: a GET `?retention`
    // falls through to GetObject and answers the object's data, which the
    // client refuses as a malformed answer rather than misreading it.
    let r = Retention::new(RetentionMode::Governance, at(Y2099_SECS));
    client
        .set_object_retention(&bucket, "doc", r)
        .version_id(&v1)
        .await
        .unwrap();
    assert_eq!(
        lock_headers(&client, &bucket, &v1).await,
        (
            Some("GOVERNANCE".to_owned()),
            Some("2099-01-01T00:00:00.000Z".to_owned())
        )
    );
    assert_eq!(lock_headers(&client, &bucket, &v2).await, (None, None));
    read_retention_back(&client, &bucket, &v1, Some(r)).await;
    read_retention_back(&client, &bucket, &v2, None).await;
    // The lock holds: the version cannot be removed.
    let err = client
        .remove_object(&bucket, "doc")
        .version_id(&v1)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"), "{err:?}");
    // Extending a retention needs no bypass; the bypass header is accepted.
    let longer = Retention::new(RetentionMode::Governance, at(Y2100_SECS));
    client
        .set_object_retention(&bucket, "doc", longer)
        .version_id(&v1)
        .bypass_governance_mode(true)
        .await
        .unwrap();
    assert_eq!(
        lock_headers(&client, &bucket, &v1).await.1.as_deref(),
        Some("2100-01-01T00:00:00.000Z")
    );
    read_retention_back(&client, &bucket, &v1, Some(longer)).await;

    // Legal hold on the latest version.
    assert!(!client
        .is_object_legal_hold_enabled(&bucket, "doc")
        .await
        .unwrap());
    client
        .enable_object_legal_hold(&bucket, "doc")
        .await
        .unwrap();
    assert!(client
        .is_object_legal_hold_enabled(&bucket, "doc")
        .await
        .unwrap());
    assert!(client
        .is_object_legal_hold_enabled(&bucket, "doc")
        .version_id(&v2)
        .await
        .unwrap());
    assert!(!client
        .is_object_legal_hold_enabled(&bucket, "doc")
        .version_id(&v1)
        .await
        .unwrap());
    let st = client.stat_object(&bucket, "doc").await.unwrap();
    assert_eq!(
        st.metadata.get("x-amz-object-lock-legal-hold").unwrap(),
        "ON"
    );
    let err = client
        .remove_object(&bucket, "doc")
        .version_id(&v2)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"), "{err:?}");
    client
        .disable_object_legal_hold(&bucket, "doc")
        .version_id(&v2)
        .await
        .unwrap();
    assert!(!client
        .is_object_legal_hold_enabled(&bucket, "doc")
        .await
        .unwrap());
    // Without hold or retention the latest version can go again.
    client
        .remove_object(&bucket, "doc")
        .version_id(&v2)
        .await
        .unwrap();
}

/// Method, query and headers of each request that reached the HTTP layer.
type Log = Arc<Mutex<Vec<(http::Method, String, http::HeaderMap)>>>;

/// Records the headers of every request that reaches the HTTP layer.
fn header_log() -> (
    Log,
    common::Hook<impl Fn(&newtera::transport::HttpRequest) -> common::Then + Clone>,
) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let l = log.clone();
    let hook = common::Hook(move |req: &newtera::transport::HttpRequest| {
        l.lock().unwrap().push((
            req.method().clone(),
            req.uri().query().unwrap_or("").to_owned(),
            req.headers().clone(),
        ));
        common::pass()
    });
    (log, hook)
}

#[tokio::test]
async fn config_puts_carry_content_md5_and_a_signed_body() {
    let server = newtera_testkit::moto();
    let (log, hook) = header_log();
    let client = common::builder(server).layer(hook).build().unwrap();
    let bucket = newtera_testkit::unique_bucket("omd5");
    client.make_bucket(&bucket).object_lock(true).await.unwrap();
    client.put_object(&bucket, "k", "v").await.unwrap();
    log.lock().unwrap().clear();
    client
        .set_object_tags(&bucket, "k", tags(&[("a", "b")]))
        .await
        .unwrap();
    client
        .set_object_retention(
            &bucket,
            "k",
            Retention::new(RetentionMode::Governance, days_from_now(1)),
        )
        .bypass_governance_mode(true)
        .await
        .unwrap();
    client.enable_object_legal_hold(&bucket, "k").await.unwrap();
    client
        .disable_object_legal_hold(&bucket, "k")
        .await
        .unwrap();
    let log = log.lock().unwrap();
    let puts: Vec<_> = log
        .iter()
        .filter(|(m, _, _)| m == http::Method::PUT)
        .collect();
    assert_eq!(puts.len(), 4, "{log:?}");
    for (_, query, h) in &puts {
        let md5 = h.get("content-md5").expect("content-md5").to_str().unwrap();
        assert_eq!(md5.len(), 24, "base64 of 16 bytes: {md5}");
        let sha = h.get("x-amz-content-sha256").unwrap().to_str().unwrap();
        assert!(
            sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit()),
            "{query}: the body's SHA-256 is signed, not {sha}"
        );
        assert_eq!(h.get("content-type").unwrap(), "application/xml");
    }
    let bypass: Vec<_> = puts
        .iter()
        .filter(|(_, _, h)| h.get("x-amz-bypass-governance-retention").is_some())
        .map(|(_, q, _)| q.as_str())
        .collect();
    assert_eq!(bypass, ["retention"]);
}

#[tokio::test]
async fn garage_refuses_tags_retention_and_legal_hold_with_typed_errors() {
    let client = common::client(newtera_testkit::garage());
    let bucket = common::bucket(&client, "onolock").await;
    client.put_object(&bucket, "k", "v").await.unwrap();
    let r = Retention::new(RetentionMode::Governance, days_from_now(1));
    let results: Vec<(&str, &str, Result<(), Error>)> = vec![
        (
            "get_object_tags",
            "GetObjectTagging",
            client.get_object_tags(&bucket, "k").await.map(drop),
        ),
        (
            "set_object_tags",
            "PutObjectTagging",
            client
                .set_object_tags(&bucket, "k", tags(&[("a", "b")]))
                .await,
        ),
        (
            "delete_object_tags",
            "DeleteObjectTagging",
            client.delete_object_tags(&bucket, "k").await,
        ),
        (
            "get_object_retention",
            "GetObjectRetention",
            client.get_object_retention(&bucket, "k").await.map(drop),
        ),
        (
            "set_object_retention",
            "PutObjectRetention",
            client.set_object_retention(&bucket, "k", r).await,
        ),
        (
            "enable_object_legal_hold",
            "PutObjectLegalHold",
            client.enable_object_legal_hold(&bucket, "k").await,
        ),
        (
            "is_object_legal_hold_enabled",
            "GetObjectLegalHold",
            client
                .is_object_legal_hold_enabled(&bucket, "k")
                .await
                .map(drop),
        ),
        (
            "disable_object_legal_hold",
            "PutObjectLegalHold",
            client.disable_object_legal_hold(&bucket, "k").await,
        ),
    ];
    for (op, expected_op, result) in &results {
        let err = result.as_ref().expect_err(op);
        let s3 = err.as_s3().unwrap_or_else(|| panic!("{op}: {err:?}"));
        // garage 2.5.0 implements none of these sub-resources.
        assert_eq!(s3.code, "NotImplemented", "{op}: {s3:?}");
        assert_eq!(s3.status, http::StatusCode::NOT_IMPLEMENTED, "{op}");
        assert_eq!((s3.op, s3.attempts), (*expected_op, 1), "{op}: not retried");
    }
}

#[tokio::test]
async fn bad_input_is_refused_before_sending() {
    let server = newtera_testkit::moto();
    let sent = common::Count::default();
    let client: Newtera = common::builder(server).layer(sent.clone()).build().unwrap();
    let past = Retention::new(
        RetentionMode::Governance,
        SystemTime::now() - Duration::from_secs(1),
    );
    let far = Retention::new(
        RetentionMode::Compliance,
        UNIX_EPOCH + Duration::from_secs(10_000 * 366 * 86_400),
    );
    let ok = Retention::new(RetentionMode::Governance, days_from_now(1));
    let mut bucket_tags = Tags::new_bucket_tags();
    for i in 0..11 {
        bucket_tags.insert(format!("k{i}"), "v").unwrap();
    }

    let cases: Vec<(&str, Error)> = vec![
        (
            "tags: 11 on an object",
            client
                .set_object_tags("bucket", "k", bucket_tags)
                .await
                .unwrap_err(),
        ),
        (
            "tags: bad character",
            Tags::new_object_tags().insert("k", "a&b").unwrap_err(),
        ),
        (
            "tags: empty key",
            Tags::try_from(vec![("", "v")]).unwrap_err(),
        ),
        (
            "retention: date in the past",
            client
                .set_object_retention("bucket", "k", past)
                .await
                .unwrap_err(),
        ),
        (
            "retention: date past year 9999",
            client
                .set_object_retention("bucket", "k", far)
                .await
                .unwrap_err(),
        ),
        (
            "retention: date in the past (put_object)",
            client
                .put_object("bucket", "k", "v")
                .retention(past)
                .await
                .unwrap_err(),
        ),
        (
            "retention: unknown mode",
            "governance".parse::<RetentionMode>().unwrap_err(),
        ),
        (
            "version id: empty (get tags)",
            client
                .get_object_tags("bucket", "k")
                .version_id("")
                .await
                .unwrap_err(),
        ),
        (
            "version id: empty (set tags)",
            client
                .set_object_tags("bucket", "k", tags(&[("a", "b")]))
                .version_id("")
                .await
                .unwrap_err(),
        ),
        (
            "version id: empty (delete tags)",
            client
                .delete_object_tags("bucket", "k")
                .version_id("")
                .await
                .unwrap_err(),
        ),
        (
            "version id: empty (get retention)",
            client
                .get_object_retention("bucket", "k")
                .version_id("")
                .await
                .unwrap_err(),
        ),
        (
            "version id: empty (set retention)",
            client
                .set_object_retention("bucket", "k", ok)
                .version_id("")
                .await
                .unwrap_err(),
        ),
        (
            "version id: empty (enable legal hold)",
            client
                .enable_object_legal_hold("bucket", "k")
                .version_id("")
                .await
                .unwrap_err(),
        ),
        (
            "version id: empty (disable legal hold)",
            client
                .disable_object_legal_hold("bucket", "k")
                .version_id("")
                .await
                .unwrap_err(),
        ),
        (
            "version id: empty (is legal hold enabled)",
            client
                .is_object_legal_hold_enabled("bucket", "k")
                .version_id("")
                .await
                .unwrap_err(),
        ),
        (
            "bucket name",
            client
                .get_object_tags("-bad-bucket", "k")
                .await
                .unwrap_err(),
        ),
        (
            "object name",
            client.get_object_retention("bucket", "").await.unwrap_err(),
        ),
        (
            "object name (legal hold)",
            client
                .enable_object_legal_hold("bucket", "")
                .await
                .unwrap_err(),
        ),
    ];
    for (class, err) in &cases {
        assert!(err.is_invalid_argument(), "{class}: {err:?}");
        println!("{class}: {err}");
    }
    assert_eq!(sent.get(), 0, "nothing may be sent for bad input");
}
