//! `crm-cli tier` against values computed outside crm-cli: the committed pandas reference
//! (testdata/rfm_rank), the hand computation of testdata/tiny.expected.md, and the exact decimal
//! totals of testdata/money_exact.expected.json.

mod common;

use common::*;

const SCORE_COLUMNS: [&str; 6] = ["recency_days", "frequency", "monetary", "r", "f", "m"];

/// Every customer of `expected` (a reference CSV) has the same values in crm-cli's CSV output.
fn assert_matches_reference(got: &Csv, reference: &str) {
    let expected = Csv::read(reference);
    let got = got.by("customer_id");
    let expected = expected.by("customer_id");
    assert_eq!(expected.len(), 37, "{reference} has 37 customers");
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>(),
        "same customers as {reference}"
    );
    let mut diffs = Vec::new();
    for (id, want) in &expected {
        for c in SCORE_COLUMNS {
            if got[id][c] != want[c] {
                diffs.push(format!("{id} {c}: got {} want {}", got[id][c], want[c]));
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
fn rank_scores_equal_the_pandas_qcut_reference() {
    let out = ok(&[
        "tier",
        "testdata/rfm_rank/shipments.csv",
        "--scores",
        "rank",
        "--format",
        "csv",
    ]);
    assert_matches_reference(&Csv::parse(&out.stdout), "rfm_rank/expected_pandas.csv");
}

#[test]
fn default_percentile_scores_equal_the_reference() {
    let out = ok(&["tier", "testdata/rfm_rank/shipments.csv", "--format", "csv"]);
    assert_matches_reference(&Csv::parse(&out.stdout), "rfm_rank/expected_percentile.csv");
    // Percentile is the default.
    let explicit = ok(&[
        "tier",
        "testdata/rfm_rank/shipments.csv",
        "--scores",
        "percentile",
        "--format",
        "csv",
    ]);
    assert_eq!(explicit.stdout, out.stdout);
}

#[test]
fn rank_reference_score_counts_are_quintiles() {
    // pandas qcut over 37 distinct ranks: 8/7/7/7/8 customers per score, for each of R, F, M.
    let out = ok(&[
        "tier",
        "testdata/rfm_rank/shipments.csv",
        "--scores",
        "rank",
        "--format",
        "csv",
    ]);
    let t = Csv::parse(&out.stdout);
    for dim in ["r", "f", "m"] {
        let mut counts = [0; 5];
        for v in t.column(dim) {
            counts[v.parse::<usize>().expect("a score") - 1] += 1;
        }
        assert_eq!(counts, [8, 7, 7, 7, 8], "{dim}");
    }
}

#[test]
fn rfm_rank_fixture_facts() {
    // As of 2024-12-30, 280 rows, 269 distinct shipments: frequency counts shipments, not rows.
    let out = ok(&[
        "tier",
        "testdata/rfm_rank/shipments.csv",
        "--summary",
        "--format",
        "json",
    ]);
    let v = json(&out.stdout);
    assert_eq!(v["as_of"], "2024-12-30");
    assert_eq!(v["rows"], 280);
    assert_eq!(v["customers"], 37);
    assert_eq!(v["scores"], "percentile");
    let t = Csv::parse(&ok(&["tier", "testdata/rfm_rank/shipments.csv", "--format", "csv"]).stdout);
    let shipments: i64 = t
        .column("frequency")
        .iter()
        .map(|f| f.parse::<i64>().expect("int"))
        .sum();
    assert_eq!(shipments, 269);
    // The shipments billed on several rows are reported on stderr, not an error.
    assert!(
        out.stderr
            .starts_with("note: 11 shipment_id values appear on more than one row"),
        "{}",
        out.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// tiny.csv, by hand (testdata/tiny.expected.md)

struct Hand {
    id: &'static str,
    name: &'static str,
    first: &'static str,
    last: &'static str,
    recency: &'static str,
    frequency: &'static str,
    monetary: &'static str,
    margin: &'static str,
    r: &'static str,
    f: &'static str,
    m: &'static str,
}

#[rustfmt::skip]
const TINY: [Hand; 10] = [
    Hand { id: "A01", name: "Alpha Freight Ltd", first: "2024-06-01", last: "2024-06-30", recency: "0", frequency: "3", monetary: "600.00", margin: "130.00", r: "5", f: "3", m: "3" },
    Hand { id: "A02", name: "Bravo Imports", first: "2024-06-05", last: "2024-06-20", recency: "10", frequency: "2", monetary: "1500.00", margin: "200.00", r: "2", f: "2", m: "4" },
    Hand { id: "A03", name: "Charlie Textiles", first: "2024-06-02", last: "2024-06-02", recency: "28", frequency: "1", monetary: "50.00", margin: "5.00", r: "1", f: "1", m: "1" },
    Hand { id: "A04", name: "Delta Machinery", first: "2024-06-15", last: "2024-06-25", recency: "5", frequency: "2", monetary: "5000.00", margin: "900.00", r: "3", f: "2", m: "5" },
    Hand { id: "A05", name: "Echo Electronics", first: "2024-06-03", last: "2024-06-28", recency: "2", frequency: "4", monetary: "482.00", margin: "82.00", r: "4", f: "5", m: "2" },
    Hand { id: "A06", name: "Foxtrot Foods", first: "2024-06-29", last: "2024-06-29", recency: "1", frequency: "1", monetary: "75.25", margin: "15.25", r: "5", f: "1", m: "1" },
    Hand { id: "A07", name: "Golf Outdoor Co", first: "2024-06-07", last: "2024-06-21", recency: "9", frequency: "3", monetary: "1200.00", margin: "270.00", r: "2", f: "3", m: "4" },
    Hand { id: "A08", name: "Hotel Supplies Inc", first: "2024-06-08", last: "2024-06-08", recency: "22", frequency: "1", monetary: "800.00", margin: "-150.00", r: "1", f: "1", m: "3" },
    Hand { id: "A09", name: "India Pharma Pvt", first: "2024-06-11", last: "2024-06-26", recency: "4", frequency: "3", monetary: "4000.00", margin: "700.00", r: "3", f: "3", m: "5" },
    Hand { id: "A10", name: "Juliet Toys", first: "2024-06-09", last: "2024-06-27", recency: "3", frequency: "4", monetary: "240.00", margin: "40.00", r: "4", f: "5", m: "2" },
];

/// A08's last row (T018, 2024-06-18, −100.00) is a credit note: it counts in monetary, but it is
/// not a shipment, so it moves neither last_date, recency nor frequency (docs/metrics.md).
const CREDIT_NOTE_CUSTOMER: &str = "A08";

fn tiny_csv(extra: &[&str]) -> Csv {
    let mut args = vec!["tier", "testdata/tiny.csv", "--format", "csv"];
    args.extend_from_slice(extra);
    Csv::parse(&ok(&args).stdout)
}

fn hand_row(h: &Hand) -> [(&'static str, String); 10] {
    [
        ("customer_name", h.name.to_string()),
        ("first_date", h.first.to_string()),
        ("last_date", h.last.to_string()),
        ("recency_days", h.recency.to_string()),
        ("frequency", h.frequency.to_string()),
        ("monetary", h.monetary.to_string()),
        ("r", h.r.to_string()),
        ("f", h.f.to_string()),
        ("m", h.m.to_string()),
        ("rfm", format!("{}{}{}", h.r, h.f, h.m)),
    ]
}

#[test]
fn tiny_per_customer_values_match_the_hand_computation() {
    let t = tiny_csv(&[]);
    let got = t.by("customer_id");
    assert_eq!(got.len(), 10);
    for h in &TINY {
        for (k, v) in hand_row(h) {
            assert_eq!(got[h.id][k], v, "{} {k}", h.id);
        }
    }
}

/// The default segment rules applied to the hand-computed scores.
fn hand_segment(h: &Hand) -> &'static str {
    segment_of(
        h.r.parse().expect("r"),
        h.f.parse().expect("f"),
        h.m.parse().expect("m"),
    )
}

#[test]
fn tiny_segments_follow_the_first_matching_rule() {
    let got = tiny_csv(&[]).by("customer_id");
    for h in TINY.iter() {
        assert_eq!(got[h.id]["segment"], hand_segment(h), "{}", h.id);
    }
    // Spelled out: 335/234/533 are loyal, 511 is new, 111 is lost, 325 and 452 match no rule.
    assert_eq!(got["A09"]["segment"], "Loyal Customers");
    assert_eq!(got["A06"]["segment"], "New Customers");
    assert_eq!(got["A03"]["segment"], "Lost");
    assert_eq!(got["A02"]["segment"], "At Risk");
    assert_eq!(got["A04"]["segment"], "Others");
    assert_eq!(got["A05"]["segment"], "Others");
}

#[test]
fn a_credit_note_is_not_a_shipment() {
    let h = TINY
        .iter()
        .find(|h| h.id == CREDIT_NOTE_CUSTOMER)
        .expect("A08");
    let got = tiny_csv(&[]).by("customer_id");
    // R 1, F 1 (three customers with one shipment: W_F = 0), M 3 → no default rule → Others.
    assert_eq!(got[h.id]["segment"], hand_segment(h));
    assert_eq!(got[h.id]["segment"], "Others");
    // The credit note's day is not a shipping day either.
    let days = tiny_csv(&["--frequency", "days"]).by("customer_id");
    assert_eq!(days[h.id]["frequency"], "1");
    // In [2024-06-10, 2024-06-25] the credit note is A08's only row: no shipment, so its dates
    // fall back to the note's (2024-06-18; as_of 2024-06-25, the window's latest ship date).
    let window = tiny_csv(&["--from", "2024-06-10", "--to", "2024-06-25"]).by("customer_id");
    assert_eq!(window[h.id]["first_date"], "2024-06-18");
    assert_eq!(window[h.id]["last_date"], "2024-06-18");
    assert_eq!(window[h.id]["recency_days"], "7");
    assert_eq!(window[h.id]["frequency"], "0");
    assert_eq!(window[h.id]["monetary"], "-100.00");
    // As of 2024-06-20 the credit note is A08's latest row, yet its last shipment is 06-08.
    let asof = tiny_csv(&["--as-of", "2024-06-20"]).by("customer_id");
    assert_eq!(asof[h.id]["last_date"], "2024-06-08");
    assert_eq!(asof[h.id]["recency_days"], "12");
    assert_eq!(asof[h.id]["frequency"], "1");
}

#[test]
fn tiny_rows_are_ordered_by_monetary_and_tiered_by_the_pyramid() {
    let t = tiny_csv(&[]);
    assert_eq!(
        t.column("customer_id"),
        [
            "A04", "A09", "A02", "A07", "A08", "A01", "A05", "A10", "A06", "A03"
        ]
    );
    // N = 10, bounds ceil(1% × 10) = 1, ceil(5% × 10) = 1, ceil(20% × 10) = 2: one VIP, no Key,
    // one General.
    assert_eq!(
        t.column("tier"),
        [
            "VIP", "General", "Small", "Small", "Small", "Small", "Small", "Small", "Small",
            "Small"
        ]
    );
}

#[test]
fn tiny_rank_scores_follow_the_qcut_bins() {
    // N = 10: ranks 1..10 fall in bins 1,1,2,2,3,3,4,4,5,5.
    // R by recency ascending: A01 0, A06 1, A05 2, A10 3, A09 4, A04 5, A07 9, A02 10, A08, A03 28
    // (A08 is second-to-last whether its recency is 12 or 22); R = 6 − bin.
    // M by monetary ascending: A03 A06 A10 A05 A01 A08 A07 A02 A09 A04.
    let got = tiny_csv(&["--scores", "rank"]).by("customer_id");
    for (id, r, m) in [
        ("A01", "5", "3"),
        ("A06", "5", "1"),
        ("A05", "4", "2"),
        ("A10", "4", "2"),
        ("A09", "3", "5"),
        ("A04", "3", "5"),
        ("A07", "2", "4"),
        ("A02", "2", "4"),
        ("A08", "1", "3"),
        ("A03", "1", "1"),
    ] {
        assert_eq!(
            (got[id]["r"].as_str(), got[id]["m"].as_str()),
            (r, m),
            "{id}"
        );
    }
}

#[test]
fn tiny_fixed_bins_and_their_boundaries() {
    let got = tiny_csv(&[
        "--bins",
        "r:1,2,5,10",
        "--bins",
        "f:1,2,3,4",
        "--bins",
        "m:500,1000,1500,4000",
    ])
    .by("customer_id");
    // R = 5 − #(T < recency): a recency equal to a threshold keeps the better score.
    // F, M = 1 + #(T ≤ value): a value equal to a threshold moves up.
    #[rustfmt::skip]
    let want = [
        ("A01", "5", "4", "2"), // rec 0, freq 3, 600.00
        ("A02", "2", "3", "4"), // rec 10, freq 2, 1500.00
        ("A03", "1", "2", "1"), // rec 28, freq 1, 50.00
        ("A04", "3", "3", "5"), // rec 5, freq 2, 5000.00
        ("A05", "4", "5", "1"), // rec 2, freq 4, 482.00
        ("A06", "5", "2", "1"), // rec 1, freq 1, 75.25
        ("A07", "2", "4", "3"), // rec 9, freq 3, 1200.00
        ("A08", "1", "2", "2"), // rec 22, freq 1 (its credit note is no shipment), 800.00
        ("A09", "3", "4", "5"), // rec 4, freq 3, 4000.00
        ("A10", "3", "5", "1"), // rec 3, freq 4, 240.00
    ];
    for (id, r, f, m) in want {
        assert_eq!(got[id]["r"], r, "{id}");
        assert_eq!(got[id]["f"], f, "{id}");
        assert_eq!(got[id]["m"], m, "{id}");
    }
}

#[test]
fn tiny_spend_tiers_use_the_window_length() {
    // No --from: window 2024-06-01..2024-06-30 = 30 days; 5000.00 × 365 / 30 = 60833.333…
    let got = tiny_csv(&["--tier-by", "spend", "--thresholds", "50000,10000"]).by("customer_id");
    assert_eq!(got["A04"]["annualised"], "60833.33");
    assert_eq!(got["A04"]["tier"], "Large");
    // 4000.00 × 365 / 30 = 48666.67 → Medium; 600.00 × 365 / 30 = 7300.00 → Small.
    assert_eq!(got["A09"]["annualised"], "48666.67");
    assert_eq!(got["A09"]["tier"], "Medium");
    assert_eq!(got["A01"]["annualised"], "7300.00");
    assert_eq!(got["A01"]["tier"], "Small");
    // --from 2024-01-01: 182 days; 5000 × 365 / 182 = 10027.4725… → Medium.
    let got = tiny_csv(&[
        "--tier-by",
        "spend",
        "--thresholds",
        "50000,10000",
        "--from",
        "2024-01-01",
    ])
    .by("customer_id");
    assert_eq!(got["A04"]["annualised"], "10027.47");
    assert_eq!(got["A04"]["tier"], "Medium");
}

#[test]
fn tiny_summary_as_of_and_totals() {
    let v = json(&ok(&["tier", "testdata/tiny.csv", "--summary", "--format", "json"]).stdout);
    assert_eq!(v["as_of"], "2024-06-30", "the latest ship date (T003)");
    assert_eq!(v["window_start"], "2024-06-01");
    assert_eq!(v["customers"], 10);
    assert_eq!(v["rows"], 25);
    assert_eq!(v["value"], "revenue");
    let out = ok(&[
        "tier",
        "testdata/tiny.csv",
        "--summary",
        "--format",
        "ndjson",
    ]);
    let overview = out.stdout.lines().next().expect("overview line");
    assert_eq!(raw_json_value(overview, "monetary_total"), "13947.25");
}

#[test]
fn tiny_margin_is_revenue_minus_cost() {
    let out = ok(&[
        "tier",
        "testdata/tiny.csv",
        "--value",
        "margin",
        "--format",
        "csv",
    ]);
    assert_eq!(out.stderr, "", "every row has a cost: no note");
    let t = Csv::parse(&out.stdout);
    let got = t.by("customer_id");
    for h in &TINY {
        assert_eq!(got[h.id]["monetary"], h.margin, "{} margin", h.id);
        assert_eq!(got[h.id]["frequency"], h.frequency, "{}", h.id);
    }
    // Ordered by margin; the loss-making A08 comes last, with M = 1 (nobody is worse).
    assert_eq!(
        t.column("customer_id"),
        [
            "A04", "A09", "A07", "A02", "A01", "A05", "A10", "A06", "A03", "A08"
        ]
    );
    assert_eq!(got["A08"]["m"], "1");
    assert!(float(&got["A08"]["share"]) < 0.0);
    let s = ok(&[
        "tier",
        "testdata/tiny.csv",
        "--value",
        "margin",
        "--summary",
        "--format",
        "ndjson",
    ]);
    let overview = s.stdout.lines().next().expect("overview");
    assert_eq!(raw_json_value(overview, "monetary_total"), "2192.25");
    assert_eq!(raw_json_value(overview, "value"), "\"margin\"");
}

#[test]
fn margin_counts_an_empty_cost_as_zero_and_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("costs.csv");
    std::fs::write(
        &p,
        "shipment_id,customer_id,ship_date,revenue,cost\n\
         S1,A,2024-01-01,100.00,60.00\n\
         S2,A,2024-01-02,50.00,\n\
         S3,B,2024-01-02,80.00,90.00\n",
    )
    .expect("write");
    let out = ok(&["tier", arg(&p), "--value", "margin", "--format", "csv"]);
    assert_eq!(
        out.stderr,
        "note: 1 row without a cost counted with cost 0 in margin\n"
    );
    let got = Csv::parse(&out.stdout).by("customer_id");
    assert_eq!(got["A"]["monetary"], "90.00"); // 100 − 60 + 50 − 0
    assert_eq!(got["B"]["monetary"], "-10.00");
}

#[test]
fn as_of_before_the_latest_date_leaves_later_rows_out() {
    // Rows after 2024-06-20 are dropped: A06 (only 06-29) disappears; recency counts from 06-20.
    let out = ok(&[
        "tier",
        "testdata/tiny.csv",
        "--as-of",
        "2024-06-20",
        "--format",
        "csv",
    ]);
    let got = Csv::parse(&out.stdout).by("customer_id");
    #[rustfmt::skip]
    let want = [
        // id, last_date, recency, frequency, monetary
        ("A01", "2024-06-10", "10", "2", "300.00"),
        ("A02", "2024-06-20", "0", "2", "1500.00"),
        ("A03", "2024-06-02", "18", "1", "50.00"),
        ("A04", "2024-06-15", "5", "1", "2500.00"),
        ("A05", "2024-06-12", "8", "3", "361.50"),
        ("A07", "2024-06-14", "6", "2", "800.00"),
        ("A08", "2024-06-08", "12", "1", "800.00"), // the 06-18 credit note is no shipment
        ("A09", "2024-06-11", "9", "1", "1500.00"),
        ("A10", "2024-06-16", "4", "2", "120.00"),
    ];
    assert_eq!(got.len(), want.len(), "A06 has no row up to 2024-06-20");
    for (id, last, rec, freq, mon) in want {
        for (k, v) in [
            ("last_date", last),
            ("recency_days", rec),
            ("frequency", freq),
            ("monetary", mon),
        ] {
            assert_eq!(got[id][k], v, "{id} {k}");
        }
    }
    // 25 − 16 rows are after as-of, and a note says so.
    assert!(
        out.stderr
            .contains("9 rows outside the window 2024-06-01 to 2024-06-20 left out"),
        "{}",
        out.stderr
    );
    let v = json(
        &ok(&[
            "tier",
            "testdata/tiny.csv",
            "--as-of",
            "2024-06-20",
            "--summary",
            "--format",
            "json",
        ])
        .stdout,
    );
    assert_eq!(v["as_of"], "2024-06-20");
    assert_eq!(v["rows"], 16);
    assert_eq!(v["customers"], 9);
}

#[test]
fn as_of_after_the_data_measures_recency_from_that_day() {
    let got = tiny_csv(&["--as-of", "2024-07-30"]).by("customer_id");
    for h in &TINY {
        let rec = (date("2024-07-30") - date(h.last)).num_days();
        assert_eq!(got[h.id]["recency_days"], rec.to_string(), "{}", h.id);
        assert_eq!(got[h.id]["monetary"], h.monetary, "{}", h.id);
    }
}

#[test]
fn from_to_window_keeps_only_rows_inside_it() {
    // Window [2024-06-10, 2024-06-25]; as-of defaults to the latest date inside: 2024-06-25.
    let t = tiny_csv(&["--from", "2024-06-10", "--to", "2024-06-25"]);
    let got = t.by("customer_id");
    #[rustfmt::skip]
    let want = [
        ("A01", "2024-06-10", "2024-06-10", "15", "1", "200.00"),
        ("A02", "2024-06-20", "2024-06-20", "5", "1", "500.00"),
        ("A04", "2024-06-15", "2024-06-25", "0", "2", "5000.00"),
        ("A05", "2024-06-12", "2024-06-12", "13", "1", "120.50"),
        ("A07", "2024-06-14", "2024-06-21", "4", "2", "800.00"),
        ("A08", "2024-06-18", "2024-06-18", "7", "0", "-100.00"), // only a credit note
        ("A09", "2024-06-11", "2024-06-22", "3", "2", "3000.00"),
        ("A10", "2024-06-16", "2024-06-23", "2", "2", "120.00"),
    ];
    assert_eq!(
        got.len(),
        want.len(),
        "A03 and A06 ship only outside the window"
    );
    for (id, first, last, rec, freq, mon) in want {
        for (k, v) in [
            ("first_date", first),
            ("last_date", last),
            ("recency_days", rec),
            ("frequency", freq),
            ("monetary", mon),
        ] {
            assert_eq!(got[id][k], v, "{id} {k}");
        }
    }
    let v = json(
        &ok(&[
            "tier",
            "testdata/tiny.csv",
            "--from",
            "2024-06-10",
            "--to",
            "2024-06-25",
            "--summary",
            "--format",
            "json",
        ])
        .stdout,
    );
    assert_eq!(v["as_of"], "2024-06-25");
    assert_eq!(v["window_start"], "2024-06-10");
    assert_eq!(v["rows"], 12);
}

#[test]
fn frequency_days_counts_distinct_shipping_days() {
    // tiny.csv: every customer ships on distinct days, so days = shipments.
    let got = tiny_csv(&["--frequency", "days"]).by("customer_id");
    for h in TINY.iter() {
        assert_eq!(got[h.id]["frequency"], h.frequency, "{}", h.id);
    }
    // Several shipments on one day count once.
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("same_day.csv");
    std::fs::write(
        &p,
        "shipment_id,customer_id,ship_date,revenue\n\
         S1,X,2024-01-01,10.00\nS2,X,2024-01-01,20.00\nS3,X,2024-01-01,30.00\n\
         S4,X,2024-01-05,40.00\nS5,Y,2024-01-03,5.00\n",
    )
    .expect("write");
    let by_days =
        Csv::parse(&ok(&["tier", arg(&p), "--frequency", "days", "--format", "csv"]).stdout)
            .by("customer_id");
    assert_eq!(by_days["X"]["frequency"], "2");
    assert_eq!(by_days["Y"]["frequency"], "1");
    let by_shipments =
        Csv::parse(&ok(&["tier", arg(&p), "--format", "csv"]).stdout).by("customer_id");
    assert_eq!(by_shipments["X"]["frequency"], "4");
    assert_eq!(by_shipments["X"]["monetary"], "100.00");
}

#[test]
fn frequency_counts_rows_when_there_is_no_shipment_id() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("no_ids.csv");
    std::fs::write(
        &p,
        "customer_id,ship_date,revenue\nX,2024-01-01,10\nX,2024-01-01,20\nY,2024-01-02,5\n",
    )
    .expect("write");
    let got = Csv::parse(&ok(&["tier", arg(&p), "--format", "csv"]).stdout).by("customer_id");
    assert_eq!(got["X"]["frequency"], "2");
    assert_eq!(got["X"]["monetary"], "30");
    assert_eq!(got["Y"]["frequency"], "1");
}

// ---------------------------------------------------------------------------------------------
// Money is exact (testdata/money_exact.csv)

fn money_expected() -> serde_json::Value {
    json(&std::fs::read_to_string(testdata("money_exact.expected.json")).expect("read"))
}

#[test]
fn money_exact_fixture_is_consistent() {
    // The expected file agrees with an exact integer sum of the fixture (guards the test data).
    let data = Csv::read("money_exact.csv");
    let per = aggregate(&data, 2, |_, _| true);
    let exp = money_expected();
    let mut total = 0;
    for (id, a) in &per {
        assert_eq!(fmt_minor(a.value, 2), exp["customers"][id], "{id}");
        assert_eq!(a.rows as u64, exp["rows_per_customer"][id], "{id}");
        total += a.value;
    }
    assert_eq!(fmt_minor(total, 2), exp["total"]);
}

#[test]
fn json_monetary_is_the_exact_decimal() {
    let exp = money_expected();
    let out = ok(&["tier", "testdata/money_exact.csv", "--format", "json"]);
    let mut seen = 0;
    for line in out.stdout.lines().filter(|l| l.contains("\"customer_id\"")) {
        let id = raw_json_value(line, "customer_id").trim_matches('"');
        let want = exp["customers"][id].as_str().expect("expected amount");
        let got = raw_json_value(line, "monetary");
        assert_eq!(got, want, "{id}: the JSON number as written");
        assert_ne!(
            got,
            exp["float_sum"]["customers"][id]
                .as_str()
                .expect("float sum")
        );
        assert_eq!(
            raw_json_value(line, "frequency"),
            exp["rows_per_customer"][id].to_string(),
            "{id}: one shipment per row"
        );
        seen += 1;
    }
    assert_eq!(seen, 3);
}

#[test]
fn csv_and_ndjson_monetary_are_the_exact_decimal() {
    let exp = money_expected();
    let t = Csv::parse(&ok(&["tier", "testdata/money_exact.csv", "--format", "csv"]).stdout);
    for (id, rec) in t.by("customer_id") {
        assert_eq!(rec["monetary"], exp["customers"][&id], "{id}");
    }
    let nd = ok(&["tier", "testdata/money_exact.csv", "--format", "ndjson"]);
    for line in nd.stdout.lines() {
        let id = raw_json_value(line, "customer_id").trim_matches('"');
        assert_eq!(
            raw_json_value(line, "monetary"),
            exp["customers"][id],
            "{id}"
        );
    }
}

#[test]
fn summary_monetary_total_is_the_exact_total() {
    let exp = money_expected();
    let total = exp["total"].as_str().expect("total");
    assert_eq!(total, "11054123.90");
    let out = ok(&[
        "tier",
        "testdata/money_exact.csv",
        "--summary",
        "--format",
        "json",
    ]);
    let line = out
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("\"monetary_total\""))
        .expect("a monetary_total line");
    assert_eq!(line.trim(), format!("\"monetary_total\": {total},"));
    assert_ne!(total, exp["float_sum"]["total"]);
    let v = json(&out.stdout);
    assert_eq!(v["rows"], exp["rows"]);
    let csv = Csv::parse(
        &ok(&[
            "tier",
            "testdata/money_exact.csv",
            "--summary",
            "--format",
            "csv",
        ])
        .stdout,
    );
    assert_eq!(csv.get(0, "section"), "overview");
    assert_eq!(csv.get(0, "monetary_total"), total);
}

#[test]
fn an_amount_that_does_not_fit_at_the_money_scale_fails_the_run() {
    // One value written with 14 decimals (an Excel float artefact) sets the scale S = 14 for
    // every amount; 500000.00 × 10^14 ≥ 2^63 does not fit, and the run fails (docs/metrics.md,
    // "Money is exact").
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("artefact.csv");
    std::fs::write(
        &p,
        "shipment_id,customer_id,ship_date,revenue\n\
         S1,A,2024-01-01,500000.00\nS2,B,2024-01-02,100.10000000000001\n",
    )
    .expect("write");
    let out = fails(&["tier", arg(&p)], 1);
    assert_eq!(
        out.stderr,
        "error: column 'revenue': at 14 decimal places (the most any value has, e.g. \
         100.10000000000001), the amounts add up to more than exact arithmetic here can hold \
         (about 4.6e18 units of the last place); round the amounts to fewer decimals\n"
    );
    // Below the limit every amount is printed with the common scale.
    std::fs::write(
        &p,
        "shipment_id,customer_id,ship_date,revenue\n\
         S1,A,2024-01-01,5000.00\nS2,B,2024-01-02,100.10000000000001\n",
    )
    .expect("write");
    let got = Csv::parse(&ok(&["tier", arg(&p), "--format", "csv"]).stdout).by("customer_id");
    assert_eq!(got["A"]["monetary"], "5000.00000000000000");
    assert_eq!(got["B"]["monetary"], "100.10000000000001");
}

#[test]
fn per_customer_sums_never_overflow() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("overflow.csv");
    std::fs::write(
        &p,
        "shipment_id,customer_id,ship_date,revenue\n\
         S1,A,2024-01-01,5000000.00\nS2,A,2024-01-02,5000000.00\nS3,B,2024-01-02,1.100000000001\n",
    )
    .expect("write");
    // At 12 decimals the two 5,000,000.00 amounts are 10^19 units of the last place: more than
    // an exact Int64 sum holds. The run must stop with a clear message, never panic or wrap.
    let out = run(&["tier", arg(&p), "--format", "csv"]);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(
        out.stderr
            .contains("column 'revenue': at 12 decimal places")
            && out.stderr.contains("round the amounts to fewer decimals"),
        "{}",
        out.stderr
    );
    // With 2 decimals the same totals are exact.
    std::fs::write(
        &p,
        "shipment_id,customer_id,ship_date,revenue\n\
         S1,A,2024-01-01,5000000.00\nS2,A,2024-01-02,5000000.00\nS3,B,2024-01-02,1.10\n",
    )
    .expect("write");
    let got = Csv::parse(&ok(&["tier", arg(&p), "--format", "csv"]).stdout).by("customer_id");
    assert_eq!(got["A"]["monetary"], "10000000.00");
}
