//! Parses a synthetic 1,000-key `ListObjectsV2` page many times and prints
//! the average wall time per page. A rough local check of the listing
//! target (≤ 0.6 ms CPU per page); the real measurement is the workspace
//! benchmark. Run with `cargo run --release -p newtera-xml --example parse_listing`.

use std::time::Instant;

use newtera_xml::{ListBucketResult, XmlError};

fn page(n: usize) -> String {
    let mut s = String::from(concat!(
        r#"<?xml version="1.0" encoding="UTF-8"?>"#,
        r#"<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>bench</Name>"#,
        "<Prefix></Prefix><KeyCount>1000</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>true</IsTruncated>",
        "<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>"
    ));
    for i in 0..n {
        s.push_str(&format!(
            "<Contents><Key>data/2024/07/some-longer-directory-name/object-{i:08}.parquet</Key>\
             <LastModified>2024-07-01T12:34:56.789Z</LastModified>\
             <ETag>&quot;d41d8cd98f00b204e9800998ecf8427e&quot;</ETag><Size>{}</Size>\
             <Owner><ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID></Owner>\
             <StorageClass>STANDARD</StorageClass></Contents>",
            i * 1024
        ));
    }
    s.push_str("</ListBucketResult>");
    s
}

fn main() -> Result<(), XmlError> {
    let xml = page(1000);
    let rounds = 200;
    let mut keys = 0;
    let (mut best_raw, mut best) = (f64::MAX, f64::MAX);
    for _ in 0..15 {
        best_raw = best_raw.min(raw_baseline(&xml, rounds));
        let start = Instant::now();
        for _ in 0..rounds {
            keys += ListBucketResult::from_xml(xml.as_bytes())?.contents.len();
        }
        best = best.min(start.elapsed().as_secs_f64() / f64::from(rounds));
    }
    println!(
        "{} bytes/page: {:.3} ms per 1,000-key page ({:.0} MB/s); quick-xml event loop alone {:.3} ms; {keys} keys",
        xml.len(),
        best * 1e3,
        xml.len() as f64 / best / 1e6,
        best_raw * 1e3,
    );
    Ok(())
}

/// Best-case time of a bare quick-xml event loop over the page.
fn raw_baseline(xml: &str, rounds: u32) -> f64 {
    use quick_xml::events::Event;
    let start = Instant::now();
    let mut n = 0usize;
    for _ in 0..rounds {
        let mut r = quick_xml::Reader::from_str(xml);
        loop {
            match r.read_event() {
                Ok(Event::Eof) | Err(_) => break,
                Ok(Event::Text(t)) => n += t.len(),
                _ => n += 1,
            }
        }
    }
    std::hint::black_box(n);
    start.elapsed().as_secs_f64() / f64::from(rounds)
}
