#![no_main]
//! Fuzz target: `ListBucketResult::from_xml` on arbitrary bytes.
//! Asserts no panic, a typed error naming the document, and a result no
//! larger than the input (see `newtera_fuzz`).

use libfuzzer_sys::fuzz_target;
use newtera_xml::ListBucketResult;

fuzz_target!(|data: &[u8]| {
    newtera_fuzz::parse(data, "ListBucketResult", ListBucketResult::from_xml);
});
