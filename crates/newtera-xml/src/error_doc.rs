//! The S3 `<Error>` document.

use crate::read::{required, Parser};
use crate::XmlError;

/// An S3 error response body:
/// `<Error><Code/><Message/><Resource/><RequestId/><HostId/>…</Error>`.
///
/// Unknown children (`<Endpoint>`, `<ArgumentName>`, …) are ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorDocument {
    /// `<Code>`, e.g. `NoSuchKey` (required).
    pub code: String,
    /// `<Message>`; empty when absent.
    pub message: String,
    /// `<Resource>`.
    pub resource: Option<String>,
    /// `<RequestId>`.
    pub request_id: Option<String>,
    /// `<HostId>`.
    pub host_id: Option<String>,
    /// `<BucketName>`.
    pub bucket_name: Option<String>,
    /// `<Key>`.
    pub key: Option<String>,
    /// `<Region>`: the region the bucket is in, which Amazon S3 names when a
    /// request was signed for another one (`AuthorizationHeaderMalformed`,
    /// `PermanentRedirect`).
    pub region: Option<String>,
}

const DOC: &str = "Error";

impl ErrorDocument {
    /// Parses an S3 `<Error>` document. Same as [`parse_error`].
    pub fn from_xml(xml: &[u8]) -> Result<Self, XmlError> {
        let (mut p, root) = Parser::open(xml, DOC, "Error")?;
        let mut code = None;
        let mut out = ErrorDocument::default();
        p.children(&root, |p, c| {
            match c.name() {
                b"Code" => code = Some(p.text(&c)?),
                b"Message" => out.message = p.text(&c)?,
                b"Resource" => out.resource = p.opt_text(&c)?,
                b"RequestId" => out.request_id = p.opt_text(&c)?,
                b"HostId" => out.host_id = p.opt_text(&c)?,
                b"BucketName" => out.bucket_name = p.opt_text(&c)?,
                b"Key" => out.key = p.opt_text(&c)?,
                b"Region" => out.region = p.opt_text(&c)?,
                _ => p.skip(&c)?,
            }
            Ok(())
        })?;
        out.code = required(code, &p, "Code")?;
        Ok(out)
    }
}

/// Parses an S3 `<Error>` document; `<Code>` is required, everything else
/// optional, unknown children ignored.
pub fn parse_error(xml: &[u8]) -> Result<ErrorDocument, XmlError> {
    ErrorDocument::from_xml(xml)
}

/// Tells, cheaply and without parsing the rest, whether the root element of
/// `xml` is `<Error>` (with or without a namespace prefix).
///
/// It skips a UTF-8 byte order mark, whitespace, the XML declaration,
/// processing instructions and comments before the root. Use it on a
/// `200 OK` body of `CompleteMultipartUpload` or `CopyObject`, which S3 may
/// use to report a failure.
pub fn is_error_document(xml: &[u8]) -> bool {
    let mut rest = xml.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(xml);
    loop {
        rest = trim_start(rest);
        if rest.starts_with(b"<?") {
            match find(rest, b"?>") {
                Some(i) => rest = &rest[i + 2..],
                None => return false,
            }
        } else if rest.starts_with(b"<!--") {
            match find(&rest[4..], b"-->") {
                Some(i) => rest = &rest[4 + i + 3..],
                None => return false,
            }
        } else {
            break;
        }
    }
    let Some(rest) = rest.strip_prefix(b"<") else {
        return false;
    };
    let end = rest
        .iter()
        .position(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'>' | b'/'))
        .unwrap_or(rest.len());
    if end == rest.len() {
        // The name is not terminated: a truncated document.
        return false;
    }
    let name = &rest[..end];
    let local = match name.iter().rposition(|&b| b == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    };
    local == b"Error"
}

fn trim_start(b: &[u8]) -> &[u8] {
    let n = b
        .iter()
        .position(|c| !matches!(c, b' ' | b'\t' | b'\r' | b'\n'))
        .unwrap_or(b.len());
    &b[n..]
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Amazon S3's answer to a request signed for the wrong region names
    /// the bucket's region.
    #[test]
    fn region_of_a_wrong_region_error() {
        let doc = parse_error(
            b"<Error><Code>AuthorizationHeaderMalformed</Code><Message>The authorization \
              header is malformed; the region 'us-east-1' is wrong; expecting 'eu-west-1'\
              </Message><Region>eu-west-1</Region><RequestId>R</RequestId></Error>",
        )
        .unwrap();
        assert_eq!(doc.code, "AuthorizationHeaderMalformed");
        assert_eq!(doc.region.as_deref(), Some("eu-west-1"));
        let doc = parse_error(b"<Error><Code>NoSuchKey</Code></Error>").unwrap();
        assert_eq!(doc.region, None);
    }
}
