//! `Client::fget`: the `fget_1g` workload's download into a file (see the
//! crate root's documentation for what each client does).

use newtera_bench::{BUCKET, PARALLELISM, PART_SIZE};

use super::{os_path, Client, R};

impl Client {
    /// Downloads `key` into the file at `path`; returns the bytes written.
    pub(crate) async fn fget(&self, key: &str, path: &std::path::Path, config: &str) -> R<u64> {
        use newtera_bench::fget::ranges_to_file;
        match self {
            Client::Newtera(c) => {
                let mut req = c.fget_object(BUCKET, key, path);
                match config {
                    "single" => req = req.num_parallel_downloads(1),
                    "equal" => req = req.part_size(PART_SIZE).num_parallel_downloads(PARALLELISM),
                    _ => {}
                }
                req.await?;
            }
            Client::Aws { c, .. } => {
                let size = c
                    .head_object()
                    .bucket(BUCKET)
                    .key(key)
                    .send()
                    .await?
                    .content_length
                    .ok_or("no content length")? as u64;
                ranges_to_file(path, size, PART_SIZE, PARALLELISM, |off, len| {
                    let req = c.get_object().bucket(BUCKET).key(key).range(format!(
                        "bytes={}-{}",
                        off,
                        off + len - 1
                    ));
                    async move {
                        let out = req.send().await?;
                        Ok(out.body.collect().await?.into_bytes())
                    }
                })
                .await?;
            }
            Client::Minio(c) => {
                use minio::s3::types::S3Api;
                let resp = c.get_object(BUCKET, key)?.build().send().await?;
                resp.content()?.to_file(path).await?;
            }
            Client::ObjectStore(s) => {
                // `get_ranges` would merge contiguous ranges into one GET and
                // return the whole object in memory: one `get_range` per part.
                use object_store::ObjectStoreExt;
                let p = os_path(key);
                let size = s.head(&p).await?.size;
                ranges_to_file(path, size, PART_SIZE, PARALLELISM, |off, len| {
                    let s = s.clone();
                    let p = p.clone();
                    async move { Ok(s.get_range(&p, off..off + len).await?) }
                })
                .await?;
            }
        }
        Ok(std::fs::metadata(path)?.len())
    }
}
