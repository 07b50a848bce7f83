//! Multipart upload documents.

use crate::read::{required, Child, Parser};
use crate::write::Writer;
use crate::{Owner, XmlError};

/// The `CreateMultipartUpload` response, `<InitiateMultipartUploadResult>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InitiateMultipartUploadResult {
    /// `<Bucket>`; empty when absent.
    pub bucket: String,
    /// `<Key>`; empty when absent.
    pub key: String,
    /// `<UploadId>` (required).
    pub upload_id: String,
}

impl InitiateMultipartUploadResult {
    /// Parses an `<InitiateMultipartUploadResult>` document.
    pub fn from_xml(xml: &[u8]) -> Result<Self, XmlError> {
        const DOC: &str = "InitiateMultipartUploadResult";
        let (mut p, root) = Parser::open(xml, DOC, DOC)?;
        let mut out = InitiateMultipartUploadResult::default();
        let mut upload_id = None;
        p.children(&root, |p, c| {
            match c.name() {
                b"Bucket" => out.bucket = p.text(&c)?,
                b"Key" => out.key = p.text(&c)?,
                b"UploadId" => upload_id = Some(p.text(&c)?),
                _ => p.skip(&c)?,
            }
            Ok(())
        })?;
        out.upload_id = required(upload_id, &p, "UploadId")?;
        Ok(out)
    }
}

/// The `CompleteMultipartUpload` request body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompleteMultipartUpload {
    /// The parts, in the order to write them (S3 wants ascending part
    /// numbers; this type does not sort).
    pub parts: Vec<CompletedPart>,
}

/// One `<Part>` of a [`CompleteMultipartUpload`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompletedPart {
    /// `<PartNumber>`, 1 to 10,000.
    pub part_number: u32,
    /// `<ETag>` as the `UploadPart` response gave it (quotes included).
    pub etag: String,
    /// `<ChecksumCRC32C>` (base64), when the upload uses CRC32C.
    pub checksum_crc32c: Option<String>,
    /// `<ChecksumCRC64NVME>` (base64), when the upload uses CRC64NVME.
    pub checksum_crc64nvme: Option<String>,
    /// `<ChecksumCRC32>` (base64), when the upload uses CRC32.
    pub checksum_crc32: Option<String>,
}

impl CompleteMultipartUpload {
    /// Serialises to `<CompleteMultipartUpload xmlns="…"><Part><PartNumber>1</PartNumber><ETag>…</ETag>…</Part>…</CompleteMultipartUpload>`.
    pub fn to_xml(&self) -> Result<String, XmlError> {
        let mut w = Writer::new("CompleteMultipartUpload", self.parts.len() * 96);
        for part in &self.parts {
            w.open("Part");
            w.number("PartNumber", u64::from(part.part_number));
            w.element("ETag", &part.etag)?;
            w.opt_element("ChecksumCRC32C", part.checksum_crc32c.as_deref())?;
            w.opt_element("ChecksumCRC64NVME", part.checksum_crc64nvme.as_deref())?;
            w.opt_element("ChecksumCRC32", part.checksum_crc32.as_deref())?;
            w.close("Part");
        }
        Ok(w.finish())
    }
}

/// The `CompleteMultipartUpload` response, `<CompleteMultipartUploadResult>`.
///
/// S3 may answer `200 OK` with an `<Error>` body instead; check with
/// [`is_error_document`](crate::is_error_document) first (parsing such a
/// body here fails with [`XmlError::UnexpectedRoot`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompleteMultipartUploadResult {
    /// `<Location>`; empty when absent.
    pub location: String,
    /// `<Bucket>`; empty when absent.
    pub bucket: String,
    /// `<Key>`; empty when absent.
    pub key: String,
    /// `<ETag>` of the whole object (required).
    pub etag: String,
    /// `<ChecksumCRC32C>`.
    pub checksum_crc32c: Option<String>,
    /// `<ChecksumCRC64NVME>`.
    pub checksum_crc64nvme: Option<String>,
}

impl CompleteMultipartUploadResult {
    /// Parses a `<CompleteMultipartUploadResult>` document.
    pub fn from_xml(xml: &[u8]) -> Result<Self, XmlError> {
        const DOC: &str = "CompleteMultipartUploadResult";
        // Some servers name the root `CompleteMultipartUploadResponse`
        // (the AWS query-protocol style); accept both.
        let (mut p, root) =
            Parser::open_one_of(xml, DOC, DOC, &["CompleteMultipartUploadResponse"])?;
        let mut out = CompleteMultipartUploadResult::default();
        let mut etag = None;
        p.children(&root, |p, c| {
            match c.name() {
                b"Location" => out.location = p.text(&c)?,
                b"Bucket" => out.bucket = p.text(&c)?,
                b"Key" => out.key = p.text(&c)?,
                b"ETag" => etag = Some(p.text(&c)?),
                b"ChecksumCRC32C" => out.checksum_crc32c = p.opt_text(&c)?,
                b"ChecksumCRC64NVME" => out.checksum_crc64nvme = p.opt_text(&c)?,
                _ => p.skip(&c)?,
            }
            Ok(())
        })?;
        out.etag = required(etag, &p, "ETag")?;
        Ok(out)
    }
}

/// The `ListMultipartUploads` response, `<ListMultipartUploadsResult>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListMultipartUploadsResult {
    /// `<Bucket>`; empty when absent.
    pub bucket: String,
    /// `<KeyMarker>`.
    pub key_marker: Option<String>,
    /// `<UploadIdMarker>`.
    pub upload_id_marker: Option<String>,
    /// `<NextKeyMarker>`.
    pub next_key_marker: Option<String>,
    /// `<NextUploadIdMarker>`.
    pub next_upload_id_marker: Option<String>,
    /// `<Prefix>`.
    pub prefix: Option<String>,
    /// `<Delimiter>`.
    pub delimiter: Option<String>,
    /// `<MaxUploads>`.
    pub max_uploads: Option<u64>,
    /// `<IsTruncated>`; `false` when absent.
    pub is_truncated: bool,
    /// `<EncodingType>`.
    pub encoding_type: Option<String>,
    /// The `<Upload>` entries, in document order.
    pub uploads: Vec<UploadEntry>,
    /// The `<CommonPrefixes><Prefix>` values.
    pub common_prefixes: Vec<String>,
}

/// One `<Upload>` of a [`ListMultipartUploadsResult`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UploadEntry {
    /// `<Key>` (required).
    pub key: String,
    /// `<UploadId>` (required).
    pub upload_id: String,
    /// `<Initiated>` as sent (ISO 8601); empty when absent.
    pub initiated: String,
    /// `<StorageClass>`.
    pub storage_class: Option<String>,
    /// `<Owner>`.
    pub owner: Option<Owner>,
    /// `<Initiator>`.
    pub initiator: Option<Owner>,
}

impl ListMultipartUploadsResult {
    /// Parses a `<ListMultipartUploadsResult>` document.
    pub fn from_xml(xml: &[u8]) -> Result<Self, XmlError> {
        const DOC: &str = "ListMultipartUploadsResult";
        let (mut p, root) = Parser::open(xml, DOC, DOC)?;
        let mut out = ListMultipartUploadsResult::default();
        p.children(&root, |p, c| {
            match c.name() {
                b"Upload" => {
                    let upload = parse_upload(p, &c)?;
                    out.uploads.push(upload);
                }
                b"CommonPrefixes" => p.common_prefixes(&c, &mut out.common_prefixes)?,
                b"Bucket" => out.bucket = p.text(&c)?,
                b"KeyMarker" => out.key_marker = p.opt_text(&c)?,
                b"UploadIdMarker" => out.upload_id_marker = p.opt_text(&c)?,
                b"NextKeyMarker" => out.next_key_marker = p.opt_text(&c)?,
                b"NextUploadIdMarker" => out.next_upload_id_marker = p.opt_text(&c)?,
                b"Prefix" => out.prefix = p.opt_text(&c)?,
                b"Delimiter" => out.delimiter = p.opt_text(&c)?,
                b"MaxUploads" => out.max_uploads = Some(p.number(&c, "MaxUploads")?),
                b"IsTruncated" => out.is_truncated = p.boolean(&c, "IsTruncated")?,
                b"EncodingType" => out.encoding_type = p.opt_text(&c)?,
                _ => p.skip(&c)?,
            }
            Ok(())
        })?;
        Ok(out)
    }
}

fn parse_upload<'a>(p: &mut Parser<'a>, parent: &Child<'a>) -> Result<UploadEntry, XmlError> {
    let mut entry = UploadEntry::default();
    let mut key = None;
    let mut upload_id = None;
    p.children(parent, |p, c| {
        match c.name() {
            b"Key" => key = Some(p.text(&c)?),
            b"UploadId" => upload_id = Some(p.text(&c)?),
            b"Initiated" => entry.initiated = p.text(&c)?,
            b"StorageClass" => entry.storage_class = p.opt_text(&c)?,
            b"Owner" => entry.owner = Some(p.owner(&c)?),
            b"Initiator" => entry.initiator = Some(p.owner(&c)?),
            _ => p.skip(&c)?,
        }
        Ok(())
    })?;
    entry.key = required(key, p, "Key")?;
    entry.upload_id = required(upload_id, p, "UploadId")?;
    Ok(entry)
}

/// The `ListParts` response, `<ListPartsResult>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListPartsResult {
    /// `<Bucket>`; empty when absent.
    pub bucket: String,
    /// `<Key>`; empty when absent.
    pub key: String,
    /// `<UploadId>`; empty when absent.
    pub upload_id: String,
    /// `<PartNumberMarker>`.
    pub part_number_marker: Option<u32>,
    /// `<NextPartNumberMarker>`.
    pub next_part_number_marker: Option<u32>,
    /// `<MaxParts>`.
    pub max_parts: Option<u32>,
    /// `<IsTruncated>`; `false` when absent.
    pub is_truncated: bool,
    /// The `<Part>` entries, in document order.
    pub parts: Vec<PartEntry>,
}

/// One `<Part>` of a [`ListPartsResult`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PartEntry {
    /// `<PartNumber>` (required).
    pub part_number: u32,
    /// `<ETag>` (required).
    pub etag: String,
    /// `<Size>` (required).
    pub size: u64,
    /// `<LastModified>` as sent; empty when absent.
    pub last_modified: String,
    /// `<ChecksumCRC32C>`.
    pub checksum_crc32c: Option<String>,
    /// `<ChecksumCRC64NVME>`.
    pub checksum_crc64nvme: Option<String>,
}

impl ListPartsResult {
    /// Parses a `<ListPartsResult>` document (or one rooted at
    /// `<ListPartsResponse>`, as some servers name it).
    pub fn from_xml(xml: &[u8]) -> Result<Self, XmlError> {
        const DOC: &str = "ListPartsResult";
        let (mut p, root) = Parser::open_one_of(xml, DOC, DOC, &["ListPartsResponse"])?;
        let mut out = ListPartsResult::default();
        p.children(&root, |p, c| {
            match c.name() {
                b"Part" => {
                    let part = parse_part(p, &c)?;
                    out.parts.push(part);
                }
                b"Bucket" => out.bucket = p.text(&c)?,
                b"Key" => out.key = p.text(&c)?,
                b"UploadId" => out.upload_id = p.text(&c)?,
                b"PartNumberMarker" => {
                    out.part_number_marker = Some(p.number(&c, "PartNumberMarker")?)
                }
                b"NextPartNumberMarker" => {
                    out.next_part_number_marker = Some(p.number(&c, "NextPartNumberMarker")?)
                }
                b"MaxParts" => out.max_parts = Some(p.number(&c, "MaxParts")?),
                b"IsTruncated" => out.is_truncated = p.boolean(&c, "IsTruncated")?,
                _ => p.skip(&c)?,
            }
            Ok(())
        })?;
        Ok(out)
    }
}

fn parse_part<'a>(p: &mut Parser<'a>, parent: &Child<'a>) -> Result<PartEntry, XmlError> {
    let mut entry = PartEntry::default();
    let mut part_number = None;
    let mut etag = None;
    let mut size = None;
    p.children(parent, |p, c| {
        match c.name() {
            b"PartNumber" => part_number = Some(p.number(&c, "PartNumber")?),
            b"ETag" => etag = Some(p.text(&c)?),
            b"Size" => size = Some(p.number(&c, "Size")?),
            b"LastModified" => entry.last_modified = p.text(&c)?,
            b"ChecksumCRC32C" => entry.checksum_crc32c = p.opt_text(&c)?,
            b"ChecksumCRC64NVME" => entry.checksum_crc64nvme = p.opt_text(&c)?,
            _ => p.skip(&c)?,
        }
        Ok(())
    })?;
    entry.part_number = required(part_number, p, "PartNumber")?;
    entry.etag = required(etag, p, "ETag")?;
    entry.size = required(size, p, "Size")?;
    Ok(entry)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn list_parts_under_either_root() {
        for root in ["ListPartsResult", "ListPartsResponse"] {
            let xml = format!(
                "<{root}><Bucket>b</Bucket><Key>k</Key><UploadId>u</UploadId>\
                 <IsTruncated>false</IsTruncated><Part><PartNumber>1</PartNumber>\
                 <ETag>\"e\"</ETag><Size>5</Size></Part></{root}>"
            );
            let doc = ListPartsResult::from_xml(xml.as_bytes()).unwrap();
            assert_eq!(doc.parts.len(), 1, "{root}");
            assert_eq!(doc.upload_id, "u");
        }
        assert!(ListPartsResult::from_xml(b"<Other/>").is_err());
    }
}
