#![no_main]
//! Fuzz target: `CompleteMultipartUploadResult::from_xml` on arbitrary bytes.
//! Asserts no panic, a typed error naming the document, and a result no
//! larger than the input;
//! a body `is_error_document` calls an `<Error>` never parses as a result (see `newtera_fuzz`).

use libfuzzer_sys::fuzz_target;
use newtera_xml::{is_error_document, CompleteMultipartUploadResult};

fuzz_target!(|data: &[u8]| {
    let parsed = newtera_fuzz::parse(
        data,
        "CompleteMultipartUploadResult",
        CompleteMultipartUploadResult::from_xml,
    );
    // The client checks a 200 body with is_error_document before parsing
    // it as a result: the two must never both say yes.
    if parsed.is_some() {
        assert!(
            !is_error_document(data),
            "an <Error> body parsed as a CompleteMultipartUploadResult"
        );
    }
});
