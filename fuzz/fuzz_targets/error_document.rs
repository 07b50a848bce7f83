#![no_main]
//! Fuzz target: `parse_error` and `ErrorDocument::from_xml` on arbitrary bytes.
//! Asserts no panic, a typed error naming the document, and a result no
//! larger than the input;
//! the two agree, and `is_error_document` says yes to every body they parse (see `newtera_fuzz`).

use libfuzzer_sys::fuzz_target;
use newtera_xml::{is_error_document, parse_error, ErrorDocument};

fuzz_target!(|data: &[u8]| {
    let doc = newtera_fuzz::parse(data, "Error", ErrorDocument::from_xml);
    assert_eq!(
        parse_error(data).ok(),
        doc,
        "parse_error and ErrorDocument::from_xml disagree"
    );
    if doc.is_some() {
        assert!(
            is_error_document(data),
            "parse_error parsed a body that is_error_document rejects"
        );
    }
});
