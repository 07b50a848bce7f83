//! The checksum a parallel download is verified against, and the per-range
//! CRCs it is computed from.
//!
//! Each range computes one CRC per *segment*: the range cut at the part
//! boundaries of a composite checksum (none for a full-object one). CRCs
//! combine from values and lengths alone, so the checksum of the whole
//! object, or of each part, follows from the segments in order without
//! reading a byte twice:
//!
//! - a **full-object** checksum (`x-amz-checksum-type: FULL_OBJECT`, or no
//!   type on a single-part object, or any CRC64NVME, which S3 only keeps
//!   whole) is the combination of every segment;
//! - a **composite** checksum of a multipart object (`…-N`, or type
//!   `COMPOSITE`; CRC32C only) is the CRC of the parts' CRCs (big-endian,
//!   concatenated) followed by `-N`; the part sizes come from one
//!   `HEAD ?partNumber=i` per part, and ranges need not align with parts;
//! - a CRC32C or CRC32 without a type or `-N` on a multipart object (`ETag` ending
//!   in `-N`) could be either; it is not verified (a debug event says so),
//!   and neither is a malformed value (a warning), a composite CRC64NVME or
//!   part sizes that do not add up to the object's size.

use crc_fast::Digest;
use http::HeaderMap;

use crate::checksum::{self, ChecksumAlgorithm};
use crate::error::{Error, Result};
use crate::get::GetObject;

const OP: &str = "GetObject";

/// What the whole object's bytes must check out against.
#[derive(Clone, Debug)]
pub(crate) enum Expected {
    /// One CRC over the whole object.
    Full {
        alg: ChecksumAlgorithm,
        value: String,
    },
    /// The CRC of the parts' CRCs, `-N`; `part_ends` are the parts' ends.
    Composite {
        alg: ChecksumAlgorithm,
        value: String,
        part_ends: Vec<u64>,
    },
}

/// The CRC of bytes `[start, start + len)` of the object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Segment {
    pub(crate) start: u64,
    pub(crate) len: u64,
    pub(crate) crc: u64,
}

/// The checksum the headers `h` of a HEAD (with checksum mode) declare for
/// an object of `size` bytes, if one can be verified (see the module
/// documentation); composite ones read the part sizes through `get`.
pub(crate) async fn expected(
    get: &GetObject,
    h: &HeaderMap,
    size: u64,
) -> Result<Option<Expected>> {
    let text = |name: &str| h.get(name).and_then(|v| v.to_str().ok());
    let ty = text("x-amz-checksum-type").map(str::to_ascii_uppercase);
    let etag_parts = text("etag")
        .and_then(|e| e.trim_matches('"').rsplit_once('-'))
        .and_then(|(_, n)| n.parse::<u32>().ok());
    for alg in ChecksumAlgorithm::VERIFIED {
        let Some(v) = text(alg.header_name()) else {
            continue;
        };
        let (value, suffix) = match v.rsplit_once('-') {
            Some((value, n)) => (value, n.parse::<u32>().ok()),
            None => (v, None),
        };
        if !checksum::well_formed(alg, value) {
            tracing::warn!(header = alg.header_name(), "ignoring a malformed checksum");
            return Ok(None);
        }
        if ty.as_deref() == Some("COMPOSITE") || suffix.is_some() {
            let parts = suffix.or_else(|| {
                text("x-amz-mp-parts-count")
                    .and_then(|n| n.parse().ok())
                    .or(etag_parts)
            });
            let Some(n) = parts.filter(|_| alg != ChecksumAlgorithm::Crc64Nvme) else {
                tracing::debug!("a composite checksum that cannot be verified");
                return Ok(None);
            };
            let sizes = crate::integrity::part_sizes(get, n).await?;
            let mut end = 0u64;
            let part_ends: Vec<u64> = sizes
                .iter()
                .map(|s| {
                    end = end.saturating_add(*s);
                    end
                })
                .collect();
            if end != size {
                tracing::warn!(size, parts = end, "part sizes do not add up to the object");
                return Ok(None);
            }
            return Ok(Some(Expected::Composite {
                alg,
                value: format!("{value}-{n}"),
                part_ends,
            }));
        }
        let whole = ty.as_deref() == Some("FULL_OBJECT")
            || etag_parts.is_none()
            || alg == ChecksumAlgorithm::Crc64Nvme;
        if !whole {
            tracing::debug!("a multipart object's checksum of unknown type: not verified");
            return Ok(None);
        }
        return Ok(Some(Expected::Full {
            alg,
            value: value.to_owned(),
        }));
    }
    Ok(None)
}

impl Expected {
    pub(crate) fn alg(&self) -> ChecksumAlgorithm {
        match self {
            Expected::Full { alg, .. } | Expected::Composite { alg, .. } => *alg,
        }
    }

    /// Where segments must be cut (the parts' ends).
    pub(crate) fn cuts(&self) -> &[u64] {
        match self {
            Expected::Full { .. } => &[],
            Expected::Composite { part_ends, .. } => part_ends,
        }
    }

    /// Checks the segments (of every range, any order) against the value.
    pub(crate) fn verify(&self, mut segments: Vec<Segment>) -> Result<()> {
        segments.sort_by_key(|s| s.start);
        let alg = self.alg();
        let (expected, computed) = match self {
            Expected::Full { value, .. } => (value, combined(alg, &segments)),
            Expected::Composite {
                value, part_ends, ..
            } => {
                let mut raw = Vec::new();
                let mut begin = 0u64;
                for end in part_ends {
                    let inside: Vec<Segment> = segments
                        .iter()
                        .filter(|s| s.start >= begin && s.start < *end)
                        .copied()
                        .collect();
                    let crc = combined_raw(alg, &inside, begin, *end);
                    raw.extend_from_slice(&(crc.unwrap_or(u64::MAX) as u32).to_be_bytes());
                    begin = *end;
                }
                let of_parts = crc_fast::checksum(alg.crc(), &raw);
                let n = part_ends.len();
                (value, format!("{}-{n}", checksum::encode(alg, of_parts)))
            }
        };
        if computed == *expected {
            return Ok(());
        }
        Err(Error::ChecksumMismatch {
            op: OP,
            algorithm: alg.as_str(),
            expected: expected.clone(),
            computed,
        })
    }
}

/// The CRC of contiguous segments covering `[begin, end)` exactly, or
/// `None` if they do not.
fn combined_raw(alg: ChecksumAlgorithm, segments: &[Segment], begin: u64, end: u64) -> Option<u64> {
    let mut at = begin;
    let mut acc: Option<u64> = None;
    for s in segments {
        if s.start != at {
            return None;
        }
        at += s.len;
        acc = Some(match acc {
            None => s.crc,
            Some(a) => crc_fast::checksum_combine(alg.crc(), a, s.crc, s.len),
        });
    }
    (at == end).then(|| acc.unwrap_or_else(|| crc_fast::checksum(alg.crc(), b"")))
}

/// The base64 CRC of all `segments`, or a description of the gap.
fn combined(alg: ChecksumAlgorithm, segments: &[Segment]) -> String {
    let end = segments.last().map_or(0, |s| s.start + s.len);
    match combined_raw(alg, segments, 0, end) {
        Some(crc) => checksum::encode(alg, crc),
        None => "(the ranges read do not cover the object)".into(),
    }
}

/// The running CRCs of one range `[start, end)`, one per segment.
pub(crate) struct Segments {
    alg: ChecksumAlgorithm,
    digest: Digest,
    seg_start: u64,
    pos: u64,
    end: u64,
    /// Cut points strictly inside the range, ascending.
    cuts: Vec<u64>,
    done: Vec<Segment>,
}

impl Segments {
    pub(crate) fn new(alg: ChecksumAlgorithm, start: u64, end: u64, cuts: &[u64]) -> Segments {
        Segments {
            alg,
            digest: Digest::new(alg.crc()),
            seg_start: start,
            pos: start,
            end,
            cuts: cuts
                .iter()
                .copied()
                .filter(|c| *c > start && *c < end)
                .rev()
                .collect(),
            done: Vec::new(),
        }
    }

    pub(crate) fn update(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            let boundary = self.cuts.last().copied().unwrap_or(u64::MAX);
            let take = (boundary - self.pos).min(data.len() as u64) as usize;
            self.digest.update(&data[..take]);
            self.pos += take as u64;
            data = &data[take..];
            if self.pos == boundary {
                self.cuts.pop();
                self.close();
            }
        }
    }

    fn close(&mut self) {
        let digest = std::mem::replace(&mut self.digest, Digest::new(self.alg.crc()));
        self.done.push(Segment {
            start: self.seg_start,
            len: self.pos - self.seg_start,
            crc: digest.finalize(),
        });
        self.seg_start = self.pos;
    }

    /// The segments, once every byte of the range went through.
    pub(crate) fn finish(mut self) -> Vec<Segment> {
        if self.pos > self.seg_start || self.done.is_empty() {
            self.close();
        }
        debug_assert_eq!(self.pos, self.end);
        self.done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> Vec<u8> {
        (0..100_000u32).map(|i| (i * 31 % 253) as u8).collect()
    }

    fn segments(alg: ChecksumAlgorithm, ranges: &[(u64, u64)], cuts: &[u64]) -> Vec<Segment> {
        let d = data();
        let mut all = Vec::new();
        // Feed the ranges backwards, in odd chunk sizes.
        for (start, end) in ranges.iter().rev() {
            let mut s = Segments::new(alg, *start, *end, cuts);
            for c in d[*start as usize..*end as usize].chunks(777) {
                s.update(c);
            }
            all.extend(s.finish());
        }
        all
    }

    #[test]
    fn full_object_checksums_combine_from_ranges() {
        for alg in ChecksumAlgorithm::VERIFIED {
            let want = Expected::Full {
                alg,
                value: alg.compute(&data()),
            };
            let ranges = [(0, 30_000), (30_000, 60_000), (60_000, 100_000)];
            assert!(want.verify(segments(alg, &ranges, &[])).is_ok());
            // A flipped byte, a missing range: mismatches.
            let mut bad = segments(alg, &ranges, &[]);
            bad[0].crc ^= 1;
            assert!(want.verify(bad).is_err());
            let partial = segments(alg, &ranges[..2], &[]);
            assert!(want.verify(partial).is_err());
        }
    }

    #[test]
    fn composite_checksums_from_unaligned_ranges() {
        let alg = ChecksumAlgorithm::Crc32c;
        let d = data();
        let ends = [40_000u64, 80_000, 100_000];
        let mut raw = Vec::new();
        let mut begin = 0;
        for e in ends {
            let crc = crc_fast::checksum(alg.crc(), &d[begin as usize..e as usize]);
            raw.extend_from_slice(&(crc as u32).to_be_bytes());
            begin = e;
        }
        let value = format!("{}-3", alg.compute(&raw));
        let want = Expected::Composite {
            alg,
            value,
            part_ends: ends.to_vec(),
        };
        let ranges = [
            (0, 30_000),
            (30_000, 60_000),
            (60_000, 90_000),
            (90_000, 100_000),
        ];
        let segs = segments(alg, &ranges, &ends);
        assert_eq!(segs.len(), 6, "{segs:?}");
        assert!(want.verify(segs).is_ok());
        let mut bad = segments(alg, &ranges, &ends);
        bad[2].crc ^= 4;
        assert!(want.verify(bad).is_err());
    }

    #[test]
    fn garage_composite_value() {
        // The part CRC32Cs garage and this crate computed for an 11 MiB
        // object in 5 MiB parts, and the composite garage declared.
        let b64 = |s: &str| {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD
                .decode(s)
                .unwrap_or_default()
        };
        let raw: Vec<u8> = ["CatQ4g==", "C7vgiw==", "q5YJlw=="]
            .iter()
            .flat_map(|p| b64(p))
            .collect();
        assert_eq!(ChecksumAlgorithm::Crc32c.compute(&raw), "pO2DdQ==");
    }
}
