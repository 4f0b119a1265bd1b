//! The public entry point ([`render`], [`Format`], [`Lang`], [`RenderOptions`]) and the value
//! formatting shared by all renderers.
//!
//! Two families of formats:
//! - machine formats (json, ndjson, csv) use `Column::key` and raw values, never labels or
//!   translations;
//! - human formats (table, markdown, html) use labels (Chinese with [`Lang::Zh`]), thousands
//!   separators for money, percentages for shares, and show `Table::totals`.

use std::borrow::Cow;
use std::fmt;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};

use super::i18n::{zh_header, zh_label};
use super::{Cell, ColKind, Column, Report, Table};

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Ndjson,
    Csv,
    Markdown,
    Html,
}

impl Format {
    /// All formats, in the order they are documented.
    pub const ALL: [Format; 6] = [
        Format::Table,
        Format::Json,
        Format::Ndjson,
        Format::Csv,
        Format::Markdown,
        Format::Html,
    ];

    /// By output file extension (case-insensitive): `.csv` `.json` `.ndjson`/`.jsonl`
    /// `.md`/`.markdown` `.html`/`.htm` `.txt` (= table); `None` otherwise (`.parquet` is
    /// handled elsewhere).
    pub fn from_extension(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "csv" => Format::Csv,
            "json" => Format::Json,
            "ndjson" | "jsonl" => Format::Ndjson,
            "md" | "markdown" => Format::Markdown,
            "html" | "htm" => Format::Html,
            "txt" => Format::Table,
            _ => return None,
        })
    }

    /// The canonical name, as accepted by [`FromStr`].
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Ndjson => "ndjson",
            Format::Csv => "csv",
            Format::Markdown => "markdown",
            Format::Html => "html",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = String;

    /// `table`, `json`, `ndjson` (also `jsonl`), `csv`, `markdown` (also `md`), `html`;
    /// case-insensitive.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "table" => Format::Table,
            "json" => Format::Json,
            "ndjson" | "jsonl" => Format::Ndjson,
            "csv" => Format::Csv,
            "markdown" | "md" => Format::Markdown,
            "html" => Format::Html,
            _ => {
                return Err(format!(
                    "unknown format '{s}' (expected one of: table, json, ndjson, csv, markdown, html)"
                ));
            }
        })
    }
}

/// The language of labels in human formats (machine formats are never translated).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    /// `en` or `zh`.
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Lang {
    type Err = String;

    /// `en` or `zh` (also `zh-CN`, `zh_CN`, `cn`); case-insensitive.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "en" | "en-us" | "en_us" | "en-gb" | "en_gb" => Ok(Lang::En),
            "zh" | "zh-cn" | "zh_cn" | "zh-hans" | "cn" => Ok(Lang::Zh),
            _ => Err(format!("unknown language '{s}' (expected en or zh)")),
        }
    }
}

/// How to render a [`Report`].
#[derive(Debug, Clone)]
pub struct RenderOptions {
    pub format: Format,
    pub lang: Lang,
    /// terminal width for table format when writing to a terminal; None = no wrapping (pipes, files)
    pub width: Option<u16>,
}

impl Default for RenderOptions {
    /// Table, English, no wrapping.
    fn default() -> Self {
        RenderOptions {
            format: Format::Table,
            lang: Lang::En,
            width: None,
        }
    }
}

/// Render `report` in `opts.format` to `out`.
///
/// Output is buffered internally and flushed before returning. The only errors are the
/// writer's (a closed pipe comes back as `Err(BrokenPipe)`); nothing is printed elsewhere.
pub fn render(report: &Report, opts: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let mut w = BufWriter::with_capacity(64 * 1024, out);
    match opts.format {
        Format::Table => super::table::render(report, opts, &mut w)?,
        Format::Json => super::json::render(report, &mut w)?,
        Format::Ndjson => super::json::render_ndjson(report, &mut w)?,
        Format::Csv => super::csv_out::render(report, &mut w)?,
        Format::Markdown => super::markdown::render(report, opts, &mut w)?,
        Format::Html => super::html::render(report, opts, &mut w)?,
    }
    w.flush()
}

// ---------------------------------------------------------------------------------------------
// Shared helpers.

static NULL: Cell = Cell::Null;

/// The cell of `row` at `index`, or `Null` when the row is short.
pub(super) fn cell_at(row: &[Cell], index: usize) -> &Cell {
    row.get(index).unwrap_or(&NULL)
}

/// Whether values of this kind are numbers (right-aligned in human formats).
pub(super) fn is_numeric(kind: ColKind) -> bool {
    matches!(
        kind,
        ColKind::Int | ColKind::Money | ColKind::Share | ColKind::Float
    )
}

/// The header shown to people: `label`, or with Zh `label_zh`, else the known Chinese name of
/// `key` (only while `label` is still the raw key), else `label`.
pub(super) fn column_label(col: &Column, lang: Lang) -> &str {
    match lang {
        Lang::En => &col.label,
        Lang::Zh => {
            if let Some(zh) = &col.label_zh {
                zh
            } else if col.label == col.key {
                zh_header(&col.key).unwrap_or(&col.label)
            } else {
                &col.label
            }
        }
    }
}

/// A table's heading for people.
/// A summary's title for people: translated with `--lang zh` when the dictionary knows it.
pub(super) fn summary_title(title: &str, lang: Lang) -> &str {
    match lang {
        Lang::Zh => super::zh_label(title).unwrap_or(title),
        Lang::En => title,
    }
}

pub(super) fn table_title(table: &Table, lang: Lang) -> &str {
    match (lang, &table.title_zh) {
        (Lang::Zh, Some(zh)) => zh,
        _ => &table.title,
    }
}

// --- machine values -------------------------------------------------------------------------

/// An exact decimal with its scale (`1234.50`), never `-0`.
pub(super) fn machine_money(d: &Decimal) -> String {
    if d.is_zero() && d.is_sign_negative() {
        let mut d = *d;
        d.set_sign_positive(true);
        return d.to_string();
    }
    d.to_string()
}

/// The shortest representation that reads back as the same `f64`, always a valid JSON number
/// (plain digits, or exponent notation for very small/large magnitudes); `None` if not finite.
pub(super) fn machine_float(x: f64) -> Option<String> {
    if !x.is_finite() {
        return None;
    }
    if x == 0.0 {
        return Some("0".to_string());
    }
    let a = x.abs();
    if (1e-5..1e16).contains(&a) {
        Some(format!("{x}"))
    } else {
        Some(format!("{x:e}"))
    }
}

/// ISO `YYYY-MM-DD`.
pub(super) fn iso_date(d: &NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// A cell as CSV text: raw values, empty for null and non-finite floats.
pub(super) fn machine_text(cell: &Cell) -> Cow<'_, str> {
    match cell {
        Cell::Null => Cow::Borrowed(""),
        Cell::Str(s) => Cow::Borrowed(s),
        Cell::Int(i) => Cow::Owned(i.to_string()),
        Cell::Money(d) => Cow::Owned(machine_money(d)),
        Cell::Float(x) => machine_float(*x).map_or(Cow::Borrowed(""), Cow::Owned),
        Cell::Date(d) => Cow::Owned(iso_date(d)),
        Cell::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
    }
}

// --- human values ---------------------------------------------------------------------------

/// Insert `,` every three digits in the integer part of a plain decimal string
/// (`-1234567.50` → `-1,234,567.50`).
pub(super) fn group_thousands(s: &str) -> String {
    let (sign, rest) = match s.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", s),
    };
    let (int, frac) = match rest.find('.') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let mut out = String::with_capacity(s.len() + int.len() / 3);
    out.push_str(sign);
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out.push_str(frac);
    out
}

/// Money for people: thousands separators, the decimal's own scale (`1,234,567.50`).
pub(super) fn human_money(d: &Decimal) -> String {
    group_thousands(&machine_money(d))
}

/// `ratio` × 100 rounded half away from zero to 2 decimals, with `%`.
fn percent_decimal(ratio: Decimal) -> Option<String> {
    let mut p = ratio
        .checked_mul(Decimal::ONE_HUNDRED)?
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    p.rescale(2);
    if p.is_zero() {
        p.set_sign_positive(true);
    }
    Some(format!("{p}%"))
}

/// A share as a percentage: the f64's shortest decimal representation, × 100, rounded half
/// away from zero to 2 decimals (`0.1234` → `12.34%`, `0.12345` → `12.35%`).
fn percent_f64(x: f64) -> String {
    Decimal::from_scientific(&format!("{x:e}"))
        .ok()
        .and_then(percent_decimal)
        .unwrap_or_else(|| {
            let s = format!("{:.2}", x * 100.0);
            if s == "-0.00" {
                "0.00%".to_string()
            } else {
                format!("{s}%")
            }
        })
}

/// A float for people: at most 4 decimals, trailing zeros trimmed but one kept (`1.85`,
/// `2.0`, `0.3333`).
pub(super) fn human_float(x: f64) -> String {
    let mut s = format!("{x:.4}");
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.push('0');
        }
    }
    if s == "-0.0" { "0.0".to_string() } else { s }
}

/// A cell's text for people, according to its column's kind and the language.
pub(super) fn human_text(cell: &Cell, kind: ColKind, lang: Lang) -> Cow<'_, str> {
    match cell {
        Cell::Null => Cow::Borrowed(""),
        Cell::Str(s) => match (lang, kind) {
            (Lang::Zh, ColKind::Label) => Cow::Borrowed(zh_label(s).unwrap_or(s)),
            _ => Cow::Borrowed(s),
        },
        Cell::Int(i) => Cow::Owned(match kind {
            ColKind::Share => percent_decimal(Decimal::from(*i)).unwrap_or_default(),
            ColKind::Money => group_thousands(&i.to_string()),
            _ => i.to_string(),
        }),
        Cell::Money(d) => Cow::Owned(match kind {
            ColKind::Share => percent_decimal(*d).unwrap_or_else(|| format!("{}%", d)),
            _ => human_money(d),
        }),
        Cell::Float(x) if !x.is_finite() => Cow::Borrowed(""),
        Cell::Float(x) => Cow::Owned(match kind {
            ColKind::Share => percent_f64(*x),
            ColKind::Money => {
                let s = format!("{x:.2}");
                group_thousands(if s == "-0.00" { "0.00" } else { &s })
            }
            _ => human_float(*x),
        }),
        Cell::Date(d) => Cow::Owned(iso_date(d)),
        Cell::Bool(b) => Cow::Borrowed(match (lang, b) {
            (Lang::En, true) => "yes",
            (Lang::En, false) => "no",
            (Lang::Zh, true) => "是",
            (Lang::Zh, false) => "否",
        }),
    }
}

/// The texts of one data row for people, one per column (short rows padded with empties).
pub(super) fn human_row<'a>(columns: &[Column], row: &'a [Cell], lang: Lang) -> Vec<Cow<'a, str>> {
    columns
        .iter()
        .enumerate()
        .map(|(i, col)| human_text(cell_at(row, i), col.kind, lang))
        .collect()
}

/// The texts of a totals row for people. Text values are translated with Zh whatever the
/// column kind (`Total` → `合计`), and an empty first cell reads `Total`/`合计`.
pub(super) fn human_totals<'a>(
    columns: &[Column],
    totals: &'a [Cell],
    lang: Lang,
) -> Vec<Cow<'a, str>> {
    let mut texts: Vec<Cow<'a, str>> = columns
        .iter()
        .enumerate()
        .map(|(i, col)| match (lang, cell_at(totals, i)) {
            (Lang::Zh, Cell::Str(s)) => Cow::Borrowed(zh_label(s).unwrap_or(s)),
            (_, cell) => human_text(cell, col.kind, lang),
        })
        .collect();
    if let Some(first) = texts.first_mut()
        && first.is_empty()
    {
        *first = Cow::Borrowed(match lang {
            Lang::En => "Total",
            Lang::Zh => "合计",
        });
    }
    texts
}

// ---------------------------------------------------------------------------------------------

#[cfg(test)]
pub(super) mod fixtures {
    //! Small reports shared by the renderers' tests.

    use super::super::{Cell, ColKind, Column, Report, Table};
    use chrono::NaiveDate;
    use rust_decimal::Decimal;

    pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    pub fn money(units: i64, scale: u32) -> Cell {
        Cell::Money(Decimal::new(units, scale))
    }

    /// customer_id (Text), tier (Label), monetary (Money), share (Share), last_date (Date),
    /// frequency (Int), score (Float), active (Bool); two rows and a totals row.
    pub fn customers() -> Table {
        Table {
            name: "customers".into(),
            title: "Customers".into(),
            title_zh: Some("客户".into()),
            columns: vec![
                Column::new("customer_id", ColKind::Text),
                Column {
                    label: "Tier".into(),
                    ..Column::new("tier", ColKind::Label)
                }
                .zh("等级"),
                Column::new("monetary", ColKind::Money),
                Column::new("share", ColKind::Share),
                Column::new("last_date", ColKind::Date),
                Column::new("frequency", ColKind::Int),
                Column::new("score", ColKind::Float),
                Column::new("active", ColKind::Bool),
            ],
            rows: vec![
                vec![
                    Cell::Str("C001".into()),
                    Cell::Str("VIP".into()),
                    money(123450, 2),
                    Cell::Float(0.1234),
                    Cell::Date(date(2024, 6, 30)),
                    Cell::Int(12),
                    Cell::Float(1.85),
                    Cell::Bool(true),
                ],
                vec![
                    Cell::Str("C|002 \"x\"".into()),
                    Cell::Str("General".into()),
                    money(-10, 2),
                    Cell::Float(f64::NAN),
                    Cell::Null,
                    Cell::Int(3),
                    Cell::Float(f64::INFINITY),
                    Cell::Bool(false),
                ],
            ],
            totals: Some(vec![
                Cell::Null,
                Cell::Null,
                money(123440, 2),
                Cell::Float(0.1234),
                Cell::Null,
                Cell::Int(15),
                Cell::Null,
                Cell::Null,
            ]),
        }
    }

    /// A summary: as_of (Date), customers (Int), revenue (Money), and one small table
    /// `segments` plus an empty table `lanes`.
    pub fn summary() -> Report {
        Report::Summary {
            title: "Portfolio".into(),
            fields: vec![
                (
                    Column {
                        label: "As of".into(),
                        ..Column::new("as_of", ColKind::Date)
                    },
                    Cell::Date(date(2024, 6, 30)),
                ),
                (Column::new("customers", ColKind::Int), Cell::Int(120)),
                (
                    Column {
                        label: "Revenue".into(),
                        ..Column::new("revenue", ColKind::Money)
                    }
                    .zh("收入"),
                    money(123456750, 2),
                ),
            ],
            tables: vec![
                Table {
                    name: "segments".into(),
                    title: "Segments".into(),
                    title_zh: Some("客户分群".into()),
                    columns: vec![
                        Column::new("segment", ColKind::Label),
                        Column::new("customers", ColKind::Int),
                        Column::new("monetary_share", ColKind::Share),
                    ],
                    rows: vec![
                        vec![
                            Cell::Str("Champions".into()),
                            Cell::Int(10),
                            Cell::Float(0.5),
                        ],
                        vec![
                            Cell::Str("At Risk".into()),
                            Cell::Int(2),
                            Cell::Float(0.125),
                        ],
                    ],
                    totals: Some(vec![
                        Cell::Str("Total".into()),
                        Cell::Int(12),
                        Cell::Float(0.625),
                    ]),
                },
                Table {
                    name: "lanes".into(),
                    title: "Lanes".into(),
                    title_zh: None,
                    columns: vec![
                        Column::new("lane", ColKind::Text),
                        Column::new("customers", ColKind::Int),
                    ],
                    rows: vec![],
                    totals: None,
                },
            ],
        }
    }

    /// Render to a String (panics on error: tests only).
    pub fn render_to_string(report: &Report, format: super::Format, lang: super::Lang) -> String {
        render_with_width(report, format, lang, None)
    }

    pub fn render_with_width(
        report: &Report,
        format: super::Format,
        lang: super::Lang,
        width: Option<u16>,
    ) -> String {
        let mut out = Vec::new();
        let opts = super::RenderOptions {
            format,
            lang,
            width,
        };
        super::render(report, &opts, &mut out).expect("render");
        String::from_utf8(out).expect("utf-8")
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;

    #[test]
    fn format_from_extension() {
        let cases = [
            ("out.csv", Some(Format::Csv)),
            ("OUT.CSV", Some(Format::Csv)),
            ("a/b.json", Some(Format::Json)),
            ("x.ndjson", Some(Format::Ndjson)),
            ("x.jsonl", Some(Format::Ndjson)),
            ("x.md", Some(Format::Markdown)),
            ("x.markdown", Some(Format::Markdown)),
            ("x.html", Some(Format::Html)),
            ("x.htm", Some(Format::Html)),
            ("x.txt", Some(Format::Table)),
            ("x.parquet", None),
            ("x.xlsx", None),
            ("noext", None),
            (".csv", None),
        ];
        for (path, want) in cases {
            assert_eq!(Format::from_extension(Path::new(path)), want, "{path}");
        }
    }

    #[test]
    fn format_names_round_trip() {
        for f in Format::ALL {
            assert_eq!(f.name().parse::<Format>(), Ok(f));
            assert_eq!(f.to_string(), f.name());
        }
        assert_eq!("md".parse::<Format>(), Ok(Format::Markdown));
        assert_eq!("JSON".parse::<Format>(), Ok(Format::Json));
        assert_eq!("jsonl".parse::<Format>(), Ok(Format::Ndjson));
        let err = "xml".parse::<Format>().unwrap_err();
        assert!(err.contains("unknown format 'xml'"), "{err}");
    }

    #[test]
    fn lang_parses() {
        assert_eq!("zh".parse::<Lang>(), Ok(Lang::Zh));
        assert_eq!("zh-CN".parse::<Lang>(), Ok(Lang::Zh));
        assert_eq!("EN".parse::<Lang>(), Ok(Lang::En));
        assert!("fr".parse::<Lang>().is_err());
        assert_eq!(Lang::default(), Lang::En);
    }

    #[test]
    fn thousands_grouping() {
        let cases = [
            ("0", "0"),
            ("12", "12"),
            ("123", "123"),
            ("1234", "1,234"),
            ("-1234.00", "-1,234.00"),
            ("1234567.50", "1,234,567.50"),
            ("-123456.5", "-123,456.5"),
            ("100000", "100,000"),
        ];
        for (s, want) in cases {
            assert_eq!(group_thousands(s), want, "{s}");
        }
    }

    #[test]
    fn money_machine_and_human() {
        assert_eq!(machine_money(&Decimal::new(123450, 2)), "1234.50");
        assert_eq!(machine_money(&Decimal::new(-10, 2)), "-0.10");
        assert_eq!(machine_money(&Decimal::new(5, 0)), "5");
        let mut neg_zero = Decimal::new(0, 2);
        neg_zero.set_sign_negative(true);
        assert_eq!(machine_money(&neg_zero), "0.00");
        assert_eq!(human_money(&Decimal::new(123456750, 2)), "1,234,567.50");
        assert_eq!(human_money(&Decimal::new(-123400, 2)), "-1,234.00");
        assert_eq!(human_money(&neg_zero), "0.00");
    }

    #[test]
    fn floats_machine() {
        assert_eq!(machine_float(1.0).as_deref(), Some("1"));
        assert_eq!(machine_float(0.1).as_deref(), Some("0.1"));
        assert_eq!(machine_float(1.85).as_deref(), Some("1.85"));
        assert_eq!(machine_float(-0.0).as_deref(), Some("0"));
        assert_eq!(machine_float(1e-7).as_deref(), Some("1e-7"));
        assert_eq!(machine_float(1.5e300).as_deref(), Some("1.5e300"));
        assert_eq!(machine_float(123456.789).as_deref(), Some("123456.789"));
        assert_eq!(
            machine_float(1.0 / 3.0).as_deref(),
            Some("0.3333333333333333")
        );
        assert_eq!(machine_float(f64::NAN), None);
        assert_eq!(machine_float(f64::INFINITY), None);
        assert_eq!(machine_float(f64::NEG_INFINITY), None);
        // Every finite output is valid JSON and reads back as the same f64.
        for x in [
            1e-7,
            1.5e300,
            -2.5e-10,
            1e16,
            9.999e15,
            0.1 + 0.2,
            f64::MAX,
            f64::MIN_POSITIVE,
        ] {
            let s = machine_float(x).expect("finite");
            let v: serde_json::Value = serde_json::from_str(&s).expect("valid JSON");
            assert_eq!(v.as_f64(), Some(x), "{s}");
            assert_eq!(s.parse::<f64>(), Ok(x), "{s}");
        }
    }

    #[test]
    fn floats_human() {
        assert_eq!(human_float(1.85), "1.85");
        assert_eq!(human_float(2.0), "2.0");
        assert_eq!(human_float(1.0 / 3.0), "0.3333");
        assert_eq!(human_float(0.00001), "0.0");
        assert_eq!(human_float(-0.00001), "0.0");
        assert_eq!(human_float(-12.5), "-12.5");
        assert_eq!(human_float(123456.0), "123456.0");
    }

    #[test]
    fn shares_as_percentages() {
        let share = |x: f64| human_text(&Cell::Float(x), ColKind::Share, Lang::En).into_owned();
        assert_eq!(share(0.1234), "12.34%");
        assert_eq!(share(0.12345), "12.35%"); // half away from zero on the decimal value
        assert_eq!(share(-0.12345), "-12.35%");
        assert_eq!(share(1.0), "100.00%");
        assert_eq!(share(0.0), "0.00%");
        assert_eq!(share(-0.000001), "0.00%");
        assert_eq!(share(0.5), "50.00%");
        assert_eq!(share(1e-300), "0.00%"); // outside Decimal's range: f64 fallback
        assert_eq!(share(f64::NAN), "");
        assert_eq!(
            human_text(&money(1234, 4), ColKind::Share, Lang::En),
            "12.34%"
        );
        assert_eq!(
            human_text(&Cell::Int(1), ColKind::Share, Lang::En),
            "100.00%"
        );
    }

    #[test]
    fn human_values_by_kind() {
        let t = |c: Cell, k: ColKind, l: Lang| human_text(&c, k, l).into_owned();
        assert_eq!(t(money(123450, 2), ColKind::Money, Lang::En), "1,234.50");
        assert_eq!(t(Cell::Int(1234567), ColKind::Int, Lang::En), "1234567");
        assert_eq!(t(Cell::Int(1234567), ColKind::Money, Lang::En), "1,234,567");
        assert_eq!(t(Cell::Float(1234.5), ColKind::Money, Lang::En), "1,234.50");
        assert_eq!(t(Cell::Float(1.85), ColKind::Float, Lang::En), "1.85");
        assert_eq!(
            t(Cell::Float(f64::NEG_INFINITY), ColKind::Float, Lang::En),
            ""
        );
        assert_eq!(
            t(Cell::Date(date(2024, 1, 5)), ColKind::Date, Lang::En),
            "2024-01-05"
        );
        assert_eq!(t(Cell::Null, ColKind::Money, Lang::En), "");
        assert_eq!(t(Cell::Bool(true), ColKind::Bool, Lang::En), "yes");
        assert_eq!(t(Cell::Bool(false), ColKind::Bool, Lang::En), "no");
        assert_eq!(t(Cell::Bool(true), ColKind::Bool, Lang::Zh), "是");
        assert_eq!(t(Cell::Bool(false), ColKind::Bool, Lang::Zh), "否");
        assert_eq!(
            t(Cell::Str("VIP".into()), ColKind::Label, Lang::Zh),
            "VIP客户"
        );
        assert_eq!(t(Cell::Str("A".into()), ColKind::Label, Lang::Zh), "A");
        assert_eq!(
            t(Cell::Str("Mystery".into()), ColKind::Label, Lang::Zh),
            "Mystery"
        );
        // Text columns are never translated, and nothing is translated in English.
        assert_eq!(t(Cell::Str("VIP".into()), ColKind::Text, Lang::Zh), "VIP");
        assert_eq!(t(Cell::Str("VIP".into()), ColKind::Label, Lang::En), "VIP");
    }

    #[test]
    fn labels_and_titles() {
        let plain = Column::new("monetary", ColKind::Money);
        assert_eq!(column_label(&plain, Lang::En), "monetary");
        assert_eq!(column_label(&plain, Lang::Zh), "金额");
        let labelled = Column {
            label: "Revenue".into(),
            ..Column::new("monetary", ColKind::Money)
        };
        // A custom English label is kept rather than replaced by the key's generic name.
        assert_eq!(column_label(&labelled, Lang::Zh), "Revenue");
        let zh = labelled.clone().zh("收入");
        assert_eq!(column_label(&zh, Lang::Zh), "收入");
        assert_eq!(column_label(&zh, Lang::En), "Revenue");
        let unknown = Column::new("widgets", ColKind::Int);
        assert_eq!(column_label(&unknown, Lang::Zh), "widgets");

        let t = customers();
        assert_eq!(table_title(&t, Lang::En), "Customers");
        assert_eq!(table_title(&t, Lang::Zh), "客户");
        let no_zh = Table {
            title_zh: None,
            ..t
        };
        assert_eq!(table_title(&no_zh, Lang::Zh), "Customers");
    }

    #[test]
    fn totals_row_texts() {
        let t = customers();
        let totals = t.totals.as_deref().expect("totals");
        let en = human_totals(&t.columns, totals, Lang::En);
        assert_eq!(en[0], "Total");
        assert_eq!(en[2], "1,234.40");
        let zh = human_totals(&t.columns, totals, Lang::Zh);
        assert_eq!(zh[0], "合计");
        let explicit = [Cell::Str("Total".into())];
        assert_eq!(
            human_totals(&t.columns[..1], &explicit, Lang::Zh)[0],
            "合计"
        );
        // Short rows are padded.
        assert_eq!(
            human_totals(&t.columns, &[], Lang::En).len(),
            t.columns.len()
        );
    }

    /// A writer that fails like a closed pipe.
    struct BrokenPipe;
    impl Write for BrokenPipe {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::new(io::ErrorKind::BrokenPipe, "closed"))
        }
        fn flush(&mut self) -> io::Result<()> {
            Err(io::Error::new(io::ErrorKind::BrokenPipe, "closed"))
        }
    }

    #[test]
    fn broken_pipe_is_an_error_in_every_format() {
        for report in [Report::Rows(customers()), summary()] {
            for format in Format::ALL {
                for lang in [Lang::En, Lang::Zh] {
                    let opts = RenderOptions {
                        format,
                        lang,
                        width: None,
                    };
                    let err = render(&report, &opts, &mut BrokenPipe).expect_err("must fail");
                    assert_eq!(err.kind(), io::ErrorKind::BrokenPipe, "{format}");
                }
            }
        }
    }

    /// A large report overflows the internal buffer, so errors surface mid-stream too.
    #[test]
    fn broken_pipe_mid_stream() {
        let mut t = customers();
        let row = t.rows[0].clone();
        t.rows = vec![row; 5000];
        let report = Report::Rows(t);
        for format in Format::ALL {
            let opts = RenderOptions {
                format,
                lang: Lang::En,
                width: None,
            };
            let err = render(&report, &opts, &mut BrokenPipe).expect_err("must fail");
            assert_eq!(err.kind(), io::ErrorKind::BrokenPipe, "{format}");
        }
    }

    #[test]
    fn machine_formats_ignore_lang() {
        for report in [Report::Rows(customers()), summary()] {
            for format in [Format::Json, Format::Ndjson, Format::Csv] {
                let en = render_to_string(&report, format, Lang::En);
                let zh = render_to_string(&report, format, Lang::Zh);
                assert_eq!(en, zh, "{format}");
                for zh_text in ["客户", "等级", "冠军", "合计", "是", "金额"] {
                    assert!(!en.contains(zh_text), "{format} contains {zh_text}:\n{en}");
                }
                for label in ["Tier", "Revenue", "As of", "Total", "yes", "1,234"] {
                    assert!(
                        !en.contains(label),
                        "{format} contains label {label}:\n{en}"
                    );
                }
            }
        }
    }

    #[test]
    fn output_is_deterministic() {
        for report in [Report::Rows(customers()), summary()] {
            for format in Format::ALL {
                for lang in [Lang::En, Lang::Zh] {
                    let a = render_to_string(&report, format, lang);
                    let b = render_to_string(&report, format, lang);
                    assert_eq!(a, b);
                    assert!(a.ends_with('\n'), "{format} {lang}: no trailing newline");
                }
            }
        }
    }
}
