#![no_main]
//! Fuzz target: `LegalHold::from_xml` on arbitrary bytes, then `to_xml` of what it parsed.
//! Asserts no panic, a typed error naming the document, and a result no
//! larger than the input,
//! and `from_xml(to_xml(v)) == v` (or a typed `Unrepresentable`) (see `newtera_fuzz`).

use libfuzzer_sys::fuzz_target;
use newtera_xml::LegalHold;

fuzz_target!(|data: &[u8]| {
    if let Some(v) = newtera_fuzz::parse(data, "LegalHold", LegalHold::from_xml) {
        let strings: Vec<&str> = v.status.as_deref().into_iter().collect();
        newtera_fuzz::reserialize(&v, &strings, LegalHold::to_xml, LegalHold::from_xml);
    }
});
