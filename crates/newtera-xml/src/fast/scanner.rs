//! The byte scanner under the listing fast path, and the text helpers
//! (numbers, booleans, entities) it shares with the documents built on it.

use std::borrow::Cow;

use memchr::{memchr2, memmem};

use super::Fast;
use crate::{Owner, MAX_INPUT_LEN};

/// A child element just opened by [`Scanner::child`].
#[derive(Clone, Copy)]
pub(super) struct Child<'a> {
    pub(super) name: &'a [u8],
    /// `<X/>`: no content and no end tag.
    pub(super) empty: bool,
}

/// A cursor over the input, always just after a complete tag.
pub(super) struct Scanner<'a> {
    /// The whole input, checked to be UTF-8 once so that text is sliced
    /// out of it without validating each piece again. Every slice starts
    /// and ends next to an ASCII delimiter, so always on a char boundary.
    pub(super) doc: &'a str,
    /// `doc` as bytes, for scanning.
    pub(super) xml: &'a [u8],
    pub(super) pos: usize,
}

impl<'a> Scanner<'a> {
    /// Skips the prolog and opens the root element named `root`, which must
    /// have content (a self-closing root lacks the required `<Name>`).
    pub(super) fn open(xml: &'a [u8], root: &[u8]) -> Fast<Self> {
        if xml.len() > MAX_INPUT_LEN {
            return None;
        }
        // Input that is not UTF-8 somewhere (even where the generic parser
        // would not look) is left to the generic parser. Checked with SIMD:
        // a page is a quarter of a megabyte, and the standard library's
        // check was 4 % of a listing's instructions.
        let doc = simdutf8::basic::from_utf8(xml).ok()?;
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
    pub(super) fn root_attributes(&mut self) -> Fast<()> {
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
    pub(super) fn rest(&self) -> &'a [u8] {
        self.xml.get(self.pos..).unwrap_or_default()
    }

    #[inline]
    pub(super) fn peek(&self) -> Fast<u8> {
        self.xml.get(self.pos).copied()
    }

    /// Consumes `lit`, or gives up.
    #[inline]
    pub(super) fn eat(&mut self, lit: &[u8]) -> Fast<()> {
        let end = self.pos.checked_add(lit.len())?;
        if self.xml.get(self.pos..end)? == lit {
            self.pos = end;
            Some(())
        } else {
            None
        }
    }

    #[inline]
    pub(super) fn skip_space(&mut self) {
        while self.peek().is_some_and(is_space) {
            self.pos += 1;
        }
    }

    /// Opens the next child of the element named `parent`, or consumes
    /// `</parent>` and returns `Some(None)`. Only whitespace may come before
    /// the tag.
    #[inline(always)]
    pub(super) fn child(&mut self, parent: &[u8]) -> Fast<Option<Child<'a>>> {
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

    /// Opens the element `<name>` when its start tag, exactly `open`
    /// (`<` + `name` + `>`), comes next with nothing before it. Entries
    /// list their fields in the same order on every server: trying that
    /// order with whole-tag compares (constants, so no call) spares
    /// [`Scanner::child`]'s byte-by-byte name scan. On `None` nothing was
    /// consumed and the caller goes on with [`Scanner::child`], which reads
    /// anything this would have, and the rest.
    #[inline(always)]
    pub(super) fn expect(&mut self, open: &'static [u8], name: &'static [u8]) -> Option<Child<'a>> {
        debug_assert!(open.len() == name.len() + 2 && open.get(1..open.len() - 1) == Some(name));
        if self.rest().starts_with(open) {
            self.pos += open.len();
            Some(Child { name, empty: false })
        } else {
            None
        }
    }

    /// Reads the text of the leaf `c` and its end tag, unescaped.
    #[inline(always)]
    pub(super) fn text(&mut self, c: Child<'a>) -> Fast<Cow<'a, str>> {
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
    pub(super) fn owner(&mut self, c: Child<'a>) -> Fast<Owner> {
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
    pub(super) fn common_prefixes(&mut self, c: Child<'a>, out: &mut Vec<String>) -> Fast<()> {
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
pub(super) fn number<T: std::str::FromStr>(text: &str) -> Fast<T> {
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
pub(super) fn boolean(text: &str) -> Fast<bool> {
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
pub(super) fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Flags the bytes of `word` equal to `b`: sets the high bit of the first
/// (lowest) such byte, and of none before it. Bytes after a match may be
/// flagged wrongly (the borrow of the subtraction carries on), which is
/// why callers only ever use the lowest flag or test for any flag at all.
#[inline]
pub(super) fn bytes_equal(word: u64, b: u8) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let x = word ^ (ONES * u64::from(b));
    x.wrapping_sub(ONES) & !x & HIGH
}

/// The characters of an element name the fast path handles: no `:` (so the
/// local name is the whole name), nothing quick-xml would read differently.
pub(super) const NAME_BYTES: [bool; 256] = {
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
pub(super) fn is_name_byte(b: u8) -> bool {
    NAME_BYTES[usize::from(b)]
}

#[inline]
pub(super) fn is_attr_name_byte(b: u8) -> bool {
    is_name_byte(b) || b == b':'
}

/// Accepts an XML declaration's content unless it names an encoding other
/// than UTF-8 (which quick-xml, built with its `encoding` feature, would
/// honour).
pub(super) fn check_decl(decl: &[u8]) -> Fast<()> {
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
pub(super) fn unescape(raw: &str) -> Fast<String> {
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
pub(super) fn resolve(name: &[u8]) -> Fast<char> {
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

pub(super) fn char_ref(digits: &[u8], radix: u32) -> Fast<char> {
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
