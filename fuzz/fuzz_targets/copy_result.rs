#![no_main]
//! Fuzz target: `CopyObjectResult::from_xml` and `CopyPartResult::from_xml`
//! on arbitrary bytes. Asserts no panic, a typed error naming the document,
//! and a result no larger than the input (see `newtera_fuzz`); the two
//! parsers never both accept one input (their roots differ).

use libfuzzer_sys::fuzz_target;
use newtera_xml::{CopyObjectResult, CopyPartResult};

fuzz_target!(|data: &[u8]| {
    let object = newtera_fuzz::parse(data, "CopyObjectResult", CopyObjectResult::from_xml);
    let part = newtera_fuzz::parse(data, "CopyPartResult", CopyPartResult::from_xml);
    assert!(object.is_none() || part.is_none());
});
