//! An independent S3 client (boto3, which moto's venv always has) checks
//! what the tests rely on: garage's key can create buckets and use them,
//! garage refuses a wrong secret, and the TLS terminator is trusted through
//! `ca_pem`.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// The python of moto's venv (it has boto3), found like the testkit finds
/// moto_server.
fn python() -> PathBuf {
    let venv_python = |moto: PathBuf| moto.with_file_name("python");
    if let Some(moto) = std::env::var_os("NEWTERA_MOTO_SERVER").filter(|m| !m.is_empty()) {
        return venv_python(PathBuf::from(moto));
    }
    let cache = std::env::var_os("NEWTERA_CACHE")
        .filter(|c| !c.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/newtera")));
    if let Some(p) = cache
        .map(|c| c.join("venv/bin/python"))
        .filter(|p| p.is_file())
    {
        return p;
    }
    PathBuf::from("python3")
}

const SCRIPT: &str = r#"
import sys, boto3, botocore
url, ak, sk, bucket, ca = sys.argv[1:]
s3 = boto3.client("s3", endpoint_url=url, aws_access_key_id=ak, aws_secret_access_key=sk,
                  region_name="us-east-1", verify=ca or None)
s3.create_bucket(Bucket=bucket)
assert bucket in [b["Name"] for b in s3.list_buckets()["Buckets"]]
s3.put_object(Bucket=bucket, Key="k", Body=b"hello")
assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"hello"
s3.delete_object(Bucket=bucket, Key="k")
s3.delete_bucket(Bucket=bucket)
bad = boto3.client("s3", endpoint_url=url, aws_access_key_id=ak, aws_secret_access_key="0" * 64,
                   region_name="us-east-1", verify=ca or None)
try:
    bad.list_buckets()
    print("WRONG-SECRET-ACCEPTED")
except botocore.exceptions.ClientError as e:
    print("WRONG-SECRET-REFUSED", e.response["Error"]["Code"])
"#;

fn run(server: &newtera_testkit::TestServer) -> String {
    run_against(
        &server.url(),
        &server.access_key,
        &server.secret_key,
        server.ca_pem.as_deref(),
    )
}

fn run_against(url: &str, access_key: &str, secret_key: &str, ca_pem: Option<&[u8]>) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let ca = match ca_pem {
        Some(pem) => {
            let path = dir.path().join("ca.pem");
            std::fs::File::create(&path)
                .and_then(|mut f| f.write_all(pem))
                .expect("write ca");
            path.display().to_string()
        }
        None => String::new(),
    };
    let bucket = newtera_testkit::unique_bucket("boto3");
    let out = Command::new(python())
        .args(["-c", SCRIPT, url, access_key, secret_key, &bucket, &ca])
        .stdin(Stdio::null())
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "boto3 against {url} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn garage_key_creates_buckets_and_wrong_secret_is_refused() {
    let out = run(newtera_testkit::garage());
    assert!(out.contains("WRONG-SECRET-REFUSED AccessDenied"), "{out}");
}

#[test]
fn garage_tls_is_trusted_through_ca_pem() {
    let out = run(newtera_testkit::garage_tls());
    assert!(out.contains("WRONG-SECRET-REFUSED"), "{out}");
}

#[test]
fn moto_accepts_any_secret() {
    let out = run(newtera_testkit::moto());
    assert!(out.contains("WRONG-SECRET-ACCEPTED"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_server_checks_signatures() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = newtera_testkit::start_embedded(dir.path(), "AKEMBEDDED", "embedded-secret")
        .await
        .expect("start");
    let url = server.url();
    let out = tokio::task::spawn_blocking(move || {
        run_against(&url, "AKEMBEDDED", "embedded-secret", None)
    })
    .await
    .expect("join");
    assert!(out.contains("WRONG-SECRET-REFUSED"), "{out}");
}
