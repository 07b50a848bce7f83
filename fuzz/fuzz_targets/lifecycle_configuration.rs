#![no_main]
//! Fuzz target: `LifecycleConfiguration::from_xml` on arbitrary bytes, then `to_xml` of what it parsed.
//! Asserts no panic, a typed error naming the document, a result no
//! larger than the input,
//! and `from_xml(to_xml(v)) == v` (or a typed `Unrepresentable`) (see `newtera_fuzz`).

use libfuzzer_sys::fuzz_target;
use newtera_fuzz::rules::Strings;
use newtera_xml::LifecycleConfiguration;

fuzz_target!(|data: &[u8]| {
    if let Some(v) = newtera_fuzz::parse(
        data,
        "LifecycleConfiguration",
        LifecycleConfiguration::from_xml,
    ) {
        let strings = v.all_strings();
        newtera_fuzz::reserialize(
            &v,
            &strings,
            LifecycleConfiguration::to_xml,
            LifecycleConfiguration::from_xml,
        );
    }
});
