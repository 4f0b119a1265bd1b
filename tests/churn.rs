//! `crm-cli churn` run as a binary and pinned to numbers computed outside crm-cli:
//!
//! * BG/NBD on `testdata/cdnow_sample.csv` against the `lifetimes` reference in
//!   `testdata/bgnbd/` (see scripts/lifetimes_bgnbd.py);
//! * the rules on `testdata/churn/shipments.csv` against the hand computation documented in
//!   testdata/README.md ("churn fixture") and written out below;
//! * thresholds from flags and from a `[churn]` section of crm.toml.
//!
//! Helpers live in this file on purpose (tests/common is another engineer's module).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::Value;

const FIXTURE: &str = "testdata/churn/shipments.csv";
const AS_OF: &str = "2024-06-30";

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

fn ok(args: &[&str]) -> String {
    let out = run(args);
    assert_eq!(
        out.code,
        Some(0),
        "crm-cli {args:?} failed:\n{}",
        out.stderr
    );
    out.stdout
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

/// |got − want| ≤ rel·|want| (absolute 1e-300 when want is 0).
fn close(got: f64, want: f64, rel: f64) -> bool {
    (got - want).abs() <= rel * want.abs().max(1e-300)
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

/// A 2-decimal amount in cents (for ordering only; money is compared as strings).
fn cents(s: &str) -> i64 {
    let neg = s.starts_with('-');
    let (int, frac) = s
        .trim_start_matches('-')
        .split_once('.')
        .expect("2 decimals");
    assert_eq!(frac.len(), 2, "'{s}' has 2 decimals");
    let v = int.parse::<i64>().unwrap() * 100 + frac.parse::<i64>().unwrap();
    if neg { -v } else { v }
}

// ---------------------------------------------------------------------------------------------
// 1. BG/NBD against lifetimes

#[test]
fn bgnbd_per_customer_matches_lifetimes() {
    let (_, got) = parse_csv(&ok(&[
        "churn",
        "testdata/cdnow_sample.csv",
        "--as-of",
        "1998-06-30",
        "--model",
        "bgnbd",
        "--format",
        "csv",
    ]));
    let (_, want) = parse_csv(&read("testdata/bgnbd/expected_customers.csv"));
    assert_eq!(want.len(), 2000);
    assert_eq!(got.len(), 2000, "one row per customer");
    let got: BTreeMap<&str, &BTreeMap<String, String>> =
        got.iter().map(|r| (r["customer_id"].as_str(), r)).collect();
    let end = date("1998-06-30");
    let mut diffs = Vec::new();
    for w in &want {
        let id = w["customer_id"].as_str();
        let Some(g) = got.get(id) else {
            diffs.push(format!("{id}: missing"));
            continue;
        };
        // lifetimes' inputs: frequency = days − 1, recency = last − first, T = end − first
        let (first, last) = (date(&g["first_date"]), date(&g["last_date"]));
        let days: i64 = g["shipping_days"].parse().unwrap();
        if (days - 1) as f64 != float(&w["frequency"])
            || (last - first).num_days() as f64 != float(&w["recency"])
            || (end - first).num_days() as f64 != float(&w["T"])
        {
            diffs.push(format!(
                "{id}: x, t_x, T = {}, {}, {} want {}, {}, {}",
                days - 1,
                (last - first).num_days(),
                (end - first).num_days(),
                w["frequency"],
                w["recency"],
                w["T"]
            ));
        }
        let (p, wp) = (float(&g["p_alive"]), float(&w["p_alive"]));
        if (p - wp).abs() > 1e-6 {
            diffs.push(format!("{id}: p_alive {p} want {wp}"));
        }
        let (e, we) = (float(&g["expected_shipments"]), float(&w["expected_90"]));
        if !close(e, we, 1e-6) {
            diffs.push(format!("{id}: expected_shipments {e} want {we}"));
        }
    }
    assert!(
        diffs.is_empty(),
        "{} differences from lifetimes:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

#[test]
fn bgnbd_parameters_match_lifetimes() {
    let s = json(&ok(&[
        "churn",
        "testdata/cdnow_sample.csv",
        "--as-of",
        "1998-06-30",
        "--model",
        "bgnbd",
        "--summary",
        "--format",
        "json",
    ]));
    let want = json(&read("testdata/bgnbd/expected_params.json"));
    assert_eq!(s["model"], "bgnbd");
    assert_eq!(s["horizon"], 90);
    assert_eq!(s["customers"], want["customers"]);
    for k in ["r", "alpha", "a", "b"] {
        let (g, w) = (s[k].as_f64().unwrap(), want[k].as_f64().unwrap());
        assert!(close(g, w, 1e-4), "{k}: got {g} want {w}");
    }
    let (g, w) = (
        s["log_likelihood"].as_f64().unwrap(),
        want["log_likelihood"].as_f64().unwrap(),
    );
    assert!(close(g, w, 1e-6), "log_likelihood: got {g} want {w}");
}

// ---------------------------------------------------------------------------------------------
// 2. the hand-built fixture (testdata/README.md, "churn fixture")
//
// as_of 2024-06-30; recent = (2024-04-01, 2024-06-30], prior = (2024-01-02, 2024-04-01],
// trailing 365 = (2023-07-01, 2024-06-30]. Customers with ≥ 2 own gaps and their typical gap:
// 12, 15, 20, 21, 27.5, 30, 30, 30, 40, 120 → population gap = (27.5 + 30) / 2 = 28.75.

#[derive(Debug, Clone)]
struct Cust {
    id: &'static str,
    status: &'static str,
    first: &'static str,
    last: &'static str,
    days: i64,
    typical: f64,
    source: &'static str,
    since: i64,
    recent: &'static str,
    prior: &'static str,
    change: Option<f64>,
    declining: bool,
    rev365: &'static str,
    var: &'static str,
}

fn c(
    id: &'static str,
    status: &'static str,
    (first, last, days): (&'static str, &'static str, i64),
    (typical, source, since): (f64, &'static str, i64),
    (recent, prior, change, declining): (&'static str, &'static str, Option<f64>, bool),
    rev365: &'static str,
    var: &'static str,
) -> Cust {
    Cust {
        id,
        status,
        first,
        last,
        days,
        typical,
        source,
        since,
        recent,
        prior,
        change,
        declining,
        rev365,
        var,
    }
}

/// The hand computation with the default thresholds, in output order (value at risk
/// descending, then id).
fn expected() -> Vec<Cust> {
    let own = "own";
    let pop = "population";
    vec![
        // ratio 81/20 = 4.05 > 4: churned
        c(
            "CH03",
            "churned",
            ("2024-02-10", "2024-04-10", 4),
            (20.0, own, 81),
            ("450.00", "1500.00", Some(-0.7), true),
            "1950.00",
            "1950.00",
        ),
        // gaps 28, 30, 35 → 30; 75/30 = 2.5: at_risk; the 2024-07-15 row is after as_of
        c(
            "CH06",
            "at_risk",
            ("2024-01-14", "2024-04-16", 4),
            (30.0, own, 75),
            ("500.00", "1200.00", Some(-700.0 / 1200.0), true),
            "1700.00",
            "1700.00",
        ),
        // gaps 10, 15, 20 → 15; 60/15 = 4 exactly: not churned, at_risk
        c(
            "CH04",
            "at_risk",
            ("2024-03-17", "2024-05-01", 4),
            (15.0, own, 60),
            ("500.00", "600.00", Some(-100.0 / 600.0), false),
            "1100.00",
            "1100.00",
        ),
        // one shipping day (the credit note of 2024-03-15 is not one): population gap,
        // 212/28.75 = 7.37: churned
        c(
            "CH09",
            "churned",
            ("2023-12-01", "2023-12-01", 1),
            (28.75, pop, 212),
            ("0.00", "-120.00", None, false),
            "680.00",
            "680.00",
        ),
        // first shipment exactly 90 days before as_of: new
        c(
            "CH01",
            "new",
            ("2024-04-01", "2024-05-01", 2),
            (28.75, pop, 60),
            ("300.00", "200.00", Some(0.5), false),
            "500.00",
            "0.00",
        ),
        // first shipment 91 days before as_of: not new; 1/30: active
        c(
            "CH02",
            "active",
            ("2024-03-31", "2024-06-29", 4),
            (30.0, own, 1),
            ("390.00", "150.00", Some(1.6), false),
            "540.00",
            "0.00",
        ),
        // idle 366 days > 365 (ratio only 3.05): churned; trailing revenue −500.00 (credit
        // note), value at risk 0.00, never negative
        c(
            "CH05",
            "churned",
            ("2022-11-02", "2023-06-30", 3),
            (120.0, own, 366),
            ("0.00", "-500.00", None, false),
            "-500.00",
            "0.00",
        ),
        // gaps 12, 12, 12, 12, 220 → 12; last gap 220 > 48: reactivated; nothing in the prior
        // window: change null
        c(
            "CH07",
            "reactivated",
            ("2023-10-01", "2024-06-25", 6),
            (12.0, own, 5),
            ("600.00", "0.00", None, false),
            "1100.00",
            "0.00",
        ),
        // two shipments on 2024-04-01 are one shipping day: gaps 25, 30, 30, 20 → 27.5
        c(
            "CH08",
            "active",
            ("2024-03-07", "2024-06-20", 5),
            (27.5, own, 10),
            ("600.00", "650.00", Some(-50.0 / 650.0), false),
            "1250.00",
            "0.00",
        ),
        // recent 700.00 vs prior 1000.00: exactly −30%: declining
        c(
            "CH10",
            "active",
            ("2024-01-20", "2024-06-18", 6),
            (30.0, own, 12),
            ("700.00", "1000.00", Some(-0.3), true),
            "1700.00",
            "0.00",
        ),
        // recent 700.10 vs prior 1000.00: −29.99%: not declining; 2024-04-01 is in the prior
        // window, 2024-01-02 in neither
        c(
            "CH11",
            "active",
            ("2024-01-02", "2024-06-20", 5),
            (40.0, own, 10),
            ("700.10", "1000.00", Some(-0.2999), false),
            "2200.10",
            "0.00",
        ),
        c(
            "CH12",
            "active",
            ("2024-03-10", "2024-06-23", 6),
            (21.0, own, 7),
            ("1000.00", "500.00", Some(1.0), false),
            "1500.00",
            "0.00",
        ),
    ]
}

fn find<'a>(cs: &'a mut [Cust], id: &str) -> &'a mut Cust {
    cs.iter_mut()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no {id}"))
}

/// Sort by the documented order: value at risk descending, then customer_id.
fn sort_by_risk(cs: &mut [Cust]) {
    cs.sort_by(|a, b| cents(b.var).cmp(&cents(a.var)).then(a.id.cmp(b.id)));
}

const COLUMNS: [&str; 16] = [
    "customer_id",
    "customer_name",
    "status",
    "first_date",
    "last_date",
    "shipping_days",
    "typical_gap_days",
    "gap_source",
    "days_since_last",
    "gap_ratio",
    "revenue_recent",
    "revenue_prior",
    "change",
    "declining",
    "revenue_365",
    "value_at_risk",
];

fn churn_csv(extra: &[&str]) -> Vec<BTreeMap<String, String>> {
    let mut args = vec!["churn", FIXTURE, "--as-of", AS_OF, "--format", "csv"];
    args.extend_from_slice(extra);
    let (headers, rows) = parse_csv(&ok(&args));
    assert_eq!(headers, COLUMNS, "columns");
    rows
}

/// Every row and column, in order.
fn assert_customers(what: &str, rows: &[BTreeMap<String, String>], want: &[Cust]) {
    let ids: Vec<&str> = rows.iter().map(|r| r["customer_id"].as_str()).collect();
    let want_ids: Vec<&str> = want.iter().map(|c| c.id).collect();
    assert_eq!(ids, want_ids, "{what}: rows in order");
    let mut diffs = Vec::new();
    for (r, w) in rows.iter().zip(want) {
        let ratio = w.since as f64 / w.typical;
        let mut check = |col: &str, ok: bool, want: String| {
            if !ok {
                diffs.push(format!("{} {col}: got '{}' want {want}", w.id, r[col]));
            }
        };
        check("status", r["status"] == w.status, w.status.into());
        check("first_date", r["first_date"] == w.first, w.first.into());
        check("last_date", r["last_date"] == w.last, w.last.into());
        check(
            "shipping_days",
            r["shipping_days"] == w.days.to_string(),
            w.days.to_string(),
        );
        check(
            "typical_gap_days",
            close(float(&r["typical_gap_days"]), w.typical, 1e-12),
            w.typical.to_string(),
        );
        check("gap_source", r["gap_source"] == w.source, w.source.into());
        check(
            "days_since_last",
            r["days_since_last"] == w.since.to_string(),
            w.since.to_string(),
        );
        check(
            "gap_ratio",
            close(float(&r["gap_ratio"]), ratio, 1e-12),
            ratio.to_string(),
        );
        check(
            "revenue_recent",
            r["revenue_recent"] == w.recent,
            w.recent.into(),
        );
        check(
            "revenue_prior",
            r["revenue_prior"] == w.prior,
            w.prior.into(),
        );
        check(
            "change",
            match w.change {
                Some(x) => !r["change"].is_empty() && close(float(&r["change"]), x, 1e-12),
                None => r["change"].is_empty(),
            },
            format!("{:?}", w.change),
        );
        check(
            "declining",
            r["declining"] == w.declining.to_string(),
            w.declining.to_string(),
        );
        check("revenue_365", r["revenue_365"] == w.rev365, w.rev365.into());
        check("value_at_risk", r["value_at_risk"] == w.var, w.var.into());
    }
    assert!(diffs.is_empty(), "{what}:\n{}", diffs.join("\n"));
}

#[test]
fn every_status_as_computed_by_hand() {
    let rows = churn_csv(&[]);
    assert_eq!(rows[0]["customer_name"], "Cedar Shipping");
    assert_customers("defaults", &rows, &expected());
}

/// Status counts, trailing revenue and value at risk per status, from the expected rows.
fn status_table(cs: &[Cust]) -> Vec<(&'static str, usize, i64, i64, usize)> {
    ["new", "active", "at_risk", "churned", "reactivated"]
        .iter()
        .map(|&s| {
            let m: Vec<&Cust> = cs.iter().filter(|c| c.status == s).collect();
            (
                s,
                m.len(),
                m.iter().map(|c| cents(c.rev365)).sum(),
                m.iter().map(|c| cents(c.var)).sum(),
                m.iter().filter(|c| c.declining).count(),
            )
        })
        .collect()
}

fn money(c: i64) -> String {
    let sign = if c < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", c.abs() / 100, c.abs() % 100)
}

/// `churn --summary --format json` against the per-status numbers of `want`.
fn assert_summary(extra: &[&str], want: &[Cust]) -> Value {
    let mut args = vec![
        "churn",
        FIXTURE,
        "--as-of",
        AS_OF,
        "--summary",
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let text = ok(&args);
    let s = json(&text);
    assert_eq!(s["as_of"], AS_OF);
    assert_eq!(s["customers"], 12);
    assert_eq!(
        s["declining"],
        want.iter().filter(|c| c.declining).count(),
        "{extra:?}: declining"
    );
    assert_eq!(s["population_gap_days"].as_f64(), Some(28.75));
    assert_eq!(s["model"], "none");
    let table = status_table(want);
    let total_var: i64 = table.iter().map(|t| t.3).sum();
    // money as printed: the overview's value_at_risk first, then one per status row
    let vars = raw_numbers(&text, "value_at_risk");
    let revs = raw_numbers(&text, "revenue_365");
    assert_eq!(vars[0], money(total_var), "{extra:?}: value_at_risk");
    let rows = s["statuses"].as_array().expect("a statuses table");
    assert_eq!(rows.len(), 5);
    for (i, (row, (status, n, rev, var, declining))) in rows.iter().zip(&table).enumerate() {
        assert_eq!(row["status"], *status);
        assert_eq!(row["customers"], *n, "{extra:?}: {status}");
        assert!(close(
            row["customers_share"].as_f64().unwrap(),
            *n as f64 / 12.0,
            1e-12
        ));
        assert_eq!(revs[i], money(*rev), "{extra:?}: {status} revenue_365");
        assert_eq!(
            vars[i + 1],
            money(*var),
            "{extra:?}: {status} value_at_risk"
        );
        assert_eq!(
            row["declining"], *declining,
            "{extra:?}: {status} declining"
        );
    }
    s
}

#[test]
fn summary_counts_and_exact_sums_per_status() {
    // new 1 (500.00); active 5 (540.00 + 1250.00 + 1700.00 + 2200.10 + 1500.00 = 7190.10,
    // 1 declining); at_risk 2 (2800.00 at risk); churned 3 (1950.00 − 500.00 + 680.00 =
    // 2130.00, at risk 1950.00 + 0.00 + 680.00 = 2630.00); reactivated 1 (1100.00).
    let want = expected();
    let table = status_table(&want);
    assert_eq!(
        table,
        [
            ("new", 1, 50_000, 0, 0),
            ("active", 5, 719_010, 0, 1),
            ("at_risk", 2, 280_000, 280_000, 1),
            ("churned", 3, 213_000, 263_000, 1),
            ("reactivated", 1, 110_000, 0, 0),
        ]
    );
    assert_eq!(money(table.iter().map(|t| t.3).sum()), "5430.00");
    let s = assert_summary(&[], &want);
    assert_eq!(s["new_days"], 90);
    assert_eq!(s["churn_ratio"].as_f64(), Some(4.0));
    assert_eq!(s["risk_ratio"].as_f64(), Some(2.0));
    assert_eq!(s["max_idle"], 365);
    assert_eq!(s["window"], 90);
    assert_eq!(s["declining"], 3);
}

#[test]
fn churn_ratio_5_keeps_ch03_at_risk() {
    // CH03: 4.05 ≤ 5 → at_risk (still at risk: value unchanged); CH09 7.37 stays churned,
    // CH05 stays churned by idle time, CH07's last gap 220 > 5 × 12 stays reactivated.
    let mut want = expected();
    find(&mut want, "CH03").status = "at_risk";
    assert_customers(
        "--churn-ratio 5",
        &churn_csv(&["--churn-ratio", "5"]),
        &want,
    );
    let s = assert_summary(&["--churn-ratio", "5"], &want);
    assert_eq!(s["churn_ratio"].as_f64(), Some(5.0));
}

#[test]
fn new_days_30_makes_ch01_at_risk() {
    // CH01 is 90 days old: > 30 → judged by its ratio 60/28.75 = 2.09 > 2 → at_risk, and its
    // 500.00 becomes value at risk (it moves up, after CH09's 680.00).
    let mut want = expected();
    let c = find(&mut want, "CH01");
    c.status = "at_risk";
    c.var = "500.00";
    sort_by_risk(&mut want);
    assert_eq!(want[4].id, "CH01");
    assert_customers("--new-days 30", &churn_csv(&["--new-days", "30"]), &want);
    let s = assert_summary(&["--new-days", "30"], &want);
    assert_eq!(s["new_days"], 30);
}

#[test]
fn max_idle_366_makes_ch05_at_risk_with_nothing_at_stake() {
    // CH05: 366 days idle is no longer > 366; ratio 3.05 > 2 → at_risk; its trailing revenue
    // is −500.00, so value at risk stays 0.00.
    let mut want = expected();
    find(&mut want, "CH05").status = "at_risk";
    assert_customers("--max-idle 366", &churn_csv(&["--max-idle", "366"]), &want);
}

#[test]
fn window_60_moves_the_revenue_windows() {
    // recent = (2024-05-01, 2024-06-30], prior = (2024-03-02, 2024-05-01]
    let mut want = expected();
    let set = [
        ("CH01", "0.00", "500.00", Some(-1.0), true),
        ("CH02", "270.00", "270.00", Some(0.0), false),
        ("CH03", "0.00", "950.00", Some(-1.0), true),
        ("CH04", "0.00", "1100.00", Some(-1.0), true),
        ("CH05", "0.00", "0.00", None, false),
        ("CH06", "0.00", "900.00", Some(-1.0), true),
        ("CH07", "600.00", "0.00", None, false),
        ("CH08", "350.00", "900.00", Some(-550.0 / 900.0), true),
        ("CH09", "0.00", "-120.00", None, false),
        ("CH10", "500.00", "600.00", Some(-100.0 / 600.0), false),
        ("CH11", "400.00", "700.10", Some(-30010.0 / 70010.0), true),
        ("CH12", "750.00", "750.00", Some(0.0), false),
    ];
    for (id, recent, prior, change, declining) in set {
        let c = find(&mut want, id);
        c.recent = recent;
        c.prior = prior;
        c.change = change;
        c.declining = declining;
    }
    assert_customers("--window 60", &churn_csv(&["--window", "60"]), &want);
    let s = assert_summary(&["--window", "60"], &want);
    assert_eq!(s["window"], 60);
    assert_eq!(s["declining"], 6);
}

#[test]
fn drop_50_keeps_only_the_steep_declines() {
    // CH03 −70% and CH06 −58.3% stay declining; CH10's −30% does not
    let mut want = expected();
    find(&mut want, "CH10").declining = false;
    assert_customers("--drop 50", &churn_csv(&["--drop", "50"]), &want);
    let s = assert_summary(&["--drop", "50"], &want);
    assert_eq!(s["declining"], 2);
    assert_eq!(s["drop"].as_f64(), Some(50.0));
}

#[test]
fn rows_after_as_of_are_left_out() {
    // without --as-of, as_of is CH06's 2024-07-15: a different run altogether
    let (_, rows) = parse_csv(&ok(&["churn", FIXTURE, "--format", "csv"]));
    let ch06 = rows.iter().find(|r| r["customer_id"] == "CH06").unwrap();
    assert_eq!(ch06["last_date"], "2024-07-15");
    assert_eq!(ch06["days_since_last"], "0");
    // with it, the 2024-07-15 row does not exist (CH06 as in the hand computation)
    let rows = churn_csv(&[]);
    let ch06 = rows.iter().find(|r| r["customer_id"] == "CH06").unwrap();
    assert_eq!(ch06["last_date"], "2024-04-16");
    assert_eq!(ch06["shipping_days"], "4");
}

#[test]
fn usage_errors_exit_2() {
    let base = ["churn", FIXTURE, "--as-of", AS_OF];
    let with =
        |extra: &[&'static str]| -> Vec<&str> { base.iter().chain(extra).copied().collect() };
    let err = fails(&with(&["--risk-ratio", "5", "--churn-ratio", "4"]), 2);
    assert!(err.contains("risk ratio"), "stderr: {err}");
    let err = fails(&with(&["--drop", "0"]), 2);
    assert!(err.contains("--drop"), "stderr: {err}");
    let err = fails(&with(&["--drop", "101"]), 2);
    assert!(err.contains("--drop"), "stderr: {err}");
    let err = fails(&with(&["--churn-ratio", "0"]), 2);
    assert!(err.contains("--churn-ratio"), "stderr: {err}");
}

// ---------------------------------------------------------------------------------------------
// 3. crm.toml [churn]

/// A temporary crm.toml with `body`; returns the directory (kept alive) and the path.
fn config(body: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("crm.toml");
    std::fs::write(&path, body).expect("write crm.toml");
    let p = path.to_str().expect("UTF-8 path").to_string();
    (dir, p)
}

#[test]
fn config_churn_section_sets_thresholds() {
    let (_dir, path) = config("[churn]\nchurn_ratio = 5\nnew_days = 30\n");
    let mut want = expected();
    find(&mut want, "CH03").status = "at_risk";
    let c = find(&mut want, "CH01");
    c.status = "at_risk";
    c.var = "500.00";
    sort_by_risk(&mut want);
    assert_customers("crm.toml", &churn_csv(&["--config", &path]), &want);
    let s = assert_summary(&["--config", &path], &want);
    assert_eq!(s["churn_ratio"].as_f64(), Some(5.0));
    assert_eq!(s["new_days"], 30);

    // a flag wins over the file
    let mut want = expected();
    let c = find(&mut want, "CH01");
    c.status = "at_risk";
    c.var = "500.00";
    sort_by_risk(&mut want);
    assert_customers(
        "crm.toml + --churn-ratio 4",
        &churn_csv(&["--config", &path, "--churn-ratio", "4"]),
        &want,
    );
}

#[test]
fn config_drop_is_exact_at_its_boundary() {
    // drop = 29.99: CH11 (700.10 vs 1000.00, exactly −29.99%) becomes declining
    let (_dir, path) = config("[churn]\ndrop = 29.99\n");
    let mut want = expected();
    find(&mut want, "CH11").declining = true;
    assert_customers("drop = 29.99", &churn_csv(&["--config", &path]), &want);
}

#[test]
fn bad_config_values_are_exit_1_naming_the_file() {
    for (body, key) in [
        ("[churn]\nchurn_ratio = -1\n", "churn_ratio"),
        ("[churn]\ndrop = 0\n", "drop"),
        ("[churn]\nnew_days = -1\n", "new_days"),
        ("[churn]\nmax_idle = 0\n", "max_idle"),
        ("[churn]\nwindow = \"90\"\n", "window"),
        ("[churn]\nchurn_rate = 4\n", "churn_rate"),
    ] {
        let (_dir, path) = config(body);
        let err = fails(&["churn", FIXTURE, "--as-of", AS_OF, "--config", &path], 1);
        assert!(
            err.contains(&path) && err.contains(key),
            "{body:?}: the message names {path} and {key}: {err}"
        );
    }
}

#[test]
fn config_risk_ratio_above_churn_ratio_is_exit_1_naming_the_file() {
    let (_dir, path) = config("[churn]\nrisk_ratio = 5\n");
    let err = fails(&["churn", FIXTURE, "--as-of", AS_OF, "--config", &path], 1);
    assert!(err.contains(&path), "the message names {path}: {err}");
}
