//! A plain, independent XML reader (quick-xml, no newtera code) that turns
//! a request document into a tree, used to read back the documents that
//! newtera-xml writes but has no parser for (`Delete`,
//! `CompleteMultipartUpload`, `CreateBucketConfiguration`).

use quick_xml::events::Event;
use quick_xml::Reader;

/// An element: its name, its text (concatenated) and its child elements.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Node {
    /// The element name as written (no namespace handling).
    pub name: String,
    /// The `xmlns` attribute, if any.
    pub xmlns: Option<String>,
    /// All text directly inside the element, entities resolved.
    pub text: String,
    /// Child elements in order.
    pub children: Vec<Node>,
}

impl Node {
    /// A leaf `<name>text</name>`.
    pub fn leaf(name: &str, text: &str) -> Node {
        Node {
            name: name.to_owned(),
            text: text.to_owned(),
            ..Node::default()
        }
    }

    /// An element holding only `children`.
    pub fn parent(name: &str, children: Vec<Node>) -> Node {
        Node {
            name: name.to_owned(),
            children,
            ..Node::default()
        }
    }
}

/// Parses a whole document into its root [`Node`].
pub fn parse(xml: &str) -> Result<Node, String> {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Node> = Vec::new();
    loop {
        let ev = reader.read_event().map_err(|e| e.to_string())?;
        match ev {
            Event::Start(ref s) | Event::Empty(ref s) => {
                let is_empty = matches!(ev, Event::Empty(_));
                let name =
                    String::from_utf8(s.name().into_inner().to_vec()).map_err(|e| e.to_string())?;
                let mut xmlns = None;
                for a in s.attributes() {
                    let a = a.map_err(|e| e.to_string())?;
                    if a.key.into_inner() == b"xmlns" {
                        xmlns =
                            Some(String::from_utf8(a.value.to_vec()).map_err(|e| e.to_string())?);
                    }
                }
                let node = Node {
                    name,
                    xmlns,
                    ..Node::default()
                };
                if is_empty {
                    match stack.last_mut() {
                        Some(top) => top.children.push(node),
                        None => return Ok(node),
                    }
                } else {
                    stack.push(node);
                }
            }
            Event::End(_) => {
                let node = stack.pop().ok_or("unmatched end")?;
                match stack.last_mut() {
                    Some(top) => top.children.push(node),
                    None => return Ok(node),
                }
            }
            Event::Text(t) => {
                let s = t.xml10_content().map_err(|e| e.to_string())?;
                match stack.last_mut() {
                    Some(top) => top.text.push_str(&s),
                    None if s.trim().is_empty() => {}
                    None => return Err("text outside the root".into()),
                }
            }
            Event::GeneralRef(r) => {
                let ch = match &*r {
                    b"lt" => '<',
                    b"gt" => '>',
                    b"amp" => '&',
                    b"apos" => '\'',
                    b"quot" => '"',
                    _ => r
                        .resolve_char_ref()
                        .map_err(|e| e.to_string())?
                        .ok_or("unknown entity")?,
                };
                stack
                    .last_mut()
                    .ok_or("reference outside the root")?
                    .text
                    .push(ch);
            }
            Event::CData(c) => {
                let s = c.xml10_content().map_err(|e| e.to_string())?;
                stack
                    .last_mut()
                    .ok_or("CDATA outside the root")?
                    .text
                    .push_str(&s);
            }
            Event::Eof => return Err("end of input inside the document".into()),
            _ => {}
        }
    }
}
