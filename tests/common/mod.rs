//! Helpers shared by the integration tests.
//!
//! Every test runs the real `crm-cli` binary with the crate root as working directory (so paths
//! like `testdata/tiny.csv` work) and reads its machine output (`--format csv` / `json`). Expected
//! values never come from crm-cli itself: they are written out by hand (from
//! `testdata/README.md`, `testdata/tiny.expected.md`, the committed pandas reference) or computed
//! here from the fixture files with exact integer arithmetic ([`minor`]) and `chrono` dates.

#![allow(dead_code)] // each test binary uses its own subset

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

/// The crate root; every command runs here.
pub const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// `crm-cli` with the crate root as working directory and an environment that cannot change
/// the output (terminal width, forced colours, backtraces).
pub fn crm() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("crm-cli").expect("the crm-cli binary is built");
    cmd.current_dir(ROOT)
        .env_remove("COLUMNS")
        .env_remove("LINES")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("RUST_BACKTRACE");
    cmd
}

/// What one run produced.
#[derive(Debug)]
pub struct Out {
    /// None when killed by a signal.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub stdout_bytes: Vec<u8>,
}

fn finish(args: &[&str], output: std::process::Output) -> Out {
    let stderr = String::from_utf8(output.stderr)
        .unwrap_or_else(|e| panic!("crm-cli {args:?}: stderr is not UTF-8: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    Out {
        code: output.status.code(),
        stdout,
        stderr,
        stdout_bytes: output.stdout,
    }
}

/// Run `crm-cli args...` (stdin empty).
pub fn run(args: &[&str]) -> Out {
    let output = crm().args(args).output().expect("crm-cli runs");
    finish(args, output)
}

/// Run `crm-cli args...` with `input` on standard input.
pub fn run_stdin(args: &[&str], input: Vec<u8>) -> Out {
    let output = crm()
        .args(args)
        .write_stdin(input)
        .output()
        .expect("crm-cli runs");
    finish(args, output)
}

/// Run and require exit code 0.
pub fn ok(args: &[&str]) -> Out {
    let out = run(args);
    assert_eq!(
        out.code,
        Some(0),
        "crm-cli {args:?} failed\n--- stderr\n{}",
        out.stderr
    );
    out
}

/// Run and require exit code `code` and an empty stdout.
pub fn fails(args: &[&str], code: i32) -> Out {
    let out = run(args);
    assert_eq!(
        out.code,
        Some(code),
        "crm-cli {args:?}: expected exit {code}\n--- stdout\n{}\n--- stderr\n{}",
        out.stdout,
        out.stderr
    );
    assert_eq!(
        out.stdout, "",
        "crm-cli {args:?}: nothing on stdout when failing"
    );
    out
}

/// Path of a fixture, absolute.
pub fn testdata(rel: &str) -> PathBuf {
    Path::new(ROOT).join("testdata").join(rel)
}

/// A path as a `&str` argument.
pub fn arg(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

// ---------------------------------------------------------------------------------------------
// CSV

/// A parsed CSV text: the header and the records, all as strings.
#[derive(Debug, Clone)]
pub struct Csv {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Csv {
    pub fn parse(text: &str) -> Csv {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(text.as_bytes());
        let headers = rdr
            .headers()
            .expect("a CSV header")
            .iter()
            .map(str::to_string)
            .collect();
        let rows = rdr
            .records()
            .map(|r| {
                r.expect("a CSV record")
                    .iter()
                    .map(str::to_string)
                    .collect()
            })
            .collect();
        Csv { headers, rows }
    }

    /// A UTF-8 CSV fixture.
    pub fn read(rel: &str) -> Csv {
        let text = std::fs::read_to_string(testdata(rel)).expect("a UTF-8 fixture");
        Csv::parse(&text)
    }

    pub fn col(&self, key: &str) -> usize {
        self.headers
            .iter()
            .position(|h| h == key)
            .unwrap_or_else(|| panic!("no column '{key}' in {:?}", self.headers))
    }

    pub fn get(&self, row: usize, key: &str) -> &str {
        &self.rows[row][self.col(key)]
    }

    pub fn column(&self, key: &str) -> Vec<&str> {
        let c = self.col(key);
        self.rows.iter().map(|r| r[c].as_str()).collect()
    }

    /// Records by the value of `key` (which must be unique).
    pub fn by(&self, key: &str) -> BTreeMap<String, BTreeMap<String, String>> {
        let c = self.col(key);
        let mut out = BTreeMap::new();
        for r in &self.rows {
            let rec: BTreeMap<String, String> = self
                .headers
                .iter()
                .cloned()
                .zip(r.iter().cloned())
                .collect();
            assert!(
                out.insert(r[c].clone(), rec).is_none(),
                "'{key}' = '{}' is not unique",
                r[c]
            );
        }
        out
    }
}

// ---------------------------------------------------------------------------------------------
// JSON

pub fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("invalid JSON ({e}):\n{text}"))
}

/// The raw text of the value of `key` in a one-line JSON object (numbers as printed, strings
/// with their quotes), so that exact decimals can be compared as written.
pub fn raw_json_value<'a>(line: &'a str, key: &str) -> &'a str {
    let pat = format!("\"{key}\":");
    let start = line
        .find(&pat)
        .unwrap_or_else(|| panic!("no key '{key}' in {line}"))
        + pat.len();
    let rest = line[start..].trim_start();
    let end = if let Some(quoted) = rest.strip_prefix('"') {
        1 + quoted.find('"').expect("closing quote") + 1
    } else {
        rest.find([',', '}']).unwrap_or(rest.len())
    };
    rest[..end].trim_end()
}

/// The keys of a one-line JSON object in the order they are written.
pub fn key_order(line: &str) -> Vec<String> {
    let map: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(line).unwrap_or_else(|e| panic!("not an object ({e}): {line}"));
    let mut keys: Vec<(usize, String)> = map
        .keys()
        .map(|k| {
            let pos = line
                .find(&format!("\"{k}\":"))
                .unwrap_or_else(|| panic!("key {k} not found"));
            (pos, k.clone())
        })
        .collect();
    keys.sort();
    keys.into_iter().map(|(_, k)| k).collect()
}

// ---------------------------------------------------------------------------------------------
// Exact decimals and dates

/// A plain decimal string (`-1234.5`, `17850.0`, `.25`) in minor units at `scale` decimals,
/// exactly. Panics on more decimals than `scale` (nothing is ever rounded).
pub fn minor(s: &str, scale: u32) -> i128 {
    let t = s.trim();
    let (neg, t) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    assert!(
        !(int.is_empty() && frac.is_empty())
            && int.chars().chain(frac.chars()).all(|c| c.is_ascii_digit()),
        "not a plain decimal: '{s}'"
    );
    assert!(
        frac.len() as u32 <= scale,
        "'{s}' has more than {scale} decimals"
    );
    let mut v: i128 = 0;
    for c in int.chars().chain(frac.chars()) {
        v = v * 10 + i128::from(c as u8 - b'0');
    }
    for _ in frac.len() as u32..scale {
        v *= 10;
    }
    if neg { -v } else { v }
}

/// Minor units back to a plain decimal string with exactly `scale` decimals.
pub fn fmt_minor(v: i128, scale: u32) -> String {
    let p = 10i128.pow(scale);
    let sign = if v < 0 { "-" } else { "" };
    let a = v.abs();
    if scale == 0 {
        return format!("{sign}{a}");
    }
    format!("{sign}{}.{:0width$}", a / p, a % p, width = scale as usize)
}

/// An ISO date.
pub fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|e| panic!("date '{s}': {e}"))
}

/// The calendar date of `2010-12-01 11:52:00` or `2024-06-01`.
pub fn date_part(s: &str) -> NaiveDate {
    date(s.split_whitespace().next().expect("a date"))
}

/// A float printed by crm-cli (`share`, `cum_share`).
pub fn float(s: &str) -> f64 {
    s.parse()
        .unwrap_or_else(|e| panic!("not a number '{s}': {e}"))
}

// ---------------------------------------------------------------------------------------------
// Per-customer aggregates computed by the tests themselves

/// One customer's shipments, aggregated by the test.
#[derive(Debug, Clone, Default)]
pub struct Agg {
    pub first: Option<NaiveDate>,
    pub last: Option<NaiveDate>,
    pub ids: BTreeSet<String>,
    pub days: BTreeSet<NaiveDate>,
    /// Exact sum of the value in minor units.
    pub value: i128,
    pub rows: usize,
}

impl Agg {
    pub fn add(&mut self, id: &str, d: NaiveDate, value: i128) {
        self.first = Some(self.first.map_or(d, |f| f.min(d)));
        self.last = Some(self.last.map_or(d, |l| l.max(d)));
        self.ids.insert(id.to_string());
        self.days.insert(d);
        self.value += value;
        self.rows += 1;
    }
    pub fn first(&self) -> NaiveDate {
        self.first.expect("at least one row")
    }
    pub fn last(&self) -> NaiveDate {
        self.last.expect("at least one row")
    }
}

/// Per customer of a canonical-header CSV fixture (`shipment_id`, `customer_id`, `ship_date`,
/// `revenue`), revenue in minor units at `scale`; `keep` filters rows.
pub fn aggregate(
    data: &Csv,
    scale: u32,
    keep: impl Fn(&Csv, usize) -> bool,
) -> BTreeMap<String, Agg> {
    let mut out: BTreeMap<String, Agg> = BTreeMap::new();
    for i in 0..data.rows.len() {
        if !keep(data, i) {
            continue;
        }
        out.entry(data.get(i, "customer_id").to_string())
            .or_default()
            .add(
                data.get(i, "shipment_id"),
                date(data.get(i, "ship_date")),
                minor(data.get(i, "revenue"), scale),
            );
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The scoring rules, written out independently of src/

/// The default score rule: with N values, score = min(5, 1 + floor(5·W / N)) where W is the
/// number of values strictly worse (smaller when `higher_is_better`, else larger). Ties share a
/// score.
pub fn percentile_scores<T: PartialOrd>(values: &[T], higher_is_better: bool) -> Vec<u8> {
    let n = values.len();
    values
        .iter()
        .map(|v| {
            let worse = values
                .iter()
                .filter(|u| if higher_is_better { *u < v } else { *u > v })
                .count();
            (1 + 5 * worse / n).min(5) as u8
        })
        .collect()
}

/// An inclusive range of scores.
pub type Scores = (u8, u8);

/// The default segment rules (first match wins): name and inclusive R, F, M score ranges.
pub const SEGMENT_RULES: &[(&str, Scores, Scores, Scores)] = &[
    ("Champions", (4, 5), (4, 5), (4, 5)),
    ("Can't Lose Them", (1, 1), (4, 5), (4, 5)),
    ("Loyal Customers", (2, 5), (3, 5), (3, 5)),
    ("New Customers", (4, 5), (1, 1), (1, 1)),
    ("Promising", (3, 4), (1, 1), (1, 1)),
    ("Potential Loyalist", (3, 5), (1, 3), (1, 3)),
    ("Need Attention", (2, 3), (2, 3), (2, 3)),
    ("About To Sleep", (2, 3), (1, 2), (1, 2)),
    ("At Risk", (1, 2), (2, 5), (2, 5)),
    ("Lost", (1, 2), (1, 2), (1, 2)),
];

pub fn segment_of(r: u8, f: u8, m: u8) -> &'static str {
    let within = |v: u8, (a, b): (u8, u8)| (a..=b).contains(&v);
    SEGMENT_RULES
        .iter()
        .find(|(_, rr, fr, mr)| within(r, *rr) && within(f, *fr) && within(m, *mr))
        .map_or("Others", |s| s.0)
}

/// ceil(pct% × n) for a whole-number percentage.
pub fn ceil_pct(n: usize, pct: usize) -> usize {
    (pct * n).div_ceil(100)
}

/// Pyramid tier by 1-based position in monetary order, with cumulative whole percentages.
pub fn pyramid_tier(pos: usize, n: usize, cum: [usize; 3]) -> &'static str {
    if pos <= ceil_pct(n, cum[0]) {
        "VIP"
    } else if pos <= ceil_pct(n, cum[1]) {
        "Key"
    } else if pos <= ceil_pct(n, cum[2]) {
        "General"
    } else {
        "Small"
    }
}

/// A CSV file of `n` customers with one shipment each: big enough that the output does not fit
/// in a pipe buffer.
pub fn big_export(n: usize) -> String {
    let mut s = String::from("shipment_id,customer_id,ship_date,revenue\n");
    for i in 0..n {
        s.push_str(&format!(
            "S{i:06},C{i:06},2024-01-{:02},{}.{:02}\n",
            i % 28 + 1,
            i * 7 % 100_000,
            i % 100
        ));
    }
    s
}
