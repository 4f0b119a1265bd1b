//! Errors, notes and exit codes: 0 success, 1 bad input or data, 2 usage. Every fixture of
//! testdata/bad/ fails (or warns) with a message naming the file, the physical line and the
//! column, and says how to fix or work around it.

mod common;

use common::*;

fn bad(file: &str) -> Out {
    fails(&["tier", &format!("testdata/bad/{file}")], 1)
}

const FIX_HINT: &str =
    "(fix the file, or pass --skip-bad-rows to drop these rows and count them)\n";

#[test]
fn bad_money_names_lines_5_and_9() {
    let out = bad("bad_money.csv");
    assert_eq!(
        out.stderr,
        format!(
            "error: 2 values could not be read:\n  \
             testdata/bad/bad_money.csv:5: column 'revenue': cannot read '12,3a' as money (expected e.g. 1234.56)\n  \
             testdata/bad/bad_money.csv:9: column 'revenue': cannot read 'abc' as money (expected e.g. 1234.56)\n\
             {FIX_HINT}"
        )
    );
}

#[test]
fn bad_money_rows_can_be_skipped() {
    let out = ok(&[
        "tier",
        "testdata/bad/bad_money.csv",
        "--skip-bad-rows",
        "--summary",
        "--format",
        "json",
    ]);
    assert_eq!(
        out.stderr,
        "note: skipped 2 rows with unreadable or missing values (--skip-bad-rows); first:\n  \
         testdata/bad/bad_money.csv:5: column 'revenue': cannot read '12,3a' as money (expected e.g. 1234.56)\n  \
         testdata/bad/bad_money.csv:9: column 'revenue': cannot read 'abc' as money (expected e.g. 1234.56)\n"
    );
    assert_eq!(json(&out.stdout)["rows"], 8);
}

#[test]
fn bad_date_names_lines_4_and_8_and_suggests_date_format() {
    let out = bad("bad_date.csv");
    assert_eq!(
        out.stderr,
        format!(
            "error: 2 values could not be read:\n  \
             testdata/bad/bad_date.csv:4: column 'ship_date': cannot read '2024-02-30' as date (expected a real calendar date, e.g. 2024-01-05)\n  \
             testdata/bad/bad_date.csv:8: column 'ship_date': cannot read '05/01/2024' as date (expected a year-first date such as 2024-01-05; the day/month order is ambiguous, declare it with --date-format %d/%m/%Y or %m/%d/%Y)\n\
             {FIX_HINT}"
        )
    );
}

#[test]
fn date_format_reads_the_day_first_date_but_not_the_impossible_one() {
    let out = fails(
        &[
            "tier",
            "testdata/bad/bad_date.csv",
            "--date-format",
            "%d/%m/%Y",
        ],
        1,
    );
    assert_eq!(
        out.stderr,
        format!(
            "error: 1 value could not be read:\n  \
             testdata/bad/bad_date.csv:4: column 'ship_date': cannot read '2024-02-30' as date (expected a real calendar date, e.g. 2024-01-05)\n\
             {FIX_HINT}"
        )
    );
}

#[test]
fn missing_revenue_column_lists_the_headers_found_and_the_map_hint() {
    let out = bad("missing_column.csv");
    let e = &out.stderr;
    assert!(
        e.starts_with(
            "error: testdata/bad/missing_column.csv: no column found for required field of shipments:\n  \
             revenue: tried revenue, 运费, 金额, "
        ),
        "{e}"
    );
    assert!(
        e.ends_with(
            "; or all of quantity, unit_price (revenue = quantity × unit_price)\n\
             headers found: 'shipment_id', 'customer_id', 'ship_date', 'cost'\n\
             map a column with --map FIELD=HEADER or a [columns] section in crm.toml\n"
        ),
        "{e}"
    );
    // Following the hint works: the cost column read as revenue.
    let got = Csv::parse(
        &ok(&[
            "tier",
            "testdata/bad/missing_column.csv",
            "--map",
            "revenue=cost",
            "--format",
            "csv",
        ])
        .stdout,
    )
    .by("customer_id");
    assert_eq!(got["C100"]["monetary"], "3278.40"); // 1288.40 + 1990.00
    assert_eq!(got["C104"]["monetary"], "6010.45");
}

#[test]
fn map_to_a_header_that_is_not_there() {
    let out = fails(
        &[
            "tier",
            "testdata/bad/missing_column.csv",
            "--map",
            "revenue=Freight USD",
        ],
        1,
    );
    assert_eq!(
        out.stderr,
        "error: testdata/bad/missing_column.csv: column 'Freight USD' given for field 'revenue' (--map / [columns]) not found; headers found: 'shipment_id', 'customer_id', 'ship_date', 'cost'\n"
    );
}

#[test]
fn empty_customer_ids_fail_from_line_4() {
    // Repeated identical problems are listed once, at their first line, with a count.
    let out = bad("empty_customer.csv");
    assert_eq!(
        out.stderr,
        format!(
            "error: 2 values could not be read:\n  \
             testdata/bad/empty_customer.csv:4: column 'customer_id': empty customer id (the field 'customer_id' is required) (and 1 more row like it: line 9)\n\
             {FIX_HINT}"
        )
    );
    let v = json(
        &ok(&[
            "tier",
            "testdata/bad/empty_customer.csv",
            "--skip-bad-rows",
            "--quiet",
            "--summary",
            "--format",
            "json",
        ])
        .stdout,
    );
    assert_eq!(v["rows"], 8);
}

#[test]
fn empty_customer_ids_name_lines_4_and_9() {
    let out = bad("empty_customer.csv");
    assert!(
        out.stderr.contains("empty_customer.csv:4:"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("empty_customer.csv:9:") || out.stderr.contains("line 9"),
        "{}",
        out.stderr
    );
}

#[test]
fn mixed_currencies_are_never_summed() {
    let out = bad("mixed_currency.csv");
    assert_eq!(
        out.stderr,
        "error: the data is in more than one currency: CNY (3 rows), USD (7 rows); amounts are never summed across currencies: choose one with --currency CODE\n"
    );
}

#[test]
fn currency_keeps_one_currency_and_says_what_it_left_out() {
    for code in ["USD", "usd"] {
        let out = ok(&[
            "tier",
            "testdata/bad/mixed_currency.csv",
            "--currency",
            code,
            "--summary",
            "--format",
            "json",
        ]);
        assert_eq!(
            out.stderr,
            "note: --currency USD: left out 3 rows in other currencies (CNY: 3)\n"
        );
        let line = out
            .stdout
            .lines()
            .find(|l| l.contains("\"monetary_total\""))
            .expect("total");
        assert_eq!(line.trim(), "\"monetary_total\": 17995.24,");
        let v = json(&out.stdout);
        assert_eq!(v["rows"], 7);
        assert_eq!(v["customers"], 4, "C101 only bought in CNY");
    }
    let cny = ok(&[
        "tier",
        "testdata/bad/mixed_currency.csv",
        "--currency",
        "CNY",
        "--summary",
        "--format",
        "ndjson",
    ]);
    let overview = cny.stdout.lines().next().expect("overview");
    assert_eq!(raw_json_value(overview, "monetary_total"), "29480.40");
    assert_eq!(raw_json_value(overview, "rows"), "3");
}

#[test]
fn currency_not_in_the_data_is_an_error() {
    let out = fails(
        &[
            "tier",
            "testdata/bad/mixed_currency.csv",
            "--currency",
            "EUR",
        ],
        1,
    );
    assert_eq!(
        out.stderr,
        "error: --currency EUR: no rows in that currency; the data has CNY (3 rows), USD (7 rows)\n"
    );
}

#[test]
fn currency_without_a_currency_column_keeps_every_row() {
    let out = ok(&[
        "tier",
        "testdata/money_exact.csv",
        "--currency",
        "USD",
        "--format",
        "csv",
    ]);
    assert_eq!(
        out.stderr,
        "note: --currency USD: the data has no currency column; all rows kept\n"
    );
    assert_eq!(Csv::parse(&out.stdout).rows.len(), 3);
}

#[test]
fn binary_file_is_an_encoding_error() {
    let out = bad("not_text.bin.csv");
    assert_eq!(
        out.stderr,
        "error: testdata/bad/not_text.bin.csv is neither UTF-8, UTF-16 nor GBK (first bad byte at offset 0); pass --encoding to declare it\n"
    );
}

#[test]
fn duplicate_shipment_ids_are_a_note_and_dedupe_drops_identical_rows() {
    let out = ok(&["tier", "testdata/bad/duplicate_ids.csv", "--format", "csv"]);
    assert_eq!(
        out.stderr,
        "note: 2 shipment_id values appear on more than one row (e.g. B0005, B0009); each distinct shipment_id counts once; pass --dedupe to drop rows identical in every field\n"
    );
    let all = Csv::parse(&out.stdout).by("customer_id");
    // testdata/README.md: distinct-id frequency and revenue over all 12 rows.
    for (id, freq, total) in [
        ("C100", "3", "6829.99"),
        ("C101", "2", "2256.25"),
        ("C102", "2", "1175.25"),
        ("C103", "2", "9931.20"),
        ("C104", "1", "6890.00"),
    ] {
        assert_eq!(all[id]["frequency"], freq, "{id}");
        assert_eq!(all[id]["monetary"], total, "{id}");
    }

    let out = ok(&[
        "tier",
        "testdata/bad/duplicate_ids.csv",
        "--dedupe",
        "--format",
        "csv",
    ]);
    assert!(
        out.stderr.starts_with(
            "note: dropped 1 row identical in every field to an earlier row (--dedupe)\n"
        ),
        "{}",
        out.stderr
    );
    let deduped = Csv::parse(&out.stdout).by("customer_id");
    assert_eq!(deduped["C103"]["monetary"], "8090.60");
    assert_eq!(deduped["C103"]["frequency"], "2");
    for id in ["C100", "C101", "C102", "C104"] {
        assert_eq!(deduped[id]["monetary"], all[id]["monetary"], "{id}");
    }
}

#[test]
fn duplicate_id_note_after_dedupe() {
    // After --dedupe only B0005 (two different rows) is left repeated.
    let out = ok(&[
        "tier",
        "testdata/bad/duplicate_ids.csv",
        "--dedupe",
        "--format",
        "csv",
    ]);
    assert_eq!(
        out.stderr,
        "note: dropped 1 row identical in every field to an earlier row (--dedupe)\n\
         note: 1 shipment_id value appears on more than one row (e.g. B0005); each distinct shipment_id counts once; pass --dedupe to drop rows identical in every field\n"
    );
}

#[test]
fn quoted_newlines_count_as_lines() {
    let out = bad("quoted_newline.csv");
    assert_eq!(
        out.stderr,
        format!(
            "error: 1 value could not be read:\n  \
             testdata/bad/quoted_newline.csv:10: column 'revenue': cannot read '1,05O.00' as money (expected e.g. 1234.56)\n\
             {FIX_HINT}"
        )
    );
    // Skipping it keeps the multi-line names intact.
    let got = Csv::parse(
        &ok(&[
            "tier",
            "testdata/bad/quoted_newline.csv",
            "--skip-bad-rows",
            "--quiet",
            "--format",
            "csv",
        ])
        .stdout,
    )
    .by("customer_id");
    assert_eq!(
        got["C201"]["customer_name"],
        "Blue Ocean Trading Co.\nAttn: Accounts Payable\nBuilding 7, Floor 3"
    );
    assert_eq!(
        got["C202"]["customer_name"],
        "Crane \"Heavy Lift\" Services, Ltd."
    );
    assert_eq!(got["C200"]["monetary"], "2190.00", "Q0006 was skipped");
}

#[test]
fn decimal_comma_file_without_the_flag_gets_a_hint() {
    let out = fails(&["tier", "testdata/shipments_semicolon.csv"], 1);
    let mut lines = out.stderr.lines();
    // 20 rows, one bad revenue each (tier reads no cost column unless --value margin).
    assert_eq!(lines.next(), Some("error: 20 values could not be read:"));
    assert_eq!(
        lines.next(),
        Some(
            "  testdata/shipments_semicolon.csv:2: column 'revenue': cannot read '1.234,56' as money (expected e.g. 1234.56; if this file writes 1.234,56 pass --decimal-comma)"
        )
    );
}

#[test]
fn line_numbers_count_empty_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("gaps.csv");
    // Header on line 1, a row on line 2, empty lines 3 and 4, the bad value on line 5.
    std::fs::write(
        &p,
        "shipment_id,customer_id,ship_date,revenue\nS1,A,2024-01-01,1.00\n\n\nS2,B,2024-01-02,x\n",
    )
    .expect("write");
    let out = fails(&["tier", arg(&p)], 1);
    assert!(
        out.stderr.contains("gaps.csv:5: column 'revenue'"),
        "{}",
        out.stderr
    );
}

#[test]
fn line_numbers_of_cr_only_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("mac.csv");
    std::fs::write(
        &p,
        "shipment_id,customer_id,ship_date,revenue\rS1,A,2024-01-01,1.00\rS2,B,2024-01-02,x\r",
    )
    .expect("write");
    let out = fails(&["tier", arg(&p)], 1);
    assert!(
        out.stderr.contains("mac.csv:3: column 'revenue'"),
        "{}",
        out.stderr
    );
}

#[test]
fn missing_inputs_are_data_errors() {
    let out = fails(&["tier", "testdata/nope.csv"], 1);
    assert_eq!(out.stderr, "error: testdata/nope.csv: no such file\n");
    let out = fails(&["tier", "testdata/nothing-*.csv"], 1);
    assert_eq!(
        out.stderr,
        "error: no file matches 'testdata/nothing-*.csv'\n"
    );
    let out = fails(&["tier", "testdata/bad"], 1);
    assert_eq!(
        out.stderr,
        "error: testdata/bad is a directory; name the files in it (e.g. 'testdata/bad/*.csv')\n"
    );
    let out = fails(&["inspect", "testdata/nope.csv"], 1);
    assert_eq!(out.stderr, "error: testdata/nope.csv: no such file\n");
}

#[test]
fn empty_and_header_only_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, "").expect("write");
    let out = fails(&["tier", arg(&empty)], 1);
    assert_eq!(
        out.stderr,
        format!(
            "error: {}: the file is empty (no header row)\n",
            arg(&empty)
        )
    );
    let header = dir.path().join("header.csv");
    std::fs::write(&header, "shipment_id,customer_id,ship_date,revenue\n").expect("write");
    let out = fails(&["tier", arg(&header)], 1);
    assert!(
        out.stderr.starts_with("error: no shipments in the window"),
        "{}",
        out.stderr
    );
}

#[test]
fn data_dependent_command_errors_exit_1() {
    let out = fails(&["tier", "testdata/tiny.csv", "--from", "2025-01-01"], 1);
    assert!(
        out.stderr
            .starts_with("error: no shipments in the window [2025-01-01"),
        "{}",
        out.stderr
    );
    let out = fails(
        &["tier", "testdata/money_exact.csv", "--value", "margin"],
        1,
    );
    assert_eq!(
        out.stderr,
        "error: --value margin needs a cost column (map one with --map cost=HEADER)\n"
    );
    let out = fails(&["tier", "testdata/tiny.csv", "--by", "Region"], 1);
    assert_eq!(
        out.stderr,
        "error: testdata/tiny.csv: no column 'Region'; headers found: shipment_id, customer_id, customer_name, ship_date, revenue, cost, lane, mode, currency\n"
    );
}

/// Arguments after `tier testdata/tiny.csv`, and the exact stderr.
const USAGE_ERRORS: &[(&[&str], &str)] = &[
    (
        &["--as-of", "2024-13-01"],
        "error: --as-of: cannot read '2024-13-01' as a date (expected e.g. 2024-01-31)\n",
    ),
    (
        &["--from", "yesterday"],
        "error: --from: cannot read 'yesterday' as a date (expected e.g. 2024-01-31)\n",
    ),
    (
        &["--from", "2024-06-20", "--to", "2024-06-10"],
        "error: --from 2024-06-20 is after --to 2024-06-10\n",
    ),
    (
        &["--pyramid", "1,2"],
        "error: --pyramid '1,2': expected 3 comma-separated numbers\n",
    ),
    (
        &["--pyramid", "a,b,c"],
        "error: --pyramid 'a,b,c': expected 3 comma-separated numbers\n",
    ),
    (
        &["--pyramid", "50,40,20"],
        "error: --pyramid '50,40,20': percentages must be ≥ 0 and add up to at most 100\n",
    ),
    (
        &["--pyramid=-1,4,15"],
        "error: --pyramid '-1,4,15': percentages must be ≥ 0 and add up to at most 100\n",
    ),
    (
        &["--tier-by", "spend", "--thresholds", "100000,500000"],
        "error: --thresholds '100000,500000': the Large threshold comes first and must be ≥ the Medium one\n",
    ),
    (
        &["--bins", "m:4,3,2,1"],
        "error: --bins 'm:4,3,2,1': thresholds must be strictly ascending\n",
    ),
    (
        &["--bins", "x:1,2,3,4"],
        "error: --bins 'x:1,2,3,4': unknown dimension (use r, f or m)\n",
    ),
    (
        &["--delimiter", "::"],
        "error: --delimiter takes one character or 'tab', got '::'\n",
    ),
    (
        &["--map", "revenue"],
        "error: --map takes FIELD=HEADER, got 'revenue'\n",
    ),
    (
        &["-o", "tiers.xyz"],
        "error: -o tiers.xyz: cannot tell the format from the extension; use .csv .json .ndjson .md .html .parquet or pass --format\n",
    ),
    (
        &["--format", "parquet"],
        "error: --format parquet needs -o FILE.parquet\n",
    ),
];

#[test]
fn usage_errors_exit_2_with_a_message() {
    for (extra, want) in USAGE_ERRORS {
        let mut args = vec!["tier", "testdata/tiny.csv"];
        args.extend_from_slice(extra);
        let out = fails(&args, 2);
        assert_eq!(out.stderr, *want, "{extra:?}");
    }
}

#[test]
fn command_line_errors_from_the_parser_exit_2() {
    for (args, first_line) in [
        (
            &["tier", "testdata/tiny.csv", "--bogus"][..],
            "error: unexpected argument '--bogus' found",
        ),
        (
            &["tier", "testdata/tiny.csv", "--format", "xml"][..],
            "error: invalid value 'xml' for '--format <FORMAT>'",
        ),
        (
            &["tier", "testdata/tiny.csv", "--scores", "best"][..],
            "error: invalid value 'best' for '--scores <SCORES>'",
        ),
        (
            &["tier"][..],
            "error: the following required arguments were not provided:",
        ),
        (
            &["frobnicate"][..],
            "error: unrecognized subcommand 'frobnicate'",
        ),
        (
            &["tier", "testdata/tiny.csv", "--encoding", "latin1"][..],
            "error: unknown encoding 'latin1'; accepted: utf-8, utf-16le, utf-16be, utf-16 (= utf-16le), gbk, gb2312, gb18030, cp936",
        ),
    ] {
        let out = fails(args, 2);
        assert_eq!(out.stderr.lines().next(), Some(first_line), "{args:?}");
    }
    let out = run_stdin(&["tier", "-", "-"], b"x".to_vec());
    assert_eq!(out.code, Some(2));
    assert_eq!(
        out.stderr,
        "error: standard input ('-') can be given only once\n"
    );
}

#[test]
fn usage_errors_come_before_data_errors() {
    // A bad date option is reported even though the file has bad values.
    let out = fails(
        &[
            "tier",
            "testdata/bad/bad_money.csv",
            "--as-of",
            "2024-13-01",
        ],
        2,
    );
    assert_eq!(
        out.stderr,
        "error: --as-of: cannot read '2024-13-01' as a date (expected e.g. 2024-01-31)\n"
    );
    // Tier options too are checked before the data is read.
    for extra in [&["--pyramid", "1,2"][..], &["--bins", "m:4,3,2,1"][..]] {
        let mut args = vec!["tier", "testdata/bad/bad_money.csv"];
        args.extend_from_slice(extra);
        fails(&args, 2);
    }
}

#[test]
fn success_exits_0_and_quiet_silences_notes() {
    let out = ok(&["tier", "testdata/bad/duplicate_ids.csv", "--format", "csv"]);
    assert!(out.stderr.starts_with("note: "));
    let quiet = ok(&[
        "tier",
        "testdata/bad/duplicate_ids.csv",
        "--format",
        "csv",
        "-q",
    ]);
    assert_eq!(quiet.stderr, "");
    assert_eq!(quiet.stdout, out.stdout);
    // Errors are printed even with --quiet.
    let out = fails(&["tier", "testdata/bad/bad_money.csv", "--quiet"], 1);
    assert!(out.stderr.starts_with("error: 2 values could not be read:"));
}
