//! A minimal XML writer for the request documents. It writes elements and
//! escaped text straight into a `String`; see [`escape_into`] for what
//! happens to each character.

use crate::{XmlError, S3_NAMESPACE};

pub(crate) struct Writer {
    out: String,
    doc: &'static str,
}

impl Writer {
    /// Starts a document whose root element `root` carries the S3 namespace.
    pub(crate) fn new(doc: &'static str, capacity: usize) -> Self {
        let mut out = String::with_capacity(capacity + 2 * doc.len() + 64);
        out.push('<');
        out.push_str(doc);
        out.push_str(" xmlns=\"");
        out.push_str(S3_NAMESPACE);
        out.push_str("\">");
        Writer { out, doc }
    }

    pub(crate) fn open(&mut self, name: &str) {
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
    }

    pub(crate) fn close(&mut self, name: &str) {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    /// Writes `<name>value</name>` with `value` escaped.
    pub(crate) fn element(&mut self, name: &'static str, value: &str) -> Result<(), XmlError> {
        self.open(name);
        escape_into(&mut self.out, value, self.doc, name)?;
        self.close(name);
        Ok(())
    }

    /// Appends markup as it is (tags the caller spelled out whole, so that a
    /// list of small elements costs one append per run of tags).
    pub(crate) fn raw(&mut self, markup: &'static str) {
        self.out.push_str(markup);
    }

    /// Appends `value` escaped, as the text of the element `field`.
    pub(crate) fn text(&mut self, field: &'static str, value: &str) -> Result<(), XmlError> {
        escape_into(&mut self.out, value, self.doc, field)
    }

    /// Writes the element if `value` is `Some`.
    pub(crate) fn opt_element(
        &mut self,
        name: &'static str,
        value: Option<&str>,
    ) -> Result<(), XmlError> {
        match value {
            Some(v) => self.element(name, v),
            None => Ok(()),
        }
    }

    /// Writes `<name>n</name>` for a number (nothing to escape).
    pub(crate) fn number(&mut self, name: &'static str, n: u64) {
        use std::fmt::Write as _;
        self.open(name);
        // Writing to a String cannot fail.
        let _ = write!(self.out, "{n}");
        self.close(name);
    }

    /// Writes `<name>true</name>` or `<name>false</name>`.
    pub(crate) fn boolean(&mut self, name: &'static str, v: bool) {
        self.open(name);
        self.out.push_str(if v { "true" } else { "false" });
        self.close(name);
    }

    /// Closes the root element and returns the document.
    pub(crate) fn finish(mut self) -> String {
        let doc = self.doc;
        self.close(doc);
        self.out
    }
}

/// The bytes [`escape_into`] looks at: `&`, `<`, `>`, the C0 controls
/// (tab, line feed and carriage return included) and 0xEF, the lead byte of
/// U+FFFE/U+FFFF.
const ATTENTION: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        table[i] = b < 0x20 || matches!(b, b'&' | b'<' | b'>' | 0xef);
        i += 1;
    }
    table
};

/// Appends `value` to `out` as XML 1.0 element content.
///
/// - `&`, `<` and `>` become `&amp;`, `&lt;` and `&gt;`; `"` and `'` are
///   written as they are (they need no escaping in element content);
/// - tab, line feed and carriage return become `&#9;`, `&#10;` and `&#13;`,
///   so that a parser's line-end normalisation cannot alter them;
/// - every other character XML 1.0 allows (all non-ASCII included) is
///   written as UTF-8;
/// - the characters XML 1.0 cannot carry at all, not even as a character
///   reference (U+0000–U+0008, U+000B, U+000C, U+000E–U+001F, U+FFFE,
///   U+FFFF), make it fail with [`XmlError::Unrepresentable`].
pub(crate) fn escape_into(
    out: &mut String,
    value: &str,
    doc: &'static str,
    field: &'static str,
) -> Result<(), XmlError> {
    let bytes = value.as_bytes();
    // The usual case, nothing to escape or refuse: one append.
    if !bytes.iter().any(|&b| ATTENTION[usize::from(b)]) {
        out.push_str(value);
        return Ok(());
    }
    let mut last = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'\t' => "&#9;",
            b'\n' => "&#10;",
            b'\r' => "&#13;",
            0x00..=0x1f => {
                return Err(XmlError::Unrepresentable {
                    document: doc,
                    field,
                    character: char::from(b),
                })
            }
            // U+FFFE and U+FFFF are EF BF BE / EF BF BF in UTF-8.
            0xef if matches!(bytes.get(i + 1..i + 3), Some([0xbf, 0xbe | 0xbf])) => {
                let character = if bytes.get(i + 2) == Some(&0xbe) {
                    '\u{fffe}'
                } else {
                    '\u{ffff}'
                };
                return Err(XmlError::Unrepresentable {
                    document: doc,
                    field,
                    character,
                });
            }
            _ => continue,
        };
        out.push_str(&value[last..i]);
        out.push_str(rep);
        last = i + 1;
    }
    out.push_str(&value[last..]);
    Ok(())
}
