//! The S3 limits on parts and objects, and the part plan of an upload.

use crate::error::{Error, Result};

/// Smallest part S3 accepts (but for the last).
pub const MIN_PART_SIZE: u64 = 5 * 1024 * 1024;
/// Largest part S3 accepts.
pub const MAX_PART_SIZE: u64 = 5 * 1024 * 1024 * 1024;
/// Most parts in one upload.
pub const MAX_PARTS: u64 = 10_000;
/// Largest object S3 accepts.
pub const MAX_OBJECT_SIZE: u64 = 5 * 1024 * 1024 * 1024 * 1024;
/// Smallest part size chosen automatically for a known length.
const AUTO_MIN_PART_SIZE: u64 = 8 * 1024 * 1024;

/// The part size and count for an upload, checked against the S3 limits.
pub fn part_plan(length: Option<u64>, part_size: Option<u64>) -> Result<(u64, Option<u64>)> {
    if let Some(ps) = part_size {
        if ps < MIN_PART_SIZE {
            return Err(Error::arg(
                "part_size",
                format!("{ps} is below the 5 MiB minimum"),
            ));
        }
        if ps > MAX_PART_SIZE {
            return Err(Error::arg(
                "part_size",
                format!("{ps} is above the 5 GiB maximum"),
            ));
        }
    }
    let Some(len) = length else {
        let ps = part_size
            .ok_or_else(|| Error::arg("part_size", "required when the length is unknown"))?;
        return Ok((ps, None));
    };
    if len > MAX_OBJECT_SIZE {
        return Err(Error::arg(
            "length",
            format!("{len} is above the 5 TiB maximum object size"),
        ));
    }
    let ps = match part_size {
        Some(ps) => ps,
        None => {
            let per_part = len.div_ceil(MAX_PARTS);
            (per_part.div_ceil(MIN_PART_SIZE) * MIN_PART_SIZE).max(AUTO_MIN_PART_SIZE)
        }
    };
    let count = len.div_ceil(ps).max(1);
    if count > MAX_PARTS {
        return Err(Error::arg(
            "part_size",
            format!("{ps} gives {count} parts for {len} bytes; at most {MAX_PARTS} are allowed"),
        ));
    }
    Ok((ps, Some(count)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1024 * 1024;

    #[test]
    fn plans() {
        assert_eq!(part_plan(Some(0), None).unwrap(), (8 * MIB, Some(1)));
        assert_eq!(
            part_plan(Some(20 * MIB), Some(5 * MIB)).unwrap(),
            (5 * MIB, Some(4))
        );
        let (ps, n) = part_plan(Some(MAX_OBJECT_SIZE), None).unwrap();
        assert!(n.unwrap() <= MAX_PARTS && ps <= MAX_PART_SIZE && ps % MIN_PART_SIZE == 0);
        assert!(part_plan(Some(MAX_OBJECT_SIZE + 1), None).is_err());
        assert!(part_plan(None, None).is_err());
        assert!(part_plan(None, Some(MIB)).is_err());
        assert!(part_plan(None, Some(6 * MAX_PART_SIZE)).is_err());
        assert!(part_plan(Some(100_000 * 5 * MIB), Some(5 * MIB)).is_err());
    }
}
