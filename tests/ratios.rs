//! `crm-cli ratios` end to end: Apple Inc.'s published FY2019/FY2020 statements checked against
//! a hand computation; every ratio of testdata/financials.csv (120 customers × 2 year ends)
//! against a reference written here from the fixture with exact integer arithmetic; empty
//! optional fields and zero denominators; the 400-day rule and grade boundaries
//! (testdata/ratios/edge_cases.csv); the GBK Chinese-header fixture against its English twin;
//! --latest, --as-of, --summary, thresholds from flags and crm.toml, and errors.
//!
//! A ratio's expected float is the exact fraction of whole minor units rounded once to the
//! nearest f64 (`num as f64 / den as f64`, exact operands below 2^53); crm-cli prints the
//! shortest text that reads back as the same float, so the comparisons are exact equalities.

mod common;

use std::collections::BTreeMap;

use common::*;

const FIN: &str = "testdata/financials.csv";
const APPLE: &str = "testdata/ratios/apple_10k.csv";
const EDGE: &str = "testdata/ratios/edge_cases.csv";
const GBK: &str = "testdata/ratios/financials_gbk.csv";
const GBK_EN: &str = "testdata/ratios/financials_gbk_en.csv";

const NO_PREVIOUS: &str = "no previous period end: averages use period-end values";
const REVENUE_USED: &str = "no credit_sales: revenue used";

/// The ratio columns, in output order (cost_profit_ratio only when the data has total_costs).
const RATIOS: [&str; 10] = [
    "current_ratio",
    "quick_ratio",
    "cash_ratio",
    "debt_ratio",
    "receivable_turnover",
    "dso",
    "inventory_turnover",
    "dio",
    "roa",
    "net_margin",
];

fn ratios_csv(args: &[&str]) -> Csv {
    let mut all = vec!["ratios"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "csv"]);
    Csv::parse(&ok(&all).stdout)
}

/// Output rows by (customer_id, period_end).
fn keyed(out: &Csv) -> BTreeMap<(String, String), BTreeMap<String, String>> {
    let mut m = BTreeMap::new();
    for r in &out.rows {
        let rec: BTreeMap<String, String> = out.headers.iter().cloned().zip(r.clone()).collect();
        let key = (rec["customer_id"].clone(), rec["period_end"].clone());
        assert!(m.insert(key.clone(), rec).is_none(), "{key:?} twice");
    }
    m
}

/// num / den rounded once; None for a zero denominator.
fn q(num: i128, den: i128) -> Option<f64> {
    (den != 0).then(|| num as f64 / den as f64)
}

/// An output cell as a ratio: None when empty.
fn cell(rec: &BTreeMap<String, String>, key: &str) -> Option<f64> {
    let s = rec
        .get(key)
        .unwrap_or_else(|| panic!("no column {key} in {rec:?}"));
    (!s.is_empty()).then(|| float(s))
}

fn assert_ratio(rec: &BTreeMap<String, String>, key: &str, expected: Option<f64>) {
    assert_eq!(
        cell(rec, key),
        expected,
        "{key} of {} {}",
        rec["customer_id"],
        rec["period_end"]
    );
}

// ---------------------------------------------------------------------------------------------
// Apple Inc., Form 10-K for the fiscal year ended September 26, 2020 (testdata/README.md).

#[test]
fn apple_fy2019_fy2020_match_the_hand_computation() {
    let out = keyed(&ratios_csv(&[APPLE]));
    assert_eq!(out.len(), 2);
    let close = |rec: &BTreeMap<String, String>, key: &str, hand: f64| {
        let v = cell(rec, key).unwrap_or_else(|| panic!("{key} empty"));
        assert!((v - hand).abs() < 5e-5, "{key}: {v} vs hand {hand}");
    };

    // FY2019, balance sheet at 2019-09-28 (USD millions). No earlier period end in the file,
    // so the averages are the period-end values, and the row says so.
    let y19 = &out[&("AAPL".to_string(), "2019-09-28".to_string())];
    assert_eq!(y19["previous_period_end"], "");
    // current = 162,819 / 105,718 = 1.5401
    assert_ratio(y19, "current_ratio", q(162_819, 105_718));
    close(y19, "current_ratio", 1.5401);
    // quick = (162,819 − 4,106 inventories − 0 prepaid, not reported) / 105,718
    //       = 158,713 / 105,718 = 1.5013
    assert_ratio(y19, "quick_ratio", q(158_713, 105_718));
    close(y19, "quick_ratio", 1.5013);
    // cash = (48,844 cash + 51,713 current marketable securities) / 105,718 = 100,557 / 105,718
    //      = 0.9512
    assert_ratio(y19, "cash_ratio", q(100_557, 105_718));
    close(y19, "cash_ratio", 0.9512);
    // debt = 248,028 / 338,516 = 0.7327
    assert_ratio(y19, "debt_ratio", q(248_028, 338_516));
    close(y19, "debt_ratio", 0.7327);
    // receivable turnover = 260,174 net sales (no credit sales reported) / 22,926 = 11.3484
    assert_ratio(y19, "receivable_turnover", q(260_174, 22_926));
    close(y19, "receivable_turnover", 11.3484);
    // DSO = 365 / 11.3484 = 365 × 22,926 / 260,174 = 8,367,990 / 260,174 = 32.1631 days
    assert_ratio(y19, "dso", q(8_367_990, 260_174));
    close(y19, "dso", 32.1631);
    // inventory turnover = 161,782 cost of sales / 4,106 = 39.4014
    assert_ratio(y19, "inventory_turnover", q(161_782, 4_106));
    close(y19, "inventory_turnover", 39.4014);
    // DIO = 365 × 4,106 / 161,782 = 1,498,690 / 161,782 = 9.2636 days
    assert_ratio(y19, "dio", q(1_498_690, 161_782));
    close(y19, "dio", 9.2636);
    // ROA = 55,256 / 338,516 = 0.1632; net margin = 55,256 / 260,174 = 0.2124
    assert_ratio(y19, "roa", q(55_256, 338_516));
    close(y19, "roa", 0.1632);
    assert_ratio(y19, "net_margin", q(55_256, 260_174));
    close(y19, "net_margin", 0.2124);
    // 1 ≤ 1.54 < 2: fair; 1.50 ≥ 1: good.
    assert_eq!(y19["current_grade"], "fair");
    assert_eq!(y19["quick_grade"], "good");
    assert_eq!(y19["notes"], format!("{NO_PREVIOUS}; {REVENUE_USED}"));

    // FY2020, balance sheet at 2020-09-26, 364 days after 2019-09-28 (52-week year): the
    // averages use both period ends.
    let y20 = &out[&("AAPL".to_string(), "2020-09-26".to_string())];
    assert_eq!(y20["previous_period_end"], "2019-09-28");
    // current = 143,713 / 105,392 = 1.3636
    assert_ratio(y20, "current_ratio", q(143_713, 105_392));
    close(y20, "current_ratio", 1.3636);
    // quick = (143,713 − 4,061) / 105,392 = 139,652 / 105,392 = 1.3251
    assert_ratio(y20, "quick_ratio", q(139_652, 105_392));
    close(y20, "quick_ratio", 1.3251);
    // cash = (38,016 + 52,927) / 105,392 = 90,943 / 105,392 = 0.8629
    assert_ratio(y20, "cash_ratio", q(90_943, 105_392));
    close(y20, "cash_ratio", 0.8629);
    // debt = 258,549 / 323,888 = 0.7983
    assert_ratio(y20, "debt_ratio", q(258_549, 323_888));
    close(y20, "debt_ratio", 0.7983);
    // average receivables = (16,120 + 22,926) / 2 = 19,523
    // receivable turnover = 274,515 / 19,523 = 14.0611
    assert_ratio(y20, "receivable_turnover", q(274_515, 19_523));
    close(y20, "receivable_turnover", 14.0611);
    // DSO = 365 × 19,523 / 274,515 = 7,125,895 / 274,515 = 25.9581 days
    assert_ratio(y20, "dso", q(7_125_895, 274_515));
    close(y20, "dso", 25.9581);
    // average inventories = (4,061 + 4,106) / 2 = 4,083.5
    // inventory turnover = 169,559 / 4,083.5 = 339,118 / 8,167 = 41.5230
    assert_ratio(y20, "inventory_turnover", q(339_118, 8_167));
    close(y20, "inventory_turnover", 41.5230);
    // DIO = 365 × 4,083.5 / 169,559 = 365 × 8,167 / 339,118 = 2,980,955 / 339,118 = 8.7903
    assert_ratio(y20, "dio", q(2_980_955, 339_118));
    close(y20, "dio", 8.7903);
    // average total assets = (323,888 + 338,516) / 2 = 331,202
    // ROA = 57,411 / 331,202 = 0.1733; net margin = 57,411 / 274,515 = 0.2091
    assert_ratio(y20, "roa", q(57_411, 331_202));
    close(y20, "roa", 0.1733);
    assert_ratio(y20, "net_margin", q(57_411, 274_515));
    close(y20, "net_margin", 0.2091);
    assert_eq!(y20["current_grade"], "fair");
    assert_eq!(y20["quick_grade"], "good");
    assert_eq!(y20["notes"], REVENUE_USED);
    // No total_costs column: no cost_profit_ratio column.
    assert!(!y20.contains_key("cost_profit_ratio"));

    // Conservative quick ratio = (cash + marketable securities + accounts receivable) / CL:
    // FY2019 (48,844 + 51,713 + 22,926) / 105,718 = 123,483 / 105,718 = 1.1680
    // FY2020 (38,016 + 52,927 + 16,120) / 105,392 = 107,063 / 105,392 = 1.0159
    let cons = keyed(&ratios_csv(&[APPLE, "--quick", "conservative"]));
    let c19 = &cons[&("AAPL".to_string(), "2019-09-28".to_string())];
    let c20 = &cons[&("AAPL".to_string(), "2020-09-26".to_string())];
    assert_ratio(c19, "quick_ratio", q(123_483, 105_718));
    close(c19, "quick_ratio", 1.1680);
    assert_ratio(c20, "quick_ratio", q(107_063, 105_392));
    close(c20, "quick_ratio", 1.0159);
    assert_eq!(c20["quick_grade"], "good");
    // The other ratios do not change.
    assert_eq!(c20["current_ratio"], y20["current_ratio"]);
}

// ---------------------------------------------------------------------------------------------
// A reference implementation of the rules, written from docs/metrics.md, over CSV records.

type Rec = BTreeMap<String, String>;

/// A money cell in cents; None when empty or when the column is absent.
fn m(rec: &Rec, field: &str) -> Option<i128> {
    rec.get(field)
        .filter(|s| !s.trim().is_empty())
        .map(|s| minor(s, 2))
}

fn div(num: Option<i128>, den: Option<i128>) -> Option<f64> {
    q(num?, den?)
}

/// ratio = num / den ≥ a / b, exactly (b > 0).
fn at_least(num: i128, den: i128, a: i128, b: i128) -> bool {
    let (n, d) = if den < 0 { (-num, -den) } else { (num, den) };
    n * b >= a * d
}

/// Grade with thresholds good = g.0 / g.1, fair = f.0 / f.1.
fn grade_of(r: Option<(i128, i128)>, g: (i128, i128), f: (i128, i128)) -> &'static str {
    match r {
        None => "",
        Some((n, d)) if at_least(n, d, g.0, g.1) => "good",
        Some((n, d)) if at_least(n, d, f.0, f.1) => "fair",
        Some(_) => "weak",
    }
}

/// Expected output of one record given its previous period's record (already known to be at
/// most 400 days earlier). Ratio values and the two grades.
fn reference(rec: &Rec, prev: Option<&Rec>, days: i128) -> BTreeMap<&'static str, String> {
    let z = |f: &str| m(rec, f).unwrap_or(0);
    let cl = m(rec, "current_liabilities").filter(|v| *v != 0);
    let ca = m(rec, "current_assets");
    let quick_num = ca.map(|ca| ca - z("inventory") - z("prepaid_expenses"));
    let cash_num = m(rec, "cash").map(|c| c + z("short_term_investments"));
    // (sum, count) of an average: both period ends when the previous one has the value.
    let avg = |f: &str| -> Option<(i128, i128)> {
        let this = m(rec, f)?;
        Some(match prev.and_then(|p| m(p, f)) {
            Some(p) => (this + p, 2),
            None => (this, 1),
        })
    };
    let per_avg = |flow: Option<i128>, a: Option<(i128, i128)>| -> Option<(i128, i128)> {
        let (flow, (sum, count)) = (flow?, a?);
        (sum != 0).then_some((flow * count, sum))
    };
    let sales = m(rec, "credit_sales").or(m(rec, "revenue"));
    let rt = per_avg(sales, avg("receivables"));
    let it = per_avg(m(rec, "cogs"), avg("inventory"));
    let days_of = |t: Option<(i128, i128)>| t.and_then(|(n, d)| q(days * d, n));
    let f = |r: Option<f64>| r.map_or(String::new(), |v| v.to_string());
    let pair = |n: Option<i128>, d: Option<i128>| n.zip(d).filter(|(_, d)| *d != 0);
    let mut out = BTreeMap::new();
    out.insert("current_ratio", f(div(ca, cl)));
    out.insert("quick_ratio", f(div(quick_num, cl)));
    out.insert("cash_ratio", f(div(cash_num, cl)));
    out.insert(
        "debt_ratio",
        f(div(m(rec, "total_liabilities"), m(rec, "total_assets"))),
    );
    out.insert("receivable_turnover", f(rt.and_then(|(n, d)| q(n, d))));
    out.insert("dso", f(days_of(rt)));
    out.insert("inventory_turnover", f(it.and_then(|(n, d)| q(n, d))));
    out.insert("dio", f(days_of(it)));
    out.insert(
        "roa",
        f(per_avg(m(rec, "net_income"), avg("total_assets")).and_then(|(n, d)| q(n, d))),
    );
    out.insert(
        "net_margin",
        f(div(m(rec, "net_income"), m(rec, "revenue"))),
    );
    out.insert(
        "current_grade",
        grade_of(pair(ca, cl), (2, 1), (1, 1)).to_string(),
    );
    out.insert(
        "quick_grade",
        grade_of(pair(quick_num, cl), (1, 1), (1, 2)).to_string(),
    );
    out
}

/// Records of a canonical-header CSV grouped by customer, sorted by period end.
fn by_customer(data: &Csv) -> BTreeMap<String, Vec<Rec>> {
    let mut out: BTreeMap<String, Vec<Rec>> = BTreeMap::new();
    for r in &data.rows {
        let rec: Rec = data.headers.iter().cloned().zip(r.clone()).collect();
        out.entry(rec["customer_id"].clone()).or_default().push(rec);
    }
    for v in out.values_mut() {
        v.sort_by(|a, b| a["period_end"].cmp(&b["period_end"]));
    }
    out
}

/// Compare every output row with the reference; returns the number of rows checked.
fn check_against_reference(data: &Csv, out: &Csv, days: i128) -> usize {
    let got = keyed(out);
    let mut n = 0;
    for (id, recs) in by_customer(data) {
        for (k, rec) in recs.iter().enumerate() {
            // In these files consecutive period ends are one year apart (≤ 400 days).
            let prev = k.checked_sub(1).map(|j| &recs[j]);
            if let Some(p) = prev {
                let gap = date(&rec["period_end"]) - date(&p["period_end"]);
                assert!(gap.num_days() <= 400, "{id}: {gap}");
            }
            let row = &got[&(id.clone(), rec["period_end"].clone())];
            for (key, want) in reference(rec, prev, days) {
                let have = &row[key];
                // Compare as floats where both are numbers ("1" and "1.0" are the same value).
                let same = match (have.parse::<f64>(), want.parse::<f64>()) {
                    (Ok(a), Ok(b)) => a == b,
                    _ => *have == want,
                };
                assert!(
                    same,
                    "{id} {} {key}: got '{have}', want '{want}'",
                    rec["period_end"]
                );
            }
            assert_eq!(
                row["previous_period_end"],
                prev.map_or(String::new(), |p| p["period_end"].clone()),
                "{id}"
            );
            n += 1;
        }
    }
    assert_eq!(n, got.len());
    n
}

#[test]
fn financials_csv_every_ratio_matches_the_reference() {
    let data = Csv::read("financials.csv");
    let out = ratios_csv(&[FIN]);
    assert_eq!(check_against_reference(&data, &out, 365), 240);
    // Sorted by customer_id, then period_end.
    let keys: Vec<(String, String)> = out
        .rows
        .iter()
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    // The first year of each customer has no previous period end and is flagged; the second
    // averages with the first and carries no flag (credit_sales is given, so no revenue flag).
    for r in keyed(&out).values() {
        match r["period_end"].as_str() {
            "2024-12-31" => {
                assert_eq!(r["previous_period_end"], "");
                assert_eq!(r["notes"], NO_PREVIOUS);
            }
            "2025-12-31" => {
                assert_eq!(r["previous_period_end"], "2024-12-31");
                assert_eq!(r["notes"], "");
            }
            other => panic!("unexpected period end {other}"),
        }
    }
    // No total_costs column in the file: no cost_profit_ratio column.
    assert!(!out.headers.contains(&"cost_profit_ratio".to_string()));
}

#[test]
fn financials_csv_averages_by_hand_for_c000001() {
    // C000001 in testdata/financials.csv (cents):
    //   2024-12-31: receivables 99,075.30, inventory 119,608.02, total assets 731,923.15
    //   2025-12-31: receivables 80,636.52, inventory 113,393.88, total assets 647,253.60,
    //               credit sales 235,581.12, cogs 178,796.34, net income 16,953.86
    // 2025 receivable turnover = 235,581.12 / ((99,075.30 + 80,636.52) / 2)
    //                          = 2 × 23,558,112 / 17,971,182 = 47,116,224 / 17,971,182 = 2.6218
    // 2025 DSO = 365 × 17,971,182 / 47,116,224 = 139.2192 days
    // 2025 inventory turnover = 2 × 17,879,634 / (11,960,802 + 11,339,388) = 35,759,268 /
    //                           23,300,190 = 1.5347
    // 2025 ROA = 2 × 1,695,386 / (73,192,315 + 64,725,360) = 3,390,772 / 137,917,675 = 0.0246
    // 2024 uses the period-end values: receivable turnover = 46,462,238 / 9,907,530 = 4.6896
    let out = keyed(&ratios_csv(&[FIN]));
    let y25 = &out[&("C000001".to_string(), "2025-12-31".to_string())];
    assert_ratio(y25, "receivable_turnover", q(47_116_224, 17_971_182));
    assert_ratio(y25, "dso", q(365 * 17_971_182, 47_116_224));
    assert_ratio(y25, "inventory_turnover", q(35_759_268, 23_300_190));
    assert_ratio(y25, "roa", q(3_390_772, 137_917_675));
    assert!((cell(y25, "receivable_turnover").unwrap_or(0.0) - 2.6218).abs() < 5e-5);
    assert!((cell(y25, "dso").unwrap_or(0.0) - 139.2192).abs() < 5e-5);
    let y24 = &out[&("C000001".to_string(), "2024-12-31".to_string())];
    assert_ratio(y24, "receivable_turnover", q(46_462_238, 9_907_530));
    assert!((cell(y24, "receivable_turnover").unwrap_or(0.0) - 4.6896).abs() < 5e-5);
}

/// testdata/financials.csv with some cells emptied or zeroed and a prepaid_expenses column,
/// in a temporary file.
struct Derived {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    data: Csv,
}

fn derived() -> Derived {
    let mut data = Csv::read("financials.csv");
    data.headers.push("prepaid_expenses".to_string());
    for r in &mut data.rows {
        r.push(String::new());
    }
    let cols: BTreeMap<String, usize> = data
        .headers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.clone(), i))
        .collect();
    let mut set = |id: &str, period: Option<&str>, field: &str, value: &str| {
        let mut hits = 0;
        for r in &mut data.rows {
            if r[0] == id && period.is_none_or(|p| r[1] == p) {
                r[cols[field]] = value.to_string();
                hits += 1;
            }
        }
        assert!(hits > 0, "{id} {period:?}");
    };
    // Empty optional fields: count as 0 in sums; inventory is the turnover's own input.
    set("C000003", None, "short_term_investments", "");
    set("C000003", None, "inventory", "");
    set("C000004", Some("2024-12-31"), "inventory", "");
    set("C000010", None, "prepaid_expenses", "1000.00");
    // Zero denominators.
    set("C000005", Some("2025-12-31"), "current_liabilities", "0.00");
    set("C000006", Some("2025-12-31"), "revenue", "0.00");
    set("C000007", Some("2025-12-31"), "credit_sales", "0.00");
    set("C000008", Some("2024-12-31"), "total_assets", "0.00");
    // A missing input.
    set("C000009", Some("2025-12-31"), "receivables", "");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("financials_derived.csv");
    let mut w = csv::Writer::from_path(&path).expect("create");
    w.write_record(&data.headers).expect("write");
    for r in &data.rows {
        w.write_record(r).expect("write");
    }
    w.flush().expect("flush");
    Derived {
        _dir: dir,
        path,
        data,
    }
}

#[test]
fn empty_optional_fields_and_zero_denominators_on_financials_csv() {
    let d = derived();
    let out = ratios_csv(&[arg(&d.path)]);
    assert_eq!(check_against_reference(&d.data, &out, 365), 240);
    let got = keyed(&out);
    let row = |id: &str, p: &str| &got[&(id.to_string(), p.to_string())];
    let src = by_customer(&d.data);
    let rec = |id: &str, k: usize| &src[id][k];

    // C000003: no short-term investments, no inventory. quick = current_assets / CL (prepaid
    // empty too), cash ratio = cash / CL; no inventory turnover or DIO.
    for (k, p) in ["2024-12-31", "2025-12-31"].iter().enumerate() {
        let (r, s) = (row("C000003", p), rec("C000003", k));
        let cl = m(s, "current_liabilities");
        assert_ratio(r, "quick_ratio", div(m(s, "current_assets"), cl));
        assert_ratio(r, "current_ratio", div(m(s, "current_assets"), cl));
        assert_ratio(r, "cash_ratio", div(m(s, "cash"), cl));
        assert_ratio(r, "inventory_turnover", None);
        assert_ratio(r, "dio", None);
    }
    // C000004: the 2024 inventory is empty, so 2025 turns over its own period-end inventory.
    let (r, s) = (row("C000004", "2025-12-31"), rec("C000004", 1));
    assert_ratio(
        r,
        "inventory_turnover",
        div(m(s, "cogs"), m(s, "inventory")),
    );
    assert_eq!(
        r["notes"],
        "previous inventory empty: period-end value used"
    );
    // C000010: prepaid expenses are subtracted in the quick ratio.
    let (r, s) = (row("C000010", "2025-12-31"), rec("C000010", 1));
    assert_ratio(
        r,
        "quick_ratio",
        div(
            m(s, "current_assets").map(|ca| ca - m(s, "inventory").unwrap_or(0) - 100_000),
            m(s, "current_liabilities"),
        ),
    );
    // C000005 2025: current liabilities 0 → current, quick and cash ratios and both grades
    // empty; the rest is computed.
    let r = row("C000005", "2025-12-31");
    for key in ["current_ratio", "quick_ratio", "cash_ratio"] {
        assert_ratio(r, key, None);
    }
    assert_eq!(r["current_grade"], "");
    assert_eq!(r["quick_grade"], "");
    assert!(cell(r, "debt_ratio").is_some());
    // C000006 2025: revenue 0 → net margin empty.
    assert_ratio(row("C000006", "2025-12-31"), "net_margin", None);
    // C000007 2025: credit sales 0 → receivable turnover 0 and DSO empty (365 / 0).
    let r = row("C000007", "2025-12-31");
    assert_ratio(r, "receivable_turnover", Some(0.0));
    assert_ratio(r, "dso", None);
    // C000008 2024: total assets 0 → debt ratio and ROA empty; 2025's ROA averages
    // (0 + total assets 2025) / 2, which is not zero.
    let r = row("C000008", "2024-12-31");
    assert_ratio(r, "debt_ratio", None);
    assert_ratio(r, "roa", None);
    let (r, s) = (row("C000008", "2025-12-31"), rec("C000008", 1));
    assert_ratio(
        r,
        "roa",
        q(
            2 * m(s, "net_income").unwrap_or(0),
            m(s, "total_assets").unwrap_or(0),
        ),
    );
    // C000009 2025: no receivables → no receivable turnover, no DSO, no revenue flag.
    let r = row("C000009", "2025-12-31");
    assert_ratio(r, "receivable_turnover", None);
    assert_ratio(r, "dso", None);
    assert_eq!(r["notes"], "");
    // Nothing is ever infinite or NaN.
    for r in got.values() {
        for key in RATIOS {
            if let Some(v) = cell(r, key) {
                assert!(v.is_finite(), "{key} {v}");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// testdata/ratios/edge_cases.csv (values in testdata/README.md)

#[test]
fn edge_cases_fixture() {
    let out = ratios_csv(&[EDGE]);
    assert!(out.headers.contains(&"cost_profit_ratio".to_string()));
    let got = keyed(&out);
    let row = |id: &str, p: &str| &got[&(id.to_string(), p.to_string())];

    // E01 2024: STI, inventory and prepaid empty. current 800/400 = 2 exactly → good;
    // quick (800 − 0 − 0)/400 = 2; cash (100 + 0)/400 = 0.25; debt 1200/2000 = 0.6;
    // receivable turnover 1825/200 = 9.125, DSO 365 × 200/1825 = 40; no inventory → no
    // inventory turnover; ROA 150/2000 = 0.075; net margin 150/3650; cost-profit 150/3000.
    let r = row("E01", "2024-12-31");
    for (key, v) in [
        ("current_ratio", Some(2.0)),
        ("quick_ratio", Some(2.0)),
        ("cash_ratio", Some(0.25)),
        ("debt_ratio", Some(0.6)),
        ("receivable_turnover", Some(9.125)),
        ("dso", Some(40.0)),
        ("inventory_turnover", None),
        ("dio", None),
        ("roa", Some(0.075)),
        ("net_margin", q(150, 3650)),
        ("cost_profit_ratio", Some(0.05)),
    ] {
        assert_ratio(r, key, v);
    }
    assert_eq!(r["current_grade"], "good");
    assert_eq!(r["quick_grade"], "good");
    assert_eq!(r["notes"], NO_PREVIOUS);

    // E01 2025: current 1000/500 = 2 → good; quick (1000 − 500 − 20)/500 = 0.96 → fair;
    // cash (120 + 30)/500 = 0.3; receivable turnover 1825/((200 + 300)/2) = 7.3, DSO 50;
    // the previous inventory is empty → 2000/500 = 4 with a flag, DIO 91.25;
    // ROA 250/((2000 + 3000)/2) = 0.1; total_costs empty → no cost-profit ratio.
    let r = row("E01", "2025-12-31");
    for (key, v) in [
        ("current_ratio", Some(2.0)),
        ("quick_ratio", Some(0.96)),
        ("cash_ratio", Some(0.3)),
        ("receivable_turnover", Some(7.3)),
        ("dso", Some(50.0)),
        ("inventory_turnover", Some(4.0)),
        ("dio", Some(91.25)),
        ("roa", Some(0.1)),
        ("cost_profit_ratio", None),
    ] {
        assert_ratio(r, key, v);
    }
    assert_eq!(r["current_grade"], "good");
    assert_eq!(r["quick_grade"], "fair");
    assert_eq!(
        r["notes"],
        "previous inventory empty: period-end value used"
    );

    // E02: current liabilities, total assets and revenue are 0, credit sales empty.
    let r = row("E02", "2025-12-31");
    for key in [
        "current_ratio",
        "quick_ratio",
        "cash_ratio",
        "debt_ratio",
        "dso",
        "roa",
        "net_margin",
    ] {
        assert_ratio(r, key, None);
    }
    // revenue (0) stands in for credit sales: turnover 0/50 = 0, flagged.
    assert_ratio(r, "receivable_turnover", Some(0.0));
    assert_ratio(r, "inventory_turnover", Some(4.0));
    assert_eq!(r["current_grade"], "");
    assert_eq!(r["notes"], format!("{NO_PREVIOUS}; {REVENUE_USED}"));

    // E03: quick (150 − 100 − 0)/100 = 0.5 exactly → fair; receivables 0 → no turnover and
    // no revenue flag.
    let r = row("E03", "2024-12-31");
    assert_ratio(r, "current_ratio", Some(1.5));
    assert_ratio(r, "quick_ratio", Some(0.5));
    assert_eq!(r["quick_grade"], "fair");
    assert_ratio(r, "receivable_turnover", None);
    assert_eq!(r["notes"], NO_PREVIOUS);

    // E04: 2022-12-31 → 2024-03-31 is 456 days (> 400): period-end values, flagged;
    // 2024-03-31 → 2024-12-31 is 275 days: averaged.
    assert_ratio(row("E04", "2022-12-31"), "receivable_turnover", Some(12.0));
    let r = row("E04", "2024-03-31");
    assert_eq!(r["previous_period_end"], "");
    assert_ratio(r, "receivable_turnover", Some(4.0)); // 1200 / 300
    assert_eq!(
        r["notes"],
        "previous period end 2022-12-31 is 456 days earlier (more than 400): averages use period-end values"
    );
    let r = row("E04", "2024-12-31");
    assert_eq!(r["previous_period_end"], "2024-03-31");
    assert_ratio(r, "receivable_turnover", Some(3.0)); // 1200 / ((300 + 500) / 2)
    assert_ratio(r, "dso", q(365, 3));
    // current 100/100 = 1 exactly → fair; quick (100 − 0)/100 = 1 → good.
    assert_eq!(r["current_grade"], "fair");
    assert_eq!(r["quick_grade"], "good");
    assert_eq!(r["notes"], "");

    // E05: current 199.99/100 = 1.9999 → fair (not good); quick 49.99/100 → weak.
    let r = row("E05", "2025-12-31");
    assert_ratio(r, "current_ratio", Some(1.9999));
    assert_eq!(r["current_grade"], "fair");
    assert_ratio(r, "quick_ratio", Some(0.4999));
    assert_eq!(r["quick_grade"], "weak");
    // Losses give negative profitability ratios: −20/420.
    assert_ratio(r, "cost_profit_ratio", q(-20, 420));
}

#[test]
fn json_has_no_nan_or_infinity() {
    let out = ok(&["ratios", EDGE, "--format", "json"]);
    let v = json(&out.stdout);
    let rows = v.as_array().expect("an array");
    assert_eq!(rows.len(), 8);
    for r in rows {
        for key in RATIOS.iter().chain(["cost_profit_ratio"].iter()) {
            let x = &r[*key];
            assert!(
                x.is_null() || x.as_f64().is_some_and(f64::is_finite),
                "{key}: {x}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Chinese headers, GBK

#[test]
fn gbk_chinese_headers_give_the_same_ratios_as_the_english_twin() {
    let bytes = std::fs::read(testdata("ratios/financials_gbk.csv")).expect("read");
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the fixture is GBK, not UTF-8"
    );
    let zh = ok(&["ratios", GBK, "--format", "csv"]).stdout;
    let en = ok(&["ratios", GBK_EN, "--format", "csv"]).stdout;
    assert_eq!(zh, en);
    assert_eq!(Csv::parse(&zh).rows.len(), 20);
    // The twin holds the first 10 customers of financials.csv, value for value.
    let twin = Csv::read("ratios/financials_gbk_en.csv");
    let fin = Csv::read("financials.csv");
    for (i, r) in twin.rows.iter().enumerate() {
        for (j, h) in twin.headers.iter().enumerate() {
            assert_eq!(r[j], fin.get(i, h), "row {i} {h}");
        }
    }
    // Without short_term_investments and credit_sales: cash ratio = cash / CL, and the
    // receivable turnover uses revenue, flagged.
    let out = Csv::parse(&zh);
    assert_eq!(check_against_reference(&twin, &out, 365), 20);
    for r in keyed(&out).values() {
        assert!(r["notes"].contains(REVENUE_USED), "{r:?}");
    }
    // Labels in Chinese with --lang zh.
    let table = ok(&["ratios", GBK, "--lang", "zh", "--limit", "1"]).stdout;
    for label in [
        "客户编号",
        "报告期",
        "流动比率",
        "速动比率",
        "资产负债率",
        "备注",
    ] {
        assert!(table.contains(label), "{label}\n{table}");
    }
}

// ---------------------------------------------------------------------------------------------
// Options

#[test]
fn latest_and_as_of_select_periods() {
    let all = keyed(&ratios_csv(&[FIN]));
    let latest = keyed(&ratios_csv(&[FIN, "--latest"]));
    assert_eq!(latest.len(), 120);
    for (k, r) in &latest {
        assert_eq!(k.1, "2025-12-31");
        // Still averaged with the previous year, which is not shown.
        assert_eq!(r, &all[k]);
    }
    let mid = keyed(&ratios_csv(&[FIN, "--as-of", "2025-06-30"]));
    assert_eq!(mid.len(), 120);
    for (k, r) in &mid {
        assert_eq!(k.1, "2024-12-31");
        assert_eq!(r, &all[k]);
    }
    // On the period end itself: included.
    assert_eq!(ratios_csv(&[FIN, "--as-of", "2025-12-31"]).rows.len(), 240);
    let e = fails(&["ratios", FIN, "--as-of", "2020-01-01"], 1);
    assert!(
        e.stderr
            .contains("no period ends on or before --as-of 2020-01-01"),
        "{}",
        e.stderr
    );
    fails(&["ratios", FIN, "--as-of", "soon"], 2);
}

#[test]
fn summary_counts_the_latest_grades_and_lists_weak_customers() {
    let rows = ratios_csv(&[FIN, "--latest"]);
    let mut current = BTreeMap::new();
    let mut quick = BTreeMap::new();
    let mut weak = Vec::new();
    for r in keyed(&rows).values() {
        *current.entry(r["current_grade"].clone()).or_insert(0i64) += 1;
        *quick.entry(r["quick_grade"].clone()).or_insert(0i64) += 1;
        if r["current_grade"] == "weak" || r["quick_grade"] == "weak" {
            weak.push(r["customer_id"].clone());
        }
    }
    let out = ok(&["ratios", FIN, "--summary", "--format", "json"]);
    let v = json(&out.stdout);
    assert_eq!(v["entities"], 120);
    assert_eq!(v["periods"], 240);
    assert_eq!(v["days"], 365);
    assert_eq!(v["quick"], "standard");
    assert_eq!(v["current_grades"], "2,1");
    assert_eq!(v["quick_grades"], "1,0.5");
    let grades = v["grades"].as_array().expect("grades");
    let labels: Vec<&str> = grades.iter().filter_map(|g| g["grade"].as_str()).collect();
    assert_eq!(labels, ["good", "fair", "weak", "ungraded"]);
    for g in grades {
        let label = g["grade"].as_str().unwrap_or_default();
        let key = if label == "ungraded" { "" } else { label };
        assert_eq!(
            g["current"],
            current.get(key).copied().unwrap_or(0),
            "{label}"
        );
        assert_eq!(g["quick"], quick.get(key).copied().unwrap_or(0), "{label}");
    }
    let listed: Vec<String> = v["weak"]
        .as_array()
        .expect("weak")
        .iter()
        .filter_map(|r| r["customer_id"].as_str().map(str::to_string))
        .collect();
    assert_eq!(listed, weak);
    assert!(!weak.is_empty());
}

#[test]
fn thresholds_days_and_method_from_flags_and_crm_toml() {
    let default = keyed(&ratios_csv(&[APPLE]));
    // current 1.3636 is good at --current-grades 1.3,1.
    let lower = keyed(&ratios_csv(&[APPLE, "--current-grades", "1.3,1"]));
    let k20 = ("AAPL".to_string(), "2020-09-26".to_string());
    assert_eq!(default[&k20]["current_grade"], "fair");
    assert_eq!(lower[&k20]["current_grade"], "good");
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = dir.path().join("crm.toml");
    std::fs::write(
        &cfg,
        "[ratios]\ncurrent_grades = \"1.6,1.4\"\nquick_grades = \"2,1.5\"\ndays = 360\nquick = \"conservative\"\n",
    )
    .expect("write");
    let from_file = keyed(&ratios_csv(&[APPLE, "--config", arg(&cfg)]));
    let r = &from_file[&k20];
    assert_eq!(r["current_grade"], "weak"); // 1.3636 < 1.4
    assert_eq!(r["quick_grade"], "weak"); // conservative 1.0159 < 1.5
    assert_ratio(r, "quick_ratio", q(107_063, 105_392));
    assert_ratio(r, "dso", q(360 * 19_523, 274_515));
    // Flags win over the file.
    let both = keyed(&ratios_csv(&[
        APPLE,
        "--config",
        arg(&cfg),
        "--current-grades",
        "2,1",
        "--days",
        "365",
        "--quick",
        "standard",
    ]));
    assert_eq!(both[&k20]["current_grade"], "fair");
    assert_eq!(both[&k20]["dso"], default[&k20]["dso"]);
    assert_eq!(both[&k20]["quick_ratio"], default[&k20]["quick_ratio"]);

    // Bad flags are usage errors (exit 2), bad file entries input errors naming the file.
    let e = fails(&["ratios", APPLE, "--current-grades", "1,2"], 2);
    assert!(e.stderr.contains("--current-grades '1,2'"), "{}", e.stderr);
    fails(&["ratios", APPLE, "--quick-grades", "1"], 2);
    fails(&["ratios", APPLE, "--days", "0"], 2);
    // An absurd period is refused rather than overflowing.
    let e = fails(&["ratios", APPLE, "--days", "9223372036854775807"], 2);
    assert!(e.stderr.contains("from 1 to 3660"), "{}", e.stderr);
    fails(&["ratios", APPLE, "--quick", "cautious"], 2);
    std::fs::write(&cfg, "[ratios]\nquick_grades = \"0.5,1\"\n").expect("write");
    let e = fails(&["ratios", APPLE, "--config", arg(&cfg)], 1);
    assert!(
        e.stderr.contains("crm.toml: [ratios] quick_grades '0.5,1'"),
        "{}",
        e.stderr
    );
    std::fs::write(&cfg, "[ratios]\ndays = 0\n").expect("write");
    let e = fails(&["ratios", APPLE, "--config", arg(&cfg)], 1);
    assert!(e.stderr.contains("[ratios] days"), "{}", e.stderr);
    std::fs::write(&cfg, "[ratios]\nquick = \"cautious\"\n").expect("write");
    fails(&["ratios", APPLE, "--config", arg(&cfg)], 1);
    std::fs::write(&cfg, "[ratios]\ncurrent_grade = \"2,1\"\n").expect("write");
    let e = fails(&["ratios", APPLE, "--config", arg(&cfg)], 1);
    assert!(e.stderr.contains("current_grade"), "{}", e.stderr);
}

#[test]
fn duplicate_periods_and_missing_columns() {
    let dir = tempfile::tempdir().expect("tempdir");
    let dup = dir.path().join("dup.csv");
    let text = std::fs::read_to_string(testdata("ratios/apple_10k.csv")).expect("read");
    let last = text.lines().last().expect("a row");
    std::fs::write(&dup, format!("{text}{last}\n")).expect("write");
    let e = fails(&["ratios", arg(&dup)], 1);
    assert!(
        e.stderr
            .contains("customer AAPL has more than one row for period end 2020-09-26"),
        "{}",
        e.stderr
    );
    // Only current assets and liabilities: the other ratios are empty, and a note says why.
    let thin = dir.path().join("thin.csv");
    std::fs::write(
        &thin,
        "公司代码,报告期,流动资产合计,流动负债合计\n600000,2024-12-31,300,150\n",
    )
    .expect("write");
    let out = ok(&["ratios", arg(&thin), "--format", "csv"]);
    let rows = keyed(&Csv::parse(&out.stdout));
    let r = &rows[&("600000".to_string(), "2024-12-31".to_string())];
    assert_ratio(r, "current_ratio", Some(2.0));
    assert_ratio(r, "quick_ratio", Some(2.0));
    for key in &RATIOS[2..] {
        assert_ratio(r, key, None);
    }
    assert!(
        out.stderr
            .contains("no column for cash, receivables, inventory"),
        "{}",
        out.stderr
    );
}
