//! `crm-cli service` run as a binary and pinned to numbers computed outside crm-cli:
//!
//! * the hand-built fixture `testdata/service/shipments.csv` (testdata/README.md, "service
//!   fixture, by hand"), every column per customer and per lane, the totals and `--summary`,
//!   written out below with the arithmetic in comments;
//! * `testdata/service/worst.csv`: the ≥ 10 shipments-with-a-promise rule of the summary's worst
//!   list and its tie-breaks;
//! * `testdata/shipments.csv`: per-lane counts and on-time rates and the worst customers,
//!   recomputed here from the CSV with integer arithmetic and `chrono` dates;
//! * errors and notes: missing promised/delivered dates, no status column.
//!
//! Helpers live in this file on purpose (tests/common is another engineer's module).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::Value;

const FIXTURE: &str = "testdata/service/shipments.csv";
const AS_OF: &str = "2024-03-31";

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

/// A plain decimal amount in minor units of 2 decimals (for the credit-note test only).
fn cents(s: &str) -> i64 {
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

/// A temporary file `name` holding `body`; returns the directory (kept alive) and the path.
fn temp_file(name: &str, body: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join(name);
    std::fs::write(&path, body).expect("write the file");
    let p = path.to_str().expect("UTF-8 path").to_string();
    (dir, p)
}

// ---------------------------------------------------------------------------------------------
// expected rows

/// One expected output row. Rates are given as fractions (numerator, denominator) so that the
/// comparison is against the same division the definition names.
#[derive(Debug, Clone)]
struct Want {
    key: &'static str,
    name: Option<&'static str>,
    shipments: i64,
    delivered: i64,
    open: i64,
    /// on_time / delivered shipments with a promised date; None when there are none.
    on_time: Option<(i64, i64)>,
    late: i64,
    /// Σ days late / late shipments.
    avg_delay: Option<(i64, i64)>,
    /// Σ (delivered − ship date) / delivered shipments.
    avg_transit: Option<(i64, i64)>,
    /// damaged, lost, returned counts (over `shipments`); None without a status column.
    status: Option<(i64, i64, i64)>,
}

fn frac(f: Option<(i64, i64)>) -> Option<f64> {
    f.map(|(n, d)| n as f64 / d as f64)
}

const COLUMNS_TAIL: [&str; 10] = [
    "shipments",
    "delivered",
    "open",
    "on_time_rate",
    "late",
    "avg_delay_days",
    "avg_transit_days",
    "damaged_rate",
    "lost_rate",
    "returned_rate",
];

fn check_float(diffs: &mut Vec<String>, what: &str, got: &str, want: Option<f64>) {
    let good = match want {
        Some(w) => !got.is_empty() && close(float(got), w),
        None => got.is_empty(),
    };
    if !good {
        diffs.push(format!("{what}: got '{got}' want {want:?}"));
    }
}

/// Every row and column of a `--format csv` output, in order.
fn assert_rows(what: &str, key: &str, rows: &[BTreeMap<String, String>], want: &[Want]) {
    let keys: Vec<&str> = rows.iter().map(|r| r[key].as_str()).collect();
    let want_keys: Vec<&str> = want.iter().map(|w| w.key).collect();
    assert_eq!(keys, want_keys, "{what}: rows in order");
    let mut diffs = Vec::new();
    for (r, w) in rows.iter().zip(want) {
        let id = w.key;
        if let Some(n) = w.name
            && r["customer_name"] != n
        {
            diffs.push(format!("{id} customer_name: got '{}'", r["customer_name"]));
        }
        for (col, v) in [
            ("shipments", w.shipments),
            ("delivered", w.delivered),
            ("open", w.open),
            ("late", w.late),
        ] {
            if r[col] != v.to_string() {
                diffs.push(format!("{id} {col}: got '{}' want {v}", r[col]));
            }
        }
        check_float(
            &mut diffs,
            &format!("{id} on_time_rate"),
            &r["on_time_rate"],
            frac(w.on_time),
        );
        check_float(
            &mut diffs,
            &format!("{id} avg_delay_days"),
            &r["avg_delay_days"],
            frac(w.avg_delay),
        );
        check_float(
            &mut diffs,
            &format!("{id} avg_transit_days"),
            &r["avg_transit_days"],
            frac(w.avg_transit),
        );
        let rates: [Option<f64>; 3] = match w.status {
            Some((d, l, r)) => [d, l, r].map(|n| Some(n as f64 / w.shipments as f64)),
            None => [None; 3],
        };
        for (col, want) in ["damaged_rate", "lost_rate", "returned_rate"]
            .iter()
            .zip(rates)
        {
            check_float(&mut diffs, &format!("{id} {col}"), &r[*col], want);
        }
    }
    assert!(diffs.is_empty(), "{what}:\n{}", diffs.join("\n"));
}

fn service_csv(file: &str, extra: &[&str]) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let mut args = vec!["service", file, "--format", "csv"];
    args.extend_from_slice(extra);
    parse_csv(&ok(&args))
}

// ---------------------------------------------------------------------------------------------
// 1. the hand-built fixture, per customer
//
// as_of 2024-03-31 (given). Rows of testdata/service/shipments.csv (ship → promised →
// delivered, status):
//
// SV1 Harbor Logistics
//   V01 North 03-01 → 03-10 → 03-10 delivered   on time, exactly on the promised date; transit 9
//   V02 North 03-02 → 03-10 → 03-11 Delivered   1 day late; transit 9
//   V03 South 03-03 → 03-12 → 03-08 damaged     early = on time; transit 5; two line-item rows
//                                                (500.00 + 250.00), one shipment
//   V04 North 03-20 → 03-30 → 04-05 delivered   delivered after as_of: open, not late
// SV2 莲花物流
//   V05 South 03-04 → 03-14 → —     丢失        lost: neither delivered nor open
//   V06 South 03-05 → 03-15 → 03-20 退回        5 days late; transit 15; returned
//   V07 North 03-06 → —     → 03-16 delivered   no promise: not in the on-time base; transit 10
//   V08 South 03-07 → 03-17 → 03-19 破损        2 days late; transit 12; damaged
//   CN1 North 03-08, revenue −100.00            credit note: not a shipment
// SV3 Summit Trade
//   V09 North 03-09 → 03-19 → 03-19 delivered   on time exactly; transit 10
//   V10 South 03-10 → 03-20 → —     Lost        lost
//   V11 North 03-11 → 03-21 → 03-31 " RETURN "  delivered on as_of itself: delivered; 10 days
//                                                late; transit 20; returned (trimmed, any case)
//   V12 North 03-31 → 04-10 → —     in transit  open
//   V15 South 03-15 → 03-25 → 03-25 delivered   on time; transit 10
//   V13 North 04-02 …                           shipped after as_of: not there at all
//
// Rows: shipments descending, then id: SV3 (5), SV1 (4), SV2 (4).

fn customers_by_hand() -> Vec<Want> {
    vec![
        Want {
            key: "SV3",
            name: Some("Summit Trade"),
            shipments: 5,               // V09 V10 V11 V12 V15
            delivered: 3,               // V09 V11 V15
            open: 1,                    // V12 (V10 is lost)
            on_time: Some((2, 3)),      // V09 V15 of V09 V11 V15
            late: 1,                    // V11
            avg_delay: Some((10, 1)),   // V11: 03-31 − 03-21
            avg_transit: Some((40, 3)), // 10 + 20 + 10
            status: Some((0, 1, 1)),    // lost V10, returned V11
        },
        Want {
            key: "SV1",
            name: Some("Harbor Logistics"),
            shipments: 4,          // V01 V02 V03 V04
            delivered: 3,          // V01 V02 V03
            open: 1,               // V04
            on_time: Some((2, 3)), // V01 (delay 0) V03 (delay −4)
            late: 1,               // V02
            avg_delay: Some((1, 1)),
            avg_transit: Some((23, 3)), // 9 + 9 + 5
            status: Some((1, 0, 0)),    // damaged V03
        },
        Want {
            key: "SV2",
            name: Some("莲花物流"),
            shipments: 4,               // V05 V06 V07 V08 (not CN1)
            delivered: 3,               // V06 V07 V08
            open: 0,                    // V05 is lost
            on_time: Some((0, 2)),      // base V06 V08 (V07 has no promise)
            late: 2,                    // V06 V08
            avg_delay: Some((7, 2)),    // 5 + 2
            avg_transit: Some((37, 3)), // 15 + 10 + 12
            status: Some((1, 1, 1)),    // 破损 V08, 丢失 V05, 退回 V06
        },
    ]
}

#[test]
fn every_column_per_customer_by_hand() {
    let (headers, rows) = service_csv(FIXTURE, &["--as-of", AS_OF]);
    let mut want_headers = vec!["customer_id", "customer_name"];
    want_headers.extend(COLUMNS_TAIL);
    assert_eq!(headers, want_headers, "columns");
    assert_rows("per customer", "customer_id", &rows, &customers_by_hand());
}

#[test]
fn the_line_item_rows_of_one_shipment_are_noted_and_counted_once() {
    let out = ok_out(&["service", FIXTURE, "--as-of", AS_OF, "--format", "csv"]);
    assert!(
        out.stderr.contains("V03"),
        "a note names the repeated id: {}",
        out.stderr
    );
    // the CSV itself repeats V03 (two rows, 500.00 + 250.00)
    let (_, raw) = parse_csv(&read(FIXTURE));
    let v03: Vec<i64> = raw
        .iter()
        .filter(|r| r["shipment_id"] == "V03")
        .map(|r| cents(&r["revenue"]))
        .collect();
    assert_eq!(v03, vec![50_000, 25_000]);
    // ... and SV1 still has 4 shipments (every_column_per_customer_by_hand)
}

// ---------------------------------------------------------------------------------------------
// 2. by lane
//
// North: V01 V02 V04 V07 V09 V11 V12 (CN1 is a credit note) = 7 shipments; delivered V01 V02
// V07 V09 V11 = 5; open V04 V12 = 2; promise base V01 V02 V09 V11 → on time V01 V09 = 2/4,
// late V02 (1) V11 (10) → avg delay 11/2; transit 9 + 9 + 10 + 10 + 20 = 58 over 5; returned
// V11 = 1/7.
// South: V03 V05 V06 V08 V10 V15 = 6; delivered V03 V06 V08 V15 = 4; open 0 (V05 V10 lost);
// on time V03 V15 = 2/4; late V06 (5) V08 (2) → 7/2; transit 5 + 15 + 12 + 10 = 42 over 4;
// damaged V03 V08 = 2/6, lost V05 V10 = 2/6, returned V06 = 1/6.

fn lanes_by_hand() -> Vec<Want> {
    vec![
        Want {
            key: "North",
            name: None,
            shipments: 7,
            delivered: 5,
            open: 2,
            on_time: Some((2, 4)),
            late: 2,
            avg_delay: Some((11, 2)),
            avg_transit: Some((58, 5)),
            status: Some((0, 0, 1)),
        },
        Want {
            key: "South",
            name: None,
            shipments: 6,
            delivered: 4,
            open: 0,
            on_time: Some((2, 4)),
            late: 2,
            avg_delay: Some((7, 2)),
            avg_transit: Some((42, 4)),
            status: Some((2, 2, 1)),
        },
    ]
}

#[test]
fn every_column_per_lane_by_hand() {
    let (headers, rows) = service_csv(FIXTURE, &["--as-of", AS_OF, "--by", "lane"]);
    let mut want_headers = vec!["lane"];
    want_headers.extend(COLUMNS_TAIL);
    assert_eq!(
        headers, want_headers,
        "columns: no customer_name with --by lane"
    );
    assert_rows("--by lane", "lane", &rows, &lanes_by_hand());
}

/// The cells of the `| Total |` row of a markdown table.
fn markdown_total(text: &str) -> Vec<String> {
    let line = text
        .lines()
        .find(|l| l.starts_with("| Total |"))
        .unwrap_or_else(|| panic!("no totals row in\n{text}"));
    line.trim_matches('|')
        .split('|')
        .map(|c| c.trim().to_string())
        .collect()
}

#[test]
fn totals_row_sums_counts_and_pools_the_on_time_rate() {
    // shipments 4 + 4 + 5 = 13, delivered 9, open 2, late 4; on_time_rate pooled:
    // (2 + 0 + 2) / (3 + 2 + 3) = 4/8 = 50.00 %. Means and status rates are left empty.
    for by in ["customer", "lane"] {
        let text = ok(&[
            "service", FIXTURE, "--as-of", AS_OF, "--by", by, "--format", "markdown",
        ]);
        let mut cells = markdown_total(&text);
        if by == "customer" {
            assert_eq!(cells.remove(1), "", "customer_name cell");
        }
        assert_eq!(
            cells,
            ["Total", "13", "9", "2", "50.00%", "4", "", "", "", "", ""],
            "--by {by}"
        );
    }
    // the machine formats have no totals row
    let (_, rows) = service_csv(FIXTURE, &["--as-of", AS_OF]);
    assert_eq!(rows.len(), 3);
}

// ---------------------------------------------------------------------------------------------
// 3. --summary

#[test]
fn summary_of_the_hand_fixture() {
    // Totals as above; avg_delay over all 4 late shipments: (10 + 1 + 5 + 2) / 4 = 4.5, which is
    // also the late-weighted mean of the groups' means (10·1 + 1·1 + 3.5·2) / 4; avg_transit over
    // all 9 delivered: (40 + 23 + 37) / 9 = 100/9; damaged V03 V08, lost V05 V10, returned V06
    // V11: 2/13 each. No group has 10 delivered shipments with a promise: worst is empty.
    for (by, key) in [("customer", "customer_id"), ("lane", "lane")] {
        let s = json(&ok(&[
            "service",
            FIXTURE,
            "--as-of",
            AS_OF,
            "--by",
            by,
            "--summary",
            "--format",
            "json",
        ]));
        assert_eq!(s["as_of"], AS_OF);
        assert_eq!(s["by"], key);
        assert_eq!(s["groups"], if by == "lane" { 2 } else { 3 });
        assert_eq!(s["shipments"], 13);
        assert_eq!(s["delivered"], 9);
        assert_eq!(s["open"], 2);
        let f = |k: &str| {
            s[k].as_f64()
                .unwrap_or_else(|| panic!("{by}: {k} = {}", s[k]))
        };
        assert!(close(f("on_time_rate"), 0.5), "{by}");
        assert!(close(f("avg_delay_days"), 18.0 / 4.0), "{by}");
        assert!(close(f("avg_transit_days"), 100.0 / 9.0), "{by}");
        for k in ["damaged_rate", "lost_rate", "returned_rate"] {
            assert!(close(f(k), 2.0 / 13.0), "{by}: {k}");
        }
        assert_eq!(s["worst"], Value::Array(vec![]), "{by}: worst");
    }
}

#[test]
fn worst_list_needs_ten_delivered_shipments_with_a_promise() {
    // testdata/service/worst.csv, --by lane, as of 2024-06-30 (testdata/README.md):
    //   East  10 shipments, 10 delivered with a promise, 6 on time → 0.6   listed (exactly 10)
    //   West  12 shipments, 10 delivered with a promise, 6 on time, 2 open → 0.6  listed
    //   North 10 shipments, 10 delivered, only 9 with a promise, 0 on time → 0  NOT listed
    //   South 11 shipments, 11 with a promise, 10 on time → 10/11           listed
    // Order: rate ascending; West and East tie at 0.6 → more shipments first (West 12 > 10).
    let s = json(&ok(&[
        "service",
        "testdata/service/worst.csv",
        "--by",
        "lane",
        "--as-of",
        "2024-06-30",
        "--summary",
        "--format",
        "json",
    ]));
    let worst = s["worst"].as_array().expect("a worst table");
    let lanes: Vec<&str> = worst.iter().map(|r| r["lane"].as_str().unwrap()).collect();
    assert_eq!(lanes, ["West", "East", "South"]);
    let rates: Vec<f64> = worst
        .iter()
        .map(|r| r["on_time_rate"].as_f64().unwrap())
        .collect();
    assert!(close(rates[0], 0.6) && close(rates[1], 0.6) && close(rates[2], 10.0 / 11.0));
    assert_eq!(worst[0]["shipments"], 12);
    assert_eq!(worst[0]["open"], 2);
    assert_eq!(worst[1]["shipments"], 10);
    // overall: 43 shipments, 41 delivered, 2 open; on time (6 + 6 + 0 + 10) / 40 = 0.55;
    // late 4 + 4 + 9 + 1 = 18 with delays East 1+2+3+4, West 4×2, North 9×3, South 5 = 50.
    assert_eq!(s["shipments"], 43);
    assert_eq!(s["delivered"], 41);
    assert_eq!(s["open"], 2);
    assert!(close(s["on_time_rate"].as_f64().unwrap(), 22.0 / 40.0));
    assert!(close(s["avg_delay_days"].as_f64().unwrap(), 50.0 / 18.0));
    // transit East 10 + 5·8 + 11 + 12 + 13 + 14 = 100, West 6·9 + 4·12 = 102, North 9·13 + 7 =
    // 124, South 10·7 + 15 = 85: 411 over 41 delivered
    assert!(close(s["avg_transit_days"].as_f64().unwrap(), 411.0 / 41.0));
    // and the same numbers from the CSV
    let got = recompute(
        &read("testdata/service/worst.csv"),
        "lane",
        date("2024-06-30"),
    );
    assert_eq!(got["North"].with_promise, 9);
    assert_eq!(got["North"].delivered, 10);
    assert_eq!(got["East"].with_promise, 10);
    assert_eq!(worst_keys(&got), ["West", "East", "South"]);
}

// ---------------------------------------------------------------------------------------------
// 4. testdata/shipments.csv, recomputed from the CSV

const DAMAGED: [&str; 5] = ["damaged", "damage", "破损", "货损", "损坏"];
const LOST: [&str; 6] = ["lost", "loss", "missing", "丢失", "遗失", "丢件"];
const RETURNED: [&str; 6] = ["returned", "return", "退回", "回运", "退运", "退货"];

#[derive(Debug, Default, Clone, PartialEq)]
struct Stats {
    shipments: i64,
    delivered: i64,
    open: i64,
    with_promise: i64,
    on_time: i64,
    late: i64,
    delay_days: i64,
    transit_days: i64,
    damaged: i64,
    lost: i64,
    returned: i64,
}

/// The definitions of docs/metrics.md (`crm-cli service`) applied to a CSV with canonical
/// headers, integer arithmetic throughout: shipments are rows with revenue ≥ 0 shipped on or
/// before as_of, one per shipment_id (the first row by ship date); delivered = a delivered date
/// ≤ as_of; open = neither delivered nor lost.
fn recompute(text: &str, key: &str, as_of: NaiveDate) -> BTreeMap<String, Stats> {
    let (_, rows) = parse_csv(text);
    let mut ships: Vec<&BTreeMap<String, String>> = rows
        .iter()
        .filter(|r| cents(&r["revenue"]) >= 0 && date(&r["ship_date"]) <= as_of)
        .collect();
    ships.sort_by(|a, b| {
        a["shipment_id"]
            .cmp(&b["shipment_id"])
            .then(date(&a["ship_date"]).cmp(&date(&b["ship_date"])))
    });
    ships.dedup_by(|b, a| a["shipment_id"] == b["shipment_id"]);
    let mut out: BTreeMap<String, Stats> = BTreeMap::new();
    for r in ships {
        let s = out.entry(r[key].clone()).or_default();
        let status = r.get("status").map(|v| v.trim().to_lowercase());
        let is = |words: &[&str]| status.as_deref().is_some_and(|v| words.contains(&v));
        let ship = date(&r["ship_date"]);
        let delivered = (!r["delivered_date"].is_empty())
            .then(|| date(&r["delivered_date"]))
            .filter(|d| *d <= as_of);
        let promised = (!r["promised_date"].is_empty()).then(|| date(&r["promised_date"]));
        s.shipments += 1;
        s.damaged += is(&DAMAGED) as i64;
        s.lost += is(&LOST) as i64;
        s.returned += is(&RETURNED) as i64;
        match delivered {
            Some(d) => {
                s.delivered += 1;
                s.transit_days += (d - ship).num_days();
                if let Some(p) = promised {
                    s.with_promise += 1;
                    let delay = (d - p).num_days();
                    if delay <= 0 {
                        s.on_time += 1;
                    } else {
                        s.late += 1;
                        s.delay_days += delay;
                    }
                }
            }
            None if !is(&LOST) => s.open += 1,
            None => {}
        }
    }
    out
}

/// Keys of the summary's worst list: ≥ 10 delivered with a promise, on-time rate ascending
/// (compared exactly as fractions), then shipments descending, then key; at most 5.
fn worst_keys(stats: &BTreeMap<String, Stats>) -> Vec<String> {
    let mut v: Vec<(&String, &Stats)> =
        stats.iter().filter(|(_, s)| s.with_promise >= 10).collect();
    v.sort_by(|(ka, a), (kb, b)| {
        (a.on_time as i128 * b.with_promise as i128)
            .cmp(&(b.on_time as i128 * a.with_promise as i128))
            .then(b.shipments.cmp(&a.shipments))
            .then(ka.cmp(kb))
    });
    v.into_iter().take(5).map(|(k, _)| k.clone()).collect()
}

#[test]
fn the_recomputation_agrees_with_the_hand_fixture() {
    // guards the helper: the hand numbers above, from the CSV
    let got = recompute(&read(FIXTURE), "customer_id", date(AS_OF));
    assert_eq!(got.len(), 3);
    for w in customers_by_hand().iter().chain(&lanes_by_hand()) {
        let key = if w.name.is_some() {
            "customer_id"
        } else {
            "lane"
        };
        let all = recompute(&read(FIXTURE), key, date(AS_OF));
        let s = &all[w.key];
        assert_eq!(
            (s.shipments, s.delivered, s.open, s.late),
            (w.shipments, w.delivered, w.open, w.late),
            "{}",
            w.key
        );
        assert_eq!(Some((s.on_time, s.with_promise)), w.on_time, "{}", w.key);
        assert_eq!(Some((s.delay_days, s.late)), w.avg_delay, "{}", w.key);
        assert_eq!(
            Some((s.transit_days, s.delivered)),
            w.avg_transit,
            "{}",
            w.key
        );
        assert_eq!(Some((s.damaged, s.lost, s.returned)), w.status, "{}", w.key);
    }
}

#[test]
fn lanes_of_the_shipments_file_recomputed_from_the_csv() {
    // as_of defaults to the latest ship date, 2026-10-29 (testdata/README.md)
    let text = read("testdata/shipments.csv");
    let want = recompute(&text, "lane", date("2026-10-29"));
    // the file's own facts: 1201 rows − 11 credit notes = 1190 shipments
    assert_eq!(want.values().map(|s| s.shipments).sum::<i64>(), 1190);
    assert_eq!(want.len(), 6);
    let (_, rows) = service_csv("testdata/shipments.csv", &["--by", "lane"]);
    // order: shipments descending, then lane
    let mut order: Vec<(&String, &Stats)> = want.iter().collect();
    order.sort_by(|(ka, a), (kb, b)| b.shipments.cmp(&a.shipments).then(ka.cmp(kb)));
    let got_keys: Vec<&str> = rows.iter().map(|r| r["lane"].as_str()).collect();
    let want_keys: Vec<&str> = order.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(got_keys, want_keys);
    let mut diffs = Vec::new();
    for r in &rows {
        let s = &want[&r["lane"]];
        let lane = &r["lane"];
        for (col, v) in [
            ("shipments", s.shipments),
            ("delivered", s.delivered),
            ("open", s.open),
            ("late", s.late),
        ] {
            if r[col] != v.to_string() {
                diffs.push(format!("{lane} {col}: got {} want {v}", r[col]));
            }
        }
        check_float(
            &mut diffs,
            &format!("{lane} on_time_rate"),
            &r["on_time_rate"],
            Some(s.on_time as f64 / s.with_promise as f64),
        );
        check_float(
            &mut diffs,
            &format!("{lane} avg_delay_days"),
            &r["avg_delay_days"],
            Some(s.delay_days as f64 / s.late as f64),
        );
        check_float(
            &mut diffs,
            &format!("{lane} avg_transit_days"),
            &r["avg_transit_days"],
            Some(s.transit_days as f64 / s.delivered as f64),
        );
        for (col, n) in [
            ("damaged_rate", s.damaged),
            ("lost_rate", s.lost),
            ("returned_rate", s.returned),
        ] {
            check_float(
                &mut diffs,
                &format!("{lane} {col}"),
                &r[col],
                Some(n as f64 / s.shipments as f64),
            );
        }
    }
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}

#[test]
fn summary_of_the_shipments_file_recomputed_from_the_csv() {
    let text = read("testdata/shipments.csv");
    for (by, key) in [("customer", "customer_id"), ("lane", "lane")] {
        let want = recompute(&text, key, date("2026-10-29"));
        let sum = |f: fn(&Stats) -> i64| want.values().map(f).sum::<i64>();
        let s = json(&ok(&[
            "service",
            "testdata/shipments.csv",
            "--by",
            by,
            "--summary",
            "--format",
            "json",
        ]));
        assert_eq!(s["as_of"], "2026-10-29");
        assert_eq!(s["groups"], want.len(), "{by}");
        assert_eq!(s["shipments"], sum(|s| s.shipments), "{by}");
        assert_eq!(s["delivered"], sum(|s| s.delivered), "{by}");
        assert_eq!(s["open"], sum(|s| s.open), "{by}");
        let f = |k: &str| s[k].as_f64().unwrap();
        assert!(close(
            f("on_time_rate"),
            sum(|s| s.on_time) as f64 / sum(|s| s.with_promise) as f64
        ));
        // weighted means = means over all late / all delivered shipments
        assert!(close(
            f("avg_delay_days"),
            sum(|s| s.delay_days) as f64 / sum(|s| s.late) as f64
        ));
        assert!(close(
            f("avg_transit_days"),
            sum(|s| s.transit_days) as f64 / sum(|s| s.delivered) as f64
        ));
        let n = sum(|s| s.shipments) as f64;
        assert!(close(f("damaged_rate"), sum(|s| s.damaged) as f64 / n));
        assert!(close(f("lost_rate"), sum(|s| s.lost) as f64 / n));
        assert!(close(f("returned_rate"), sum(|s| s.returned) as f64 / n));
        // worst list: recomputed eligibility and order
        let got: Vec<String> = s["worst"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r[key].as_str().unwrap().to_string())
            .collect();
        let want_worst = worst_keys(&want);
        assert_eq!(got, want_worst, "{by}: worst");
        if by == "customer" {
            // enough eligible customers that the list is cut at 5, and some are not eligible
            let eligible = want.values().filter(|s| s.with_promise >= 10).count();
            assert!(eligible > 5 && eligible < want.len(), "{eligible}");
            assert_eq!(got.len(), 5);
        } else {
            assert_eq!(got.len(), 5, "6 lanes, all eligible, cut at 5");
        }
        for r in s["worst"].as_array().unwrap() {
            let w = &want[r[key].as_str().unwrap()];
            assert_eq!(r["shipments"], w.shipments);
            assert!(close(
                r["on_time_rate"].as_f64().unwrap(),
                w.on_time as f64 / w.with_promise as f64
            ));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 5. as_of, errors and notes

#[test]
fn default_as_of_is_the_latest_ship_date() {
    // without --as-of, as_of = V13's ship date 2024-04-02: V13 counts for SV3 and is open
    // (delivered 04-03, after as_of); V04 (delivered 04-05) is still open.
    let s = json(&ok(&["service", FIXTURE, "--summary", "--format", "json"]));
    assert_eq!(s["as_of"], "2024-04-02");
    assert_eq!(s["shipments"], 14);
    assert_eq!(s["open"], 3);
    let mut want = customers_by_hand();
    want[0].shipments = 6;
    want[0].open = 2;
    want[0].status = Some((0, 1, 1));
    let (_, rows) = service_csv(FIXTURE, &[]);
    // SV3's rates are over 6 shipments now: lost 1/6, returned 1/6
    assert_rows("default as_of", "customer_id", &rows, &want);
}

#[test]
fn a_missing_date_column_is_exit_1_naming_it() {
    // no_delivered.csv: the delivered dates are under `arrived_on`, which is no alias
    let err = fails(
        &[
            "service",
            "testdata/service/no_delivered.csv",
            "--as-of",
            AS_OF,
        ],
        1,
    );
    assert!(
        err.contains("delivered_date") && !err.contains("promised_date"),
        "{err}"
    );
    assert!(err.contains("--map delivered_date="), "{err}");
    // mapped, it is the fixture again
    let (_, rows) = service_csv(
        "testdata/service/no_delivered.csv",
        &["--as-of", AS_OF, "--map", "delivered_date=arrived_on"],
    );
    assert_rows("--map", "customer_id", &rows, &customers_by_hand());
    // tiny.csv has neither
    let err = fails(&["service", "testdata/tiny.csv"], 1);
    assert!(
        err.contains("promised_date") && err.contains("delivered_date"),
        "{err}"
    );
}

#[test]
fn without_a_status_column_the_status_rates_are_empty_with_a_note() {
    // the same rows without status: lost shipments cannot be told apart, so V05 and V10 are
    // open: SV2 open 1, SV3 open 2; everything else as by hand.
    let out = ok_out(&[
        "service",
        "testdata/service/no_status.csv",
        "--as-of",
        AS_OF,
        "--format",
        "csv",
    ]);
    assert!(
        out.stderr.contains("no status column"),
        "a note: {}",
        out.stderr
    );
    let mut want = customers_by_hand();
    for w in &mut want {
        w.status = None;
    }
    want[0].open = 2;
    want[2].open = 1;
    assert_rows("no status", "customer_id", &parse_csv(&out.stdout).1, &want);
    let s = json(&ok(&[
        "service",
        "testdata/service/no_status.csv",
        "--as-of",
        AS_OF,
        "--summary",
        "--format",
        "json",
        "-q",
    ]));
    for k in ["damaged_rate", "lost_rate", "returned_rate"] {
        assert_eq!(s[k], Value::Null, "{k}");
    }
    assert_eq!(s["open"], 4);
}

// ---------------------------------------------------------------------------------------------
// Bugs (ignored until fixed)

const NO_IDS: &str = "shipment_id,customer_id,customer_name,ship_date,promised_date,delivered_date,lane,revenue,status
,A,Old Name,2024-03-01,2024-03-10,2024-03-10,North,100.00,delivered
,A,Old Name,2024-03-02,2024-03-10,2024-03-12,North,100.00,delivered
,A,Old Name,2024-03-03,2024-03-10,2024-03-09,North,100.00,damaged
Z9,A,New Name,2024-03-04,2024-03-10,2024-03-09,North,100.00,delivered
A1,A,Newest Name,2024-03-05,2024-03-10,2024-03-09,North,100.00,delivered
";

#[test]
fn rows_without_a_shipment_id_are_each_a_shipment() {
    // Every other command (tier frequency, screen shipments) counts a row without an id as its
    // own shipment. As of 2024-03-31: 5 shipments, all delivered; promised 03-10: delivered
    // 03-10, 03-12 (2 late), 03-09, 03-09, 03-09 → on time 4/5, late 1, avg delay 2; damaged 1/5;
    // transit 9 + 10 + 6 + 5 + 4 = 34 over 5.
    // Actual: shipments 3, delivered 3, on_time_rate 1, late 0, damaged_rate 0 (the three
    // id-less rows collapse into the first by ship date).
    let (_dir, path) = temp_file("no_ids.csv", NO_IDS);
    let (_, rows) = service_csv(&path, &["--as-of", AS_OF]);
    assert_rows(
        "rows without id",
        "customer_id",
        &rows,
        &[Want {
            key: "A",
            name: None,
            shipments: 5,
            delivered: 5,
            open: 0,
            on_time: Some((4, 5)),
            late: 1,
            avg_delay: Some((2, 1)),
            avg_transit: Some((34, 5)),
            status: Some((1, 0, 0)),
        }],
    );
}

#[test]
fn customer_name_is_the_last_in_input_order() {
    // docs/metrics.md (tier, churn): the last non-empty name in input order. tier, churn and
    // screen print "Newest Name" (row A1, the last row); service prints "New Name" (row Z9,
    // the highest shipment_id after its sort by id).
    let (_dir, path) = temp_file("no_ids.csv", NO_IDS);
    let (_, rows) = service_csv(&path, &["--as-of", AS_OF]);
    assert_eq!(rows[0]["customer_name"], "Newest Name");
}
