//! `crm-cli screen` run as a binary and pinned to a hand computation on
//! `testdata/screen/shipments.csv` + `testdata/screen/invoices.csv` (testdata/README.md, "screen
//! fixture, by hand"), written out below:
//!
//! * the inputs (trailing and previous 12-month revenue, margin, growth, shipments) are also
//!   recomputed here from the CSV with integer arithmetic and `chrono` dates;
//! * the percentile scores are written by hand and re-derived here from the hand inputs with the
//!   documented rules, then compared with crm-cli;
//! * without `--invoices`, with `[screen] weights` from a crm.toml, `--terms`, `--explain`,
//!   `--summary`, and the errors.
//!
//! Helpers live in this file on purpose (tests/common is another engineer's module).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::Value;

const SHIP: &str = "testdata/screen/shipments.csv";
const INV: &str = "testdata/screen/invoices.csv";
const AS_OF: &str = "2024-12-31";

// ---------------------------------------------------------------------------------------------
// helpers

struct Out {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Out {
    let output = assert_cmd::Command::cargo_bin("crm-cli")
        .expect("the crm-cli binary is built")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("COLUMNS")
        .env_remove("CLICOLOR_FORCE")
        .args(args)
        .output()
        .expect("crm-cli runs");
    Out {
        code: output.status.code(),
        stdout: String::from_utf8(output.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(output.stderr).expect("UTF-8 stderr"),
    }
}

fn ok_out(args: &[&str]) -> Out {
    let out = run(args);
    assert_eq!(
        out.code,
        Some(0),
        "crm-cli {args:?} failed:\n{}",
        out.stderr
    );
    out
}

fn ok(args: &[&str]) -> String {
    ok_out(args).stdout
}

fn fails(args: &[&str], code: i32) -> String {
    let out = run(args);
    assert_eq!(
        out.code,
        Some(code),
        "crm-cli {args:?}: expected exit {code}\n--- stdout\n{}\n--- stderr\n{}",
        out.stdout,
        out.stderr
    );
    assert_eq!(out.stdout, "", "crm-cli {args:?}: nothing on stdout");
    out.stderr
}

/// A CSV text as its header and records of (column → value).
fn parse_csv(text: &str) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let headers: Vec<String> = rdr
        .headers()
        .expect("a header")
        .iter()
        .map(str::to_string)
        .collect();
    let rows = rdr
        .records()
        .map(|r| {
            headers
                .iter()
                .cloned()
                .zip(r.expect("a record").iter().map(str::to_string))
                .collect()
        })
        .collect();
    (headers, rows)
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(rel))
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn float(s: &str) -> f64 {
    s.parse().unwrap_or_else(|_| panic!("not a number: '{s}'"))
}

/// |got − want| ≤ 1e-12·|want| (absolute 1e-300 when want is 0).
fn close(got: f64, want: f64) -> bool {
    (got - want).abs() <= 1e-12 * want.abs().max(1e-300)
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|e| panic!("date '{s}': {e}"))
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("invalid JSON ({e}):\n{text}"))
}

/// The raw texts of every number written after `"key":` in a JSON text, in order, so that
/// money can be compared exactly as printed.
fn raw_numbers(text: &str, key: &str) -> Vec<String> {
    let pat = format!("\"{key}\":");
    text.match_indices(&pat)
        .map(|(i, _)| {
            let rest = text[i + pat.len()..].trim_start();
            let end = rest
                .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
                .unwrap_or(rest.len());
            rest[..end].to_string()
        })
        .collect()
}

/// A plain decimal amount (≤ 2 decimals, may be empty = 0) in cents.
fn cents(s: &str) -> i64 {
    if s.is_empty() {
        return 0;
    }
    let neg = s.starts_with('-');
    let t = s.trim_start_matches('-');
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    let mut frac = frac.to_string();
    assert!(frac.len() <= 2, "'{s}' has more than 2 decimals");
    while frac.len() < 2 {
        frac.push('0');
    }
    let v = int.parse::<i64>().unwrap() * 100 + frac.parse::<i64>().unwrap();
    if neg { -v } else { v }
}

fn money(c: i64) -> String {
    let sign = if c < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", c.abs() / 100, c.abs() % 100)
}

/// A temporary crm.toml with `body`; returns the directory (kept alive) and the path.
fn config(body: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("crm.toml");
    std::fs::write(&path, body).expect("write crm.toml");
    let p = path.to_str().expect("UTF-8 path").to_string();
    (dir, p)
}

// ---------------------------------------------------------------------------------------------
// the hand computation
//
// as_of 2024-12-31 (given). Trailing 12 months = (as_of − 365, as_of] = (2024-01-01,
// 2024-12-31]; previous = (2023-01-01, 2024-01-01]. Rows on 2024-01-01 (SH004, SH300) are in the
// previous window only, SH301 on 2024-01-02 is the first trailing day, SH001 on 2023-01-01 is in
// neither, SH205 (2025-01-15) is after as_of. Revenue sums include credit notes (CN501); an
// empty cost (SH803) counts as 0; shipments count distinct ids of rows with revenue ≥ 0 (SH103
// is two line-item rows, CN501 is not a shipment).
//
//        revenue   cost      margin    previous  growth              shipments
// SC01   50000.00  40000.00  10000.00  40000.00  0.25                6  (SH101-SH106; SH103 twice)
// SC02   20000.00  16000.00   4000.00  10000.00  1                   4
// SC03   15000.00  10500.00   4500.00  15000.00  0                   4
// SC04    5000.00   5200.30   -200.30   4000.00  0.25                2
// SC05    1000.25   1100.00    -99.75   2000.00  -999.75/2000        1  (1200.25 − 200.00 credit)
// SC06   40000.00  34000.00   6000.00  20000.00  1                   5
// SC07    3000.40   3500.15   -499.75      0.00  none (new)          2
// SC08    8000.35   5000.00   3000.35   5000.00  3000.35/5000        3
//
// Invoices, aged as of 2024-12-31 by due date (`crm-cli aging` rules); overdue share = overdue
// / outstanding (no balance → 0), days late = mean of max(0, paid − due) over paid invoices,
// on-time rate = paid on or before due / paid:
// SC01 -1 paid 10-25 (due 10-31, on time); -2 due 12-31 = as_of: current 5000; -3 dated 2025
//      → 0 / 5000 = 0; late 0; on time 1/1
// SC02 -1 paid 10-11, due 10-01 (10 late); -2 1000.00 due 12-15 paid 2025-01-10, after as_of:
//      16 days overdue; -3 3000.00 current → 1000/4000 = 0.25; late 10; on time 0/1
// SC03 -1 paid 07-06 due 07-01 (5 late); -2 paid on its due date 08-31 (on time)
//      → nothing open: 0; late 2.5; on time 1/2
// SC04 -1 paid 08-20 due 07-31 (20 late); -2 1000.00 due 12-01: 30 days overdue → 1; late 20;
//      on time 0/1
// SC05 -1 paid on its due date → 0; late 0; on time 1/1
// SC06 -1 due 05-31 paid 07-10 (40 late); -2 due 07-01 paid 07-21 (20 late); -3 5000.00 due
//      10-31 (61 days overdue); -4 5000.00 current → 5000/10000 = 0.5 exactly; late (40 + 20)/2
//      = 30 exactly; on time 0/2: chronic (≥ 50 % and ≥ 30 days)
// SC07 -1 paid on its due date; -2 no due date: 12-01 + 30 days terms = 12-31, current → 0;
//      late 0; on time 1/1
// SC08 no invoices → no values (each sub-score 3)
// SC09 has an invoice but no shipments: not screened.
//
// Scores, N = 8 customers; higher better: 1 + floor(5·W/N), W = strictly worse; lower better:
// 5 − floor(5·B/N) floored at 1, B = strictly better; N counts only customers with a value.
// volume (N 8):   SC05 W0 1, SC07 W1 1, SC04 W2 2, SC08 W3 2, SC03 W4 3, SC02 W5 4, SC06 W6 4,
//                 SC01 W7 5
// profit (N 8):   SC07 −499.75 W0 1, SC04 −200.30 W1 1, SC05 −99.75 W2 2, SC08 W3 2, SC02 W4 3,
//                 SC03 W5 4, SC06 W6 4, SC01 W7 5
// future (N 7):   SC05 −0.4999 W0 1, SC03 0 W1 1, SC01 = SC04 0.25 W2 → 1 + floor(10/7) = 2,
//                 SC08 0.60007 W4 → 3, SC02 = SC06 1 W5 → 4; SC07 none → 3
// overdue (N 7):  SC01 SC03 SC05 SC07 0 B0 5; SC02 0.25 B4 → 5 − floor(20/7) = 3; SC06 0.5 B5
//                 → 2; SC04 1 B6 → 1; SC08 3
// late (N 7):     SC01 SC05 SC07 0 B0 5; SC03 2.5 B3 → 5 − 2 = 3; SC02 10 B4 → 3; SC04 20 B5 → 2;
//                 SC06 30 B6 → 1; SC08 3
// safety = mean of the two, half up: SC01 5, SC02 3, SC03 (5+3)/2 4, SC04 (1+2)/2 → 2,
//                 SC05 5, SC06 (2+1)/2 → 2, SC07 5, SC08 3
// shipments (N 8): SC05 1 W0 1, SC04 = SC07 2 W1 1, SC08 3 W3 2, SC02 = SC03 4 W4 3, SC06 5 W6 4,
//                 SC01 6 W7 5
// on time (N 7):  SC02 SC04 SC06 0 W0 1; SC03 0.5 W3 → 3; SC01 SC05 SC07 1 W4 → 1 + 2 = 3;
//                 SC08 3
// cooperation = mean(shipments, on time): SC01 (5+3) 4, SC02 (3+1) 2, SC03 3, SC04 1,
//                 SC05 (1+3) 2, SC06 (4+1) → 3, SC07 (1+3) 2, SC08 (2+3) → 3

#[derive(Debug, Clone)]
struct Cust {
    id: &'static str,
    name: &'static str,
    revenue: &'static str,
    margin: &'static str,
    previous: &'static str,
    shipments: i64,
    /// overdue share, average days late, on-time rate: (numerator, denominator).
    overdue: Option<(i64, i64)>,
    late: Option<(i64, i64)>,
    on_time: Option<(i64, i64)>,
    /// volume, profitability, safety, future, cooperation with invoices
    scores: [u8; 5],
    /// the shipments score, which is cooperation without invoices
    ship_score: u8,
}

#[allow(clippy::too_many_arguments)]
fn c(
    id: &'static str,
    name: &'static str,
    (revenue, margin, previous, shipments): (&'static str, &'static str, &'static str, i64),
    overdue: Option<(i64, i64)>,
    late: Option<(i64, i64)>,
    on_time: Option<(i64, i64)>,
    scores: [u8; 5],
    ship_score: u8,
) -> Cust {
    Cust {
        id,
        name,
        revenue,
        margin,
        previous,
        shipments,
        overdue,
        late,
        on_time,
        scores,
        ship_score,
    }
}

fn customers() -> Vec<Cust> {
    vec![
        c(
            "SC01",
            "Alpha Freight",
            ("50000.00", "10000.00", "40000.00", 6),
            Some((0, 5000)),
            Some((0, 1)),
            Some((1, 1)),
            [5, 5, 5, 2, 4],
            5,
        ),
        c(
            "SC02",
            "Beta Shipping",
            ("20000.00", "4000.00", "10000.00", 4),
            Some((1000, 4000)),
            Some((10, 1)),
            Some((0, 1)),
            [4, 3, 3, 4, 2],
            3,
        ),
        c(
            "SC03",
            "Gamma Trading",
            ("15000.00", "4500.00", "15000.00", 4),
            Some((0, 1)), // nothing open: 0
            Some((5, 2)),
            Some((1, 2)),
            [3, 4, 4, 1, 3],
            3,
        ),
        c(
            "SC04",
            "Delta Imports",
            ("5000.00", "-200.30", "4000.00", 2),
            Some((1000, 1000)),
            Some((20, 1)),
            Some((0, 1)),
            [2, 1, 2, 2, 1],
            1,
        ),
        c(
            "SC05",
            "Epsilon Parts",
            ("1000.25", "-99.75", "2000.00", 1),
            Some((0, 1)),
            Some((0, 1)),
            Some((1, 1)),
            [1, 2, 5, 1, 2],
            1,
        ),
        c(
            "SC06",
            "Zeta Metals",
            ("40000.00", "6000.00", "20000.00", 5),
            Some((5000, 10000)),
            Some((60, 2)),
            Some((0, 2)),
            [4, 4, 2, 4, 3],
            4,
        ),
        c(
            "SC07",
            "Eta Electronics",
            ("3000.40", "-499.75", "0.00", 2),
            Some((0, 1500)),
            Some((0, 1)),
            Some((1, 1)),
            [1, 1, 5, 3, 2],
            1,
        ),
        c(
            "SC08",
            "Theta Textiles",
            ("8000.35", "3000.35", "5000.00", 3),
            None,
            None,
            None,
            [2, 2, 3, 3, 3],
            2,
        ),
    ]
}

fn ratio(f: Option<(i64, i64)>) -> Option<f64> {
    f.map(|(n, d)| n as f64 / d as f64)
}

impl Cust {
    /// (revenue − previous) / previous, None without previous revenue.
    fn growth(&self) -> Option<f64> {
        let (r, p) = (cents(self.revenue), cents(self.previous));
        (p > 0).then(|| (r - p) as f64 / p as f64)
    }
}

// ---------------------------------------------------------------------------------------------
// the rules, written from docs/metrics.md, to re-derive the hand scores and apply weights

/// Higher better over the known values: 1 + floor(5·W/N), W = values strictly smaller; None → 3.
fn score_higher(v: &[Option<f64>]) -> Vec<u8> {
    let known: Vec<f64> = v.iter().flatten().copied().collect();
    let n = known.len();
    v.iter()
        .map(|x| match x {
            None => 3,
            Some(x) => {
                let w = known.iter().filter(|k| *k < x).count();
                (1 + 5 * w / n).min(5) as u8
            }
        })
        .collect()
}

/// Lower better over the known values: 5 − floor(5·B/N) floored at 1, B = strictly smaller.
fn score_lower(v: &[Option<f64>]) -> Vec<u8> {
    let known: Vec<f64> = v.iter().flatten().copied().collect();
    let n = known.len();
    v.iter()
        .map(|x| match x {
            None => 3,
            Some(x) => {
                let b = known.iter().filter(|k| *k < x).count();
                (5 - (5 * b / n) as i64).max(1) as u8
            }
        })
        .collect()
}

fn mean2(a: u8, b: u8) -> u8 {
    // half up: (a + b + 1) div 2
    (a + b).div_ceil(2)
}

/// Σ wₖ·sₖ / Σ wₖ over the criteria in use (safety only with invoices).
fn total(scores: &[u8; 5], weights: &[f64; 5], with_invoices: bool) -> f64 {
    let (mut num, mut den) = (0.0, 0.0);
    for k in 0..5 {
        if k == 2 && !with_invoices {
            continue;
        }
        num += weights[k] * scores[k] as f64;
        den += weights[k];
    }
    num / den
}

/// The recommendation rules in order.
fn recommend(c: &Cust, total: f64, scores: &[u8; 5], with_invoices: bool) -> &'static str {
    let growth = c.growth();
    if cents(c.margin) <= 0 && growth.is_none_or(|g| g <= 0.0) {
        return "exit";
    }
    let chronic = with_invoices
        && c.overdue.is_some_and(|(n, d)| 2 * n >= d)
        && c.late.is_some_and(|(n, d)| n >= 30 * d);
    if chronic {
        return "exit";
    }
    if total >= 4.0 && scores[0] >= 4 {
        "key"
    } else if total >= 3.0 && scores[3] >= 4 {
        "develop"
    } else if total >= 3.0 {
        "maintain"
    } else {
        "watch"
    }
}

/// Scores as used in a run: with invoices the hand scores; without, safety is out and
/// cooperation is the shipments score.
fn run_scores(c: &Cust, with_invoices: bool) -> [u8; 5] {
    let mut s = c.scores;
    if !with_invoices {
        s[4] = c.ship_score;
    }
    s
}

#[derive(Debug)]
struct Expected {
    cust: Cust,
    scores: [u8; 5],
    total: f64,
    rec: &'static str,
}

/// Every customer's expected total and recommendation, sorted as documented: total descending,
/// revenue descending, id.
fn expected(weights: &[f64; 5], with_invoices: bool) -> Vec<Expected> {
    let mut out: Vec<Expected> = customers()
        .into_iter()
        .map(|cust| {
            let scores = run_scores(&cust, with_invoices);
            let total = total(&scores, weights, with_invoices);
            let rec = recommend(&cust, total, &scores, with_invoices);
            Expected {
                cust,
                scores,
                total,
                rec,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.total
            .total_cmp(&a.total)
            .then(cents(b.cust.revenue).cmp(&cents(a.cust.revenue)))
            .then(a.cust.id.cmp(b.cust.id))
    });
    out
}

const COLUMNS: [&str; 16] = [
    "customer_id",
    "customer_name",
    "revenue",
    "margin",
    "growth",
    "shipments",
    "overdue_share",
    "avg_days_late",
    "on_time_payment_rate",
    "volume",
    "profitability",
    "safety",
    "future",
    "cooperation",
    "total",
    "recommendation",
];

fn screen_csv(extra: &[&str]) -> Vec<BTreeMap<String, String>> {
    let mut args = vec![
        "screen",
        "--shipments",
        SHIP,
        "--as-of",
        AS_OF,
        "--format",
        "csv",
    ];
    args.extend_from_slice(extra);
    let (headers, rows) = parse_csv(&ok(&args));
    assert_eq!(headers, COLUMNS, "columns");
    rows
}

fn assert_rows(what: &str, rows: &[BTreeMap<String, String>], want: &[Expected], inv: bool) {
    let ids: Vec<&str> = rows.iter().map(|r| r["customer_id"].as_str()).collect();
    let want_ids: Vec<&str> = want.iter().map(|e| e.cust.id).collect();
    assert_eq!(ids, want_ids, "{what}: rows in order");
    let mut diffs = Vec::new();
    for (r, e) in rows.iter().zip(want) {
        let c = &e.cust;
        let mut check = |col: &str, good: bool, want: String| {
            if !good {
                diffs.push(format!("{} {col}: got '{}' want {want}", c.id, r[col]));
            }
        };
        let opt = |got: &str, want: Option<f64>| match want {
            Some(w) => !got.is_empty() && close(float(got), w),
            None => got.is_empty(),
        };
        check("customer_name", r["customer_name"] == c.name, c.name.into());
        check("revenue", r["revenue"] == c.revenue, c.revenue.into());
        check("margin", r["margin"] == c.margin, c.margin.into());
        check(
            "growth",
            opt(&r["growth"], c.growth()),
            format!("{:?}", c.growth()),
        );
        check(
            "shipments",
            r["shipments"] == c.shipments.to_string(),
            c.shipments.to_string(),
        );
        let (o, l, t) = if inv {
            (ratio(c.overdue), ratio(c.late), ratio(c.on_time))
        } else {
            (None, None, None)
        };
        check(
            "overdue_share",
            opt(&r["overdue_share"], o),
            format!("{o:?}"),
        );
        check(
            "avg_days_late",
            opt(&r["avg_days_late"], l),
            format!("{l:?}"),
        );
        check(
            "on_time_payment_rate",
            opt(&r["on_time_payment_rate"], t),
            format!("{t:?}"),
        );
        for (k, col) in ["volume", "profitability", "safety", "future", "cooperation"]
            .iter()
            .enumerate()
        {
            let want = if k == 2 && !inv {
                String::new()
            } else {
                e.scores[k].to_string()
            };
            check(col, r[*col] == want, format!("'{want}'"));
        }
        check(
            "total",
            close(float(&r["total"]), e.total),
            e.total.to_string(),
        );
        check("recommendation", r["recommendation"] == e.rec, e.rec.into());
    }
    assert!(diffs.is_empty(), "{what}:\n{}", diffs.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// 1. the hand table is right

#[test]
fn inputs_recomputed_from_the_csv_agree_with_the_hand_table() {
    let (_, rows) = parse_csv(&read(SHIP));
    let a = date(AS_OF);
    let year = chrono::Duration::days(365);
    let mut got: BTreeMap<String, (i64, i64, i64, Vec<String>)> = BTreeMap::new();
    for r in &rows {
        let d = date(&r["ship_date"]);
        let e = got.entry(r["customer_id"].clone()).or_default();
        let rev = cents(&r["revenue"]);
        if d > a - year && d <= a {
            e.0 += rev;
            e.1 += rev - cents(&r["cost"]);
            if rev >= 0 && !e.3.contains(&r["shipment_id"]) {
                e.3.push(r["shipment_id"].clone());
            }
        } else if d > a - year - year && d <= a - year {
            e.2 += rev;
        }
    }
    // window edges as documented
    assert_eq!(a - year, date("2024-01-01"));
    assert_eq!(a - year - year, date("2023-01-01"));
    let want = customers();
    assert_eq!(got.len(), want.len());
    for c in &want {
        let g = &got[c.id];
        assert_eq!(money(g.0), c.revenue, "{} revenue", c.id);
        assert_eq!(money(g.1), c.margin, "{} margin", c.id);
        assert_eq!(money(g.2), c.previous, "{} previous", c.id);
        assert_eq!(g.3.len() as i64, c.shipments, "{} shipments", c.id);
    }
    let total: i64 = want.iter().map(|c| cents(c.revenue)).sum();
    assert_eq!(money(total), "142001.00");
}

#[test]
fn hand_scores_follow_the_percentile_rules() {
    let cs = customers();
    let col = |f: &dyn Fn(&Cust) -> Option<f64>| cs.iter().map(f).collect::<Vec<_>>();
    let volume = score_higher(&col(&|c| Some(cents(c.revenue) as f64)));
    let profit = score_higher(&col(&|c| Some(cents(c.margin) as f64)));
    let future = score_higher(&col(&|c| c.growth()));
    let overdue = score_lower(&col(&|c| ratio(c.overdue)));
    let late = score_lower(&col(&|c| ratio(c.late)));
    let ships = score_higher(&col(&|c| Some(c.shipments as f64)));
    let on_time = score_higher(&col(&|c| ratio(c.on_time)));
    for (i, c) in cs.iter().enumerate() {
        let derived = [
            volume[i],
            profit[i],
            mean2(overdue[i], late[i]),
            future[i],
            mean2(ships[i], on_time[i]),
        ];
        assert_eq!(derived, c.scores, "{}", c.id);
        assert_eq!(ships[i], c.ship_score, "{}", c.id);
    }
    // the boundaries the fixture is built on
    let e = expected(&[1.0; 5], true);
    let by = |id: &str| e.iter().find(|x| x.cust.id == id).unwrap();
    assert_eq!(by("SC03").total, 3.0, "maintain at exactly 3");
    assert_eq!(
        by("SC06").rec,
        "exit",
        "chronic at exactly 50 % and 30 days"
    );
    let e = expected(&[1.0; 5], false);
    let by = |id: &str| e.iter().find(|x| x.cust.id == id).unwrap();
    assert_eq!(by("SC06").total, 4.0, "key at exactly 4 without invoices");
}

// ---------------------------------------------------------------------------------------------
// 2. with invoices: every column

#[test]
fn every_column_with_invoices_by_hand() {
    // totals (equal weights, /5): SC01 21 → 4.2 key; SC06 17 → 3.4 exit (chronic; it would be
    // develop); SC02 16 → 3.2 develop; SC03 15 → 3.0 maintain; SC08 13 → 2.6 watch; SC07 12 →
    // 2.4 exit (margin < 0, no growth); SC05 11 → 2.2 exit (margin < 0, growth < 0); SC04 8 →
    // 1.6 watch (margin < 0 but growing: not exit). SC09 (invoices only) has no row.
    let rows = screen_csv(&["--invoices", INV]);
    let want = expected(&[1.0; 5], true);
    let recs: Vec<&str> = want.iter().map(|e| e.rec).collect();
    assert_eq!(
        recs,
        [
            "key", "exit", "develop", "maintain", "watch", "exit", "exit", "watch"
        ]
    );
    assert_rows("with invoices", &rows, &want, true);
}

#[test]
fn without_invoices_safety_is_left_out_with_a_note() {
    // four criteria, cooperation = the shipments score: SC01 (5+5+2+5)/4 = 4.25 key; SC06
    // (4+4+4+4)/4 = 4.0 key (exactly 4 and volume 4; not chronic without invoices); SC02 14/4 =
    // 3.5 develop; SC03 11/4 = 2.75 watch; SC08 9/4 = 2.25 watch; SC04 and SC07 6/4 = 1.5 (SC04
    // first: more revenue), watch and exit; SC05 5/4 = 1.25 exit.
    let out = ok_out(&[
        "screen",
        "--shipments",
        SHIP,
        "--as-of",
        AS_OF,
        "--format",
        "csv",
    ]);
    assert!(
        out.stderr.contains("no --invoices") && out.stderr.contains("safety"),
        "a note: {}",
        out.stderr
    );
    let (_, rows) = parse_csv(&out.stdout);
    let want = expected(&[1.0; 5], false);
    let ids: Vec<&str> = want.iter().map(|e| e.cust.id).collect();
    assert_eq!(
        ids,
        [
            "SC01", "SC06", "SC02", "SC03", "SC08", "SC04", "SC07", "SC05"
        ]
    );
    assert_rows("without invoices", &rows, &want, false);
}

#[test]
fn terms_reach_the_invoices_without_due_date() {
    // --terms 20: INV-SC07-2 (12-01, no due date) is due 12-21, 10 days overdue: SC07 overdue
    // share 1. Overdue (N 7): 0 ×3 (SC01 SC03 SC05) B0 5; SC02 B3 → 5 − floor(15/7) = 3; SC06 B4
    // → 3; SC04 = SC07 1 B5 → 2. Safety: SC07 (2+5)/2 → 4, SC06 (3+1)/2 → 2, SC04 (2+2)/2 2:
    // only SC07 changes: total (1+1+4+3+2)/5 = 2.2, tied with SC05; SC07 first (more revenue).
    let mut want = expected(&[1.0; 5], true);
    let e = want.iter_mut().find(|e| e.cust.id == "SC07").unwrap();
    e.cust.overdue = Some((1500, 1500));
    e.scores[2] = 4;
    e.total = 11.0 / 5.0;
    want.sort_by(|a, b| {
        b.total
            .total_cmp(&a.total)
            .then(cents(b.cust.revenue).cmp(&cents(a.cust.revenue)))
    });
    let rows = screen_csv(&["--invoices", INV, "--terms", "20"]);
    assert_eq!(rows[5]["customer_id"], "SC07");
    assert_eq!(rows[6]["customer_id"], "SC05");
    assert_rows("--terms 20", &rows, &want, true);
}

// ---------------------------------------------------------------------------------------------
// 3. [screen] weights

#[test]
fn weights_from_crm_toml_change_the_totals() {
    // weights 1, 1, 2, 2, 2 (Σ 8): SC01 (5+5+10+4+8)/8 = 4.0 key (exactly 4); SC06 26/8 = 3.25
    // exit; SC02 25/8 = 3.125 develop; SC03 (3+4+8+2+6)/8 = 2.875 watch (was maintain); SC08
    // 22/8 = 2.75 and SC07 22/8 = 2.75 (SC08 first: more revenue); SC05 19/8; SC04 13/8.
    let w = [1.0, 1.0, 2.0, 2.0, 2.0];
    let want = expected(&w, true);
    let ids: Vec<&str> = want.iter().map(|e| e.cust.id).collect();
    assert_eq!(
        ids,
        [
            "SC01", "SC06", "SC02", "SC03", "SC08", "SC07", "SC05", "SC04"
        ]
    );
    assert_eq!(want[3].rec, "watch");
    assert_eq!(want[0].total, 4.0);
    for body in [
        "[screen]\nweights = [1, 1, 2, 2, 2]\n",
        "[screen]\nweights = [1.0, 1.0, 2.0, 2.0, 2.0]\n",
    ] {
        let (_dir, path) = config(body);
        let rows = screen_csv(&["--invoices", INV, "--config", &path]);
        assert_rows(body, &rows, &want, true);
        let s = json(&ok(&[
            "screen",
            "--shipments",
            SHIP,
            "--invoices",
            INV,
            "--as-of",
            AS_OF,
            "--config",
            &path,
            "--summary",
            "--format",
            "json",
            "-q",
        ]));
        for (k, name) in ["volume", "profitability", "safety", "future", "cooperation"]
            .iter()
            .enumerate()
        {
            assert_eq!(s[format!("weight_{name}")].as_f64(), Some(w[k]), "{name}");
        }
    }
    // without invoices the safety weight is ignored: Σ 6 over volume, profit, future,
    // cooperation (= shipments score): SC01 (5 + 5 + 4 + 10)/6 = 4 key; SC06 (4+4+8+8)/6 = 4 key
    let (_dir, path) = config("[screen]\nweights = [1, 1, 2, 2, 2]\n");
    let rows = screen_csv(&["--config", &path]);
    assert_rows("weights, no invoices", &rows, &expected(&w, false), false);
    let s = json(&ok(&[
        "screen",
        "--shipments",
        SHIP,
        "--as-of",
        AS_OF,
        "--config",
        &path,
        "--summary",
        "--format",
        "json",
        "-q",
    ]));
    assert_eq!(s["weight_safety"], Value::Null);
    assert_eq!(s["weight_future"].as_f64(), Some(2.0));
    assert_eq!(s["safety_included"], false);
}

#[test]
fn bad_weights_exit_1_naming_the_file() {
    for body in [
        "[screen]\nweights = [1, 1, 2, 2]\n",
        "[screen]\nweights = [1, 1, 1, 1, 1, 1]\n",
        "[screen]\nweights = [0, 0, 0, 0, 0]\n",
        "[screen]\nweights = [1, -1, 1, 1, 1]\n",
        "[screen]\nweights = [1, nan, 1, 1, 1]\n",
        "[screen]\nweights = [1, inf, 1, 1, 1]\n",
        "[screen]\nweights = [\"1\", 1, 1, 1, 1]\n",
        "[screen]\nweight = [1, 1, 1, 1, 1]\n",
    ] {
        let (_dir, path) = config(body);
        let err = fails(
            &[
                "screen",
                "--shipments",
                SHIP,
                "--as-of",
                AS_OF,
                "--config",
                &path,
            ],
            1,
        );
        assert!(
            err.contains(&path) && err.contains("weight"),
            "{body:?}: the message names {path} and the weights: {err}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 4. --summary

/// `screen --summary --format json` against the expected rows: customers and exact revenue per
/// recommendation, in the order key, develop, maintain, watch, exit.
fn assert_summary(extra: &[&str], want: &[Expected], with_invoices: bool) {
    let mut args = vec![
        "screen",
        "--shipments",
        SHIP,
        "--as-of",
        AS_OF,
        "--summary",
        "--format",
        "json",
        "-q",
    ];
    args.extend_from_slice(extra);
    let text = ok(&args);
    let s = json(&text);
    assert_eq!(s["as_of"], AS_OF);
    assert_eq!(s["window_start"], "2024-01-02");
    assert_eq!(s["customers"], 8);
    assert_eq!(s["safety_included"], with_invoices);
    let rows = s["recommendations"]
        .as_array()
        .expect("a recommendations table");
    let recs: Vec<&str> = rows
        .iter()
        .map(|r| r["recommendation"].as_str().unwrap())
        .collect();
    assert_eq!(recs, ["key", "develop", "maintain", "watch", "exit"]);
    let revenue = raw_numbers(&text, "revenue");
    assert_eq!(revenue.len(), 5);
    let total: i64 = want.iter().map(|e| cents(e.cust.revenue)).sum();
    let (mut n_sum, mut rev_sum) = (0, 0);
    for (i, (row, rec)) in rows.iter().zip(recs).enumerate() {
        let m: Vec<&Expected> = want.iter().filter(|e| e.rec == rec).collect();
        let rev: i64 = m.iter().map(|e| cents(e.cust.revenue)).sum();
        assert_eq!(row["customers"], m.len(), "{rec}");
        assert_eq!(revenue[i], money(rev), "{rec}: revenue as printed");
        assert!(close(
            row["revenue_share"].as_f64().unwrap(),
            rev as f64 / total as f64
        ));
        n_sum += row["customers"].as_i64().unwrap();
        rev_sum += cents(&revenue[i]);
    }
    assert_eq!(n_sum, 8, "counts sum to the customers");
    assert_eq!(
        money(rev_sum),
        "142001.00",
        "revenue sums to the trailing total"
    );
}

#[test]
fn summary_counts_and_exact_revenue_per_recommendation() {
    // with invoices: key 1 (SC01 50000.00), develop 1 (SC02 20000.00), maintain 1 (SC03
    // 15000.00), watch 2 (SC08 8000.35 + SC04 5000.00 = 13000.35), exit 3 (SC06 40000.00 + SC07
    // 3000.40 + SC05 1000.25 = 44000.65); 50000.00 + 20000.00 + 15000.00 + 13000.35 + 44000.65 =
    // 142001.00.
    let want = expected(&[1.0; 5], true);
    let table: Vec<(usize, i64)> = ["key", "develop", "maintain", "watch", "exit"]
        .iter()
        .map(|r| {
            let m: Vec<&Expected> = want.iter().filter(|e| e.rec == *r).collect();
            (m.len(), m.iter().map(|e| cents(e.cust.revenue)).sum())
        })
        .collect();
    assert_eq!(
        table,
        [
            (1, 5_000_000),
            (1, 2_000_000),
            (1, 1_500_000),
            (2, 1_300_035),
            (3, 4_400_065)
        ]
    );
    assert_summary(&["--invoices", INV], &want, true);
    // without invoices: key 2 (90000.00), develop 1 (20000.00), maintain 0 (0.00), watch 3
    // (15000.00 + 8000.35 + 5000.00 = 28000.35), exit 2 (3000.40 + 1000.25 = 4000.65)
    let want = expected(&[1.0; 5], false);
    let counts: Vec<usize> = ["key", "develop", "maintain", "watch", "exit"]
        .iter()
        .map(|r| want.iter().filter(|e| e.rec == *r).count())
        .collect();
    assert_eq!(counts, [2, 1, 0, 3, 2]);
    assert_summary(&[], &want, false);
    let s = json(&ok(&[
        "screen",
        "--shipments",
        SHIP,
        "--as-of",
        AS_OF,
        "--summary",
        "--format",
        "json",
        "-q",
    ]));
    assert_eq!(s["recommendations"][2]["revenue"].as_f64(), Some(0.0));
    for k in ["volume", "profitability", "future", "cooperation"] {
        assert_eq!(s[format!("weight_{k}")].as_f64(), Some(1.0), "{k}");
    }
    assert_eq!(s["weight_safety"], Value::Null);
}

#[test]
fn default_as_of_is_the_latest_ship_date() {
    // SH205 (SC02, 2025-01-15) is the latest row: without --as-of the year ends there
    let s = json(&ok(&[
        "screen",
        "--shipments",
        SHIP,
        "--summary",
        "--format",
        "json",
        "-q",
    ]));
    assert_eq!(s["as_of"], "2025-01-15");
    // (2025-01-15 − 365 days, 2025-01-15] = (2024-01-16, 2025-01-15] (2024 is a leap year)
    assert_eq!(
        date("2025-01-15") - chrono::Duration::days(365),
        date("2024-01-16")
    );
    assert_eq!(s["window_start"], "2024-01-17");
}

// ---------------------------------------------------------------------------------------------
// 5. --explain

fn explain(id: &str, extra: &[&str]) -> Value {
    let mut args = vec![
        "screen",
        "--shipments",
        SHIP,
        "--as-of",
        AS_OF,
        "--explain",
        id,
        "--format",
        "json",
        "-q",
    ];
    args.extend_from_slice(extra);
    json(&ok(&args))
}

#[test]
fn explain_lists_the_five_criteria_and_the_rule() {
    // SC06 with invoices: volume 40000.00 → 4, profit 6000.00 → 4, safety 50.00 % | 30.0 → 2,
    // future growth 100.00 % → 4, cooperation 5 shipments | 0.00 % on time → 3; total 17/5;
    // exit by chronic non-payment although total ≥ 3 and future ≥ 4 (develop).
    let e = explain("SC06", &["--invoices", INV]);
    assert_eq!(e["customer_id"], "SC06");
    assert_eq!(e["customer_name"], "Zeta Metals");
    assert_eq!(e["as_of"], AS_OF);
    assert_eq!(e["window_start"], "2024-01-02");
    assert_eq!(e["safety_included"], true);
    assert!(close(e["total"].as_f64().unwrap(), 17.0 / 5.0));
    assert_eq!(e["recommendation"], "exit");
    let rule = e["rule"].as_str().unwrap();
    assert!(rule.contains("chronic non-payment"), "{rule}");
    let crit = e["criteria"].as_array().expect("a criteria table");
    let names: Vec<&str> = crit
        .iter()
        .map(|r| r["criterion"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["volume", "profitability", "safety", "future", "cooperation"]
    );
    let values: Vec<&str> = crit.iter().map(|r| r["value"].as_str().unwrap()).collect();
    assert_eq!(
        values,
        [
            "40000.00",
            "6000.00",
            "50.00% | 30.0",
            "100.00%",
            "5 | 0.00%"
        ]
    );
    let scores: Vec<i64> = crit.iter().map(|r| r["score"].as_i64().unwrap()).collect();
    assert_eq!(scores, [4, 4, 2, 4, 3]);
    for r in crit {
        assert_eq!(r["weight"].as_f64(), Some(1.0));
        assert!(r["metric"].as_str().is_some_and(|m| !m.is_empty()));
    }

    // the rule of every other recommendation
    for (id, rec, rule) in [
        ("SC01", "key", "total ≥ 4 and volume ≥ 4"),
        ("SC02", "develop", "total ≥ 3 and future ≥ 4"),
        ("SC03", "maintain", "total ≥ 3"),
        ("SC04", "watch", "total < 3"),
        ("SC05", "exit", "no profit"),
        ("SC07", "exit", "no profit"),
    ] {
        let e = explain(id, &["--invoices", INV]);
        assert_eq!(e["recommendation"], rec, "{id}");
        let got = e["rule"].as_str().unwrap();
        assert!(got.starts_with(rule), "{id}: rule '{got}'");
    }
    // SC07 has no previous revenue: growth shown as none, future 3
    let e = explain("SC07", &["--invoices", INV]);
    assert_eq!(e["criteria"][3]["value"], Value::Null);
    assert_eq!(e["criteria"][3]["score"], 3);
}

#[test]
fn explain_without_invoices_has_no_safety_score_or_weight() {
    // SC06 without invoices: (4 + 4 + 4 + 4)/4 = 4.0, volume 4: key
    let e = explain("SC06", &[]);
    assert_eq!(e["safety_included"], false);
    assert_eq!(e["recommendation"], "key");
    assert_eq!(e["total"].as_f64(), Some(4.0));
    let safety = &e["criteria"][2];
    assert_eq!(safety["criterion"], "safety");
    assert_eq!(safety["score"], Value::Null);
    assert_eq!(safety["weight"], Value::Null);
    let coop = &e["criteria"][4];
    assert_eq!(coop["value"], "5");
    assert_eq!(coop["score"], 4);
    // the id is trimmed
    assert_eq!(explain(" SC06 ", &[])["customer_id"], "SC06");
}

#[test]
fn explain_of_an_unknown_customer_is_exit_1() {
    for id in ["SC99", "SC09"] {
        // SC09 has invoices but no shipments: not screened
        let err = fails(
            &[
                "screen",
                "--shipments",
                SHIP,
                "--invoices",
                INV,
                "--as-of",
                AS_OF,
                "--explain",
                id,
            ],
            1,
        );
        assert!(err.contains(id), "{err}");
    }
}

// ---------------------------------------------------------------------------------------------
// Bugs (ignored until fixed)

#[test]
fn weights_only_on_safety_without_invoices_are_refused_or_noted() {
    // weights = [0, 0, 1, 0, 0] passes the check (≥ 0, not all 0), but without --invoices the
    // safety criterion is left out, so Σ weights in use = 0 and every total is 0/0, printed as
    // 0: SC07 and SC05 "exit", the other six "watch" (SC01 and SC06 included), with no note.
    // Expected: exit 1 naming the file and the weights, or at least a note on stderr about
    // the weights.
    let (_dir, path) = config("[screen]\nweights = [0, 0, 1, 0, 0]\n");
    let out = run(&[
        "screen",
        "--shipments",
        SHIP,
        "--as-of",
        AS_OF,
        "--config",
        &path,
        "--format",
        "csv",
    ]);
    let refused = out.code == Some(1) && out.stderr.contains(&path);
    let noted = out.code == Some(0) && out.stderr.contains("weight");
    assert!(
        refused || noted,
        "exit {:?}\n{}\n{}",
        out.code,
        out.stdout,
        out.stderr
    );
}

#[test]
fn a_customer_that_pays_nothing_is_chronic() {
    // SC06's invoices replaced by one unpaid invoice, 61 days past due on as_of: overdue share
    // 1, nothing ever paid, so average days late is empty (the aging definition: over paid
    // invoices) and the chronic rule (≥ 50 % overdue and ≥ 30 days late) cannot hold.
    // Actual: overdue (N 7) SC04 = SC06 1 → 2, days late empty → 3, safety (2+3)/2 → 3 (better
    // than the late payer's 2 above); on-time rate empty → 3, cooperation (4+3)/2 → 4; total
    // (4 + 4 + 3 + 4 + 4)/5 = 3.8 with future 4: "develop".
    // Expected: "exit" by chronic non-payment, like SC06 when it paid 30 days late on average.
    let text = read(INV);
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with("INV-SC06-") || l.starts_with("INV-SC06-3,"))
        .map(|l| format!("{l}\n"))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("invoices.csv");
    std::fs::write(&path, body).unwrap();
    let rows = screen_csv(&["--invoices", path.to_str().unwrap()]);
    let sc06 = rows.iter().find(|r| r["customer_id"] == "SC06").unwrap();
    assert_eq!(sc06["overdue_share"], "1");
    assert_eq!(sc06["recommendation"], "exit");
}

#[test]
fn scaled_equal_weights_give_the_default_recommendations() {
    // weights = [0.7, 0.7, 0.7, 0.7, 0.7] are equal weights, the default scaled: every total is
    // mathematically the same. SC03 is (3 + 4 + 4 + 1 + 3)/5 = 3 exactly: maintain.
    // Actual: Σ 0.7·s = 10.499999999999998 over Σ 0.7 = 3.5 gives 2.9999999999999996, printed
    // as such, and SC03 becomes "watch".
    let (_dir, path) = config("[screen]\nweights = [0.7, 0.7, 0.7, 0.7, 0.7]\n");
    let rows = screen_csv(&["--invoices", INV, "--config", &path]);
    let want = expected(&[1.0; 5], true);
    let mut diffs = Vec::new();
    for e in &want {
        let r = rows.iter().find(|r| r["customer_id"] == e.cust.id).unwrap();
        assert!(close(float(&r["total"]), e.total), "{}: total", e.cust.id);
        if r["recommendation"] != e.rec {
            diffs.push(format!(
                "{}: total {} → {}, want {} → {}",
                e.cust.id, r["total"], r["recommendation"], e.total, e.rec
            ));
        }
    }
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}
