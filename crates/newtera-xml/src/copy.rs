//! Server-side copy documents: the answers of `CopyObject` and
//! `UploadPartCopy`.
//!
//! S3 may answer either request `200 OK` with an `<Error>` body; check with
//! [`is_error_document`](crate::is_error_document) first (parsing such a
//! body here fails with [`XmlError::UnexpectedRoot`]).

use crate::read::{required, Parser};
use crate::XmlError;

/// The `CopyObject` response, `<CopyObjectResult>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CopyObjectResult {
    /// `<ETag>` of the new object as sent (quotes included; required).
    pub etag: String,
    /// `<LastModified>` as sent; empty when absent.
    pub last_modified: String,
    /// `<ChecksumCRC32C>`.
    pub checksum_crc32c: Option<String>,
    /// `<ChecksumCRC64NVME>`.
    pub checksum_crc64nvme: Option<String>,
}

/// The `UploadPartCopy` response, `<CopyPartResult>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CopyPartResult {
    /// `<ETag>` of the part as sent (quotes included; required).
    pub etag: String,
    /// `<LastModified>` as sent; empty when absent.
    pub last_modified: String,
    /// `<ChecksumCRC32C>`.
    pub checksum_crc32c: Option<String>,
    /// `<ChecksumCRC64NVME>`.
    pub checksum_crc64nvme: Option<String>,
}

/// The fields both documents share, read from a root named `root`.
fn parse(xml: &[u8], root: &'static str) -> Result<CopyObjectResult, XmlError> {
    let (mut p, root) = Parser::open(xml, root, root)?;
    let mut out = CopyObjectResult::default();
    let mut etag = None;
    p.children(&root, |p, c| {
        match c.name() {
            b"ETag" => etag = Some(p.text(&c)?),
            b"LastModified" => out.last_modified = p.text(&c)?,
            b"ChecksumCRC32C" => out.checksum_crc32c = p.opt_text(&c)?,
            b"ChecksumCRC64NVME" => out.checksum_crc64nvme = p.opt_text(&c)?,
            _ => p.skip(&c)?,
        }
        Ok(())
    })?;
    out.etag = required(etag, &p, "ETag")?;
    Ok(out)
}

impl CopyObjectResult {
    /// Parses a `<CopyObjectResult>` document.
    pub fn from_xml(xml: &[u8]) -> Result<Self, XmlError> {
        parse(xml, "CopyObjectResult")
    }
}

impl CopyPartResult {
    /// Parses a `<CopyPartResult>` document.
    pub fn from_xml(xml: &[u8]) -> Result<Self, XmlError> {
        let r = parse(xml, "CopyPartResult")?;
        Ok(CopyPartResult {
            etag: r.etag,
            last_modified: r.last_modified,
            checksum_crc32c: r.checksum_crc32c,
            checksum_crc64nvme: r.checksum_crc64nvme,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn reads_both_documents() {
        let doc = br#"<?xml version="1.0" encoding="UTF-8"?>
<CopyObjectResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LastModified>2009-10-12T17:50:30.000Z</LastModified><ETag>"9b2cf535f27731c974343645a3985328"</ETag></CopyObjectResult>"#;
        let r = CopyObjectResult::from_xml(doc).unwrap();
        assert_eq!(r.etag, "\"9b2cf535f27731c974343645a3985328\"");
        assert_eq!(r.last_modified, "2009-10-12T17:50:30.000Z");
        let part = br#"<CopyPartResult><ETag>&quot;abc&quot;</ETag><ChecksumCRC32C>sOO8/Q==</ChecksumCRC32C></CopyPartResult>"#;
        let r = CopyPartResult::from_xml(part).unwrap();
        assert_eq!(r.etag, "\"abc\"");
        assert_eq!(r.checksum_crc32c.as_deref(), Some("sOO8/Q=="));
        assert!(r.last_modified.is_empty());
        // Each parser wants its own root, and an ETag.
        let e = CopyObjectResult::from_xml(part).unwrap_err();
        assert!(matches!(e, XmlError::UnexpectedRoot { .. }), "{e:?}");
        let e = CopyPartResult::from_xml(b"<CopyPartResult/>").unwrap_err();
        assert!(matches!(e, XmlError::MissingField { .. }), "{e:?}");
        let e = CopyObjectResult::from_xml(b"<Error><Code>InternalError</Code></Error>");
        assert!(e.is_err());
    }
}
