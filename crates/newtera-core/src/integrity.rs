//! What a whole-object download is verified against.
//!
//! By default, a download is verified against the full-object checksum the
//! server declares (`x-amz-checksum-crc64nvme` / `-crc32c`), when it
//! declares a usable one; a malformed one is ignored with a warning.
//!
//! In strict mode ([`NewteraBuilder::strict_integrity`](crate::NewteraBuilder::strict_integrity)),
//! also:
//!
//! - a declared checksum that is malformed is an error before any byte is
//!   handed out;
//! - an object without a usable checksum is verified against its ETag
//!   where the ETag is an MD5 of the data: a single-part object not
//!   encrypted with SSE-KMS or SSE-C (one MD5 over the body: ~2 CPU-s/GiB
//!   on the bench machine, far more than the CRC; see BENCHMARKS.md), or a
//!   multipart object (`…-N`), whose part sizes are
//!   read first with one `HEAD ?partNumber=i` per part (N extra requests),
//!   then each part's MD5 is taken as the body streams and the MD5 of those
//!   digests compared with the ETag. Objects whose ETag is no MD5 (SSE-KMS,
//!   SSE-C) are not verified.

use std::fmt::Write as _;

use http::{HeaderMap, Method};
use md5::{Digest as _, Md5};

use crate::checksum::{self, ChecksumAlgorithm, Hasher};
use crate::client::S3Request;
use crate::error::{Error, Result};
use crate::get::GetObject;

const OP: &str = "GetObject";

/// Checks the bytes of a whole object as they stream by.
pub(crate) enum Verifier {
    /// A full-object CRC the server declared.
    Crc {
        hasher: Hasher,
        alg: ChecksumAlgorithm,
        expected: String,
    },
    /// The MD5 ETag of a single-part object.
    Md5 { md5: Md5, expected: String },
    /// The MD5-of-MD5s ETag of a multipart object with these part sizes.
    Parts {
        sizes: Vec<u64>,
        part: usize,
        in_part: u64,
        md5: Md5,
        digests: Vec<u8>,
        expected: String,
    },
}

impl Verifier {
    pub(crate) fn update(&mut self, mut data: &[u8]) {
        match self {
            Verifier::Crc { hasher, .. } => hasher.update(data),
            Verifier::Md5 { md5, .. } => md5.update(data),
            Verifier::Parts {
                sizes,
                part,
                in_part,
                md5,
                digests,
                ..
            } => {
                while !data.is_empty() {
                    let size = sizes.get(*part).copied().unwrap_or(u64::MAX);
                    let room = size.saturating_sub(*in_part);
                    let take = (room.min(data.len() as u64)) as usize;
                    md5.update(&data[..take]);
                    *in_part += take as u64;
                    data = &data[take..];
                    if *in_part == size {
                        digests.extend_from_slice(&std::mem::take(md5).finalize());
                        *part += 1;
                        *in_part = 0;
                    }
                }
            }
        }
    }

    /// The mismatch, if the bytes do not check out.
    pub(crate) fn verify(&self) -> Option<Error> {
        let (algorithm, expected, computed) = match self {
            Verifier::Crc {
                hasher,
                alg,
                expected,
            } => (alg.as_str(), expected, hasher.finish()),
            Verifier::Md5 { md5, expected } => ("MD5", expected, hex(&md5.clone().finalize())),
            Verifier::Parts {
                sizes,
                part,
                in_part,
                digests,
                expected,
                ..
            } => {
                let computed = if *part == sizes.len() && *in_part == 0 {
                    format!("{}-{}", hex(&Md5::digest(digests)), sizes.len())
                } else {
                    format!("(ended in part {} at byte {in_part})", part + 1)
                };
                ("MD5 of part MD5s", expected, computed)
            }
        };
        (computed != *expected).then(|| Error::ChecksumMismatch {
            op: OP,
            algorithm,
            expected: expected.clone(),
            computed,
        })
    }
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Is the object encrypted so that its ETag is no MD5 of its data?
fn etag_is_not_md5(h: &HeaderMap) -> bool {
    let kms = h
        .get("x-amz-server-side-encryption")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("aws:kms"));
    kms || h.contains_key("x-amz-server-side-encryption-customer-algorithm")
}

/// The verifier of a whole-object answer with headers `h`.
pub(crate) async fn verifier(get: &GetObject, h: &HeaderMap) -> Result<Option<Verifier>> {
    let strict = get.client().inner.strict_integrity;
    if let Some((alg, expected)) = checksum::declared(h) {
        return Ok(Some(Verifier::Crc {
            hasher: Hasher::new(alg),
            alg,
            expected,
        }));
    }
    if !strict {
        return Ok(None);
    }
    if let Some(name) = checksum::malformed(h) {
        return Err(Error::UnexpectedResponse {
            op: OP,
            reason: format!("the server declared a malformed {name}"),
        });
    }
    if etag_is_not_md5(h) {
        return Ok(None);
    }
    let Some(etag) = h.get("etag").and_then(|v| v.to_str().ok()) else {
        return Ok(None);
    };
    let etag = crate::put::trim_etag(etag).to_ascii_lowercase();
    let is_hex = |s: &str| s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit());
    match etag.split_once('-') {
        None if is_hex(&etag) => Ok(Some(Verifier::Md5 {
            md5: Md5::new(),
            expected: etag,
        })),
        Some((digest, n)) if is_hex(digest) => {
            let Ok(n) = n.parse::<u32>() else {
                return Ok(None);
            };
            let sizes = part_sizes(get, n).await?;
            Ok(Some(Verifier::Parts {
                sizes,
                part: 0,
                in_part: 0,
                md5: Md5::new(),
                digests: Vec::with_capacity(16 * n as usize),
                expected: etag,
            }))
        }
        _ => Ok(None),
    }
}

/// The sizes of the `n` parts of the object, one HEAD per part, up to 8
/// at a time. (Not pinned with `If-Match`: servers differ on which ETag a
/// part request compares. Should the object change meanwhile, the sizes
/// are wrong and the read fails its check, then is read again pinned to
/// its ETag.)
pub(crate) async fn part_sizes(get: &GetObject, n: u32) -> Result<Vec<u64>> {
    use futures::{StreamExt as _, TryStreamExt as _};
    futures::stream::iter(1..=n)
        .map(|i| part_size(get, i))
        .buffered(8)
        .try_collect()
        .await
}

async fn part_size(get: &GetObject, i: u32) -> Result<u64> {
    let req = S3Request::new("HeadObject", Method::HEAD)
        .bucket(get.bucket())
        .object(get.object())
        .query("partNumber", i.to_string());
    let mut req = get.apply_opts(req);
    req.headers.remove(http::header::IF_MATCH);
    let resp = get.client().send(req).await?;
    resp.headers()
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .ok_or_else(|| Error::UnexpectedResponse {
            op: "HeadObject",
            reason: format!("no Content-Length for part {i}"),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(sizes: Vec<u64>, expected: &str) -> Verifier {
        Verifier::Parts {
            sizes,
            part: 0,
            in_part: 0,
            md5: Md5::new(),
            digests: Vec::new(),
            expected: expected.into(),
        }
    }

    #[test]
    fn md5_etags_check_out() {
        let data = b"hello world, in three parts!";
        let mut v = Verifier::Md5 {
            md5: Md5::new(),
            expected: hex(&Md5::digest(data)),
        };
        v.update(&data[..5]);
        v.update(&data[5..]);
        assert!(v.verify().is_none());
        // Multipart: parts of 10, 10 and 8 bytes, fed in odd chunks.
        let mut cat = Vec::new();
        for p in [&data[..10], &data[10..20], &data[20..]] {
            cat.extend_from_slice(&Md5::digest(p));
        }
        let etag = format!("{}-3", hex(&Md5::digest(&cat)));
        let mut v = parts(vec![10, 10, 8], &etag);
        for c in data.chunks(7) {
            v.update(c);
        }
        assert!(v.verify().is_none());
        let mut v = parts(vec![10, 10, 8], &etag);
        v.update(&data[..27]);
        assert!(v.verify().is_some(), "short");
        let mut bad = data.to_vec();
        bad[3] ^= 1;
        let mut v = parts(vec![10, 10, 8], &etag);
        v.update(&bad);
        assert!(v.verify().is_some(), "flipped");
    }
}
