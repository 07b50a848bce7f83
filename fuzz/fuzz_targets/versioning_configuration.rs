#![no_main]
//! Fuzz target: `VersioningConfiguration::from_xml` on arbitrary bytes, then `to_xml` of what it parsed.
//! Asserts no panic, a typed error naming the document, and a result no
//! larger than the input,
//! and `from_xml(to_xml(v)) == v` (or a typed `Unrepresentable`) (see `newtera_fuzz`).

use libfuzzer_sys::fuzz_target;
use newtera_xml::VersioningConfiguration;

fuzz_target!(|data: &[u8]| {
    if let Some(v) = newtera_fuzz::parse(
        data,
        "VersioningConfiguration",
        VersioningConfiguration::from_xml,
    ) {
        let strings = [v.status.as_deref(), v.mfa_delete.as_deref()]
            .into_iter()
            .flatten()
            .chain(v.excluded_prefixes.iter().map(String::as_str))
            .collect::<Vec<_>>();
        newtera_fuzz::reserialize(
            &v,
            &strings,
            VersioningConfiguration::to_xml,
            VersioningConfiguration::from_xml,
        );
    }
});
