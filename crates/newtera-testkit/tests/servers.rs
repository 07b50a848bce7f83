//! The testkit's own tests: each server starts and answers over a real socket.

use std::io::{Read, Write};
use std::net::TcpStream;

/// Status code of an unauthenticated `GET /` (ListBuckets) on `endpoint`.
fn anonymous_get(endpoint: &str) -> u16 {
    let mut s = TcpStream::connect(endpoint).expect("connect");
    write!(
        s,
        "GET / HTTP/1.1\r\nHost: {endpoint}\r\nConnection: close\r\n\r\n"
    )
    .expect("write");
    let mut out = String::new();
    s.read_to_string(&mut out).expect("read");
    out[9..12].parse().expect("status")
}

#[test]
fn garage_starts_and_rejects_anonymous_requests() {
    let g = newtera_testkit::garage();
    assert!(g.caps().checks_signatures);
    assert!(g.access_key.starts_with("GK") && g.access_key.len() == 26);
    assert_eq!(g.region, "us-east-1");
    // garage checks signatures: an unsigned request is refused.
    assert_eq!(anonymous_get(&g.endpoint), 403);
    // Same instance on every call.
    assert!(std::ptr::eq(g, newtera_testkit::garage()));
}

#[test]
fn moto_starts_and_answers() {
    let m = newtera_testkit::moto();
    assert!(m.caps().versioning);
    // moto checks no signatures: ListBuckets answers.
    assert_eq!(anonymous_get(&m.endpoint), 200);
}

#[test]
fn servers_with_filters_by_caps() {
    let versioned = newtera_testkit::servers_with(|c| c.versioning);
    assert_eq!(versioned.len(), 1);
    assert_eq!(versioned[0].kind, newtera_testkit::ServerKind::Moto);
    let signing = newtera_testkit::servers_with(|c| c.checks_signatures);
    assert_eq!(signing.len(), 1);
    assert_eq!(signing[0].kind, newtera_testkit::ServerKind::Garage);
}

#[test]
fn debug_hides_the_secret() {
    let m = newtera_testkit::moto();
    let shown = format!("{m:?}");
    assert!(!shown.contains(&m.secret_key), "{shown}");
    assert!(shown.contains("redacted"));
}

#[test]
fn unique_bucket_names_are_valid_and_distinct() {
    for prefix in ["", "a", "My_Test.Bucket", &"x".repeat(100), "--ab--"] {
        let a = newtera_testkit::unique_bucket(prefix);
        let b = newtera_testkit::unique_bucket(prefix);
        assert_ne!(a, b);
        assert!((3..=63).contains(&a.len()), "{a}");
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-'),
            "{a}"
        );
        assert!(!a.starts_with('-') && !a.ends_with('-'), "{a}");
    }
}
