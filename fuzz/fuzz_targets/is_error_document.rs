#![no_main]
//! Fuzz target: `is_error_document` on arbitrary bytes.
//! Asserts no panic and agreement with the full parsers: a body it rejects
//! never parses with `parse_error`; a body it accepts never parses as a
//! `CompleteMultipartUploadResult` (the 200-with-error check of the client).

use libfuzzer_sys::fuzz_target;
use newtera_xml::{is_error_document, parse_error, CompleteMultipartUploadResult};

fuzz_target!(|data: &[u8]| {
    let is_error = is_error_document(data);
    if is_error {
        assert!(
            CompleteMultipartUploadResult::from_xml(data).is_err(),
            "an <Error> body parsed as a CompleteMultipartUploadResult"
        );
    } else {
        assert!(
            parse_error(data).is_err(),
            "parse_error parsed a body that is_error_document rejects"
        );
    }
});
