//! The embedded s3s-fs server answers, checks signatures, and stops on drop.

use std::io::{Read, Write};
use std::net::TcpStream;

fn anonymous_get(endpoint: &str) -> std::io::Result<String> {
    let mut s = TcpStream::connect(endpoint)?;
    write!(
        s,
        "GET / HTTP/1.1\r\nHost: {endpoint}\r\nConnection: close\r\n\r\n"
    )?;
    let mut out = String::new();
    s.read_to_string(&mut out)?;
    Ok(out)
}

#[tokio::test]
async fn embedded_server_answers_and_stops_on_drop() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = newtera_testkit::start_embedded(dir.path(), "AKEMBEDDED", "embedded-secret")
        .await
        .expect("start");
    assert!(!format!("{server:?}").contains("embedded-secret"));
    let endpoint = server.endpoint.clone();
    // Signatures are checked: an anonymous ListBuckets is refused.
    let answer = tokio::task::spawn_blocking({
        let endpoint = endpoint.clone();
        move || anonymous_get(&endpoint)
    })
    .await
    .expect("join")
    .expect("request");
    assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
    drop(server);
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    assert!(
        TcpStream::connect(&endpoint).is_err(),
        "still listening after drop"
    );
}
