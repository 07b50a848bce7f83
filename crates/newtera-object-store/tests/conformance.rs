//! object_store's own conformance suite (`object_store::integration`, every
//! public test function of 0.14.2) against `NewteraStore` on garage and on
//! moto: one test per function and server, each in a bucket of its own
//! (the suite expects a store it may empty).
//!
//! Where a server cannot do what a function tests, the test of that
//! function and server asserts the server's behaviour instead (its refusal,
//! or what it does that S3 would not), and a comment says so. Those tests
//! are in the `garage` and `moto` modules; the functions both servers pass
//! unchanged come from the `common!` macro.

#![allow(clippy::unwrap_used)]

use bytes::Bytes;
use newtera::Newtera;
use newtera_object_store::NewteraStore;
use newtera_testkit::TestServer;
use object_store::multipart::MultipartStore;
use object_store::path::Path;
use object_store::{
    integration, Attribute, Attributes, Error, ObjectStore, ObjectStoreExt as _, PutMode,
    PutMultipartOptions,
};

/// A store over a fresh bucket of `server`.
async fn store(server: &TestServer, name: &str) -> NewteraStore {
    let scheme = if server.secure { "https" } else { "http" };
    let client = Newtera::builder(format!("{scheme}://{}", server.endpoint))
        .access_key(server.access_key.clone())
        .secret_key(server.secret_key.clone())
        .region(server.region.clone())
        .build()
        .expect("client");
    let bucket = newtera_testkit::unique_bucket(name);
    client.make_bucket(&bucket).await.expect("make_bucket");
    NewteraStore::new(client, bucket)
}

async fn read(s: &NewteraStore, p: &Path) -> Bytes {
    s.get(p).await.unwrap().bytes().await.unwrap()
}

/// The attributes `put_get_attributes` writes.
fn all_attributes() -> Attributes {
    Attributes::from_iter([
        (Attribute::CacheControl, "max-age=604800"),
        (
            Attribute::ContentDisposition,
            r#"attachment; filename="test.html""#,
        ),
        (Attribute::ContentEncoding, "gzip"),
        (Attribute::ContentLanguage, "en-US"),
        (Attribute::ContentType, "text/html; charset=utf-8"),
        (Attribute::Metadata("test_key".into()), "test_value"),
        (
            Attribute::Metadata("key_with_spaces".into()),
            "hello   world",
        ),
        (Attribute::Metadata("plainkey".into()), "plain value"),
    ])
}

/// `e` is a `Generic` error whose Newtera source carries the S3 `code`.
fn assert_s3_code(e: &Error, code: &str) {
    let Error::Generic { source, .. } = e else {
        panic!("not Generic: {e}")
    };
    let n = source
        .downcast_ref::<newtera::Error>()
        .unwrap_or_else(|| panic!("not a Newtera error: {source}"));
    assert_eq!(n.code(), Some(code), "{n}");
}

/// copy_if_not_exists on a server that ignores `If-None-Match` on
/// CopyObject (both test servers): by default the adapter refuses the copy
/// (`NotSupported`, as object_store's S3 store does without a configured
/// mechanism); with conditional copies turned on, the server overwrites the
/// destination where S3 would answer 412 (`AlreadyExists`).
async fn copy_if_not_exists_ignored(s: NewteraStore) {
    let (from, to) = (Path::from("test1"), Path::from("not_exists_nested/test2"));
    s.put(&from, "cats".into()).await.unwrap();
    s.put(&to, "dogs".into()).await.unwrap();
    let err = s.copy_if_not_exists(&from, &to).await.unwrap_err();
    assert!(matches!(err, Error::NotSupported { .. }), "{err}");
    assert_eq!(read(&s, &to).await, "dogs");
    let s = s.with_conditional_copy(true);
    s.copy_if_not_exists(&from, &to).await.unwrap();
    assert_eq!(
        read(&s, &to).await,
        "cats",
        "the server honoured If-None-Match after all"
    );
}

/// The conformance functions both servers pass as they are, one test each.
macro_rules! common {
    ($server:ident) => {
        async fn store(name: &str) -> NewteraStore {
            super::store(newtera_testkit::$server(), name).await
        }

        #[tokio::test]
        async fn put_get_delete_list() {
            integration::put_get_delete_list(&store("pgdl").await).await;
        }

        #[tokio::test]
        async fn get_opts() {
            integration::get_opts(&store("get-opts").await).await;
        }

        #[tokio::test]
        async fn stream_get() {
            integration::stream_get(&store("stream-get").await).await;
        }

        #[tokio::test]
        async fn list_uses_directories_correctly() {
            integration::list_uses_directories_correctly(&store("list-dirs").await).await;
        }

        #[tokio::test]
        async fn list_with_delimiter() {
            integration::list_with_delimiter(&store("list-delim").await).await;
        }

        #[tokio::test]
        async fn list_with_offset_exclusivity() {
            integration::list_with_offset_exclusivity(&store("list-offset").await).await;
        }

        #[tokio::test]
        async fn list_paginated() {
            let s = store("list-pages").await;
            integration::list_paginated(&s, &s).await;
        }

        #[tokio::test]
        async fn get_nonexistent_object() {
            let err = integration::get_nonexistent_object(&store("nonexistent").await, None)
                .await
                .unwrap_err();
            assert!(matches!(err, Error::NotFound { .. }), "{err}");
        }

        #[tokio::test]
        async fn rename_and_copy() {
            integration::rename_and_copy(&store("rename-copy").await).await;
        }

        #[tokio::test]
        async fn copy_rename_nonexistent_object() {
            integration::copy_rename_nonexistent_object(&store("copy-missing").await).await;
        }

        #[tokio::test]
        async fn copy_if_not_exists() {
            copy_if_not_exists_ignored(store("copy-if-not").await).await;
        }

        #[tokio::test]
        async fn multipart_put_part_out_of_order() {
            let s = store("multipart-ooo-parts").await;
            integration::multipart_put_part_out_of_order(&s, &s).await;
        }

        #[tokio::test]
        async fn multipart_race_condition() {
            integration::multipart_race_condition(&store("multipart-race").await, true).await;
        }

        #[tokio::test]
        async fn multipart_out_of_order() {
            integration::multipart_out_of_order(&store("multipart-ooo").await).await;
        }
    };
}

mod garage {
    use super::*;

    common!(garage);

    #[tokio::test]
    async fn put_get_attributes() {
        integration::put_get_attributes(&store("attrs").await).await;
    }

    #[tokio::test]
    async fn multipart_with_opts() {
        let s = store("multipart-opts").await;
        integration::multipart_with_opts(&s, &s).await;
    }

    /// garage 2.5.0 ignores `If-None-Match` and `If-Match` on PutObject:
    /// both conditional writes that S3 refuses go through here (S3:
    /// `AlreadyExists`, then `Precondition`).
    #[tokio::test]
    async fn put_opts() {
        let s = store("put-opts").await;
        let p = Path::from("put_opts");
        let v1 = s
            .put_opts(&p, "a".into(), PutMode::Create.into())
            .await
            .unwrap();
        s.put_opts(&p, "b".into(), PutMode::Create.into())
            .await
            .expect("garage ignores If-None-Match");
        assert_eq!(read(&s, &p).await, "b");
        s.put_opts(&p, "c".into(), PutMode::Update(v1.into()).into())
            .await
            .expect("garage ignores If-Match");
        assert_eq!(read(&s, &p).await, "c");
    }

    /// The MultipartStore steps pass; the empty case does not: garage
    /// refuses the empty part that S3 completes an upload of nothing with
    /// (`InvalidRequest`, "Empty body").
    #[tokio::test]
    async fn multipart() {
        let s = store("multipart").await;
        let p = Path::from("test_multipart");
        let id = s.create_multipart(&p).await.unwrap();
        let chunk = Bytes::from(vec![7u8; 5 << 20]);
        let mut parts = Vec::new();
        for i in 0..2 {
            parts.push(s.put_part(&p, &id, i, chunk.clone().into()).await.unwrap());
        }
        s.complete_multipart(&p, &id, parts).await.unwrap();
        assert_eq!(s.head(&p).await.unwrap().size, 10 << 20);

        let p = Path::from("test_empty_multipart");
        let id = s.create_multipart(&p).await.unwrap();
        let err = s.complete_multipart(&p, &id, vec![]).await.unwrap_err();
        assert_s3_code(&err, "InvalidRequest");
        s.abort_multipart(&p, &id).await.unwrap();
        // An upload of nothing through put_multipart is one empty PutObject.
        let mut w = s.put_multipart(&p).await.unwrap();
        w.complete().await.unwrap();
        assert_eq!(s.head(&p).await.unwrap().size, 0);
    }
}

mod moto {
    use super::*;

    common!(moto);

    #[tokio::test]
    async fn put_opts() {
        integration::put_opts(&store("put-opts").await, true).await;
    }

    #[tokio::test]
    async fn multipart() {
        let s = store("multipart").await;
        integration::multipart(&s, &s).await;
    }

    /// moto's server drops request headers whose names contain `_` (as
    /// WSGI servers do), so the suite's `test_key` and `key_with_spaces`
    /// metadata never arrive; every other attribute round-trips, through a
    /// PutObject and through a multipart upload.
    #[tokio::test]
    async fn put_get_attributes() {
        let s = store("attrs").await;
        let p = Path::from("attributes");
        let sent = all_attributes();
        let arrived: Attributes = sent
            .iter()
            .filter(|(a, _)| !matches!(a, Attribute::Metadata(k) if k.contains('_')))
            .map(|(a, v)| (a.clone(), v.clone()))
            .collect();
        assert_eq!(arrived.len(), sent.len() - 2);
        s.put_opts(&p, "foo".into(), sent.clone().into())
            .await
            .unwrap();
        assert_eq!(s.get(&p).await.unwrap().attributes, arrived);
        let mut w = s.put_multipart_opts(&p, sent.into()).await.unwrap();
        w.put_part("foo".into()).await.unwrap();
        w.complete().await.unwrap();
        assert_eq!(s.get(&p).await.unwrap().attributes, arrived);
    }

    /// As in `put_get_attributes`: moto drops the suite's `test_key`
    /// metadata header (a `_` in its name); a key without one arrives.
    #[tokio::test]
    async fn multipart_with_opts() {
        let s = store("multipart-opts").await;
        for (key, arrives) in [("test_key", false), ("testkey", true)] {
            let p = Path::from(format!("with_opts_{arrives}"));
            let attributes =
                Attributes::from_iter([(Attribute::Metadata(key.into()), "test_value")]);
            let opts = PutMultipartOptions {
                attributes,
                ..Default::default()
            };
            let id = s.create_multipart_opts(&p, opts).await.unwrap();
            let part = s
                .put_part(&p, &id, 0, Bytes::from(vec![1u8; 5 << 20]).into())
                .await
                .unwrap();
            s.complete_multipart(&p, &id, vec![part]).await.unwrap();
            let r = s.get(&p).await.unwrap();
            assert_eq!(r.meta.size, 5 << 20);
            let got = r.attributes.get(&Attribute::Metadata(key.into()));
            assert_eq!(got.is_some(), arrives, "{key}: {got:?}");
        }
    }
}
