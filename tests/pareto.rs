//! `crm-cli pareto` run as a binary and pinned to numbers computed outside crm-cli:
//!
//! * `testdata/pareto/shipments.csv` against the pandas/`decimal` reference written by
//!   `scripts/pandas_pareto.py` (`expected_customers*.csv`, `expected_summary.json`);
//! * `testdata/pareto/lanes.csv` (12 rows) against hand computations written out below;
//! * `testdata/shipments.csv` against totals summed here from the CSV in integer cents.
//!
//! Helpers live in this file on purpose (tests/common is another engineer's module).

use std::collections::BTreeMap;

use serde_json::Value;

const FIXTURE: &str = "testdata/pareto/shipments.csv";
const LANES: &str = "testdata/pareto/lanes.csv";

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

/// A plain decimal with at most 2 decimals (`-1234.5`, `0.25`) in cents, exactly.
fn cents(s: &str) -> i64 {
    let (neg, t) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    assert!(
        frac.len() <= 2
            && !int.is_empty()
            && int.chars().chain(frac.chars()).all(|c| c.is_ascii_digit()),
        "not a 2-decimal amount: '{s}'"
    );
    let frac = format!("{frac:0<2}");
    let v = int.parse::<i64>().unwrap() * 100 + frac.parse::<i64>().unwrap();
    if neg { -v } else { v }
}

fn float(s: &str) -> f64 {
    s.parse().unwrap_or_else(|_| panic!("not a number: '{s}'"))
}

/// |got − want| ≤ rel·|want| (absolute 1e-300 when want is 0).
fn close(got: f64, want: f64, rel: f64) -> bool {
    (got - want).abs() <= rel * want.abs().max(1e-300)
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

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("invalid JSON ({e}):\n{text}"))
}

/// The keys of the outermost JSON object in the order they are written (serde_json's map is
/// sorted, so the order is read from the text).
fn top_level_keys(text: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let (mut depth, mut in_str, mut escaped) = (0usize, false, false);
    let mut current = String::new();
    let mut last_string: Option<String> = None;
    for c in text.chars() {
        if in_str {
            if escaped {
                escaped = false;
                current.push(c);
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_str = false;
                last_string = Some(std::mem::take(&mut current));
            } else {
                current.push(c);
            }
            continue;
        }
        match c {
            '"' => in_str = true,
            '{' | '[' => depth += 1,
            '}' | ']' => depth -= 1,
            ':' if depth == 1 => keys.extend(last_string.take()),
            c if !c.is_whitespace() => last_string = None,
            _ => {}
        }
    }
    keys
}

/// `crm-cli pareto FILE args... --format csv` as records.
fn pareto_csv(file: &str, args: &[&str]) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let mut all = vec!["pareto", file, "--format", "csv"];
    all.extend_from_slice(args);
    parse_csv(&ok(&all))
}

/// One expected item row of a hand computation: keys, value as printed, rank-order fractions
/// share = s.0/s.1 and cum_share = c.0/c.1 (computed here as one f64 division), class;
/// nonpositive is expected exactly when the value is ≤ 0.
struct Item {
    keys: &'static [&'static str],
    value: &'static str,
    share: (i64, i64),
    cum: (i64, i64),
    class: &'static str,
}

/// Compare crm-cli's rows, in order, with hand-computed items (item_share = rank / n within
/// each group of `group_sizes`, in order).
fn assert_items(
    what: &str,
    rows: &[BTreeMap<String, String>],
    key_cols: &[&str],
    items: &[Item],
    group_sizes: &[usize],
) {
    assert_eq!(rows.len(), items.len(), "{what}: number of items");
    let mut ranks = Vec::new();
    for &n in group_sizes {
        ranks.extend((1..=n).map(|r| (r, n)));
    }
    assert_eq!(ranks.len(), items.len(), "{what}: group sizes");
    for (i, (row, want)) in rows.iter().zip(items).enumerate() {
        let ctx = format!("{what}, row {}: {row:?}", i + 1);
        for (c, k) in key_cols.iter().zip(want.keys) {
            assert_eq!(row[*c], *k, "{ctx}: {c}");
        }
        let (rank, n) = ranks[i];
        assert_eq!(row["rank"], rank.to_string(), "{ctx}: rank");
        assert_eq!(row["value"], want.value, "{ctx}: value");
        let frac = |(a, b): (i64, i64)| a as f64 / b as f64;
        assert!(
            close(float(&row["share"]), frac(want.share), 1e-12),
            "{ctx}: share, want {}",
            frac(want.share)
        );
        assert!(
            close(float(&row["cum_share"]), frac(want.cum), 1e-12),
            "{ctx}: cum_share, want {}",
            frac(want.cum)
        );
        assert!(
            close(float(&row["item_share"]), rank as f64 / n as f64, 1e-12),
            "{ctx}: item_share"
        );
        assert_eq!(row["class"], want.class, "{ctx}: class");
        let nonpositive = float(want.value) <= 0.0;
        assert_eq!(
            row["nonpositive"],
            nonpositive.to_string(),
            "{ctx}: nonpositive"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 1. the pandas reference

const ROW_COLUMNS: [&str; 9] = [
    "rank",
    "customer_id",
    "customer_name",
    "value",
    "share",
    "cum_share",
    "item_share",
    "class",
    "nonpositive",
];

/// crm-cli's CSV rows equal the reference file row by row: text columns and money exactly,
/// floats to 1e-12 relative.
fn assert_matches_reference(got: &str, reference: &str) {
    let (headers, rows) = parse_csv(got);
    let (want_headers, want) = parse_csv(&read(reference));
    assert_eq!(headers, ROW_COLUMNS, "columns of crm-cli's output");
    assert_eq!(want_headers, ROW_COLUMNS, "columns of {reference}");
    assert_eq!(want.len(), 41, "{reference} has 41 customers");
    assert_eq!(rows.len(), want.len(), "one row per customer");
    let mut diffs = Vec::new();
    for (g, w) in rows.iter().zip(&want) {
        for c in ROW_COLUMNS {
            let same = match c {
                "share" | "cum_share" | "item_share" => close(float(&g[c]), float(&w[c]), 1e-12),
                _ => g[c] == w[c],
            };
            if !same {
                diffs.push(format!(
                    "rank {} ({}) {c}: got {} want {}",
                    w["rank"], w["customer_id"], g[c], w[c]
                ));
            }
        }
    }
    assert!(
        diffs.is_empty(),
        "differs from {reference}:\n{}",
        diffs.join("\n")
    );
}

#[test]
fn customers_match_the_pandas_reference() {
    let got = ok(&["pareto", FIXTURE, "--format", "csv"]);
    assert_matches_reference(&got, "testdata/pareto/expected_customers.csv");
}

#[test]
fn summary_matches_the_pandas_reference() {
    let text = ok(&["pareto", FIXTURE, "--summary", "--format", "json"]);
    let got = json(&text);
    let want = json(&read("testdata/pareto/expected_summary.json"));
    assert_eq!(
        top_level_keys(&text),
        top_level_keys(&read("testdata/pareto/expected_summary.json")),
        "summary keys, in order"
    );
    for k in [
        "as_of",
        "window_start",
        "by",
        "within",
        "measure",
        "cutoffs",
        "headline",
        "items",
        "headline_items",
        "top20_items",
    ] {
        assert_eq!(got[k], want[k], "{k}");
    }
    for k in ["headline_item_share", "top20_share", "gini"] {
        let (g, w) = (got[k].as_f64().unwrap(), want[k].as_f64().unwrap());
        assert!(close(g, w, 1e-12), "{k}: got {g} want {w}");
    }
    // money exactly as printed
    assert_eq!(
        raw_numbers(&text, "total"),
        [want["total"].as_str().unwrap()]
    );
    let classes = got["classes"].as_array().unwrap();
    let want_classes = want["classes"].as_array().unwrap();
    assert_eq!(classes.len(), 3);
    let values = raw_numbers(&text, "value");
    for (i, (g, w)) in classes.iter().zip(want_classes).enumerate() {
        assert_eq!(g["class"], w["class"]);
        assert_eq!(g["items"], w["items"], "class {}", w["class"]);
        assert_eq!(
            values[i],
            w["value"].as_str().unwrap(),
            "class {}",
            w["class"]
        );
        for k in ["item_share", "value_share"] {
            let (gv, wv) = (g[k].as_f64().unwrap(), w[k].as_f64().unwrap());
            assert!(
                close(gv, wv, 1e-12),
                "class {} {k}: {gv} vs {wv}",
                w["class"]
            );
        }
    }
    let lorenz = got["lorenz"].as_array().unwrap();
    let want_lorenz = want["lorenz"].as_array().unwrap();
    assert_eq!(lorenz.len(), 42, "41 items: k = 0..41");
    assert_eq!(lorenz.len(), want_lorenz.len());
    for (i, (g, w)) in lorenz.iter().zip(want_lorenz).enumerate() {
        for k in ["item_share", "value_share"] {
            let (gv, wv) = (g[k].as_f64().unwrap(), w[k].as_f64().unwrap());
            assert!(close(gv, wv, 1e-12), "lorenz[{i}].{k}: {gv} vs {wv}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 2. the 80% boundary

#[test]
fn an_item_at_exactly_80_percent_is_a_and_the_next_is_b() {
    // The fixture is built so that the top 8 sum to exactly 800,000.00 of 1,000,000.00 and the
    // 9th ties with the 8th (38,206.68 each): P04 < P13 decides the order.
    let (_, rows) = pareto_csv(FIXTURE, &[]);
    let total: i64 = rows
        .iter()
        .map(|r| cents(&r["value"]))
        .filter(|&v| v > 0)
        .sum();
    assert_eq!(total, 100_000_000, "positive total 1,000,000.00");
    let top8: i64 = rows[..8].iter().map(|r| cents(&r["value"])).sum();
    assert_eq!(top8 * 100, 80 * total, "the top 8 make exactly 80%");
    assert_eq!(
        (
            rows[7]["customer_id"].as_str(),
            rows[8]["customer_id"].as_str()
        ),
        ("P04", "P13")
    );
    assert_eq!(rows[7]["value"], rows[8]["value"], "a tie in value");
    assert_eq!(rows[7]["cum_share"], "0.8");
    assert_eq!(
        (rows[7]["class"].as_str(), rows[8]["class"].as_str()),
        ("A", "B")
    );
    // rank 15 is exactly 95%: still B, the next one C
    let top15: i64 = rows[..15].iter().map(|r| cents(&r["value"])).sum();
    assert_eq!(top15 * 100, 95 * total);
    assert_eq!(
        (rows[14]["class"].as_str(), rows[15]["class"].as_str()),
        ("B", "C")
    );

    // with --cutoffs 79.99,95 the 80% item is B; every other row is unchanged
    let got = ok(&[
        "pareto",
        FIXTURE,
        "--format",
        "csv",
        "--cutoffs",
        "79.99,95",
    ]);
    assert_matches_reference(&got, "testdata/pareto/expected_customers_79.99_95.csv");
    let (_, rows) = parse_csv(&got);
    assert_eq!(rows[7]["class"], "B");
    assert_eq!(rows[6]["class"], "A");
    // headline: the smallest N reaching 79.99% is still 8
    let s = json(&ok(&[
        "pareto",
        FIXTURE,
        "--summary",
        "--format",
        "json",
        "--cutoffs",
        "79.99,95",
    ]));
    assert_eq!(s["headline_items"], 8);
    assert_eq!(s["cutoffs"], "79.99,95");
    assert_eq!(
        s["headline"],
        "8 of 41 customers (19.5%) make 79.99% of revenue"
    );
    assert_eq!(s["classes"][0]["items"], 7);
    assert_eq!(s["classes"][1]["items"], 8);
}

// ---------------------------------------------------------------------------------------------
// 3. hand-checked options on testdata/pareto/lanes.csv
//
// Rows (revenue; cost; teu):
//   K1: L01 Transpacific 1000.00; 900.00; 2        L02 Asia-Europe 600.00; 450.00; 1.5
//   K2: L03 Transpacific 700.00; 500.00; 0.25 and L03 again 300.00; 100.00; 0.25 (one shipment
//       billed on two rows)                          L04 Intra-Asia 200.00; 260.00; 0
//   K3: L05 Asia-Europe 900.00; 850.00; 3          CN01 Asia-Europe -100.00 (credit note, own id)
//   K4: L06 Intra-Asia 300.00; 100.00; 1           L07 Intra-Asia 150.00; 50.00; 1.125
//       L06 Intra-Asia -50.00 (credit note on an existing shipment, 2024-03-25)
//   K5: L08 Transpacific 200.00; 150.00; 0.5
//   K6: CN02 Transpacific -200.00 (only a credit note)
// Customer revenue: K1 1600, K2 1200, K3 800, K4 400, K5 200, K6 -200; positive total 4200.

#[test]
fn by_lane_totals_each_lane() {
    // Transpacific 1000+700+300+200-200 = 2000, Asia-Europe 600+900-100 = 1400,
    // Intra-Asia 200+300+150-50 = 600; total 4000: cum 50% A, 85% B, 100% C.
    let (headers, rows) = pareto_csv(LANES, &["--by", "lane"]);
    assert_eq!(
        headers,
        [
            "rank",
            "lane",
            "value",
            "share",
            "cum_share",
            "item_share",
            "class",
            "nonpositive"
        ]
    );
    let items = [
        Item {
            keys: &["Transpacific"],
            value: "2000.00",
            share: (2000, 4000),
            cum: (2000, 4000),
            class: "A",
        },
        Item {
            keys: &["Asia-Europe"],
            value: "1400.00",
            share: (1400, 4000),
            cum: (3400, 4000),
            class: "B",
        },
        Item {
            keys: &["Intra-Asia"],
            value: "600.00",
            share: (600, 4000),
            cum: (4000, 4000),
            class: "C",
        },
    ];
    assert_items("--by lane", &rows, &["lane"], &items, &[3]);

    let text = ok(&[
        "pareto",
        LANES,
        "--by",
        "lane",
        "--summary",
        "--format",
        "json",
    ]);
    let s = json(&text);
    assert_eq!(s["by"], "lane");
    assert_eq!(s["items"], 3);
    assert_eq!(raw_numbers(&text, "total"), ["4000.00"]);
    assert_eq!(s["headline_items"], 2);
    assert_eq!(s["headline"], "2 of 3 lanes (66.7%) make 80% of revenue");
    // ceil(0.2 · 3) = 1 item: 2000 / 4000
    assert_eq!(s["top20_items"], 1);
    assert_eq!(s["top20_share"].as_f64(), Some(0.5));
    // ascending 600, 1400, 2000: Σ i·x = 600 + 2800 + 6000 = 9400;
    // G = 2·9400/(3·4000) − 4/3 = (18800 − 16000)/12000 = 7/30
    let g = s["gini"].as_f64().unwrap();
    assert!(close(g, 7.0 / 30.0, 1e-12), "gini {g}");
}

#[test]
fn by_customer_and_lane_ranks_the_pairs() {
    // 8 pairs of the 18 possible: (K1,TP) 1000, (K2,TP) 1000, (K3,AE) 800 (900 − 100),
    // (K1,AE) 600, (K4,IA) 400 (300 + 150 − 50), (K2,IA) 200, (K5,TP) 200, (K6,TP) −200.
    // Ties by customer_id then lane. Positive total 4200.
    let (headers, rows) = pareto_csv(LANES, &["--by", "customer,lane"]);
    assert_eq!(
        &headers[..4],
        ["rank", "customer_id", "lane", "customer_name"]
    );
    let it = |k: &'static [&'static str], value, v: i64, cum: i64, class| Item {
        keys: k,
        value,
        share: (v, 4200),
        cum: (cum, 4200),
        class,
    };
    let items = [
        it(&["K1", "Transpacific"], "1000.00", 1000, 1000, "A"),
        it(&["K2", "Transpacific"], "1000.00", 1000, 2000, "A"),
        it(&["K3", "Asia-Europe"], "800.00", 800, 2800, "A"),
        it(&["K1", "Asia-Europe"], "600.00", 600, 3400, "B"), // 80.95%
        it(&["K4", "Intra-Asia"], "400.00", 400, 3800, "B"),  // 90.48%
        it(&["K2", "Intra-Asia"], "200.00", 200, 4000, "C"),  // 95.24%
        it(&["K5", "Transpacific"], "200.00", 200, 4200, "C"),
        Item {
            keys: &["K6", "Transpacific"],
            value: "-200.00",
            share: (0, 1),
            cum: (1, 1),
            class: "C",
        },
    ];
    assert_items(
        "--by customer,lane",
        &rows,
        &["customer_id", "lane"],
        &items,
        &[8],
    );
    assert_eq!(rows[0]["customer_name"], "Kestrel Freight");

    let s = json(&ok(&[
        "pareto",
        LANES,
        "--by",
        "customer,lane",
        "--summary",
        "--format",
        "json",
    ]));
    assert_eq!(s["by"], "customer_id,lane");
    assert_eq!(s["items"], 8);
    assert_eq!(s["headline_items"], 4);
    assert_eq!(
        s["headline"],
        "4 of 8 customer × lane pairs (50.0%) make 80% of revenue"
    );
}

#[test]
fn within_lane_ranks_restart_in_each_lane() {
    // Asia-Europe: K3 800, K1 600 (total 1400: 57.1% A, 100% C)
    // Intra-Asia: K4 400, K2 200 (total 600: 66.7% A, 100% C)
    // Transpacific: K1 1000, K2 1000, K5 200, K6 −200 (total 2200: 45.5% A, 90.9% B, 100% C)
    let (headers, rows) = pareto_csv(LANES, &["--within", "lane"]);
    assert_eq!(&headers[..3], ["lane", "rank", "customer_id"]);
    let lanes: Vec<&str> = rows.iter().map(|r| r["lane"].as_str()).collect();
    assert_eq!(
        lanes,
        [
            "Asia-Europe",
            "Asia-Europe",
            "Intra-Asia",
            "Intra-Asia",
            "Transpacific",
            "Transpacific",
            "Transpacific",
            "Transpacific"
        ]
    );
    let it = |k: &'static [&'static str], value, s: (i64, i64), c: (i64, i64), class| Item {
        keys: k,
        value,
        share: s,
        cum: c,
        class,
    };
    let items = [
        it(&["K3"], "800.00", (800, 1400), (800, 1400), "A"),
        it(&["K1"], "600.00", (600, 1400), (1400, 1400), "C"),
        it(&["K4"], "400.00", (400, 600), (400, 600), "A"),
        it(&["K2"], "200.00", (200, 600), (600, 600), "C"),
        it(&["K1"], "1000.00", (1000, 2200), (1000, 2200), "A"),
        it(&["K2"], "1000.00", (1000, 2200), (2000, 2200), "B"),
        it(&["K5"], "200.00", (200, 2200), (2200, 2200), "C"),
        it(&["K6"], "-200.00", (0, 1), (1, 1), "C"),
    ];
    assert_items("--within lane", &rows, &["customer_id"], &items, &[2, 2, 4]);

    // per-lane headline numbers and Gini (negatives as 0)
    let text = ok(&[
        "pareto",
        LANES,
        "--within",
        "lane",
        "--summary",
        "--format",
        "json",
    ]);
    let s = json(&text);
    assert_eq!(s["within"], "lane");
    let groups = s["groups"].as_array().expect("a groups table");
    assert_eq!(groups.len(), 3);
    assert_eq!(
        raw_numbers(&text, "total"),
        ["1400.00", "600.00", "2200.00"]
    );
    // Asia-Europe 600, 800: Σ i·x = 2200, G = 4400/2800 − 3/2 = 1/14
    // Intra-Asia 200, 400: Σ i·x = 1000, G = 2000/1200 − 3/2 = 1/6
    // Transpacific 0, 200, 1000, 1000: Σ i·x = 7400, G = 14800/8800 − 5/4 = 19/44
    let want = [
        ("Asia-Europe", 2, 2, 1, 800.0 / 1400.0, 1.0 / 14.0),
        ("Intra-Asia", 2, 2, 1, 400.0 / 600.0, 1.0 / 6.0),
        ("Transpacific", 4, 2, 1, 1000.0 / 2200.0, 19.0 / 44.0),
    ];
    for (g, (lane, items, headline, top, top_share, gini)) in groups.iter().zip(want) {
        assert_eq!(g["lane"], lane);
        assert_eq!(g["items"], items, "{lane}");
        assert_eq!(g["headline_items"], headline, "{lane}");
        assert_eq!(g["top20_items"], top, "{lane}");
        assert!(close(g["top20_share"].as_f64().unwrap(), top_share, 1e-12));
        assert!(
            close(g["gini"].as_f64().unwrap(), gini, 1e-12),
            "{lane} gini {}",
            g["gini"]
        );
    }
}

#[test]
fn shipments_measure_counts_distinct_ids() {
    // Up to 2024-03-10 (before any credit note): K1 L01, L02 → 2; K2 L03 (billed on two rows),
    // L04 → 2; K4 L06, L07 → 2; K3 L05 → 1; K5 L08 → 1. Total 8.
    let (_, rows) = pareto_csv(LANES, &["--measure", "shipments", "--to", "2024-03-10"]);
    let it = |k: &'static [&'static str], value, v: i64, cum: i64, class| Item {
        keys: k,
        value,
        share: (v, 8),
        cum: (cum, 8),
        class,
    };
    let items = [
        it(&["K1"], "2", 2, 2, "A"),
        it(&["K2"], "2", 2, 4, "A"),
        it(&["K4"], "2", 2, 6, "A"),
        it(&["K3"], "1", 1, 7, "B"),
        it(&["K5"], "1", 1, 8, "C"),
    ];
    assert_items(
        "--measure shipments --to 2024-03-10",
        &rows,
        &["customer_id"],
        &items,
        &[5],
    );
}

#[test]
fn shipments_measure_does_not_count_credit_notes() {
    // All rows: credit notes are not shipments (src/analytics/activity.rs). K3's CN01 and K6's
    // CN02 have their own ids and must not count; K4's credit on L06 never did.
    // K1 2, K2 2, K4 2, K3 1, K5 1, K6 0 (nonpositive); total 8.
    let (_, rows) = pareto_csv(LANES, &["--measure", "shipments"]);
    let it = |k: &'static [&'static str], value, v: i64, cum: i64, class| Item {
        keys: k,
        value,
        share: (v, 8),
        cum: (cum, 8),
        class,
    };
    let items = [
        it(&["K1"], "2", 2, 2, "A"),
        it(&["K2"], "2", 2, 4, "A"),
        it(&["K4"], "2", 2, 6, "A"),
        it(&["K3"], "1", 1, 7, "B"),
        it(&["K5"], "1", 1, 8, "C"),
        Item {
            keys: &["K6"],
            value: "0",
            share: (0, 1),
            cum: (1, 1),
            class: "C",
        },
    ];
    assert_items("--measure shipments", &rows, &["customer_id"], &items, &[6]);
}

#[test]
fn teu_measure_is_an_exact_decimal_sum() {
    // teu is written with up to 3 decimals (1.125), so every value prints with 3.
    // K1 2 + 1.5 = 3.500; K3 3 (+ empty) = 3.000; K4 1 + 1.125 (+ empty) = 2.125;
    // K2 0.25 + 0.25 + 0 = 0.500; K5 0.5 = 0.500; K6 empty = 0.000. Total 9.625 = 9625/1000.
    let (_, rows) = pareto_csv(LANES, &["--measure", "teu"]);
    let it = |k: &'static [&'static str], value, v: i64, cum: i64, class| Item {
        keys: k,
        value,
        share: (v, 9625),
        cum: (cum, 9625),
        class,
    };
    let items = [
        it(&["K1"], "3.500", 3500, 3500, "A"),
        it(&["K3"], "3.000", 3000, 6500, "A"), // 67.5%
        it(&["K4"], "2.125", 2125, 8625, "B"), // 89.6%
        it(&["K2"], "0.500", 500, 9125, "B"),  // 94.8%
        it(&["K5"], "0.500", 500, 9625, "C"),
        Item {
            keys: &["K6"],
            value: "0.000",
            share: (0, 1),
            cum: (1, 1),
            class: "C",
        },
    ];
    assert_items("--measure teu", &rows, &["customer_id"], &items, &[6]);
}

#[test]
fn margin_measure_is_revenue_minus_cost() {
    // empty cost counts as 0:
    // K1 (1000−900)+(600−450) = 250; K2 (700−500)+(300−100)+(200−260) = 340;
    // K3 (900−850) − 100 = −50; K4 (300−100)+(150−50) − 50 = 250; K5 200−150 = 50; K6 −200.
    // Positive total 890: K2 38.2% A, K1 66.3% A, K4 94.4% B, K5 100% C, then K3, K6.
    let (_, rows) = pareto_csv(LANES, &["--measure", "margin"]);
    let it = |k: &'static [&'static str], value, v: i64, cum: i64, class| Item {
        keys: k,
        value,
        share: (v, 890),
        cum: (cum, 890),
        class,
    };
    let np = |k: &'static [&'static str], value| Item {
        keys: k,
        value,
        share: (0, 1),
        cum: (1, 1),
        class: "C",
    };
    let items = [
        it(&["K2"], "340.00", 340, 340, "A"),
        it(&["K1"], "250.00", 250, 590, "A"),
        it(&["K4"], "250.00", 250, 840, "B"),
        it(&["K5"], "50.00", 50, 890, "C"),
        np(&["K3"], "-50.00"),
        np(&["K6"], "-200.00"),
    ];
    assert_items("--measure margin", &rows, &["customer_id"], &items, &[6]);
}

#[test]
fn margin_without_cost_is_exit_1() {
    let err = fails(
        &[
            "pareto",
            "testdata/pareto/no_cost.csv",
            "--measure",
            "margin",
        ],
        1,
    );
    assert!(
        err.contains("--measure margin needs a cost column"),
        "stderr: {err}"
    );
}

#[test]
fn usage_errors_exit_2() {
    let err = fails(&["pareto", LANES, "--cutoffs", "95,80"], 2);
    assert!(err.contains("--cutoffs"), "stderr: {err}");
    let err = fails(&["pareto", LANES, "--by", "revenue"], 2);
    assert!(err.contains("--by revenue"), "stderr: {err}");
    let err = fails(&["pareto", LANES, "--measure", "customer_name"], 2);
    assert!(err.contains("--measure customer_name"), "stderr: {err}");
}

// ---------------------------------------------------------------------------------------------
// 4. testdata/shipments.csv: summary structure and exact totals

#[test]
fn summary_on_the_shipments_export_is_consistent_and_exact() {
    // per-customer totals from the CSV, in integer cents
    let (_, src) = parse_csv(&read("testdata/shipments.csv"));
    let mut totals: BTreeMap<String, i64> = BTreeMap::new();
    for r in &src {
        *totals.entry(r["customer_id"].clone()).or_default() += cents(&r["revenue"]);
    }
    let revenue: i64 = totals.values().sum();
    let positive: i64 = totals.values().filter(|&&v| v > 0).sum();
    assert_eq!(revenue, 956_101_480, "testdata/README.md: 9561014.80");
    let dates: Vec<&str> = src.iter().map(|r| r["ship_date"].as_str()).collect();

    let text = ok(&[
        "pareto",
        "testdata/shipments.csv",
        "--summary",
        "--format",
        "json",
    ]);
    let s = json(&text);
    assert_eq!(
        top_level_keys(&text),
        [
            "as_of",
            "window_start",
            "by",
            "within",
            "measure",
            "cutoffs",
            "headline",
            "items",
            "total",
            "headline_items",
            "headline_item_share",
            "top20_items",
            "top20_share",
            "gini",
            "classes",
            "lorenz"
        ]
    );
    assert_eq!(s["as_of"], *dates.iter().max().unwrap());
    assert_eq!(s["window_start"], *dates.iter().min().unwrap());
    assert_eq!(s["items"], totals.len());
    assert_eq!(totals.len(), 120);
    assert_eq!(
        raw_numbers(&text, "total"),
        [format!("{}", Money(positive))]
    );

    // classes: counts sum to items, values to the exact revenue of all rows
    let classes = s["classes"].as_array().unwrap();
    let names: Vec<&str> = classes
        .iter()
        .map(|c| c["class"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["A", "B", "C"]);
    let items: u64 = classes.iter().map(|c| c["items"].as_u64().unwrap()).sum();
    assert_eq!(items, 120);
    let values = raw_numbers(&text, "value");
    assert_eq!(values.len(), 3);
    assert_eq!(values.iter().map(|v| cents(v)).sum::<i64>(), revenue);

    // headline and top 20% from the totals computed here
    let mut desc: Vec<(i64, &String)> = totals.iter().map(|(k, &v)| (-v, k)).collect();
    desc.sort();
    let mut run = 0i64;
    let headline = desc
        .iter()
        .position(|&(v, _)| {
            run += (-v).max(0);
            run * 100 >= 80 * positive
        })
        .unwrap()
        + 1;
    assert_eq!(s["headline_items"], headline);
    assert_eq!(s["top20_items"], 24, "ceil(0.2 · 120)");
    let top: i64 = desc[..24].iter().map(|&(v, _)| (-v).max(0)).sum();
    assert!(close(
        s["top20_share"].as_f64().unwrap(),
        top as f64 / positive as f64,
        1e-12
    ));

    // Lorenz: 101 points from (0,0) to (1,1), non-decreasing in both coordinates
    let lorenz: Vec<(f64, f64)> = s["lorenz"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["item_share"].as_f64().unwrap(),
                p["value_share"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(lorenz.len(), 101);
    assert_eq!(lorenz[0], (0.0, 0.0));
    assert_eq!(lorenz[100], (1.0, 1.0));
    for w in lorenz.windows(2) {
        assert!(
            w[0].0 <= w[1].0 && w[0].1 <= w[1].1,
            "Lorenz curve decreases: {w:?}"
        );
    }
    // point p is at k = floor(p · 120 / 100) items; value share of the bottom k customers
    let mut asc: Vec<i64> = totals.values().map(|&v| v.max(0)).collect();
    asc.sort();
    for (p, &(x, y)) in lorenz.iter().enumerate() {
        let k = p * 120 / 100;
        let bottom: i64 = asc[..k].iter().sum();
        assert!(close(x, k as f64 / 120.0, 1e-12), "lorenz[{p}] x");
        assert!(
            close(y, bottom as f64 / positive as f64, 1e-12),
            "lorenz[{p}] y"
        );
    }
}

/// Cents printed with 2 decimals.
struct Money(i64);

impl std::fmt::Display for Money {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", a / 100, a % 100)
    }
}
