//! `crm-cli inspect`: what the loader sees in one export (encoding, delimiter, rows, how each
//! header maps to a field, inferred types, parse problems with line numbers, date range).

mod common;

use common::*;
use serde_json::Value;

fn inspect(file: &str, extra: &[&str]) -> Value {
    let mut args = vec!["inspect", file, "--format", "json"];
    args.extend_from_slice(extra);
    json(&ok(&args).stdout)
}

/// (header, field, matched_by, inferred, non_empty, problems) of every column.
fn columns(v: &Value) -> Vec<(String, Value, Value, String, u64, u64)> {
    v["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .enumerate()
        .map(|(i, c)| {
            assert_eq!(c["column"], i as u64 + 1, "1-based positions in file order");
            (
                c["header"].as_str().expect("header").to_string(),
                c["field"].clone(),
                c["matched_by"].clone(),
                c["inferred"].as_str().expect("inferred").to_string(),
                c["non_empty"].as_u64().expect("non_empty"),
                c["problems"].as_u64().expect("problems"),
            )
        })
        .collect()
}

#[test]
fn gbk_export_encoding_delimiter_rows_mapping_and_dates() {
    let v = inspect("testdata/shipments_gbk.csv", &[]);
    assert_eq!(v["file"], "testdata/shipments_gbk.csv");
    assert_eq!(v["format"], "delimited text");
    assert_eq!(v["encoding"], "GBK/GB18030");
    assert_eq!(v["delimiter"], "comma");
    assert_eq!(v["dataset"], "shipments");
    assert_eq!(v["rows"], 40);
    assert_eq!(v["blank_rows"], 0);
    assert_eq!(v["problems"], 0);
    assert_eq!(v["date_min"], "2024-01-05");
    assert_eq!(v["date_max"], "2024-05-27");
    assert!(v["mapping_error"].is_null());
    let cols = columns(&v);
    let mapping: Vec<(&str, &str, &str)> = cols
        .iter()
        .map(|c| {
            (
                c.0.as_str(),
                c.1.as_str().expect("mapped"),
                c.2.as_str().expect("how"),
            )
        })
        .collect();
    assert_eq!(
        mapping,
        [
            ("运单号", "shipment_id", "alias"),
            ("客户编号", "customer_id", "alias"),
            ("客户名称", "customer_name", "alias"),
            ("发货日期", "ship_date", "alias"),
            ("运费", "revenue", "alias"),
            ("成本", "cost", "alias"),
            ("航线", "lane", "alias"),
            ("运输方式", "mode", "alias"),
            ("币种", "currency", "alias"),
        ]
    );
    // Dates in two written forms are dates; "￥54,227.50" and "473.00" are decimals.
    let inferred: Vec<&str> = cols.iter().map(|c| c.3.as_str()).collect();
    assert_eq!(
        inferred,
        [
            "text", "text", "text", "date", "decimal", "decimal", "text", "text", "text"
        ]
    );
    assert!(cols.iter().all(|c| c.4 == 40 && c.5 == 0));
}

#[test]
fn inspect_reads_stdin_too() {
    let bytes = std::fs::read(testdata("shipments_gbk.csv")).expect("read");
    let out = run_stdin(&["inspect", "-", "--format", "json"], bytes);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let v = json(&out.stdout);
    assert_eq!(v["file"], "<stdin>");
    assert_eq!(v["encoding"], "GBK/GB18030");
    assert_eq!(v["rows"], 40);
}

#[test]
fn bad_money_reports_two_problems_on_the_revenue_column_with_lines() {
    let out = ok(&["inspect", "testdata/bad/bad_money.csv", "--format", "json"]);
    assert_eq!(out.stderr, "", "inspect describes, it does not fail");
    let v = json(&out.stdout);
    assert_eq!(v["rows"], 10);
    assert_eq!(v["problems"], 2);
    for c in v["columns"].as_array().expect("columns") {
        if c["header"] == "revenue" {
            assert_eq!(c["problems"], 2);
            assert_eq!(c["inferred"], "text");
            assert_eq!(
                c["examples"],
                "line 5: cannot read '12,3a' as money (expected e.g. 1234.56); \
                 line 9: cannot read 'abc' as money (expected e.g. 1234.56)"
            );
        } else {
            assert_eq!(c["problems"], 0, "{}", c["header"]);
            assert!(c["examples"].is_null());
        }
    }
}

#[test]
fn bad_date_reports_lines_4_and_8_and_the_range_of_readable_dates() {
    let v = inspect("testdata/bad/bad_date.csv", &[]);
    assert_eq!(v["problems"], 2);
    let ship = v["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .find(|c| c["field"] == "ship_date")
        .expect("ship_date");
    let examples = ship["examples"].as_str().expect("examples");
    assert!(
        examples.starts_with("line 4: cannot read '2024-02-30' as date"),
        "{examples}"
    );
    assert!(
        examples.contains("; line 8: cannot read '05/01/2024' as date"),
        "{examples}"
    );
    // With the day-first format only the impossible date is left.
    let v = inspect("testdata/bad/bad_date.csv", &["--date-format", "%d/%m/%Y"]);
    assert_eq!(v["problems"], 1);
}

#[test]
fn quoted_newlines_count_as_lines_in_inspect_too() {
    let v = inspect("testdata/bad/quoted_newline.csv", &[]);
    assert_eq!(v["rows"], 8, "8 records on 13 lines");
    assert_eq!(v["problems"], 1);
    let rev = &v["columns"][4];
    assert_eq!(rev["header"], "revenue");
    assert_eq!(
        rev["examples"],
        "line 10: cannot read '1,05O.00' as money (expected e.g. 1234.56)"
    );
}

#[test]
fn other_encodings_and_delimiters_are_detected() {
    let v = inspect("testdata/shipments_utf16.txt", &[]);
    assert_eq!(
        (&v["encoding"], &v["delimiter"], &v["rows"]),
        (
            &Value::from("UTF-16LE"),
            &Value::from("tab"),
            &Value::from(10)
        )
    );
    assert_eq!(
        v["columns"][0]["header"], "shipment_id",
        "no BOM in the header"
    );

    let v = inspect("testdata/shipments_semicolon.csv", &["--decimal-comma"]);
    assert_eq!(
        (&v["encoding"], &v["delimiter"], &v["rows"], &v["problems"]),
        (
            &Value::from("UTF-8"),
            &Value::from("semicolon"),
            &Value::from(20),
            &Value::from(0)
        )
    );
    assert_eq!(v["columns"][0]["header"], "shipment_id", "BOM removed");
    assert_eq!(
        (&v["date_min"], &v["date_max"]),
        (&Value::from("2024-03-04"), &Value::from("2024-05-10"))
    );
    // Without --decimal-comma every revenue and cost is a problem.
    let v = inspect("testdata/shipments_semicolon.csv", &[]);
    assert_eq!(v["problems"], 40);
}

#[test]
fn line_item_export_maps_invoice_columns() {
    let v = inspect("testdata/line_items.csv", &[]);
    assert_eq!(v["rows"], 302);
    let cols = columns(&v);
    let field = |h: &str| cols.iter().find(|c| c.0 == h).expect(h).1.clone();
    assert_eq!(field("InvoiceNo"), "shipment_id");
    assert_eq!(field("InvoiceDate"), "ship_date");
    assert_eq!(field("Quantity"), "quantity");
    assert_eq!(field("UnitPrice"), "unit_price");
    assert_eq!(field("CustomerID"), "customer_id");
    assert!(field("StockCode").is_null());
    let customer = cols
        .iter()
        .find(|c| c.0 == "CustomerID")
        .expect("CustomerID");
    assert_eq!(customer.4, 302 - 41, "non-empty CustomerID cells");
    assert_eq!(
        (&v["date_min"], &v["date_max"]),
        (&Value::from("2010-12-01"), &Value::from("2011-12-07"))
    );
}

#[test]
fn a_mapping_error_is_reported_not_fatal() {
    let out = ok(&[
        "inspect",
        "testdata/bad/missing_column.csv",
        "--format",
        "json",
    ]);
    let v = json(&out.stdout);
    let err = v["mapping_error"].as_str().expect("mapping_error");
    assert!(
        err.starts_with("no column found for required field of shipments:\n  revenue: tried "),
        "{err}"
    );
    assert!(
        out.stderr
            .starts_with(&format!("note: testdata/bad/missing_column.csv: {err}")),
        "{}",
        out.stderr
    );
    assert_eq!(v["rows"], 8);
    assert!(v["date_min"].is_null());
}

#[test]
fn parquet_input_has_no_encoding_or_delimiter() {
    let v = inspect("testdata/shipments_gbk_en.parquet", &[]);
    assert_eq!(v["format"], "parquet");
    assert!(v["encoding"].is_null());
    assert!(v["delimiter"].is_null());
    assert_eq!(v["rows"], 40);
    assert_eq!(
        (&v["date_min"], &v["date_max"]),
        (&Value::from("2024-01-05"), &Value::from("2024-05-27"))
    );
}

#[test]
fn binary_file_fails_with_the_encoding_error() {
    let out = fails(&["inspect", "testdata/bad/not_text.bin.csv"], 1);
    assert_eq!(
        out.stderr,
        "error: testdata/bad/not_text.bin.csv is neither UTF-8, UTF-16 nor GBK (first bad byte at offset 0); pass --encoding to declare it\n"
    );
}

#[test]
fn table_format_shows_the_overview_then_the_columns() {
    let text = ok(&["inspect", "testdata/shipments_gbk.csv"]).stdout;
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "Inspect");
    assert!(text.contains(" encoding      │ GBK/GB18030"), "{text}");
    assert!(text.contains("\nColumns\n"), "{text}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("│ 运费     │ revenue       │ alias ")),
        "{text}"
    );
    let zh = ok(&["inspect", "testdata/shipments_gbk.csv", "--lang", "zh"]).stdout;
    assert!(zh.contains(" 编码 "), "{zh}");
    assert!(zh.contains(" 表头 "), "{zh}");
}
