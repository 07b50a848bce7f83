//! Bucket tags and CORS on real servers: set, get (equal to what was set),
//! delete, get again (none); bad input fails before anything is sent.

#![allow(clippy::unwrap_used)]

mod common;

use common::Count;
use newtera::{CorsConfiguration, CorsRule, Tags};

/// A client for `server` that counts the requests it sends.
fn counted(server: &newtera_testkit::TestServer) -> (newtera::Newtera, Count) {
    let count = Count::default();
    let client = common::builder(server)
        .layer(count.clone())
        .build()
        .unwrap();
    (client, count)
}

fn cors_config() -> CorsConfiguration {
    CorsConfiguration::new(vec![
        CorsRule::new(["PUT", "POST", "DELETE"], ["https://www.example.com"])
            .with_id("uploads")
            .with_allowed_headers(["*"])
            .with_expose_headers(["ETag", "x-amz-request-id"])
            .with_max_age_seconds(3000),
        CorsRule::new(["GET", "HEAD"], ["*"]),
    ])
}

#[tokio::test]
async fn cors_round_trip() {
    for server in common::all_servers() {
        let client = common::client(server);
        let bucket = common::bucket(&client, "corscfg").await;
        let kind = server.kind;
        assert_eq!(
            client.get_bucket_cors(&bucket).await.unwrap(),
            None,
            "{kind:?}"
        );
        let config = cors_config();
        client
            .set_bucket_cors(&bucket, config.clone())
            .await
            .unwrap();
        assert_eq!(
            client.get_bucket_cors(&bucket).await.unwrap(),
            Some(config),
            "{kind:?}"
        );
        client.delete_bucket_cors(&bucket).await.unwrap();
        assert_eq!(
            client.get_bucket_cors(&bucket).await.unwrap(),
            None,
            "{kind:?}"
        );
        // Deleting what is not there is not an error.
        client.delete_bucket_cors(&bucket).await.unwrap();
    }
}

#[tokio::test]
async fn bad_cors_is_refused_before_sending() {
    let (client, count) = counted(newtera_testkit::moto());
    for bad in [
        CorsConfiguration::default(),
        CorsConfiguration::new(vec![CorsRule::new(["GET"], Vec::<String>::new())]),
        CorsConfiguration::new(vec![CorsRule::new(["PATCH"], ["*"])]),
        CorsConfiguration::new(vec![CorsRule::new(["GET"], ["https://*.*.example"])]),
        CorsConfiguration::new(vec![CorsRule::new(["GET"], ["*"]); 101]),
    ] {
        let err = client
            .set_bucket_cors("some-bucket", bad)
            .await
            .unwrap_err();
        assert!(err.is_invalid_argument(), "{err:?}");
    }
    for err in [
        client.get_bucket_cors("no").await.unwrap_err(),
        client.delete_bucket_cors("-bad-bucket").await.unwrap_err(),
    ] {
        assert!(err.is_invalid_argument(), "{err:?}");
    }
    assert_eq!(count.get(), 0, "nothing may be sent");
}

/// A server that answers "nothing configured" with 204 No Content and no
/// document reads as `None`, like an error code would.
#[tokio::test]
async fn an_empty_answer_reads_as_no_configuration() {
    let server = newtera_testkit::moto();
    let client = common::client(server);
    let bucket = common::bucket(&client, "corsempty").await;
    client
        .set_bucket_cors(&bucket, cors_config())
        .await
        .unwrap();
    let hooked = common::builder(server)
        .layer(common::Hook(|req: &newtera::transport::HttpRequest| {
            if req.method() != http::Method::GET || req.uri().query() != Some("cors=") {
                return common::pass();
            }
            Box::new(|fut: common::ResponseFuture| -> common::ResponseFuture {
                Box::pin(async move {
                    let (mut parts, _) = fut.await?.into_parts();
                    parts.status = http::StatusCode::NO_CONTENT;
                    let frames: Vec<Result<http_body::Frame<bytes::Bytes>, std::io::Error>> =
                        Vec::new();
                    let body = http_body_util::StreamBody::new(futures::stream::iter(frames));
                    Ok(http::Response::from_parts(
                        parts,
                        newtera::transport::ResponseBody::new(body),
                    ))
                })
            })
        }))
        .build()
        .unwrap();
    assert_eq!(hooked.get_bucket_cors(&bucket).await.unwrap(), None);
    // The real answer is there.
    assert!(client.get_bucket_cors(&bucket).await.unwrap().is_some());
}

#[tokio::test]
async fn bucket_tags_round_trip_on_moto() {
    let client = common::client(newtera_testkit::moto());
    let bucket = common::bucket(&client, "tagcfg").await;
    assert_eq!(client.get_bucket_tags(&bucket).await.unwrap(), None);
    let mut tags = Tags::new_bucket_tags();
    for i in 0..12 {
        // More than an object may have: bucket tags allow 50.
        tags.insert(format!("key-{i}"), format!("value {i} + @:/="))
            .unwrap();
    }
    tags.insert("project", "").unwrap();
    client.set_bucket_tags(&bucket, tags.clone()).await.unwrap();
    let got = client.get_bucket_tags(&bucket).await.unwrap().unwrap();
    assert_eq!(
        got.iter().collect::<Vec<_>>(),
        tags.iter().collect::<Vec<_>>()
    );
    client.delete_bucket_tags(&bucket).await.unwrap();
    assert_eq!(client.get_bucket_tags(&bucket).await.unwrap(), None);
}

#[tokio::test]
async fn bad_bucket_tags_are_refused_before_sending() {
    let (client, count) = counted(newtera_testkit::moto());
    let mut tags = Tags::new_bucket_tags();
    for i in 0..50 {
        tags.insert(format!("k{i}"), "v").unwrap();
    }
    assert!(tags
        .insert("one-too-many", "v")
        .unwrap_err()
        .is_invalid_argument());
    assert!(tags
        .insert("bad<char>", "v")
        .unwrap_err()
        .is_invalid_argument());
    for err in [
        client.set_bucket_tags("x", tags).await.unwrap_err(),
        client.get_bucket_tags("bad..name").await.unwrap_err(),
        client.delete_bucket_tags("-bad").await.unwrap_err(),
    ] {
        assert!(err.is_invalid_argument(), "{err:?}");
    }
    assert_eq!(count.get(), 0, "nothing may be sent");
}
