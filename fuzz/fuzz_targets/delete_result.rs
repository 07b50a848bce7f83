#![no_main]
//! Fuzz target: `DeleteResult::from_xml` on arbitrary bytes.
//! Asserts no panic, a typed error naming the document, and a result no
//! larger than the input (see `newtera_fuzz`).

use libfuzzer_sys::fuzz_target;
use newtera_xml::DeleteResult;

fuzz_target!(|data: &[u8]| {
    newtera_fuzz::parse(data, "DeleteResult", DeleteResult::from_xml);
});
