//! Lifecycle, notification and replication configuration on real servers:
//! set, get (equal to what was set), delete, get again (none), the "no
//! configuration" answers, the servers' typed refusals where they lack a
//! group, and bad configurations refused before anything is sent.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::{Arc, Mutex};

use newtera::{
    AbortIncompleteMultipartUpload, AndOperator, CloudFunctionConfiguration, Destination, Error,
    Expiration, Filter, LifecycleConfiguration, LifecycleRule, Newtera,
    NoncurrentVersionExpiration, NoncurrentVersionTransition, NotificationCommon,
    NotificationConfiguration, QueueConfiguration, ReplicationConfiguration, ReplicationRule, Tag,
    TopicConfiguration, Transition,
};
use newtera_testkit::{ServerKind, TestServer};

/// The server of `kind`, unless `NEWTERA_TEST_ONLY` leaves it out.
fn server(kind: ServerKind) -> Option<&'static TestServer> {
    common::all_servers().into_iter().find(|s| s.kind == kind)
}

fn rule(id: &str, status: &str, filter: Filter) -> LifecycleRule {
    let mut r = LifecycleRule::new(status, filter);
    r.id = Some(id.to_owned());
    r
}

/// The lifecycle rules both servers keep as they are: prefix, `<And>` of a
/// prefix and size bounds, a size bound alone; expiration after days and
/// the abort of incomplete uploads.
fn common_lifecycle() -> LifecycleConfiguration {
    let mut logs = rule("expire logs", "Enabled", Filter::with_prefix("logs/"));
    logs.expiration = Some(Expiration::after_days(30));
    logs.abort_incomplete_multipart_upload = Some(AbortIncompleteMultipartUpload::new(7));
    let mut uploads = rule("abort uploads", "Disabled", Filter::with_prefix("tmp/"));
    uploads.abort_incomplete_multipart_upload = Some(AbortIncompleteMultipartUpload::new(1));
    // garage refuses a date with milliseconds (`…00.000Z`, which S3
    // accepts) with InvalidRequest; both servers keep this form.
    let mut dated = rule("dated", "Enabled", Filter::with_prefix("old/"));
    dated.expiration = Some(Expiration::on_date("2030-01-01T00:00:00Z"));
    LifecycleConfiguration::new(vec![logs, uploads, dated])
}

/// Rules with object size bounds (garage keeps them; moto drops them).
fn sized_lifecycle() -> LifecycleConfiguration {
    let mut and = AndOperator::new(Some("data/".into()), vec![]);
    and.object_size_greater_than = Some(1024);
    and.object_size_less_than = Some(1 << 30);
    let mut sized = rule("sized", "Enabled", Filter::with_and(and));
    sized.expiration = Some(Expiration::after_days(365));
    let mut big = rule(
        "big",
        "Enabled",
        Filter::with_object_size_greater_than(1 << 20),
    );
    big.expiration = Some(Expiration::after_days(2));
    LifecycleConfiguration::new(vec![sized, big])
}

/// Rules with transitions, noncurrent-version actions, tags and expired
/// delete markers (moto keeps them; garage implements none of them).
fn rich_lifecycle() -> LifecycleConfiguration {
    let mut archive = rule("archive", "Enabled", Filter::with_prefix("docs/"));
    archive.transitions = vec![
        Transition::after_days(30, "STANDARD_IA"),
        Transition::after_days(90, "GLACIER"),
    ];
    archive.expiration = Some(Expiration::after_days(365));
    let mut tagged = rule("tagged", "Enabled", Filter::with_tag("class", "scratch"));
    tagged.expiration = Some(Expiration::on_date("2030-01-01T00:00:00Z"));
    let mut versions = rule(
        "versions",
        "Enabled",
        Filter::with_and(AndOperator::new(
            Some("v/".into()),
            vec![Tag::new("a", "1"), Tag::new("b", "2")],
        )),
    );
    versions.noncurrent_version_transitions = vec![NoncurrentVersionTransition::new(30, "GLACIER")];
    versions.noncurrent_version_expiration = Some(NoncurrentVersionExpiration::new(60, None));
    let mut markers = rule("markers", "Disabled", Filter::with_prefix(""));
    markers.expiration = Some(Expiration::expired_object_delete_marker());
    LifecycleConfiguration::new(vec![archive, tagged, versions, markers])
}

/// `(method, content-md5 header)` of each request a client sent.
type Seen = Arc<Mutex<Vec<(String, Option<String>)>>>;

/// A client whose requests' `content-md5` headers are recorded by method.
fn recording_client(server: &TestServer) -> (Newtera, Seen) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let client = common::builder(server)
        .layer(common::Hook(
            move |req: &newtera::transport::HttpRequest| {
                let md5 = req
                    .headers()
                    .get("content-md5")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                log.lock().unwrap().push((req.method().to_string(), md5));
                common::pass()
            },
        ))
        .build()
        .unwrap();
    (client, seen)
}

async fn lifecycle_round_trip(server: &TestServer, config: LifecycleConfiguration) {
    let (client, seen) = recording_client(server);
    let bucket = common::bucket(&client, "lc").await;
    assert_eq!(
        client.get_bucket_lifecycle(&bucket).await.unwrap(),
        None,
        "{server:?}"
    );
    client
        .set_bucket_lifecycle(&bucket, config.clone())
        .await
        .unwrap_or_else(|e| panic!("{server:?}: {e:?}"));
    // The PUT carried a Content-MD5 (S3 requires it for this request): the
    // base64 of a 16-byte digest.
    let puts: Vec<_> = seen
        .lock()
        .unwrap()
        .iter()
        .filter(|(m, _)| m == "PUT")
        .cloned()
        .collect();
    let md5 = puts.last().unwrap().1.clone().expect("content-md5 sent");
    assert_eq!(md5.len(), 24, "{md5}");
    assert!(md5.ends_with("=="), "{md5}");
    assert_eq!(
        client.get_bucket_lifecycle(&bucket).await.unwrap(),
        Some(config),
        "{server:?}"
    );
    client.delete_bucket_lifecycle(&bucket).await.unwrap();
    assert_eq!(
        client.get_bucket_lifecycle(&bucket).await.unwrap(),
        None,
        "{server:?}"
    );
    // Deleting what is not there is not an error.
    client.delete_bucket_lifecycle(&bucket).await.unwrap();
    client.remove_bucket(&bucket).await.unwrap();
}

#[tokio::test]
async fn lifecycle_round_trip_on_every_server() {
    for server in common::all_servers() {
        lifecycle_round_trip(server, common_lifecycle()).await;
    }
}

#[tokio::test]
async fn lifecycle_size_bounds_round_trip_on_garage() {
    if let Some(garage) = server(ServerKind::Garage) {
        lifecycle_round_trip(garage, sized_lifecycle()).await;
    }
}

#[tokio::test]
async fn lifecycle_tags_and_transitions_are_dropped_by_garage() {
    let Some(garage) = server(ServerKind::Garage) else {
        return;
    };
    let client = common::client(garage);
    let bucket = common::bucket(&client, "lctags").await;
    let mut tagged = rule("tagged", "Enabled", Filter::with_tag("class", "scratch"));
    tagged.expiration = Some(Expiration::after_days(1));
    let mut moved = rule("moved", "Enabled", Filter::with_prefix("a/"));
    moved.transitions = vec![Transition::after_days(30, "GLACIER")];
    moved.expiration = Some(Expiration::after_days(60));
    let sent = LifecycleConfiguration::new(vec![tagged, moved]);
    client
        .set_bucket_lifecycle(&bucket, sent.clone())
        .await
        .unwrap();
    // garage 2.5.0 deviates from S3: it accepts tag filters and transitions
    // and forgets them, so the tagged rule now applies to every object.
    let mut kept = sent;
    kept.rules[0].filter = None;
    kept.rules[1].transitions.clear();
    assert_eq!(
        client.get_bucket_lifecycle(&bucket).await.unwrap(),
        Some(kept)
    );
    client.delete_bucket_lifecycle(&bucket).await.unwrap();
    client.remove_bucket(&bucket).await.unwrap();
}

#[tokio::test]
async fn lifecycle_size_bounds_are_dropped_by_moto() {
    let Some(moto) = server(ServerKind::Moto) else {
        return;
    };
    let client = common::client(moto);
    let bucket = common::bucket(&client, "lcsize").await;
    let mut sent = sized_lifecycle();
    sent.rules[0].noncurrent_version_expiration =
        Some(NoncurrentVersionExpiration::new(3, Some(2)));
    client
        .set_bucket_lifecycle(&bucket, sent.clone())
        .await
        .unwrap();
    // moto deviates from S3: it accepts object size bounds and
    // NewerNoncurrentVersions but forgets them (garage keeps the bounds).
    let mut kept = sent;
    let and = kept.rules[0]
        .filter
        .as_mut()
        .unwrap()
        .and_operator
        .as_mut()
        .unwrap();
    and.object_size_greater_than = None;
    and.object_size_less_than = None;
    kept.rules[0].noncurrent_version_expiration = Some(NoncurrentVersionExpiration::new(3, None));
    kept.rules[1].filter = Some(Filter::default());
    assert_eq!(
        client.get_bucket_lifecycle(&bucket).await.unwrap(),
        Some(kept)
    );
    client.delete_bucket_lifecycle(&bucket).await.unwrap();
    client.remove_bucket(&bucket).await.unwrap();
}

#[tokio::test]
async fn lifecycle_transitions_and_versions_round_trip_on_moto() {
    if let Some(moto) = server(ServerKind::Moto) {
        lifecycle_round_trip(moto, rich_lifecycle()).await;
    }
}

#[tokio::test]
async fn bad_lifecycle_is_refused_before_sending() {
    let server = common::all_servers()[0];
    let sent = common::Count::default();
    let client = common::builder(server).layer(sent.clone()).build().unwrap();
    let mut no_action = rule("r", "Enabled", Filter::with_prefix("a/"));
    let mut bad_status = rule("r", "On", Filter::with_prefix("a/"));
    bad_status.expiration = Some(Expiration::after_days(1));
    let mut two_conditions = bad_status.clone();
    two_conditions.status = "Enabled".into();
    two_conditions
        .filter
        .as_mut()
        .unwrap()
        .object_size_less_than = Some(10);
    let mut both_dates = two_conditions.clone();
    both_dates.filter = Some(Filter::default());
    both_dates.expiration.as_mut().unwrap().date = Some("2030-01-01T00:00:00Z".into());
    no_action.id = Some("x".repeat(256));
    for config in [
        LifecycleConfiguration::default(),
        LifecycleConfiguration::new(vec![no_action]),
        LifecycleConfiguration::new(vec![bad_status]),
        LifecycleConfiguration::new(vec![two_conditions]),
        LifecycleConfiguration::new(vec![both_dates]),
    ] {
        let err = client
            .set_bucket_lifecycle("some-bucket", config)
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::InvalidArgument {
                    param: "config.rules",
                    ..
                }
            ),
            "{err:?}"
        );
    }
    let err = client
        .set_bucket_lifecycle("-bad-bucket", common_lifecycle())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidBucketName { .. }), "{err:?}");
    let mut bad_queue = NotificationConfiguration::default();
    bad_queue.queue_configurations.push(QueueConfiguration::new(
        "",
        NotificationCommon::new(["s3:ObjectCreated:*"]),
    ));
    let err = client
        .set_bucket_notification("some-bucket", bad_queue)
        .await
        .unwrap_err();
    assert!(err.is_invalid_argument(), "{err:?}");
    let err = client
        .set_bucket_replication("some-bucket", ReplicationConfiguration::new("role", vec![]))
        .await
        .unwrap_err();
    assert!(err.is_invalid_argument(), "{err:?}");
    assert_eq!(sent.get(), 0, "a request was sent");
}

/// A notification configuration of every target kind, with ids, events
/// and key filter rules, its ARNs in moto's region and account.
fn notification(region: &str) -> NotificationConfiguration {
    let mut n = NotificationConfiguration::default();
    n.queue_configurations.push(QueueConfiguration::new(
        format!("arn:aws:sqs:{region}:123456789012:uploads"),
        NotificationCommon::new(["s3:ObjectCreated:Put", "s3:ObjectCreated:Post"])
            .config_id("queue-1")
            .prefix_filter_rule("images/")
            .suffix_filter_rule(".jpg"),
    ));
    n.topic_configurations.push(TopicConfiguration::new(
        format!("arn:aws:sns:{region}:123456789012:removals"),
        NotificationCommon::new(["s3:ObjectRemoved:*"]).config_id("topic-1"),
    ));
    n.cloud_function_configurations
        .push(CloudFunctionConfiguration::new(
            format!("arn:aws:lambda:{region}:123456789012:function:thumbs"),
            NotificationCommon::new(["s3:ObjectCreated:*"])
                .config_id("function-1")
                .suffix_filter_rule(".png"),
        ));
    n
}

#[tokio::test]
async fn notification_round_trip_on_moto() {
    let Some(moto) = server(ServerKind::Moto) else {
        return;
    };
    let client = common::client(moto);
    let bucket = common::bucket(&client, "notif").await;
    // No configuration reads as an empty one.
    let none = client.get_bucket_notification(&bucket).await.unwrap();
    assert!(none.is_empty(), "{none:?}");
    let config = notification(&moto.region);
    client
        .set_bucket_notification(&bucket, config.clone())
        .await
        .unwrap();
    assert_eq!(
        client.get_bucket_notification(&bucket).await.unwrap(),
        config
    );
    client.delete_bucket_notification(&bucket).await.unwrap();
    let after = client.get_bucket_notification(&bucket).await.unwrap();
    assert!(after.is_empty(), "{after:?}");
    client.remove_bucket(&bucket).await.unwrap();
}

/// A replication configuration in the shape moto keeps: moto stores the
/// role and each rule's ID, priority, status and destination (bucket,
/// account, storage class, owner translation), but answers every rule with
/// an empty prefix filter and `<DeleteMarkerReplication>` `Disabled`
/// whatever was sent (it drops `<And>` filters and existing-object
/// replication), so the rules are written that way.
fn replication() -> ReplicationConfiguration {
    let mut one = Destination::new("arn:aws:s3:::backup-one");
    one.account = Some("111122223333".into());
    one.storage_class = Some("STANDARD_IA".into());
    one.access_control_translation = Some("Destination".into());
    let mut r1 = ReplicationRule::new("Enabled", one);
    r1.id = Some("to-one".into());
    r1.priority = Some(1);
    r1.filter = Some(Filter::with_prefix(""));
    r1.delete_marker_replication = Some("Disabled".into());
    let mut r2 = ReplicationRule::new("Disabled", Destination::new("arn:aws:s3:::backup-two"));
    r2.id = Some("to-two".into());
    r2.priority = Some(2);
    r2.filter = Some(Filter::with_prefix(""));
    // Left out on purpose: the client adds `Disabled`, as S3 requires for a
    // rule with a filter.
    r2.delete_marker_replication = None;
    ReplicationConfiguration::new("arn:aws:iam::123456789012:role/replication", vec![r1, r2])
}

#[tokio::test]
async fn replication_round_trip_on_moto() {
    let Some(moto) = server(ServerKind::Moto) else {
        return;
    };
    let client = common::client(moto);
    // Replication needs versioning; object lock turns it on.
    let bucket = newtera_testkit::unique_bucket("repl");
    client.make_bucket(&bucket).object_lock(true).await.unwrap();
    assert_eq!(client.get_bucket_replication(&bucket).await.unwrap(), None);
    let config = replication();
    client
        .set_bucket_replication(&bucket, config.clone())
        .await
        .unwrap();
    let mut expected = config;
    expected.rules[1].delete_marker_replication = Some("Disabled".into());
    assert_eq!(
        client.get_bucket_replication(&bucket).await.unwrap(),
        Some(expected)
    );
    client.delete_bucket_replication(&bucket).await.unwrap();
    assert_eq!(client.get_bucket_replication(&bucket).await.unwrap(), None);
    client.delete_bucket_replication(&bucket).await.unwrap();
}

#[tokio::test]
async fn replication_needs_versioning_on_moto() {
    let Some(moto) = server(ServerKind::Moto) else {
        return;
    };
    let client = common::client(moto);
    let bucket = common::bucket(&client, "noversions").await;
    let err = client
        .set_bucket_replication(&bucket, replication())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidRequest"), "{err:?}");
    client.remove_bucket(&bucket).await.unwrap();
}

#[tokio::test]
async fn garage_refuses_notification_and_replication() {
    let Some(garage) = server(ServerKind::Garage) else {
        return;
    };
    let client = common::client(garage);
    let bucket = common::bucket(&client, "norules").await;
    // garage implements neither group: every call is a typed S3 error.
    let errors = [
        client.get_bucket_notification(&bucket).await.unwrap_err(),
        client
            .set_bucket_notification(&bucket, notification(&garage.region))
            .await
            .unwrap_err(),
        client
            .delete_bucket_notification(&bucket)
            .await
            .unwrap_err(),
        client.get_bucket_replication(&bucket).await.unwrap_err(),
        client
            .set_bucket_replication(&bucket, replication())
            .await
            .unwrap_err(),
        client.delete_bucket_replication(&bucket).await.unwrap_err(),
    ];
    for err in errors {
        assert_eq!(err.code(), Some("NotImplemented"), "{err:?}");
        assert_eq!(
            err.status(),
            Some(http::StatusCode::NOT_IMPLEMENTED),
            "{err:?}"
        );
    }
    client.remove_bucket(&bucket).await.unwrap();
}
