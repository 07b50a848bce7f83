//! End-to-end integrity: CRC32C / CRC64NVME / CRC32 checksums (`x-amz-checksum-*`)
//! on uploads, and verification of downloads that carry one.

use base64::Engine as _;
use crc_fast::{CrcAlgorithm, Digest};
use http::{HeaderMap, HeaderValue};

/// The checksum algorithm sent with uploads and checked on downloads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChecksumAlgorithm {
    /// CRC-32C (Castagnoli). Multipart objects get a composite checksum
    /// (a checksum of the parts' checksums).
    Crc32c,
    /// CRC-64/NVME. Multipart objects get a full-object checksum.
    Crc64Nvme,
    /// CRC-32 (ISO-HDLC, the zlib/Ethernet CRC; the AWS SDKs' default
    /// since 2025). Multipart objects get a composite checksum. Objects
    /// written with it by other clients are verified on download.
    Crc32,
}

impl ChecksumAlgorithm {
    /// The algorithms a download is verified with, in the order a response's
    /// headers are looked at.
    pub(crate) const VERIFIED: [ChecksumAlgorithm; 3] = [
        ChecksumAlgorithm::Crc64Nvme,
        ChecksumAlgorithm::Crc32c,
        ChecksumAlgorithm::Crc32,
    ];

    /// The S3 name (`CRC32C`, `CRC64NVME`, `CRC32`).
    pub fn as_str(self) -> &'static str {
        match self {
            ChecksumAlgorithm::Crc32c => "CRC32C",
            ChecksumAlgorithm::Crc64Nvme => "CRC64NVME",
            ChecksumAlgorithm::Crc32 => "CRC32",
        }
    }

    /// The header carrying a value (`x-amz-checksum-crc32c`, …).
    pub fn header_name(self) -> &'static str {
        match self {
            ChecksumAlgorithm::Crc32c => "x-amz-checksum-crc32c",
            ChecksumAlgorithm::Crc64Nvme => "x-amz-checksum-crc64nvme",
            ChecksumAlgorithm::Crc32 => "x-amz-checksum-crc32",
        }
    }

    pub(crate) fn crc(self) -> CrcAlgorithm {
        match self {
            ChecksumAlgorithm::Crc32c => CrcAlgorithm::Crc32Iscsi,
            ChecksumAlgorithm::Crc64Nvme => CrcAlgorithm::Crc64Nvme,
            ChecksumAlgorithm::Crc32 => CrcAlgorithm::Crc32IsoHdlc,
        }
    }

    /// The base64 value S3 expects for `data`.
    pub fn compute(self, data: &[u8]) -> String {
        encode(self, crc_fast::checksum(self.crc(), data))
    }
}

pub(crate) fn encode(alg: ChecksumAlgorithm, v: u64) -> String {
    let b64 = base64::engine::general_purpose::STANDARD;
    match alg {
        ChecksumAlgorithm::Crc32c | ChecksumAlgorithm::Crc32 => {
            b64.encode((v as u32).to_be_bytes())
        }
        ChecksumAlgorithm::Crc64Nvme => b64.encode(v.to_be_bytes()),
    }
}

/// A running checksum over data seen in order.
pub(crate) struct Hasher {
    alg: ChecksumAlgorithm,
    digest: Digest,
}

impl Hasher {
    pub(crate) fn new(alg: ChecksumAlgorithm) -> Self {
        Hasher {
            alg,
            digest: Digest::new(alg.crc()),
        }
    }

    pub(crate) fn update(&mut self, data: &[u8]) {
        self.digest.update(data);
    }

    pub(crate) fn finish(&self) -> String {
        encode(self.alg, self.digest.finalize())
    }
}

/// The checksum of data held in several buffers.
pub(crate) fn compute_chunks(alg: ChecksumAlgorithm, chunks: &[bytes::Bytes]) -> String {
    let mut h = Hasher::new(alg);
    for c in chunks {
        h.update(c);
    }
    h.finish()
}

/// The checksum of a whole object from the checksums of its parts, in part
/// order, as `(base64 value, part length)`: CRC combination needs only each
/// part's value and length, so the object is never read a second time.
///
/// Returns `None` if a value is not one this algorithm produces (they are
/// the values this crate computed for the parts, so that means a bug).
pub(crate) fn combine<'a>(
    alg: ChecksumAlgorithm,
    parts: impl IntoIterator<Item = (&'a str, u64)>,
) -> Option<String> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut acc: Option<u64> = None;
    for (value, len) in parts {
        let raw = b64.decode(value).ok()?;
        let v = match alg {
            ChecksumAlgorithm::Crc32c | ChecksumAlgorithm::Crc32 => {
                u64::from(u32::from_be_bytes(raw.try_into().ok()?))
            }
            ChecksumAlgorithm::Crc64Nvme => u64::from_be_bytes(raw.try_into().ok()?),
        };
        acc = Some(match acc {
            None => v,
            Some(a) => crc_fast::checksum_combine(alg.crc(), a, v, len),
        });
    }
    Some(encode(
        alg,
        acc.unwrap_or_else(|| crc_fast::checksum(alg.crc(), b"")),
    ))
}

/// Sets the checksum header (and the SDK algorithm header) to `value`.
pub(crate) fn set_value(h: &mut HeaderMap, alg: ChecksumAlgorithm, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        h.insert(alg.header_name(), v);
        h.insert(
            "x-amz-sdk-checksum-algorithm",
            HeaderValue::from_static(alg.as_str()),
        );
    }
}

/// Is `value` a well-formed base64 checksum for `alg`?
pub(crate) fn well_formed(alg: ChecksumAlgorithm, value: &str) -> bool {
    let want = match alg {
        ChecksumAlgorithm::Crc32c | ChecksumAlgorithm::Crc32 => 4,
        ChecksumAlgorithm::Crc64Nvme => 8,
    };
    base64::engine::general_purpose::STANDARD
        .decode(value)
        .is_ok_and(|b| b.len() == want)
}

/// The header of a full-object checksum the response declares malformed
/// (not composite, yet not the length its algorithm gives), if any.
pub(crate) fn malformed(h: &HeaderMap) -> Option<&'static str> {
    ChecksumAlgorithm::VERIFIED
        .into_iter()
        .find(|alg| {
            let composite = h
                .get("x-amz-checksum-type")
                .is_some_and(|t| t.as_bytes().eq_ignore_ascii_case(b"COMPOSITE"));
            h.get(alg.header_name())
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| !v.contains('-') && !composite && !well_formed(*alg, v))
        })
        .map(|alg| alg.header_name())
}

/// The full-object checksum a response declares, if one we can verify over
/// the body is there (composite `…-N` values of multipart objects are not).
pub(crate) fn declared(h: &HeaderMap) -> Option<(ChecksumAlgorithm, String)> {
    for alg in ChecksumAlgorithm::VERIFIED {
        if let Some(v) = h.get(alg.header_name()).and_then(|v| v.to_str().ok()) {
            let composite = h
                .get("x-amz-checksum-type")
                .is_some_and(|t| t.as_bytes().eq_ignore_ascii_case(b"COMPOSITE"));
            if !v.contains('-') && !composite {
                if well_formed(alg, v) {
                    return Some((alg, v.to_owned()));
                }
                tracing::warn!(
                    header = alg.header_name(),
                    "ignoring a malformed checksum declared by the server"
                );
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        // CRC-32C of "123456789" is 0xE3069283; CRC-64/NVME is 0xAE8B14860A799888.
        assert_eq!(ChecksumAlgorithm::Crc32c.compute(b"123456789"), "4waSgw==");
        assert_eq!(
            ChecksumAlgorithm::Crc64Nvme.compute(b"123456789"),
            base64::engine::general_purpose::STANDARD
                .encode(0xAE8B_1486_0A79_9888u64.to_be_bytes())
        );
        let mut h = Hasher::new(ChecksumAlgorithm::Crc32c);
        h.update(b"1234");
        h.update(b"56789");
        assert_eq!(h.finish(), "4waSgw==");
        // CRC-32 (ISO-HDLC) of "123456789" is 0xCBF43926.
        assert_eq!(ChecksumAlgorithm::Crc32.compute(b"123456789"), "y/Q5Jg==");
        let parts = [
            ChecksumAlgorithm::Crc32.compute(b"1234"),
            ChecksumAlgorithm::Crc32.compute(b"56789"),
        ];
        assert_eq!(
            combine(
                ChecksumAlgorithm::Crc32,
                [(parts[0].as_str(), 4), (parts[1].as_str(), 5)]
            )
            .as_deref(),
            Some("y/Q5Jg==")
        );
    }

    #[test]
    fn combined_part_checksums_equal_the_whole() {
        let data: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 251) as u8).collect();
        for alg in [ChecksumAlgorithm::Crc32c, ChecksumAlgorithm::Crc64Nvme] {
            let parts: Vec<(String, u64)> = data
                .chunks(30_000)
                .map(|c| (alg.compute(c), c.len() as u64))
                .collect();
            let combined = combine(alg, parts.iter().map(|(v, l)| (v.as_str(), *l)));
            assert_eq!(combined.as_deref(), Some(alg.compute(&data).as_str()));
        }
        let empty = combine(ChecksumAlgorithm::Crc64Nvme, []);
        assert_eq!(empty, Some(ChecksumAlgorithm::Crc64Nvme.compute(b"")));
        assert_eq!(
            combine(ChecksumAlgorithm::Crc64Nvme, [("4waSgw==", 9)]),
            None
        );
    }

    #[test]
    fn composite_values_are_not_verified() {
        let mut h = HeaderMap::new();
        h.insert("x-amz-checksum-crc32c", HeaderValue::from_static("abcd-3"));
        assert!(declared(&h).is_none());
        h.insert(
            "x-amz-checksum-crc32c",
            HeaderValue::from_static("4waSgw=="),
        );
        assert_eq!(
            declared(&h),
            Some((ChecksumAlgorithm::Crc32c, "4waSgw==".into()))
        );
        h.insert("x-amz-checksum-type", HeaderValue::from_static("COMPOSITE"));
        assert!(declared(&h).is_none());
        // A CRC64NVME header holding 4 bytes is malformed and not trusted.
        let mut h = HeaderMap::new();
        h.insert(
            "x-amz-checksum-crc64nvme",
            HeaderValue::from_static("pCM19A=="),
        );
        assert!(declared(&h).is_none());
    }
}
