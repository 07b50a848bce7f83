//! Versioning, tags, retention and legal hold (moto supports them; garage
//! does not), and SSE-C over HTTPS on garage, which enforces it.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, SystemTime};

use futures::TryStreamExt as _;
use newtera::{DeleteObject, Object, Retention, RetentionMode, SseCustomerKey, Tags};

#[tokio::test]
async fn versioned_put_get_stat_remove_and_listing() {
    let client = common::client(newtera_testkit::moto());
    let bucket = newtera_testkit::unique_bucket("ver");
    // Object lock turns versioning on.
    client.make_bucket(&bucket).object_lock(true).await.unwrap();
    let v1 = client
        .put_object(&bucket, "doc", "first")
        .await
        .unwrap()
        .version_id
        .unwrap();
    let v2 = client
        .put_object(&bucket, "doc", "second!")
        .await
        .unwrap()
        .version_id
        .unwrap();
    assert_ne!(v1, v2);
    let got = client
        .get_object(&bucket, "doc")
        .version_id(&v1)
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(&got[..], b"first");
    let st = client
        .stat_object(&bucket, "doc")
        .version_id(&v1)
        .await
        .unwrap();
    assert_eq!(
        (st.size, st.version_id.as_deref()),
        (Some(5), Some(v1.as_str()))
    );
    let st = client.stat_object(&bucket, "doc").await.unwrap();
    assert_eq!(st.version_id.as_deref(), Some(v2.as_str()));

    // Removing without a version adds a delete marker.
    client.remove_object(&bucket, "doc").await.unwrap();
    assert_eq!(
        client.stat_object(&bucket, "doc").await.unwrap_err().code(),
        Some("NoSuchKey")
    );
    let all: Vec<Object> = client
        .list_objects(&bucket)
        .include_version(true)
        .recursive(true)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 3, "{all:#?}");
    let markers: Vec<&Object> = all.iter().filter(|o| o.is_delete_marker).collect();
    assert_eq!(markers.len(), 1);
    assert_eq!(markers[0].is_latest, Some(true));
    let versions: Vec<&str> = all
        .iter()
        .filter(|o| !o.is_delete_marker)
        .filter_map(|o| o.version_id.as_deref())
        .collect();
    assert!(versions.contains(&v1.as_str()) && versions.contains(&v2.as_str()));
    // A plain listing no longer shows the object.
    let plain: Vec<Object> = client
        .list_objects(&bucket)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert!(plain.is_empty());

    // Remove one specific version, and versions in a batch.
    client
        .remove_object(&bucket, "doc")
        .version_id(&v1)
        .await
        .unwrap();
    let err = client
        .get_object(&bucket, "doc")
        .version_id(&v1)
        .await
        .unwrap_err();
    assert!(err.code().is_some(), "{err:?}");
    let marker_id = markers[0].version_id.clone().unwrap();
    let errors = client
        .remove_objects(
            &bucket,
            vec![
                DeleteObject::with_version("doc", &v2),
                DeleteObject::with_version("doc", marker_id),
            ],
        )
        .await
        .unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    let left: Vec<Object> = client
        .list_objects(&bucket)
        .include_version(true)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert!(left.is_empty(), "{left:?}");
}

#[tokio::test]
async fn tags_retention_and_legal_hold() {
    let client = common::client(newtera_testkit::moto());
    let bucket = newtera_testkit::unique_bucket("lockd");
    client.make_bucket(&bucket).object_lock(true).await.unwrap();
    let mut tags = Tags::new_object_tags();
    tags.insert("User", "jsmith").unwrap();
    tags.insert("Project", "a b+c/d@e").unwrap();
    let until = SystemTime::now() + Duration::from_secs(30 * 86400);
    let r = client
        .put_object(&bucket, "held", "hello")
        .tags(tags)
        .retention(Retention::new(RetentionMode::Governance, until))
        .legal_hold(true)
        .await
        .unwrap();
    let st = client.stat_object(&bucket, "held").await.unwrap();
    let h = &st.metadata;
    assert_eq!(
        h.get("x-amz-object-lock-mode").unwrap(),
        "GOVERNANCE",
        "{h:?}"
    );
    assert!(h.get("x-amz-object-lock-retain-until-date").is_some());
    assert_eq!(h.get("x-amz-object-lock-legal-hold").unwrap(), "ON");
    assert_eq!(h.get("x-amz-tagging-count").unwrap(), "2");
    // The lock holds: deleting the version is refused.
    let v = r.version_id.unwrap();
    let err = client
        .remove_object(&bucket, "held")
        .version_id(&v)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"), "{err:?}");
    // Tag limits are checked before sending.
    let mut t = Tags::new_object_tags();
    for i in 0..10 {
        t.insert(format!("k{i}"), "v").unwrap();
    }
    assert!(t.insert("k10", "v").is_err());
    assert!(Tags::new_object_tags()
        .insert("k".repeat(129), "v")
        .is_err());
    assert!(Tags::new_object_tags()
        .insert("k", "v".repeat(257))
        .is_err());
    assert!(Tags::new_object_tags().insert("k", "a&b").is_err());
}

#[tokio::test]
async fn sse_c_round_trip_over_https_on_garage() {
    let server = newtera_testkit::garage_tls();
    let client = common::client(server);
    assert!(client.is_secure());
    let bucket = common::bucket(&client, "ssec").await;
    let key = SseCustomerKey::new(b"32byteslongsecretkeymustprovided").unwrap();
    let data = vec![42u8; 6 * 1024 * 1024 + 1];
    client
        .put_object(&bucket, "secret", data.clone())
        .sse(key.clone())
        .part_size(5 * 1024 * 1024)
        .await
        .unwrap();
    client
        .put_object(&bucket, "small-secret", "tiny")
        .sse(key.clone())
        .await
        .unwrap();
    let got = client
        .get_object(&bucket, "secret")
        .ssec(key.clone())
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(got == data);
    let st = client
        .stat_object(&bucket, "small-secret")
        .ssec(key.clone())
        .await
        .unwrap();
    assert_eq!(st.size, Some(4));
    // Without the key the server refuses.
    let err = client.get_object(&bucket, "secret").await.unwrap_err();
    assert_eq!(err.status(), Some(http::StatusCode::BAD_REQUEST), "{err:?}");
    let err = client
        .stat_object(&bucket, "small-secret")
        .await
        .unwrap_err();
    assert!(err.status().is_some(), "{err:?}");
    // With a wrong key too.
    let wrong = SseCustomerKey::new(&[7u8; 32]).unwrap();
    let err = client
        .get_object(&bucket, "small-secret")
        .ssec(wrong)
        .await
        .unwrap_err();
    assert!(err.status().is_some_and(|s| s.is_client_error()), "{err:?}");
    let dir = tempfile::tempdir().unwrap();
    let dst = dir.path().join("out");
    client
        .fget_object(&bucket, "secret", &dst)
        .ssec(key)
        .await
        .unwrap();
    assert_eq!(std::fs::metadata(&dst).unwrap().len(), data.len() as u64);
}

#[tokio::test]
async fn sse_c_and_kms_are_refused_over_plain_http() {
    let client = common::client(newtera_testkit::garage());
    let key = SseCustomerKey::new(b"32byteslongsecretkeymustprovided").unwrap();
    let err = client
        .put_object("some-bucket", "k", "v")
        .sse(key.clone())
        .await
        .unwrap_err();
    assert!(err.is_invalid_argument(), "{err:?}");
    let err = client
        .get_object("some-bucket", "k")
        .ssec(key.clone())
        .await
        .unwrap_err();
    assert!(err.is_invalid_argument(), "{err:?}");
    let kms = newtera::SseKms::new("KMS-KEY-ID", [("Key1", "Value1")]);
    let err = client
        .put_object("some-bucket", "k", "v")
        .sse(kms)
        .await
        .unwrap_err();
    assert!(err.is_invalid_argument(), "{err:?}");
    assert!(SseCustomerKey::new(b"short").is_err());
}
