#![no_main]
//! Fuzz target: `parse_location_constraint` and `LocationConstraint::from_xml` on arbitrary bytes.
//! Asserts no panic, a typed error naming the document, and a result no
//! larger than the input;
//! the two agree and a region is never empty nor padded (see `newtera_fuzz`).

use libfuzzer_sys::fuzz_target;
use newtera_xml::{parse_location_constraint, LocationConstraint};

fuzz_target!(|data: &[u8]| {
    let parsed = newtera_fuzz::parse(data, "LocationConstraint", LocationConstraint::from_xml);
    let region = parse_location_constraint(data);
    assert_eq!(
        region.clone().ok(),
        parsed.map(|l| l.region),
        "parse_location_constraint and LocationConstraint::from_xml disagree"
    );
    if let Ok(Some(r)) = region {
        assert!(
            !r.is_empty() && r.trim() == r,
            "region {r:?} is empty or padded"
        );
    }
});
