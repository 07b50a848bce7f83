//! fget_object: download an object into a file through a temporary file,
//! checked and renamed into place. Objects of at least two part sizes
//! (16 MiB by default) are read as parallel ranges written at their
//! offsets (`parallel_get/`); smaller ones as one stream.
//!
//! The temporary file is safe in a shared directory:
//!
//! - it is created with `create_new` (`O_CREAT | O_EXCL`), which never
//!   follows a symbolic link and never opens a file that already exists, so
//!   nothing but a file this call created is ever written;
//! - a caller's [`FGetObject::tmp_file_path`] that already exists is refused
//!   with [`Error::InvalidArgument`] before any request is sent (it is not
//!   reused as a resume point: this call cannot tell its own partial file
//!   from anyone else's);
//! - the default name is unique per call (process id, a counter and the
//!   clock), so concurrent downloads to one target each write their own
//!   file, and the final `rename` publishes one complete file atomically;
//! - on failure, or when the future is dropped, the file is removed only
//!   if the path still names the very file this call created.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use futures::StreamExt as _;
use http::HeaderMap;
use tokio::io::{AsyncSeekExt as _, AsyncWriteExt as _};

use crate::client::Newtera;
use crate::error::{Error, Result};
use crate::get::{damaged, read_setters, GetObject, ReadOptions};
use crate::into_future;
use crate::parallel_get::{self, Plan, DEFAULT_PARALLEL_DOWNLOADS};
use crate::progress::{DownloadOptions, Meter};
use crate::types::{Object, SseCustomerKey};
use crate::validate::{check_bucket_name, check_object_name};

/// Downloads an object into a file. Built by [`Newtera::fget_object`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct FGetObject {
    client: Newtera,
    bucket: String,
    object: String,
    file_path: PathBuf,
    tmp_file_path: Option<PathBuf>,
    opts: ReadOptions,
    download: DownloadOptions,
}

read_setters!(FGetObject, request_headers);
parallel_get::download_setters!(FGetObject, "8");

impl Newtera {
    /// Downloads an object to `file_path`, through a temporary file renamed
    /// into place once complete (see [`FGetObject::tmp_file_path`] for the
    /// rules the temporary file follows). Objects of at least two part
    /// sizes are read as parallel ranges pinned to one ETag and written at
    /// their offsets ([`FGetObject::part_size`],
    /// [`FGetObject::num_parallel_downloads`]); the full-object checksum is
    /// still verified, from the ranges' CRCs.
    pub fn fget_object(
        &self,
        bucket_name: impl Into<String>,
        object_name: impl Into<String>,
        file_path: impl Into<PathBuf>,
    ) -> FGetObject {
        FGetObject {
            client: self.clone(),
            bucket: bucket_name.into(),
            object: object_name.into(),
            file_path: file_path.into(),
            tmp_file_path: None,
            opts: ReadOptions::default(),
            download: DownloadOptions::default(),
        }
    }
}

impl FGetObject {
    /// Where to download to before the final rename. The path must not
    /// exist: it is created exclusively (never through a symbolic link),
    /// and a path that already exists fails with
    /// [`Error::InvalidArgument`] before anything is sent; it is removed on
    /// failure. By default the file goes beside the target, under a name
    /// unique to this call (`<file name>.<unique>.part.newtera`).
    pub fn tmp_file_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.tmp_file_path = Some(path.into());
        self
    }

    /// Receives the object's size and the bytes written to the file as
    /// they are written. Each byte is counted once: bytes a cut read
    /// fetches again on resumption, or a download made again after a
    /// damaged attempt rewrites, are not counted twice, so the updates add
    /// up to the size.
    pub fn progress(mut self, p: std::sync::Arc<dyn crate::Progress>) -> Self {
        self.download.progress = Some(p);
        self
    }

    /// Downloads the object.
    pub async fn send(self) -> Result<Object> {
        check_bucket_name(&self.bucket)?;
        check_object_name(&self.object)?;
        self.opts.check(&self.client)?;
        parallel_get::check_options(&self.download)?;
        let target = self.file_path.clone();
        if tokio::fs::metadata(&target).await.is_ok_and(|m| m.is_dir()) {
            return Err(Error::arg(
                "file_path",
                format!("{} is a directory", target.display()),
            ));
        }
        if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
            tokio::fs::create_dir_all(dir)
                .await
                .map_err(|source| Error::Io {
                    path: dir.to_path_buf(),
                    source,
                })?;
        }
        // The temporary file first: a tmp_file_path that exists is refused
        // before any request goes out.
        let (file, mut guard) = match &self.tmp_file_path {
            Some(p) => TempFile::create_at(p.clone()).await?,
            None => TempFile::create_beside(&target).await?,
        };
        let mut get = GetObject {
            client: self.client.clone(),
            bucket: self.bucket.clone(),
            object: self.object.clone(),
            offset: 0,
            length: None,
            opts: self.opts.clone(),
            download: self.download.clone(),
        };
        let stat = parallel_get::head_request(&get).send().await?;
        let plan = Plan::new(&get, stat.clone(), DEFAULT_PARALLEL_DOWNLOADS).await?;
        get.download = DownloadOptions::default();
        // Pin the download to the object we just looked at.
        if let Some(v) = &stat.version_id {
            get.opts.version_id = Some(v.clone());
        }
        if let Some(e) = &stat.etag {
            // Pinned to the ETag the HEAD saw (also over a caller's `*`).
            get.opts.match_etag = Some(e.clone());
            get.opts.headers.remove(http::header::IF_MATCH);
        }
        let tmp = guard.path().to_path_buf();
        let mut file = file;
        // Parallel ranges write through a handle of their own (positioned
        // writes ignore the shared file offset).
        let shared = match &plan {
            Some(_) => {
                let dup = file.try_clone().await.map_err(|source| Error::Io {
                    path: tmp.clone(),
                    source,
                })?;
                Some(Arc::new(dup.into_std().await))
            }
            None => None,
        };
        let meter = self.download.progress.clone().map(|p| match &plan {
            Some(plan) => Meter::new(p, &plan.ranges().map(|r| r.1).collect::<Vec<_>>()),
            None => Meter::new(p, &[0]),
        });
        if let Some(m) = &meter {
            m.set_total(stat.size);
        }
        // A download damaged on the way (its checksum, or its length, does
        // not check out) is made again, into the same (our own) file, while
        // the retry settings allow.
        let mut attempts = 1;
        loop {
            let result = match (&plan, &shared) {
                (Some(plan), Some(shared)) => {
                    parallel_get::file::download(plan, shared, &tmp, meter.as_ref()).await
                }
                _ => download(get.clone(), &mut file, &tmp, meter.as_deref()).await,
            };
            let (err, is_damaged) = match result {
                Ok(written) if stat.size.is_none_or(|size| size == written) => break,
                Ok(written) => {
                    let size = stat.size.unwrap_or_default();
                    let reason = format!("received {written} bytes of an object of {size} bytes");
                    let op = "GetObject";
                    (Error::UnexpectedResponse { op, reason }, true)
                }
                Err(e) => {
                    let d = damaged(&e);
                    (e, d)
                }
            };
            let Some(delay) = get.read_again_after(is_damaged, attempts) else {
                return Err(err);
            };
            tokio::time::sleep(delay).await;
            attempts += 1;
        }
        drop(shared);
        drop(file);
        guard.publish(&target).await?;
        Ok(stat)
    }
}

/// Streams `get` into `file` (at `path`), from its start, after emptying
/// it (an earlier attempt may have written to it); returns the bytes written.
/// `meter` hears of each byte written.
async fn download(
    get: GetObject,
    file: &mut tokio::fs::File,
    path: &Path,
    meter: Option<&Meter>,
) -> Result<u64> {
    let io_err = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let resp = get.send().await?;
    file.set_len(0).await.map_err(io_err)?;
    file.seek(std::io::SeekFrom::Start(0))
        .await
        .map_err(io_err)?;
    let mut out = tokio::io::BufWriter::with_capacity(1 << 20, &mut *file);
    let mut body = resp.body;
    let mut written = 0u64;
    while let Some(chunk) = body.next().await {
        let chunk = chunk?;
        out.write_all(&chunk).await.map_err(io_err)?;
        written += chunk.len() as u64;
        if let Some(m) = meter {
            m.reached(0, written);
        }
    }
    out.flush().await.map_err(io_err)?;
    drop(out);
    file.sync_all().await.map_err(io_err)?;
    Ok(written)
}

/// Which file a path named when this call created it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct FileId {
    #[cfg(unix)]
    dev: u64,
    #[cfg(unix)]
    ino: u64,
}

impl FileId {
    #[allow(clippy::missing_const_for_fn, unused_variables)]
    fn of(m: &std::fs::Metadata) -> FileId {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt as _;
            FileId {
                dev: m.dev(),
                ino: m.ino(),
            }
        }
        #[cfg(not(unix))]
        {
            FileId {}
        }
    }
}

/// The temporary file this call created; removed on drop unless published,
/// and only while the path still names that very file.
#[derive(Debug)]
struct TempFile {
    path: PathBuf,
    id: FileId,
    published: bool,
}

/// Tells default temporary names of one process apart.
static NEXT_TMP: AtomicU64 = AtomicU64::new(0);

impl TempFile {
    /// Creates `path` exclusively: fails if anything (a file, a directory, a
    /// symbolic link, even a dangling one) is there.
    async fn create_at(path: PathBuf) -> Result<(tokio::fs::File, TempFile)> {
        match Self::create_new(&path).await {
            Ok(created) => Ok(created),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(Error::arg(
                "tmp_file_path",
                format!(
                    "{} already exists; it is neither overwritten nor reused",
                    path.display()
                ),
            )),
            Err(source) => Err(Error::Io { path, source }),
        }
    }

    /// Creates a file beside `target` under a name no other call uses.
    async fn create_beside(target: &Path) -> Result<(tokio::fs::File, TempFile)> {
        let mut last = None;
        for _ in 0..16 {
            let path = unique_tmp_path(target);
            match Self::create_new(&path).await {
                Ok(created) => return Ok(created),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some((path, e)),
                Err(source) => return Err(Error::Io { path, source }),
            }
        }
        let (path, source) = last.unwrap_or_else(|| {
            (
                target.to_path_buf(),
                std::io::Error::from(std::io::ErrorKind::AlreadyExists),
            )
        });
        Err(Error::Io { path, source })
    }

    async fn create_new(path: &Path) -> std::io::Result<(tokio::fs::File, TempFile)> {
        let file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .await?;
        let id = FileId::of(&file.metadata().await?);
        let guard = TempFile {
            path: path.to_path_buf(),
            id,
            published: false,
        };
        Ok((file, guard))
    }

    fn path(&self) -> &Path {
        &self.path
    }

    /// Renames the file onto `target` (atomically replacing what is there).
    async fn publish(&mut self, target: &Path) -> Result<()> {
        tokio::fs::rename(&self.path, target)
            .await
            .map_err(|source| Error::Io {
                path: target.to_path_buf(),
                source,
            })?;
        self.published = true;
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if self.published {
            return;
        }
        // Someone may have replaced the path since: remove it only if it is
        // still the file this call created (lstat: never follow a link).
        match std::fs::symlink_metadata(&self.path) {
            Ok(m) if m.is_file() && FileId::of(&m) == self.id => {
                let _ = std::fs::remove_file(&self.path);
            }
            _ => {}
        }
    }
}

/// `<target file name>.<pid>-<counter>-<nanos>.part.newtera`, beside the
/// target.
fn unique_tmp_path(target: &Path) -> PathBuf {
    let n = NEXT_TMP.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let mut name = target
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(format!(
        ".{:x}-{n:x}-{nanos:08x}.part.newtera",
        std::process::id()
    ));
    target.with_file_name(name)
}

into_future!(FGetObject => Object);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn tmp_names_are_unique_and_beside_the_target() {
        let a = unique_tmp_path(Path::new("/x/y/file.bin"));
        let b = unique_tmp_path(Path::new("/x/y/file.bin"));
        assert_ne!(a, b);
        assert_eq!(a.parent(), Some(Path::new("/x/y")));
        let name = a.file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.starts_with("file.bin."), "{name}");
        assert!(name.ends_with(".part.newtera"), "{name}");
    }
}
