//! The tier rules of `crm-cli tier`, end to end on testdata/shipments.csv (120 customers) and on
//! small files built here: ordering, shares, the value pyramid, annualised spend tiers, scoring
//! within groups (`--by`) and the summary tables. Expected values are computed in the tests from
//! the fixture with exact integer arithmetic.

mod common;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use common::*;

const SHIPMENTS: &str = "testdata/shipments.csv";

fn shipments() -> Csv {
    Csv::read("shipments.csv")
}

/// Per customer of shipments.csv, revenue in cents.
fn per_customer() -> BTreeMap<String, Agg> {
    aggregate(&shipments(), 2, |_, _| true)
}

/// shipments.csv without its 11 credit notes (negative revenue), in a temporary file. Whether a
/// credit note counts as activity (last_date, frequency) is disputed (see
/// `credit_notes_count_as_activity_in_shipments_csv`); without them both readings agree, so the
/// tests of the scoring rules use this file.
struct CreditFree {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    data: Csv,
}

fn credit_free() -> CreditFree {
    let text = std::fs::read_to_string(testdata("shipments.csv")).expect("read");
    let data = Csv::parse(&text);
    let revenue = data.col("revenue");
    let mut kept = String::new();
    let mut dropped = 0;
    for (i, line) in text.lines().enumerate() {
        // One record per line in this file (checked by the row count below).
        if i > 0 && data.rows[i - 1][revenue].starts_with('-') {
            dropped += 1;
            continue;
        }
        kept.push_str(line);
        kept.push('\n');
    }
    assert_eq!(text.lines().count(), data.rows.len() + 1);
    assert_eq!(dropped, 11, "README: 11 rows with negative revenue");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("shipments_no_credit_notes.csv");
    std::fs::write(&path, &kept).expect("write");
    CreditFree {
        _dir: dir,
        path,
        data: Csv::parse(&kept),
    }
}

fn as_of(per: &BTreeMap<String, Agg>) -> NaiveDate {
    per.values().map(Agg::last).max().expect("rows")
}

fn window_start(per: &BTreeMap<String, Agg>) -> NaiveDate {
    per.values().map(Agg::first).min().expect("rows")
}

/// Customer ids sorted as the output must be: monetary descending, then id.
fn expected_order(per: &BTreeMap<String, Agg>) -> Vec<String> {
    let mut ids: Vec<&String> = per.keys().collect();
    ids.sort_by(|a, b| per[*b].value.cmp(&per[*a].value).then(a.cmp(b)));
    ids.into_iter().cloned().collect()
}

fn tier_csv(extra: &[&str]) -> Csv {
    let mut args = vec!["tier", SHIPMENTS, "--format", "csv"];
    args.extend_from_slice(extra);
    Csv::parse(&ok(&args).stdout)
}

#[test]
fn fixture_facts_from_the_readme() {
    let per = per_customer();
    assert_eq!(per.len(), 120);
    assert_eq!(as_of(&per), date("2026-10-29"));
    assert_eq!(window_start(&per), date("2024-03-01"));
    let total: i128 = per.values().map(|a| a.value).sum();
    assert_eq!(fmt_minor(total, 2), "9561014.80");

    let out = ok(&["tier", SHIPMENTS, "--summary", "--format", "ndjson"]);
    assert_eq!(out.stderr, "", "a clean export: no notes");
    let overview = out.stdout.lines().next().expect("overview");
    assert_eq!(raw_json_value(overview, "monetary_total"), "9561014.80");
    assert_eq!(raw_json_value(overview, "rows"), "1201");
    assert_eq!(raw_json_value(overview, "customers"), "120");
    assert_eq!(raw_json_value(overview, "as_of"), "\"2026-10-29\"");
    assert_eq!(raw_json_value(overview, "window_start"), "\"2024-03-01\"");
}

#[test]
fn customers_are_sorted_by_monetary_descending_then_id() {
    let per = per_customer();
    let t = tier_csv(&[]);
    assert_eq!(t.column("customer_id"), expected_order(&per));
    for (i, id) in t.column("customer_id").iter().enumerate() {
        assert_eq!(t.get(i, "monetary"), fmt_minor(per[*id].value, 2), "{id}");
    }
}

#[test]
fn dates_recency_and_frequency_per_customer() {
    let cf = credit_free();
    let per = aggregate(&cf.data, 2, |_, _| true);
    let asof = as_of(&per);
    let t = Csv::parse(&ok(&["tier", arg(&cf.path), "--format", "csv"]).stdout);
    assert_eq!(t.rows.len(), per.len());
    for (i, id) in t.column("customer_id").iter().enumerate() {
        let a = &per[*id];
        assert_eq!(t.get(i, "frequency"), a.ids.len().to_string(), "{id}");
        assert_eq!(t.get(i, "first_date"), a.first().to_string(), "{id}");
        assert_eq!(t.get(i, "last_date"), a.last().to_string(), "{id}");
        assert_eq!(
            t.get(i, "recency_days"),
            (asof - a.last()).num_days().to_string(),
            "{id}"
        );
    }
}

#[test]
fn credit_notes_count_in_monetary_but_are_not_shipments() {
    let data = shipments();
    let rev = data.col("revenue");
    // Shipments only (revenue ≥ 0) for dates and frequency; every row for monetary.
    let shipped = aggregate(&data, 2, |d, i| !d.rows[i][rev].starts_with('-'));
    let all = per_customer();
    let got = tier_csv(&[]).by("customer_id");
    for id in [
        "C000006", "C000018", "C000040", "C000074", "C000086", "C000113",
    ] {
        let s = &shipped[id];
        assert_eq!(got[id]["first_date"], s.first().to_string(), "{id}");
        assert_eq!(got[id]["last_date"], s.last().to_string(), "{id}");
        assert_eq!(got[id]["frequency"], s.ids.len().to_string(), "{id}");
        assert_eq!(minor(&got[id]["monetary"], 2), all[id].value, "{id}");
        assert!(all[id].value < s.value, "{id} has a credit note");
    }
    // Spelled out: C000040's credit note (S000000161, 2026-04-22) is its first row, not its
    // first shipment.
    assert_ne!(got["C000040"]["first_date"], "2026-04-22");
    assert_eq!(
        got["C000040"]["first_date"],
        shipped["C000040"].first().to_string()
    );
}

#[test]
fn pyramid_vip_1_key_5_general_20_percent_of_120_customers() {
    let t = tier_csv(&[]);
    let tiers = t.column("tier");
    // VIP = ceil(1% × 120) = 2, Key = ceil(5% × 120) − 2 = 4, General = ceil(20% × 120) − 6 = 18.
    let mut want = vec!["VIP"; 2];
    want.extend(vec!["Key"; 4]);
    want.extend(vec!["General"; 18]);
    want.extend(vec!["Small"; 96]);
    assert_eq!(tiers, want, "tiers by position in monetary order");
    // The documented default is --pyramid 1,4,15.
    assert_eq!(tier_csv(&["--pyramid", "1,4,15"]).rows, t.rows);
}

#[test]
fn pyramid_2_8_20() {
    let t = tier_csv(&["--pyramid", "2,8,20"]);
    let n = t.rows.len();
    for (i, tier) in t.column("tier").iter().enumerate() {
        assert_eq!(
            *tier,
            pyramid_tier(i + 1, n, [2, 10, 30]),
            "position {}",
            i + 1
        );
    }
    let count = |x: &str| t.column("tier").iter().filter(|v| **v == x).count();
    assert_eq!(
        (count("VIP"), count("Key"), count("General"), count("Small")),
        (3, 9, 24, 84)
    );
}

#[test]
fn fractional_and_empty_pyramid_shares() {
    // 0.5% of 120 = 0.6 → 1 VIP; 0% → no Key; 2.5% cumulative 3% → ceil(3.6) = 4.
    let t = tier_csv(&["--pyramid", "0.5,0,2.5"]);
    let count = |x: &str| t.column("tier").iter().filter(|v| **v == x).count();
    assert_eq!(
        (count("VIP"), count("Key"), count("General"), count("Small")),
        (1, 0, 3, 116)
    );
}

#[test]
fn shares_and_cumulative_shares() {
    let per = per_customer();
    let total: i128 = per.values().map(|a| a.value).sum();
    let t = tier_csv(&[]);
    let mut running = 0i128;
    for i in 0..t.rows.len() {
        let v = per[t.get(i, "customer_id")].value;
        running += v;
        let share = float(t.get(i, "share"));
        let cum = float(t.get(i, "cum_share"));
        assert!((share - v as f64 / total as f64).abs() < 1e-12, "row {i}");
        assert!(
            (cum - running as f64 / total as f64).abs() < 1e-12,
            "row {i}"
        );
    }
    assert_eq!(
        t.rows.last().map(|r| r[t.col("cum_share")].as_str()),
        Some("1")
    );
}

#[test]
fn scores_and_segments_follow_the_percentile_rule() {
    let cf = credit_free();
    let per = aggregate(&cf.data, 2, |_, _| true);
    let asof = as_of(&per);
    let ids: Vec<&String> = per.keys().collect();
    let rec: Vec<i64> = ids
        .iter()
        .map(|id| (asof - per[*id].last()).num_days())
        .collect();
    let freq: Vec<usize> = ids.iter().map(|id| per[*id].ids.len()).collect();
    let mon: Vec<i128> = ids.iter().map(|id| per[*id].value).collect();
    let (r, f, m) = (
        percentile_scores(&rec, false),
        percentile_scores(&freq, true),
        percentile_scores(&mon, true),
    );
    let got = Csv::parse(&ok(&["tier", arg(&cf.path), "--format", "csv"]).stdout).by("customer_id");
    assert_eq!(got.len(), 120);
    for (k, id) in ids.iter().enumerate() {
        let g = &got[*id];
        assert_eq!(g["r"], r[k].to_string(), "{id} r");
        assert_eq!(g["f"], f[k].to_string(), "{id} f");
        assert_eq!(g["m"], m[k].to_string(), "{id} m");
        assert_eq!(g["rfm"], format!("{}{}{}", r[k], f[k], m[k]), "{id}");
        assert_eq!(g["segment"], segment_of(r[k], f[k], m[k]), "{id} segment");
    }
}

#[test]
fn spend_tiers_compare_annualised_spend_with_the_thresholds() {
    let per = per_customer();
    // The window runs from the first ship date to as-of, both included.
    let window_days = (as_of(&per) - window_start(&per)).num_days() + 1;
    assert_eq!(window_days, 973);
    let (large, medium) = (50_000_000i128, 10_000_000i128); // cents
    let t = tier_csv(&["--tier-by", "spend", "--thresholds", "500000,100000"]);
    assert_eq!(
        t.headers[t.col("tier") + 1],
        "annualised",
        "spend tiers add the annualised column after tier"
    );
    let mut seen = BTreeMap::new();
    for i in 0..t.rows.len() {
        let id = t.get(i, "customer_id");
        let yearly = per[id].value * 365;
        let want = if yearly >= large * window_days as i128 {
            "Large"
        } else if yearly >= medium * window_days as i128 {
            "Medium"
        } else {
            "Small"
        };
        assert_eq!(t.get(i, "tier"), want, "{id}");
        *seen.entry(want).or_insert(0) += 1;
        // monetary × 365 / days, rounded half away from zero, in cents.
        let d = window_days as i128;
        let (q, rem) = (yearly / d, yearly % d);
        let rounded = q + if 2 * rem.abs() >= d {
            yearly.signum()
        } else {
            0
        };
        assert_eq!(t.get(i, "annualised"), fmt_minor(rounded, 2), "{id}");
    }
    assert_eq!(seen.get("Large"), Some(&1), "{seen:?}");
    assert!(seen.get("Medium").is_some_and(|n| *n > 1), "{seen:?}");
    // 500000,100000 is the default.
    assert_eq!(tier_csv(&["--tier-by", "spend"]).rows, t.rows);
}

#[test]
fn spend_window_starts_at_from() {
    let per: BTreeMap<String, Agg> = aggregate(&shipments(), 2, |d, i| {
        date(d.get(i, "ship_date")) >= date("2026-01-01")
    });
    let window_days = (as_of(&per) - date("2026-01-01")).num_days() as i128 + 1;
    let t = tier_csv(&[
        "--tier-by",
        "spend",
        "--thresholds",
        "200000,50000",
        "--from",
        "2026-01-01",
    ]);
    assert_eq!(t.rows.len(), per.len());
    for i in 0..t.rows.len() {
        let id = t.get(i, "customer_id");
        let yearly = per[id].value * 365;
        let want = if yearly >= 20_000_000 * window_days {
            "Large"
        } else if yearly >= 5_000_000 * window_days {
            "Medium"
        } else {
            "Small"
        };
        assert_eq!(t.get(i, "tier"), want, "{id}");
    }
}

#[test]
fn spend_thresholds_are_inclusive_and_exact() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("year.csv");
    // 2023-01-01..2023-12-31 = 365 days, so annualised = monetary.
    std::fs::write(
        &p,
        "shipment_id,customer_id,ship_date,revenue\n\
         S1,A,2023-01-01,250000.00\nS2,A,2023-12-31,250000.00\n\
         S3,B,2023-06-01,499999.99\nS4,C,2023-06-01,100000.00\nS5,D,2023-06-01,99999.99\n",
    )
    .expect("write");
    let t = Csv::parse(&ok(&["tier", arg(&p), "--tier-by", "spend", "--format", "csv"]).stdout);
    let got = t.by("customer_id");
    for (id, tier, annualised) in [
        ("A", "Large", "500000.00"),
        ("B", "Medium", "499999.99"),
        ("C", "Medium", "100000.00"),
        ("D", "Small", "99999.99"),
    ] {
        assert_eq!(got[id]["tier"], tier, "{id}");
        assert_eq!(got[id]["annualised"], annualised, "{id}");
    }
}

#[test]
fn annualised_spend_rounds_half_away_from_zero() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("two_days.csv");
    // A 2-day window: × 182.5.
    std::fs::write(
        &p,
        "shipment_id,customer_id,ship_date,revenue\n\
         S1,A,2024-01-01,0.01\nS2,B,2024-01-02,-0.01\nS3,C,2024-01-02,1.00\n",
    )
    .expect("write");
    let got = Csv::parse(&ok(&["tier", arg(&p), "--tier-by", "spend", "--format", "csv"]).stdout)
        .by("customer_id");
    assert_eq!(got["A"]["annualised"], "1.83"); // 1.825
    assert_eq!(got["B"]["annualised"], "-1.83");
    assert_eq!(got["C"]["annualised"], "182.50");
}

#[test]
fn by_lane_scores_segments_and_tiers_within_each_lane() {
    let cf = credit_free();
    let data = &cf.data;
    let asof = as_of(&aggregate(data, 2, |_, _| true));
    // (lane, customer) → aggregate.
    let mut lanes: BTreeMap<String, BTreeMap<String, Agg>> = BTreeMap::new();
    for i in 0..data.rows.len() {
        lanes
            .entry(data.get(i, "lane").to_string())
            .or_default()
            .entry(data.get(i, "customer_id").to_string())
            .or_default()
            .add(
                data.get(i, "shipment_id"),
                date(data.get(i, "ship_date")),
                minor(data.get(i, "revenue"), 2),
            );
    }
    assert_eq!(lanes.len(), 6);

    let t = Csv::parse(&ok(&["tier", arg(&cf.path), "--by", "lane", "--format", "csv"]).stdout);
    // The group column comes first and keeps the name of what it groups by.
    assert_eq!(t.headers[0], "lane");
    let total_rows: usize = lanes.values().map(BTreeMap::len).sum();
    assert_eq!(t.rows.len(), total_rows);

    let mut start = 0;
    for (lane, per) in &lanes {
        let n = per.len();
        let rows = start..start + n;
        start += n;
        let order = expected_order(per);
        let ids: Vec<&String> = per.keys().collect();
        let rec: Vec<i64> = ids
            .iter()
            .map(|id| (asof - per[*id].last()).num_days())
            .collect();
        let freq: Vec<usize> = ids.iter().map(|id| per[*id].ids.len()).collect();
        let mon: Vec<i128> = ids.iter().map(|id| per[*id].value).collect();
        let (r, f, m) = (
            percentile_scores(&rec, false),
            percentile_scores(&freq, true),
            percentile_scores(&mon, true),
        );
        let score: BTreeMap<&str, (u8, u8, u8)> = ids
            .iter()
            .enumerate()
            .map(|(k, id)| (id.as_str(), (r[k], f[k], m[k])))
            .collect();
        let mut vips = 0;
        for (pos, i) in rows.enumerate() {
            let id = t.get(i, "customer_id");
            assert_eq!(t.get(i, "lane"), lane, "row {i}");
            assert_eq!(id, order[pos], "{lane}: monetary order");
            let a = &per[id];
            assert_eq!(t.get(i, "monetary"), fmt_minor(a.value, 2), "{lane} {id}");
            assert_eq!(
                t.get(i, "frequency"),
                a.ids.len().to_string(),
                "{lane} {id}"
            );
            assert_eq!(
                t.get(i, "recency_days"),
                (asof - a.last()).num_days().to_string(),
                "{lane} {id}"
            );
            let (sr, sf, sm) = score[id];
            assert_eq!(t.get(i, "rfm"), format!("{sr}{sf}{sm}"), "{lane} {id}");
            assert_eq!(t.get(i, "segment"), segment_of(sr, sf, sm), "{lane} {id}");
            assert_eq!(
                t.get(i, "tier"),
                pyramid_tier(pos + 1, n, [1, 5, 20]),
                "{lane} {id}"
            );
            vips += usize::from(t.get(i, "tier") == "VIP");
            if pos + 1 == n {
                assert_eq!(t.get(i, "cum_share"), "1", "{lane}: shares within the lane");
            }
        }
        assert_eq!(vips, 1, "{lane} has its own VIP");
    }
}

#[test]
fn by_an_extra_column_groups_by_its_text() {
    // Any header works with --by, not only the canonical group fields.
    let t = Csv::parse(
        &ok(&[
            "tier",
            "testdata/line_items.csv",
            "--skip-bad-rows",
            "--by",
            "Country",
            "--format",
            "csv",
            "--quiet",
        ])
        .stdout,
    );
    assert_eq!(t.rows.len(), 15);
    assert_eq!(t.headers[0], "Country");
    assert!(t.column("Country").iter().all(|g| *g == "United Kingdom"));
}

fn median(v: &mut [i64]) -> Option<f64> {
    v.sort_unstable();
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(v[n / 2] as f64),
        _ => Some((v[n / 2 - 1] + v[n / 2]) as f64 / 2.0),
    }
}

#[test]
fn summary_tiers_table() {
    let cf = credit_free();
    let per = aggregate(&cf.data, 2, |_, _| true);
    let asof = as_of(&per);
    let order = expected_order(&per);
    let total: i128 = per.values().map(|a| a.value).sum();
    let out = ok(&["tier", arg(&cf.path), "--summary", "--format", "ndjson"]);
    let tiers: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with("{\"section\":\"tiers\""))
        .collect();
    assert_eq!(tiers.len(), 4);
    for (line, label) in tiers.iter().zip(["VIP", "Key", "General", "Small"]) {
        assert_eq!(raw_json_value(line, "tier"), format!("\"{label}\""));
        let members: Vec<&String> = order
            .iter()
            .enumerate()
            .filter(|(pos, _)| pyramid_tier(pos + 1, 120, [1, 5, 20]) == label)
            .map(|(_, id)| id)
            .collect();
        let mon: i128 = members.iter().map(|id| per[*id].value).sum();
        assert_eq!(
            raw_json_value(line, "customers"),
            members.len().to_string(),
            "{label}"
        );
        assert_eq!(
            raw_json_value(line, "monetary"),
            fmt_minor(mon, 2),
            "{label}"
        );
        let v = json(line);
        let share = v["monetary_share"].as_f64().expect("share");
        assert!((share - mon as f64 / total as f64).abs() < 1e-12, "{label}");
        let mut rec: Vec<i64> = members
            .iter()
            .map(|id| (asof - per[*id].last()).num_days())
            .collect();
        let mut freq: Vec<i64> = members.iter().map(|id| per[*id].ids.len() as i64).collect();
        assert_eq!(
            v["median_recency_days"].as_f64(),
            median(&mut rec),
            "{label}"
        );
        assert_eq!(v["median_frequency"].as_f64(), median(&mut freq), "{label}");
    }
}

#[test]
fn summary_segments_count_every_customer_once_in_rule_order() {
    let customers = tier_csv(&[]);
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for s in customers.column("segment") {
        *counts.entry(s).or_default() += 1;
    }
    let v = json(&ok(&["tier", SHIPMENTS, "--summary", "--format", "json"]).stdout);
    let segs = v["segments"].as_array().expect("segments");
    let labels: Vec<&str> = segs
        .iter()
        .map(|s| s["segment"].as_str().expect("label"))
        .collect();
    // Only segments with customers, in the order of the rules, Others last.
    let rule_order: Vec<&str> = SEGMENT_RULES
        .iter()
        .map(|r| r.0)
        .chain(["Others"])
        .filter(|l| counts.contains_key(l))
        .collect();
    assert_eq!(labels, rule_order);
    for s in segs {
        let label = s["segment"].as_str().expect("label");
        assert_eq!(
            s["customers"].as_u64(),
            Some(counts[label] as u64),
            "{label}"
        );
    }
}

/// A customer's name is the last non-empty one in file order; a customer never named has none,
/// and a name seen only outside the window does not count. The same whether the loader sums the
/// rows up while reading (a file) or the rows are loaded (stdin), in tier and pareto.
#[test]
fn names_are_the_last_written_and_may_be_missing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let body = "shipment_id,customer_id,customer_name,ship_date,revenue\n\
                S1,A,Acme,2024-01-01,100\n\
                S2,B,,2024-01-02,50\n\
                S3,A,,2024-01-03,10\n\
                S4,C,Old name,2023-12-01,5\n\
                S5,C,,2024-01-04,7\n\
                S6,A,Acme Ltd,2023-06-01,1\n";
    let path = dir.path().join("names.csv");
    std::fs::write(&path, body).expect("write");
    let file = path.to_str().expect("utf-8 path");
    let names = |out: &Out, key: &str| -> Vec<(String, String)> {
        let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
        let rows = v.as_array().expect("rows").clone();
        rows.iter()
            .map(|r| {
                (
                    r[key].as_str().unwrap_or("").to_string(),
                    r["customer_name"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    };
    let want = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    let all = want(&[("A", "Acme Ltd"), ("B", ""), ("C", "Old name")]);
    let from_2024 = want(&[("A", "Acme"), ("B", ""), ("C", "")]);
    for (args, expect) in [
        (vec!["tier", file, "--format", "json"], &all),
        (vec!["pareto", file, "--format", "json"], &all),
        (
            vec!["tier", file, "--from", "2024-01-01", "--format", "json"],
            &from_2024,
        ),
        (
            vec!["pareto", file, "--from", "2024-01-01", "--format", "json"],
            &from_2024,
        ),
    ] {
        let key = "customer_id";
        let mut got = names(&ok(&args), key);
        got.sort();
        assert_eq!(&got, expect, "{args:?}");
        // the same from stdin (rows loaded, then summed up by polars)
        let mut stdin_args = args.clone();
        stdin_args[1] = "-";
        let out = run_stdin(&stdin_args, body.as_bytes().to_vec());
        let mut got = names(&out, key);
        got.sort();
        assert_eq!(&got, expect, "stdin {args:?}");
    }
}
