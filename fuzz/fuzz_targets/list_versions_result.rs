#![no_main]
//! Fuzz target: `ListVersionsResult::from_xml` on arbitrary bytes.
//! Asserts no panic, a typed error naming the document, and a result no
//! larger than the input (see `newtera_fuzz`); and that whenever the fast
//! path handles the input, the generic parser returns the identical value.

use libfuzzer_sys::fuzz_target;
use newtera_xml::ListVersionsResult;

fuzz_target!(|data: &[u8]| {
    let parsed = newtera_fuzz::parse(data, "ListVersionsResult", ListVersionsResult::from_xml);
    let generic = ListVersionsResult::parse_generic(data);
    if let Some(fast) = ListVersionsResult::parse_fast(data) {
        assert_eq!(
            generic.as_ref(),
            Ok(&fast),
            "the fast path and the generic parser disagree"
        );
    }
    assert_eq!(parsed.as_ref(), generic.as_ref().ok());
});
