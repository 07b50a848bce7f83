//! A cheap check that a buffered answer arrived whole.

/// True unless `xml` is visibly damaged: it must be valid UTF-8 and end with
/// the end tag of its root element (or be a self-closing root), after an
/// optional prolog and before optional trailing whitespace. An empty input
/// counts as whole (some answers have no body).
///
/// This is not a parse: it costs a UTF-8 validation and a look at both ends
/// of the input, so it can run on every answer before the real parser. It
/// catches what a damaged transfer does to an S3 document: a well-framed
/// answer cut short (the root never closes) and a garbled byte (S3
/// documents are UTF-8; any bit flip of an ASCII byte makes the input
/// invalid UTF-8). A document that is whole but wrong is left to the parser.
pub fn is_complete_document(xml: &[u8]) -> bool {
    // SIMD validation: this runs on every buffered answer, a listing page
    // is a quarter of a megabyte.
    let Ok(text) = simdutf8::basic::from_utf8(xml) else {
        return false;
    };
    let text = text.trim_matches(|c: char| c.is_ascii_whitespace() || c == '\u{feff}');
    if text.is_empty() {
        return true;
    }
    let Some(root) = root_start(text) else {
        return false;
    };
    let name_len = root
        .find(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
        .unwrap_or(root.len());
    let name = &root[..name_len];
    if name.is_empty() {
        return false;
    }
    // A self-closing root: `<Name .../>` is the whole document.
    if let Some(end) = root.find('>') {
        if root[..end].ends_with('/') && root[end + 1..].trim().is_empty() {
            return true;
        }
    }
    let Some(body) = text.strip_suffix('>') else {
        return false;
    };
    let body = body.trim_end_matches(|c: char| c.is_ascii_whitespace());
    body.strip_suffix(name)
        .is_some_and(|rest| rest.ends_with("</") && rest.len() > 2)
}

/// The text after the `<` of the root element: skips the XML declaration,
/// processing instructions, comments and whitespace.
fn root_start(mut text: &str) -> Option<&str> {
    loop {
        text = text.trim_start();
        if let Some(rest) = text.strip_prefix("<?") {
            text = &rest[rest.find("?>")? + 2..];
        } else if let Some(rest) = text.strip_prefix("<!--") {
            text = &rest[rest.find("-->")? + 3..];
        } else if text.starts_with("<!") {
            // A DOCTYPE: not damage; the parsers refuse it themselves.
            return Some(text);
        } else {
            return text.strip_prefix('<');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_complete_document as ok;

    const DOC: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult xmlns=\"x\"><Name>b</Name><Contents><Key>k</Key></Contents></ListBucketResult>\n";

    #[test]
    fn whole_documents_pass() {
        assert!(ok(DOC.as_bytes()));
        assert!(ok(b""));
        assert!(ok(b"  \n"));
        assert!(ok(b"<Root/>"));
        assert!(ok(b"<Root a=\"1\" />\n"));
        assert!(ok(b"<!-- c --><s3:Root xmlns:s3=\"x\"><A/></s3:Root >"));
        assert!(ok("<Root><Key>clé</Key></Root>".as_bytes()));
    }

    #[test]
    fn every_truncation_fails() {
        let whole = DOC.trim_end();
        for cut in 1..whole.len() {
            assert!(
                !ok(&whole.as_bytes()[..cut]),
                "cut at {cut}: {:?}",
                &whole[..cut]
            );
        }
    }

    #[test]
    fn every_flipped_byte_fails() {
        for i in 0..DOC.len() {
            let mut b = DOC.as_bytes().to_vec();
            b[i] ^= 0xff;
            assert!(!ok(&b), "flip at {i}");
        }
    }

    #[test]
    fn garbage_fails() {
        assert!(!ok(b"not xml"));
        assert!(!ok(b"<Root>"));
        assert!(!ok(b"<Root></Other>"));
        assert!(!ok(b"<Root></Root"));
        assert!(!ok(b"<></>"));
    }
}
