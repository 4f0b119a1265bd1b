//! All command-line definitions. Doc comments are the `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Customer analytics for freight forwarders and 3PLs: key customers, value tiers, churn and
/// credit risk from shipment and invoice exports (CSV, TSV, Parquet, xlsx; UTF-8, UTF-16 or GBK;
/// English or Chinese headers).
///
/// Start with `crm-cli tier shipments.csv`. Exit codes: 0 ok, 1 bad input or data, 2 usage.
#[derive(Debug, Parser)]
#[command(name = "crm-cli", version, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Value tiers: RFM scores, named segments and the value pyramid per customer.
    ///
    /// Per customer over [--from, --to] as of --as-of (default: the latest ship date in the
    /// window; rows after it are left out): first and last ship date, recency in days, frequency
    /// (distinct shipment ids, else rows), monetary (exact sum of revenue, credit notes net), R/F/M
    /// scores 1-5 (5 best), a segment (Champions, Loyal Customers, ..., first matching rule) and a
    /// tier of the value pyramid (VIP = top 1% by monetary, Key up to 5%, General up to 20%,
    /// Small the rest). Definitions: docs/metrics.md.
    ///
    /// Examples:
    ///   crm-cli tier testdata/shipments.csv
    ///   crm-cli tier exports/2026-*.csv --summary --lang zh
    ///   crm-cli tier shipments.csv --value margin --by lane --format json -o tiers.json
    ///   crm-cli tier shipments.csv --tier-by spend --thresholds 500000,100000
    #[command(verbatim_doc_comment)]
    Tier(TierArgs),
    /// Key customers: the 80/20 rule and ABC classes by customer, lane, mode or any column.
    ///
    /// Items (customers by default) are ranked by their total (value descending, then key).
    /// Shares are of the total of items with a positive value. An item's class is decided by
    /// its own cumulative share, compared exactly: A while cum_share ≤ 80%, B while ≤ 95%, C
    /// after — so the item that crosses a cutoff belongs to the next class. Items whose total
    /// is ≤ 0 come last with share 0, cum_share 1 and class C. Definitions: docs/metrics.md.
    ///
    /// Examples:
    ///   crm-cli pareto testdata/shipments.csv --summary
    ///   crm-cli pareto shipments.csv --by lane --measure margin
    ///   crm-cli pareto shipments.csv --by customer --within lane --format csv
    ///   crm-cli pareto shipments.csv --by customer,lane --cutoffs 70,90
    #[command(verbatim_doc_comment)]
    Pareto(ParetoArgs),
    /// Churn: who is new, active, at risk, churned or reactivated, by their own rhythm.
    ///
    /// Per customer as of --as-of: the typical gap between shipping days (median of its own
    /// gaps, or of all customers' when it has fewer than two), days since the last shipment
    /// and their ratio. Status, first rule that applies: new (first shipment ≤ --new-days ago),
    /// churned (ratio > --churn-ratio or idle > --max-idle days), at_risk (ratio >
    /// --risk-ratio), reactivated (came back after a gap that was itself churned), else
    /// active. Declining: revenue of the last --window days fell ≥ --drop % against the window
    /// before. value_at_risk: trailing 365-day revenue of at_risk and churned customers.
    /// --model bgnbd adds the BG/NBD probability of being alive and expected shipments.
    /// Definitions: docs/metrics.md.
    ///
    /// Examples:
    ///   crm-cli churn testdata/shipments.csv
    ///   crm-cli churn shipments.csv --summary --model bgnbd
    ///   crm-cli churn shipments.csv --as-of 2026-09-30 --format csv -o churn.csv
    #[command(verbatim_doc_comment)]
    Churn(ChurnArgs),
    /// Financial ratios of customers' balance sheets and income statements, with health grades.
    ///
    /// One row per customer and period end (input: one row per customer and period end with
    /// cash, receivables, inventory, current_assets, total_assets, current_liabilities,
    /// total_liabilities, revenue, credit_sales, cogs, net_income; optional
    /// short_term_investments, prepaid_expenses, total_costs; English or Chinese headers):
    /// current, quick and cash ratios, debt ratio, receivable and inventory turnover, DSO and
    /// DIO (--days / turnover), ROA, net margin, cost-profit ratio. Turnovers and ROA use the
    /// average of the previous and this period end when the previous one (at most 400 days
    /// earlier) is in the file, else this period end's value (flagged in notes). A ratio whose
    /// input is missing or whose denominator is zero is empty. Grades: current ≥ 2 good, ≥ 1
    /// fair, else weak; quick ≥ 1 good, ≥ 0.5 fair, else weak (exact: 2.00 is good).
    /// Definitions: docs/metrics.md.
    ///
    /// Examples:
    ///   crm-cli ratios testdata/financials.csv
    ///   crm-cli ratios statements.xlsx --latest --quick conservative --lang zh
    ///   crm-cli ratios testdata/financials.csv --summary --current-grades 1.5,1
    ///   crm-cli ratios 财务报表.csv --as-of 2025-06-30 --format csv -o ratios.csv
    #[command(verbatim_doc_comment)]
    Ratios(RatiosArgs),
    /// Receivables: aging buckets, days to pay, turnover and DSO per customer, as of a date.
    ///
    /// Only invoices dated on or before --as-of count, and only payments dated on or before it
    /// reduce them (default as-of: the latest invoice or payment date). Payments against an
    /// invoice reduce it; payments known only by customer (--payments without invoice ids) go
    /// to that customer's open invoices, oldest due date first; credit notes (negative
    /// invoices) and overpayments are credit the next invoices absorb. Buckets by days past
    /// due (as_of − due date): current (≤ 0), 1_30, 31_60, 61_90, over_90. The buckets sum
    /// exactly to outstanding. Definitions: docs/metrics.md.
    ///
    /// Examples:
    ///   crm-cli aging testdata/invoices.csv
    ///   crm-cli aging invoices.csv --payments receipts.csv --as-of 2026-09-30 --summary
    ///   crm-cli aging invoices.csv --summary --shipments shipments.csv
    ///   crm-cli aging invoices.csv --buckets 15,30,60 --basis invoice
    #[command(verbatim_doc_comment)]
    Aging(AgingArgs),
    /// Service quality per customer or lane: on-time, delay, transit, damage, loss, returns.
    ///
    /// Per group over shipments in [--from, --to] up to --as-of: shipments (credit notes are
    /// not shipments), delivered (a delivered date on or before as-of), open (neither delivered
    /// nor lost yet, counted apart), on_time_rate (delivered on or before the promised date,
    /// over delivered shipments with a promised date), avg_delay_days over late shipments,
    /// avg_transit_days (delivered − ship date), damaged/lost/returned rates from the status
    /// column over all shipments. Definitions: docs/metrics.md.
    ///
    /// Examples:
    ///   crm-cli service testdata/shipments.csv
    ///   crm-cli service shipments.csv --by lane --summary
    #[command(verbatim_doc_comment)]
    Service(ServiceArgs),
    /// Yearly screening: volume, profitability, safety, future and cooperation scores 1-5.
    ///
    /// Over the 12 months up to --as-of (default: the latest ship date), by percentile among
    /// customers (ties share a score, as in tier): volume (revenue), profitability (revenue −
    /// cost), safety (overdue share and average days late, from --invoices), future (revenue
    /// growth against the 12 months before) and cooperation (shipments and on-time payment
    /// rate). Weighted total (equal weights, or [screen] weights in crm.toml) and a
    /// recommendation: key, develop, maintain, watch or exit. Without --invoices the safety
    /// criterion is left out, and said so. --explain shows how one customer was scored.
    /// Definitions: docs/metrics.md.
    ///
    /// Examples:
    ///   crm-cli screen --shipments testdata/shipments.csv --invoices testdata/invoices.csv
    ///   crm-cli screen --shipments s.csv --invoices i.csv --summary
    ///   crm-cli screen --shipments s.csv --invoices i.csv --explain C000041
    #[command(verbatim_doc_comment)]
    Screen(ScreenArgs),
    /// Monthly report: KPIs, key customers, tiers, churn, receivables, service in one file.
    ///
    /// Every analysis as of the last day of --period, as the commands compute it by default
    /// (crm.toml applies): 1. headline KPIs against the previous month and the same month last
    /// year (revenue, margin, shipments, active, new, reactivated and churned customers, overdue
    /// receivables); 2. key customers (Pareto headline and curve, top 20 with class and tier);
    /// 3. value tiers and their migration since the end of the previous month; 4. churn watch;
    /// 5. receivables (aging, top overdue, DSO over 12 months; needs --invoices) and customers'
    /// financial ratios (needs --financials); 6. service by lane in the month; 7. revenue and
    /// active customers over 24 months; 8. definitions. A section without its data says so.
    /// The format follows -o's extension: .html (one self-contained page: inline CSS and SVG
    /// charts, no script), .md, or .json (every section's data, under the keys of the
    /// commands' own JSON); -o - writes to stdout (HTML unless --format). The file is written
    /// to a temporary file and renamed, and the same inputs give the same bytes (no time
    /// stamp unless --stamp). Definitions: docs/metrics.md.
    ///
    /// Examples:
    ///   crm-cli report --period 2026-09 --shipments testdata/shipments.csv -o report.html
    ///   crm-cli report --period 2026-09 --shipments s.csv --invoices i.csv --financials f.csv -o r.json
    ///   crm-cli report --period last --shipments 'exports/*.csv' --invoices inv.csv -o /srv/r.html -q
    ///   crm-cli report --period 2026-09 --shipments s.csv --lang zh -o 月报.md
    #[command(verbatim_doc_comment)]
    Report(ReportArgs),
    /// Describe an export: encoding, delimiter, header mapping, value types, parse problems.
    ///
    /// Encoding, delimiter, rows, how each header maps to a field (or why not), inferred value
    /// types and parse problems per column with examples, date range. How to debug a file
    /// crm-cli will not read.
    ///
    /// Examples:
    ///   crm-cli inspect testdata/shipments_gbk.csv
    ///   crm-cli inspect invoices.xlsx --dataset invoices --format json
    #[command(verbatim_doc_comment)]
    Inspect(InspectArgs),
}

/// How to read input files; shared by every command.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Input")]
pub struct InputArgs {
    /// Field delimiter of CSV/TSV input: ',', ';', 'tab', '|' (default: detected per file).
    #[arg(long, value_name = "CHAR")]
    pub delimiter: Option<String>,
    /// Text encoding: utf-8, utf-16le, utf-16be, gbk (= gb18030) (default: detected per file).
    #[arg(long, value_name = "NAME")]
    pub encoding: Option<String>,
    /// Map a field to a column header, e.g. --map revenue="Freight USD" (repeatable; wins over
    /// the alias table and crm.toml).
    #[arg(long = "map", value_name = "FIELD=HEADER")]
    pub map: Vec<String>,
    /// Numbers are written with a decimal comma: 1.234,56.
    #[arg(long)]
    pub decimal_comma: bool,
    /// Date format for day-first or month-first dates (chrono syntax), e.g. %d/%m/%Y. ISO,
    /// 2024/1/5 and 2024年1月5日 are always read.
    #[arg(long, value_name = "FMT")]
    pub date_format: Option<String>,
    /// Read 4-5 digit numbers in date columns as Excel serial dates (45296 = 2024-01-05).
    #[arg(long)]
    pub excel_dates: bool,
    /// Drop rows with unreadable or missing required values instead of failing; they are counted
    /// and the first ones are shown on stderr.
    #[arg(long)]
    pub skip_bad_rows: bool,
    /// Keep only rows in this currency (required when the data has several).
    #[arg(long, value_name = "CODE")]
    pub currency: Option<String>,
    /// Drop rows identical in every field to an earlier row (counted on stderr).
    #[arg(long)]
    pub dedupe: bool,
    /// Sheet of an xlsx workbook (default: the first).
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// Settings file (default: ./crm.toml when present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// The analysis window: shared by the commands over shipments.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Window")]
pub struct WindowArgs {
    /// First ship date of the window (inclusive, YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Last ship date of the window (inclusive).
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// The date the analysis is as of (default: the latest ship date in the window; never
    /// today, so a rerun gives the same answer). Rows after it are left out.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
}

/// How to write the result; shared by every command.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Output")]
pub struct OutputArgs {
    /// Output format (default: from -o's extension, else table).
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// Write to FILE instead of stdout (written to a temporary file, then renamed). The
    /// extension picks the format: .csv .json .ndjson .md .html .parquet.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Labels of tables and markdown: en or zh (JSON and CSV keep English keys and codes).
    #[arg(long, value_enum, default_value = "en")]
    pub lang: LangArg,
    /// Show at most N rows of each table (totals still cover every row).
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Print nothing on stderr but errors (no notes, no progress bar).
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Table,
    Json,
    Ndjson,
    Csv,
    Markdown,
    Html,
    Parquet,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    En,
    Zh,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FrequencyArg {
    /// Distinct shipment ids (rows when there is no shipment id column).
    Shipments,
    /// Distinct shipping days.
    Days,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ValueArg {
    /// Revenue, net of credit notes.
    Revenue,
    /// Revenue − cost (needs a cost column).
    Margin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScoresArg {
    /// Ties share a score: 1 + floor(5 × customers strictly worse / N), capped at 5.
    Percentile,
    /// pandas qcut(x.rank(method="first"), 5) over customers in ascending id order.
    Rank,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TierByArg {
    /// The value pyramid by monetary rank (--pyramid).
    Pyramid,
    /// Annualised spend against --thresholds.
    Spend,
}

#[derive(Debug, Clone, Args)]
pub struct TierArgs {
    /// Shipment exports: files, globs ('exports/2026-*.csv'), or - for stdin.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<String>,
    #[command(flatten)]
    pub dates: WindowArgs,
    /// What frequency counts.
    #[arg(long, value_enum, default_value = "shipments")]
    pub frequency: FrequencyArg,
    /// What monetary sums.
    #[arg(long, value_enum, default_value = "revenue")]
    pub value: ValueArg,
    /// How R, F and M scores are assigned.
    #[arg(long, value_enum, default_value = "percentile")]
    pub scores: ScoresArg,
    /// Fixed score thresholds instead, e.g. --bins r:30,90,180,365 --bins m:1000,5000,20000,100000
    /// (four ascending values; F/M: 1 + thresholds ≤ value; R: 5 − thresholds < recency days).
    #[arg(long, value_name = "DIM:T1,T2,T3,T4")]
    pub bins: Vec<String>,
    /// How tiers are assigned.
    #[arg(long, value_enum, default_value = "pyramid")]
    pub tier_by: TierByArg,
    /// Percent of customers in VIP, Key and General (Small is the rest), by monetary rank
    /// [default: 1,4,15].
    #[arg(long, value_name = "VIP,KEY,GENERAL")]
    pub pyramid: Option<String>,
    /// Annualised spend thresholds of Large and Medium for --tier-by spend
    /// [default: 500000,100000].
    #[arg(long, value_name = "LARGE,MEDIUM")]
    pub thresholds: Option<String>,
    /// Score, segment and tier within each value of this column (lane, origin, destination,
    /// mode, or any column name).
    #[arg(long, value_name = "COLUMN")]
    pub by: Option<String>,
    /// One row per tier and per segment instead of one per customer.
    #[arg(long)]
    pub summary: bool,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Clone, Args)]
pub struct ParetoArgs {
    /// Shipment exports: files, globs, or - for stdin.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<String>,
    /// What an item is: customer, lane, origin, destination, mode, any column, or a pair such
    /// as customer,lane.
    #[arg(long, value_name = "KEY[,KEY]", default_value = "customer")]
    pub by: String,
    /// Rank the items separately inside each value of this column (e.g. lane).
    #[arg(long, value_name = "COLUMN")]
    pub within: Option<String>,
    /// What is totalled: revenue, margin (revenue − cost), shipments (count), teu, weight_kg,
    /// or any numeric column.
    #[arg(long, value_name = "MEASURE", default_value = "revenue")]
    pub measure: String,
    /// Class cutoffs in percent of the total: A up to the first, B up to the second.
    #[arg(long, value_name = "A,B", default_value = "80,95")]
    pub cutoffs: String,
    #[command(flatten)]
    pub dates: WindowArgs,
    /// The headline ("N of M customers make 80% of revenue"), classes, top-20% share, Gini
    /// coefficient and Lorenz curve instead of one row per item.
    #[arg(long)]
    pub summary: bool,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModelArg {
    /// Rules only.
    None,
    /// BG/NBD (Fader, Hardie & Lee 2005) fitted by maximum likelihood on all customers.
    Bgnbd,
}

#[derive(Debug, Clone, Args)]
pub struct ChurnArgs {
    /// Shipment exports: files, globs, or - for stdin.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<String>,
    #[command(flatten)]
    pub dates: WindowArgs,
    /// A customer whose first shipment is at most this many days old is new [default: 90].
    #[arg(long, value_name = "DAYS")]
    pub new_days: Option<i64>,
    /// Churned when days since last shipment exceed this many typical gaps [default: 4].
    #[arg(long, value_name = "RATIO")]
    pub churn_ratio: Option<f64>,
    /// At risk when days since last shipment exceed this many typical gaps [default: 2].
    #[arg(long, value_name = "RATIO")]
    pub risk_ratio: Option<f64>,
    /// Churned after this many idle days, whatever the rhythm [default: 365].
    #[arg(long, value_name = "DAYS")]
    pub max_idle: Option<i64>,
    /// Length of the recent and prior revenue windows for declining [default: 90].
    #[arg(long, value_name = "DAYS")]
    pub window: Option<i64>,
    /// Declining when recent revenue fell by at least this percent [default: 30].
    #[arg(long, value_name = "PCT")]
    pub drop: Option<String>,
    /// Add a probabilistic model.
    #[arg(long, value_enum, default_value = "none")]
    pub model: ModelArg,
    /// Horizon of expected_shipments with --model bgnbd, days.
    #[arg(long, value_name = "DAYS", default_value = "90")]
    pub horizon: u32,
    /// Customers and trailing revenue per status, declining count, model parameters.
    #[arg(long)]
    pub summary: bool,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BasisArg {
    /// Days past the due date.
    Due,
    /// Days since the invoice date.
    Invoice,
}

#[derive(Debug, Clone, Args)]
pub struct AgingArgs {
    /// Invoice exports: files, globs, or - for stdin.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<String>,
    /// Receipts exported apart from the invoices (invoice id or customer id, date, amount).
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub payments: Vec<String>,
    /// The date receivables are aged at (default: the latest invoice or payment date).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Payment terms in days, for invoices without a due date.
    #[arg(long, value_name = "DAYS", default_value = "30")]
    pub terms: u32,
    /// Upper bounds of the overdue buckets in days, ascending.
    #[arg(long, value_name = "D1,D2,...", default_value = "30,60,90")]
    pub buckets: String,
    /// Age from the due date or from the invoice date.
    #[arg(long, value_enum, default_value = "due")]
    pub basis: BasisArg,
    /// Days of the turnover period ending at the as-of date (receivable turnover, DSO).
    #[arg(long, value_name = "DAYS", default_value = "365")]
    pub period: u32,
    /// Shipment exports, to show in --summary how much A-class (Pareto) customers owe overdue.
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub shipments: Vec<String>,
    /// Totals per bucket, overdue share, DSO and the top overdue customers.
    #[arg(long)]
    pub summary: bool,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum QuickArg {
    /// (current_assets − inventory − prepaid_expenses) / current_liabilities.
    Standard,
    /// (cash + short_term_investments + receivables) / current_liabilities.
    Conservative,
}

#[derive(Debug, Clone, Args)]
pub struct RatiosArgs {
    /// Balance sheet and income statement exports (one row per customer and period end):
    /// files, globs, or - for stdin.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<String>,
    /// Only periods ending on or before this date (default: all).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Only each customer's latest period (its averages still use the period before).
    #[arg(long)]
    pub latest: bool,
    /// Days of a period for DSO and DIO [default: 365].
    #[arg(long, value_name = "DAYS")]
    pub days: Option<i64>,
    /// How the quick ratio is computed [default: standard].
    #[arg(long, value_enum)]
    pub quick: Option<QuickArg>,
    /// Current ratio thresholds of good and fair [default: 2,1].
    #[arg(long, value_name = "GOOD,FAIR")]
    pub current_grades: Option<String>,
    /// Quick ratio thresholds of good and fair [default: 1,0.5].
    #[arg(long, value_name = "GOOD,FAIR")]
    pub quick_grades: Option<String>,
    /// Grade counts of each customer's latest period and the customers graded weak.
    #[arg(long)]
    pub summary: bool,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Clone, Args)]
pub struct ServiceArgs {
    /// Shipment exports: files, globs, or - for stdin.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<String>,
    /// Group by customer, lane, origin, destination, mode or any column.
    #[arg(long, value_name = "COLUMN", default_value = "customer")]
    pub by: String,
    #[command(flatten)]
    pub dates: WindowArgs,
    /// Overall rates and the groups with the worst on-time rate.
    #[arg(long)]
    pub summary: bool,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Clone, Args)]
pub struct ScreenArgs {
    /// Shipment exports: files, globs, or - for stdin.
    #[arg(long, required = true, value_name = "FILE", num_args = 1..)]
    pub shipments: Vec<String>,
    /// Invoice exports, for the safety criterion and the on-time payment rate.
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub invoices: Vec<String>,
    /// Receipts exported apart from the invoices.
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub payments: Vec<String>,
    /// The end of the 12 months screened (default: the latest ship date).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Payment terms in days, for invoices without a due date.
    #[arg(long, value_name = "DAYS", default_value = "30")]
    pub terms: u32,
    /// Show how one customer was scored: each criterion's metric, score and weight, and the
    /// rule that gave the recommendation.
    #[arg(long, value_name = "CUSTOMER_ID")]
    pub explain: Option<String>,
    /// Customers and revenue per recommendation.
    #[arg(long)]
    pub summary: bool,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// The month reported, YYYY-MM (as of its last day), or `last`: the last complete calendar
    /// month before today (the one use of today's date, for cron).
    #[arg(long, value_name = "YYYY-MM|last")]
    pub period: String,
    /// Shipment exports: files, globs, or - for stdin.
    #[arg(long, required = true, value_name = "FILE", num_args = 1..)]
    pub shipments: Vec<String>,
    /// Invoice exports, for receivables (aging, overdue, DSO).
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub invoices: Vec<String>,
    /// Receipts exported apart from the invoices (as `aging --payments`).
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub payments: Vec<String>,
    /// Customers' balance sheets and income statements, for their financial ratios.
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub financials: Vec<String>,
    /// Write the time the report was made into it (runs then differ in that line).
    #[arg(long)]
    pub stamp: bool,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DatasetArg {
    Shipments,
    Invoices,
    Payments,
    Financials,
}

#[derive(Debug, Clone, Args)]
pub struct InspectArgs {
    /// The export to describe (one file, or - for stdin).
    #[arg(value_name = "FILE")]
    pub file: String,
    /// Which dataset's fields to map the headers to.
    #[arg(long, value_enum, default_value = "shipments")]
    pub dataset: DatasetArg,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}
