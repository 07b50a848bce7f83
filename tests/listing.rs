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

/// The query strings a [`listing_queries`] hook saw.
type Seen = std::sync::Arc<std::sync::Mutex<Vec<String>>>;

/// A hook recording the query strings of the GET requests that list
/// (`prefix=` in the query).
fn listing_queries() -> (
    common::Hook<
        impl Fn(&newtera::transport::HttpRequest) -> common::Then + Clone + Send + Sync + 'static,
    >,
    Seen,
) {
    let seen = Seen::default();
    let record = seen.clone();
    let hook = move |req: &newtera::transport::HttpRequest| {
        if req.method() == http::Method::GET {
            if let Some(q) = req.uri().query().filter(|q| q.contains("prefix=")) {
                record.lock().unwrap().push(q.to_owned());
            }
        }
        common::pass()
    };
    (common::Hook(hook), seen)
}

#[tokio::test]
async fn listings_always_send_delimiter_and_max_keys() {
    for server in common::all_servers() {
        let (hook, seen) = listing_queries();
        let client = common::builder(server).layer(hook).build().unwrap();
        let bucket = common::bucket(&client, "delim").await;
        let keys: Vec<String> = ["a", "d/e", "d/f/g"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        put_all(&client, &bucket, &keys).await;
        for v1 in [false, true] {
            seen.lock().unwrap().clear();
            // Recursive: an empty delimiter, and every key comes back.
            let got = names(
                &client,
                client.list_objects(&bucket).recursive(true).use_api_v1(v1),
            )
            .await;
            assert_eq!(got, keys, "{server:?} v1={v1}");
            // Not recursive: `/`, and the directory comes back as one.
            let got = names(
                &client,
                client.list_objects(&bucket).use_api_v1(v1).max_keys(2),
            )
            .await;
            assert_eq!(got, ["a", "d/"], "{server:?} v1={v1}");
            let queries = seen.lock().unwrap().clone();
            assert!(queries.len() >= 2, "{queries:?}");
            let params = |q: &str| -> Vec<String> { q.split('&').map(str::to_owned).collect() };
            let first = params(&queries[0]);
            assert!(first.contains(&"delimiter=".to_owned()), "{first:?}");
            assert!(first.contains(&"max-keys=1000".to_owned()), "{first:?}");
            let last = params(queries.last().unwrap());
            assert!(last.contains(&"delimiter=%2F".to_owned()), "{last:?}");
            assert!(last.contains(&"max-keys=2".to_owned()), "{last:?}");
        }
    }
}

#[tokio::test]
async fn keys_ending_in_a_slash_are_directories() {
    for server in common::all_servers() {
        let client = common::client(server);
        let bucket = common::bucket(&client, "isdir").await;
        client
            .put_object(&bucket, "folder/", Vec::new())
            .await
            .unwrap();
        client
            .put_object(&bucket, "folder/file", "x")
            .await
            .unwrap();
        let objs: Vec<Object> = client
            .list_objects(&bucket)
            .recursive(true)
            .into_stream()
            .try_collect()
            .await
            .unwrap();
        let dirs: Vec<_> = objs
            .iter()
            .map(|o| (o.object_name.as_str(), o.is_dir, o.size))
            .collect();
        assert_eq!(
            dirs,
            [("folder/", true, Some(0)), ("folder/file", false, Some(1))],
            "{server:?}"
        );
    }
}

#[tokio::test]
async fn remove_objects_leaves_out_no_such_version() {
    // moto keeps versions (garage does not).
    let client = common::client(newtera_testkit::moto());
    let bucket = newtera_testkit::unique_bucket("nsv");
    client.make_bucket(&bucket).object_lock(true).await.unwrap();
    let v = client
        .put_object(&bucket, "k", "data")
        .await
        .unwrap()
        .version_id
        .unwrap();
    let errors = client
        .remove_objects(
            &bucket,
            vec![
                DeleteObject::with_version("k", v),
                DeleteObject::with_version("k", "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY"),
                DeleteObject::with_version("absent", "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY"),
            ],
        )
        .await
        .unwrap();
    assert!(
        errors.iter().all(|e| e.code != "NoSuchVersion"),
        "{errors:?}"
    );
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
async fn incomplete_uploads_of_awkward_keys_list_by_their_names() {
    use newtera::transport::{ErrorKind, TransportError};
    for server in common::all_servers() {
        let plain = common::client(server);
        let bucket = common::bucket(&plain, "incup").await;
        // Aborts never reach the server, so a failed upload stays behind.
        let no_abort = common::Hook(|req: &newtera::transport::HttpRequest| -> common::Then {
            let abort = req.method() == http::Method::DELETE
                && req.uri().query().is_some_and(|q| q.contains("uploadId="));
            if abort {
                Box::new(|_fut| Box::pin(async { Err(TransportError::new(ErrorKind::Other)) }))
            } else {
                common::pass()
            }
        });
        let client = common::builder(server).layer(no_abort).build().unwrap();
        let keys = ["inc/100%/ü&<x>", "inc/a b+c"];
        for key in keys {
            let part = bytes::Bytes::from(vec![7u8; 5 * 1024 * 1024]);
            let chunks = futures::stream::iter(vec![
                Ok(part),
                Err(std::io::Error::other("the source broke")),
            ]);
            let err = client
                .put_object(
                    &bucket,
                    key,
                    newtera::ObjectContent::from_stream(chunks, Some(12 * 1024 * 1024)),
                )
                .part_size(5 * 1024 * 1024)
                .await;
            assert!(err.is_err(), "{server:?}");
        }
        let mut listed: Vec<String> = plain
            .list_incomplete_uploads(&bucket)
            .prefix("inc/")
            .await
            .unwrap()
            .into_iter()
            .map(|u| u.object_name)
            .collect();
        listed.sort();
        assert_eq!(listed, keys, "{server:?}");
        for key in keys {
            plain.remove_incomplete_upload(&bucket, key).await.unwrap();
        }
        assert!(plain
            .list_incomplete_uploads(&bucket)
            .await
            .unwrap()
            .is_empty());
    }
}

/// DeleteObjects carries the client's checksum (`x-amz-checksum-*` with
/// `x-amz-sdk-checksum-algorithm`) instead of `Content-MD5`, which S3 takes
/// as the body's integrity check; with checksums off it carries
/// `Content-MD5`. Either way the objects are gone.
#[tokio::test]
async fn remove_objects_sends_the_configured_integrity_header() {
    use newtera::ChecksumAlgorithm;
    for server in common::all_servers() {
        for alg in [
            Some(ChecksumAlgorithm::Crc64Nvme),
            Some(ChecksumAlgorithm::Crc32c),
            None,
        ] {
            let seen: std::sync::Arc<std::sync::Mutex<Vec<http::HeaderMap>>> = Default::default();
            let log = seen.clone();
            let client = common::builder(server)
                .checksum_algorithm(alg)
                .layer(common::Hook(
                    move |req: &newtera::transport::HttpRequest| {
                        let q = req.uri().query().unwrap_or_default();
                        if req.method() == http::Method::POST
                            && q.split('&').any(|p| p == "delete" || p == "delete=")
                        {
                            log.lock().unwrap().push(req.headers().clone());
                        }
                        common::pass()
                    },
                ))
                .build()
                .unwrap();
            let bucket = common::bucket(&client, "delsum").await;
            let keys: Vec<String> = (0..5).map(|i| format!("k{i} &<x>")).collect();
            put_all(&client, &bucket, &keys).await;
            let errors = client.remove_objects(&bucket, keys.clone()).await.unwrap();
            assert!(errors.is_empty(), "{:?}: {alg:?}: {errors:?}", server.kind);
            assert!(
                names(&client, client.list_objects(&bucket))
                    .await
                    .is_empty(),
                "{:?}: {alg:?}: objects left",
                server.kind
            );
            let seen = seen.lock().unwrap();
            assert_eq!(
                seen.len(),
                1,
                "{:?}: one DeleteObjects request",
                server.kind
            );
            let h = &seen[0];
            match alg {
                Some(alg) => {
                    assert!(h.get(alg.header_name()).is_some(), "{alg:?}: {h:?}");
                    assert_eq!(h["x-amz-sdk-checksum-algorithm"], alg.as_str());
                    assert!(h.get("content-md5").is_none(), "{alg:?}: {h:?}");
                }
                None => {
                    assert!(h.get("content-md5").is_some(), "{h:?}");
                    assert!(h.get("x-amz-sdk-checksum-algorithm").is_none(), "{h:?}");
                    assert!(
                        !h.keys().any(|k| k.as_str().starts_with("x-amz-checksum-")),
                        "{h:?}"
                    );
                }
            }
        }
    }
}

/// A page is requested only when the consumer reads past the previous one
/// (the fetch runs in a task of its own, spawned on demand), and a dropped
/// stream sends nothing more.
#[tokio::test]
async fn listing_pages_are_fetched_on_demand_and_stop_with_the_stream() {
    for server in common::all_servers() {
        let client = common::client(server);
        let bucket = common::bucket(&client, "lazy").await;
        let keys: Vec<String> = (0..25).map(|i| format!("k/{i:02}")).collect();
        put_all(&client, &bucket, &keys).await;
        let sent = common::Count::default();
        // The region given, so that no location lookup is counted.
        let counted = common::builder(server)
            .region(server.region.clone())
            .layer(sent.clone())
            .build()
            .unwrap();
        let mut stream = counted
            .list_objects(&bucket)
            .recursive(true)
            .max_keys(10)
            .into_stream();
        assert_eq!(sent.get(), 0, "{server:?}: nothing before the first poll");
        for (i, want) in keys.iter().take(11).enumerate() {
            let o = stream.try_next().await.unwrap().unwrap();
            assert_eq!(&o.object_name, want);
            // Objects 0-9 come from page 1, object 10 from page 2.
            assert_eq!(sent.get(), if i < 10 { 1 } else { 2 }, "{server:?} at {i}");
        }
        // Pages 2 and 3 are left unread; page 3 was never asked for.
        drop(stream);
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert_eq!(sent.get(), 2, "{server:?}: nothing after the drop");

        let all = names(&client, client.list_objects(&bucket).recursive(true)).await;
        assert_eq!(all, keys);
        for k in &keys {
            client.remove_object(&bucket, k).await.unwrap();
        }
        client.remove_bucket(&bucket).await.unwrap();
    }
}
