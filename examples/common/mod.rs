//! Shared by the examples: a client for `NEWTERA_ENDPOINT` when it is set,
//! otherwise for an embedded S3 server started in this process.

#![allow(dead_code)]

use newtera::Newtera;
use newtera_testkit::EmbeddedServer;

/// A client and, when no endpoint was configured, the server it talks to.
pub struct Setup {
    /// The client.
    pub client: Newtera,
    /// Keeps the embedded server (and its data folder) alive.
    _server: Option<(EmbeddedServer, tempfile::TempDir)>,
}

/// Connects to `NEWTERA_ENDPOINT` with `NEWTERA_ACCESS_KEY` /
/// `NEWTERA_SECRET_KEY`, or starts an embedded s3s-fs server.
pub async fn setup() -> Result<Setup, Box<dyn std::error::Error>> {
    if let Ok(endpoint) = std::env::var("NEWTERA_ENDPOINT") {
        let mut b = Newtera::builder(endpoint);
        if let (Ok(a), Ok(s)) = (
            std::env::var("NEWTERA_ACCESS_KEY"),
            std::env::var("NEWTERA_SECRET_KEY"),
        ) {
            b = b.access_key(a).secret_key(s);
        }
        if let Ok(r) = std::env::var("NEWTERA_REGION") {
            b = b.region(r);
        }
        return Ok(Setup {
            client: b.build()?,
            _server: None,
        });
    }
    let dir = tempfile::tempdir()?;
    let server = newtera_testkit::start_embedded(dir.path(), "example-access", "example-secret-key").await?;
    println!("(no NEWTERA_ENDPOINT set: using an embedded S3 server at {})", server.endpoint);
    let client = Newtera::builder(format!("http://{}", server.endpoint))
        .access_key("example-access")
        .secret_key("example-secret-key")
        .build()?;
    Ok(Setup {
        client,
        _server: Some((server, dir)),
    })
}
