//! A fast path for the listing documents.
//!
//! Listing is the one place where XML parsing dominates the client's CPU
//! time: a 1,000-key `ListObjectsV2` page is about 250 KB of small leaf
//! elements, and the generic pull parser ([`crate::read`], over quick-xml)
//! spends most of its time producing and dispatching events for them. This
//! module scans the bytes directly, for the shape every S3 server actually
//! sends:
//!
//! - an optional `<?xml …?>` declaration at the very start, whitespace;
//! - the root, without a namespace prefix, with `name="value"` attributes;
//! - leaf elements `<X>text</X>` and `<X/>` (no prefix, no attributes, no
//!   whitespace inside the tags), entries (`<Contents>`, `<Version>`,
//!   `<Owner>`, `<CommonPrefixes>` …) whose children are all leaves, and
//!   only whitespace between elements;
//! - text that is UTF-8, without CR, with the five predefined entities and
//!   character references.
//!
//! # The invariant
//!
//! The fast path returns either exactly the value the generic parser returns
//! for the same input, or `None` ("not handled"), after which the caller
//! runs the generic parser. It never reports an error itself: anything it
//! does not recognise, anything the generic parser might reject (an unknown
//! entity, a bad number, a missing required field, a size over
//! [`MAX_INPUT_LEN`], a DTD, a comment, CDATA, CR in text, a mismatched end
//! tag, nesting deeper than an entry's leaves, …) gives `None`, so the
//! generic parser stays the only source of both semantics and errors. The
//! unit tests below, `tests/fast_path.rs` (thousands of damaged samples)
//! and the `list_bucket_result`/`list_versions_result` fuzz targets check
//! that the two agree whenever the fast path answers.

use std::borrow::Cow;

use memchr::{memchr2, memmem};

use crate::list::{ListBucketResult, ListVersionsResult, ObjectEntry, VersionEntry};
use crate::{Owner, MAX_INPUT_LEN};

/// "Not handled": the generic parser must run. A plain `Option` so that `?`
/// reads as "give up".
type Fast<T> = Option<T>;

/// A child element just opened by [`Scanner::child`].
#[derive(Clone, Copy)]
struct Child<'a> {
    name: &'a [u8],
    /// `<X/>`: no content and no end tag.
    empty: bool,
}

/// A cursor over the input, always just after a complete tag.
struct Scanner<'a> {
    /// The whole input, checked to be UTF-8 once so that text is sliced
    /// out of it without validating each piece again. Every slice starts
    /// and ends next to an ASCII delimiter, so always on a char boundary.
    doc: &'a str,
    /// `doc` as bytes, for scanning.
    xml: &'a [u8],
    pos: usize,
}

impl<'a> Scanner<'a> {
    /// Skips the prolog and opens the root element named `root`, which must
    /// have content (a self-closing root lacks the required `<Name>`).
    fn open(xml: &'a [u8], root: &[u8]) -> Fast<Self> {
        if xml.len() > MAX_INPUT_LEN {
            return None;
        }
        // Input that is not UTF-8 somewhere (even where the generic parser
        // would not look) is left to the generic parser.
        let doc = std::str::from_utf8(xml).ok()?;
        let mut s = Scanner { doc, xml, pos: 0 };
        if xml.starts_with(b"<?xml") && xml.get(5).copied().is_some_and(is_space) {
            let len = memmem::find(&xml[6..], b"?>")?;
            check_decl(&xml[5..6 + len])?;
            s.pos = 6 + len + 2;
        }
        s.skip_space();
        s.eat(b"<")?;
        s.eat(root)?;
        s.root_attributes()?;
        Some(s)
    }

    /// Reads the attributes of the root up to and including its `>`:
    /// `name="value"` pairs, each after whitespace. quick-xml does not look
    /// inside them; the grammar is strict only so that the end of the tag
    /// is found where quick-xml finds it.
    fn root_attributes(&mut self) -> Fast<()> {
        loop {
            match self.peek()? {
                b'>' => {
                    self.pos += 1;
                    return Some(());
                }
                b if is_space(b) => {
                    self.skip_space();
                    if self.peek()? == b'>' {
                        continue;
                    }
                    let name_len = self.rest().iter().position(|&b| !is_attr_name_byte(b))?;
                    if name_len == 0 {
                        return None;
                    }
                    self.pos += name_len;
                    self.eat(b"=\"")?;
                    let value_len = memchr2(b'"', b'<', self.rest())?;
                    self.pos += value_len;
                    self.eat(b"\"")?;
                }
                _ => return None,
            }
        }
    }

    #[inline]
    fn rest(&self) -> &'a [u8] {
        self.xml.get(self.pos..).unwrap_or_default()
    }

    #[inline]
    fn peek(&self) -> Fast<u8> {
        self.xml.get(self.pos).copied()
    }

    /// Consumes `lit`, or gives up.
    #[inline]
    fn eat(&mut self, lit: &[u8]) -> Fast<()> {
        let end = self.pos.checked_add(lit.len())?;
        if self.xml.get(self.pos..end)? == lit {
            self.pos = end;
            Some(())
        } else {
            None
        }
    }

    #[inline]
    fn skip_space(&mut self) {
        while self.peek().is_some_and(is_space) {
            self.pos += 1;
        }
    }

    /// Opens the next child of the element named `parent`, or consumes
    /// `</parent>` and returns `Some(None)`. Only whitespace may come before
    /// the tag.
    #[inline(always)]
    fn child(&mut self, parent: &[u8]) -> Fast<Option<Child<'a>>> {
        self.skip_space();
        self.eat(b"<")?;
        if self.peek()? == b'/' {
            self.pos += 1;
            self.eat(parent)?;
            self.eat(b">")?;
            return Some(None);
        }
        // A name of simple characters (no prefix), then `>` or `/>`: a tag
        // with attributes or whitespace, `<!…>` or `<?…?>` are not handled.
        let xml = self.xml;
        let start = self.pos;
        if !xml.get(start)?.is_ascii_alphabetic() {
            return None;
        }
        let mut end = start + 1;
        while xml.get(end).copied().is_some_and(is_name_byte) {
            end += 1;
        }
        let name = xml.get(start..end)?;
        self.pos = end;
        let empty = match self.peek()? {
            b'>' => false,
            b'/' => {
                self.pos += 1;
                if self.peek()? != b'>' {
                    return None;
                }
                true
            }
            _ => return None,
        };
        self.pos += 1;
        Some(Some(Child { name, empty }))
    }

    /// Reads the text of the leaf `c` and its end tag, unescaped.
    #[inline(always)]
    fn text(&mut self, c: Child<'a>) -> Fast<Cow<'a, str>> {
        if c.empty {
            return Some(Cow::Borrowed(""));
        }
        // Find the `<` that ends the text, noting on the way whether there
        // is anything to unescape: eight bytes at a time (leaf texts are
        // keys, dates, ETags: a search call per text costs more), then byte
        // by byte for the last few.
        let xml = self.xml;
        let start = self.pos;
        let mut end = start;
        let mut plain = true;
        while let Some(chunk) = xml.get(end..end + 8) {
            let word = u64::from_le_bytes(chunk.try_into().ok()?);
            let special = bytes_equal(word, b'&') | bytes_equal(word, b'\r');
            let lt = bytes_equal(word, b'<');
            if lt != 0 {
                // Only the bytes before the first `<` count.
                let n = lt.trailing_zeros() / 8;
                plain &= special & ((1u64 << (n * 8)) - 1) == 0;
                end += n as usize;
                break;
            }
            plain &= special == 0;
            end += 8;
        }
        loop {
            match *xml.get(end)? {
                b'<' => break,
                b'&' | b'\r' => plain = false,
                _ => {}
            }
            end += 1;
        }
        let raw = self.doc.get(start..end)?;
        self.pos = end;
        // Only the end tag may follow: a child element, a comment or CDATA
        // is not handled.
        self.eat(b"</")?;
        self.eat(c.name)?;
        self.eat(b">")?;
        if plain {
            Some(Cow::Borrowed(raw))
        } else {
            unescape(raw).map(Cow::Owned)
        }
    }

    /// Reads an `<Owner>` whose children are all leaves.
    fn owner(&mut self, c: Child<'a>) -> Fast<Owner> {
        let mut owner = Owner::default();
        if c.empty {
            return Some(owner);
        }
        while let Some(f) = self.child(c.name)? {
            // Every child is a leaf; unknown ones are skipped, but their
            // text is still checked as quick-xml checks references.
            let text = self.text(f)?;
            match f.name {
                b"ID" => owner.id = Some(text.into_owned()),
                b"DisplayName" => owner.display_name = Some(text.into_owned()),
                _ => {}
            }
        }
        Some(owner)
    }

    /// Reads the `<Prefix>` leaves of a `<CommonPrefixes>` into `out`.
    fn common_prefixes(&mut self, c: Child<'a>, out: &mut Vec<String>) -> Fast<()> {
        if c.empty {
            return Some(());
        }
        while let Some(f) = self.child(c.name)? {
            let text = self.text(f)?;
            if f.name == b"Prefix" {
                out.push(text.into_owned());
            }
        }
        Some(())
    }
}

/// Reads a number as [`crate::read::Parser::number`] does.
#[inline]
fn number<T: std::str::FromStr>(text: &str) -> Fast<T> {
    // Numbers come without surrounding space: two byte tests spare the
    // Unicode trim (same result: a text that starts and ends with a visible
    // ASCII character has nothing to trim).
    let visible = |b: Option<&u8>| b.is_some_and(u8::is_ascii_graphic);
    let bytes = text.as_bytes();
    let text = if visible(bytes.first()) && visible(bytes.last()) {
        text
    } else {
        text.trim()
    };
    text.parse().ok()
}

/// Reads a boolean as [`crate::read::Parser::boolean`] does.
fn boolean(text: &str) -> Fast<bool> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("true") {
        Some(true)
    } else if t.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// Whitespace as XML (and quick-xml) defines it.
#[inline]
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Flags the bytes of `word` equal to `b`: sets the high bit of the first
/// (lowest) such byte, and of none before it. Bytes after a match may be
/// flagged wrongly (the borrow of the subtraction carries on), which is
/// why callers only ever use the lowest flag or test for any flag at all.
#[inline]
fn bytes_equal(word: u64, b: u8) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let x = word ^ (ONES * u64::from(b));
    x.wrapping_sub(ONES) & !x & HIGH
}

/// The characters of an element name the fast path handles: no `:` (so the
/// local name is the whole name), nothing quick-xml would read differently.
const NAME_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        table[i] = b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.';
        i += 1;
    }
    table
};

#[inline]
fn is_name_byte(b: u8) -> bool {
    NAME_BYTES[usize::from(b)]
}

#[inline]
fn is_attr_name_byte(b: u8) -> bool {
    is_name_byte(b) || b == b':'
}

/// Accepts an XML declaration's content unless it names an encoding other
/// than UTF-8 (which quick-xml, built with its `encoding` feature, would
/// honour).
fn check_decl(decl: &[u8]) -> Fast<()> {
    if decl.contains(&b'<') {
        return None;
    }
    let Some(at) = memmem::find(decl, b"encoding") else {
        return Some(());
    };
    let v = &decl[at + b"encoding".len()..];
    let ok = v.starts_with(b"=\"")
        && v.get(2..8)
            .is_some_and(|e| e.eq_ignore_ascii_case(b"UTF-8\""))
        || v.starts_with(b"='")
            && v.get(2..8)
                .is_some_and(|e| e.eq_ignore_ascii_case(b"UTF-8'"));
    // A second `encoding` would need a closer look.
    (ok && memmem::find(&v[8.min(v.len())..], b"encoding").is_none()).then_some(())
}

/// Resolves the references in `raw`; `None` for anything the generic
/// parser treats specially (a literal CR, which XML 1.0 normalises) or may
/// reject (an unknown entity, a bad character reference, a lone `&`).
fn unescape(raw: &str) -> Fast<String> {
    // The usual case, an ETag: `&quot;` + hex digits + `&quot;`.
    if let Some(inner) = raw
        .strip_prefix("&quot;")
        .and_then(|r| r.strip_suffix("&quot;"))
    {
        if memchr2(b'&', b'\r', inner.as_bytes()).is_none() {
            let mut out = String::with_capacity(inner.len() + 2);
            out.push('"');
            out.push_str(inner);
            out.push('"');
            return Some(out);
        }
    }
    // References only shrink the text. Texts and entity names are short:
    // plain loops rather than search calls.
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = rest.bytes().position(|b| b == b'&' || b == b'\r') {
        out.push_str(rest.get(..i)?);
        let after = rest.get(i + 1..)?;
        if rest.as_bytes().get(i) == Some(&b'\r') {
            return None;
        }
        let semi = after.bytes().position(|b| b == b';')?;
        out.push(resolve(after.get(..semi)?.as_bytes())?);
        rest = after.get(semi + 1..)?;
    }
    out.push_str(rest);
    Some(out)
}

/// Resolves the name of a reference (between `&` and `;`) exactly as
/// [`crate::read`] does through quick-xml: the five predefined entities,
/// `#` decimal or `#x` hexadecimal digits naming a character other than
/// U+0000.
fn resolve(name: &[u8]) -> Fast<char> {
    let ch = match name {
        b"lt" => '<',
        b"gt" => '>',
        b"amp" => '&',
        b"apos" => '\'',
        b"quot" => '"',
        [b'#', b'x', hex @ ..] => char_ref(hex, 16)?,
        [b'#', dec @ ..] => char_ref(dec, 10)?,
        _ => return None,
    };
    Some(ch)
}

fn char_ref(digits: &[u8], radix: u32) -> Fast<char> {
    // Digits only: `u32::from_str_radix` would take a sign, quick-xml not.
    if digits.is_empty() || !digits.iter().all(|b| (*b as char).is_digit(radix)) {
        return None;
    }
    let code = u32::from_str_radix(std::str::from_utf8(digits).ok()?, radix).ok()?;
    if code == 0 {
        return None;
    }
    char::from_u32(code)
}

/// The fast path of [`ListBucketResult::from_xml`]; see the module docs.
pub(crate) fn list_bucket_result(xml: &[u8]) -> Fast<ListBucketResult> {
    const ROOT: &[u8] = b"ListBucketResult";
    let mut s = Scanner::open(xml, ROOT)?;
    let mut out = ListBucketResult::default();
    let mut name = None;
    while let Some(c) = s.child(ROOT)? {
        match c.name {
            b"Contents" => {
                // Filled where it lies rather than moved in: the entry is
                // about 200 bytes. On `None` the whole result is dropped.
                out.contents.push(ObjectEntry::default());
                object(&mut s, c, out.contents.last_mut()?)?;
            }
            b"CommonPrefixes" => s.common_prefixes(c, &mut out.common_prefixes)?,
            // Anything else is a leaf; unknown ones are skipped, but their
            // text is still checked as quick-xml checks references.
            leaf => {
                let text = s.text(c)?;
                match leaf {
                    b"Name" => name = Some(text.into_owned()),
                    b"Prefix" => out.prefix = Some(text.into_owned()),
                    b"Delimiter" => out.delimiter = Some(text.into_owned()),
                    b"MaxKeys" => out.max_keys = Some(number(&text)?),
                    b"KeyCount" => {
                        let n: u64 = number(&text)?;
                        out.key_count = Some(n);
                        // As the generic parser does: size the vector once.
                        let cap = usize::try_from(n).unwrap_or(usize::MAX).min(xml.len() / 64);
                        out.contents.reserve(cap.saturating_sub(out.contents.len()));
                    }
                    b"IsTruncated" => out.is_truncated = boolean(&text)?,
                    b"ContinuationToken" => out.continuation_token = Some(text.into_owned()),
                    b"NextContinuationToken" => {
                        out.next_continuation_token = Some(text.into_owned());
                    }
                    b"StartAfter" => out.start_after = Some(text.into_owned()),
                    b"Marker" => out.marker = Some(text.into_owned()),
                    b"NextMarker" => out.next_marker = Some(text.into_owned()),
                    b"EncodingType" => out.encoding_type = Some(text.into_owned()),
                    _ => {}
                }
            }
        }
    }
    out.name = name?;
    Some(out)
}

/// Reads a `<Contents>` entry into `entry` (a default one); `<UserMetadata>`
/// (MinIO) is not handled.
fn object<'a>(s: &mut Scanner<'a>, c: Child<'a>, entry: &mut ObjectEntry) -> Fast<()> {
    let mut key = None;
    let mut size = None;
    if !c.empty {
        while let Some(f) = s.child(c.name)? {
            match f.name {
                b"Owner" => entry.owner = Some(s.owner(f)?),
                b"UserMetadata" => return None,
                leaf => {
                    let text = s.text(f)?;
                    match leaf {
                        b"Key" => key = Some(text.into_owned()),
                        b"LastModified" => entry.last_modified = text.into_owned(),
                        b"ETag" => entry.etag = text.into_owned(),
                        b"Size" => size = Some(number(&text)?),
                        b"StorageClass" => entry.storage_class = Some(text.into_owned()),
                        b"UserTags" => entry.user_tags = Some(text.into_owned()),
                        _ => {}
                    }
                }
            }
        }
    }
    entry.key = key?;
    entry.size = size?;
    Some(())
}

/// The fast path of [`ListVersionsResult::from_xml`]; see the module docs.
pub(crate) fn list_versions_result(xml: &[u8]) -> Fast<ListVersionsResult> {
    const ROOT: &[u8] = b"ListVersionsResult";
    let mut s = Scanner::open(xml, ROOT)?;
    let mut out = ListVersionsResult::default();
    let mut name = None;
    while let Some(c) = s.child(ROOT)? {
        match c.name {
            b"Version" => {
                let entry = version(&mut s, c, false)?;
                out.entries.push(entry);
            }
            b"DeleteMarker" => {
                let entry = version(&mut s, c, true)?;
                out.entries.push(entry);
            }
            b"CommonPrefixes" => s.common_prefixes(c, &mut out.common_prefixes)?,
            leaf => {
                let text = s.text(c)?;
                match leaf {
                    b"Name" => name = Some(text.into_owned()),
                    b"Prefix" => out.prefix = Some(text.into_owned()),
                    b"Delimiter" => out.delimiter = Some(text.into_owned()),
                    b"MaxKeys" => out.max_keys = Some(number(&text)?),
                    b"KeyMarker" => out.key_marker = Some(text.into_owned()),
                    b"VersionIdMarker" => out.version_id_marker = Some(text.into_owned()),
                    b"NextKeyMarker" => out.next_key_marker = Some(text.into_owned()),
                    b"NextVersionIdMarker" => {
                        out.next_version_id_marker = Some(text.into_owned());
                    }
                    b"IsTruncated" => out.is_truncated = boolean(&text)?,
                    b"EncodingType" => out.encoding_type = Some(text.into_owned()),
                    _ => {}
                }
            }
        }
    }
    out.name = name?;
    Some(out)
}

/// A `<Version>` or `<DeleteMarker>`; `<UserMetadata>` is not handled.
fn version<'a>(s: &mut Scanner<'a>, c: Child<'a>, is_delete_marker: bool) -> Fast<VersionEntry> {
    let mut entry = VersionEntry {
        is_delete_marker,
        ..VersionEntry::default()
    };
    let mut key = None;
    let mut version_id = None;
    let mut size = None;
    if !c.empty {
        while let Some(f) = s.child(c.name)? {
            match f.name {
                b"Owner" => entry.owner = Some(s.owner(f)?),
                b"UserMetadata" => return None,
                leaf => {
                    let text = s.text(f)?;
                    match leaf {
                        b"Key" => key = Some(text.into_owned()),
                        b"VersionId" => version_id = Some(text.into_owned()),
                        b"IsLatest" => entry.is_latest = boolean(&text)?,
                        b"LastModified" => entry.last_modified = text.into_owned(),
                        b"ETag" => entry.etag = Some(text.into_owned()),
                        b"Size" => size = Some(number(&text)?),
                        b"StorageClass" => entry.storage_class = Some(text.into_owned()),
                        _ => {}
                    }
                }
            }
        }
    }
    entry.key = key?;
    entry.version_id = version_id?;
    entry.size = match size {
        Some(n) => n,
        None if is_delete_marker => 0,
        None => return None,
    };
    Some(entry)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::XmlError;

    /// The fast path on `xml`, after checking the invariant: when it
    /// handles the input, the generic parser returns the same value.
    fn fast(xml: &str) -> Option<ListBucketResult> {
        let out = list_bucket_result(xml.as_bytes());
        if let Some(v) = &out {
            assert_eq!(
                ListBucketResult::parse_generic(xml.as_bytes()).as_ref(),
                Ok(v),
                "{xml}"
            );
        }
        assert_eq!(
            ListBucketResult::from_xml(xml.as_bytes()),
            ListBucketResult::parse_generic(xml.as_bytes()),
            "{xml}"
        );
        out
    }

    fn fast_versions(xml: &str) -> Option<ListVersionsResult> {
        let out = list_versions_result(xml.as_bytes());
        if let Some(v) = &out {
            assert_eq!(
                ListVersionsResult::parse_generic(xml.as_bytes()).as_ref(),
                Ok(v),
                "{xml}"
            );
        }
        out
    }

    /// A `<ListBucketResult>` around `body`.
    fn doc(body: &str) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult xmlns=\"{}\">\
             <Name>b</Name>{body}</ListBucketResult>",
            crate::S3_NAMESPACE
        )
    }

    /// A document with one `<Contents>` holding `fields`.
    fn entry(fields: &str) -> String {
        doc(&format!("<Contents>{fields}</Contents>"))
    }

    const KEY: &str = "<Key>k</Key><Size>1</Size>";

    #[test]
    fn bytes_equal_flags_the_first_match_exactly() {
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..100_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            // Bytes drawn mostly from a few values, so that matches and
            // near-misses (b ± 1) are frequent.
            let bytes = state
                .to_le_bytes()
                .map(|b| b"<;=&%\r\x0c\x0e"[usize::from(b % 8)] ^ (b & 0x80));
            let word = u64::from_le_bytes(bytes);
            for b in [b'<', b'&', b'\r'] {
                let flags = bytes_equal(word, b);
                let first = bytes.iter().position(|&x| x == b);
                assert_eq!(flags == 0, first.is_none(), "{bytes:?} {b}");
                if let Some(i) = first {
                    assert_eq!(flags.trailing_zeros() / 8, i as u32, "{bytes:?} {b}");
                    assert_eq!(flags.trailing_zeros() % 8, 7);
                }
            }
        }
    }

    #[test]
    fn benchmark_page_shape() {
        let mut body = String::from(
            "<Prefix>p/</Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys>\
             <IsTruncated>true</IsTruncated><ContinuationToken>1</ContinuationToken>\
             <NextContinuationToken>2</NextContinuationToken>",
        );
        for k in 0..2 {
            body.push_str(&format!(
                "<Contents><Key>p/{k:06}</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified>\
                 <ETag>&quot;0123456789abcdef0123456789abcdef&quot;</ETag><Size>4096</Size>\
                 <StorageClass>STANDARD</StorageClass></Contents>"
            ));
        }
        let r = fast(&doc(&body)).unwrap();
        assert_eq!(r.name, "b");
        assert_eq!(r.prefix.as_deref(), Some("p/"));
        assert_eq!((r.key_count, r.max_keys), (Some(2), Some(1000)));
        assert!(r.is_truncated);
        assert_eq!(r.next_continuation_token.as_deref(), Some("2"));
        assert_eq!(r.contents.len(), 2);
        let e = &r.contents[1];
        assert_eq!(e.key, "p/000001");
        assert_eq!(e.etag, "\"0123456789abcdef0123456789abcdef\"");
        assert_eq!(e.size, 4096);
        assert_eq!(e.storage_class.as_deref(), Some("STANDARD"));
        assert_eq!(e.last_modified, "2024-01-01T00:00:00.000Z");
    }

    #[test]
    fn entities_and_character_references() {
        let r = fast(&entry(
            "<Key>&lt;&gt;&amp;&apos;&quot; &#65;&#x42;&#x6a;&#x1F600;&#233; é</Key><Size>1</Size>",
        ))
        .unwrap();
        assert_eq!(r.contents[0].key, "<>&'\" ABj😀é é");
        // A reference to CR is kept as CR (only literal CRs are normalised).
        let r = fast(&entry("<Key>a&#13;b&#xD;&#10;</Key><Size>1</Size>")).unwrap();
        assert_eq!(r.contents[0].key, "a\rb\r\n");
    }

    #[test]
    fn empty_elements_and_whitespace() {
        let xml = "<ListBucketResult>\n  <Name></Name>\n  <Prefix/>\n  <Delimiter>/</Delimiter>\r\n\
                   \t<Contents>\n    <Key> k </Key>\n    <Size> 7 </Size>\n    <ETag/>\n  </Contents>\n\
                   <IsTruncated> False </IsTruncated>\n</ListBucketResult>trailing <junk";
        let r = fast(xml).unwrap();
        assert_eq!(r.name, "");
        assert_eq!(r.prefix.as_deref(), Some(""));
        assert_eq!(r.contents[0].key, " k ");
        assert_eq!(r.contents[0].size, 7);
        assert_eq!(r.contents[0].etag, "");
        assert!(!r.is_truncated);
        // Root attributes of either kind of spacing.
        assert!(
            fast("<ListBucketResult  a=\"1\"\tb:c=\"x>y\" ><Name>b</Name></ListBucketResult>")
                .is_some()
        );
        // A declaration without encoding, or with UTF-8 in any case.
        assert!(
            fast("<?xml version='1.0'?><ListBucketResult><Name>b</Name></ListBucketResult>")
                .is_some()
        );
        assert!(fast("<?xml version=\"1.0\" encoding='utf-8'?><ListBucketResult><Name>b</Name></ListBucketResult>").is_some());
    }

    #[test]
    fn common_prefixes_owner_and_unknown_leaves() {
        let r = fast(&doc(
            "<CommonPrefixes><Prefix>a/</Prefix></CommonPrefixes><Unknown>x&amp;y</Unknown>\
             <CommonPrefixes><Other/><Prefix>b&amp;c/</Prefix><Prefix>d/</Prefix></CommonPrefixes>\
             <CommonPrefixes/><Contents><Key>k</Key><ChecksumAlgorithm>CRC32</ChecksumAlgorithm>\
             <Size>1</Size><Owner><ID>i</ID><Other>o</Other><DisplayName>n</DisplayName></Owner>\
             <UserTags>a=1&amp;b=2</UserTags></Contents><Contents><Key>l</Key><Size>2</Size><Owner/></Contents>",
        ))
        .unwrap();
        assert_eq!(r.common_prefixes, ["a/", "b&c/", "d/"]);
        let owner = r.contents[0].owner.as_ref().unwrap();
        assert_eq!(owner.id.as_deref(), Some("i"));
        assert_eq!(owner.display_name.as_deref(), Some("n"));
        assert_eq!(r.contents[0].user_tags.as_deref(), Some("a=1&b=2"));
        assert_eq!(r.contents[1].owner, Some(Owner::default()));
        // Repeated fields: the last one wins, as in the generic parser.
        let r = fast(&doc("<Name>c</Name><Contents><Key>a</Key><Key>b</Key><Size>1</Size><Size>2</Size></Contents>")).unwrap();
        assert_eq!(
            (
                r.name.as_str(),
                r.contents[0].key.as_str(),
                r.contents[0].size
            ),
            ("c", "b", 2)
        );
    }

    #[test]
    fn unusual_input_falls_back() {
        let cases = [
            entry("<Key><![CDATA[k]]></Key><Size>1</Size>"),
            entry("<Key>k<!-- c --></Key><Size>1</Size>"),
            entry("<Key>k</Key><!-- c --><Size>1</Size>"),
            entry("<Key>k<?pi x?></Key><Size>1</Size>"),
            entry("<Key>a\r\nb</Key><Size>1</Size>"),
            entry("<Key>a\rb</Key><Size>1</Size>"),
            entry(&format!("{KEY}<UserMetadata><X-Amz-Meta-A>1</X-Amz-Meta-A></UserMetadata>")),
            entry(&format!("{KEY}<Owner><ID>i</ID><Nested><X/></Nested></Owner>")),
            entry(&format!("{KEY}<RestoreStatus><IsRestoreInProgress>false</IsRestoreInProgress></RestoreStatus>")),
            entry("<Key a=\"1\">k</Key><Size>1</Size>"),
            entry("<Key >k</Key><Size>1</Size>"),
            entry("<Key>k</Key ><Size>1</Size>"),
            entry("<s3:Key>k</s3:Key><Size>1</Size>"),
            entry("<Key>k</Key>text<Size>1</Size>"),
            entry("<Key />k<Size>1</Size>"),
            doc("<Prefix>a</Prefix >"),
            "<s3:ListBucketResult xmlns:s3=\"x\"><s3:Name>b</s3:Name></s3:ListBucketResult>".to_owned(),
            "\u{feff}<ListBucketResult><Name>b</Name></ListBucketResult>".to_owned(),
            " <?xml version=\"1.0\"?><ListBucketResult><Name>b</Name></ListBucketResult>".to_owned(),
            "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><ListBucketResult><Name>b</Name></ListBucketResult>".to_owned(),
            "<!-- c --><ListBucketResult><Name>b</Name></ListBucketResult>".to_owned(),
            "<ListBucketResult a=1><Name>b</Name></ListBucketResult>".to_owned(),
            "<ListBucketResult a=\"1\"b=\"2\"><Name>b</Name></ListBucketResult>".to_owned(),
            "<ListBucketResult a='1'><Name>b</Name></ListBucketResult>".to_owned(),
            // Nested deeper than the fast path goes (the generic parser
            // skips it).
            doc("<Unknown><A><B>x</B></A></Unknown>"),
        ];
        for xml in &cases {
            assert_eq!(fast(xml), None, "{xml}");
            assert!(ListBucketResult::from_xml(xml.as_bytes()).is_ok(), "{xml}");
        }
    }

    #[test]
    fn errors_stay_with_the_generic_parser() {
        let cases = [
            (
                "<!DOCTYPE x><ListBucketResult><Name>b</Name></ListBucketResult>".to_owned(),
                "doctype",
            ),
            (doc("<!DOCTYPE x>"), "doctype"),
            (entry("<Key>&xxe;</Key><Size>1</Size>"), "entity"),
            (entry("<Key>&#0;</Key><Size>1</Size>"), "nul"),
            (entry("<Key>&#xD800;</Key><Size>1</Size>"), "surrogate"),
            (entry("<Key>&#X41;</Key><Size>1</Size>"), "upper X"),
            (entry("<Key>&#+65;</Key><Size>1</Size>"), "sign"),
            (entry("<Key>&#;</Key><Size>1</Size>"), "empty ref"),
            (entry("<Key>&#x110000;</Key><Size>1</Size>"), "out of range"),
            (entry("<Key>&#99999999999;</Key><Size>1</Size>"), "overflow"),
            (entry("<Key>a & b</Key><Size>1</Size>"), "bare &"),
            (entry("<Key>a &amp b;</Key><Size>1</Size>"), "unclosed ref"),
            (entry("<Key>k</Key><Size>-1</Size>"), "negative"),
            (
                entry("<Key>k</Key><Size>18446744073709551616</Size>"),
                "too big",
            ),
            (entry("<Key>k</Key><Size/>"), "empty size"),
            (entry("<Size>1</Size>"), "no key"),
            (entry("<Key>k</Key>"), "no size"),
            (doc("<Contents/>"), "empty entry"),
            (doc("<IsTruncated>yes</IsTruncated>"), "bool"),
            (doc("<MaxKeys>1e3</MaxKeys>"), "number"),
            (entry("<Key>k</Kez><Size>1</Size>"), "mismatched"),
            (entry("<Key/ ><Size>1</Size>"), "space after slash"),
            (
                entry(&format!("{KEY}<Owner><ID><X/></ID></Owner>")),
                "element in text",
            ),
            (
                "<ListBucketResult><Name>b</Name></ListBucketResultX>".to_owned(),
                "mismatched root",
            ),
            (
                "<ListBucketResult><Prefix>b</Prefix></ListBucketResult>".to_owned(),
                "no name",
            ),
            ("<ListBucketResult/>".to_owned(), "empty root"),
            ("<ListBucketResult xmlns=\"x\"/>".to_owned(), "empty root"),
            (
                "<ListVersionsResult><Name>b</Name></ListVersionsResult>".to_owned(),
                "root",
            ),
            (doc("<Contents><Key>k</Key><Size>1</Size>"), "truncated"),
            ("<ListBucketResult><Name>b</Name>".to_owned(), "truncated"),
        ];
        for (xml, what) in &cases {
            assert_eq!(fast(xml), None, "{what}: {xml}");
            assert!(
                ListBucketResult::from_xml(xml.as_bytes()).is_err(),
                "{what}: {xml}"
            );
        }
        // Not UTF-8.
        let mut bad = entry("<Key>k</Key><Size>1</Size>").into_bytes();
        let at = bad.windows(3).position(|w| w == b">k<").unwrap() + 1;
        bad[at] = 0xff;
        assert_eq!(list_bucket_result(&bad), None);
        assert!(ListBucketResult::from_xml(&bad).is_err());
        // Over the size cap, even though well formed.
        let mut big = doc("<Unknown>").into_bytes();
        let tail = b"</Unknown></ListBucketResult>";
        big.truncate(big.len() - b"</ListBucketResult>".len());
        big.resize(MAX_INPUT_LEN + 1 - tail.len(), b'x');
        big.extend_from_slice(tail);
        assert_eq!(list_bucket_result(&big), None);
        assert!(matches!(
            ListBucketResult::from_xml(&big),
            Err(XmlError::TooLarge { .. })
        ));
    }

    #[test]
    fn version_listing() {
        let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListVersionsResult xmlns=\"x\">\
            <Name>b</Name><KeyMarker/><NextKeyMarker>k2</NextKeyMarker><IsTruncated>true</IsTruncated>\
            <Version><Key>k</Key><VersionId>v1</VersionId><IsLatest>true</IsLatest>\
            <ETag>&quot;e&quot;</ETag><Size>3</Size><Owner><ID>i</ID></Owner></Version>\
            <DeleteMarker><Key>k2</Key><VersionId>v2</VersionId><IsLatest>false</IsLatest></DeleteMarker>\
            <CommonPrefixes><Prefix>d/</Prefix></CommonPrefixes></ListVersionsResult>";
        let r = fast_versions(xml).unwrap();
        assert_eq!(r.entries.len(), 2);
        assert_eq!(r.entries[0].etag.as_deref(), Some("\"e\""));
        assert!(r.entries[1].is_delete_marker);
        assert_eq!(r.entries[1].size, 0);
        assert_eq!(r.key_marker.as_deref(), Some(""));
        assert_eq!(r.common_prefixes, ["d/"]);
        // A version without a size is the generic parser's error.
        let bad = xml.replace("<Size>3</Size>", "");
        assert_eq!(fast_versions(&bad), None);
        assert!(ListVersionsResult::from_xml(bad.as_bytes()).is_err());
        let meta = xml.replace("<Size>3</Size>", "<Size>3</Size><UserMetadata/>");
        assert_eq!(fast_versions(&meta), None);
        assert!(ListVersionsResult::from_xml(meta.as_bytes()).is_ok());
    }
}
