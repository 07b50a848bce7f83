//! garage 2.5.0, single node.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::http;
use crate::process::{self, Wait};
use crate::{ServerKind, TestServer};

const REGION: &str = "us-east-1";
const ATTEMPTS: usize = 3;

/// garage's web endpoint (static website hosting): every bucket whose
/// website access is allowed is served, unauthenticated, at
/// `BUCKET.ROOT_DOMAIN`.
#[derive(Debug, Clone)]
pub struct GarageWeb {
    /// `127.0.0.1:PORT` of the web endpoint.
    pub endpoint: String,
    /// The domain buckets are served under (`web.garage.localhost`); the
    /// bucket is read from the `Host` header, `BUCKET.ROOT_DOMAIN[:PORT]`.
    pub root_domain: String,
    bin: PathBuf,
    config: PathBuf,
}

impl GarageWeb {
    /// Allows website (anonymous read) access to `bucket`, with garage's
    /// command line. A bucket made through the S3 API only has an alias
    /// local to its key; the web endpoint finds buckets by global alias, so
    /// one of the same name is added first.
    pub fn allow_website(&self, bucket: &str) -> Result<(), String> {
        let list = self.cli(&["bucket", "list"])?;
        let local = format!(":{bucket}");
        let id = list
            .lines()
            .find(|l| l.split_whitespace().any(|w| w.ends_with(&local)))
            .and_then(|l| l.split_whitespace().next())
            .ok_or_else(|| format!("bucket {bucket} not in `garage bucket list`:\n{list}"))?;
        let global = list
            .lines()
            .any(|l| l.split_whitespace().nth(2) == Some(bucket));
        if !global {
            self.cli(&["bucket", "alias", id, bucket])?;
        }
        self.cli(&["bucket", "website", "--allow", bucket])
            .map(drop)
    }

    /// Runs garage's command line against this server; its output.
    fn cli(&self, args: &[&str]) -> Result<String, String> {
        let out = Command::new(&self.bin)
            .arg("-c")
            .arg(&self.config)
            .args(args)
            .output()
            .map_err(|e| format!("run garage: {e}"))?;
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        if out.status.success() {
            Ok(text)
        } else {
            Err(format!("garage {}: {text}", args.join(" ")))
        }
    }
}

const WEB_ROOT_DOMAIN: &str = "web.garage.localhost";

pub(crate) fn start() -> (TestServer, GarageWeb) {
    start_in(REGION)
}

/// garage whose S3 API is in `region`.
pub(crate) fn start_in(region: &str) -> (TestServer, GarageWeb) {
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
        match try_start(&bin, &dir.join(format!("run{attempt}")), region) {
            Ok(server) => return server,
            Err(e) => last_error = e,
        }
    }
    panic!(
        "newtera-testkit: garage ({}) did not start: {last_error}",
        bin.display()
    );
}

fn try_start(bin: &Path, dir: &Path, region: &str) -> Result<(TestServer, GarageWeb), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    let s3_port = process::free_port();
    let rpc_port = process::free_port();
    let admin_port = process::free_port();
    let web_port = process::free_port();
    let config = format!(
        r#"metadata_dir = "{meta}"
data_dir = "{data}"
db_engine = "sqlite"
replication_factor = 1
rpc_bind_addr = "127.0.0.1:{rpc_port}"
rpc_public_addr = "127.0.0.1:{rpc_port}"
rpc_secret = "{rpc_secret}"

[s3_api]
s3_region = "{region}"
api_bind_addr = "127.0.0.1:{s3_port}"
root_domain = ".s3.garage.localhost"

[s3_web]
bind_addr = "127.0.0.1:{web_port}"
root_domain = ".{WEB_ROOT_DOMAIN}"
index = "index.html"

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

    let server = TestServer {
        kind: ServerKind::Garage,
        endpoint: format!("127.0.0.1:{s3_port}"),
        secure: false,
        access_key,
        secret_key,
        region: region.to_owned(),
        ca_pem: None,
        default_bucket: Some(bucket),
    };
    let web = GarageWeb {
        endpoint: format!("127.0.0.1:{web_port}"),
        root_domain: WEB_ROOT_DOMAIN.to_owned(),
        bin: bin.to_owned(),
        config: config_path,
    };
    Ok((server, web))
}
