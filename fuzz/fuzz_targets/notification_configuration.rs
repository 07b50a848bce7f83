#![no_main]
//! Fuzz target: `NotificationConfiguration::from_xml` on arbitrary bytes, then `to_xml` of what it parsed.
//! Asserts no panic, a typed error naming the document, a result no
//! larger than the input,
//! and `from_xml(to_xml(v)) == v` (or a typed `Unrepresentable`) (see `newtera_fuzz`).

use libfuzzer_sys::fuzz_target;
use newtera_fuzz::rules::Strings;
use newtera_xml::NotificationConfiguration;

fuzz_target!(|data: &[u8]| {
    if let Some(v) = newtera_fuzz::parse(
        data,
        "NotificationConfiguration",
        NotificationConfiguration::from_xml,
    ) {
        let strings = v.all_strings();
        newtera_fuzz::reserialize(
            &v,
            &strings,
            NotificationConfiguration::to_xml,
            NotificationConfiguration::from_xml,
        );
    }
});
