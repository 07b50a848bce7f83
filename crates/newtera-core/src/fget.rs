//! fget_object: download an object into a file through a temporary file,
//! checked and renamed into place.

use std::path::{Path, PathBuf};

use futures::StreamExt as _;
use http::{HeaderMap, HeaderValue};
use tokio::io::AsyncWriteExt as _;

use crate::client::Newtera;
use crate::error::{Error, Result};
use crate::get::{damaged, read_setters, GetObject, ReadOptions, StatObject};
use crate::into_future;
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
}

read_setters!(FGetObject, request_headers);

impl Newtera {
    /// Downloads an object to `file_path`, through a temporary file renamed
    /// into place once complete.
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
        }
    }
}

impl FGetObject {
    /// Where to download to before the final rename (default: beside the
    /// target, named after it and the object's ETag).
    pub fn tmp_file_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.tmp_file_path = Some(path.into());
        self
    }

    /// Downloads the object.
    pub async fn send(self) -> Result<Object> {
        check_bucket_name(&self.bucket)?;
        check_object_name(&self.object)?;
        self.opts.check(&self.client)?;
        let target = self.file_path.clone();
        if tokio::fs::metadata(&target).await.is_ok_and(|m| m.is_dir()) {
            return Err(Error::arg(
                "file_path",
                format!("{} is a directory", target.display()),
            ));
        }
        let stat = StatObject {
            client: self.client.clone(),
            bucket: self.bucket.clone(),
            object: self.object.clone(),
            opts: self.opts.clone(),
        }
        .send()
        .await?;
        let etag = stat.etag.clone().unwrap_or_default();
        let tmp = match &self.tmp_file_path {
            Some(p) => p.clone(),
            None => default_tmp_path(&target, &etag),
        };
        if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
            tokio::fs::create_dir_all(dir)
                .await
                .map_err(|source| Error::Io {
                    path: dir.to_path_buf(),
                    source,
                })?;
        }
        let mut guard = TempFile {
            path: Some(tmp.clone()),
        };
        let mut get = GetObject {
            client: self.client.clone(),
            bucket: self.bucket.clone(),
            object: self.object.clone(),
            offset: 0,
            length: None,
            opts: self.opts.clone(),
        };
        // Pin the download to the object we just looked at.
        if let Some(v) = &stat.version_id {
            get.opts.version_id = Some(v.clone());
        }
        if let Some(e) = stat
            .etag
            .as_deref()
            .and_then(|e| HeaderValue::from_str(&format!("\"{e}\"")).ok())
        {
            get.opts.headers.insert(http::header::IF_MATCH, e);
        }
        // A download damaged on the way (its checksum, or its length, does
        // not check out) is made again while the retry settings allow.
        let mut attempts = 1;
        loop {
            let (err, is_damaged) = match download(get.clone(), &tmp).await {
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
        tokio::fs::rename(&tmp, &target)
            .await
            .map_err(|source| Error::Io {
                path: target.clone(),
                source,
            })?;
        guard.path = None;
        Ok(stat)
    }
}

fn default_tmp_path(target: &Path, etag: &str) -> PathBuf {
    let safe: String = etag
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(64)
        .collect();
    let mut name = target
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(format!(".{safe}.part.newtera"));
    target.with_file_name(name)
}

/// Streams `get` into a new file at `path`; returns the bytes written.
async fn download(get: GetObject, path: &Path) -> Result<u64> {
    let io_err = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let resp = get.send().await?;
    let file = tokio::fs::File::create(path).await.map_err(io_err)?;
    let mut out = tokio::io::BufWriter::with_capacity(1 << 20, file);
    let mut body = resp.body;
    let mut written = 0u64;
    while let Some(chunk) = body.next().await {
        let chunk = chunk?;
        written += chunk.len() as u64;
        out.write_all(&chunk).await.map_err(io_err)?;
    }
    out.flush().await.map_err(io_err)?;
    out.into_inner().sync_all().await.map_err(io_err)?;
    Ok(written)
}

/// Removes the temporary file unless the download completed.
struct TempFile {
    path: Option<PathBuf>,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(p) = self.path.take() {
            let _ = std::fs::remove_file(p);
        }
    }
}

into_future!(FGetObject => Object);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tmp_names() {
        let p = default_tmp_path(Path::new("/x/y/file.bin"), "abc\"/..");
        assert_eq!(p, PathBuf::from("/x/y/file.bin.abc.part.newtera"));
    }
}
