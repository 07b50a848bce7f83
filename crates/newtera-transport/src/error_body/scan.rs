//! A small scan for the `<Code>` of an S3 `<Error>` document (this crate does
//! not parse XML).

/// The code of `body` if it is an S3 error document.
pub(crate) fn error_code(body: &[u8]) -> Option<String> {
    let start = find(body, b"<Error>")?;
    let rest = &body[start..];
    let code_start = find(rest, b"<Code>")? + b"<Code>".len();
    let rest = &rest[code_start..];
    let code_end = find(rest, b"</Code>")?;
    let code = std::str::from_utf8(&rest[..code_end]).ok()?.trim();
    (!code.is_empty()).then(|| code.to_owned())
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
    }
}
