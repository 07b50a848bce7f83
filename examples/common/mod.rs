//! Shared by the examples: a client for `NEWTERA_ENDPOINT` when it is set,
//! otherwise for an embedded S3 server started in this process.

#![allow(dead_code)]

use futures::TryStreamExt as _;
use newtera::{DeleteObject, DeleteObjects, Newtera};
use newtera_testkit::EmbeddedServer;

/// A client and, when no endpoint was configured, the server it talks to.
pub struct Setup {
    /// The client.
    pub client: Newtera,
    /// The endpoint the client talks to, as a URL (`http://127.0.0.1:PORT`
    /// for the embedded server) or as `NEWTERA_ENDPOINT` gave it.
    pub endpoint: String,
    /// The access key, if any.
    pub access_key: Option<String>,
    /// The secret key, if any.
    pub secret_key: Option<String>,
    /// Keeps the embedded server (and its data folder) alive.
    _server: Option<(EmbeddedServer, tempfile::TempDir)>,
}

impl Setup {
    /// True when talking to the embedded s3s-fs server.
    pub fn embedded(&self) -> bool {
        self._server.is_some()
    }

    /// A builder for a second client to the same endpoint with the same
    /// credentials, to which an example adds its own settings.
    pub fn builder(&self) -> newtera::NewteraBuilder {
        let mut b = Newtera::builder(self.endpoint.clone());
        if let (Some(a), Some(s)) = (&self.access_key, &self.secret_key) {
            b = b.access_key(a.clone()).secret_key(s.clone());
        }
        if let Ok(r) = std::env::var("NEWTERA_REGION") {
            b = b.region(r);
        }
        b
    }
}

/// Connects to `NEWTERA_ENDPOINT` with `NEWTERA_ACCESS_KEY` /
/// `NEWTERA_SECRET_KEY`, or starts an embedded s3s-fs server.
pub async fn setup() -> Result<Setup, Box<dyn std::error::Error>> {
    if let Ok(endpoint) = std::env::var("NEWTERA_ENDPOINT") {
        let mut b = Newtera::builder(endpoint.clone());
        let (access_key, secret_key) = match (
            std::env::var("NEWTERA_ACCESS_KEY"),
            std::env::var("NEWTERA_SECRET_KEY"),
        ) {
            (Ok(a), Ok(s)) => {
                b = b.access_key(a.clone()).secret_key(s.clone());
                (Some(a), Some(s))
            }
            _ => (None, None),
        };
        if let Ok(r) = std::env::var("NEWTERA_REGION") {
            b = b.region(r);
        }
        return Ok(Setup {
            client: b.build()?,
            endpoint,
            access_key,
            secret_key,
            _server: None,
        });
    }
    let dir = tempfile::tempdir()?;
    let server =
        newtera_testkit::start_embedded(dir.path(), "example-access", "example-secret-key").await?;
    println!(
        "(no NEWTERA_ENDPOINT set: using an embedded S3 server at {})",
        server.endpoint
    );
    let endpoint = format!("http://{}", server.endpoint);
    let client = Newtera::builder(endpoint.clone())
        .access_key("example-access")
        .secret_key("example-secret-key")
        .build()?;
    Ok(Setup {
        client,
        endpoint,
        access_key: Some("example-access".to_owned()),
        secret_key: Some("example-secret-key".to_owned()),
        _server: Some((server, dir)),
    })
}

/// Creates `bucket` unless it exists.
pub async fn ensure_bucket(client: &Newtera, bucket: &str) -> Result<(), newtera::Error> {
    if !client.bucket_exists(bucket).await? {
        client.make_bucket(bucket).await?;
    }
    Ok(())
}

/// Creates `bucket` with object lock, which turns versioning on, so that
/// uploads get version ids; a server without object lock gets a plain
/// bucket (and its uploads no version ids).
pub async fn ensure_versioned_bucket(client: &Newtera, bucket: &str) -> Result<(), newtera::Error> {
    if client.bucket_exists(bucket).await? {
        return Ok(());
    }
    match client.make_bucket(bucket).object_lock(true).await {
        Ok(()) => Ok(()),
        Err(e) if e.as_s3().is_some() => {
            println!("(object lock refused, so {bucket} is not versioned: {e})");
            client.make_bucket(bucket).await
        }
        Err(e) => Err(e),
    }
}

/// Deletes every object of `bucket` (every version and delete marker when
/// the server lists versions), then the bucket itself.
pub async fn remove_bucket_and_objects(
    client: &Newtera,
    bucket: &str,
) -> Result<(), newtera::Error> {
    if !client.bucket_exists(bucket).await? {
        return Ok(());
    }
    let versions = client
        .list_objects(bucket)
        .recursive(true)
        .include_version(true)
        .into_stream()
        .map_ok(DeleteObject::from);
    let mut errors = client
        .remove_objects(bucket, DeleteObjects::from_try_stream(versions))
        .into_stream();
    loop {
        match errors.try_next().await {
            Ok(Some(e)) => println!("  clean-up: {e}"),
            Ok(None) => break,
            // s3s-fs has no ListObjectVersions: delete the current objects.
            Err(e) if e.code() == Some("NotImplemented") => break,
            Err(e) => return Err(e),
        }
    }
    // Whatever is left (all of it when versions cannot be listed).
    let listing = client
        .list_objects(bucket)
        .recursive(true)
        .into_stream()
        .map_ok(|o| DeleteObject::new(o.object_name));
    let errors = client
        .remove_objects(bucket, DeleteObjects::from_try_stream(listing))
        .await?;
    for e in &errors {
        println!("  clean-up: {e}");
    }
    client.remove_bucket(bucket).await
}

/// Prints the line every example prints when the server (or the client,
/// before sending) refuses a feature the example shows.
pub fn skipped(feature: &str, err: &dyn std::fmt::Display) {
    println!("  skipped: server does not support {feature}: {err}");
}

/// The one-line summary the reference prints after an upload.
pub fn print_created(r: &newtera::ObjectWriteResult) {
    println!(
        "  created {} object; etag: {}, version-id: {}",
        r.object_name,
        r.etag.as_deref().unwrap_or("-"),
        r.version_id.as_deref().unwrap_or("-"),
    );
}

/// Prints the line for a feature the client refused before sending anything
/// (e.g. an SSE-C key over plain HTTP).
pub fn refused(feature: &str, err: &newtera::Error) {
    println!("  skipped: {feature} refused by the client before sending (needs HTTPS): {err}");
}

/// A time as `YYYY-MM-DDTHH:MM:SSZ` (UTC), or `-`.
pub fn date(t: Option<std::time::SystemTime>) -> String {
    let Some(secs) = t
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_secs())
    else {
        return "-".to_owned();
    };
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// A `Progress` that prints the bytes the server has acknowledged, as a
/// percentage when the total is known.
#[derive(Default)]
pub struct PrintProgress {
    total: std::sync::Mutex<Option<u64>>,
    done: std::sync::atomic::AtomicU64,
}

impl newtera::Progress for PrintProgress {
    fn set_total(&self, total: Option<u64>) {
        if let Ok(mut t) = self.total.lock() {
            *t = total;
        }
        match total {
            Some(n) => println!("  progress: uploading {n} bytes"),
            None => println!("  progress: uploading data of unknown length"),
        }
    }

    fn update(&self, bytes: u64) {
        let done = self
            .done
            .fetch_add(bytes, std::sync::atomic::Ordering::SeqCst)
            + bytes;
        match self.total.lock().ok().and_then(|t| *t) {
            Some(total) if total > 0 => println!(
                "  progress: +{bytes} bytes acknowledged, {done}/{total} ({}%)",
                done * 100 / total
            ),
            _ => println!("  progress: +{bytes} bytes acknowledged, {done} so far"),
        }
    }
}

/// Midnight UTC, 30 days from now (the reference's retention date).
pub fn midnight_in_30_days() -> std::time::SystemTime {
    use std::time::{Duration, SystemTime, UNIX_EPOCH};
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    UNIX_EPOCH + Duration::from_secs(now - now % 86_400 + 30 * 86_400)
}

/// Prints the outcome of an upload the server or the client may refuse.
pub fn report(
    feature: &str,
    result: Result<newtera::ObjectWriteResult, newtera::Error>,
) -> Option<newtera::ObjectWriteResult> {
    match result {
        Ok(r) => {
            print_created(&r);
            Some(r)
        }
        Err(e @ newtera::Error::InvalidArgument { .. }) => {
            refused(feature, &e);
            None
        }
        Err(e) => {
            skipped(feature, &e);
            None
        }
    }
}

/// Checks, with `stat_object`, whether the server applied the tags,
/// retention and legal hold of an upload; returns true when the object is
/// now locked (and so cannot be cleaned up).
pub async fn check_lock(
    client: &Newtera,
    bucket: &str,
    object: &str,
) -> Result<bool, newtera::Error> {
    let st = client.stat_object(bucket, object).await?;
    let h = |name: &str| {
        st.metadata
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let mut locked = false;
    match h("x-amz-tagging-count") {
        Some(n) => println!("  tags: {n} on the object"),
        None => println!(
            "  skipped: server does not support object tags: it accepted x-amz-tagging but \
             stat_object shows no x-amz-tagging-count"
        ),
    }
    match (
        h("x-amz-object-lock-mode"),
        h("x-amz-object-lock-retain-until-date"),
    ) {
        (Some(mode), Some(until)) => {
            locked = true;
            println!("  retention: {mode} until {until}");
        }
        _ => println!(
            "  skipped: server does not support object retention: it accepted the headers \
             but stat_object shows no x-amz-object-lock-mode"
        ),
    }
    match h("x-amz-object-lock-legal-hold") {
        Some(v) => {
            locked |= v == "ON";
            println!("  legal hold: {v}");
        }
        None => println!(
            "  skipped: server does not support legal hold: it accepted the header but \
             stat_object shows no x-amz-object-lock-legal-hold"
        ),
    }
    Ok(locked)
}

/// A `Progress` drawn as a terminal progress bar (indicatif): bytes
/// acknowledged by the server for uploads, bytes written for downloads.
pub struct BarProgress {
    bar: indicatif::ProgressBar,
}

impl BarProgress {
    /// A bar labelled `label` (e.g. "upload"), not yet drawn.
    pub fn new(label: &str) -> std::sync::Arc<BarProgress> {
        let bar = indicatif::ProgressBar::no_length().with_prefix(label.to_owned());
        std::sync::Arc::new(BarProgress { bar })
    }

    /// Leaves the bar drawn at its final state and returns the bytes counted.
    pub fn finish(&self) -> u64 {
        self.bar.finish();
        self.bar.position()
    }
}

impl newtera::Progress for BarProgress {
    fn set_total(&self, total: Option<u64>) {
        let template = match total {
            Some(n) => {
                self.bar.set_length(n);
                "  {prefix:>8} [{bar:40.cyan/blue}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}"
            }
            None => "  {prefix:>8} {spinner} {bytes} {bytes_per_sec}",
        };
        if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
            self.bar.set_style(style.progress_chars("=> "));
        }
    }

    fn update(&self, bytes: u64) {
        self.bar.inc(bytes);
    }
}

/// Writes a `size`-byte file of patterned data at `path`, 1 MiB at a time
/// (without holding it in memory).
pub fn write_large_file(path: &std::path::Path, size: u64) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    let chunk: Vec<u8> = (0..1024 * 1024u32).map(|i| (i % 251) as u8).collect();
    let mut left = size;
    while left > 0 {
        let n = left.min(chunk.len() as u64) as usize;
        out.write_all(&chunk[..n])?;
        left -= n as u64;
    }
    out.flush()
}
