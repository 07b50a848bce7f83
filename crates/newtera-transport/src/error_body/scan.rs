//! A small scan for the `<Code>` of an S3 `<Error>` document (this crate does
//! not parse XML).

/// The code of `body` if it is an S3 error document: its root element is
/// `<Error>`. Only the prolog is skipped to find the root, so a large
/// successful document (a listing page) costs a few bytes, not a scan.
pub(crate) fn error_code(body: &[u8]) -> Option<String> {
    let rest = after_prolog(body)?;
    let after_tag = rest.strip_prefix(b"<Error")?;
    if !matches!(after_tag.first(), Some(b'>' | b' ' | b'\t' | b'\r' | b'\n')) {
        return None;
    }
    let code_start = find(rest, b"<Code>")? + b"<Code>".len();
    let rest = &rest[code_start..];
    let code_end = find(rest, b"</Code>")?;
    let code = std::str::from_utf8(&rest[..code_end]).ok()?.trim();
    (!code.is_empty()).then(|| code.to_owned())
}

/// `body` from its root element on: skips a BOM, whitespace, the XML
/// declaration, processing instructions and comments.
fn after_prolog(mut body: &[u8]) -> Option<&[u8]> {
    body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    loop {
        let start = body.iter().position(|b| !b.is_ascii_whitespace())?;
        body = &body[start..];
        if body.starts_with(b"<?") {
            body = &body[find(body, b"?>")? + 2..];
        } else if body.starts_with(b"<!--") {
            body = &body[find(body, b"-->")? + 3..];
        } else {
            return Some(body);
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::error_code;

    #[test]
    fn finds_code() {
        let body = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\n<Error><Code>SlowDown</Code><Message>Please reduce</Message></Error>";
        assert_eq!(error_code(body).as_deref(), Some("SlowDown"));
    }

    #[test]
    fn ignores_other_documents() {
        assert_eq!(
            error_code(b"<CompleteMultipartUploadResult><Code>x</Code>"),
            None
        );
        assert_eq!(error_code(b"<Error><Message>m</Message></Error>"), None);
        assert_eq!(error_code(b""), None);
        assert_eq!(error_code(b"<Error><Code></Code></Error>"), None);
        // An error-looking text inside another document is not an error.
        assert_eq!(
            error_code(b"<ListBucketResult><Key><Error><Code>x</Code></Key>"),
            None
        );
        assert_eq!(error_code(b"<Errors><Code>x</Code></Errors>"), None);
    }

    #[test]
    fn skips_the_prolog() {
        let body = b"\xEF\xBB\xBF <?xml version=\"1.0\"?>\n<!-- c --><Error xmlns=\"x\">\n<Code>InternalError</Code></Error>";
        assert_eq!(error_code(body).as_deref(), Some("InternalError"));
    }
}
