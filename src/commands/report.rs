//! `crm-cli report`: the monthly report.
//!
//! Each dataset is loaded once. Every analysis runs as of the last day of the month with the
//! options its command uses by default (crm.toml included), and the commands' own summary
//! builders make its tables, so each part's JSON is what the command prints with `--summary
//! --as-of`. What only the report has is built here: the KPIs of three months, the tier
//! migration, the churn watch, the DSO trend and the 24-month series.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::PathBuf;

use chrono::{Datelike, NaiveDate};
use polars::prelude::{ChunkAgg, DataType, IntoLazy, LazyFrame, UniqueKeepStrategy, col, lit};
use rust_decimal::{Decimal, RoundingStrategy};

use super::aging::{self as aging_cmd, LedgerData};
use super::{churn as churn_cmd, load_options, money, pareto as pareto_cmd, ratios as ratios_cmd};
use super::{service as service_cmd, tier as tier_cmd};
use crate::analytics::aging::{self, Aging, Basis};
use crate::analytics::frame::{ints, strings};
use crate::analytics::ratios as ratios_analytics;
use crate::analytics::rollup::Shipments;
use crate::analytics::service::rate;
use crate::analytics::window::{Window, days, days_lit};
use crate::analytics::{activity, churn, pareto, rfm, service};
use crate::cli::{
    ChurnArgs, FormatArg, FrequencyArg, LangArg, ModelArg, OutputArgs, RatiosArgs, ReportArgs,
    ScoresArg, TierArgs, TierByArg, ValueArg, WindowArgs,
};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::io::fields::Dataset;
use crate::io::load::{self, Loaded, Request, date_from_days, days_since_epoch};
use crate::io::source;
use crate::render::document::{self, DocFormat, Document, Part, Section, Text, human};
use crate::render::svg::{Axis, CategoryChart, Chart, CurveChart, Mark, Series, Unit};
use crate::render::{Cell, ColKind, Column, Lang, Report, Table};

/// Shipment fields the report reads (the optional ones when the data has them).
const SHIPMENT_FIELDS: &[&str] = &[
    "shipment_id",
    "customer_id",
    "customer_name",
    "ship_date",
    "revenue",
    "cost",
    "promised_date",
    "delivered_date",
    "lane",
    "status",
    "currency",
];
/// Customers in the key-customer list.
const TOP: usize = 20;
/// Months of shipments the service section covers, ending with the period.
const SERVICE_MONTHS: i32 = 3;
/// Months of the revenue series and of the DSO trend.
const SERIES_MONTHS: i32 = 24;
const DSO_MONTHS: i32 = 12;
/// `aging`'s defaults: overdue bucket bounds, payment terms, turnover period.
const BUCKETS: [i64; 3] = [30, 60, 90];
const TERMS: u32 = 30;
const PERIOD_DAYS: i64 = 365;
/// Points of the Pareto curve at most (customers beyond are sampled evenly).
const CURVE_POINTS: usize = 400;

fn cutoffs() -> [Decimal; 2] {
    // `pareto`'s default --cutoffs.
    [Decimal::from(80), Decimal::from(95)]
}

// ---------------------------------------------------------------------------------------------
// Months

/// A calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    year: i32,
    /// 1..=12.
    month: u32,
}

impl Month {
    fn index(self) -> i32 {
        self.year * 12 + self.month as i32 - 1
    }

    fn from_index(i: i32) -> Month {
        Month {
            year: i.div_euclid(12),
            month: i.rem_euclid(12) as u32 + 1,
        }
    }

    /// `k` months later (earlier when negative).
    pub fn shift(self, k: i32) -> Month {
        Month::from_index(self.index() + k)
    }

    pub fn start(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or_default()
    }

    pub fn end(self) -> NaiveDate {
        self.shift(1).start().pred_opt().unwrap_or_default()
    }

    fn of(d: NaiveDate) -> Month {
        Month {
            year: d.year(),
            month: d.month(),
        }
    }

    /// `2026-09`.
    pub fn label(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }
}

/// `--period`: `YYYY-MM`, or `last` (the last complete month before `today()`).
pub fn parse_period(s: &str, today: impl FnOnce() -> NaiveDate) -> Result<Month> {
    let t = s.trim();
    if t.eq_ignore_ascii_case("last") {
        return Ok(Month::of(today()).shift(-1));
    }
    let bad = || {
        Error::Usage(format!(
            "--period {s}: expected a month as YYYY-MM (e.g. 2026-09) or 'last'"
        ))
    };
    let (y, m) = t.split_once('-').ok_or_else(bad)?;
    let digits = |p: &str, len: std::ops::RangeInclusive<usize>| {
        len.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(y, 4..=4) || !digits(m, 1..=2) {
        return Err(bad());
    }
    let year: i32 = y.parse().map_err(|_| bad())?;
    let month: u32 = m.parse().map_err(|_| bad())?;
    if !(1..=12).contains(&month) || year < 1900 {
        return Err(bad());
    }
    Ok(Month { year, month })
}

// ---------------------------------------------------------------------------------------------
// Output

enum Target {
    Stdout,
    File(PathBuf),
}

/// What `run` made: the document and how to write it, and notes for stderr.
pub struct ReportOutput {
    pub notes: Vec<String>,
    pub document: Document,
    format: DocFormat,
    lang: Lang,
    target: Target,
}

/// The format and destination from -o and --format, checked before anything is read.
fn target(o: &OutputArgs) -> Result<(DocFormat, Target)> {
    let Some(path) = &o.output else {
        return Err(Error::Usage(
            "report needs -o FILE (.html, .md or .json), or -o - for standard output".into(),
        ));
    };
    let stdout = path.as_os_str() == "-";
    let format = match o.format {
        Some(FormatArg::Html) => DocFormat::Html,
        Some(FormatArg::Markdown) => DocFormat::Markdown,
        Some(FormatArg::Json) => DocFormat::Json,
        Some(f) => {
            let name = match f {
                FormatArg::Table => "table",
                FormatArg::Ndjson => "ndjson",
                FormatArg::Csv => "csv",
                _ => "parquet",
            };
            return Err(Error::Usage(format!(
                "--format {name}: a report is written as html, markdown or json"
            )));
        }
        None if stdout => DocFormat::Html,
        None => {
            let ext = path
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("")
                .to_ascii_lowercase();
            match ext.as_str() {
                "html" | "htm" => DocFormat::Html,
                "md" | "markdown" => DocFormat::Markdown,
                "json" => DocFormat::Json,
                _ => {
                    return Err(Error::Usage(format!(
                        "-o {}: a report is written to .html, .md or .json (or pass --format)",
                        path.display()
                    )));
                }
            }
        }
    };
    Ok((
        format,
        if stdout {
            Target::Stdout
        } else {
            Target::File(path.clone())
        },
    ))
}

/// Write the document: to a temporary file renamed over -o, or all at once to stdout.
pub fn write(out: &ReportOutput) -> Result<()> {
    match &out.target {
        Target::File(path) => crate::write_atomically(path, |w| {
            document::render(&out.document, out.format, out.lang, w)
                .map_err(|e| Error::io(path.display().to_string(), e))
        }),
        Target::Stdout => {
            let mut buf = Vec::new();
            document::render(&out.document, out.format, out.lang, &mut buf)
                .map_err(|e| Error::io("<stdout>", e))?;
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(&buf)
                .and_then(|_| stdout.flush())
                .map_err(|e| Error::io("<stdout>", e))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The commands' options, at their defaults

fn tier_args(args: &ReportArgs, as_of: NaiveDate) -> TierArgs {
    TierArgs {
        files: args.shipments.clone(),
        dates: WindowArgs {
            from: None,
            to: None,
            as_of: Some(as_of.to_string()),
        },
        frequency: FrequencyArg::Shipments,
        value: ValueArg::Revenue,
        scores: ScoresArg::Percentile,
        bins: Vec::new(),
        tier_by: TierByArg::Pyramid,
        pyramid: None,
        thresholds: None,
        by: None,
        summary: true,
        input: args.input.clone(),
        output: args.output.clone(),
    }
}

fn churn_args(args: &ReportArgs) -> ChurnArgs {
    ChurnArgs {
        files: args.shipments.clone(),
        dates: WindowArgs {
            from: None,
            to: None,
            as_of: None,
        },
        new_days: None,
        churn_ratio: None,
        risk_ratio: None,
        max_idle: None,
        window: None,
        drop: None,
        model: ModelArg::None,
        horizon: 90,
        summary: true,
        input: args.input.clone(),
        output: args.output.clone(),
    }
}

fn ratios_args(args: &ReportArgs, as_of: NaiveDate) -> RatiosArgs {
    RatiosArgs {
        files: args.financials.clone(),
        as_of: Some(as_of.to_string()),
        latest: false,
        days: None,
        quick: None,
        current_grades: None,
        quick_grades: None,
        summary: true,
        input: args.input.clone(),
        output: args.output.clone(),
    }
}

// ---------------------------------------------------------------------------------------------
// Small helpers

fn column(key: &str, kind: ColKind, zh: &str) -> Column {
    Column::new(key, kind).zh(zh)
}

fn labelled(key: &str, kind: ColKind, en: &str, zh: &str) -> Column {
    Column {
        label: en.to_string(),
        ..Column::new(key, kind)
    }
    .zh(zh)
}

fn t(en: impl Into<String>, zh: impl Into<String>) -> Text {
    Text::new(en, zh)
}

fn opt_str(v: &Option<String>) -> Cell {
    v.clone().map_or(Cell::Null, Cell::Str)
}

/// `1 customer`, `5 customers`.
fn customers(n: i64) -> String {
    if n == 1 {
        "1 customer".to_string()
    } else {
        format!("{n} customers")
    }
}

/// `n / d` × 100 with one decimal, rounded half away from zero (`19.2`).
fn pct1(n: usize, d: usize) -> String {
    let mut p = (Decimal::from(n as u64) * Decimal::from(100) / Decimal::from(d.max(1) as u64))
        .round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero);
    p.rescale(1);
    p.to_string()
}

fn summary(fields: Vec<(Column, Cell)>, tables: Vec<Table>) -> Report {
    Report::Summary {
        title: String::new(),
        fields,
        tables,
    }
}

fn table(name: &str, title: Text, columns: Vec<Column>, rows: Vec<Vec<Cell>>) -> Table {
    Table {
        name: name.into(),
        title: title.en,
        title_zh: Some(title.zh),
        columns,
        rows,
        totals: None,
    }
}

/// `(v − base) / |base|`; None without a base or when it is 0.
fn change(v: Option<i128>, base: Option<i128>) -> Cell {
    match (v, base) {
        (Some(v), Some(b)) if b != 0 => Cell::Float((v - b) as f64 / b.abs() as f64),
        _ => Cell::Null,
    }
}

/// Everything the sections share.
struct Ctx<'a> {
    loaded: &'a Loaded,
    scale: u32,
    month: Month,
    /// The first shipment date in the data.
    first: NaiveDate,
    currency: Option<String>,
}

impl Ctx<'_> {
    fn lf(&self) -> LazyFrame {
        self.loaded.df.clone().lazy()
    }

    fn money(&self, v: i128) -> Cell {
        Cell::Money(money(v, self.scale))
    }

    fn end(&self) -> NaiveDate {
        self.month.end()
    }

    /// `Revenue (USD)`.
    fn money_title(&self, en: &str, zh: &str) -> Text {
        match &self.currency {
            Some(c) => t(format!("{en} ({c})"), format!("{zh}（{c}）")),
            None => t(en, zh),
        }
    }

    /// True when the data reaches back to `d` (a month ending before the data has no values).
    fn covers(&self, d: NaiveDate) -> bool {
        d >= self.first
    }
}

// ---------------------------------------------------------------------------------------------
// Monthly figures

#[derive(Debug, Clone, Default)]
struct MonthStats {
    revenue: i128,
    margin: Option<i128>,
    shipments: i64,
    active: i64,
    new: i64,
}

/// Revenue, margin, shipments, active and new customers of each month (None for months that end
/// before the data begins).
fn monthly_stats(ctx: &Ctx, months: &[Month]) -> Result<Vec<Option<MonthStats>>> {
    let (Some(&first_m), Some(&last_m)) = (months.first(), months.last()) else {
        return Ok(Vec::new());
    };
    let has_cost = ctx.loaded.has("cost");
    let d = days("ship_date");
    // Months are consecutive: a row's month is the number of later month starts it passed.
    let index = months
        .iter()
        .skip(1)
        .map(|m| d.clone().gt_eq(days_lit(m.start())).cast(DataType::Int32))
        .fold(lit(0i32), |a, b| a + b);
    let mut aggs = vec![
        col("revenue").sum().alias("revenue"),
        activity::shipment_count(
            activity::Ids::new(ctx.loaded.repeated_ids),
            ctx.loaded.has("shipment_id"),
        )
        .alias("shipments"),
        col("customer_id")
            .filter(activity::is_shipment())
            .n_unique()
            .cast(DataType::Int64)
            .alias("active"),
    ];
    if has_cost {
        aggs.push(
            (col("revenue") - col("cost").fill_null(lit(0i64)))
                .sum()
                .alias("margin"),
        );
    }
    let df = ctx
        .lf()
        .filter(
            d.clone()
                .gt_eq(days_lit(first_m.start()))
                .and(d.clone().lt_eq(days_lit(last_m.end()))),
        )
        .with_column(index.alias("__month"))
        .group_by([col("__month")])
        .agg(aggs)
        .collect()?;
    let mut out: Vec<Option<MonthStats>> = months
        .iter()
        .map(|m| {
            ctx.covers(m.end()).then(|| MonthStats {
                margin: has_cost.then_some(0),
                ..MonthStats::default()
            })
        })
        .collect();
    let idx = ints(&df, "__month")?;
    let revenue = ints(&df, "revenue")?;
    let shipments = ints(&df, "shipments")?;
    let active = ints(&df, "active")?;
    let margin = if has_cost {
        ints(&df, "margin")?
    } else {
        vec![None; df.height()]
    };
    for i in 0..df.height() {
        let Some(Some(s)) = idx[i].and_then(|k| out.get_mut(k as usize)) else {
            continue;
        };
        s.revenue = revenue[i].unwrap_or(0) as i128;
        s.shipments = shipments[i].unwrap_or(0);
        s.active = active[i].unwrap_or(0);
        if has_cost {
            s.margin = Some(margin[i].unwrap_or(0) as i128);
        }
    }
    // New: the customer's first shipment ever falls in the month.
    let firsts = ctx
        .lf()
        .filter(activity::is_shipment().and(d.clone().lt_eq(days_lit(last_m.end()))))
        .group_by([col("customer_id")])
        .agg([d.min().alias("first")])
        .collect()?;
    for f in ints(&firsts, "first")?.into_iter().flatten() {
        let m = Month::of(date_from_days(f as i32));
        let k = m.index() - first_m.index();
        if let Some(Some(s)) = usize::try_from(k).ok().and_then(|k| out.get_mut(k)) {
            s.new += 1;
        }
    }
    Ok(out)
}

/// Customers with a shipment in month `m`.
fn shipped_in(ctx: &Ctx, m: Month) -> Result<HashSet<String>> {
    let d = days("ship_date");
    let df = ctx
        .lf()
        .filter(
            d.clone()
                .gt_eq(days_lit(m.start()))
                .and(d.lt_eq(days_lit(m.end())))
                .and(activity::is_shipment()),
        )
        .select([col("customer_id")])
        .unique(None, UniqueKeepStrategy::Any)
        .collect()?;
    Ok(strings(&df, "customer_id")?.into_iter().flatten().collect())
}

/// Churn statuses as of `d` (None before the data begins).
fn churn_at(ctx: &Ctx, rules: &churn::Rules, d: NaiveDate) -> Result<Option<churn::Customers>> {
    if !ctx.covers(d) {
        return Ok(None);
    }
    let window = Window {
        from: None,
        to: None,
        as_of: Some(d),
    };
    churn::compute(ctx.lf(), &window, rules).map(Some)
}

fn statuses(c: Option<&churn::Customers>) -> HashMap<String, &'static str> {
    c.map(|c| {
        c.customer_id
            .iter()
            .cloned()
            .zip(c.status.iter().copied())
            .collect()
    })
    .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// Receivables

struct Receivables {
    ledger: LedgerData,
    /// Aged at the end of each of the months M−12..=M (None: no invoice dated by then).
    agings: Vec<(Month, Option<Aging>)>,
    params: aging::Params,
}

fn aging_params(as_of: NaiveDate) -> aging::Params {
    aging::Params {
        as_of: days_since_epoch(as_of),
        buckets: BUCKETS.to_vec(),
        basis: Basis::Due,
        period_days: PERIOD_DAYS,
    }
}

fn receivables(ledger: LedgerData, month: Month, notes: &mut Vec<String>) -> Result<Receivables> {
    let first_invoice = ledger.invoices.iter().map(|i| i.date).min();
    let mut agings = Vec::new();
    let mut loader_notes = true;
    for k in (0..=DSO_MONTHS).rev() {
        let m = month.shift(-k);
        let params = aging_params(m.end());
        if first_invoice.is_none_or(|f| f > params.as_of) {
            agings.push((m, None));
            continue;
        }
        let (a, n) = ledger.age(&params)?;
        if m == month {
            notes.extend(n);
            loader_notes = false;
        }
        agings.push((m, Some(a)));
    }
    if loader_notes {
        notes.extend(ledger.notes.iter().cloned());
    }
    Ok(Receivables {
        ledger,
        agings,
        params: aging_params(month.end()),
    })
}

impl Receivables {
    fn at(&self, m: Month) -> Option<&Aging> {
        self.agings
            .iter()
            .find(|(x, _)| *x == m)
            .and_then(|(_, a)| a.as_ref())
    }

    fn overdue(&self, m: Month) -> Option<i128> {
        self.at(m)
            .map(|a| a.overdue.iter().map(|&v| v as i128).sum())
    }
}

// ---------------------------------------------------------------------------------------------
// The run

pub fn run(args: &ReportArgs, cfg: &Config, progress: bool) -> Result<ReportOutput> {
    // Every option is checked before any data is read.
    let month = parse_period(&args.period, || chrono::Local::now().date_naive())?;
    let (format, target) = target(&args.output)?;
    if args.output.limit.is_some() {
        return Err(Error::Usage(
            "--limit: the report's lists have fixed lengths; leave --limit out".into(),
        ));
    }
    let lang = match args.output.lang {
        LangArg::En => Lang::En,
        LangArg::Zh => Lang::Zh,
    };
    let ship_inputs = source::resolve_inputs(&args.shipments)?;
    let inv_inputs = source::resolve_inputs(&args.invoices)?;
    let pay_inputs = source::resolve_inputs(&args.payments)?;
    let fin_inputs = source::resolve_inputs(&args.financials)?;
    if !pay_inputs.is_empty() && inv_inputs.is_empty() {
        return Err(Error::Usage(
            "--payments needs --invoices: payments are applied to invoices".into(),
        ));
    }
    let end = month.end();
    let tier_args = tier_args(args, end);
    let tier_plan = tier_cmd::plan(&tier_args, cfg)?;
    let rules = churn_cmd::rules(&churn_args(args), cfg)?;
    let ratio_params = if fin_inputs.is_empty() {
        None
    } else {
        Some(ratios_cmd::params(&ratios_args(args, end), cfg)?)
    };
    let opts = load_options(&args.input, cfg, Dataset::Shipments, progress)?;

    let req = Request {
        dataset: Dataset::Shipments,
        fields: SHIPMENT_FIELDS,
        extra_columns: &[],
        exact: &[],
    };
    let loaded = load::load(&ship_inputs, &req, &opts)?;
    let mut notes = loaded.notes.clone();
    let dates = loaded.df.column("ship_date")?.cast(&DataType::Int32)?;
    let dates = dates.i32()?;
    let (Some(first), Some(last)) = (dates.min(), dates.max()) else {
        return Err(Error::Input("no shipments in the input".into()));
    };
    let (first, last) = (date_from_days(first), date_from_days(last));
    if last < month.start() {
        return Err(Error::Input(format!(
            "the shipments end on {last}, before {} begins: is the export up to date? (--period YYYY-MM reports an earlier month)",
            month.label()
        )));
    }
    if first > end {
        return Err(Error::Input(format!(
            "the shipments begin on {first}, after {} ends",
            month.label()
        )));
    }
    if last < end {
        notes.push(format!(
            "the shipments end on {last}, before {} ends on {end}: the month may not be complete",
            month.label()
        ));
    }
    let currency = if loaded.has("currency") {
        let df = loaded
            .df
            .clone()
            .lazy()
            .select([col("currency").drop_nulls().unique()])
            .collect()?;
        let codes: Vec<String> = strings(&df, "currency")?.into_iter().flatten().collect();
        (codes.len() == 1).then(|| codes[0].clone())
    } else {
        None
    };
    let ctx = Ctx {
        loaded: &loaded,
        scale: loaded.money_scale,
        month,
        first,
        currency,
    };

    // Tiers now and at the end of the previous month.
    let params = tier_plan.params(
        &tier_args,
        ctx.scale,
        activity::Ids::new(ctx.loaded.repeated_ids),
    );
    let tiers = rfm::compute(Shipments::Rows(ctx.lf()), &params)?;
    let prev_end = month.shift(-1).end();
    let tiers_prev = if ctx.covers(prev_end) {
        let p = rfm::Params {
            as_of: Some(prev_end),
            ..params.clone()
        };
        Some(rfm::compute(Shipments::Rows(ctx.lf()), &p)?)
    } else {
        None
    };
    // Key customers.
    let pareto_params = pareto::Params {
        window: Window {
            from: None,
            to: None,
            as_of: Some(end),
        },
        keys: vec!["customer_id".into()],
        within: None,
        measure: pareto::Measure::Sum("revenue".into()),
        cutoffs: cutoffs(),
        with_names: true,
    };
    let items = pareto::compute(Shipments::Rows(ctx.lf()), &pareto_params)?;
    // Churn now, a month ago, and what the KPIs compare.
    let churn_now = churn_at(&ctx, &rules, end)?;
    let churn_prev = churn_at(&ctx, &rules, prev_end)?;
    // Monthly figures: 24 months, which include the previous month and the same month last year.
    let months: Vec<Month> = (0..SERIES_MONTHS).rev().map(|k| month.shift(-k)).collect();
    let stats = monthly_stats(&ctx, &months)?;
    // Receivables.
    let recv = if inv_inputs.is_empty() {
        None
    } else {
        let ledger =
            aging_cmd::load_ledger(&inv_inputs, &pay_inputs, &args.input, cfg, progress, TERMS)?;
        Some(receivables(ledger, month, &mut notes)?)
    };
    let financials = match &ratio_params {
        Some(p) => {
            let fopts = load_options(&args.input, cfg, Dataset::Financials, progress)?;
            let freq = Request {
                dataset: Dataset::Financials,
                fields: ratios_cmd::FIELDS,
                extra_columns: &[],
                exact: &[],
            };
            let f = load::load(&fin_inputs, &freq, &fopts)?;
            notes.extend(f.notes.iter().cloned());
            Some((f, p))
        }
        None => None,
    };

    let known = [
        (month, churn_now.as_ref()),
        (month.shift(-1), churn_prev.as_ref()),
    ];
    let kpis = kpi_section(&ctx, &rules, known, &months, &stats, recv.as_ref())?;
    let key = key_customers_section(&ctx, &items, &tiers);
    let tier_section = tiers_section(&ctx, &tiers, tiers_prev.as_ref(), &params, &tier_plan);
    let churn_section = churn_section(&ctx, &rules, churn_now.as_ref(), churn_prev.as_ref());
    let recv_section = receivables_section(&ctx, recv.as_ref(), &items, financials.as_ref())?;
    let service_section = service_section(&ctx, &stats)?;
    let series = monthly_section(&ctx, &months, &stats);
    let glossary = definitions_section(&params, &rules);

    let mut fields = vec![
        (
            labelled("period", ColKind::Text, "Period", "报告月份"),
            Cell::Str(month.label()),
        ),
        (
            labelled("period_start", ColKind::Date, "From", "起始日期"),
            Cell::Date(month.start()),
        ),
        (
            labelled("as_of", ColKind::Date, "As of", "截至日期"),
            Cell::Date(end),
        ),
        (
            labelled("previous_period", ColKind::Text, "Previous month", "上月"),
            Cell::Str(month.shift(-1).label()),
        ),
        (
            labelled(
                "last_year_period",
                ColKind::Text,
                "Same month last year",
                "去年同月",
            ),
            Cell::Str(month.shift(-12).label()),
        ),
        (
            labelled(
                "shipments_from",
                ColKind::Date,
                "Shipment data from",
                "发货数据起",
            ),
            Cell::Date(first),
        ),
        (
            labelled(
                "shipments_to",
                ColKind::Date,
                "Shipment data to",
                "发货数据止",
            ),
            Cell::Date(last),
        ),
        (
            labelled("currency", ColKind::Text, "Currency", "币种"),
            opt_str(&ctx.currency),
        ),
    ];
    for (key, en, zh, files) in [
        ("shipment_files", "Shipments", "发货文件", &args.shipments),
        ("invoice_files", "Invoices", "发票文件", &args.invoices),
        ("payment_files", "Payments", "收款文件", &args.payments),
        (
            "financial_files",
            "Financials",
            "财务报表文件",
            &args.financials,
        ),
    ] {
        let v = if files.is_empty() {
            Cell::Null
        } else {
            Cell::Str(files.join(", "))
        };
        fields.push((labelled(key, ColKind::Text, en, zh), v));
    }
    if args.stamp {
        fields.push((
            labelled("generated", ColKind::Text, "Generated", "生成时间"),
            Cell::Str(
                chrono::Local::now()
                    .format("%Y-%m-%d %H:%M:%S %:z")
                    .to_string(),
            ),
        ));
    }
    let version = env!("CARGO_PKG_VERSION");
    let document = Document {
        title: t(
            format!("Monthly customer report {}", month.label()),
            format!("客户月度报告 {}", month.label()),
        ),
        fields,
        sections: vec![
            kpis,
            key,
            tier_section,
            churn_section,
            recv_section,
            service_section,
            series,
            glossary,
        ],
        footer: t(
            format!("crm-cli {version} · every number is defined in docs/metrics.md"),
            format!("crm-cli {version} · 各项指标的定义见 docs/metrics.md"),
        ),
    };
    Ok(ReportOutput {
        notes,
        document,
        format,
        lang,
        target,
    })
}

// ---------------------------------------------------------------------------------------------
// 1. Headline KPIs

/// (key, English, Chinese, money?)
const KPIS: [(&str, &str, &str, bool); 8] = [
    ("revenue", "Revenue", "收入", true),
    ("margin", "Margin", "毛利", true),
    ("shipments", "Shipments", "发货票数", false),
    ("active_customers", "Active customers", "活跃客户", false),
    ("new_customers", "New customers", "新客户", false),
    (
        "reactivated_customers",
        "Reactivated customers",
        "回流客户",
        false,
    ),
    (
        "churned_customers",
        "Churned customers",
        "新流失客户",
        false,
    ),
    (
        "overdue_receivables",
        "Overdue receivables",
        "逾期应收",
        true,
    ),
];

/// `known`: statuses already computed (the period and the month before).
fn kpi_section(
    ctx: &Ctx,
    rules: &churn::Rules,
    known: [(Month, Option<&churn::Customers>); 2],
    months: &[Month],
    stats: &[Option<MonthStats>],
    recv: Option<&Receivables>,
) -> Result<Section> {
    let month = ctx.month;
    let compared = [month, month.shift(-1), month.shift(-12)];
    let stat = |m: Month| {
        months
            .iter()
            .position(|x| *x == m)
            .and_then(|k| stats.get(k))
            .and_then(Option::as_ref)
    };
    // Statuses at each month end needed: the month and the one before, for each compared month.
    let mut status_at: HashMap<Month, HashMap<String, &'static str>> =
        known.into_iter().map(|(m, c)| (m, statuses(c))).collect();
    for m in compared {
        for x in [m, m.shift(-1)] {
            if let std::collections::hash_map::Entry::Vacant(e) = status_at.entry(x) {
                e.insert(statuses(churn_at(ctx, rules, x.end())?.as_ref()));
            }
        }
    }
    let empty = HashMap::new();
    let mut values: Vec<[Option<i128>; 3]> = vec![[None; 3]; KPIS.len()];
    for (j, m) in compared.into_iter().enumerate() {
        let Some(s) = stat(m) else {
            continue;
        };
        let now = status_at.get(&m).unwrap_or(&empty);
        let before = status_at.get(&m.shift(-1)).unwrap_or(&empty);
        let churned = now
            .iter()
            .filter(|(id, s)| **s == "churned" && before.get(*id) != Some(&"churned"))
            .count();
        let reactivated = shipped_in(ctx, m)?
            .iter()
            .filter(|id| before.get(*id) == Some(&"churned"))
            .count();
        let row = [
            Some(s.revenue),
            s.margin,
            Some(s.shipments as i128),
            Some(s.active as i128),
            Some(s.new as i128),
            Some(reactivated as i128),
            Some(churned as i128),
            recv.and_then(|r| r.overdue(m)),
        ];
        for (k, v) in row.into_iter().enumerate() {
            values[k][j] = v;
        }
    }
    let recv_scale = recv.map_or(ctx.scale, |r| r.ledger.scale);
    let cell = |k: usize, v: Option<i128>| match (v, KPIS[k].3) {
        (None, _) => Cell::Null,
        (Some(v), true) if KPIS[k].0 == "overdue_receivables" => Cell::Money(money(v, recv_scale)),
        (Some(v), true) => ctx.money(v),
        (Some(v), false) => Cell::Int(v as i64),
    };
    let rows: Vec<Vec<Cell>> = (0..KPIS.len())
        .map(|k| {
            let [v, p, y] = values[k];
            vec![
                Cell::Str(KPIS[k].0.to_string()),
                cell(k, v),
                cell(k, p),
                change(v, p),
                cell(k, y),
                change(v, y),
            ]
        })
        .collect();
    let (m0, m1, m12) = (
        month.label(),
        month.shift(-1).label(),
        month.shift(-12).label(),
    );
    let columns = vec![
        labelled("kpi", ColKind::Label, "KPI", "指标"),
        labelled("value", ColKind::Money, &m0, &m0),
        labelled("previous", ColKind::Money, &m1, &m1),
        labelled(
            "change",
            ColKind::Share,
            &format!("vs {m1}"),
            &format!("较{m1}"),
        ),
        labelled("last_year", ColKind::Money, &m12, &m12),
        labelled(
            "change_yoy",
            ColKind::Share,
            &format!("vs {m12}"),
            &format!("较{m12}"),
        ),
    ];
    let mut part = Part::data(
        "kpis",
        Report::Rows(table("kpis", t("", ""), columns, rows)),
    );
    let mut notes = Vec::new();
    if !ctx.loaded.has("cost") {
        notes.push(t(
            "Margin is empty: the shipments have no cost column.",
            "毛利为空：发货数据没有成本列。",
        ));
    }
    if recv.is_none() {
        notes.push(t(
            "Overdue receivables are empty: no --invoices given.",
            "逾期应收为空：未提供 --invoices。",
        ));
    }
    if !ctx.covers(month.shift(-12).end()) {
        notes.push(t(
            format!(
                "The shipments begin on {}: {m12} has no figures.",
                ctx.first
            ),
            format!("发货数据始于 {}：{m12} 无数据。", ctx.first),
        ));
    }
    part.lead = notes;
    if let Some(d) = part.data_mut() {
        d.cards = true;
        d.labels = KPIS
            .iter()
            .map(|(k, en, zh, _)| (k.to_string(), t(*en, *zh)))
            .collect();
    }
    Ok(Section {
        id: "kpis".into(),
        title: t("Headline KPIs", "核心指标"),
        parts: vec![part],
    })
}

// ---------------------------------------------------------------------------------------------
// 2. Key customers

fn key_customers_section(ctx: &Ctx, items: &pareto::Items, tiers: &rfm::Customers) -> Section {
    let cutoffs = cutoffs();
    let report = pareto_cmd::customer_summary(items, ctx.scale, cutoffs);
    let groups = pareto::summarize(items, &cutoffs);
    let mut part = Part::data("pareto", report);
    let n = items.len();
    // The curve: share of customers (ranked by revenue) against their cumulative revenue share.
    let step = n.div_ceil(CURVE_POINTS).max(1);
    let mut points = vec![(0.0, 0.0)];
    for i in (0..n).filter(|i| (i + 1) % step == 0 || i + 1 == n) {
        points.push((items.item_share[i], items.cum_share[i]));
    }
    let headline = groups.first().and_then(|g| g.headline_items);
    let marker = headline.and_then(|h| {
        let i = h.checked_sub(1)?;
        Some((
            items.item_share[i],
            items.cum_share[i],
            t(
                format!("{h} customers ({}%)", pct1(h, n)),
                format!("{h} 个客户（{}%）", pct1(h, n)),
            ),
        ))
    });
    if let Some(h) = headline {
        part.lead.push(t(
            format!(
                "{h} of {n} customers ({}%) make 80% of revenue (all shipments up to {}).",
                pct1(h, n),
                ctx.end()
            ),
            format!(
                "{n} 个客户中的 {h} 个（{}%）贡献了 80% 的收入（截至 {} 的全部发货）。",
                pct1(h, n),
                ctx.end()
            ),
        ));
    }
    if let Some(d) = part.data_mut() {
        d.hide = vec!["headline".into(), "lorenz".into()];
        d.charts.push(Chart::Curve(CurveChart {
            title: t(
                "Pareto curve: cumulative share of revenue",
                "帕累托曲线：收入累计占比",
            ),
            x_title: t(
                "Customers ranked by revenue, cumulative (% of customers)",
                "按收入排序的客户累计占比（%）",
            ),
            y_title: t("Share of revenue (%)", "收入占比（%）"),
            points,
            reference_y: Some(0.8),
            marker,
            diagonal: true,
        }));
    }

    // Top customers with their class and tier.
    let tier_of: HashMap<&str, (&str, &str)> = (0..tiers.len())
        .map(|i| {
            (
                tiers.customer_id[i].as_str(),
                (tiers.tier[i], tiers.segment[i].as_str()),
            )
        })
        .collect();
    let mut columns = vec![
        column("rank", ColKind::Int, "排名"),
        column("customer_id", ColKind::Text, "客户编号"),
    ];
    if items.names.is_some() {
        columns.push(column("customer_name", ColKind::Text, "客户名称"));
    }
    columns.extend([
        column("revenue", ColKind::Money, "收入"),
        column("share", ColKind::Share, "占比"),
        column("cum_share", ColKind::Share, "累计占比"),
        column("class", ColKind::Label, "ABC分类"),
        column("tier", ColKind::Label, "客户等级"),
        column("segment", ColKind::Label, "客户分群"),
    ]);
    let rows = (0..n.min(TOP))
        .map(|i| {
            let id = items.keys.first().and_then(|k| k[i].clone());
            let (tier, segment) = id
                .as_deref()
                .and_then(|id| tier_of.get(id))
                .map_or((Cell::Null, Cell::Null), |(t, s)| {
                    (Cell::Str(t.to_string()), Cell::Str(s.to_string()))
                });
            let mut row = vec![Cell::Int(items.rank[i] as i64), opt_str(&id)];
            if let Some(names) = &items.names {
                row.push(opt_str(&names[i]));
            }
            row.extend([
                ctx.money(items.value[i]),
                Cell::Float(items.share[i]),
                Cell::Float(items.cum_share[i]),
                Cell::Str(items.class[i].to_string()),
                tier,
                segment,
            ]);
            row
        })
        .collect();
    let top = Part::data(
        "top_customers",
        Report::Rows(table(
            "top_customers",
            t(
                format!("Top {TOP} customers by revenue up to {}", ctx.end()),
                format!("截至 {} 收入前 {TOP} 名客户", ctx.end()),
            ),
            columns,
            rows,
        )),
    );
    Section {
        id: "key-customers".into(),
        title: t("Key customers", "重点客户"),
        parts: vec![part, top],
    }
}

// ---------------------------------------------------------------------------------------------
// 3. Value tiers

fn tiers_section(
    ctx: &Ctx,
    tiers: &rfm::Customers,
    prev: Option<&rfm::Customers>,
    params: &rfm::Params,
    plan: &tier_cmd::Plan,
) -> Section {
    let report = tier_cmd::summary_report(tiers, params, &plan.bin_texts);
    let tier_part = Part::data("tier", report);
    let title = t("Tier migration", "等级迁移");
    let prev_end = ctx.month.shift(-1).end();
    let Some(prev) = prev else {
        return Section {
            id: "tiers".into(),
            title: t("Value tiers", "客户价值分层"),
            parts: vec![
                tier_part,
                Part::missing(
                    "tier_migration",
                    title,
                    t(
                        format!("no shipments on or before {prev_end}: nothing to compare"),
                        format!("{prev_end} 及之前没有发货：无从比较"),
                    ),
                ),
            ],
        };
    };
    let labels = params.tiering.labels();
    let rank = |tier: &str| labels.iter().position(|l| *l == tier);
    let before: HashMap<&str, usize> = (0..prev.len())
        .map(|i| (prev.customer_id[i].as_str(), i))
        .collect();
    // matrix[from][to]; from = labels.len() for customers without a tier before.
    let mut matrix = vec![vec![0i64; labels.len()]; labels.len() + 1];
    let (mut up, mut down, mut same, mut new) = (0i64, 0i64, 0i64, 0i64);
    let mut dropped: Vec<(usize, usize)> = Vec::new();
    // Every change of tier: (now, before, moved up).
    let mut moved: Vec<(usize, usize, bool)> = Vec::new();
    for i in 0..tiers.len() {
        let Some(to) = rank(tiers.tier[i]) else {
            continue;
        };
        let from_i = before.get(tiers.customer_id[i].as_str()).copied();
        let from = from_i.and_then(|j| rank(prev.tier[j]));
        match from {
            None => {
                new += 1;
                matrix[labels.len()][to] += 1;
            }
            Some(f) => {
                matrix[f][to] += 1;
                let Some(j) = from_i else {
                    continue;
                };
                match to.cmp(&f) {
                    std::cmp::Ordering::Less => {
                        up += 1;
                        moved.push((i, j, true));
                    }
                    std::cmp::Ordering::Greater => {
                        down += 1;
                        moved.push((i, j, false));
                        // Out of the top two tiers (VIP, Key), or down from VIP to Key.
                        if f < 2 {
                            dropped.push((i, j));
                        }
                    }
                    std::cmp::Ordering::Equal => same += 1,
                }
            }
        }
    }
    let key_of = |l: &str| l.to_ascii_lowercase();
    let mut columns = vec![labelled(
        "from",
        ColKind::Label,
        &format!("Tier at {prev_end}"),
        &format!("{prev_end} 等级"),
    )];
    for l in labels {
        let zh = crate::render::zh_label(l).unwrap_or(l);
        columns.push(labelled(&key_of(l), ColKind::Int, l, zh));
    }
    columns.push(column("customers", ColKind::Int, "客户数"));
    let rows: Vec<Vec<Cell>> = matrix
        .iter()
        .enumerate()
        .map(|(f, counts)| {
            let mut row = vec![Cell::Str(
                labels.get(f).copied().unwrap_or("new").to_string(),
            )];
            row.extend(counts.iter().map(|&c| Cell::Int(c)));
            row.push(Cell::Int(counts.iter().sum()));
            row
        })
        .collect();
    let mut totals = vec![Cell::Null];
    for k in 0..labels.len() {
        totals.push(Cell::Int(matrix.iter().map(|r| r[k]).sum()));
    }
    totals.push(Cell::Int(tiers.len() as i64));
    let mut matrix_table = table(
        "matrix",
        t(
            format!(
                "From the tier at {prev_end} (rows) to the tier at {} (columns)",
                ctx.end()
            ),
            format!("从 {prev_end} 的等级（行）到 {} 的等级（列）", ctx.end()),
        ),
        columns,
        rows,
    );
    matrix_table.totals = Some(totals);

    // Biggest first (by monetary at the previous month end), then id.
    let by_value = |&(a, ja): &(usize, usize), &(b, jb): &(usize, usize)| {
        prev.monetary[jb]
            .cmp(&prev.monetary[ja])
            .then(tiers.customer_id[a].cmp(&tiers.customer_id[b]))
    };
    dropped.sort_by(by_value);
    // Down first, then up; each biggest first.
    moved.sort_by(|a, b| a.2.cmp(&b.2).then(by_value(&(a.0, a.1), &(b.0, b.1))));
    let customer_rows = |list: &mut dyn Iterator<Item = (usize, usize, Option<bool>)>| {
        let mut columns = vec![column("customer_id", ColKind::Text, "客户编号")];
        if tiers.customer_name.is_some() {
            columns.push(column("customer_name", ColKind::Text, "客户名称"));
        }
        let mut rows = Vec::new();
        let mut with_move = false;
        for (i, j, dir) in list {
            let mut row = vec![Cell::Str(tiers.customer_id[i].clone())];
            if let Some(names) = &tiers.customer_name {
                row.push(opt_str(&names[i]));
            }
            if let Some(up) = dir {
                with_move = true;
                row.push(Cell::Str(if up { "up" } else { "down" }.into()));
            }
            row.extend([
                Cell::Str(prev.tier[j].to_string()),
                Cell::Str(tiers.tier[i].to_string()),
                ctx.money(prev.monetary[j] as i128),
                ctx.money(tiers.monetary[i] as i128),
                Cell::Date(tiers.last_date[i]),
            ]);
            rows.push(row);
        }
        if with_move {
            columns.push(column("move", ColKind::Label, "变动"));
        }
        columns.extend([
            column("tier_before", ColKind::Label, "上月末等级"),
            column("tier", ColKind::Label, "本月末等级"),
            column("monetary_before", ColKind::Money, "上月末金额"),
            column("monetary", ColKind::Money, "本月末金额"),
            column("last_date", ColKind::Date, "最近发货"),
        ]);
        (columns, rows)
    };
    let (moved_columns, moved_rows) =
        customer_rows(&mut moved.iter().map(|&(i, j, up)| (i, j, Some(up))));
    let moved_table = table(
        "moved",
        t("Customers who changed tier", "等级变动的客户"),
        moved_columns,
        moved_rows,
    );
    let (columns, rows) = customer_rows(&mut dropped.iter().map(|&(i, j)| (i, j, None)));
    let top2 = labels
        .iter()
        .take(2)
        .copied()
        .collect::<Vec<_>>()
        .join(" or ");
    let dropped_table = table(
        "dropped",
        t(
            format!("Moved down from {top2}"),
            format!("从{}降级的客户", {
                let zh: Vec<&str> = labels
                    .iter()
                    .take(2)
                    .map(|l| crate::render::zh_label(l).unwrap_or(l))
                    .collect();
                zh.join("或")
            }),
        ),
        columns,
        rows,
    );
    let fields = vec![
        (
            column("from_as_of", ColKind::Date, "起始日期"),
            Cell::Date(prev_end),
        ),
        (
            column("to_as_of", ColKind::Date, "截至日期"),
            Cell::Date(ctx.end()),
        ),
        (
            column("customers", ColKind::Int, "客户数"),
            Cell::Int(tiers.len() as i64),
        ),
        (column("moved_up", ColKind::Int, "升级"), Cell::Int(up)),
        (column("moved_down", ColKind::Int, "降级"), Cell::Int(down)),
        (column("unchanged", ColKind::Int, "不变"), Cell::Int(same)),
        (column("new", ColKind::Int, "新客户"), Cell::Int(new)),
        (
            column("dropped_from_top", ColKind::Int, "跌出前两级或降级"),
            Cell::Int(dropped.len() as i64),
        ),
    ];
    let mut migration = Part::data(
        "tier_migration",
        summary(fields, vec![matrix_table, moved_table, dropped_table]),
    )
    .with_title(title)
    .with_lead(t(
        format!(
            "From {prev_end} to {}: {} moved up a tier, {down} moved down ({} from {top2}), {new} new.",
            ctx.end(),
            customers(up),
            match dropped.len() {
                0 => "none".to_string(),
                n => format!("{n} of them"),
            }
        ),
        format!(
            "从 {prev_end} 到 {}：{up} 个客户升级，{down} 个降级（其中 {} 个来自前两级），{new} 个新客户。",
            ctx.end(),
            dropped.len()
        ),
    ));
    if let Some(d) = migration.data_mut() {
        d.labels = vec![
            ("up".into(), t("up", "升级")),
            ("down".into(), t("down", "降级")),
        ];
    }
    Section {
        id: "tiers".into(),
        title: t("Value tiers", "客户价值分层"),
        parts: vec![tier_part, migration],
    }
}

// ---------------------------------------------------------------------------------------------
// 4. Churn watch

fn churn_section(
    ctx: &Ctx,
    rules: &churn::Rules,
    now: Option<&churn::Customers>,
    prev: Option<&churn::Customers>,
) -> Section {
    let title = t("Churn watch", "流失预警");
    let Some(c) = now else {
        return Section {
            id: "churn".into(),
            title: title.clone(),
            parts: vec![Part::missing(
                "churn",
                title,
                t("no shipments by the end of the month", "月末前没有发货"),
            )],
        };
    };
    let var = churn_cmd::value_at_risk(c, None);
    let status_part = Part::data(
        "churn",
        churn_cmd::summary_report(c, &var, ctx.scale, rules),
    );
    let before = statuses(prev);
    let watch: Vec<usize> = {
        let var_f: Vec<f64> = var.iter().map(|&v| v as f64).collect();
        churn::order_by_risk(&var_f, &c.customer_id)
            .into_iter()
            .filter(|&i| {
                matches!(c.status[i], "at_risk" | "churned")
                    && before.get(&c.customer_id[i]) != Some(&c.status[i])
            })
            .collect()
    };
    let name_col = c.customer_name.is_some();
    let name = |i: usize| {
        c.customer_name
            .as_ref()
            .map_or(Cell::Null, |n| opt_str(&n[i]))
    };
    let mut columns = vec![column("customer_id", ColKind::Text, "客户编号")];
    if name_col {
        columns.push(column("customer_name", ColKind::Text, "客户名称"));
    }
    columns.extend([
        column("status", ColKind::Label, "状态"),
        column("status_before", ColKind::Label, "上月末状态"),
        column("last_date", ColKind::Date, "最近发货"),
        column("days_since_last", ColKind::Int, "距上次天数"),
        column("typical_gap_days", ColKind::Float, "典型间隔天数"),
        column("revenue_365", ColKind::Money, "近365天收入"),
        column("value_at_risk", ColKind::Money, "风险金额"),
    ]);
    let rows = watch
        .iter()
        .map(|&i| {
            let mut row = vec![Cell::Str(c.customer_id[i].clone())];
            if name_col {
                row.push(name(i));
            }
            row.extend([
                Cell::Str(c.status[i].to_string()),
                before
                    .get(&c.customer_id[i])
                    .map_or(Cell::Null, |s| Cell::Str(s.to_string())),
                Cell::Date(c.last_date[i]),
                Cell::Int(c.days_since_last[i]),
                c.typical_gap_days[i].map_or(Cell::Null, Cell::Float),
                ctx.money(c.revenue_365[i] as i128),
                ctx.money(var[i] as i128),
            ]);
            row
        })
        .collect();
    let label = ctx.month.label();
    let watch_table = table(
        "watch",
        t(
            format!("Became at risk or churned in {label}, by value at risk"),
            format!("{label} 新增流失风险或流失的客户（按风险金额）"),
        ),
        columns,
        rows,
    );
    let mut declining: Vec<usize> = (0..c.len()).filter(|&i| c.declining[i]).collect();
    declining.sort_by(|&a, &b| {
        let lost = |i: usize| c.revenue_prior[i] as i128 - c.revenue_recent[i] as i128;
        lost(b)
            .cmp(&lost(a))
            .then(c.customer_id[a].cmp(&c.customer_id[b]))
    });
    let mut columns = vec![column("customer_id", ColKind::Text, "客户编号")];
    if name_col {
        columns.push(column("customer_name", ColKind::Text, "客户名称"));
    }
    columns.extend([
        column("status", ColKind::Label, "状态"),
        column("revenue_prior", ColKind::Money, "前期收入"),
        column("revenue_recent", ColKind::Money, "近期收入"),
        column("change", ColKind::Share, "变化"),
    ]);
    let rows = declining
        .iter()
        .map(|&i| {
            let mut row = vec![Cell::Str(c.customer_id[i].clone())];
            if name_col {
                row.push(name(i));
            }
            row.extend([
                Cell::Str(c.status[i].to_string()),
                ctx.money(c.revenue_prior[i] as i128),
                ctx.money(c.revenue_recent[i] as i128),
                c.change[i].map_or(Cell::Null, Cell::Float),
            ]);
            row
        })
        .collect();
    let w = rules.window_days;
    let drop = rules.drop_pct.normalize();
    let declining_table = table(
        "declining",
        t(
            format!(
                "Declining: revenue of the last {w} days at least {drop}% below the {w} days before"
            ),
            format!("收入下滑：近 {w} 天收入比之前 {w} 天下降至少 {drop}%"),
        ),
        columns,
        rows,
    );
    let count = |s: &str| watch.iter().filter(|&&i| c.status[i] == s).count() as i64;
    let at_stake: i128 = watch.iter().map(|&i| var[i] as i128).sum();
    let fields = vec![
        (
            column("as_of", ColKind::Date, "截至日期"),
            Cell::Date(ctx.end()),
        ),
        (
            column("previous_as_of", ColKind::Date, "上月末"),
            Cell::Date(ctx.month.shift(-1).end()),
        ),
        (
            column("became_at_risk", ColKind::Int, "新增风险客户"),
            Cell::Int(count("at_risk")),
        ),
        (
            column("became_churned", ColKind::Int, "新增流失客户"),
            Cell::Int(count("churned")),
        ),
        (
            column("value_at_risk", ColKind::Money, "风险金额"),
            ctx.money(at_stake),
        ),
        (
            column("declining", ColKind::Int, "收入下滑客户数"),
            Cell::Int(declining.len() as i64),
        ),
    ];
    let stake = human(&ctx.money(at_stake), ColKind::Money);
    let watch_part = Part::data(
        "churn_watch",
        summary(fields, vec![watch_table, declining_table]),
    )
    .with_title(t("Changes this month", "本月变化"))
    .with_row_limit(TOP)
    .with_lead(t(
        format!(
            "In {label}, {} became at risk and {} churned; their trailing 365-day revenue (value at risk) is {stake}. {} {} declining.",
            customers(count("at_risk")),
            count("churned"),
            customers(declining.len() as i64),
            if declining.len() == 1 { "is" } else { "are" }
        ),
        format!(
            "{label}：{} 个客户新增流失风险，{} 个流失；其近 365 天收入（风险金额）为 {stake}。{} 个客户收入下滑。",
            count("at_risk"),
            count("churned"),
            declining.len()
        ),
    ));
    Section {
        id: "churn".into(),
        title,
        parts: vec![status_part, watch_part],
    }
}

// ---------------------------------------------------------------------------------------------
// 5. Receivables and customers' finances

fn receivables_section(
    ctx: &Ctx,
    recv: Option<&Receivables>,
    items: &pareto::Items,
    financials: Option<&(Loaded, &ratios_analytics::Params)>,
) -> Result<Section> {
    let aging_title = t("Receivables aging", "应收账款账龄");
    let dso_title = t("DSO and overdue, last 12 months", "近12个月 DSO 与逾期");
    let mut parts = Vec::new();
    match recv.and_then(|r| r.at(ctx.month).map(|a| (r, a))) {
        None => {
            let reason = if recv.is_none() {
                t("no --invoices given", "未提供 --invoices")
            } else {
                t(
                    format!("no invoices dated on or before {}", ctx.end()),
                    format!("{} 及之前没有发票", ctx.end()),
                )
            };
            parts.push(Part::missing("aging", aging_title, reason.clone()));
            parts.push(Part::missing("dso_trend", dso_title, reason));
        }
        Some((r, a)) => {
            let a_class: HashSet<String> = (0..items.len())
                .filter(|&i| items.class[i] == "A")
                .filter_map(|i| items.keys.first().and_then(|k| k[i].clone()))
                .collect();
            let report = aging_cmd::summary_report(a, &r.ledger, &r.params, Some(&a_class));
            let scale = r.ledger.scale;
            let sum = |v: &[i64]| v.iter().map(|&x| x as i128).sum::<i128>();
            let outstanding = sum(&a.outstanding);
            let overdue = sum(&a.overdue);
            let (_, dso) = aging::turnover(
                a.invoiced_period.iter().sum(),
                a.opening_balance.iter().sum(),
                a.outstanding.iter().sum(),
                PERIOD_DAYS,
            );
            let m = |v: i128| human(&Cell::Money(money(v, scale)), ColKind::Money);
            let share = if outstanding > 0 {
                format!(
                    " ({})",
                    human(
                        &Cell::Float(overdue as f64 / outstanding as f64),
                        ColKind::Share
                    )
                )
            } else {
                String::new()
            };
            let dso_text = dso.map_or("–".to_string(), |d| format!("{d:.1}"));
            let labels = aging::bucket_labels(&BUCKETS);
            let bucket_names: Vec<String> = labels
                .iter()
                .map(|l| match l.as_str() {
                    "current" => "current".to_string(),
                    l => l.replace('_', "-").replace("over-", "over "),
                })
                .collect();
            let chart = Chart::Category(CategoryChart {
                title: t(
                    format!("Receivables by days past due at {}", ctx.end()),
                    format!("{} 应收账款账龄分布", ctx.end()),
                ),
                x_title: t("Days past due", "逾期天数"),
                categories: bucket_names,
                left: Axis {
                    title: ctx.money_title("Amount", "金额"),
                    unit: Unit::Number,
                },
                right: None,
                series: vec![Series {
                    name: t("Outstanding", "应收余额"),
                    values: a
                        .buckets
                        .iter()
                        .map(|b| Some(sum(b) as f64 / 10f64.powi(scale as i32)))
                        .collect(),
                    mark: Mark::Bar,
                    right: false,
                }],
                bar_values: true,
            });
            let mut part = Part::data("aging", report)
                .with_title(aging_title)
                .with_lead(t(
                    format!(
                        "Outstanding {} at {}, of which {} overdue{share}; DSO {dso_text} days.",
                        m(outstanding),
                        ctx.end(),
                        m(overdue)
                    ),
                    format!(
                        "截至 {}，应收余额 {}，其中逾期 {}{share}；DSO {dso_text} 天。",
                        ctx.end(),
                        m(outstanding),
                        m(overdue)
                    ),
                ));
            if let Some(d) = part.data_mut() {
                d.charts.push(chart);
            }
            parts.push(part);
            parts.push(dso_part(ctx, r, dso_title));
        }
    }
    let ratios_title = t("Customers' financial health", "客户财务健康");
    parts.push(match financials {
        None => Part::missing(
            "ratios",
            ratios_title,
            t("no --financials given", "未提供 --financials"),
        ),
        Some((f, params)) => {
            let ends = f.df.column("period_end")?.cast(&DataType::Int32)?;
            let first = ends.i32()?.min().map(date_from_days);
            if first.is_none_or(|d| d > ctx.end()) {
                Part::missing(
                    "ratios",
                    ratios_title,
                    t(
                        format!("no statements end on or before {}", ctx.end()),
                        format!("没有截至 {} 或更早的财务报表", ctx.end()),
                    ),
                )
            } else {
                Part::data("ratios", ratios_cmd::summary_report(f, params)?)
                    .with_title(ratios_title)
                    .with_row_limit(TOP)
                    .with_lead(t(
                        format!(
                            "Each customer's latest statement ending on or before {}.",
                            ctx.end()
                        ),
                        format!("各客户截至 {} 的最近一期财务报表。", ctx.end()),
                    ))
            }
        }
    });
    Ok(Section {
        id: "receivables".into(),
        title: t("Receivables and credit risk", "应收账款与信用风险"),
        parts,
    })
}

fn dso_part(ctx: &Ctx, r: &Receivables, title: Text) -> Part {
    let scale = r.ledger.scale;
    let months: Vec<Month> = (0..DSO_MONTHS).rev().map(|k| ctx.month.shift(-k)).collect();
    let mut rows = Vec::new();
    let (mut overdue_v, mut dso_v) = (Vec::new(), Vec::new());
    for m in &months {
        let Some(a) = r.at(*m) else {
            rows.push(vec![
                Cell::Str(m.label()),
                Cell::Date(m.end()),
                Cell::Null,
                Cell::Null,
                Cell::Null,
                Cell::Null,
                Cell::Null,
            ]);
            overdue_v.push(None);
            dso_v.push(None);
            continue;
        };
        let sum = |v: &[i64]| v.iter().map(|&x| x as i128).sum::<i128>();
        let outstanding = sum(&a.outstanding);
        let overdue = sum(&a.overdue);
        let (_, dso) = aging::turnover(
            a.invoiced_period.iter().sum(),
            a.opening_balance.iter().sum(),
            a.outstanding.iter().sum(),
            PERIOD_DAYS,
        );
        rows.push(vec![
            Cell::Str(m.label()),
            Cell::Date(m.end()),
            Cell::Money(money(outstanding, scale)),
            Cell::Money(money(overdue, scale)),
            if outstanding > 0 {
                Cell::Float(overdue as f64 / outstanding as f64)
            } else {
                Cell::Null
            },
            Cell::Money(money(sum(&a.invoiced_period), scale)),
            dso.map_or(Cell::Null, Cell::Float),
        ]);
        overdue_v.push(Some(overdue as f64 / 10f64.powi(scale as i32)));
        dso_v.push(dso);
    }
    let columns = vec![
        column("month", ColKind::Text, "月份"),
        column("as_of", ColKind::Date, "截至日期"),
        column("outstanding", ColKind::Money, "应收余额"),
        column("overdue", ColKind::Money, "逾期金额"),
        column("overdue_share", ColKind::Share, "逾期占比"),
        column("invoiced_period", ColKind::Money, "近365天开票"),
        column("dso", ColKind::Float, "DSO"),
    ];
    let chart = Chart::Category(CategoryChart {
        title: t(
            "Overdue receivables and DSO at each month end",
            "各月末逾期应收与 DSO",
        ),
        x_title: t("Month", "月份"),
        categories: months.iter().map(|m| m.label()).collect(),
        left: Axis {
            title: ctx.money_title("Overdue", "逾期金额"),
            unit: Unit::Number,
        },
        right: Some(Axis {
            title: t("DSO (days)", "DSO（天）"),
            unit: Unit::Number,
        }),
        series: vec![
            Series {
                name: t("Overdue", "逾期金额"),
                values: overdue_v,
                mark: Mark::Bar,
                right: false,
            },
            Series {
                name: t("DSO (days)", "DSO（天）"),
                values: dso_v,
                mark: Mark::Line,
                right: true,
            },
        ],
        bar_values: false,
    });
    let mut part = Part::data(
        "dso_trend",
        Report::Rows(table("dso_trend", t("", ""), columns, rows)),
    )
    .with_title(title);
    if let Some(d) = part.data_mut() {
        d.charts.push(chart);
    }
    part
}

// ---------------------------------------------------------------------------------------------
// 6. Service

fn service_section(ctx: &Ctx, stats: &[Option<MonthStats>]) -> Result<Section> {
    let loaded = ctx.loaded;
    let title = t("Service quality by lane", "各航线服务质量");
    let section = |parts| Section {
        id: "service".into(),
        title: t("Service", "服务质量"),
        parts,
    };
    let missing = |reason: Text| {
        Ok(section(vec![
            Part::missing("service", title.clone(), reason.clone()),
            Part::missing("service_lanes", t("Lanes", "航线"), reason),
        ]))
    };
    let absent: Vec<&str> = ["promised_date", "delivered_date"]
        .into_iter()
        .filter(|f| !loaded.has(f))
        .collect();
    if !absent.is_empty() {
        let list = absent.join(" and ");
        return missing(t(
            format!("the shipments have no {list} column"),
            format!("发货数据没有 {list} 列"),
        ));
    }
    let start = ctx.month.shift(1 - SERVICE_MONTHS).start();
    let span = format!("{start} to {}", ctx.end());
    let span_zh = format!("{start} 至 {}", ctx.end());
    let shipped: i64 = stats
        .iter()
        .rev()
        .take(SERVICE_MONTHS as usize)
        .flatten()
        .map(|s| s.shipments)
        .sum();
    if shipped == 0 {
        return missing(t(
            format!("no shipments from {span}"),
            format!("{span_zh} 没有发货"),
        ));
    }
    let key = if loaded.has("lane") {
        "lane"
    } else {
        "customer_id"
    };
    let with_names = key == "customer_id" && loaded.has("customer_name");
    let has_status = loaded.has("status");
    let window = Window {
        from: Some(start),
        to: None,
        as_of: Some(ctx.end()),
    };
    let s = service::compute(ctx.lf(), &window, key, with_names, has_status)?;
    let (report, groups) = service_cmd::reports(&s, key, has_status);
    let lead = t(
        format!(
            "Shipments shipped from {span} (the {SERVICE_MONTHS} months to the end of the period), as of {}: a shipment not delivered by then is open, not late.",
            ctx.end()
        ),
        format!(
            "{span_zh}（截至报告月末的 {SERVICE_MONTHS} 个月）发出的货物，截至 {}：届时未交付的计为未交付，而非延误。",
            ctx.end()
        ),
    );
    let part = Part::data("service", report)
        .with_title(title)
        .with_lead(lead);
    let chart = Chart::Category(CategoryChart {
        title: t(
            format!("On-time rate, {span}"),
            format!("准时率（{span_zh}）"),
        ),
        x_title: if key == "lane" {
            t("Lane", "航线")
        } else {
            t("Customer", "客户")
        },
        categories: s
            .keys
            .iter()
            .map(|k| k.clone().unwrap_or_default())
            .collect(),
        left: Axis {
            title: t("On-time rate (%)", "准时率（%）"),
            unit: Unit::Percent,
        },
        right: None,
        series: vec![Series {
            name: t("On-time rate", "准时率"),
            values: (0..s.len())
                .map(|i| rate(s.on_time[i], s.with_promise[i]))
                .collect(),
            mark: Mark::Bar,
            right: false,
        }],
        bar_values: true,
    });
    let mut lanes = Part::data("service_lanes", Report::Rows(groups));
    if let Some(d) = lanes.data_mut() {
        d.charts.push(chart);
    }
    Ok(section(vec![part, lanes]))
}

// ---------------------------------------------------------------------------------------------
// 7. The last 24 months

fn monthly_section(ctx: &Ctx, months: &[Month], stats: &[Option<MonthStats>]) -> Section {
    let has_margin = ctx.loaded.has("cost");
    let mut columns = vec![
        column("month", ColKind::Text, "月份"),
        column("revenue", ColKind::Money, "收入"),
    ];
    if has_margin {
        columns.push(column("margin", ColKind::Money, "毛利"));
    }
    columns.extend([
        column("shipments", ColKind::Int, "发货票数"),
        column("active_customers", ColKind::Int, "活跃客户"),
        column("new_customers", ColKind::Int, "新客户"),
    ]);
    let rows = months
        .iter()
        .zip(stats)
        .map(|(m, s)| {
            let mut row = vec![Cell::Str(m.label())];
            match s {
                None => row.extend(std::iter::repeat_n(Cell::Null, columns.len() - 1)),
                Some(s) => {
                    row.push(ctx.money(s.revenue));
                    if has_margin {
                        row.push(s.margin.map_or(Cell::Null, |v| ctx.money(v)));
                    }
                    row.extend([
                        Cell::Int(s.shipments),
                        Cell::Int(s.active),
                        Cell::Int(s.new),
                    ]);
                }
            }
            row
        })
        .collect();
    let unit = 10f64.powi(ctx.scale as i32);
    let chart = Chart::Category(CategoryChart {
        title: t("Monthly revenue and active customers", "月度收入与活跃客户"),
        x_title: t("Month", "月份"),
        categories: months.iter().map(|m| m.label()).collect(),
        left: Axis {
            title: ctx.money_title("Revenue", "收入"),
            unit: Unit::Number,
        },
        right: Some(Axis {
            title: t("Active customers", "活跃客户数"),
            unit: Unit::Number,
        }),
        series: vec![
            Series {
                name: t("Revenue", "收入"),
                values: stats
                    .iter()
                    .map(|s| s.as_ref().map(|s| s.revenue as f64 / unit))
                    .collect(),
                mark: Mark::Bar,
                right: false,
            },
            Series {
                name: t("Active customers", "活跃客户数"),
                values: stats
                    .iter()
                    .map(|s| s.as_ref().map(|s| s.active as f64))
                    .collect(),
                mark: Mark::Line,
                right: true,
            },
        ],
        bar_values: false,
    });
    let mut part = Part::data(
        "monthly",
        Report::Rows(table("monthly", t("", ""), columns, rows)),
    );
    if let Some(d) = part.data_mut() {
        d.charts.push(chart);
    }
    Section {
        id: "monthly".into(),
        title: t(
            "Revenue and active customers, last 24 months",
            "近24个月收入与活跃客户",
        ),
        parts: vec![part],
    }
}

// ---------------------------------------------------------------------------------------------
// 8. Definitions

fn definitions_section(params: &rfm::Params, rules: &churn::Rules) -> Section {
    let pyramid = match &params.tiering {
        rfm::Tiering::Pyramid { cum_pct } => {
            let p: Vec<String> = cum_pct.iter().map(|p| p.normalize().to_string()).collect();
            (
                format!(
                    "VIP = the top {}% of customers by revenue, Key up to {}%, General up to {}%, Small the rest",
                    p[0], p[1], p[2]
                ),
                format!(
                    "按收入排名：前 {}% 的客户为 VIP客户，至 {}% 为重点客户，至 {}% 为一般客户，其余为小客户",
                    p[0], p[1], p[2]
                ),
            )
        }
        rfm::Tiering::Spend { .. } => (
            "by annualised spend against the thresholds".to_string(),
            "按年化金额与阈值比较".to_string(),
        ),
    };
    let (risk, churn_r, idle, w) = (
        rules.risk_ratio,
        rules.churn_ratio,
        rules.max_idle,
        rules.window_days,
    );
    let drop = rules.drop_pct.normalize();
    let report_ref = "docs/metrics.md#crm-cli-report";
    let entries: Vec<(&str, &str, &str, String, String, &str)> = vec![
        ("revenue", "Revenue", "收入",
         "Sum of the revenue of the rows shipped in the month, credit notes (negative revenue) netted; exact.".into(),
         "当月发货行的收入合计，贷项（负收入）冲减；精确计算。".into(), report_ref),
        ("margin", "Margin", "毛利",
         "Revenue − cost of the month's rows (an empty cost counts as 0); empty without a cost column.".into(),
         "当月各行收入减成本（成本为空按 0 计）；没有成本列时为空。".into(), report_ref),
        ("shipments", "Shipments", "发货票数",
         "Distinct shipment ids among the month's rows with revenue ≥ 0 (credit notes are not shipments).".into(),
         "当月收入 ≥ 0 的行中不同运单号的个数（贷项不算发货）。".into(), report_ref),
        ("active_customers", "Active customers", "活跃客户",
         "Customers with at least one shipment in the month.".into(),
         "当月至少发货一次的客户。".into(), report_ref),
        ("new_customers", "New customers", "新客户",
         "Customers whose first shipment ever is in the month.".into(),
         "首次发货在当月的客户。".into(), report_ref),
        ("reactivated_customers", "Reactivated customers", "回流客户",
         "Customers churned at the end of the month before who shipped in the month.".into(),
         "上月末状态为已流失、当月又发货的客户。".into(), report_ref),
        ("churned_customers", "Churned customers", "新流失客户",
         "Customers churned at the end of the month who were not at the end of the month before.".into(),
         "月末状态为已流失、上月末尚未流失的客户。".into(), report_ref),
        ("overdue_receivables", "Overdue receivables", "逾期应收",
         "Open invoice amounts past their due date at the end of the month.".into(),
         "月末已过到期日仍未收回的发票金额。".into(), report_ref),
        ("pareto", "80/20 headline, ABC class", "80/20 结论、ABC 分类",
         "Customers ranked by revenue up to the end of the month: the fewest whose revenue reaches 80% of the positive total; class A while the cumulative share is ≤ 80%, B while ≤ 95%, C after.".into(),
         "截至月末按收入排名：收入累计达到正收入合计 80% 所需的最少客户数；累计占比 ≤ 80% 为 A 类，≤ 95% 为 B 类，其余为 C 类。".into(),
         "docs/metrics.md#crm-cli-pareto"),
        ("tier", "Tier", "客户等级",
         format!("Value pyramid up to the end of the month: {}.", pyramid.0),
         format!("截至月末的价值金字塔：{}。", pyramid.1),
         "docs/metrics.md#3-crm-cli-tier"),
        ("segment", "Segment", "客户分群",
         "RFM segment: recency, frequency and monetary scores 1-5 among customers, first matching rule.".into(),
         "RFM 分群：最近发货、频次、金额各评 1-5 分，按第一条匹配规则归类。".into(),
         "docs/metrics.md#3-crm-cli-tier"),
        ("tier_migration", "Tier migration", "等级迁移",
         "Each customer's tier at the end of the month before against the end of the month; new = no tier before.".into(),
         "每个客户上月末与本月末的等级对比；新客户 = 上月末尚无等级。".into(), report_ref),
        ("status", "Churn status", "客户状态",
         format!("By the customer's own typical gap between shipping days: new (first shipment ≤ {} days ago), churned (idle > {churn_r} gaps or > {idle} days), at_risk (idle > {risk} gaps), reactivated (came back after a churned gap), else active.", rules.new_days),
         format!("按客户自身典型发货间隔判断：新客户（首次发货 ≤ {} 天）、已流失（空闲 > {churn_r} 个间隔或 > {idle} 天）、有流失风险（空闲 > {risk} 个间隔）、已回流（流失后回来）、其余为活跃。", rules.new_days),
         "docs/metrics.md#crm-cli-churn"),
        ("value_at_risk", "Value at risk", "风险金额",
         "Trailing 365-day revenue of at-risk and churned customers.".into(),
         "有流失风险和已流失客户近 365 天的收入。".into(), "docs/metrics.md#crm-cli-churn"),
        ("declining", "Declining", "收入下滑",
         format!("Revenue of the last {w} days at least {drop}% below the {w} days before."),
         format!("近 {w} 天收入比之前 {w} 天下降至少 {drop}%。"), "docs/metrics.md#crm-cli-churn"),
        ("aging", "Aging buckets", "账龄区间",
         "Open amounts by days past due at the end of the month: current, 1-30, 31-60, 61-90, over 90; they sum to outstanding.".into(),
         "月末未收金额按逾期天数分组：未到期、1-30、31-60、61-90、90 天以上；合计等于应收余额。".into(),
         "docs/metrics.md#crm-cli-aging"),
        ("dso", "DSO", "DSO",
         "Days sales outstanding: 365 / receivable turnover; turnover = invoiced in the 365 days to the date / average of the opening and closing receivables.".into(),
         "应收账款周转天数：365 / 应收周转率；周转率 = 此前 365 天开票额 / 期初与期末应收余额的平均数。".into(),
         "docs/metrics.md#crm-cli-aging"),
        ("on_time_rate", "On-time rate", "准时率",
         "Delivered on or before the promised date, over delivered shipments with a promised date, of the shipments shipped in the month.".into(),
         "当月发出的货物中，在承诺日期或之前交付的占有承诺日期的已交付票数的比例。".into(),
         "docs/metrics.md#crm-cli-service"),
        ("damaged_rate", "Damaged, lost, returned rates", "破损率、丢失率、回运率",
         "Shipments whose status says damaged, lost or returned, over all shipments of the month.".into(),
         "状态为破损、丢失或回运的票数占当月全部发货票数的比例。".into(),
         "docs/metrics.md#crm-cli-service"),
        ("grades", "Liquidity grades", "流动性评级",
         "Current ratio ≥ 2 good, ≥ 1 fair, else weak; quick ratio ≥ 1 good, ≥ 0.5 fair, else weak (crm.toml [ratios] may change them).".into(),
         "流动比率 ≥ 2 为好，≥ 1 为中，其余为弱；速动比率 ≥ 1 为好，≥ 0.5 为中，其余为弱（可在 crm.toml [ratios] 中修改）。".into(),
         "docs/metrics.md#crm-cli-ratios"),
    ];
    let mut labels = Vec::new();
    let rows = entries
        .into_iter()
        .map(|(key, en, zh, def_en, def_zh, reference)| {
            labels.push((key.to_string(), t(en, zh)));
            labels.push((def_en.clone(), t(def_en.clone(), def_zh)));
            vec![
                Cell::Str(key.to_string()),
                Cell::Str(def_en),
                Cell::Str(reference.to_string()),
            ]
        })
        .collect();
    let columns = vec![
        labelled("term", ColKind::Label, "Term", "术语"),
        labelled("definition", ColKind::Label, "Definition", "定义"),
        labelled("reference", ColKind::Text, "Where defined", "出处"),
    ];
    let mut part = Part::data(
        "definitions",
        Report::Rows(table("definitions", t("", ""), columns, rows)),
    );
    if let Some(d) = part.data_mut() {
        d.labels = labels;
    }
    Section {
        id: "definitions".into(),
        title: t("Definitions", "指标定义"),
        parts: vec![part],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn periods() {
        let today = || day(2026, 11, 23);
        let m = parse_period("2026-09", today).ok();
        assert_eq!(m.map(Month::label).as_deref(), Some("2026-09"));
        assert_eq!(m.map(Month::end), Some(day(2026, 9, 30)));
        assert_eq!(
            parse_period("last", today)
                .ok()
                .map(Month::label)
                .as_deref(),
            Some("2026-10")
        );
        assert_eq!(
            parse_period("LAST", || day(2027, 1, 1))
                .ok()
                .map(Month::label)
                .as_deref(),
            Some("2026-12")
        );
        assert_eq!(
            parse_period("2024-2", today).ok().map(Month::end),
            Some(day(2024, 2, 29))
        );
        for bad in [
            "2026-13",
            "2026-00",
            "26-09",
            "2026/09",
            "2026-09-01",
            "",
            "September",
        ] {
            let e = parse_period(bad, today).err().map(|e| e.exit_code());
            assert_eq!(e, Some(2), "{bad}");
        }
    }

    #[test]
    fn months_shift_across_years() {
        let m = Month {
            year: 2026,
            month: 1,
        };
        assert_eq!(m.shift(-1).label(), "2025-12");
        assert_eq!(m.shift(-13).label(), "2024-12");
        assert_eq!(m.shift(11).label(), "2026-12");
        assert_eq!(m.shift(12).label(), "2027-01");
        assert_eq!(m.shift(-1).end(), day(2025, 12, 31));
    }

    #[test]
    fn changes_and_percentages() {
        assert_eq!(change(Some(150), Some(100)), Cell::Float(0.5));
        assert_eq!(change(Some(50), Some(-100)), Cell::Float(1.5));
        assert_eq!(change(Some(5), Some(0)), Cell::Null);
        assert_eq!(change(None, Some(3)), Cell::Null);
        assert_eq!(pct1(23, 120), "19.2");
        assert_eq!(pct1(1, 8), "12.5");
        assert_eq!(pct1(1, 16), "6.3");
    }
}
