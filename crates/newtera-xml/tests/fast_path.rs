//! The listing parsers' fast path against the generic parser: for every
//! sample and thousands of damaged variants of it, whenever the fast path
//! handles an input, the generic parser must return the very same value
//! (and `from_xml` too); otherwise `from_xml` is the generic parser.
#![allow(clippy::unwrap_used)] // tests may panic on purpose

mod common;

use common::*;
use newtera_xml::*;

/// A page in the shape the fast path is for, with every construct it
/// handles: declaration, root attributes, entities, character references,
/// empty elements, owners, unknown leaves, common prefixes, whitespace.
const FAST_V2: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>bucket</Name>\
<Prefix>p&amp;q/</Prefix><KeyCount>4</KeyCount><MaxKeys>1000</MaxKeys><Delimiter>/</Delimiter>\
<IsTruncated>true</IsTruncated><ContinuationToken/><NextContinuationToken>t&#x3D;&#61;</NextContinuationToken>\
<Contents><Key>p&amp;q/a&lt;b&gt;.txt</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified>\
<ETag>&quot;0123456789abcdef0123456789abcdef&quot;</ETag><ChecksumAlgorithm>CRC64NVME</ChecksumAlgorithm>\
<Size>4096</Size><StorageClass>STANDARD</StorageClass></Contents>\
<Contents><Key>p&amp;q/b</Key><LastModified>2024-01-02T00:00:00Z</LastModified><ETag>\"e\"</ETag>\
<Size>7</Size><StorageClass>STANDARD</StorageClass></Contents>\n\
  <Contents>\n    <Key>p&amp;q/\u{e9}t\u{e9} \u{1F600}</Key>\n    <ETag>\"abc-2\"</ETag>\n    <Size>0</Size>\n\
    <Owner><ID>id</ID><DisplayName>me</DisplayName></Owner>\n    <UserTags>a=1&amp;b=2</UserTags>\n  </Contents>\n\
<CommonPrefixes><Prefix>p&amp;q/d/</Prefix></CommonPrefixes><CommonPrefixes><Prefix>p&amp;q/e/</Prefix></CommonPrefixes>\
</ListBucketResult>";

const FAST_VERSIONS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
<ListVersionsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>bucket</Name><Prefix/>\
<KeyMarker/><VersionIdMarker/><NextKeyMarker>k&amp;2</NextKeyMarker><NextVersionIdMarker>v2</NextVersionIdMarker>\
<MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>\
<Version><Key>k&amp;1</Key><VersionId>null</VersionId><IsLatest>true</IsLatest>\
<LastModified>2009-10-12T17:50:30.000Z</LastModified><ETag>&quot;fba9&quot;</ETag><Size>434234</Size>\
<StorageClass>STANDARD</StorageClass><Owner><ID>75aa</ID><DisplayName>m</DisplayName></Owner></Version>\
<DeleteMarker><Key>k&amp;2</Key><VersionId>v2</VersionId><IsLatest>false</IsLatest>\
<LastModified>2009-11-12T17:50:30.000Z</LastModified><Owner><ID>75aa</ID></Owner></DeleteMarker>\
<CommonPrefixes><Prefix>my/dir/</Prefix></CommonPrefixes></ListVersionsResult>";

/// Checks the invariant on one input; says whether the fast path took it.
fn check(input: &[u8]) -> bool {
    let lbr = match ListBucketResult::parse_fast(input) {
        Some(fast) => {
            assert_eq!(
                ListBucketResult::parse_generic(input),
                Ok(fast),
                "{:?}",
                String::from_utf8_lossy(input)
            );
            true
        }
        None => false,
    };
    let lvr = match ListVersionsResult::parse_fast(input) {
        Some(fast) => {
            assert_eq!(
                ListVersionsResult::parse_generic(input),
                Ok(fast),
                "{:?}",
                String::from_utf8_lossy(input)
            );
            true
        }
        None => false,
    };
    assert_eq!(
        ListBucketResult::from_xml(input),
        ListBucketResult::parse_generic(input)
    );
    assert_eq!(
        ListVersionsResult::from_xml(input),
        ListVersionsResult::parse_generic(input)
    );
    lbr || lvr
}

/// Damaged variants of `sample`: every truncation, every byte deleted,
/// (if `replace`) every byte replaced by one of a few meaningful ones, and
/// snippets the fast path does not handle inserted around every tag.
fn variants(sample: &[u8], replace: bool) -> Vec<Vec<u8>> {
    const BYTES: &[u8] = b"<>/&;#\" \r!:0\xff";
    const SNIPPETS: &[&[u8]] = &[
        b"<!-- c -->",
        b"<![CDATA[x]]>",
        b"<?pi?>",
        b"<!DOCTYPE x>",
        b"<X/>",
        b"<X>y</X>",
        b"&amp;",
        b"&bogus;",
        b"\r\n",
        b"text",
    ];
    let mut out = Vec::new();
    for cut in 0..sample.len() {
        out.push(sample[..cut].to_vec());
        let mut b = sample.to_vec();
        b.remove(cut);
        out.push(b);
        for &x in BYTES.iter().filter(|_| replace) {
            if sample[cut] != x {
                let mut b = sample.to_vec();
                b[cut] = x;
                out.push(b);
            }
        }
        if sample[cut] == b'<' || sample[cut] == b'>' {
            for s in SNIPPETS {
                let at = if sample[cut] == b'<' { cut } else { cut + 1 };
                let mut b = sample[..at].to_vec();
                b.extend_from_slice(s);
                b.extend_from_slice(&sample[at..]);
                out.push(b);
            }
        }
    }
    out
}

#[test]
fn samples_in_the_fast_shape_are_handled() {
    for sample in [FAST_V2, LIST_V1, FAST_VERSIONS] {
        assert!(check(sample.as_bytes()), "{sample}");
    }
    // These use MinIO's <UserMetadata>, which only the generic parser reads.
    for sample in [LIST_V2, LIST_VERSIONS] {
        assert!(!check(sample.as_bytes()), "{sample}");
    }
    let r = ListBucketResult::from_xml(FAST_V2.as_bytes()).unwrap();
    assert_eq!(r.contents[1].key, "p&q/b");
    assert_eq!(r.contents[1].etag, "\"e\"");
    assert_eq!(r.contents[1].storage_class.as_deref(), Some("STANDARD"));
    assert_eq!(r.contents[2].key, "p&q/\u{e9}t\u{e9} \u{1F600}");
    assert_eq!(r.next_continuation_token.as_deref(), Some("t=="));
}

#[test]
fn damaged_samples_agree_with_the_generic_parser() {
    for sample in [FAST_V2, LIST_V1, FAST_VERSIONS, LIST_V2, LIST_VERSIONS] {
        let (mut total, mut handled) = (0, 0);
        let fast_shape = sample == FAST_V2 || sample == FAST_VERSIONS;
        for input in variants(sample.as_bytes(), fast_shape) {
            total += 1;
            handled += usize::from(check(&input));
        }
        // The variants must exercise both outcomes.
        if fast_shape {
            assert!(handled > total / 10, "{handled} of {total} handled");
            assert!(handled < total, "{handled} of {total} handled");
        }
    }
}
