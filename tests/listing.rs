//! list_objects and remove_objects against real servers: paging, prefixes,
//! recursion, start_after, API v1, URL encoding, versions, batched deletes.

#![allow(clippy::unwrap_used)]

mod common;

use futures::TryStreamExt as _;
use newtera::{DeleteObject, Newtera, Object};

async fn names(client: &Newtera, list: newtera::ListObjects) -> Vec<String> {
    let _ = client;
    let objs: Vec<Object> = list.into_stream().try_collect().await.unwrap();
    objs.into_iter().map(|o| o.object_name).collect()
}

/// Uploads `keys` with bounded concurrency.
async fn put_all(client: &Newtera, bucket: &str, keys: &[String]) {
    futures::stream::iter(keys.iter().cloned())
        .map(|k| {
            let c = client.clone();
            let b = bucket.to_owned();
            async move { c.put_object(&b, &k, Vec::new()).await.map(|_| ()) }
        })
        .buffer_unordered(16)
        .try_collect::<Vec<()>>()
        .await
        .unwrap();
}
use futures::StreamExt as _;

#[tokio::test]
async fn prefix_recursive_start_after_and_v1() {
    for server in common::all_servers() {
        let client = common::client(server);
        let bucket = common::bucket(&client, "tree").await;
        let keys: Vec<String> = [
            "a.txt",
            "my/prefix/hello/1",
            "my/prefix/world/1",
            "my/prefix/world/2",
            "my/x",
            "z/deep/er/file",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        put_all(&client, &bucket, &keys).await;
        for v1 in [false, true] {
            let l = |c: &Newtera| c.list_objects(&bucket).use_api_v1(v1);
            assert_eq!(
                names(&client, l(&client)).await,
                ["a.txt", "my/", "z/"],
                "{server:?} v1={v1}"
            );
            let objs: Vec<Object> = l(&client).into_stream().try_collect().await.unwrap();
            assert!(!objs[0].is_dir && objs[1].is_dir && objs[2].is_dir);
            assert_eq!(objs[0].size, Some(0));
            assert!(objs[0].etag.is_some() && objs[0].last_modified.is_some());
            assert_eq!(
                names(&client, l(&client).recursive(true)).await,
                keys,
                "v1={v1}"
            );
            assert_eq!(
                names(&client, l(&client).prefix("my/prefix/")).await,
                ["my/prefix/hello/", "my/prefix/world/"]
            );
            assert_eq!(
                names(&client, l(&client).prefix("my/prefix/").recursive(true)).await,
                [
                    "my/prefix/hello/1",
                    "my/prefix/world/1",
                    "my/prefix/world/2"
                ]
            );
            assert_eq!(
                names(&client, l(&client).prefix("my/").recursive(false)).await,
                ["my/prefix/", "my/x"]
            );
            if !v1 {
                assert_eq!(
                    names(
                        &client,
                        l(&client).recursive(true).start_after("my/prefix/world/1")
                    )
                    .await,
                    ["my/prefix/world/2", "my/x", "z/deep/er/file"]
                );
            }
            assert!(names(&client, l(&client).prefix("nothing/"))
                .await
                .is_empty());
        }
    }
}

#[tokio::test]
async fn thousands_of_objects_page_and_batch_delete() {
    for server in common::all_servers() {
        let client = common::client(server);
        let bucket = common::bucket(&client, "many").await;
        let keys: Vec<String> = (0..2500).map(|i| format!("obj/{i:05}")).collect();
        put_all(&client, &bucket, &keys).await;
        for v1 in [false, true] {
            let got = names(
                &client,
                client.list_objects(&bucket).recursive(true).use_api_v1(v1),
            )
            .await;
            assert_eq!(got, keys, "{server:?} v1={v1}");
        }
        // Small pages force many round trips.
        let got = names(
            &client,
            client.list_objects(&bucket).recursive(true).max_keys(700),
        )
        .await;
        assert_eq!(got.len(), 2500);
        // Delete all 2,500 through the listing stream (3 DeleteObjects requests).
        let to_delete = client
            .list_objects(&bucket)
            .recursive(true)
            .into_stream()
            .map_ok(|o| DeleteObject::new(o.object_name));
        let errors = client
            .remove_objects(&bucket, newtera::DeleteObjects::from_try_stream(to_delete))
            .await
            .unwrap();
        assert!(errors.is_empty(), "{errors:?}");
        assert!(names(&client, client.list_objects(&bucket).recursive(true))
            .await
            .is_empty());
        client.remove_bucket(&bucket).await.unwrap();
    }
}

#[tokio::test]
async fn url_encoded_keys_list_correctly() {
    for server in common::all_servers() {
        let client = common::client(server);
        let bucket = common::bucket(&client, "enc").await;
        let mut keys: Vec<String> = [
            "a b/c d",
            "a+b",
            "p%20q",
            "100%",
            "ümlaut/日本語",
            "tab\there",
            "amp&lt",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        keys.sort();
        put_all(&client, &bucket, &keys).await;
        for v1 in [false, true] {
            let got = names(
                &client,
                client.list_objects(&bucket).recursive(true).use_api_v1(v1),
            )
            .await;
            assert_eq!(got, keys, "{server:?} v1={v1}");
        }
        let got = names(
            &client,
            client
                .list_objects(&bucket)
                .recursive(true)
                .use_url_encoding_type(false),
        )
        .await;
        assert_eq!(got, keys, "{server:?} without encoding-type");
        let got = names(&client, client.list_objects(&bucket).prefix("a b/")).await;
        assert_eq!(got, ["a b/c d"]);
        let got = names(&client, client.list_objects(&bucket)).await;
        assert!(
            got.contains(&"a b/".to_string()) && got.contains(&"ümlaut/".to_string()),
            "{got:?}"
        );
    }
}

#[tokio::test]
async fn remove_objects_reports_per_key_errors_lazily() {
    let client = common::client(newtera_testkit::moto());
    let bucket = common::bucket(&client, "delerr").await;
    client.put_object(&bucket, "one", "1").await.unwrap();
    client.put_object(&bucket, "two", "2").await.unwrap();
    let errors = client
        .remove_objects(
            &bucket,
            vec![
                DeleteObject::new("one"),
                DeleteObject::new("two"),
                DeleteObject::new("absent"),
            ],
        )
        .await
        .unwrap();
    // Deleting a missing key is a success in S3.
    assert!(errors.is_empty(), "{errors:?}");
    assert!(names(&client, client.list_objects(&bucket))
        .await
        .is_empty());
    // An empty input sends nothing and yields nothing.
    let errors = client
        .remove_objects(&bucket, Vec::<DeleteObject>::new())
        .await
        .unwrap();
    assert!(errors.is_empty());
}
