//! Which design.md targets a headline row meets, and, for the rows short
//! of one, what the numbers say limits them: Newtera's CPU and the floor's
//! (user / sys), the bound missed, and how far above the floor each is.

use super::report::{best_peer, fmt_num, spread, units, Row};
use super::{Workload, CONFIGS, FLOOR, RSS_BOUND_MIB};

/// The targets of one headline row and which of them it misses.
pub(super) struct Verdict<'a> {
    /// The targets, as the headline shows them.
    pub(super) target: String,
    pub(super) met: bool,
    /// The CPU bounds missed: (what the bound is, its value in the row's unit).
    short_cpu: Vec<(String, f64)>,
    /// The best peer, when Newtera's throughput is below it.
    short_throughput: Option<&'a Row>,
    short_rss: bool,
}

/// `x <= bound`, false when either is NaN (no result meets no target).
fn at_most(x: f64, bound: f64) -> bool {
    x <= bound
}

pub(super) fn verdict<'a>(w: &Workload, n: &Row, peer: Option<&'a Row>) -> Verdict<'a> {
    let mut target = Vec::new();
    let mut v = Verdict {
        target: String::new(),
        met: false,
        short_cpu: Vec::new(),
        short_throughput: None,
        short_rss: false,
    };
    if let Some(t) = w.cpu_target {
        target.push(format!("CPU ≤ {t}"));
        if !at_most(n.cpu, t) {
            v.short_cpu.push(("design.md CPU target".into(), t));
        }
    }
    if w.rss_bound {
        target.push(format!("RSS ≤ {RSS_BOUND_MIB:.0} MiB"));
        v.short_rss = !at_most(n.rss_mib, RSS_BOUND_MIB);
    }
    if let Some(p) = peer {
        target.push("≥ peer throughput at ≤ 0.7× CPU".into());
        if !at_most(p.throughput, n.throughput) {
            v.short_throughput = Some(p);
        }
        if !at_most(n.cpu, 0.7 * p.cpu) {
            v.short_cpu.push((
                format!("0.7 × {}'s CPU ({})", p.client, fmt_num(p.cpu)),
                0.7 * p.cpu,
            ));
        }
    }
    v.target = target.join("; ");
    v.met = n.throughput.is_finite()
        && v.short_cpu.is_empty()
        && v.short_throughput.is_none()
        && !v.short_rss;
    v
}

/// `X (user U / sys S, kernel K %)`.
fn cpu_split(r: &Row, unit: &str) -> String {
    let (u, s) = r.user_sys();
    format!(
        "{} {unit} (user {} / sys {}, kernel {:.0} %)",
        fmt_num(r.cpu),
        fmt_num(u),
        fmt_num(s),
        100.0 * r.kernel
    )
}

/// `; short by a %, within the b % the repetitions spread` when the gap is
/// no larger than the noise seen on this row.
fn within_noise(gap_pct: f64, noise_pct: f64) -> String {
    if noise_pct.is_finite() && gap_pct <= noise_pct {
        format!(" (short by {gap_pct:.1} %, within the ±{noise_pct:.1} % the repetitions spread)")
    } else {
        format!(" (short by {gap_pct:.1} %)")
    }
}

/// The "Rows short of a target" section: one entry per headline row marked
/// not met.
pub(super) fn section(results: &[(&Workload, Vec<Row>)]) -> String {
    let mut md = String::from("## Rows short of a target: what limits them\n\n");
    md.push_str(
        "One entry per headline row marked **no**. The floor (see Method) is the same wire work with no \
         S3 client; it is one figure for both configs, since it has no signing or checksums to switch off. \
         A CPU bound below the floor cannot be met by any client on this machine; above it, the entry \
         gives what Newtera spends above the floor and what the bound leaves above it.\n\n",
    );
    let mut any = false;
    for (w, rows) in results {
        let (tu, cu) = units(w.kind);
        let unit = cu.trim_start_matches("client ").trim_start_matches("CPU ");
        let floor = rows
            .iter()
            .find(|r| r.client == FLOOR && r.throughput.is_finite());
        for config in CONFIGS {
            let Some(n) = rows
                .iter()
                .find(|r| r.client == "newtera" && r.config == config)
            else {
                continue;
            };
            let v = verdict(w, n, best_peer(rows, config));
            if v.met {
                continue;
            }
            any = true;
            md.push_str(&format!("### {} ({config})\n\n", w.name));
            if !n.throughput.is_finite() {
                md.push_str("- Newtera has no result on this row.\n\n");
                continue;
            }
            md.push_str(&format!(
                "- Newtera CPU: {}; spread {}.\n",
                cpu_split(n, unit),
                spread(n.cpu, n.cpu_range)
            ));
            match floor {
                Some(f) => md.push_str(&format!("- floor CPU: {}.\n", cpu_split(f, unit))),
                None => md.push_str("- floor: no result.\n"),
            }
            for (what, bound) in &v.short_cpu {
                let gap = within_noise(100.0 * (n.cpu - bound) / bound, n.cpu_noise_pct());
                let said = match floor {
                    Some(f) if *bound < f.cpu => format!(
                        "target below this machine's floor (floor = {x} {unit}, i.e. even a client with no \
                         HTTP library, signing or parsing spends {x} {unit})",
                        x = fmt_num(f.cpu)
                    ),
                    Some(f) => format!(
                        "Newtera spends {} {unit} above the floor; the target allows {} {unit} above it",
                        fmt_num(n.cpu - f.cpu),
                        fmt_num(bound - f.cpu)
                    ),
                    None => "no floor to compare with".into(),
                };
                md.push_str(&format!(
                    "- CPU bound: {what} = {} {unit}{gap}: {said}.\n",
                    fmt_num(*bound)
                ));
            }
            if let Some(p) = v.short_throughput {
                let gap = within_noise(
                    100.0 * (p.throughput - n.throughput) / p.throughput,
                    n.throughput_noise_pct(),
                );
                md.push_str(&format!(
                    "- throughput: Newtera {} {tu}, {} {} {tu}{gap}; the floor moves {} {tu}.\n",
                    fmt_num(n.throughput),
                    p.client,
                    fmt_num(p.throughput),
                    floor
                        .map(|f| fmt_num(f.throughput))
                        .unwrap_or_else(|| "–".into()),
                ));
            }
            if v.short_rss {
                md.push_str(&format!(
                    "- peak RSS: Newtera {} MiB, bound {RSS_BOUND_MIB:.0} MiB; the floor {} MiB.\n",
                    fmt_num(n.rss_mib),
                    floor
                        .map(|f| fmt_num(f.rss_mib))
                        .unwrap_or_else(|| "–".into()),
                ));
            }
            md.push('\n');
        }
    }
    if !any {
        md.push_str("Every headline row meets its targets.\n\n");
    }
    md
}
