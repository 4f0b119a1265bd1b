//! `crm-cli report` on testdata/ (shipments, invoices, financials), period 2026-09:
//!
//! * the Markdown and JSON reports pinned as snapshots (tests/snapshots/report__*.snap);
//! * every part that a command also prints equal to that command's own JSON;
//! * the KPIs and the tier migration against numbers computed here from the CSV files with
//!   exact integer cents (statuses, which have their own tests in tests/churn.rs, come from
//!   `crm-cli churn`);
//! * cron behaviour: atomic writing (a failed run leaves an existing report as it was), the
//!   same bytes for the same inputs, `--period last`, errors and exit codes;
//! * sections without their data say so.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use chrono::{Datelike, NaiveDate};
use common::*;
use serde_json::Value;

const SHIPMENTS: &str = "testdata/shipments.csv";
const INVOICES: &str = "testdata/invoices.csv";
const FINANCIALS: &str = "testdata/financials.csv";
const PERIOD: &str = "2026-09";

/// The full report of testdata/ for `period`, written to `out`.
fn full(period: &str, out: &Path) -> Vec<String> {
    [
        "report",
        "--period",
        period,
        "--shipments",
        SHIPMENTS,
        "--invoices",
        INVOICES,
        "--financials",
        FINANCIALS,
        "-o",
        arg(out),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn run_args(args: &[String]) -> Out {
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    run(&refs)
}

fn ok_args(args: &[String]) -> Out {
    let out = run_args(args);
    assert_eq!(out.code, Some(0), "{args:?} failed:\n{}", out.stderr);
    out
}

/// The report of testdata/ in the format of `name`'s extension, as text.
fn report_text(period: &str, name: &str, extra: &[&str]) -> String {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join(name);
    let mut args = full(period, &path);
    args.extend(extra.iter().map(|s| s.to_string()));
    ok_args(&args);
    std::fs::read_to_string(&path).expect("the report was written")
}

fn report_json(period: &str) -> Value {
    json(&report_text(period, "r.json", &[]))
}

// ---------------------------------------------------------------------------------------------
// Snapshots

#[test]
fn markdown_snapshot() {
    insta::assert_snapshot!("report_md", report_text(PERIOD, "r.md", &[]));
}

#[test]
fn markdown_snapshot_zh() {
    insta::assert_snapshot!(
        "report_md_zh",
        report_text(PERIOD, "r.md", &["--lang", "zh"])
    );
}

#[test]
fn json_snapshot() {
    let text = report_text(PERIOD, "r.json", &[]);
    json(&text);
    insta::assert_snapshot!("report_json", text);
}

// ---------------------------------------------------------------------------------------------
// Same data as the commands

#[test]
fn parts_equal_the_commands_json() {
    let report = report_json(PERIOD);
    let cmd = |args: &[&str]| json(&ok(args).stdout);
    let checks: [(&str, Vec<&str>); 7] = [
        ("tier", vec!["tier", SHIPMENTS, "--summary"]),
        ("pareto", vec!["pareto", SHIPMENTS, "--summary"]),
        ("churn", vec!["churn", SHIPMENTS, "--summary"]),
        (
            "aging",
            vec!["aging", INVOICES, "--summary", "--shipments", SHIPMENTS],
        ),
        (
            "service",
            vec![
                "service",
                SHIPMENTS,
                "--by",
                "lane",
                "--from",
                "2026-07-01",
                "--summary",
            ],
        ),
        (
            "service_lanes",
            vec!["service", SHIPMENTS, "--by", "lane", "--from", "2026-07-01"],
        ),
        ("ratios", vec!["ratios", FINANCIALS, "--summary"]),
    ];
    for (key, args) in checks {
        let mut args = args;
        args.extend(["--as-of", "2026-09-30", "--format", "json", "-q"]);
        assert_eq!(report[key], cmd(&args), "part {key} differs from {args:?}");
    }
    // Nothing is unavailable with all three inputs.
    assert_eq!(report["unavailable"], Value::Array(vec![]));
}

// ---------------------------------------------------------------------------------------------
// KPIs by hand

fn month_of(d: NaiveDate) -> (i32, u32) {
    (d.year(), d.month())
}

fn parse_month(m: &str) -> (i32, u32) {
    let d = date(&format!("{m}-01"));
    month_of(d)
}

fn month_end(m: &str) -> NaiveDate {
    let (y, mo) = parse_month(m);
    let (ny, nm) = if mo == 12 { (y + 1, 1) } else { (y, mo + 1) };
    NaiveDate::from_ymd_opt(ny, nm, 1)
        .and_then(|d| d.pred_opt())
        .expect("a month end")
}

/// The line of the JSON text holding the row of `kpi` (rows are one object per line).
fn kpi_line<'a>(text: &'a str, kpi: &str) -> &'a str {
    let pat = format!("{{\"kpi\": \"{kpi}\",");
    text.lines()
        .find(|l| l.trim_start().starts_with(&pat))
        .unwrap_or_else(|| panic!("no kpi {kpi}"))
}

/// Churn statuses of `crm-cli churn` as of `as_of`.
fn statuses(as_of: &str) -> HashMap<String, String> {
    let out = ok(&[
        "churn", SHIPMENTS, "--as-of", as_of, "--format", "csv", "-q",
    ]);
    let csv = Csv::parse(&out.stdout);
    csv.rows
        .iter()
        .map(|r| {
            (
                r[csv.col("customer_id")].clone(),
                r[csv.col("status")].clone(),
            )
        })
        .collect()
}

#[derive(Debug, Default, PartialEq)]
struct Kpis {
    revenue: i128,
    margin: i128,
    shipments: i64,
    active: i64,
    new: i64,
    reactivated: i64,
    churned: i64,
    overdue: i128,
}

/// The KPIs of month `m` (`YYYY-MM`) from the fixtures.
fn kpis_by_hand(m: &str, previous: &str) -> Kpis {
    let ships = Csv::read("shipments.csv");
    let target = parse_month(m);
    let mut k = Kpis::default();
    let mut ids = BTreeSet::new();
    let mut active = BTreeSet::new();
    let mut first: BTreeMap<String, NaiveDate> = BTreeMap::new();
    for i in 0..ships.rows.len() {
        let d = date(ships.get(i, "ship_date"));
        let revenue = minor(ships.get(i, "revenue"), 2);
        let cost = match ships.get(i, "cost") {
            "" => 0,
            c => minor(c, 2),
        };
        let customer = ships.get(i, "customer_id").to_string();
        if revenue >= 0 {
            let f = first.entry(customer.clone()).or_insert(d);
            *f = (*f).min(d);
        }
        if month_of(d) != target {
            continue;
        }
        k.revenue += revenue;
        k.margin += revenue - cost;
        if revenue >= 0 {
            ids.insert(ships.get(i, "shipment_id").to_string());
            active.insert(customer);
        }
    }
    k.shipments = ids.len() as i64;
    k.new = first.values().filter(|d| month_of(**d) == target).count() as i64;
    // Churned at the end of the month and not at the end of the one before; reactivated:
    // churned at the end of the month before and shipped in the month.
    let now = statuses(&month_end(m).to_string());
    let before = statuses(&month_end(previous).to_string());
    let churned = |s: &HashMap<String, String>, c: &str| s.get(c).is_some_and(|v| v == "churned");
    k.churned = now
        .keys()
        .filter(|c| churned(&now, c) && !churned(&before, c))
        .count() as i64;
    k.reactivated = active.iter().filter(|c| churned(&before, c)).count() as i64;
    k.active = active.len() as i64;
    // Overdue at the month end: invoices dated by then, due before it, not paid by then. (The
    // fixture's invoices are paid in full on paid_date, or not at all.)
    let end = month_end(m);
    let inv = Csv::read("invoices.csv");
    for i in 0..inv.rows.len() {
        let dated = date(inv.get(i, "invoice_date")) <= end;
        let due = date(inv.get(i, "due_date")) < end;
        let paid = match inv.get(i, "paid_date") {
            "" => 0,
            d if date(d) <= end => minor(inv.get(i, "paid_amount"), 2),
            _ => 0,
        };
        if dated && due {
            k.overdue += (minor(inv.get(i, "amount"), 2) - paid).max(0);
        }
    }
    k
}

/// The KPIs of one column of the report's JSON text, money exactly as written.
fn kpis_from_report(text: &str, column: &str) -> Kpis {
    let raw = |kpi: &str| raw_json_value(kpi_line(text, kpi), column).to_string();
    let cents = |kpi: &str| minor(&raw(kpi), 2);
    let int = |kpi: &str| {
        raw(kpi)
            .parse::<i64>()
            .unwrap_or_else(|e| panic!("{kpi}: {e}"))
    };
    Kpis {
        revenue: cents("revenue"),
        margin: cents("margin"),
        shipments: int("shipments"),
        active: int("active_customers"),
        new: int("new_customers"),
        reactivated: int("reactivated_customers"),
        churned: int("churned_customers"),
        overdue: cents("overdue_receivables"),
    }
}

#[test]
fn kpis_match_a_computation_from_the_csv_files() {
    let text = report_text(PERIOD, "r.json", &[]);
    let report = json(&text);
    for (column, month, previous) in [
        ("value", "2026-09", "2026-08"),
        ("previous", "2026-08", "2026-07"),
        ("last_year", "2025-09", "2025-08"),
    ] {
        let want = kpis_by_hand(month, previous);
        assert_eq!(kpis_from_report(&text, column), want, "{month}");
    }
    // Pinned by hand as well, so that a change in the fixture shows here.
    let rows = report["kpis"].as_array().expect("kpis");
    assert_eq!(rows[0]["kpi"], "revenue");
    let revenue = kpi_line(&text, "revenue");
    assert_eq!(raw_json_value(revenue, "value"), "506387.60");
    assert_eq!(raw_json_value(revenue, "previous"), "384127.11");
    assert_eq!(raw_json_value(revenue, "last_year"), "252095.49");
    let overdue = kpi_line(&text, "overdue_receivables");
    assert_eq!(raw_json_value(overdue, "value"), "59809.69");
    // change = (506387.60 − 384127.11) / 384127.11
    let change = rows[0]["change"].as_f64().expect("change");
    assert!((change - (50638760.0 - 38412711.0) / 38412711.0).abs() < 1e-12);
    // The monthly series agrees with the KPIs.
    let monthly = report["monthly"].as_array().expect("monthly");
    assert_eq!(monthly.len(), 24);
    assert_eq!(monthly[0]["month"], "2024-10");
    let sep = &monthly[23];
    assert_eq!(sep["month"], "2026-09");
    assert_eq!(sep["revenue"], rows[0]["value"]);
    assert_eq!(monthly[11]["month"], "2025-09");
    assert_eq!(monthly[11]["revenue"], rows[0]["last_year"]);
}

// ---------------------------------------------------------------------------------------------
// Tier migration by hand

/// Pyramid tier (1%, 5%, 20% of customers) of every customer with a row up to `as_of`, by
/// monetary (net revenue) descending, then id.
fn tiers_by_hand(as_of: NaiveDate) -> BTreeMap<String, (&'static str, i128)> {
    let ships = Csv::read("shipments.csv");
    let agg = aggregate(&ships, 2, |c, i| date(c.get(i, "ship_date")) <= as_of);
    let mut order: Vec<(&String, i128)> = agg.iter().map(|(c, a)| (c, a.value)).collect();
    order.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let n = order.len();
    order
        .iter()
        .enumerate()
        .map(|(p, (c, v))| ((*c).clone(), (pyramid_tier(p + 1, n, [1, 5, 20]), *v)))
        .collect()
}

#[test]
fn tier_migration_matches_a_computation_from_the_csv_file() {
    let report = report_json(PERIOD);
    let m = &report["tier_migration"];
    let before = tiers_by_hand(date("2026-08-31"));
    let now = tiers_by_hand(date("2026-09-30"));
    let order = ["VIP", "Key", "General", "Small"];
    let rank = |t: &str| order.iter().position(|o| *o == t).expect("a tier");
    let mut matrix: BTreeMap<(String, String), i64> = BTreeMap::new();
    let (mut up, mut down, mut same, mut new) = (0, 0, 0, 0);
    let mut moved = Vec::new();
    for (c, (to, _)) in &now {
        let from = before.get(c).map_or("new", |b| b.0);
        *matrix
            .entry((from.to_string(), to.to_string()))
            .or_default() += 1;
        match before.get(c) {
            None => new += 1,
            Some((f, _)) if rank(to) < rank(f) => {
                up += 1;
                moved.push((c.clone(), "up"));
            }
            Some((f, _)) if rank(to) > rank(f) => {
                down += 1;
                moved.push((c.clone(), "down"));
            }
            Some(_) => same += 1,
        }
    }
    assert_eq!(m["from_as_of"], "2026-08-31");
    assert_eq!(m["to_as_of"], "2026-09-30");
    assert_eq!(m["customers"], now.len() as i64);
    assert_eq!(m["moved_up"], up);
    assert_eq!(m["moved_down"], down);
    assert_eq!(m["unchanged"], same);
    assert_eq!(m["new"], new);
    let rows = m["matrix"].as_array().expect("matrix rows");
    let froms: Vec<&str> = rows.iter().filter_map(|r| r["from"].as_str()).collect();
    assert_eq!(froms, ["VIP", "Key", "General", "Small", "new"]);
    for r in rows {
        let from = r["from"].as_str().expect("from");
        let mut total = 0;
        for to in order {
            let want = matrix
                .get(&(from.to_string(), to.to_string()))
                .copied()
                .unwrap_or(0);
            assert_eq!(r[to.to_ascii_lowercase()], want, "{from} → {to}");
            total += want;
        }
        assert_eq!(r["customers"], total, "{from}");
    }
    // Who moved, and which of them left VIP or Key.
    let listed: BTreeSet<(String, String)> = m["moved"]
        .as_array()
        .expect("moved")
        .iter()
        .map(|r| {
            (
                r["customer_id"].as_str().unwrap_or("").to_string(),
                r["move"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let want: BTreeSet<(String, String)> = moved
        .iter()
        .map(|(c, d)| (c.clone(), d.to_string()))
        .collect();
    assert_eq!(listed, want);
    let dropped: Vec<&str> = m["dropped"]
        .as_array()
        .expect("dropped")
        .iter()
        .filter_map(|r| r["customer_id"].as_str())
        .collect();
    let want_dropped: Vec<&String> = moved
        .iter()
        .filter(|(c, d)| *d == "down" && rank(before[c].0) < 2)
        .map(|(c, _)| c)
        .collect();
    assert_eq!(dropped.len(), want_dropped.len());
    // The fixture's September: C000088 Small → General, C000093 General → Small, one new.
    assert_eq!(
        want,
        BTreeSet::from([
            ("C000088".to_string(), "up".to_string()),
            ("C000093".to_string(), "down".to_string()),
        ])
    );
    assert_eq!(new, 1);
}

#[test]
fn a_month_with_a_customer_dropping_out_of_key_names_it() {
    // Find a month where a VIP or Key customer moved down, and check it is named.
    let ends = [
        "2025-06", "2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12", "2026-01",
        "2026-02", "2026-03", "2026-04", "2026-05", "2026-06", "2026-07", "2026-08",
    ];
    for w in ends.windows(2) {
        let before = tiers_by_hand(month_end(w[0]));
        let now = tiers_by_hand(month_end(w[1]));
        let rank = |t: &str| {
            ["VIP", "Key", "General", "Small"]
                .iter()
                .position(|o| *o == t)
        };
        let mut want: Vec<(i128, String)> = now
            .iter()
            .filter_map(|(c, (to, _))| {
                let (from, v) = before.get(c)?;
                (rank(from)? < 2 && rank(to)? > rank(from)?).then(|| (*v, c.clone()))
            })
            .collect();
        if want.is_empty() {
            continue;
        }
        want.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let report = report_json(w[1]);
        let got: Vec<String> = report["tier_migration"]["dropped"]
            .as_array()
            .expect("dropped")
            .iter()
            .map(|r| r["customer_id"].as_str().unwrap_or("").to_string())
            .collect();
        let want: Vec<String> = want.into_iter().map(|(_, c)| c).collect();
        assert_eq!(got, want, "{}", w[1]);
        let md = report_text(w[1], "r.md", &[]);
        for c in &want {
            assert!(md.contains(c.as_str()), "{c} not named in {}", w[1]);
        }
        return;
    }
    panic!("no month of the fixture has a VIP or Key customer moving down");
}

// ---------------------------------------------------------------------------------------------
// Cron: atomic writing, same bytes, errors

/// Files of a directory, sorted.
fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("readable")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_failing_run_leaves_an_existing_report_untouched() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("report.html");
    std::fs::write(&path, "last month's report\n").expect("written");
    // Bad data (exit 1), a period after the data (exit 1), a bad period (exit 2).
    let bad_data = {
        let mut a = full(PERIOD, &path);
        a[4] = "testdata/bad/bad_money.csv".into();
        a
    };
    let stale = full("2027-03", &path);
    let bad_period = full("2026-13", &path);
    for (args, code, says) in [
        (bad_data, 1, "could not be read"),
        (stale, 1, "is the export up to date?"),
        (bad_period, 2, "--period 2026-13"),
    ] {
        let out = run_args(&args);
        assert_eq!(out.code, Some(code), "{args:?}\n{}", out.stderr);
        assert!(out.stderr.contains("error: "), "{}", out.stderr);
        assert!(out.stderr.contains(says), "{}", out.stderr);
        assert_eq!(out.stdout, "");
        assert_eq!(
            std::fs::read_to_string(&path).expect("still there"),
            "last month's report\n"
        );
        assert_eq!(files(dir.path()), ["report.html"], "no temporary file left");
    }
    // A run that succeeds replaces it, and leaves nothing else behind.
    ok_args(&full(PERIOD, &path));
    let html = std::fs::read_to_string(&path).expect("written");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_eq!(files(dir.path()), ["report.html"]);
    // An output folder that does not exist: exit 1, nothing created.
    let missing = dir.path().join("no/such/dir/report.html");
    let out = run_args(&full(PERIOD, &missing));
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(!missing.exists());
}

#[test]
fn the_same_inputs_give_the_same_bytes() {
    for name in ["r.html", "r.md", "r.json"] {
        let a = report_text(PERIOD, name, &[]);
        let b = report_text(PERIOD, name, &[]);
        assert!(a == b, "{name} differs between runs");
        assert!(!a.contains("Generated") && !a.contains("\"generated\""));
    }
    let stamped = report_text(PERIOD, "r.json", &["--stamp"]);
    let generated = json(&stamped)["generated"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(generated.starts_with("20"), "{generated}");
    let md = report_text(PERIOD, "r.md", &["--stamp"]);
    assert!(md.contains("- **Generated**: 20"), "{md}");
}

#[test]
fn period_last_is_the_last_complete_month() {
    let today = chrono::Local::now().date_naive();
    let first = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).expect("a date");
    let last = first.pred_opt().expect("a date");
    let label = format!("{:04}-{:02}", last.year(), last.month());
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("r.json");
    let out = run_args(&full("last", &path));
    // The fixture's shipments run to 2026-10-29: later months fail as stale.
    if first > date("2026-11-01") {
        assert_eq!(out.code, Some(1), "{}", out.stderr);
        assert!(out.stderr.contains(&format!("before {label} begins")));
    } else {
        assert_eq!(out.code, Some(0), "{}", out.stderr);
        let v = json(&std::fs::read_to_string(&path).expect("written"));
        assert_eq!(v["period"], label.as_str());
        assert_eq!(v["as_of"], last.to_string().as_str());
    }
}

#[test]
fn usage_errors_exit_2_before_reading() {
    let base = ["report", "--shipments", SHIPMENTS];
    let cases: [(&[&str], &str); 8] = [
        (&["--period", "2026-9-1", "-o", "r.md"], "--period 2026-9-1"),
        (&["--period", "Sept", "-o", "r.md"], "YYYY-MM"),
        (&["--period", "2026-09"], "report needs -o FILE"),
        (
            &["--period", "2026-09", "-o", "r.txt"],
            ".html, .md or .json",
        ),
        (
            &["--period", "2026-09", "-o", "r.md", "--format", "csv"],
            "--format csv",
        ),
        (
            &["--period", "2026-09", "-o", "r.md", "--limit", "5"],
            "--limit",
        ),
        (
            &["--period", "2026-09", "-o", "r.md", "--payments", INVOICES],
            "--payments needs --invoices",
        ),
        (&["-o", "r.md"], "--period"),
    ];
    for (extra, says) in cases {
        let mut args: Vec<&str> = base.to_vec();
        args.extend_from_slice(extra);
        let out = fails(&args, 2);
        assert!(out.stderr.contains(says), "{args:?}: {}", out.stderr);
        assert!(!Path::new(ROOT).join("r.md").exists());
    }
}

#[test]
fn stdout_and_quiet() {
    let md_file = report_text(PERIOD, "r.md", &[]);
    let mut args = full(PERIOD, Path::new("-"));
    args.extend(["--format", "markdown", "--quiet"].map(String::from));
    let out = ok_args(&args);
    assert_eq!(out.stdout, md_file);
    assert_eq!(out.stderr, "", "--quiet prints nothing but errors");
    // -o - without --format is HTML; notes go to stderr without --quiet.
    let out = ok_args(&full(PERIOD, Path::new("-")));
    assert!(out.stdout.starts_with("<!DOCTYPE html>"));
    assert!(
        out.stderr.lines().all(|l| l.starts_with("note: ")),
        "{}",
        out.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// Missing data, HTML

#[test]
fn sections_without_their_data_say_so() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let json_path = dir.path().join("r.json");
    let md_path = dir.path().join("r.md");
    for path in [&json_path, &md_path] {
        ok(&[
            "report",
            "--period",
            "2024-03",
            "--shipments",
            SHIPMENTS,
            "-o",
            arg(path),
        ]);
    }
    let v = json(&std::fs::read_to_string(&json_path).expect("written"));
    for key in ["aging", "dso_trend", "ratios", "tier_migration"] {
        assert_eq!(v[key], Value::Null, "{key}");
    }
    let reasons: BTreeMap<String, String> = v["unavailable"]
        .as_array()
        .expect("unavailable")
        .iter()
        .map(|r| {
            (
                r["part"].as_str().unwrap_or("").to_string(),
                r["reason"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(reasons["aging"], "no --invoices given");
    assert_eq!(reasons["ratios"], "no --financials given");
    assert_eq!(
        reasons["tier_migration"],
        "no shipments on or before 2024-02-29: nothing to compare"
    );
    // The first month of data: no previous month, no last year, overdue unknown.
    let kpis = v["kpis"].as_array().expect("kpis");
    for r in kpis {
        assert_eq!(r["previous"], Value::Null, "{r}");
        assert_eq!(r["last_year"], Value::Null, "{r}");
    }
    let overdue = kpis
        .iter()
        .find(|r| r["kpi"] == "overdue_receivables")
        .expect("overdue row");
    assert_eq!(overdue["value"], Value::Null);
    let md = std::fs::read_to_string(&md_path).expect("written");
    assert!(md.contains("*Not available:* no --invoices given"), "{md}");
    assert!(
        md.contains("*Not available:* no --financials given"),
        "{md}"
    );
    assert!(md.contains("Overdue receivables are empty: no --invoices given."));
}

#[test]
fn html_is_one_self_contained_page() {
    let html = report_text(PERIOD, "r.html", &[]);
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(html.ends_with("</body>\n</html>\n"));
    for banned in ["<script", "src=", "<link", "@import", "url(", "href=\"http"] {
        assert!(!html.contains(banned), "contains {banned}");
    }
    assert_eq!(html.matches("<svg ").count(), 5, "five charts");
    assert!(html.contains("Noto Sans CJK SC") && html.contains("Microsoft YaHei"));
    assert!(html.contains("@media print"));
    for id in [
        "kpis",
        "key-customers",
        "tiers",
        "churn",
        "receivables",
        "service",
        "monthly",
        "definitions",
    ] {
        assert!(html.contains(&format!("<section id=\"{id}\">")), "{id}");
        assert!(html.contains(&format!("<a href=\"#{id}\">")), "{id}");
    }
    let zh = report_text(PERIOD, "r.html", &["--lang", "zh"]);
    assert!(zh.starts_with("<!DOCTYPE html>\n<html lang=\"zh-CN\">"));
    for text in ["客户月度报告 2026-09", "核心指标", "帕累托曲线", "VIP客户"] {
        assert!(zh.contains(text), "{text}");
    }
}
