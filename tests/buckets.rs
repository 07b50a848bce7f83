//! Bucket operations against real servers (garage and moto), signing checks,
//! credential providers and argument validation.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;

use newtera::credentials::{
    AwsConfigProvider, ChainedProvider, EnvAwsProvider, EnvMinioProvider,
    MinioClientConfigProvider, Provider, StaticProvider,
};
use newtera::{Error, Newtera};

#[tokio::test]
async fn bucket_lifecycle_on_every_server() {
    for server in common::all_servers() {
        let client = common::client(server);
        let name = newtera_testkit::unique_bucket("life");
        assert!(!client.bucket_exists(&name).await.unwrap(), "{server:?}");
        client.make_bucket(&name).await.unwrap();
        assert!(client.bucket_exists(&name).await.unwrap());
        let buckets = client.list_buckets().await.unwrap();
        let found = buckets.iter().find(|b| b.name == name).expect("listed");
        assert!(found.creation_date.is_some(), "{server:?}: {found:?}");
        // Creating it again: us-east-1 answers 200 to its owner (legacy S3
        // behaviour); elsewhere it is a typed S3 error.
        if let Err(err) = client.make_bucket(&name).await {
            assert!(
                matches!(
                    err.code(),
                    Some("BucketAlreadyOwnedByYou" | "BucketAlreadyExists")
                ),
                "{server:?}: {err:?}"
            );
        }
        client.remove_bucket(&name).await.unwrap();
        assert!(!client.bucket_exists(&name).await.unwrap());
        let err = client.remove_bucket(&name).await.unwrap_err();
        assert_eq!(err.code(), Some("NoSuchBucket"), "{server:?}: {err:?}");
        let s3 = err.as_s3().unwrap();
        assert_eq!(s3.status, http::StatusCode::NOT_FOUND);
        assert_eq!(s3.bucket.as_deref(), Some(name.as_str()));
    }
}

#[tokio::test]
async fn non_empty_bucket_is_not_removed() {
    for server in common::all_servers() {
        let client = common::client(server);
        let name = common::bucket(&client, "full").await;
        client.put_object(&name, "k", "v").await.unwrap();
        let err = client.remove_bucket(&name).await.unwrap_err();
        assert_eq!(err.code(), Some("BucketNotEmpty"), "{server:?}: {err:?}");
        assert!(client.bucket_exists(&name).await.unwrap());
    }
}

#[tokio::test]
async fn region_is_discovered_and_cached() {
    // moto honours location constraints.
    let server = newtera_testkit::moto();
    let client = common::client(server);
    let name = newtera_testkit::unique_bucket("region");
    client
        .make_bucket(&name)
        .location("eu-west-1")
        .await
        .unwrap();
    // A fresh client (empty cache, no region) must discover eu-west-1.
    let fresh = common::client(server);
    fresh.put_object(&name, "k", "v").await.unwrap();
    assert!(fresh.bucket_exists(&name).await.unwrap());
    // With an explicit region, a different location is refused locally.
    let pinned = common::builder(server).region("us-east-1").build().unwrap();
    let err = pinned
        .make_bucket("other-bucket")
        .location("eu-west-1")
        .await
        .unwrap_err();
    assert!(err.is_invalid_argument(), "{err:?}");
}

#[tokio::test]
async fn object_lock_bucket() {
    let client = common::client(newtera_testkit::moto());
    let name = newtera_testkit::unique_bucket("lock");
    client.make_bucket(&name).object_lock(true).await.unwrap();
    assert!(client.bucket_exists(&name).await.unwrap());
}

#[tokio::test]
async fn garage_rejects_a_wrong_secret_key() {
    let server = newtera_testkit::garage();
    let client = Newtera::builder(format!("http://{}", server.endpoint))
        .access_key(server.access_key.clone())
        .secret_key("0000000000000000000000000000000000000000000000000000000000000000")
        .build()
        .unwrap();
    let err = client.list_buckets().await.unwrap_err();
    let s3 = err
        .as_s3()
        .unwrap_or_else(|| panic!("expected an S3 error, got {err:?}"));
    assert_eq!(s3.status, http::StatusCode::FORBIDDEN, "{s3:?}");
    // And the right key works.
    common::client(server).list_buckets().await.unwrap();
}

#[tokio::test]
async fn garage_rejects_anonymous_requests() {
    let server = newtera_testkit::garage();
    let client = Newtera::builder(format!("http://{}", server.endpoint))
        .build()
        .unwrap();
    let err = client.list_buckets().await.unwrap_err();
    assert_eq!(err.status(), Some(http::StatusCode::FORBIDDEN), "{err:?}");
}

/// Env vars are process-wide: one test sets and clears them all in turn.
#[tokio::test]
async fn every_credentials_provider_signs_a_real_request() {
    let server = newtera_testkit::garage();
    let dir = tempfile::tempdir().unwrap();
    let (ak, sk) = (server.access_key.as_str(), server.secret_key.as_str());
    let aws_file = dir.path().join("credentials");
    std::fs::write(
        &aws_file,
        format!("[default]\naws_access_key_id = wrong\naws_secret_access_key = wrong\n\n[newtera]\naws_access_key_id = {ak}\naws_secret_access_key = {sk}\n"),
    )
    .unwrap();
    let mc_file = dir.path().join("config.json");
    std::fs::write(
        &mc_file,
        format!(r#"{{"version":"10","aliases":{{"s3":{{"url":"http://x","accessKey":"wrong","secretKey":"wrong","api":"s3v4","path":"auto"}},"local":{{"url":"http://{}","accessKey":"{ak}","secretKey":"{sk}","api":"s3v4","path":"auto"}}}}}}"#, server.endpoint),
    )
    .unwrap();

    let env_keys = [
        "AWS_ACCESS_KEY_ID",
        "AWS_ACCESS_KEY",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SECRET_KEY",
        "AWS_SESSION_TOKEN",
        "MINIO_ACCESS_KEY",
        "MINIO_SECRET_KEY",
        "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_PROFILE",
        "MINIO_ALIAS",
    ];
    let clear = || {
        for k in env_keys {
            // SAFETY-free in edition 2021; tests touching env run in this one test.
            std::env::remove_var(k);
        }
    };

    async fn works(server: &newtera_testkit::TestServer, p: impl Provider + 'static) {
        let client = Newtera::builder(format!("http://{}", server.endpoint))
            .credentials(p)
            .build()
            .unwrap();
        client.list_buckets().await.unwrap();
    }

    clear();
    works(server, StaticProvider::new(ak, sk, None)).await;

    std::env::set_var("AWS_ACCESS_KEY_ID", ak);
    std::env::set_var("AWS_SECRET_ACCESS_KEY", sk);
    works(server, EnvAwsProvider::new()).await;
    clear();
    std::env::set_var("AWS_ACCESS_KEY", ak);
    std::env::set_var("AWS_SECRET_KEY", sk);
    works(server, EnvAwsProvider::new()).await;
    clear();

    std::env::set_var("MINIO_ACCESS_KEY", ak);
    std::env::set_var("MINIO_SECRET_KEY", sk);
    works(server, EnvMinioProvider::new()).await;
    clear();

    works(
        server,
        AwsConfigProvider::new(Some(aws_file.clone()), Some("newtera".into())),
    )
    .await;
    std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", &aws_file);
    std::env::set_var("AWS_PROFILE", "newtera");
    works(server, AwsConfigProvider::new(None, None)).await;
    clear();

    works(
        server,
        MinioClientConfigProvider::new(Some(mc_file.clone()), Some("local".into())),
    )
    .await;
    std::env::set_var("MINIO_ALIAS", "local");
    works(
        server,
        MinioClientConfigProvider::new(Some(mc_file.clone()), None),
    )
    .await;
    clear();

    // The chain skips providers that have nothing and uses the first that does.
    std::env::set_var("MINIO_ACCESS_KEY", ak);
    std::env::set_var("MINIO_SECRET_KEY", sk);
    let chain = ChainedProvider::new(vec![
        Arc::new(EnvAwsProvider::new()) as Arc<dyn Provider>,
        Arc::new(EnvMinioProvider::new()),
        Arc::new(StaticProvider::new("wrong", "wrong", None)),
    ]);
    works(server, chain).await;
    clear();
}

#[tokio::test]
async fn debug_and_display_never_show_secrets() {
    let secret = "super-secret-key-value-0123456789";
    let token = "session-token-value-9876543210";
    let creds = newtera::credentials::Credentials::new("AKIDEXAMPLE", secret, Some(token.into()));
    let client = Newtera::builder("http://127.0.0.1:9")
        .access_key("AKIDEXAMPLE")
        .secret_key(secret)
        .session_token(token)
        .build()
        .unwrap();
    let builder = Newtera::builder("127.0.0.1:9")
        .access_key("AKIDEXAMPLE")
        .secret_key(secret)
        .session_token(token);
    let provider = StaticProvider::new("AKIDEXAMPLE", secret, Some(token.into()));
    let ssec = newtera::SseCustomerKey::new(b"32byteslongsecretkeymustprovided").unwrap();
    let texts = [
        format!("{creds:?}"),
        format!("{client:?}"),
        format!("{client:#?}"),
        format!("{builder:?}"),
        format!("{provider:?}"),
        format!("{ssec:?}"),
    ];
    for t in &texts {
        assert!(!t.contains(secret), "secret leaked: {t}");
        assert!(!t.contains(token), "token leaked: {t}");
        assert!(!t.contains("32byteslongsecret"), "SSE-C key leaked: {t}");
        assert!(
            !t.contains("MzJieXRlc2xvbmdzZWNyZXRrZXltdXN0cHJvdmlkZWQ"),
            "SSE-C key leaked: {t}"
        );
    }
    assert!(texts[0].contains("AKIDEXAMPLE"));
    // An error from a failed request carries no secret either.
    let err = client.list_buckets().await.unwrap_err();
    for t in [format!("{err}"), format!("{err:?}")] {
        assert!(!t.contains(secret) && !t.contains(token), "{t}");
    }
}

#[tokio::test]
async fn invalid_bucket_names_are_refused_before_sending() {
    let server = newtera_testkit::garage();
    let sent = common::Count::default();
    let client = common::builder(server).layer(sent.clone()).build().unwrap();
    let long = "a".repeat(64);
    // Invalid for any bucket.
    for bad in [
        "ab",
        "-dash",
        "_under",
        "dots..dots",
        "192.168.0.1",
        long.as_str(),
        "sp ace",
    ] {
        let errs = [
            client.make_bucket(bad).await.unwrap_err(),
            client.bucket_exists(bad).await.unwrap_err(),
            client.remove_bucket(bad).await.unwrap_err(),
        ];
        for e in errs {
            assert!(matches!(e, Error::InvalidBucketName { .. }), "{bad}: {e:?}");
        }
    }
    // Legacy names (upper case, `_`) stay reachable on servers other than
    // Amazon S3, as in the reference SDK, but are never created.
    for legacy in ["Upper", "under_score"] {
        let e = client.make_bucket(legacy).await.unwrap_err();
        assert!(
            matches!(e, Error::InvalidBucketName { .. }),
            "{legacy}: {e:?}"
        );
    }
    assert_eq!(sent.get(), 0, "nothing may be sent");
    // The counting layer does see real requests.
    client.list_buckets().await.unwrap();
    assert!(sent.get() >= 1);
}

#[test]
fn bad_endpoints_are_refused() {
    for bad in [
        "",
        "ftp://host",
        "http://host/path",
        "host:99999",
        "http://user:pw@host",
    ] {
        let err = Newtera::builder(bad).build().unwrap_err();
        assert!(
            matches!(err, Error::InvalidEndpoint { .. }),
            "{bad}: {err:?}"
        );
    }
}
