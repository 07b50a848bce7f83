//! The `floor` client: the wire work of every workload with no HTTP
//! library, no signing, no checksums and no XML model, on the same tokio
//! multi-thread runtime as the other clients. What it spends is what the
//! kernel (loopback TCP, copies, the tmpfs file) and the runtime cost for
//! the same requests and bytes: a floor under any S3 client on this machine.
//!
//! Raw `tokio::net::TcpStream`s (`TCP_NODELAY`, keep-alive, kept in a pool
//! across rounds), hand-written HTTP/1.1 requests, and minimal response
//! parsing: the status line, the end of the head, `Content-Length` (and
//! `ETag` where a part's is needed), then exactly the body. Each connection
//! is owned by one task for a whole pass (no connection task, no hand-over
//! of bytes between tasks). Every workload checks that it moved the bytes
//! and keys it should.

use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use memchr::memmem;
use newtera_bench::{
    BIG_CRC_KEY, BIG_KEY, BUCKET, LIST_PREFIX, PARALLELISM, PART_SIZE, SMALL_SIZE,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::source::{pattern, GenReader, CHUNK};
use super::wire::{between, encode, Conn};
use super::workloads::{check_big, check_list, small_key, Scale, Small, DELETE_KEYS};
use super::{BoxError, R};

/// Keys per DeleteObjects request.
const DELETE_BATCH: usize = 1000;

/// The floor client: the endpoint's address and a pool of idle connections.
pub(crate) struct Floor {
    addr: String,
    pool: Mutex<Vec<Conn>>,
}

/// Waits for the tasks of a pass; returns their connections to the pool and
/// the sum of what they return.
async fn join(f: &Floor, tasks: Vec<tokio::task::JoinHandle<R<(Conn, u64)>>>) -> R<u64> {
    let mut total = 0;
    let mut conns = Vec::with_capacity(tasks.len());
    for t in tasks {
        let (c, n) = t.await??;
        conns.push(c);
        total += n;
    }
    f.give(conns);
    Ok(total)
}

impl Floor {
    /// The floor client of the endpoint `http://HOST:PORT`.
    pub(crate) fn new(endpoint: &str) -> R<Floor> {
        let addr = endpoint
            .strip_prefix("http://")
            .ok_or("the floor speaks plain http:// only")?
            .trim_end_matches('/')
            .to_string();
        Ok(Floor {
            addr,
            pool: Mutex::new(Vec::new()),
        })
    }

    /// `n` connections from the pool, opening the missing ones.
    async fn take(&self, n: usize) -> R<Vec<Conn>> {
        let mut v = {
            let mut p = self.pool.lock().unwrap_or_else(|e| e.into_inner());
            let keep = p.len().saturating_sub(n);
            p.split_off(keep)
        };
        let host: Arc<str> = self.addr.as_str().into();
        while v.len() < n {
            v.push(Conn::open(&self.addr, host.clone()).await?);
        }
        Ok(v)
    }

    fn give(&self, conns: Vec<Conn>) {
        self.pool
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(conns);
    }

    /// One pass of `workload`; returns (ops, bytes) as the other clients do.
    pub(crate) async fn run(&self, workload: &str, scale: Scale) -> R<(u64, u64)> {
        match workload {
            "put_1k_c1" => self.small(Small::Put, scale.small_n(1), 1).await,
            "put_1k_c32" => self.small(Small::Put, scale.small_n(32), 32).await,
            "get_1k_c1" => self.small(Small::Get, scale.small_n(1), 1).await,
            "get_1k_c32" => self.small(Small::Get, scale.small_n(32), 32).await,
            "head_1k_c1" => self.small(Small::Head, scale.small_n(1), 1).await,
            "head_1k_c32" => self.small(Small::Head, scale.small_n(32), 32).await,
            "put_1g" => {
                let total = scale.put_big();
                self.multipart("big/upload", total, true).await?;
                Ok((total.div_ceil(PART_SIZE), total))
            }
            "upload_256m_unknown" => {
                let total = scale.unknown();
                self.multipart("big/unknown", total, false).await?;
                Ok((total.div_ceil(PART_SIZE), total))
            }
            "get_1g_stream" => {
                let n = self.get_stream(BIG_KEY, scale.warm_range()).await?;
                if !scale.warm {
                    check_big(n)?;
                }
                Ok((1, n))
            }
            "fget_1g" => {
                if let Some(r) = scale.warm_range() {
                    return Ok((1, self.get_stream(BIG_CRC_KEY, Some(r)).await?));
                }
                let n = self.fget(BIG_CRC_KEY).await?;
                check_big(n)?;
                Ok((1, n))
            }
            "get_1g_ranged" => {
                let total = scale.ranged();
                let n = self.ranged(total).await?;
                Ok((total.div_ceil(PART_SIZE), n))
            }
            "list_100k" => {
                let n = self.list().await?;
                check_list(n)?;
                Ok((n, 0))
            }
            "delete_10k" => {
                self.delete().await?;
                Ok((DELETE_KEYS as u64, 0))
            }
            other => Err(format!("unknown workload {other}").into()),
        }
    }

    async fn small(&self, op: Small, n: usize, conc: usize) -> R<(u64, u64)> {
        let next = Arc::new(AtomicU64::new(0));
        let data = pattern().slice(..SMALL_SIZE as usize);
        let tasks = self
            .take(conc)
            .await?
            .into_iter()
            .map(|mut c| {
                let next = next.clone();
                let data = data.clone();
                tokio::spawn(async move {
                    let mut bytes = 0u64;
                    let mut target = String::with_capacity(64);
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed) as usize;
                        if i >= n {
                            return Ok::<_, BoxError>((c, bytes));
                        }
                        target.clear();
                        target.push('/');
                        target.push_str(BUCKET);
                        target.push('/');
                        target.push_str(&small_key(i));
                        match op {
                            Small::Put => {
                                c.send("PUT", &target, "", Some(&data)).await?;
                                let h = c.expect(200, false).await?;
                                c.skip_body(h.len.unwrap_or(0)).await?;
                                bytes += data.len() as u64;
                            }
                            Small::Get => {
                                c.send("GET", &target, "", None).await?;
                                let h = c.expect(200, false).await?;
                                let len = h.body_len()?;
                                if len != SMALL_SIZE {
                                    return Err(format!("GET of {len} bytes").into());
                                }
                                bytes += c.skip_body(len).await?;
                            }
                            Small::Head => {
                                c.send("HEAD", &target, "", None).await?;
                                let h = c.expect(200, false).await?;
                                if h.len != Some(SMALL_SIZE) {
                                    return Err(format!("HEAD said {:?} bytes", h.len).into());
                                }
                            }
                        }
                    }
                })
            })
            .collect();
        let bytes = join(self, tasks).await?;
        Ok((n as u64, bytes))
    }

    /// One GET of `key` (or of `range`) read through a 1 MiB buffer.
    async fn get_stream(&self, key: &str, range: Option<(u64, u64)>) -> R<u64> {
        let mut conns = self.take(1).await?;
        let c = &mut conns[0];
        let target = format!("/{BUCKET}/{key}");
        let (status, extra) = match range {
            Some((off, len)) => (206, format!("Range: bytes={}-{}\r\n", off, off + len - 1)),
            None => (200, String::new()),
        };
        c.send("GET", &target, &extra, None).await?;
        let h = c.expect(status, false).await?;
        let n = c.skip_body(h.body_len()?).await?;
        if let Some((_, len)) = range {
            if n != len {
                return Err(format!("range of {len}: got {n} bytes").into());
            }
        }
        self.give(conns);
        Ok(n)
    }

    /// 8 MiB ranges of `BIG_KEY`'s first `total` bytes, 8 connections.
    async fn ranged(&self, total: u64) -> R<u64> {
        let ranges = total.div_ceil(PART_SIZE);
        let next = Arc::new(AtomicU64::new(0));
        let target: Arc<str> = format!("/{BUCKET}/{BIG_KEY}").into();
        let tasks = self
            .take(PARALLELISM)
            .await?
            .into_iter()
            .map(|mut c| {
                let next = next.clone();
                let target = target.clone();
                tokio::spawn(async move {
                    let mut bytes = 0u64;
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= ranges {
                            return Ok::<_, BoxError>((c, bytes));
                        }
                        let off = i * PART_SIZE;
                        let len = PART_SIZE.min(total - off);
                        let range = format!("Range: bytes={}-{}\r\n", off, off + len - 1);
                        c.send("GET", &target, &range, None).await?;
                        let h = c.expect(206, false).await?;
                        if h.len != Some(len) {
                            return Err(format!("range {off}+{len}: {:?} bytes", h.len).into());
                        }
                        bytes += c.skip_body(len).await?;
                    }
                })
            })
            .collect();
        let bytes = join(self, tasks).await?;
        if bytes != total {
            return Err(format!("ranges moved {bytes} bytes of {total}").into());
        }
        Ok(bytes)
    }

    /// `BIG_CRC_KEY` into the download file: a HEAD for the size, then 8 MiB
    /// ranges on 8 connections, each read whole into the task's own buffer
    /// and written at its offset with a positioned write (from the task:
    /// tmpfs writes are memory copies).
    async fn fget(&self, key: &str) -> R<u64> {
        let target: Arc<str> = format!("/{BUCKET}/{key}").into();
        let mut conns = self.take(PARALLELISM).await?;
        conns[0].send("HEAD", &target, "", None).await?;
        let size = conns[0].expect(200, false).await?.body_len()?;
        let path = newtera_bench::fget::download_path();
        let file = std::fs::File::create(&path)?;
        file.set_len(size)?;
        let file = Arc::new(file);
        let ranges = size.div_ceil(PART_SIZE);
        let next = Arc::new(AtomicU64::new(0));
        let tasks = conns
            .into_iter()
            .map(|mut c| {
                let next = next.clone();
                let target = target.clone();
                let file = file.clone();
                tokio::spawn(async move {
                    let mut bytes = 0u64;
                    let mut part = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= ranges {
                            return Ok::<_, BoxError>((c, bytes));
                        }
                        let off = i * PART_SIZE;
                        let len = PART_SIZE.min(size - off);
                        let range = format!("Range: bytes={}-{}\r\n", off, off + len - 1);
                        c.send("GET", &target, &range, None).await?;
                        let h = c.expect(206, false).await?;
                        if h.len != Some(len) {
                            return Err(format!("range {off}+{len}: {:?} bytes", h.len).into());
                        }
                        part.resize(len as usize, 0);
                        c.read_body(&mut part).await?;
                        file.write_all_at(&part, off)?;
                        bytes += len;
                    }
                })
            })
            .collect();
        let bytes = join(self, tasks).await?;
        let written = std::fs::metadata(&path)?.len();
        if bytes != size || written != size {
            return Err(format!("wrote {bytes} bytes, file of {written}, object {size}").into());
        }
        Ok(bytes)
    }

    /// A multipart upload of `total` bytes: CreateMultipartUpload, 8 MiB
    /// parts on 8 connections, CompleteMultipartUpload. `known`: each part
    /// is written straight from the shared 1 MiB pattern chunk (the zero-copy
    /// stream the other clients get); else the parts are copied out of one
    /// `AsyncRead` of unknown length, in order, into each task's own buffer.
    async fn multipart(&self, key: &str, total: u64, known: bool) -> R<()> {
        let mut conns = self.take(PARALLELISM).await?;
        let c = &mut conns[0];
        c.send("POST", &format!("/{BUCKET}/{key}?uploads"), "", Some(b""))
            .await?;
        let h = c.expect(200, false).await?;
        let mut body = Vec::new();
        c.body_into(&h, &mut body).await?;
        let id = between(&body, b"<UploadId>", b"</UploadId>")
            .ok_or("no UploadId in the CreateMultipartUpload answer")?;
        let id = encode(std::str::from_utf8(id)?);
        let target: Arc<str> = format!("/{BUCKET}/{key}?uploadId={id}").into();
        let parts = total.div_ceil(PART_SIZE);
        let next = Arc::new(AtomicU64::new(0));
        let reader = Arc::new(tokio::sync::Mutex::new((GenReader::new(total), 0u64)));
        let etags = Arc::new(Mutex::new(vec![String::new(); parts as usize]));
        let tasks = conns
            .into_iter()
            .map(|mut c| {
                let (next, reader, etags) = (next.clone(), reader.clone(), etags.clone());
                let target = target.clone();
                tokio::spawn(async move {
                    let p = pattern();
                    let mut buf = Vec::new();
                    let mut bytes = 0u64;
                    let mut part_target = String::with_capacity(128);
                    loop {
                        // The part's number and its length; for an unknown
                        // length, its bytes copied into `buf` first.
                        let (n, len) = if known {
                            let i = next.fetch_add(1, Ordering::Relaxed);
                            if i >= parts {
                                return Ok::<_, BoxError>((c, bytes));
                            }
                            (i, PART_SIZE.min(total - i * PART_SIZE))
                        } else {
                            buf.resize(PART_SIZE as usize, 0);
                            let mut r = reader.lock().await;
                            let mut filled = 0;
                            while filled < buf.len() {
                                let k = r.0.read(&mut buf[filled..]).await?;
                                if k == 0 {
                                    break;
                                }
                                filled += k;
                            }
                            if filled == 0 {
                                return Ok((c, bytes));
                            }
                            r.1 += 1;
                            (r.1 - 1, filled as u64)
                        };
                        part_target.clear();
                        let _ = std::fmt::Write::write_fmt(
                            &mut part_target,
                            format_args!("{target}&partNumber={}", n + 1),
                        );
                        c.send_head("PUT", &part_target, len).await?;
                        if known {
                            let mut left = len as usize;
                            while left > 0 {
                                let k = left.min(CHUNK);
                                c.stream.write_all(&p[..k]).await?;
                                left -= k;
                            }
                        } else {
                            c.stream.write_all(&buf[..len as usize]).await?;
                        }
                        let h = c.expect(200, true).await?;
                        c.skip_body(h.len.unwrap_or(0)).await?;
                        let etag = h.etag.ok_or("UploadPart answer without ETag")?;
                        let mut e = etags.lock().unwrap_or_else(|e| e.into_inner());
                        let slot = e.get_mut(n as usize).ok_or("more parts than expected")?;
                        *slot = etag;
                        bytes += len;
                    }
                })
            })
            .collect();
        let sent = join(self, tasks).await?;
        if sent != total {
            return Err(format!("parts carried {sent} bytes of {total}").into());
        }
        let mut xml = String::with_capacity(64 + parts as usize * 80);
        xml.push_str("<CompleteMultipartUpload>");
        let etags = std::mem::take(&mut *etags.lock().unwrap_or_else(|e| e.into_inner()));
        for (i, etag) in etags.iter().enumerate() {
            if etag.is_empty() {
                return Err(format!("part {} not uploaded", i + 1).into());
            }
            xml.push_str("<Part><PartNumber>");
            xml.push_str(&(i + 1).to_string());
            xml.push_str("</PartNumber><ETag>");
            xml.push_str(etag);
            xml.push_str("</ETag></Part>");
        }
        xml.push_str("</CompleteMultipartUpload>");
        let mut conns = self.take(1).await?;
        let c = &mut conns[0];
        c.send("POST", &target, "", Some(xml.as_bytes())).await?;
        let h = c.expect(200, false).await?;
        c.body_into(&h, &mut body).await?;
        if memmem::find(&body, b"<CompleteMultipartUploadResult").is_none() {
            return Err(format!(
                "CompleteMultipartUpload answered {}",
                String::from_utf8_lossy(&body)
            )
            .into());
        }
        self.give(conns);
        Ok(())
    }

    /// ListObjectsV2 pages of `LIST_PREFIX`, following the continuation
    /// token; returns the `<Key>`s counted.
    async fn list(&self) -> R<u64> {
        let mut conns = self.take(1).await?;
        let c = &mut conns[0];
        let base = format!("/{BUCKET}?list-type=2&prefix={}", encode(LIST_PREFIX));
        let mut target = base.clone();
        let mut body = Vec::new();
        let mut keys = 0u64;
        loop {
            c.send("GET", &target, "", None).await?;
            let h = c.expect(200, false).await?;
            c.body_into(&h, &mut body).await?;
            keys += memmem::find_iter(&body, b"<Key>").count() as u64;
            let Some(token) = between(
                &body,
                b"<NextContinuationToken>",
                b"</NextContinuationToken>",
            ) else {
                break;
            };
            target.clear();
            target.push_str(&base);
            target.push_str("&continuation-token=");
            target.push_str(&encode(std::str::from_utf8(token)?));
        }
        self.give(conns);
        Ok(keys)
    }

    /// DeleteObjects of one round's keys, 1,000 a request, quiet. The bench
    /// endpoint requires no Content-MD5 or checksum header, so none is sent;
    /// the keys need no XML escaping.
    async fn delete(&self) -> R<()> {
        let mut conns = self.take(1).await?;
        let c = &mut conns[0];
        let target = format!("/{BUCKET}?delete");
        let mut xml = String::with_capacity(64 + DELETE_BATCH * 48);
        let mut body = Vec::new();
        for batch in 0..DELETE_KEYS.div_ceil(DELETE_BATCH) {
            xml.clear();
            xml.push_str("<Delete><Quiet>true</Quiet>");
            for i in batch * DELETE_BATCH..((batch + 1) * DELETE_BATCH).min(DELETE_KEYS) {
                xml.push_str("<Object><Key>");
                let _ = std::fmt::Write::write_fmt(&mut xml, format_args!("del/obj-{i:05}"));
                xml.push_str("</Key></Object>");
            }
            xml.push_str("</Delete>");
            c.send("POST", &target, "", Some(xml.as_bytes())).await?;
            let h = c.expect(200, false).await?;
            c.body_into(&h, &mut body).await?;
            if memmem::find(&body, b"<Error>").is_some()
                || memmem::find(&body, b"<DeleteResult").is_none()
            {
                return Err(
                    format!("DeleteObjects answered {}", String::from_utf8_lossy(&body)).into(),
                );
            }
        }
        self.give(conns);
        Ok(())
    }
}
