//! The shared loader, seen through `crm-cli tier`: encodings, dialects, stdin, gzip, globs,
//! Parquet/xlsx input and line-item exports all give the same customers as their plain twins.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

use common::*;

/// `tier FILE... --format csv` stdout (notes ignored).
fn tier_csv_text(files: &[&str], extra: &[&str]) -> String {
    let mut args = vec!["tier"];
    args.extend_from_slice(files);
    args.extend_from_slice(&["--format", "csv"]);
    args.extend_from_slice(extra);
    ok(&args).stdout
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).expect("gzip");
    enc.finish().expect("gzip")
}

// ---------------------------------------------------------------------------------------------
// Encodings and dialects

/// testdata/README.md: revenue per customer of shipments_gbk_en.csv (and so of its twins).
const GBK_TOTALS: [(&str, &str); 8] = [
    ("KH001", "232972.00"),
    ("KH002", "104179.80"),
    ("KH003", "172385.10"),
    ("KH004", "54227.50"),
    ("KH005", "155317.50"),
    ("KH006", "90816.00"),
    ("KH007", "75466.50"),
    ("KH008", "267268.00"),
];

#[test]
fn gbk_export_reads_exactly_like_its_utf8_twin() {
    let gbk = tier_csv_text(&["testdata/shipments_gbk.csv"], &[]);
    let en = tier_csv_text(&["testdata/shipments_gbk_en.csv"], &[]);
    // Same ids, names, dates, money, scores, segments and tiers: the whole output.
    assert_eq!(gbk, en);
    let t = Csv::parse(&gbk).by("customer_id");
    assert_eq!(t.len(), 8);
    for (id, total) in GBK_TOTALS {
        assert_eq!(t[id]["monetary"], total, "{id}");
    }
    // The Chinese names survive the GBK decoding.
    assert_eq!(t["KH001"]["customer_name"], "上海远航物流有限公司");
    // Frequencies are the rows per customer of the twin (one shipment per row).
    let twin = Csv::read("shipments_gbk_en.csv");
    let per = aggregate(&twin, 2, |_, _| true);
    for (id, a) in &per {
        assert_eq!(t[id]["frequency"], a.ids.len().to_string(), "{id}");
        assert_eq!(t[id]["first_date"], a.first().to_string(), "{id}");
        assert_eq!(t[id]["last_date"], a.last().to_string(), "{id}");
    }
    // JSON as well.
    assert_eq!(
        ok(&["tier", "testdata/shipments_gbk.csv", "--format", "json"]).stdout,
        ok(&["tier", "testdata/shipments_gbk_en.csv", "--format", "json"]).stdout
    );
}

#[test]
fn gbk_costs_with_yuan_signs_and_thousands_commas_are_exact() {
    let gbk = ok(&[
        "tier",
        "testdata/shipments_gbk.csv",
        "--value",
        "margin",
        "--summary",
        "--format",
        "ndjson",
    ]);
    let en = ok(&[
        "tier",
        "testdata/shipments_gbk_en.csv",
        "--value",
        "margin",
        "--summary",
        "--format",
        "ndjson",
    ]);
    assert_eq!(gbk.stdout, en.stdout);
    // Revenue 1152632.40 − cost 982660.75.
    let overview = gbk.stdout.lines().next().expect("overview");
    assert_eq!(raw_json_value(overview, "monetary_total"), "169971.65");
}

#[test]
fn declared_encoding_and_delimiter_give_the_same_result() {
    assert_eq!(
        tier_csv_text(&["testdata/shipments_gbk.csv"], &["--encoding", "gbk"]),
        tier_csv_text(&["testdata/shipments_gbk_en.csv"], &[])
    );
    assert_eq!(
        tier_csv_text(
            &["testdata/shipments_semicolon.csv"],
            &["--decimal-comma", "--delimiter", ";", "--encoding", "utf-8"]
        ),
        tier_csv_text(&["testdata/shipments_semicolon_en.csv"], &[])
    );
}

#[test]
fn utf16_excel_text_reads_like_the_first_ten_rows_of_the_twin() {
    let text = std::fs::read_to_string(testdata("shipments_gbk_en.csv")).expect("read");
    let subset: String = text.lines().take(11).map(|l| format!("{l}\n")).collect();
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("first10.csv");
    std::fs::write(&p, subset).expect("write");

    let utf16 = tier_csv_text(&["testdata/shipments_utf16.txt"], &[]);
    assert_eq!(utf16, tier_csv_text(&[arg(&p)], &[]));
    // README: KH001 ×1, KH003 ×3, KH004 ×1, KH005 ×1, KH008 ×4.
    let t = Csv::parse(&utf16).by("customer_id");
    let freq: BTreeMap<&str, &str> = t
        .iter()
        .map(|(id, r)| (id.as_str(), r["frequency"].as_str()))
        .collect();
    assert_eq!(
        freq,
        BTreeMap::from([
            ("KH001", "1"),
            ("KH003", "3"),
            ("KH004", "1"),
            ("KH005", "1"),
            ("KH008", "4")
        ])
    );
}

#[test]
fn semicolon_decimal_comma_export_reads_like_its_twin() {
    let eu = tier_csv_text(&["testdata/shipments_semicolon.csv"], &["--decimal-comma"]);
    assert_eq!(
        eu,
        tier_csv_text(&["testdata/shipments_semicolon_en.csv"], &[])
    );
    let t = Csv::parse(&eu).by("customer_id");
    for (id, total) in [
        ("EU01", "1130673.86"),
        ("EU02", "2735.60"),
        ("EU03", "140996.42"),
        ("EU04", "58234.54"),
        ("EU05", "25710.88"),
        ("EU06", "4665.84"),
    ] {
        assert_eq!(t[id]["monetary"], total, "{id}");
    }
    // The unquoted name with a comma stays one field (the delimiter is ';'), BOM not in headers.
    assert_eq!(t["EU06"]["customer_name"], "Hansen, Jørgensen & Co. ApS");
    assert_eq!(t["EU05"]["customer_name"], "Łódź Cargo Sp. z o.o.");
}

#[test]
fn parquet_and_xlsx_inputs_read_like_the_csv_twin() {
    let en = tier_csv_text(&["testdata/shipments_gbk_en.csv"], &[]);
    assert_eq!(
        tier_csv_text(&["testdata/shipments_gbk_en.parquet"], &[]),
        en
    );
    assert_eq!(
        tier_csv_text(&["testdata/shipments.xlsx"], &["--sheet", "Shipments"]),
        en
    );
}

// ---------------------------------------------------------------------------------------------
// Where the bytes come from: stdin, gzip, globs, several files

#[test]
fn stdin_reads_like_the_file() {
    for file in ["tiny.csv", "shipments_gbk.csv", "shipments_utf16.txt"] {
        let bytes = std::fs::read(testdata(file)).expect("read");
        let piped = run_stdin(&["tier", "-", "--format", "csv"], bytes);
        assert_eq!(piped.code, Some(0), "{file}: {}", piped.stderr);
        let path = format!("testdata/{file}");
        assert_eq!(piped.stdout, tier_csv_text(&[&path], &[]), "{file}");
    }
}

#[test]
fn gzip_files_and_gzip_on_stdin_read_like_the_plain_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    for file in ["tiny.csv", "shipments_gbk.csv"] {
        let plain = tier_csv_text(&[&format!("testdata/{file}")], &[]);
        let packed = gzip(&std::fs::read(testdata(file)).expect("read"));
        let gz = dir.path().join(format!("{file}.gz"));
        std::fs::write(&gz, &packed).expect("write");
        assert_eq!(tier_csv_text(&[arg(&gz)], &[]), plain, "{file}.gz");
        // Recognised by content too: a gzip file without the .gz name, and on stdin.
        let disguised = dir.path().join(format!("disguised-{file}"));
        std::fs::write(&disguised, &packed).expect("write");
        assert_eq!(tier_csv_text(&[arg(&disguised)], &[]), plain, "{file}");
        let piped = run_stdin(&["tier", "-", "--format", "csv"], packed);
        assert_eq!(piped.code, Some(0), "{}", piped.stderr);
        assert_eq!(piped.stdout, plain, "{file} on stdin");
    }
}

#[test]
fn a_glob_over_two_halves_reads_like_the_whole_file() {
    let text = std::fs::read_to_string(testdata("shipments.csv")).expect("read");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.len(),
        1202,
        "header + 1201 rows, no multi-line records"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let part = |name: &str, rows: &[&str]| {
        let mut s = format!("{}\n", lines[0]);
        for r in rows {
            s.push_str(r);
            s.push('\n');
        }
        let p = dir.path().join(name);
        std::fs::write(&p, s).expect("write");
        p
    };
    let a = part("part-1.csv", &lines[1..600]);
    let b = part("part-2.csv", &lines[600..]);

    let whole = tier_csv_text(&["testdata/shipments.csv"], &[]);
    let pattern = dir.path().join("part-*.csv");
    let globbed = ok(&["tier", arg(&pattern), "--format", "csv"]);
    assert_eq!(globbed.stdout, whole);
    assert_eq!(globbed.stderr, "", "no duplicate ids across the halves");
    // Files named one by one, in either order, give the same customers.
    assert_eq!(tier_csv_text(&[arg(&b), arg(&a)], &[]), whole);
    let v = json(&ok(&["tier", arg(&pattern), "--summary", "--format", "json"]).stdout);
    assert_eq!(v["rows"], 1201);
}

#[test]
fn the_same_file_named_twice_is_read_once() {
    let once = tier_csv_text(&["testdata/tiny.csv"], &[]);
    let out = ok(&[
        "tier",
        "testdata/tiny.csv",
        "testdata/./tiny.csv",
        "testdata/tin?.csv",
        "--format",
        "csv",
    ]);
    assert_eq!(out.stdout, once);
    assert_eq!(
        out.stderr, "",
        "no duplicate-id note: the rows were read once"
    );
}

#[test]
fn several_files_are_concatenated_whatever_their_encoding() {
    // The GBK export and its UTF-8 twin hold the same 40 shipments: every amount doubles, and
    // frequency (distinct shipment ids) does not change.
    let out = ok(&[
        "tier",
        "testdata/shipments_gbk.csv",
        "testdata/shipments_gbk_en.csv",
        "--format",
        "csv",
    ]);
    assert!(
        out.stderr.starts_with(
            "note: 40 shipment_id values appear on more than one row (e.g. YD240105001, YD240107002, YD240110003)"
        ),
        "{}",
        out.stderr
    );
    let both = Csv::parse(&out.stdout).by("customer_id");
    let single =
        Csv::parse(&tier_csv_text(&["testdata/shipments_gbk_en.csv"], &[])).by("customer_id");
    for (id, one) in &single {
        assert_eq!(
            minor(&both[id]["monetary"], 2),
            2 * minor(&one["monetary"], 2),
            "{id}"
        );
        assert_eq!(both[id]["frequency"], one["frequency"], "{id}");
    }
}

#[test]
fn crlf_and_utf16_files_report_physical_line_numbers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "shipment_id,customer_id,ship_date,revenue\r\n\
                S1,A,2024-01-01,1.00\r\nS2,A,2024-01-02,2.00\r\nS3,B,2024-01-02,x\r\n";
    let crlf = dir.path().join("crlf.csv");
    std::fs::write(&crlf, text).expect("write");
    let out = fails(&["tier", arg(&crlf)], 1);
    assert!(
        out.stderr
            .contains("crlf.csv:4: column 'revenue': cannot read 'x' as money"),
        "{}",
        out.stderr
    );
    // The same text as Excel's "Unicode text": UTF-16LE with BOM, tabs.
    let mut utf16 = vec![0xFF, 0xFE];
    for u in text.replace(',', "\t").encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    let u16p = dir.path().join("unicode.txt");
    std::fs::write(&u16p, utf16).expect("write");
    let out = fails(&["tier", arg(&u16p)], 1);
    assert!(
        out.stderr
            .contains("unicode.txt:4: column 'revenue': cannot read 'x' as money"),
        "{}",
        out.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// Line-item exports (testdata/line_items.csv)

/// Per customer from the raw line items, in cents: revenue = Quantity × UnitPrice exactly.
/// Also: the customers with a cancellation line (negative quantity), and the total of the lines
/// without a customer.
fn line_item_customers() -> (BTreeMap<String, Agg>, BTreeSet<String>, i128) {
    let data = Csv::read("line_items.csv");
    assert_eq!(data.rows.len(), 302);
    let mut per: BTreeMap<String, Agg> = BTreeMap::new();
    let mut cancelling = BTreeSet::new();
    let mut without_customer = 0i128;
    for i in 0..data.rows.len() {
        let qty: i128 = data.get(i, "Quantity").parse().expect("whole quantity");
        let cents = qty * minor(data.get(i, "UnitPrice"), 2);
        let customer = data.get(i, "CustomerID");
        if customer.is_empty() {
            without_customer += cents;
            continue;
        }
        let id = customer
            .strip_suffix(".0")
            .expect("CustomerID written as a float");
        if qty < 0 {
            cancelling.insert(id.to_string());
        }
        per.entry(id.to_string()).or_default().add(
            data.get(i, "InvoiceNo"),
            date_part(data.get(i, "InvoiceDate")),
            cents,
        );
    }
    (per, cancelling, without_customer)
}

fn line_items_csv(extra: &[&str]) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut args = vec![
        "tier",
        "testdata/line_items.csv",
        "--skip-bad-rows",
        "--quiet",
        "--format",
        "csv",
    ];
    args.extend_from_slice(extra);
    Csv::parse(&ok(&args).stdout).by("customer_id")
}

const NO_CUSTOMER_ERROR: &str = "error: 41 values could not be read:\n  \
testdata/line_items.csv:2: column 'CustomerID': empty customer id (the field 'customer_id' is required) (and 40 more rows like it: lines 3, 4, 5, 6, 7, …)\n\
(fix the file, or pass --skip-bad-rows to drop these rows and count them)\n";

#[test]
fn line_items_without_customer_fail_by_default() {
    let out = fails(&["tier", "testdata/line_items.csv"], 1);
    assert_eq!(out.stderr, NO_CUSTOMER_ERROR);
}

#[test]
fn line_items_with_skip_bad_rows_net_quantity_times_unit_price() {
    let out = ok(&[
        "tier",
        "testdata/line_items.csv",
        "--skip-bad-rows",
        "--format",
        "csv",
    ]);
    assert_eq!(
        out.stderr,
        "note: skipped 41 rows with unreadable or missing values (--skip-bad-rows); first:\n  \
         testdata/line_items.csv:2: column 'CustomerID': empty customer id (the field 'customer_id' is required) (and 40 more rows like it: lines 3, 4, 5, 6, 7, …)\n"
    );
    let (per, _, without_customer) = line_item_customers();
    assert_eq!(
        fmt_minor(without_customer, 2),
        "68.07",
        "README: rows without customer"
    );
    let got = Csv::parse(&out.stdout).by("customer_id");
    assert_eq!(got.len(), 15);
    for (id, a) in &per {
        assert_eq!(got[id]["monetary"], fmt_minor(a.value, 2), "{id}");
    }
    // README: sum(Quantity × UnitPrice) per customer, cancellations netted.
    for (id, total) in [
        ("12950", "1843.00"),
        ("13502", "292.00"),
        ("13666", "84.65"),
        ("14644", "780.46"),
        ("14737", "1164.55"),
        ("14853", "463.05"),
        ("15018", "456.26"),
        ("15206", "420.30"),
        ("15587", "913.68"),
        ("16989", "1133.25"),
        ("17133", "4892.24"),
        ("17262", "1253.36"),
        ("17396", "7330.80"),
        ("17440", "177.10"),
        ("18276", "323.36"),
    ] {
        assert_eq!(got[id]["monetary"], total, "{id}");
    }
}

#[test]
fn line_items_frequency_counts_invoices() {
    // Customers without cancellation lines: frequency = distinct InvoiceNo, dates of the
    // invoices (cancellations: see the ignored test below).
    let (per, cancelling, _) = line_item_customers();
    let asof = per.values().map(Agg::last).max().expect("rows");
    assert_eq!(asof, date("2011-12-07"));
    let got = line_items_csv(&[]);
    let days = line_items_csv(&["--frequency", "days"]);
    let mut checked = 0;
    let mut several_a_day = 0;
    for (id, a) in per.iter().filter(|(id, _)| !cancelling.contains(*id)) {
        let g = &got[id];
        assert_eq!(
            g["frequency"],
            a.ids.len().to_string(),
            "{id}: distinct InvoiceNo"
        );
        assert_eq!(g["first_date"], a.first().to_string(), "{id}");
        assert_eq!(g["last_date"], a.last().to_string(), "{id}");
        assert_eq!(
            g["recency_days"],
            (asof - a.last()).num_days().to_string(),
            "{id}"
        );
        assert_eq!(
            days[id]["frequency"],
            a.days.len().to_string(),
            "{id}: invoice dates"
        );
        several_a_day += usize::from(a.days.len() != a.ids.len());
        checked += 1;
    }
    assert!(checked >= 8, "{checked} customers without cancellations");
    assert!(
        several_a_day > 0,
        "some customer has two invoices on one day"
    );
}

#[test]
fn line_items_frequency_leaves_cancellation_invoices_out() {
    // A cancellation line (negative quantity, so negative revenue) is a credit, not a shipment:
    // frequency counts the customer's distinct InvoiceNo among lines with revenue ≥ 0.
    let data = Csv::read("line_items.csv");
    let mut invoices: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for i in 0..data.rows.len() {
        let Some(id) = data.get(i, "CustomerID").strip_suffix(".0") else {
            continue;
        };
        let qty: i128 = data.get(i, "Quantity").parse().expect("whole quantity");
        if qty * minor(data.get(i, "UnitPrice"), 2) >= 0 {
            invoices
                .entry(id.to_string())
                .or_default()
                .insert(data.get(i, "InvoiceNo").to_string());
        }
    }
    let (per, cancelling, _) = line_item_customers();
    assert!(!cancelling.is_empty());
    let got = line_items_csv(&[]);
    for id in &cancelling {
        assert_eq!(got[id]["frequency"], invoices[id].len().to_string(), "{id}");
        assert!(
            invoices[id].len() < per[id].ids.len(),
            "{id} has a cancellation invoice"
        );
    }
    // 14644: 4 distinct InvoiceNo, 2 of them cancellations.
    assert_eq!(got["14644"]["frequency"], "2");
}

#[test]
fn line_item_revenue_of_one_customer_by_hand() {
    // Customer 15018 (CustomerID written 15018.0), every line in integer cents, its
    // cancellation netted.
    let data = Csv::read("line_items.csv");
    let mut cents = 0i128;
    let mut lines = 0;
    for i in 0..data.rows.len() {
        if data.get(i, "CustomerID") == "15018.0" {
            let qty: i128 = data.get(i, "Quantity").parse().expect("quantity");
            cents += qty * minor(data.get(i, "UnitPrice"), 2);
            lines += 1;
        }
    }
    assert!(lines > 1);
    assert_eq!(cents, 45_626); // 456.26
    assert_eq!(line_items_csv(&[])["15018"]["monetary"], "456.26");
}
