//! Presigned URLs and POST policies, used by a plain HTTP client (hyper-util
//! directly, not Newtera) against garage, which checks signatures, and moto.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use http_body_util::{BodyExt as _, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use newtera::{Error, Newtera, PostPolicy, PostPolicyForm};

use common::Count;

/// What a plain HTTP client got back.
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Answer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One request with hyper-util's client: the URL is sent as given.
async fn plain(method: Method, url: &str, headers: &[(&str, &str)], body: Bytes) -> Answer {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let mut req = http::Request::builder().method(method).uri(url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = client
        .request(req.body(Full::new(body)).unwrap())
        .await
        .unwrap();
    let (parts, body) = resp.into_parts();
    Answer {
        status: parts.status,
        headers: parts.headers,
        body: body.collect().await.unwrap().to_bytes(),
    }
}

async fn plain_get(url: &str) -> Answer {
    plain(Method::GET, url, &[], Bytes::new()).await
}

/// A client for `server` with its region (so presigning is offline) and a
/// request counter.
fn counted(server: &newtera_testkit::TestServer, region: bool) -> (Newtera, Count) {
    let count = Count::default();
    let mut b = common::builder(server).layer(count.clone());
    if region {
        b = b.region(server.region.clone());
    }
    (b.build().unwrap(), count)
}

const AK: &str = "AKIAIOSFODNN7EXAMPLE";
const SK: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

// AWS S3 API reference, "Authenticating Requests: Using Query Parameters
// (AWS Signature Version 4)": the example presigned GET, made through the
// client API, offline.
#[tokio::test]
async fn aws_example_presigned_url_is_reproduced_exactly() {
    let count = Count::default();
    let client = Newtera::builder("s3.amazonaws.com")
        .access_key(AK)
        .secret_key(SK)
        .region("us-east-1")
        .layer(count.clone())
        .build()
        .unwrap();
    let url = client
        .presigned_get_object("examplebucket", "test.txt")
        .expires(Duration::from_secs(86_400))
        .request_date(UNIX_EPOCH + Duration::from_secs(1_369_353_600)) // 20130524T000000Z
        .await
        .unwrap();
    assert_eq!(
        url,
        "https://examplebucket.s3.amazonaws.com/test.txt\
         ?X-Amz-Algorithm=AWS4-HMAC-SHA256\
         &X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request\
         &X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host\
         &X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
    );
    assert_eq!(
        count.get(),
        0,
        "presigning with a known region sends nothing"
    );
}

#[tokio::test]
async fn presigned_get_and_put_work_from_a_plain_http_client() {
    for server in common::all_servers() {
        let (client, count) = counted(server, true);
        let bucket = common::bucket(&client, "presign").await;
        let key = "dir/a b+c%ü.txt";
        client
            .put_object(&bucket, key, "hello, presigned")
            .await
            .unwrap();

        let before = count.get();
        let url = client
            .presigned_get_object(&bucket, key)
            .expires(Duration::from_secs(600))
            .response_headers([
                ("response-content-type", "application/x-newtera"),
                (
                    "response-content-disposition",
                    "attachment; filename=\"x y.txt\"",
                ),
            ])
            .await
            .unwrap();
        let put_url = client
            .presigned_put_object(&bucket, "uploaded/by url.bin")
            .expires(Duration::from_secs(600))
            .await
            .unwrap();
        assert_eq!(
            count.get(),
            before,
            "{:?}: presigning sent requests",
            server.kind
        );

        let got = plain_get(&url).await;
        assert_eq!(
            got.status,
            StatusCode::OK,
            "{:?}: {}",
            server.kind,
            got.text()
        );
        assert_eq!(&got.body[..], b"hello, presigned");
        if server.kind == newtera_testkit::ServerKind::Moto {
            // moto ignores the response-* overrides and sends the stored
            // content type (the signed URL is still served).
            assert_eq!(
                got.headers.get("content-type").unwrap(),
                "application/octet-stream"
            );
        } else {
            assert_eq!(
                got.headers.get("content-type").unwrap(),
                "application/x-newtera"
            );
            assert_eq!(
                got.headers.get("content-disposition").unwrap(),
                "attachment; filename=\"x y.txt\""
            );
        }

        let data = Bytes::from(vec![7u8; 100_000]);
        let put = plain(Method::PUT, &put_url, &[], data.clone()).await;
        assert_eq!(
            put.status,
            StatusCode::OK,
            "{:?}: {}",
            server.kind,
            put.text()
        );
        let back = client
            .get_object(&bucket, "uploaded/by url.bin")
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert_eq!(back, data, "{:?}", server.kind);
    }
}

/// Replaces the value of query parameter `name` in `url`.
fn with_param(url: &str, name: &str, value: &str) -> String {
    let (base, query) = url.split_once('?').unwrap();
    let query: Vec<String> = query
        .split('&')
        .map(|p| match p.split_once('=') {
            Some((k, _)) if k == name => format!("{k}={value}"),
            _ => p.to_owned(),
        })
        .collect();
    format!("{base}?{}", query.join("&"))
}

// garage checks the signature and the lifetime of presigned URLs.
#[tokio::test]
async fn tampered_and_expired_urls_are_refused_by_garage() {
    let server = newtera_testkit::garage();
    let (client, _) = counted(server, true);
    let bucket = common::bucket(&client, "presign-bad").await;
    client.put_object(&bucket, "secret", "top").await.unwrap();
    client.put_object(&bucket, "other", "other").await.unwrap();
    let url = client
        .presigned_get_object(&bucket, "secret")
        .expires(Duration::from_secs(3600))
        .await
        .unwrap();
    assert_eq!(plain_get(&url).await.status, StatusCode::OK);

    let signature = url.rsplit_once("X-Amz-Signature=").unwrap().1;
    let flipped: String = signature
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i == 0 {
                if c == '0' {
                    '1'
                } else {
                    '0'
                }
            } else {
                c
            }
        })
        .collect();
    let tampered = [
        ("signature", with_param(&url, "X-Amz-Signature", &flipped)),
        ("lifetime", with_param(&url, "X-Amz-Expires", "604800")),
        ("object", url.replacen("/secret?", "/other?", 1)),
        (
            "added parameter",
            url.replacen("?", "?response-content-type=text%2Fhtml&", 1),
        ),
    ];
    for (what, bad) in tampered {
        assert_ne!(bad, url, "{what}");
        let got = plain_get(&bad).await;
        assert_eq!(got.status, StatusCode::FORBIDDEN, "{what}: {}", got.text());
        assert!(!got.text().contains("top"), "{what}");
    }
    // The method is signed: a GET URL does not upload.
    let put = plain(Method::PUT, &url, &[], Bytes::from_static(b"overwrite")).await;
    assert_eq!(put.status, StatusCode::FORBIDDEN, "{}", put.text());

    // Signed two hours ago for one hour.
    let expired = client
        .presigned_get_object(&bucket, "secret")
        .expires(Duration::from_secs(3600))
        .request_date(SystemTime::now() - Duration::from_secs(7200))
        .await
        .unwrap();
    let got = plain_get(&expired).await;
    // garage deviates from S3 (403 AccessDenied "Request has expired"): it
    // answers 400 InvalidRequest "Date is too old".
    assert_eq!(got.status, StatusCode::BAD_REQUEST, "{}", got.text());
    assert!(got.text().contains("Date is too old"), "{}", got.text());
    assert!(!got.text().contains("top"));
    // A URL valid for one second, used three seconds later.
    let short = client
        .presigned_get_object(&bucket, "secret")
        .expires(Duration::from_secs(1))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let got = plain_get(&short).await;
    assert_eq!(got.status, StatusCode::BAD_REQUEST, "{}", got.text());
    assert!(got.text().contains("Date is too old"), "{}", got.text());
    // ... while the same request date with a longer lifetime is accepted.
    let still_valid = client
        .presigned_get_object(&bucket, "secret")
        .expires(Duration::from_secs(3 * 3600))
        .request_date(SystemTime::now() - Duration::from_secs(7200))
        .await
        .unwrap();
    assert_eq!(plain_get(&still_valid).await.status, StatusCode::OK);
}

// moto keeps versions; garage does not.
#[tokio::test]
async fn version_id_and_extra_query_params_are_signed_in() {
    let server = newtera_testkit::moto();
    let client = common::client(server);
    let bucket = newtera_testkit::unique_bucket("presign-ver");
    client.make_bucket(&bucket).object_lock(true).await.unwrap();
    let v1 = client.put_object(&bucket, "doc", "first").await.unwrap();
    client.put_object(&bucket, "doc", "second").await.unwrap();
    let url = client
        .presigned_get_object(&bucket, "doc")
        .version_id(v1.version_id.clone().unwrap())
        .extra_query_params([("partNumber", "1")])
        .await
        .unwrap();
    assert!(url.contains("versionId="), "{url}");
    assert!(url.contains("partNumber=1"), "{url}");
    let got = plain_get(&url).await;
    assert!(got.status.is_success(), "{}", got.text());
    assert_eq!(&got.body[..], b"first");
}

#[tokio::test]
async fn region_is_discovered_once_then_presigning_is_offline() {
    let server = newtera_testkit::garage();
    let (client, count) = counted(server, false);
    let bucket = common::bucket(&client, "presign-region").await;
    client.put_object(&bucket, "k", "v").await.unwrap();
    let (fresh, count) = {
        drop(count);
        counted(server, false)
    };
    let url = fresh.presigned_get_object(&bucket, "k").await.unwrap();
    assert_eq!(count.get(), 1, "one GetBucketLocation");
    fresh.presigned_put_object(&bucket, "k2").await.unwrap();
    fresh
        .presigned_post_policy(
            PostPolicy::new(&bucket, SystemTime::now() + Duration::from_secs(60))
                .add_equals_condition("key", "k3"),
        )
        .await
        .unwrap();
    assert_eq!(count.get(), 1, "the region is remembered");
    assert_eq!(&plain_get(&url).await.body[..], b"v");
}

#[tokio::test]
async fn session_token_goes_in_the_url_and_the_policy() {
    let count = Count::default();
    let client = Newtera::builder("http://127.0.0.1:1")
        .access_key("AK")
        .secret_key("SK")
        .session_token("to+ken/=")
        .region("eu-central-1")
        .layer(count.clone())
        .build()
        .unwrap();
    let url = client.presigned_get_object("b-1", "k").await.unwrap();
    assert!(url.starts_with("http://127.0.0.1:1/b-1/k?"), "{url}");
    assert!(url.contains("X-Amz-Security-Token=to%2Bken%2F%3D"), "{url}");
    assert!(url.contains("%2Feu-central-1%2Fs3%2Faws4_request"), "{url}");
    assert!(
        url.contains("X-Amz-Expires=604800&"),
        "default lifetime 7 days: {url}"
    );

    let form = client
        .presigned_post_policy(
            PostPolicy::new("b-1", SystemTime::now() + Duration::from_secs(60))
                .add_starts_with_condition("key", ""),
        )
        .await
        .unwrap();
    assert_eq!(form.url, "http://127.0.0.1:1/b-1");
    assert_eq!(form.form_data["x-amz-security-token"], "to+ken/=");
    let policy = decode_policy(&form);
    assert!(
        policy.contains(r#"["eq","$x-amz-security-token","to+ken/="]"#),
        "{policy}"
    );
    assert!(
        !format!("{form:?}").contains("to+ken"),
        "Debug masks the token"
    );
    assert_eq!(count.get(), 0);
}

fn decode_policy(form: &PostPolicyForm) -> String {
    use base64::Engine as _;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(&form.form_data["policy"])
        .unwrap();
    String::from_utf8(raw).unwrap()
}

#[tokio::test]
async fn bad_arguments_are_refused_before_anything_is_sent() {
    let server = newtera_testkit::garage();
    // No region: anything that got past the checks would send a
    // GetBucketLocation.
    let (client, count) = counted(server, false);
    let expiry = |d: Duration| client.presigned_get_object("b-1", "k").expires(d);
    for bad in [
        expiry(Duration::ZERO),
        expiry(Duration::from_millis(999)),
        expiry(Duration::from_secs(7 * 24 * 3600 + 1)),
        expiry(Duration::from_secs(30 * 24 * 3600)),
        client
            .presigned_get_object("b-1", "k")
            .extra_query_params([("X-Amz-Signature", "0")]),
        client
            .presigned_get_object("b-1", "k")
            .response_headers([("x-amz-security-token", "t")]),
        client.presigned_put_object("-bad-bucket", "k"),
        client.presigned_put_object("b-1", ""),
        client
            .get_presigned_url(Method::DELETE, "b-1", "k")
            .request_date(UNIX_EPOCH - Duration::from_secs(1)),
    ] {
        let err = bad.await.unwrap_err();
        assert!(err.is_invalid_argument(), "{err:?}");
    }
    let expiry_err = expiry(Duration::ZERO).await.unwrap_err();
    assert!(
        matches!(
            &expiry_err,
            Error::InvalidArgument {
                param: "expires",
                ..
            }
        ),
        "{expiry_err:?}"
    );

    let in_a_minute = SystemTime::now() + Duration::from_secs(60);
    let policy = || PostPolicy::new("b-1", in_a_minute);
    for bad in [
        policy(),
        policy().add_starts_with_condition("Content-Type", "image/"),
        policy()
            .add_equals_condition("key", "k")
            .add_equals_condition("policy", "x"),
        policy()
            .add_equals_condition("key", "k")
            .add_equals_condition("redirect", "x"),
        policy()
            .add_equals_condition("key", "k")
            .add_starts_with_condition("x-amz-storage-class", ""),
        policy()
            .add_equals_condition("key", "k")
            .add_content_length_range_condition(10, 9),
        PostPolicy::new("..", in_a_minute).add_equals_condition("key", "k"),
    ] {
        let err = client.presigned_post_policy(bad).await.unwrap_err();
        assert!(err.is_invalid_argument(), "{err:?}");
    }

    // Anonymous: a URL is handed out unsigned, as the reference SDK does;
    // a POST policy has nothing to sign with.
    let anon_count = Count::default();
    let anonymous = Newtera::builder(server.url())
        .region(server.region.clone())
        .layer(anon_count.clone())
        .build()
        .unwrap();
    let url = anonymous
        .presigned_get_object("b-1", "k")
        .version_id("v1")
        .await
        .unwrap();
    assert!(!url.contains("X-Amz-"), "{url}");
    assert!(url.ends_with("/b-1/k?versionId=v1"), "{url}");
    let err = anonymous
        .presigned_post_policy(policy().add_equals_condition("key", "k"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidArgument {
                param: "credentials",
                ..
            }
        ),
        "{err:?}"
    );

    assert_eq!(count.get() + anon_count.get(), 0, "nothing was sent");
}

/// A `multipart/form-data` body: `fields` in order, then the file.
fn form_body(fields: &[(&str, &str)], file: &[u8]) -> (String, Bytes) {
    let boundary = "newtera-form-boundary-5b2a9c";
    let mut out = Vec::new();
    for (name, value) in fields {
        out.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    out.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"upload.txt\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    out.extend_from_slice(file);
    out.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (
        format!("multipart/form-data; boundary={boundary}"),
        Bytes::from(out),
    )
}

/// A form upload that breaks the policy: what, the form, its fields, the file.
type Violation<'a> = (
    &'a str,
    &'a PostPolicyForm,
    &'a [(&'a str, &'a str)],
    &'a [u8],
);

/// POSTs `form` with the extra `fields` and `file`.
async fn post_form(form: &PostPolicyForm, fields: &[(&str, &str)], file: &[u8]) -> Answer {
    let mut all: Vec<(&str, &str)> = form
        .form_data
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    all.extend_from_slice(fields);
    let (content_type, body) = form_body(&all, file);
    plain(
        Method::POST,
        &form.url,
        &[("content-type", &content_type)],
        body,
    )
    .await
}

#[tokio::test]
async fn post_policy_form_upload_is_accepted_and_conditions_enforced() {
    for server in common::all_servers() {
        let (client, count) = counted(server, true);
        let bucket = common::bucket(&client, "post-policy").await;
        let before = count.get();
        let policy = PostPolicy::new(&bucket, SystemTime::now() + Duration::from_secs(600))
            .add_starts_with_condition("key", "uploads/")
            .add_equals_condition("Content-Type", "text/plain")
            .add_equals_condition("success_action_status", "201")
            .add_content_length_range_condition(1, 1024);
        let form = client.presigned_post_policy(policy).await.unwrap();
        assert_eq!(count.get(), before, "signing a policy sends nothing");

        let ok_fields = [
            ("key", "uploads/report one.txt"),
            ("Content-Type", "text/plain"),
            ("success_action_status", "201"),
        ];
        let got = post_form(&form, &ok_fields, b"posted through a form").await;
        assert_eq!(
            got.status,
            StatusCode::CREATED,
            "{:?}: {}",
            server.kind,
            got.text()
        );
        let st = client
            .stat_object(&bucket, "uploads/report one.txt")
            .await
            .unwrap();
        assert_eq!(st.size, Some(21));
        assert_eq!(
            st.content_type.as_deref(),
            Some("text/plain"),
            "{:?}",
            server.kind
        );
        let back = client
            .get_object(&bucket, "uploads/report one.txt")
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert_eq!(&back[..], b"posted through a form");

        // Each violates one condition.
        let outside_prefix = [ok_fields[0], ok_fields[1], ok_fields[2]].map(|(k, v)| {
            if k == "key" {
                (k, "elsewhere/x.txt")
            } else {
                (k, v)
            }
        });
        let wrong_type = ok_fields.map(|(k, v)| {
            if k == "Content-Type" {
                (k, "text/html")
            } else {
                (k, v)
            }
        });
        let big = vec![b'x'; 2048];
        let mut tampered = form.clone();
        tampered
            .form_data
            .insert("x-amz-signature".into(), "0".repeat(64));
        let violations: [Violation<'_>; 4] = [
            ("key outside the prefix", &form, &outside_prefix, b"data"),
            ("content type", &form, &wrong_type, b"data"),
            ("too large", &form, &ok_fields, &big),
            ("bad signature", &tampered, &ok_fields, b"data"),
        ];
        for (what, form, fields, file) in violations {
            let got = post_form(form, fields, file).await;
            println!("{:?}: {what}: {} {}", server.kind, got.status, got.text());
            if server.caps().checks_signatures {
                // garage answers 403 AccessDenied for a bad signature, and
                // 400 InvalidRequest for a broken condition (where S3 says
                // 403 AccessDenied, or 400 EntityTooLarge for the size).
                let expected = if what == "bad signature" {
                    StatusCode::FORBIDDEN
                } else {
                    StatusCode::BAD_REQUEST
                };
                assert_eq!(got.status, expected, "{what}: {}", got.text());
            } else {
                // moto checks neither the policy's conditions nor its
                // signature: it stores whatever is posted.
                assert_eq!(got.status, StatusCode::CREATED, "{what}");
            }
        }
        let stray = client.stat_object(&bucket, "elsewhere/x.txt").await;
        assert_eq!(stray.is_ok(), !server.caps().checks_signatures);
        if server.caps().checks_signatures {
            // The refused uploads to the same key left the object alone.
            let back = client
                .get_object(&bucket, "uploads/report one.txt")
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
            assert_eq!(&back[..], b"posted through a form");
        }
    }
}
