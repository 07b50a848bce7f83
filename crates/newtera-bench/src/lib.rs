//! Shared pieces of Newtera's benchmark: process measurements (CPU time from
//! `getrusage`, peak RSS from `/proc/self/status`), the aws-chunked decoder
//! the benchmark endpoint uses, and the workload names the harness and the
//! client driver agree on.
//!
//! The crate is not a default member of the workspace: `cargo build` and
//! `cargo test` at the root never compile it or its heavy peer dependencies.
//! Run it through `cargo xtask bench [--quick]`.

use std::time::Duration;

pub mod fget;

/// The bucket every workload uses.
pub const BUCKET: &str = "bench";
/// The key of the large object the endpoint serves (1 GiB).
pub const BIG_KEY: &str = "big/obj-1g";
/// The same large object under a key for which the endpoint declares the
/// full-object CRC64NVME (`x-amz-checksum-crc64nvme`, type `FULL_OBJECT`) on
/// HEAD and whole-object GET when asked with `x-amz-checksum-mode: ENABLED`,
/// as S3 does for objects uploaded with that checksum.
pub const BIG_CRC_KEY: &str = "big/obj-1g-crc64";
/// Size of the large object the endpoint serves.
pub const BIG_SIZE: u64 = 1 << 30;
/// Size of every other object the endpoint serves.
pub const SMALL_SIZE: u64 = 1024;
/// Keys in the listing bucket (under [`LIST_PREFIX`]).
pub const LIST_KEYS: usize = 100_000;
/// Prefix of the listed keys.
pub const LIST_PREFIX: &str = "list/";
/// Keys per listing page.
pub const LIST_PAGE: usize = 1000;
/// Part size of the multipart workloads.
pub const PART_SIZE: u64 = 8 << 20;
/// Parts in flight in the multipart and ranged workloads.
pub const PARALLELISM: usize = 8;

/// User and system CPU time of this process (`getrusage(RUSAGE_SELF)`).
#[allow(unsafe_code)]
pub fn cpu_time() -> (Duration, Duration) {
    // SAFETY: getrusage writes a `rusage` into the zeroed struct we own.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    assert_eq!(rc, 0, "getrusage failed");
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    (tv(ru.ru_utime), tv(ru.ru_stime))
}

/// A field of `/proc/self/status` in KiB (`VmHWM`, `VmRSS`).
pub fn proc_status_kib(field: &str) -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    s.lines()
        .find(|l| l.starts_with(field) && l[field.len()..].starts_with(':'))
        .and_then(|l| {
            l[field.len() + 1..]
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse()
                .ok()
        })
}

/// Resets the peak RSS (`VmHWM`) of this process to its current RSS, so that
/// warm-up allocations do not count. Returns whether the kernel allowed it.
pub fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Incremental decoder of an `aws-chunked` body (`STREAMING-*` payloads):
/// `hex-size[;chunk-signature=..]\r\n data \r\n ... 0\r\n trailers \r\n`.
#[derive(Debug, Default)]
pub struct AwsChunkedDecoder {
    state: ChunkState,
    remaining: u64,
    line: Vec<u8>,
    /// Payload bytes decoded so far.
    pub decoded: u64,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum ChunkState {
    #[default]
    SizeLine,
    Data,
    DataCrlf(u8),
    Trailers,
    Done,
}

impl AwsChunkedDecoder {
    /// Feeds the next bytes of the body.
    pub fn feed(&mut self, mut buf: &[u8]) -> Result<(), String> {
        while !buf.is_empty() {
            match self.state {
                ChunkState::SizeLine | ChunkState::Trailers => {
                    let (take, complete) = match buf.iter().position(|&b| b == b'\n') {
                        Some(i) => (i + 1, true),
                        None => (buf.len(), false),
                    };
                    self.line.extend_from_slice(&buf[..take]);
                    buf = &buf[take..];
                    if self.line.len() > 4096 {
                        return Err("aws-chunked line too long".into());
                    }
                    if !complete {
                        continue;
                    }
                    let line = std::str::from_utf8(&self.line)
                        .map_err(|_| "aws-chunked line not UTF-8".to_string())?
                        .trim_end_matches(['\r', '\n']);
                    if self.state == ChunkState::SizeLine {
                        let hex = line.split(';').next().unwrap_or("").trim();
                        let size = u64::from_str_radix(hex, 16)
                            .map_err(|_| format!("bad aws-chunked size line {line:?}"))?;
                        if size == 0 {
                            self.state = ChunkState::Trailers;
                        } else {
                            self.remaining = size;
                            self.state = ChunkState::Data;
                        }
                    } else if line.is_empty() {
                        self.state = ChunkState::Done;
                    }
                    self.line.clear();
                }
                ChunkState::Data => {
                    let n = (self.remaining.min(buf.len() as u64)) as usize;
                    self.decoded += n as u64;
                    self.remaining -= n as u64;
                    buf = &buf[n..];
                    if self.remaining == 0 {
                        self.state = ChunkState::DataCrlf(2);
                    }
                }
                ChunkState::DataCrlf(k) => {
                    let n = (k as usize).min(buf.len());
                    buf = &buf[n..];
                    let left = k - n as u8;
                    self.state = if left == 0 {
                        ChunkState::SizeLine
                    } else {
                        ChunkState::DataCrlf(left)
                    };
                }
                ChunkState::Done => return Err("data after the aws-chunked trailers".into()),
            }
        }
        Ok(())
    }

    /// Whether the final chunk and the trailers were seen.
    pub fn is_done(&self) -> bool {
        self.state == ChunkState::Done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_signed_and_unsigned_chunks_split_anywhere() {
        let body = b"5;chunk-signature=abc\r\nhello\r\n3\r\nabc\r\n0;chunk-signature=z\r\nx-amz-checksum-crc32:AAAA\r\n\r\n";
        for split in 0..body.len() {
            let mut d = AwsChunkedDecoder::default();
            d.feed(&body[..split]).unwrap();
            d.feed(&body[split..]).unwrap();
            assert!(d.is_done());
            assert_eq!(d.decoded, 8);
        }
    }
}
