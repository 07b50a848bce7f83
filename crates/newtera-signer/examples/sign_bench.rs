//! Measures the CPU cost of [`Signer::sign`] on small S3 requests.
//!
//! Run with `cargo run --release -p newtera-signer --example sign_bench`
//! (optionally followed by the number of calls per case and of runs).
//!
//! Each case signs the same header map over and over at a fixed time, so the
//! signing key comes from the cache, as it does for all but the first request
//! of a day. `sign` replaces the headers it sets, so the map does not grow.
//! The figure is the median over several runs of the mean ns per call, in
//! on-CPU time of the thread (from `/proc/thread-self/schedstat`, so that time
//! spent descheduled on a busy machine does not count) or, where that file is
//! missing, in wall-clock time.

use std::hint::black_box;
use std::time::{Duration, Instant, UNIX_EPOCH};

use http::{HeaderMap, HeaderValue, Method, Uri};
use newtera_signer::{Credentials, PayloadHash, Signer, SigningParams};

struct Case {
    name: &'static str,
    method: Method,
    uri: &'static str,
    headers: &'static [(&'static str, &'static str)],
    payload: PayloadHash,
}

fn cases() -> Vec<Case> {
    const UA: (&str, &str) = ("user-agent", "newtera/0.1.0 (linux; x86_64) rust/1.85");
    vec![
        Case {
            name: "HEAD object",
            method: Method::HEAD,
            uri: "http://127.0.0.1:9000/bench/small/obj-00001",
            headers: &[UA],
            payload: PayloadHash::Unsigned,
        },
        Case {
            name: "GET object",
            method: Method::GET,
            uri: "http://127.0.0.1:9000/bench/small/obj-00001",
            headers: &[UA],
            payload: PayloadHash::Empty,
        },
        Case {
            name: "PUT object + crc64nvme",
            method: Method::PUT,
            uri: "http://127.0.0.1:9000/bench/small/obj-00001",
            headers: &[
                UA,
                ("content-length", "4096"),
                ("x-amz-checksum-crc64nvme", "AAAAAAAAAAA="),
            ],
            payload: PayloadHash::Unsigned,
        },
        Case {
            name: "PUT part ?partNumber&uploadId",
            method: Method::PUT,
            uri: "http://127.0.0.1:9000/bench/small/obj-00001?partNumber=3&uploadId=abc",
            headers: &[
                UA,
                ("content-length", "5242880"),
                ("x-amz-checksum-crc64nvme", "AAAAAAAAAAA="),
            ],
            payload: PayloadHash::Unsigned,
        },
    ]
}

/// Nanoseconds this thread has spent on a CPU, if the kernel says.
fn thread_cpu_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let calls: u32 = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5);

    let credentials = Credentials::new(
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        None,
    );
    let params = SigningParams {
        credentials: &credentials,
        region: "us-east-1",
        service: "s3",
        time: UNIX_EPOCH + Duration::from_secs(1_700_000_000),
    };
    let signer = Signer::new();

    let clock = if thread_cpu_ns().is_some() {
        "thread CPU time"
    } else {
        "wall-clock time"
    };
    println!("{calls} calls per run, median of {runs} runs, {clock}");
    let mut all = Vec::new();
    for case in cases() {
        let uri: Uri = case.uri.parse().expect("valid URI");
        let mut headers = HeaderMap::new();
        for (k, v) in case.headers {
            headers.insert(*k, HeaderValue::from_static(v));
        }
        let mut per_run: Vec<f64> = (0..runs)
            .map(|_| {
                let start = Instant::now();
                let start_cpu = thread_cpu_ns();
                for _ in 0..calls {
                    signer
                        .sign(
                            black_box(&case.method),
                            black_box(&uri),
                            black_box(&mut headers),
                            black_box(&case.payload),
                            black_box(&params),
                        )
                        .expect("signing succeeds");
                }
                let ns = match (start_cpu, thread_cpu_ns()) {
                    (Some(a), Some(b)) => (b - a) as f64,
                    _ => start.elapsed().as_secs_f64() * 1e9,
                };
                ns / f64::from(calls)
            })
            .collect();
        per_run.sort_by(f64::total_cmp);
        let median = per_run[per_run.len() / 2];
        all.push(median);
        println!(
            "{:<32} {:>7.0} ns/sign  (runs: {})",
            case.name,
            median,
            per_run
                .iter()
                .map(|r| format!("{r:.0}"))
                .collect::<Vec<_>>()
                .join(" ")
        );
    }
    let mean = all.iter().sum::<f64>() / all.len() as f64;
    println!("{:<32} {:>7.0} ns/sign", "mean of the cases", mean);
}
