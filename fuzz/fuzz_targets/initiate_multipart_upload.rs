#![no_main]
//! Fuzz target: `InitiateMultipartUploadResult::from_xml` on arbitrary bytes.
//! Asserts no panic, a typed error naming the document, and a result no
//! larger than the input (see `newtera_fuzz`).

use libfuzzer_sys::fuzz_target;
use newtera_xml::InitiateMultipartUploadResult;

fuzz_target!(|data: &[u8]| {
    newtera_fuzz::parse(
        data,
        "InitiateMultipartUploadResult",
        InitiateMultipartUploadResult::from_xml,
    );
});
