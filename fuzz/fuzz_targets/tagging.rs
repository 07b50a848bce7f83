#![no_main]
//! Fuzz target: `Tagging::from_xml` on arbitrary bytes, then `to_xml` of what it parsed.
//! Asserts no panic, a typed error naming the document, and a result no
//! larger than the input,
//! and `from_xml(to_xml(v)) == v` (or a typed `Unrepresentable`) (see `newtera_fuzz`).

use libfuzzer_sys::fuzz_target;
use newtera_xml::Tagging;

fuzz_target!(|data: &[u8]| {
    if let Some(v) = newtera_fuzz::parse(data, "Tagging", Tagging::from_xml) {
        let strings = v
            .tags
            .iter()
            .flat_map(|(k, val)| [k.as_str(), val.as_str()])
            .collect::<Vec<_>>();
        newtera_fuzz::reserialize(&v, &strings, Tagging::to_xml, Tagging::from_xml);
    }
});
