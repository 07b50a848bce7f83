//! The error type shared by every parser and serializer of this crate.

/// Longest excerpt of the input (or of a reason derived from it) that an
/// [`XmlError`] carries. Errors never hold the whole document.
pub(crate) const EXCERPT_LEN: usize = 64;

/// Why an S3 XML document could not be parsed or produced.
///
/// Every variant names the document (`document`, e.g. `"ListBucketResult"`)
/// and carries at most a short excerpt of the input, never the whole of it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum XmlError {
    /// The input is not well-formed XML (or is not UTF-8, or is truncated).
    #[error("{document}: malformed XML at byte {position}: {reason}")]
    Malformed {
        /// The document being parsed.
        document: &'static str,
        /// Byte offset in the input near which the problem was found.
        position: u64,
        /// A short description of the problem.
        reason: String,
    },
    /// The root element is not the one this document must have.
    #[error("{document}: expected root element <{expected}>, found <{found}>")]
    UnexpectedRoot {
        /// The document being parsed.
        document: &'static str,
        /// The root element this document must have.
        expected: &'static str,
        /// The root element found (truncated to a few dozen characters).
        found: String,
    },
    /// A required element is absent.
    #[error("{document}: missing required element <{field}>")]
    MissingField {
        /// The document being parsed.
        document: &'static str,
        /// The missing element.
        field: &'static str,
    },
    /// An element that must hold an unsigned integer holds something else
    /// (including a number too large for its type).
    #[error("{document}: <{field}> is not a valid number: {value:?}")]
    InvalidNumber {
        /// The document being parsed.
        document: &'static str,
        /// The element holding the bad value.
        field: &'static str,
        /// The value found (truncated).
        value: String,
    },
    /// An element that must hold `true` or `false` holds something else.
    #[error("{document}: <{field}> is not a valid boolean: {value:?}")]
    InvalidBool {
        /// The document being parsed.
        document: &'static str,
        /// The element holding the bad value.
        field: &'static str,
        /// The value found (truncated).
        value: String,
    },
    /// The input is larger than [`MAX_INPUT_LEN`](crate::MAX_INPUT_LEN).
    #[error("{document}: input of {len} bytes exceeds the {limit}-byte limit")]
    TooLarge {
        /// The document being parsed.
        document: &'static str,
        /// Length of the input.
        len: usize,
        /// The limit.
        limit: usize,
    },
    /// Elements are nested deeper than [`MAX_DEPTH`](crate::MAX_DEPTH).
    #[error("{document}: elements nested deeper than {limit} levels")]
    TooDeep {
        /// The document being parsed.
        document: &'static str,
        /// The limit.
        limit: usize,
    },
    /// The input has a `<!DOCTYPE …>` declaration. DTDs (and with them
    /// entity declarations) are refused, so no entity is ever expanded.
    #[error("{document}: DOCTYPE declarations are not allowed")]
    DoctypeNotAllowed {
        /// The document being parsed.
        document: &'static str,
    },
    /// A value cannot be written in an XML 1.0 document, e.g. an object key
    /// containing U+0001. Returned by the `to_xml` serializers.
    #[error("{document}: <{field}> contains {character:?}, which XML 1.0 cannot represent")]
    Unrepresentable {
        /// The document being produced.
        document: &'static str,
        /// The element whose value cannot be written.
        field: &'static str,
        /// The first offending character.
        character: char,
    },
}

impl XmlError {
    /// The name of the document that failed, e.g. `"DeleteResult"`.
    pub fn document(&self) -> &'static str {
        match self {
            XmlError::Malformed { document, .. }
            | XmlError::UnexpectedRoot { document, .. }
            | XmlError::MissingField { document, .. }
            | XmlError::InvalidNumber { document, .. }
            | XmlError::InvalidBool { document, .. }
            | XmlError::TooLarge { document, .. }
            | XmlError::TooDeep { document, .. }
            | XmlError::DoctypeNotAllowed { document }
            | XmlError::Unrepresentable { document, .. } => document,
        }
    }
}

/// Truncates `s` to at most [`EXCERPT_LEN`] characters, marking the cut.
pub(crate) fn excerpt(s: &str) -> String {
    match s.char_indices().nth(EXCERPT_LEN) {
        None => s.to_owned(),
        Some((idx, _)) => {
            let mut out = String::with_capacity(idx + 3);
            out.push_str(&s[..idx]);
            out.push('…');
            out
        }
    }
}

/// Like [`excerpt`] for raw bytes that may not be UTF-8.
pub(crate) fn excerpt_bytes(b: &[u8]) -> String {
    let cut = &b[..b.len().min(EXCERPT_LEN * 4)];
    excerpt(&String::from_utf8_lossy(cut))
}
