//! Shared helpers of the integration tests: clients for the real servers the
//! testkit starts.

#![allow(dead_code)]

use newtera::Newtera;
use newtera_testkit::TestServer;

/// A client for `server` with its keys.
pub fn client(server: &TestServer) -> Newtera {
    builder(server).build().expect("client")
}

/// A builder preset for `server` (endpoint, scheme, keys, CA).
pub fn builder(server: &TestServer) -> newtera::NewteraBuilder {
    let scheme = if server.secure { "https" } else { "http" };
    let mut b = Newtera::builder(format!("{scheme}://{}", server.endpoint))
        .access_key(server.access_key.clone())
        .secret_key(server.secret_key.clone());
    if let Some(ca) = &server.ca_pem {
        b = b.add_root_certificate_pem(ca);
    }
    b
}

/// A fresh bucket on `server`, created through the client.
pub async fn bucket(client: &Newtera, prefix: &str) -> String {
    let name = newtera_testkit::unique_bucket(prefix);
    client.make_bucket(&name).await.expect("make_bucket");
    name
}

/// Both general-purpose servers: garage (checks signatures) and moto.
///
/// `NEWTERA_TEST_ONLY=garage` or `=moto` narrows this to one server while
/// developing; `cargo xtask test` never sets it.
pub fn all_servers() -> Vec<&'static TestServer> {
    match std::env::var("NEWTERA_TEST_ONLY").as_deref() {
        Ok("garage") => vec![newtera_testkit::garage()],
        Ok("moto") => vec![newtera_testkit::moto()],
        _ => vec![newtera_testkit::garage(), newtera_testkit::moto()],
    }
}
