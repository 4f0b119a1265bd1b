//! Output formats of the shared renderers, seen through `crm-cli tier`: json, ndjson, csv,
//! markdown, table, html and Parquet; `-o` and its extension; `--limit`; `--lang zh`;
//! determinism; and a reader that closes the pipe early.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::*;

const TINY: &str = "testdata/tiny.csv";

/// The documented column keys of `tier` rows, in order.
const KEYS: [&str; 15] = [
    "customer_id",
    "customer_name",
    "first_date",
    "last_date",
    "recency_days",
    "frequency",
    "monetary",
    "r",
    "f",
    "m",
    "rfm",
    "segment",
    "tier",
    "share",
    "cum_share",
];

fn tier(extra: &[&str]) -> Out {
    let mut args = vec!["tier", TINY];
    args.extend_from_slice(extra);
    ok(&args)
}

/// Object lines of a JSON row array (one object per line).
fn object_lines(text: &str) -> Vec<&str> {
    text.lines()
        .map(|l| l.trim().trim_end_matches(','))
        .filter(|l| l.starts_with('{') && l.ends_with('}'))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Machine formats

#[test]
fn json_is_an_array_of_objects_with_snake_case_keys_in_column_order() {
    let out = tier(&["--format", "json"]);
    assert!(out.stdout.starts_with("[\n  {"), "{}", out.stdout);
    assert!(out.stdout.ends_with("}\n]\n"));
    let v = json(&out.stdout);
    let rows = v.as_array().expect("an array");
    assert_eq!(rows.len(), 10);
    let lines = object_lines(&out.stdout);
    assert_eq!(lines.len(), 10, "one object per line");
    for line in &lines {
        assert_eq!(key_order(line), KEYS);
    }
    // Types: text and dates are strings, counts and scores integers, money an exact number.
    let a04 = &rows[0];
    assert_eq!(a04["customer_id"], "A04");
    assert_eq!(a04["first_date"], "2024-06-15");
    assert_eq!(a04["recency_days"], 5);
    assert_eq!(a04["frequency"], 2);
    assert_eq!(a04["r"], 3);
    assert_eq!(a04["rfm"], "325");
    assert_eq!(a04["tier"], "VIP");
    assert_eq!(raw_json_value(lines[0], "monetary"), "5000.00");
    let share = a04["share"].as_f64().expect("a number");
    assert!((share - 5000.0 / 13947.25).abs() < 1e-15);
    assert_eq!(raw_json_value(lines[9], "cum_share"), "1");
}

#[test]
fn optional_columns_appear_only_when_they_apply() {
    // No name column → no customer_name key.
    let out = ok(&["tier", "testdata/money_exact.csv", "--format", "json"]);
    let keys = key_order(object_lines(&out.stdout)[0]);
    let mut want: Vec<&str> = KEYS.to_vec();
    want.retain(|k| *k != "customer_name");
    assert_eq!(keys, want);
    // Spend tiers add annualised after tier.
    let out = tier(&["--tier-by", "spend", "--format", "json"]);
    let keys = key_order(object_lines(&out.stdout)[0]);
    let mut want: Vec<&str> = KEYS.to_vec();
    want.insert(13, "annualised");
    assert_eq!(keys, want);
    // --by puts the group column first.
    let out = tier(&["--by", "mode", "--format", "json"]);
    let keys = key_order(object_lines(&out.stdout)[0]);
    assert_eq!(keys[0], "mode");
    assert_eq!(keys[1..], KEYS);
}

#[test]
fn ndjson_is_one_compact_object_per_line_with_the_json_values() {
    let nd = tier(&["--format", "ndjson"]).stdout;
    let arr = json(&tier(&["--format", "json"]).stdout);
    let lines: Vec<&str> = nd.lines().collect();
    assert_eq!(lines.len(), 10);
    assert!(nd.ends_with('\n'));
    for (i, line) in lines.iter().enumerate() {
        assert!(line.starts_with("{\"customer_id\":\""), "compact: {line}");
        assert_eq!(key_order(line), KEYS);
        assert_eq!(json(line), arr[i], "line {i}");
    }
}

#[test]
fn csv_has_a_header_row_and_the_raw_values() {
    let text = tier(&["--format", "csv"]).stdout;
    assert_eq!(text.lines().next(), Some(KEYS.join(",").as_str()));
    let t = Csv::parse(&text);
    assert_eq!(t.rows.len(), 10);
    let json_text = tier(&["--format", "json"]).stdout;
    for (i, line) in object_lines(&json_text).iter().enumerate() {
        for key in KEYS {
            let raw = raw_json_value(line, key);
            let want = raw
                .strip_prefix('"')
                .and_then(|s| s.strip_suffix('"'))
                .unwrap_or(raw);
            assert_eq!(t.get(i, key), want, "row {i} {key}");
        }
    }
}

/// The overview fields of `tier --summary` documented in docs/metrics.md §3, in order.
const OVERVIEW: [&str; 11] = [
    "as_of",
    "window_start",
    "customers",
    "rows",
    "monetary_total",
    "value",
    "scores",
    "tier_by",
    "frequency",
    "by",
    "bins",
];

/// Top-level keys of a pretty-printed summary object, in order.
fn top_level_keys(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| l.starts_with("  \""))
        .map(|l| l[3..].split('"').next().expect("key").to_string())
        .collect()
}

#[test]
fn summary_json_is_one_object_fields_first_then_tables() {
    let out = tier(&["--summary", "--format", "json"]);
    let top = top_level_keys(&out.stdout);
    assert_eq!(
        top[..OVERVIEW.len()],
        OVERVIEW,
        "the documented overview fields come first"
    );
    assert_eq!(
        top[top.len() - 2..],
        ["tiers", "segments"],
        "then the two tables"
    );
    let v = json(&out.stdout);
    assert_eq!(v["as_of"], "2024-06-30");
    assert_eq!(v["tier_by"], "pyramid");
    let tiers = v["tiers"].as_array().expect("tiers");
    let labels: Vec<&str> = tiers
        .iter()
        .map(|t| t["tier"].as_str().expect("tier"))
        .collect();
    assert_eq!(
        labels,
        ["VIP", "Key", "General", "Small"],
        "every tier, even empty"
    );
    let tier_lines = object_lines(&out.stdout);
    assert_eq!(
        key_order(tier_lines[0]),
        [
            "tier",
            "customers",
            "customers_share",
            "monetary",
            "monetary_share",
            "median_recency_days",
            "median_frequency"
        ]
    );
    // Small: A02 A07 A08 A01 A05 A10 A06 A03; recency 0,1,2,3,9,10,22,28 → median 6;
    // frequency 1,1,1,2,3,3,4,4 → 2.5 (A08's credit note is no shipment); monetary
    // 13947.25 − 5000 − 4000.
    let small = &tiers[3];
    assert_eq!(small["customers"], 8);
    assert_eq!(small["median_recency_days"].as_f64(), Some(6.0));
    assert_eq!(small["median_frequency"].as_f64(), Some(2.5));
    assert_eq!(raw_json_value(tier_lines[3], "monetary"), "4947.25");
    // Key is empty for N = 10: zero customers, zero money, no medians.
    assert_eq!(tiers[1]["customers"], 0);
    assert_eq!(raw_json_value(tier_lines[1], "monetary"), "0.00");
    assert!(tiers[1]["median_recency_days"].is_null());
}

#[test]
fn summary_json_has_exactly_the_documented_keys() {
    let top = top_level_keys(&tier(&["--summary", "--format", "json"]).stdout);
    let mut want: Vec<&str> = OVERVIEW.to_vec();
    want.extend(["tiers", "segments"]);
    assert_eq!(top, want);
}

#[test]
fn summary_csv_is_one_table_with_a_section_column() {
    let t = Csv::parse(&tier(&["--summary", "--format", "csv"]).stdout);
    // `section`, then the union of all keys in order of first appearance: the overview fields,
    // the tiers columns, then `segment` (the segments table's only new key).
    let json_text = tier(&["--summary", "--format", "json"]).stdout;
    let top = top_level_keys(&json_text);
    let mut want: Vec<String> = vec!["section".into()];
    want.extend(top[..top.len() - 2].iter().cloned());
    for k in [
        "tier",
        "customers",
        "customers_share",
        "monetary",
        "monetary_share",
        "median_recency_days",
        "median_frequency",
        "segment",
    ] {
        if !want.iter().any(|w| w == k) {
            want.push(k.into());
        }
    }
    assert_eq!(t.headers, want);
    assert_eq!(t.headers[1..=OVERVIEW.len()], OVERVIEW);
    let sections: Vec<&str> = t.column("section");
    assert_eq!(sections[0], "overview");
    assert_eq!(sections[1..5], ["tiers"; 4]);
    assert!(sections[5..].iter().all(|s| *s == "segments"));
    assert_eq!(t.get(0, "customers"), "10");
    assert_eq!(t.get(0, "monetary_total"), "13947.25");
    assert_eq!(t.get(0, "tier"), "");
    assert_eq!(t.get(4, "tier"), "Small");
    assert_eq!(
        t.get(4, "customers"),
        "8",
        "a key shared by overview and tables"
    );
}

#[test]
fn summary_ndjson_starts_with_the_overview() {
    let text = tier(&["--summary", "--format", "ndjson"]).stdout;
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("{\"section\":\"overview\",\"as_of\":\"2024-06-30\","),
        "{}",
        lines[0]
    );
    assert_eq!(
        lines[1],
        "{\"section\":\"tiers\",\"tier\":\"VIP\",\"customers\":1,\"customers_share\":0.1,\"monetary\":5000.00,\
         \"monetary_share\":0.3584936098514044,\"median_recency_days\":5,\"median_frequency\":2}"
    );
    assert!(lines[5].starts_with("{\"section\":\"segments\","));
}

// ---------------------------------------------------------------------------------------------
// Human formats

/// `1234567.5` → `1,234,567.5`.
fn thousands(s: &str) -> String {
    let (sign, rest) = s.strip_prefix('-').map_or(("", s), |r| ("-", r));
    let (int, frac) = rest.split_at(rest.find('.').unwrap_or(rest.len()));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}{frac}")
}

fn percent(share: &str) -> String {
    format!("{:.2}%", float(share) * 100.0)
}

#[test]
fn markdown_is_a_titled_table_with_people_values_and_a_totals_row() {
    let md = tier(&["--format", "markdown"]).stdout;
    let t = Csv::parse(&tier(&["--format", "csv"]).stdout);
    let mut want = String::from("## Customer tiers\n\n");
    want.push_str(&format!("| {} |\n", KEYS.join(" | ")));
    want.push_str("|---|---|---|---|--:|--:|--:|--:|--:|--:|---|---|---|--:|--:|\n");
    for i in 0..t.rows.len() {
        let cells: Vec<String> = KEYS
            .iter()
            .map(|k| match *k {
                "monetary" => thousands(t.get(i, k)),
                "share" | "cum_share" => percent(t.get(i, k)),
                _ => t.get(i, k).to_string(),
            })
            .collect();
        want.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    // The totals row: sum of frequency and of monetary (13947.25 by hand).
    let shipments: i64 = t
        .column("frequency")
        .iter()
        .map(|f| f.parse::<i64>().expect("int"))
        .sum();
    want.push_str(&format!(
        "| Total |  |  |  |  | {shipments} | 13,947.25 |  |  |  |  |  |  |  |  |\n"
    ));
    assert_eq!(md, want);
    assert!(md.contains("| A04 | Delta Machinery | 2024-06-15 | 2024-06-25 | 5 | 2 | 5,000.00 | 3 | 2 | 5 | 325 | Others | VIP | 35.85% | 35.85% |"));
}

#[test]
fn markdown_escapes_pipes_and_line_breaks() {
    let md = ok(&[
        "tier",
        "testdata/bad/quoted_newline.csv",
        "--skip-bad-rows",
        "--quiet",
        "--format",
        "markdown",
    ])
    .stdout;
    assert!(
        md.contains("| C203 | Delta Home & Garden,<br>Warehouse B |"),
        "{md}"
    );
    assert!(
        md.contains("| C202 | Crane \"Heavy Lift\" Services, Ltd. |"),
        "{md}"
    );
}

#[test]
fn table_is_not_wrapped_when_stdout_is_not_a_terminal() {
    for columns in [None, Some("40")] {
        let mut cmd = crm();
        cmd.args(["tier", TINY]);
        if let Some(c) = columns {
            cmd.env("COLUMNS", c);
        }
        let out = cmd.output().expect("runs");
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).expect("UTF-8");
        let lines: Vec<&str> = text.lines().collect();
        // header, rule, 10 rows, rule, totals: one line each.
        assert_eq!(lines.len(), 14, "{text}");
        let header: Vec<&str> = lines[0].split('│').map(str::trim).collect();
        assert_eq!(header, KEYS);
        assert!(lines[2].starts_with(" A04 "), "{}", lines[2]);
        assert!(lines[2].contains("│  5,000.00 │"), "{}", lines[2]);
        assert!(lines[13].starts_with(" Total "), "{}", lines[13]);
        assert!(lines[13].contains("13,947.25"));
    }
}

#[test]
fn html_is_a_standalone_page_with_escaped_text() {
    let html = tier(&["--format", "html"]).stdout;
    assert!(
        html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"),
        "{html}"
    );
    assert!(html.contains("<title>Customer tiers</title>"));
    assert_eq!(html.matches("<tr><td>A").count(), 10);
    assert!(html.trim_end().ends_with("</html>"));
    let escaped = ok(&[
        "tier",
        "testdata/bad/quoted_newline.csv",
        "--skip-bad-rows",
        "--quiet",
        "--format",
        "html",
    ])
    .stdout;
    assert!(escaped.contains("<td>Crane &quot;Heavy Lift&quot; Services, Ltd.</td>"));
    assert!(escaped.contains("Delta Home &amp; Garden"));
}

// ---------------------------------------------------------------------------------------------
// -o FILE

#[test]
fn output_extension_picks_the_format() {
    for (ext, format) in [
        ("json", "json"),
        ("ndjson", "ndjson"),
        ("csv", "csv"),
        ("md", "markdown"),
        ("html", "html"),
        ("txt", "table"),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(format!("tiers.{ext}"));
        let out = tier(&["-o", arg(&path)]);
        assert_eq!(out.stdout, "", "{ext}: nothing on stdout with -o");
        let written = std::fs::read_to_string(&path).expect("written");
        assert_eq!(written, tier(&["--format", format]).stdout, "{ext}");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names.len(), 1, "no temporary file left: {names:?}");
    }
    // --format wins over the extension.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("tiers.txt");
    tier(&["-o", arg(&path), "--format", "csv"]);
    assert_eq!(
        std::fs::read_to_string(&path).expect("written"),
        tier(&["--format", "csv"]).stdout
    );
}

#[test]
fn parquet_output_is_a_parquet_file_with_exact_money() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("tiers.parquet");
    let out = tier(&["-o", arg(&path)]);
    assert_eq!(out.stdout, "");
    let bytes = std::fs::read(&path).expect("written");
    assert_eq!(&bytes[..4], b"PAR1");
    assert_eq!(&bytes[bytes.len() - 4..], b"PAR1");
    // crm-cli reads it back: one row per customer, the column keys as headers.
    let v = json(&ok(&["inspect", arg(&path), "--format", "json"]).stdout);
    assert_eq!(v["format"], "parquet");
    assert_eq!(v["rows"], 10);
    let headers: Vec<&str> = v["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .map(|c| c["header"].as_str().expect("header"))
        .collect();
    assert_eq!(headers, KEYS);
    // Money survives exactly (Decimal, not float): read it back as revenue.
    let back = Csv::parse(
        &ok(&[
            "tier",
            arg(&path),
            "--map",
            "ship_date=last_date",
            "--map",
            "revenue=monetary",
            "--format",
            "csv",
        ])
        .stdout,
    )
    .by("customer_id");
    for (id, m) in [("A04", "5000.00"), ("A06", "75.25"), ("A05", "482.00")] {
        assert_eq!(back[id]["monetary"], m, "{id}");
    }
    // --format parquet with any file name.
    let other = dir.path().join("tiers.bin");
    tier(&["--format", "parquet", "-o", arg(&other)]);
    assert_eq!(&std::fs::read(&other).expect("written")[..4], b"PAR1");
}

#[test]
fn a_failed_run_leaves_an_existing_output_file_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let keep = dir.path().join("keep.parquet");
    std::fs::write(&keep, "old").expect("write");
    let out = fails(&["tier", TINY, "--summary", "-o", arg(&keep)], 2);
    assert_eq!(
        out.stderr,
        "error: Parquet output holds one table: use --format json (or csv) for --summary\n"
    );
    let csv = dir.path().join("keep.csv");
    std::fs::write(&csv, "old").expect("write");
    fails(&["tier", "testdata/bad/bad_money.csv", "-o", arg(&csv)], 1);
    assert_eq!(std::fs::read_to_string(&keep).expect("read"), "old");
    assert_eq!(std::fs::read_to_string(&csv).expect("read"), "old");
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name().into_string().expect("name"))
        .collect();
    assert_eq!(names.len(), 2, "no temporary file left: {names:?}");
    // A successful run replaces it.
    tier(&["-o", arg(&csv)]);
    assert_eq!(
        std::fs::read_to_string(&csv).expect("read"),
        tier(&["--format", "csv"]).stdout
    );
}

#[test]
fn an_unwritable_output_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("no/such/dir/tiers.csv");
    let out = fails(&["tier", TINY, "-o", arg(&path)], 1);
    assert!(
        out.stderr.starts_with(&format!("error: {}: ", arg(&path))),
        "{}",
        out.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// --limit, --lang

#[test]
fn limit_keeps_the_first_rows() {
    let full = json(&tier(&["--format", "json"]).stdout);
    let three = json(&tier(&["--limit", "3", "--format", "json"]).stdout);
    assert_eq!(three.as_array().map(Vec::len), Some(3));
    assert_eq!(
        three.as_array().expect("array")[..],
        full.as_array().expect("array")[..3]
    );
    assert_eq!(
        Csv::parse(&tier(&["--limit", "3", "--format", "csv"]).stdout)
            .rows
            .len(),
        3
    );
    assert_eq!(
        tier(&["--limit", "3", "--format", "ndjson"])
            .stdout
            .lines()
            .count(),
        3
    );
    assert_eq!(tier(&["--limit", "0", "--format", "json"]).stdout, "[]\n");
    // Human formats: 3 rows, and the totals row still covers every customer.
    let md = tier(&["--limit", "3", "--format", "markdown"]).stdout;
    assert_eq!(md.lines().filter(|l| l.starts_with("| A")).count(), 3);
    let shipments: i64 = Csv::parse(&tier(&["--format", "csv"]).stdout)
        .column("frequency")
        .iter()
        .map(|f| f.parse::<i64>().expect("int"))
        .sum();
    assert!(md.ends_with(&format!(
        "| Total |  |  |  |  | {shipments} | 13,947.25 |  |  |  |  |  |  |  |  |\n"
    )));
    // Summaries: every table is cut.
    let s = json(&tier(&["--summary", "--limit", "1", "--format", "json"]).stdout);
    assert_eq!(s["tiers"].as_array().map(Vec::len), Some(1));
    assert_eq!(s["segments"].as_array().map(Vec::len), Some(1));
    assert_eq!(s["customers"], 10);
}

#[test]
fn lang_zh_translates_headers_and_labels_of_human_formats() {
    let table = tier(&["--lang", "zh"]).stdout;
    let header: Vec<&str> = table
        .lines()
        .next()
        .expect("header")
        .split('│')
        .map(str::trim)
        .collect();
    assert_eq!(
        header,
        [
            "客户编号",
            "客户名称",
            "首次发货",
            "最近发货",
            "距今天数",
            "频次",
            "金额",
            "R",
            "F",
            "M",
            "RFM",
            "客户分群",
            "客户等级",
            "占比",
            "累计占比"
        ]
    );
    for label in [
        "VIP客户",
        "一般客户",
        "小客户",
        "其他",
        "忠诚客户",
        "流失风险客户",
        "新客户",
        "已流失客户",
    ] {
        assert!(table.contains(label), "{label} in\n{table}");
    }
    assert!(table.lines().last().expect("totals").starts_with(" 合计 "));
    assert!(!table.contains("Loyal Customers"));

    let md = tier(&["--lang", "zh", "--format", "markdown"]).stdout;
    assert!(
        md.starts_with("## 客户分层\n\n| 客户编号 | 客户名称 |"),
        "{md}"
    );
    assert!(md.contains("| A04 | Delta Machinery | 2024-06-15 | 2024-06-25 | 5 | 2 | 5,000.00 | 3 | 2 | 5 | 325 | 其他 | VIP客户 | 35.85% | 35.85% |"));

    let summary = tier(&["--lang", "zh", "--summary", "--format", "markdown"]).stdout;
    assert!(
        summary.starts_with("## 客户分层\n\n- **截至日期**: 2024-06-30\n"),
        "{summary}"
    );
    assert!(
        summary.contains("| 重点客户 | 0 | 0.00% | 0.00 | 0.00% |  |  |"),
        "{summary}"
    );
}

#[test]
fn lang_zh_does_not_change_machine_formats() {
    for format in ["json", "ndjson", "csv"] {
        assert_eq!(
            tier(&["--lang", "zh", "--format", format]).stdout,
            tier(&["--format", format]).stdout,
            "{format}"
        );
        assert_eq!(
            tier(&["--lang", "zh", "--summary", "--format", format]).stdout,
            tier(&["--summary", "--format", format]).stdout,
            "{format} summary"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Determinism and pipes

#[test]
fn the_same_command_gives_byte_identical_output() {
    for format in ["table", "json", "ndjson", "csv", "markdown", "html"] {
        for extra in [&[][..], &["--by", "lane"][..], &["--summary"][..]] {
            let mut args = vec!["tier", "testdata/shipments.csv", "--format", format];
            args.extend_from_slice(extra);
            let a = ok(&args);
            let b = ok(&args);
            assert_eq!(a.stdout_bytes, b.stdout_bytes, "{format} {extra:?}");
            assert!(!a.stdout_bytes.is_empty());
        }
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let (p1, p2) = (dir.path().join("a.parquet"), dir.path().join("b.parquet"));
    ok(&["tier", "testdata/shipments.csv", "-o", arg(&p1)]);
    ok(&["tier", "testdata/shipments.csv", "-o", arg(&p2)]);
    assert_eq!(
        std::fs::read(&p1).expect("a"),
        std::fs::read(&p2).expect("b")
    );
}

#[test]
fn a_reader_that_stops_early_does_not_make_it_fail() {
    // `crm-cli tier big.csv | head -1`: the output (MBs) is far larger than a pipe buffer, so the
    // writes after the reader is gone fail with EPIPE; that must end quietly with exit 0.
    let dir = tempfile::tempdir().expect("tempdir");
    let big = dir.path().join("big.csv");
    std::fs::write(&big, big_export(20_000)).expect("write");
    for format in ["csv", "json", "table"] {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("crm-cli"))
            .args(["tier", arg(&big), "--format", format])
            .current_dir(ROOT)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let stdout = child.stdout.take().expect("stdout");
        let mut first = String::new();
        BufReader::new(stdout)
            .read_line(&mut first)
            .expect("one line");
        // The reader is dropped here: the pipe is closed.
        let out = child.wait_with_output().expect("wait");
        assert!(!first.is_empty(), "{format}");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{format}");
    }
}

// ---------------------------------------------------------------------------------------------
// Typed Parquet input

/// Every command reads typed Parquet (DATE, DECIMAL(12,2), INTEGER, DOUBLE) to the same result
/// as the CSV it was written from (`scripts/make_typed_parquet.sh`).
#[test]
fn typed_parquet_gives_the_results_of_its_csv_twin() {
    let ship_csv = "testdata/shipments.csv";
    let ship_pq = "testdata/typed/shipments.parquet";
    for cmd in [
        vec!["tier", "{s}", "--format", "csv"],
        vec!["tier", "{s}", "--summary", "--format", "json"],
        vec![
            "pareto",
            "{s}",
            "--by",
            "lane",
            "--measure",
            "teu",
            "--format",
            "csv",
        ],
        vec!["churn", "{s}", "--format", "csv"],
        vec!["service", "{s}", "--by", "lane", "--format", "csv"],
    ] {
        let with =
            |file: &str| -> Vec<String> { cmd.iter().map(|a| a.replace("{s}", file)).collect() };
        let a = with(ship_csv);
        let b = with(ship_pq);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let b: Vec<&str> = b.iter().map(String::as_str).collect();
        assert_eq!(ok(&a).stdout, ok(&b).stdout, "{cmd:?}");
    }
    let a = ok(&["aging", "testdata/invoices.csv", "--format", "csv"]);
    let b = ok(&[
        "aging",
        "testdata/typed/invoices.parquet",
        "--format",
        "csv",
    ]);
    assert_eq!(a.stdout, b.stdout);
    assert!(a.stdout.lines().count() > 50);
}
