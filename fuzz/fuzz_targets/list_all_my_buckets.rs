#![no_main]
//! Fuzz target: `ListAllMyBucketsResult::from_xml` on arbitrary bytes.
//! Asserts no panic, a typed error naming the document, and a result no
//! larger than the input (see `newtera_fuzz`).

use libfuzzer_sys::fuzz_target;
use newtera_xml::ListAllMyBucketsResult;

fuzz_target!(|data: &[u8]| {
    newtera_fuzz::parse(
        data,
        "ListAllMyBucketsResult",
        ListAllMyBucketsResult::from_xml,
    );
});
