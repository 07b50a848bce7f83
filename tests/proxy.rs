//! Forward proxies, through a real one: tinyproxy (started by the testkit on
//! a free 127.0.0.1 port), which logs every request it relays. Plain HTTP to
//! garage goes to the proxy in absolute form; HTTPS to garage behind the
//! test TLS terminator goes through a `CONNECT` tunnel. garage checks every
//! signature, so the relayed requests arrive intact.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use newtera::transport::{ErrorKind, RetryConfig};
use newtera::{Error, Newtera};

async fn round_trip(client: &Newtera, prefix: &str) -> String {
    let bucket = common::bucket(client, prefix).await;
    client.put_object(&bucket, "k", "via proxy").await.unwrap();
    let got = client
        .get_object(&bucket, "k")
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(&got[..], b"via proxy");
    client.remove_object(&bucket, "k").await.unwrap();
    client.remove_bucket(&bucket).await.unwrap();
    bucket
}

#[tokio::test]
async fn plain_http_goes_through_the_proxy_in_absolute_form() {
    let proxy = newtera_testkit::tinyproxy();
    let server = newtera_testkit::garage();
    let client = common::builder(server).proxy(proxy.url()).build().unwrap();
    let bucket = round_trip(&client, "proxy-http").await;
    let log = proxy.log();
    // tinyproxy logs the request line it received: the absolute URI.
    for line in [
        format!("PUT http://{}/{bucket} ", server.endpoint),
        format!("PUT http://{}/{bucket}/k ", server.endpoint),
        format!("GET http://{}/{bucket}/k ", server.endpoint),
    ] {
        assert!(log.contains(&line), "{line:?} not in the proxy log:\n{log}");
    }
}

#[tokio::test]
async fn https_goes_through_a_connect_tunnel() {
    let proxy = newtera_testkit::tinyproxy();
    let server = newtera_testkit::garage_tls();
    let before = proxy
        .log()
        .matches(&format!("CONNECT {} ", server.endpoint))
        .count();
    let client = common::builder(server).proxy(proxy.url()).build().unwrap();
    let bucket = round_trip(&client, "proxy-https").await;
    let log = proxy.log();
    let after = log
        .matches(&format!("CONNECT {} ", server.endpoint))
        .count();
    assert!(
        after > before,
        "no CONNECT to {} in the proxy log:\n{log}",
        server.endpoint
    );
    // The requests themselves went inside the tunnel, encrypted: the proxy
    // never saw them.
    assert!(!log.contains(&bucket), "{log}");
}

#[tokio::test]
async fn a_dead_proxy_is_a_connect_error_not_a_bypass() {
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    for server in [newtera_testkit::garage(), newtera_testkit::garage_tls()] {
        let client = common::builder(server)
            .proxy(format!("http://{dead}"))
            .retry(RetryConfig {
                max_attempts: 1,
                ..RetryConfig::default()
            })
            .connect_timeout(Duration::from_secs(5))
            .build()
            .unwrap();
        let err = client.list_buckets().await.unwrap_err();
        match &err {
            Error::Transport { source, .. } => {
                assert_eq!(source.kind(), ErrorKind::Connect, "{err:?}")
            }
            other => panic!("expected a connect error, got {other:?}"),
        }
    }
}

#[test]
fn a_bad_proxy_url_fails_the_build() {
    for bad in [
        "127.0.0.1:3128",
        "socks5://127.0.0.1:1080",
        "https://p:3128",
        "http://",
    ] {
        let err = Newtera::builder("http://127.0.0.1:1")
            .proxy(bad)
            .build()
            .unwrap_err();
        match &err {
            Error::Transport { source, .. } => {
                assert_eq!(source.kind(), ErrorKind::Config, "{bad}: {err:?}")
            }
            other => panic!("{bad}: expected a config error, got {other:?}"),
        }
    }
    let err = Newtera::builder("http://127.0.0.1:1")
        .proxy("http://user:hunter2@127.0.0.1:3128/path")
        .build()
        .unwrap_err();
    assert!(!format!("{err:?} {err}").contains("hunter2"), "{err:?}");
}

const PROXY_VARS: [&str; 9] = [
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
    "REQUEST_METHOD",
];

/// The environment rules, in one test: this is the only test of this file
/// that reads the environment (the others name their proxy), so changing it
/// here cannot disturb them.
#[tokio::test]
async fn the_environment_names_the_proxy_and_the_exceptions() {
    let proxy = newtera_testkit::tinyproxy();
    let server = newtera_testkit::garage();
    let through = |bucket: &str| {
        proxy
            .log()
            .contains(&format!("http://{}/{bucket}", server.endpoint))
    };
    for var in PROXY_VARS {
        std::env::remove_var(var);
    }

    // Lower-case http_proxy is honoured.
    std::env::set_var("http_proxy", proxy.url());
    let client = common::client(server);
    let b = round_trip(&client, "proxy-env-lower").await;
    assert!(through(&b), "http_proxy was not used");

    // Upper case wins over lower case.
    std::env::set_var("http_proxy", "http://127.0.0.1:1");
    std::env::set_var("HTTP_PROXY", proxy.url());
    let b = round_trip(&common::client(server), "proxy-env-upper").await;
    assert!(through(&b), "HTTP_PROXY was not used");

    // NO_PROXY lists the host: direct.
    std::env::set_var("NO_PROXY", "example.invalid, 127.0.0.1");
    let b = round_trip(&common::client(server), "proxy-env-noproxy").await;
    assert!(!through(&b), "NO_PROXY=127.0.0.1 went through the proxy");

    // A CIDR range in no_proxy (lower case) works too.
    std::env::remove_var("NO_PROXY");
    std::env::set_var("no_proxy", "127.0.0.0/8");
    let b = round_trip(&common::client(server), "proxy-env-cidr").await;
    assert!(!through(&b), "no_proxy=127.0.0.0/8 went through the proxy");

    // HTTPS_PROXY is not used for plain HTTP, and no_proxy() ignores all.
    std::env::remove_var("no_proxy");
    std::env::set_var("HTTP_PROXY", "http://127.0.0.1:1");
    std::env::set_var("HTTPS_PROXY", proxy.url());
    let b = round_trip(
        &common::builder(server).no_proxy().build().unwrap(),
        "proxy-env-off",
    )
    .await;
    assert!(!through(&b));
    let err = common::builder(server)
        .retry(RetryConfig {
            max_attempts: 1,
            ..RetryConfig::default()
        })
        .build()
        .unwrap()
        .list_buckets()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Transport { source, .. } if source.kind() == ErrorKind::Connect),
        "HTTP_PROXY (a dead one) was not used: {err:?}"
    );

    // HTTPS_PROXY for an https:// endpoint: a tunnel.
    let tls = newtera_testkit::garage_tls();
    let tunnels = || {
        proxy
            .log()
            .matches(&format!("CONNECT {} ", tls.endpoint))
            .count()
    };
    let before = tunnels();
    round_trip(&common::client(tls), "proxy-env-https").await;
    assert!(tunnels() > before, "HTTPS_PROXY was not used");

    for var in PROXY_VARS {
        std::env::remove_var(var);
    }
}
