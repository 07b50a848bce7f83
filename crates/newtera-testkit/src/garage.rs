//! garage 2.5.0, single node.

use std::fs::File;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::http;
use crate::process::{self, Wait};
use crate::{ServerKind, TestServer};

const REGION: &str = "us-east-1";
const ATTEMPTS: usize = 3;

pub(crate) fn start() -> TestServer {
    let bin = process::find_binary("NEWTERA_GARAGE_BIN", "garage/bin/garage", "garage")
        .unwrap_or_else(|| {
            panic!(
                "newtera-testkit: garage not found (NEWTERA_GARAGE_BIN, $NEWTERA_CACHE/garage/bin/garage, PATH); \
                 run `cargo xtask install-servers` or use `cargo xtask test`"
            )
        });
    let dir = process::temp_dir("newtera-garage-");
    let mut last_error = String::new();
    // A free port may be taken between probing and binding: retry afresh.
    for attempt in 0..ATTEMPTS {
        match try_start(&bin, &dir.join(format!("run{attempt}"))) {
            Ok(server) => return server,
            Err(e) => last_error = e,
        }
    }
    panic!(
        "newtera-testkit: garage ({}) did not start: {last_error}",
        bin.display()
    );
}

fn try_start(bin: &Path, dir: &Path) -> Result<TestServer, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    let s3_port = process::free_port();
    let rpc_port = process::free_port();
    let admin_port = process::free_port();
    let config = format!(
        r#"metadata_dir = "{meta}"
data_dir = "{data}"
db_engine = "sqlite"
replication_factor = 1
rpc_bind_addr = "127.0.0.1:{rpc_port}"
rpc_public_addr = "127.0.0.1:{rpc_port}"
rpc_secret = "{rpc_secret}"

[s3_api]
s3_region = "{REGION}"
api_bind_addr = "127.0.0.1:{s3_port}"
root_domain = ".s3.garage.localhost"

[admin]
api_bind_addr = "127.0.0.1:{admin_port}"
"#,
        meta = dir.join("meta").display(),
        data = dir.join("data").display(),
        rpc_secret = process::random_hex(32),
    );
    let config_path = dir.join("garage.toml");
    std::fs::write(&config_path, config).map_err(|e| format!("write config: {e}"))?;

    let access_key = format!("GK{}", process::random_hex(12));
    let secret_key = process::random_hex(32);
    let bucket = "newtera-default".to_owned();
    let log_path = dir.join("garage.log");
    let log = File::create(&log_path).map_err(|e| format!("create log: {e}"))?;
    let log2 = log.try_clone().map_err(|e| format!("clone log: {e}"))?;

    // `--default-bucket` makes the key from GARAGE_DEFAULT_ACCESS_KEY /
    // GARAGE_DEFAULT_SECRET_KEY (with the right to create buckets, in
    // garage 2.5.0) and the bucket GARAGE_DEFAULT_BUCKET, owned by that key,
    // before any API listens: once /health answers, CreateBucket works.
    let mut cmd = Command::new(bin);
    cmd.arg("-c")
        .arg(&config_path)
        .args(["server", "--single-node", "--default-bucket"])
        .env("GARAGE_DEFAULT_ACCESS_KEY", &access_key)
        .env("GARAGE_DEFAULT_SECRET_KEY", &secret_key)
        .env("GARAGE_DEFAULT_BUCKET", &bucket)
        .env(
            "RUST_LOG",
            std::env::var("RUST_LOG").unwrap_or_else(|_| "garage=info".into()),
        )
        .stdout(Stdio::from(log))
        .stderr(Stdio::from(log2));
    let mut child = process::spawn(cmd).map_err(|e| format!("spawn {}: {e}", bin.display()))?;

    let admin = format!("127.0.0.1:{admin_port}");
    let fail = |what: String| format!("{what}; log tail:\n{}", process::tail(&log_path, 4000));
    match process::wait_ready(&mut child, || {
        http::get_status(&admin, "/health") == Some(200)
    }) {
        Wait::Ready => {}
        Wait::Exited(status) => return Err(fail(format!("exited with {status}"))),
        Wait::TimedOut => {
            process::kill(&mut child);
            return Err(fail(format!(
                "admin /health on {admin} not 200 after {:?}",
                process::READY_TIMEOUT
            )));
        }
    }

    Ok(TestServer {
        kind: ServerKind::Garage,
        endpoint: format!("127.0.0.1:{s3_port}"),
        secure: false,
        access_key,
        secret_key,
        region: REGION.to_owned(),
        ca_pem: None,
        default_bucket: Some(bucket),
    })
}
