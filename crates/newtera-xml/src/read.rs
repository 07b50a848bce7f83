//! A small pull parser over quick-xml's raw [`Reader`], shared by every
//! document parser: borrowed events, unescaping only where text is taken,
//! a depth cap, refusal of DTDs, and typed errors instead of panics.

use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::Reader;

use crate::error::{excerpt, excerpt_bytes};
use crate::{XmlError, MAX_DEPTH, MAX_INPUT_LEN};

/// A child element just opened by [`Parser::next_child`].
pub(crate) struct Child<'a> {
    start: BytesStart<'a>,
    /// `true` for a self-closing element (`<Tag/>`), which has no content
    /// and no end event.
    empty: bool,
}

impl<'a> Child<'a> {
    /// The local name (namespace prefix stripped).
    #[inline]
    pub(crate) fn name(&self) -> &[u8] {
        self.start.local_name().into_inner()
    }
}

pub(crate) struct Parser<'a> {
    reader: Reader<&'a [u8]>,
    doc: &'static str,
    /// Number of currently open elements.
    depth: usize,
}

impl<'a> Parser<'a> {
    /// Checks the size cap and opens the root element, which must be named
    /// `root` (any namespace prefix and attributes are accepted).
    ///
    /// Returns the parser and the root as a [`Child`] (so a self-closing
    /// root reads as an element without children).
    pub(crate) fn open(
        xml: &'a [u8],
        doc: &'static str,
        root: &'static str,
    ) -> Result<(Self, Child<'a>), XmlError> {
        Self::open_one_of(xml, doc, root, &[])
    }

    /// As [`Parser::open`], also accepting the root names in `aliases`
    /// (servers that spell a document's root differently).
    pub(crate) fn open_one_of(
        xml: &'a [u8],
        doc: &'static str,
        root: &'static str,
        aliases: &[&'static str],
    ) -> Result<(Self, Child<'a>), XmlError> {
        if xml.len() > MAX_INPUT_LEN {
            return Err(XmlError::TooLarge {
                document: doc,
                len: xml.len(),
                limit: MAX_INPUT_LEN,
            });
        }
        let mut reader = Reader::from_reader(xml);
        let config = reader.config_mut();
        config.check_end_names = true;
        config.allow_unmatched_ends = false;
        config.expand_empty_elements = false;
        config.trim_text(false);
        let mut p = Parser {
            reader,
            doc,
            depth: 0,
        };
        loop {
            match p.event()? {
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
                Event::Text(t) if is_blank(&t) => {}
                Event::Start(start) | Event::Empty(start)
                    if start.local_name().into_inner() != root.as_bytes()
                        && !aliases
                            .iter()
                            .any(|a| start.local_name().into_inner() == a.as_bytes()) =>
                {
                    return Err(XmlError::UnexpectedRoot {
                        document: doc,
                        expected: root,
                        found: excerpt_bytes(start.name().into_inner()),
                    });
                }
                Event::Start(start) => {
                    p.depth = 1;
                    return Ok((
                        p,
                        Child {
                            start,
                            empty: false,
                        },
                    ));
                }
                Event::Empty(start) => return Ok((p, Child { start, empty: true })),
                Event::Eof => return Err(p.malformed("no root element")),
                _ => return Err(p.malformed("content before the root element")),
            }
        }
    }

    /// Reads the next event, mapping quick-xml errors and refusing DTDs.
    #[inline]
    fn event(&mut self) -> Result<Event<'a>, XmlError> {
        match self.reader.read_event() {
            Ok(Event::DocType(_)) => Err(XmlError::DoctypeNotAllowed { document: self.doc }),
            Ok(ev) => Ok(ev),
            Err(e) => Err(XmlError::Malformed {
                document: self.doc,
                position: self.reader.error_position(),
                reason: excerpt(&e.to_string()),
            }),
        }
    }

    pub(crate) fn malformed(&self, reason: &str) -> XmlError {
        XmlError::Malformed {
            document: self.doc,
            position: self.reader.buffer_position(),
            reason: reason.to_owned(),
        }
    }

    fn push_depth(&mut self) -> Result<(), XmlError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(XmlError::TooDeep {
                document: self.doc,
                limit: MAX_DEPTH,
            });
        }
        Ok(())
    }

    /// Returns the next child element of the element opened last, or `None`
    /// once that element closes. Text, comments and processing instructions
    /// between children are ignored.
    ///
    /// The caller must consume every returned child with [`Self::text`],
    /// [`Self::skip`] or [`Self::children`].
    pub(crate) fn next_child(&mut self) -> Result<Option<Child<'a>>, XmlError> {
        loop {
            match self.event()? {
                Event::Start(start) => {
                    self.push_depth()?;
                    return Ok(Some(Child {
                        start,
                        empty: false,
                    }));
                }
                Event::Empty(start) => return Ok(Some(Child { start, empty: true })),
                Event::End(_) => {
                    self.depth = self.depth.saturating_sub(1);
                    return Ok(None);
                }
                Event::Eof => return Err(self.malformed("unexpected end of input")),
                _ => {}
            }
        }
    }

    /// Runs `f` on each child of `parent`, then returns once `parent` closes.
    #[inline]
    pub(crate) fn children<F>(&mut self, parent: &Child<'a>, mut f: F) -> Result<(), XmlError>
    where
        F: FnMut(&mut Self, Child<'a>) -> Result<(), XmlError>,
    {
        if parent.empty {
            return Ok(());
        }
        while let Some(child) = self.next_child()? {
            f(self, child)?;
        }
        Ok(())
    }

    /// Skips `child` and everything inside it.
    pub(crate) fn skip(&mut self, child: &Child<'a>) -> Result<(), XmlError> {
        if child.empty {
            return Ok(());
        }
        let base = self.depth;
        loop {
            match self.event()? {
                Event::Start(_) => self.push_depth()?,
                Event::End(_) => {
                    self.depth = self.depth.saturating_sub(1);
                    if self.depth < base {
                        return Ok(());
                    }
                }
                Event::Eof => return Err(self.malformed("unexpected end of input")),
                _ => {}
            }
        }
    }

    /// Reads the text content of `child` (which must hold no element),
    /// resolving the predefined entities and character references, taking
    /// CDATA sections verbatim and normalising line ends as XML 1.0 says.
    pub(crate) fn text(&mut self, child: &Child<'a>) -> Result<String, XmlError> {
        let mut out = String::new();
        if child.empty {
            return Ok(out);
        }
        loop {
            match self.event()? {
                Event::Text(t) => match std::str::from_utf8(&t) {
                    // Fast path: UTF-8 without CR needs no normalisation.
                    Ok(s) if !s.as_bytes().contains(&b'\r') => out.push_str(s),
                    _ => {
                        let s = t
                            .xml10_content()
                            .map_err(|e| self.malformed(&e.to_string()))?;
                        out.push_str(&s);
                    }
                },
                Event::CData(c) => {
                    let s = c
                        .xml10_content()
                        .map_err(|e| self.malformed(&e.to_string()))?;
                    out.push_str(&s);
                }
                Event::GeneralRef(r) => {
                    if out.capacity() == 0 {
                        // Text that starts with a reference (an ETag's
                        // `&quot;`) goes on: avoid growing three times.
                        out.reserve(40);
                    }
                    out.push(self.resolve(&r)?);
                }
                Event::End(_) => {
                    self.depth = self.depth.saturating_sub(1);
                    return Ok(out);
                }
                Event::Start(_) | Event::Empty(_) => {
                    return Err(self.malformed("unexpected element inside a text element"))
                }
                Event::Eof => return Err(self.malformed("unexpected end of input")),
                _ => {}
            }
        }
    }

    /// Resolves `&name;`: the five predefined entities and character
    /// references. Any other entity is an error (nothing is ever expanded).
    fn resolve(&self, r: &BytesRef<'_>) -> Result<char, XmlError> {
        let ch = match &**r {
            b"lt" => '<',
            b"gt" => '>',
            b"amp" => '&',
            b"apos" => '\'',
            b"quot" => '"',
            _ => match r.resolve_char_ref() {
                Ok(Some(ch)) => ch,
                Ok(None) => {
                    let name = excerpt_bytes(r);
                    return Err(self.malformed(&format!("undeclared entity &{name};")));
                }
                Err(e) => return Err(self.malformed(&excerpt(&e.to_string()))),
            },
        };
        Ok(ch)
    }

    /// Reads an unsigned integer element.
    pub(crate) fn number<T: std::str::FromStr>(
        &mut self,
        child: &Child<'a>,
        field: &'static str,
    ) -> Result<T, XmlError> {
        let s = self.text(child)?;
        s.trim().parse::<T>().map_err(|_| XmlError::InvalidNumber {
            document: self.doc,
            field,
            value: excerpt(&s),
        })
    }

    /// Reads a `true`/`false` element (surrounding whitespace allowed;
    /// `TRUE`, `False` etc. accepted too).
    pub(crate) fn boolean(
        &mut self,
        child: &Child<'a>,
        field: &'static str,
    ) -> Result<bool, XmlError> {
        let s = self.text(child)?;
        let t = s.trim();
        if t.eq_ignore_ascii_case("true") {
            Ok(true)
        } else if t.eq_ignore_ascii_case("false") {
            Ok(false)
        } else {
            Err(XmlError::InvalidBool {
                document: self.doc,
                field,
                value: excerpt(&s),
            })
        }
    }

    /// Reads the text of `child` into `Some`.
    #[inline]
    pub(crate) fn opt_text(&mut self, child: &Child<'a>) -> Result<Option<String>, XmlError> {
        self.text(child).map(Some)
    }

    /// Reads the children of `parent` as `(element name, text)` pairs, as in
    /// MinIO's `<UserMetadata>`.
    pub(crate) fn name_value_pairs(
        &mut self,
        parent: &Child<'a>,
    ) -> Result<Vec<(String, String)>, XmlError> {
        let mut out = Vec::new();
        self.children(parent, |p, c| {
            let name = std::str::from_utf8(c.name())
                .map_err(|_| p.malformed("element name is not UTF-8"))?
                .to_owned();
            let value = p.text(&c)?;
            out.push((name, value));
            Ok(())
        })?;
        Ok(out)
    }

    /// Reads an `<Owner>`/`<Initiator>` element.
    pub(crate) fn owner(&mut self, parent: &Child<'a>) -> Result<crate::Owner, XmlError> {
        let mut owner = crate::Owner::default();
        self.children(parent, |p, c| {
            match c.name() {
                b"ID" => owner.id = p.opt_text(&c)?,
                b"DisplayName" => owner.display_name = p.opt_text(&c)?,
                _ => p.skip(&c)?,
            }
            Ok(())
        })?;
        Ok(owner)
    }

    /// Reads every `<Prefix>` inside a `<CommonPrefixes>` element into `out`.
    pub(crate) fn common_prefixes(
        &mut self,
        parent: &Child<'a>,
        out: &mut Vec<String>,
    ) -> Result<(), XmlError> {
        self.children(parent, |p, c| {
            if c.name() == b"Prefix" {
                out.push(p.text(&c)?);
            } else {
                p.skip(&c)?;
            }
            Ok(())
        })
    }

    /// Error for a required element that was absent.
    pub(crate) fn missing(&self, field: &'static str) -> XmlError {
        XmlError::MissingField {
            document: self.doc,
            field,
        }
    }
}

/// Unwraps a required field or reports it missing.
#[inline]
pub(crate) fn required<T>(
    v: Option<T>,
    p: &Parser<'_>,
    field: &'static str,
) -> Result<T, XmlError> {
    v.ok_or_else(|| p.missing(field))
}

fn is_blank(t: &[u8]) -> bool {
    t.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}
