//! `crm-cli inspect`: what crm-cli sees in an export, to debug a file it will not read.

use chrono::NaiveDate;

use super::{Output, load_options};
use crate::cli::{DatasetArg, InspectArgs};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::io::fields::{self, Dataset, Kind, MatchHow};
use crate::io::load::{self, RawMeta, RawVisitor};
use crate::io::parse::{self, DateFormat, NumberFormat};
use crate::io::sniff;
use crate::io::source::{self, InputFormat};
use crate::render::{Cell, ColKind, Column, Report, Table};

/// How many bad values are shown per column.
const EXAMPLES: usize = 3;

pub fn dataset(d: DatasetArg) -> Dataset {
    match d {
        DatasetArg::Shipments => Dataset::Shipments,
        DatasetArg::Invoices => Dataset::Invoices,
        DatasetArg::Payments => Dataset::Payments,
        DatasetArg::Financials => Dataset::Financials,
    }
}

/// What is learnt about one column while reading.
#[derive(Debug, Default)]
struct ColumnStats {
    non_empty: usize,
    all_int: bool,
    all_money: bool,
    all_date: bool,
    /// Field kind parse failures (mapped columns only).
    problems: usize,
    examples: Vec<String>,
    min_date: Option<NaiveDate>,
    max_date: Option<NaiveDate>,
}

pub fn run(args: &InspectArgs, cfg: &Config, progress: bool) -> Result<Output> {
    let ds = dataset(args.dataset);
    let inputs = source::resolve_inputs(std::slice::from_ref(&args.file))?;
    let [input] = inputs.as_slice() else {
        return Err(Error::Usage(format!(
            "inspect takes one file; '{}' names {}",
            args.file,
            inputs.len()
        )));
    };
    let opts = load_options(&args.input, cfg, ds, progress)?;
    let mut v = Inspector {
        ds,
        overrides: &opts.overrides,
        number: opts.number,
        date: opts.date.clone(),
        headers: Vec::new(),
        stats: Vec::new(),
        kinds: Vec::new(),
        required: Vec::new(),
        resolution: None,
        mapping_error: None,
    };
    let meta: RawMeta = load::read_raw(input, &opts, &mut v)?;
    let Inspector {
        headers,
        stats,
        resolution,
        mapping_error,
        ..
    } = v;

    let mut notes = Vec::new();
    if let Some(e) = &mapping_error {
        notes.push(format!("{}: {e}", input.display));
    }
    let (date_min, date_max) = date_range(ds, resolution.as_ref(), &stats);
    let format_name = match input.format {
        InputFormat::Delimited => "delimited text",
        InputFormat::Parquet => "parquet",
        InputFormat::Xlsx => "xlsx",
    };
    let text = |s: Option<&str>| s.map_or(Cell::Null, |s| Cell::Str(s.to_string()));
    let problems: usize = stats.iter().map(|s| s.problems).sum();
    let fields_out = vec![
        (
            Column::new("file", ColKind::Text).zh("文件"),
            Cell::Str(input.display.clone()),
        ),
        (
            Column::new("format", ColKind::Text).zh("格式"),
            Cell::Str(format_name.into()),
        ),
        (
            Column::new("encoding", ColKind::Text).zh("编码"),
            text(meta.encoding),
        ),
        (
            Column::new("delimiter", ColKind::Text).zh("分隔符"),
            text(meta.delimiter.map(sniff::delimiter_name)),
        ),
        (
            Column::new("dataset", ColKind::Text).zh("数据集"),
            Cell::Str(ds.name().into()),
        ),
        (
            Column::new("rows", ColKind::Int).zh("行数"),
            Cell::Int(meta.rows as i64),
        ),
        (
            Column::new("blank_rows", ColKind::Int).zh("空行"),
            Cell::Int(meta.blank_rows as i64),
        ),
        (
            Column::new("problems", ColKind::Int).zh("问题数"),
            Cell::Int(problems as i64),
        ),
        (
            Column::new("date_min", ColKind::Date).zh("最早日期"),
            date_min.map_or(Cell::Null, Cell::Date),
        ),
        (
            Column::new("date_max", ColKind::Date).zh("最晚日期"),
            date_max.map_or(Cell::Null, Cell::Date),
        ),
        (
            Column::new("mapping_error", ColKind::Text).zh("映射错误"),
            text(mapping_error.as_deref()),
        ),
    ];
    let columns = vec![
        Column::new("column", ColKind::Int).zh("列"),
        Column::new("header", ColKind::Text).zh("表头"),
        Column::new("field", ColKind::Text).zh("字段"),
        Column::new("matched_by", ColKind::Text).zh("匹配方式"),
        Column::new("inferred", ColKind::Text).zh("推断类型"),
        Column::new("non_empty", ColKind::Int).zh("非空数"),
        Column::new("problems", ColKind::Int).zh("问题数"),
        Column::new("examples", ColKind::Text).zh("示例"),
    ];
    let rows = headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let s = &stats[i];
            let mapped = resolution
                .as_ref()
                .and_then(|r| r.mapped.iter().find(|m| m.column == i));
            let unmapped = resolution
                .as_ref()
                .and_then(|r| r.unmapped.iter().find(|u| u.0 == i));
            let (field, how) = match (mapped, unmapped) {
                (Some(m), _) => (
                    Cell::Str(m.field.to_string()),
                    Cell::Str(
                        match m.how {
                            MatchHow::Override => "override",
                            MatchHow::Canonical => "name",
                            MatchHow::Alias => "alias",
                        }
                        .into(),
                    ),
                ),
                (None, Some(u)) => (Cell::Null, Cell::Str(format!("not used: {}", u.2))),
                (None, None) => (Cell::Null, Cell::Null),
            };
            vec![
                Cell::Int(i as i64 + 1),
                Cell::Str(h.clone()),
                field,
                how,
                Cell::Str(inferred(s).into()),
                Cell::Int(s.non_empty as i64),
                Cell::Int(s.problems as i64),
                if s.examples.is_empty() {
                    Cell::Null
                } else {
                    Cell::Str(s.examples.join("; "))
                },
            ]
        })
        .collect();
    let table = Table {
        name: "columns".into(),
        title: "Columns".into(),
        title_zh: Some("列".into()),
        columns,
        rows,
        totals: None,
    };
    Ok(Output {
        report: Report::Summary {
            title: "Inspect".into(),
            fields: fields_out,
            tables: vec![table],
        },
        notes,
    })
}

struct Inspector<'a> {
    ds: Dataset,
    overrides: &'a [(String, String)],
    number: NumberFormat,
    date: DateFormat,
    headers: Vec<String>,
    stats: Vec<ColumnStats>,
    kinds: Vec<Option<Kind>>,
    /// Columns that feed a required field: an empty value there is a problem.
    required: Vec<bool>,
    resolution: Option<fields::Resolution>,
    mapping_error: Option<String>,
}

impl RawVisitor for Inspector<'_> {
    fn header(&mut self, h: &[String]) -> Result<Vec<usize>> {
        self.headers = h.to_vec();
        self.stats = h
            .iter()
            .map(|_| ColumnStats {
                all_int: true,
                all_money: true,
                all_date: true,
                ..Default::default()
            })
            .collect();
        self.kinds = vec![None; h.len()];
        self.required = vec![false; h.len()];
        match fields::resolve(self.ds, h, self.overrides) {
            Ok(r) => {
                for m in &r.mapped {
                    self.kinds[m.column] = Some(m.kind);
                    self.required[m.column] =
                        fields::field(self.ds, m.field).is_some_and(|f| f.required);
                }
                self.resolution = Some(r);
            }
            Err(e) => self.mapping_error = Some(e),
        }
        Ok((0..h.len()).collect())
    }

    fn row(&mut self, line: u64, cells: &[Option<&str>]) {
        for (i, s) in self.stats.iter_mut().enumerate() {
            let raw = cells.get(i).copied().flatten().unwrap_or("");
            if self.required[i] && raw.trim().is_empty() {
                s.problems += 1;
                if s.examples.len() < EXAMPLES {
                    s.examples
                        .push(format!("line {line}: empty value in a required field"));
                }
                continue;
            }
            observe(s, self.kinds[i], line, raw, self.number, &self.date);
        }
    }
}

fn observe(
    s: &mut ColumnStats,
    kind: Option<Kind>,
    line: u64,
    raw: &str,
    number: NumberFormat,
    date: &DateFormat,
) {
    if raw.trim().is_empty() {
        return;
    }
    s.non_empty += 1;
    let money = parse::parse_money(raw, number);
    let as_date = if s.all_date || kind == Some(Kind::Date) {
        Some(parse::parse_date(raw, date))
    } else {
        None
    };
    if s.all_money && !matches!(money, Ok(Some(_))) {
        s.all_money = false;
    }
    if s.all_int && !matches!(money, Ok(Some(f)) if f.scale == 0) {
        s.all_int = false;
    }
    if let Some(d) = &as_date {
        match d {
            Ok(Some(d)) => {
                s.min_date = Some(s.min_date.map_or(*d, |m| m.min(*d)));
                s.max_date = Some(s.max_date.map_or(*d, |m| m.max(*d)));
            }
            _ => s.all_date = false,
        }
    }
    let failure = match kind {
        Some(Kind::Money) => money.err().map(|e| e.message(raw)),
        Some(Kind::Number) => parse::parse_number(raw, number)
            .err()
            .map(|e| e.message(raw)),
        Some(Kind::Date) => as_date.and_then(|d| d.err()).map(|e| e.message(raw)),
        _ => None,
    };
    if let Some(m) = failure {
        s.problems += 1;
        if s.examples.len() < EXAMPLES {
            s.examples.push(format!("line {line}: {m}"));
        }
    }
}

fn inferred(s: &ColumnStats) -> &'static str {
    if s.non_empty == 0 {
        "empty"
    } else if s.all_date && !s.all_int {
        "date"
    } else if s.all_int {
        "integer"
    } else if s.all_money {
        "decimal"
    } else {
        "text"
    }
}

/// The range of the dataset's main date field (ship_date, invoice_date, ...).
fn date_range(
    ds: Dataset,
    resolution: Option<&fields::Resolution>,
    stats: &[ColumnStats],
) -> (Option<NaiveDate>, Option<NaiveDate>) {
    let main = match ds {
        Dataset::Shipments => "ship_date",
        Dataset::Invoices => "invoice_date",
        Dataset::Payments => "payment_date",
        Dataset::Financials => "period_end",
    };
    match resolution.and_then(|r| r.get(main)) {
        Some(m) => (stats[m.column].min_date, stats[m.column].max_date),
        None => (None, None),
    }
}
