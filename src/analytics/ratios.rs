//! Financial ratios per entity and period end, from balance sheets and income statements
//! (`crm-cli ratios`): liquidity (current, quick, cash), leverage (debt ratio), activity
//! (receivable and inventory turnover, DSO, DIO) and profitability (ROA, net margin,
//! cost-profit ratio), with rule-of-thumb health grades. Definitions: docs/metrics.md.
//!
//! Every ratio is kept as an exact fraction of whole minor units ([`Ratio`]): sums and averages
//! of money never leave integer arithmetic, a ratio becomes a float only in one final division
//! ([`Ratio::value`]), and grade thresholds are compared against the exact fraction
//! ([`Ratio::at_least`]), so a current ratio of exactly 2 is `good`. A ratio whose denominator
//! is zero, or whose own input is missing, is `None`, never infinity or NaN.

use chrono::NaiveDate;
use polars::prelude::*;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::error::{Error, Result};
use crate::io::load::date_from_days;

/// A previous period end further back than this many days does not count for averages.
pub const MAX_PREVIOUS_DAYS: i64 = 400;

/// The money fields of one statement row, in minor units at one scale (the loader's
/// `money_scale`; ratios do not depend on it). `None` = empty cell or no such column.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Figures {
    pub cash: Option<i64>,
    pub short_term_investments: Option<i64>,
    pub receivables: Option<i64>,
    pub inventory: Option<i64>,
    pub prepaid_expenses: Option<i64>,
    pub current_assets: Option<i64>,
    pub total_assets: Option<i64>,
    pub current_liabilities: Option<i64>,
    pub total_liabilities: Option<i64>,
    pub revenue: Option<i64>,
    pub credit_sales: Option<i64>,
    pub cogs: Option<i64>,
    pub net_income: Option<i64>,
    pub total_costs: Option<i64>,
}

/// The money fields this module reads, in the order of [`Figures`].
pub const MONEY_FIELDS: [&str; 14] = [
    "cash",
    "short_term_investments",
    "receivables",
    "inventory",
    "prepaid_expenses",
    "current_assets",
    "total_assets",
    "current_liabilities",
    "total_liabilities",
    "revenue",
    "credit_sales",
    "cogs",
    "net_income",
    "total_costs",
];

impl Figures {
    fn slot(&mut self, field: &str) -> Option<&mut Option<i64>> {
        Some(match field {
            "cash" => &mut self.cash,
            "short_term_investments" => &mut self.short_term_investments,
            "receivables" => &mut self.receivables,
            "inventory" => &mut self.inventory,
            "prepaid_expenses" => &mut self.prepaid_expenses,
            "current_assets" => &mut self.current_assets,
            "total_assets" => &mut self.total_assets,
            "current_liabilities" => &mut self.current_liabilities,
            "total_liabilities" => &mut self.total_liabilities,
            "revenue" => &mut self.revenue,
            "credit_sales" => &mut self.credit_sales,
            "cogs" => &mut self.cogs,
            "net_income" => &mut self.net_income,
            "total_costs" => &mut self.total_costs,
            _ => return None,
        })
    }
}

/// One row of the input: an entity's figures at one period end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub entity: String,
    pub period_end: NaiveDate,
    pub figures: Figures,
}

/// An exact ratio `num / den` of whole numbers, `den ≠ 0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ratio {
    pub num: i128,
    pub den: i128,
}

impl Ratio {
    /// `None` when the denominator is zero.
    pub fn new(num: i128, den: i128) -> Option<Ratio> {
        (den != 0).then_some(Ratio { num, den })
    }

    /// The nearest float: one division of the two integers (each exact as a float below 2^53,
    /// so the result is the correctly rounded quotient). Always finite.
    pub fn value(self) -> f64 {
        self.num as f64 / self.den as f64
    }

    /// `num / den ≥ t`, decided exactly (cross-multiplied in integers); only when that would
    /// overflow 128 bits (amounts near 10^19 with a threshold of many decimals) are floats
    /// compared instead.
    pub fn at_least(self, t: Decimal) -> bool {
        let (n, d) = if self.den < 0 {
            (-self.num, -self.den)
        } else {
            (self.num, self.den)
        };
        let exact = 10i128
            .checked_pow(t.scale())
            .and_then(|p| n.checked_mul(p))
            .zip(t.mantissa().checked_mul(d));
        match exact {
            Some((lhs, rhs)) => lhs >= rhs,
            None => self.value() >= t.to_f64().unwrap_or(f64::INFINITY),
        }
    }
}

/// How the quick ratio's numerator is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuickMethod {
    /// current_assets − inventory − prepaid_expenses (empty ones count as 0).
    Standard,
    /// cash + short_term_investments (empty counts as 0) + receivables.
    Conservative,
}

/// The health grade of a ratio.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Grade {
    Good,
    Fair,
    Weak,
}

impl Grade {
    pub const ALL: [Grade; 3] = [Grade::Good, Grade::Fair, Grade::Weak];

    pub fn as_str(self) -> &'static str {
        match self {
            Grade::Good => "good",
            Grade::Fair => "fair",
            Grade::Weak => "weak",
        }
    }
}

/// Thresholds of a grade: good when ratio ≥ `good`, fair when ≥ `fair`, weak below.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    pub good: Decimal,
    pub fair: Decimal,
}

impl Thresholds {
    /// Current ratio: ≥ 2 good, ≥ 1 fair.
    pub fn current_default() -> Self {
        Thresholds {
            good: Decimal::from(2),
            fair: Decimal::ONE,
        }
    }
    /// Quick ratio: ≥ 1 good, ≥ 0.5 fair.
    pub fn quick_default() -> Self {
        Thresholds {
            good: Decimal::ONE,
            fair: Decimal::new(5, 1),
        }
    }
}

/// The grade of a ratio (None when the ratio is empty). Boundaries belong to the better grade.
pub fn grade(r: Option<Ratio>, t: &Thresholds) -> Option<Grade> {
    let r = r?;
    Some(if r.at_least(t.good) {
        Grade::Good
    } else if r.at_least(t.fair) {
        Grade::Fair
    } else {
        Grade::Weak
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Params {
    /// Days of a period, for DSO and DIO.
    pub days: i64,
    pub quick: QuickMethod,
    pub current_grades: Thresholds,
    pub quick_grades: Thresholds,
    /// Only periods ending on or before this date.
    pub as_of: Option<NaiveDate>,
    /// Only each entity's latest period (after `as_of`).
    pub latest: bool,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            days: 365,
            quick: QuickMethod::Standard,
            current_grades: Thresholds::current_default(),
            quick_grades: Thresholds::quick_default(),
            as_of: None,
            latest: false,
        }
    }
}

/// The ratios of one entity at one period end.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub entity: String,
    pub period_end: NaiveDate,
    /// The previous period end used for averages (None: period-end values were used).
    pub previous: Option<NaiveDate>,
    pub current_ratio: Option<Ratio>,
    pub quick_ratio: Option<Ratio>,
    pub cash_ratio: Option<Ratio>,
    pub debt_ratio: Option<Ratio>,
    pub receivable_turnover: Option<Ratio>,
    pub dso: Option<Ratio>,
    pub inventory_turnover: Option<Ratio>,
    pub dio: Option<Ratio>,
    pub roa: Option<Ratio>,
    pub net_margin: Option<Ratio>,
    pub cost_profit_ratio: Option<Ratio>,
    pub current_grade: Option<Grade>,
    pub quick_grade: Option<Grade>,
    /// Flags, in a fixed order (see docs/metrics.md).
    pub notes: Vec<String>,
    /// The entity's latest period among the rows kept by `as_of`.
    pub latest: bool,
}

/// The flag of a row without a usable previous period end.
pub const NOTE_NO_PREVIOUS: &str = "no previous period end: averages use period-end values";
/// The flag of a receivable turnover computed from revenue.
pub const NOTE_REVENUE: &str = "no credit_sales: revenue used";

/// The statements of a loaded financials frame (`customer_id`, `period_end`, money columns as
/// Int64 minor units; absent money columns read as empty).
pub fn statements(df: &DataFrame) -> Result<Vec<Statement>> {
    let n = df.height();
    let ids = df.column("customer_id")?.str()?.clone();
    let dates = df.column("period_end")?.cast(&DataType::Int32)?;
    let dates = dates.i32()?.clone();
    let mut figures = vec![Figures::default(); n];
    for field in MONEY_FIELDS {
        let Ok(c) = df.column(field) else { continue };
        let c = c.cast(&DataType::Int64)?;
        for (i, v) in c.i64()?.iter().enumerate() {
            if let Some(slot) = figures[i].slot(field) {
                *slot = v;
            }
        }
    }
    ids.iter()
        .zip(dates.iter())
        .zip(figures)
        .enumerate()
        .map(|(i, ((id, d), figures))| match (id, d) {
            (Some(id), Some(d)) => Ok(Statement {
                entity: id.to_string(),
                period_end: date_from_days(d),
                figures,
            }),
            _ => Err(Error::Input(format!(
                "row {}: empty customer_id or period_end",
                i + 1
            ))),
        })
        .collect()
}

/// An average of a stock (receivables, inventory, total assets) = `sum / count`.
#[derive(Debug, Clone, Copy)]
struct Avg {
    sum: i128,
    count: i128,
}

/// flow / average.
fn per_avg(flow: Option<i64>, avg: Option<Avg>) -> Option<Ratio> {
    let (flow, avg) = (flow?, avg?);
    Ratio::new(i128::from(flow) * avg.count, avg.sum)
}

/// days / turnover, exact: days × den / num (None rather than overflow; the command caps
/// `--days` far below that).
fn days_of(days: i64, turnover: Option<Ratio>) -> Option<Ratio> {
    let t = turnover?;
    Ratio::new(i128::from(days).checked_mul(t.den)?, t.num)
}

fn div(num: Option<i128>, den: Option<i64>) -> Option<Ratio> {
    Ratio::new(num?, i128::from(den?))
}

fn wide(v: Option<i64>) -> Option<i128> {
    v.map(i128::from)
}

fn zero_if_empty(v: Option<i64>) -> i128 {
    v.map_or(0, i128::from)
}

/// The ratios of one statement, given the figures of the entity's previous period end when it
/// is usable (at most [`MAX_PREVIOUS_DAYS`] earlier).
fn ratios_of(
    s: &Statement,
    previous: Option<(NaiveDate, &Figures)>,
    params: &Params,
    notes: &mut Vec<String>,
) -> Row {
    let f = &s.figures;
    let cl = f.current_liabilities;
    let current_ratio = div(wide(f.current_assets), cl);
    let quick_ratio = match params.quick {
        QuickMethod::Standard => div(
            wide(f.current_assets)
                .map(|ca| ca - zero_if_empty(f.inventory) - zero_if_empty(f.prepaid_expenses)),
            cl,
        ),
        QuickMethod::Conservative => div(
            wide(f.cash)
                .zip(wide(f.receivables))
                .map(|(c, r)| c + zero_if_empty(f.short_term_investments) + r),
            cl,
        ),
    };
    let cash_ratio = div(
        wide(f.cash).map(|c| c + zero_if_empty(f.short_term_investments)),
        cl,
    );
    let debt_ratio = div(wide(f.total_liabilities), f.total_assets);

    // Averages of stocks: (previous + this) / 2, else this period end's value.
    let mut avg = |name: &str, get: fn(&Figures) -> Option<i64>| -> Option<Avg> {
        let this = i128::from(get(f)?);
        match previous {
            Some((_, p)) => match get(p) {
                Some(v) => Some(Avg {
                    sum: this + i128::from(v),
                    count: 2,
                }),
                None => {
                    notes.push(format!("previous {name} empty: period-end value used"));
                    Some(Avg {
                        sum: this,
                        count: 1,
                    })
                }
            },
            None => Some(Avg {
                sum: this,
                count: 1,
            }),
        }
    };
    let avg_receivables = avg("receivables", |f| f.receivables);
    let avg_inventory = avg("inventory", |f| f.inventory);
    let avg_assets = avg("total_assets", |f| f.total_assets);

    let (sales, from_revenue) = match f.credit_sales {
        Some(v) => (Some(v), false),
        None => (f.revenue, true),
    };
    let receivable_turnover = per_avg(sales, avg_receivables);
    if from_revenue && receivable_turnover.is_some() {
        notes.push(NOTE_REVENUE.to_string());
    }
    let inventory_turnover = per_avg(f.cogs, avg_inventory);
    let current_grade = grade(current_ratio, &params.current_grades);
    let quick_grade = grade(quick_ratio, &params.quick_grades);
    Row {
        entity: s.entity.clone(),
        period_end: s.period_end,
        previous: previous.map(|(d, _)| d),
        current_ratio,
        quick_ratio,
        cash_ratio,
        debt_ratio,
        receivable_turnover,
        dso: days_of(params.days, receivable_turnover),
        inventory_turnover,
        dio: days_of(params.days, inventory_turnover),
        roa: per_avg(f.net_income, avg_assets),
        net_margin: div(wide(f.net_income), f.revenue),
        cost_profit_ratio: div(wide(f.net_income), f.total_costs),
        current_grade,
        quick_grade,
        notes: Vec::new(),
        latest: false,
    }
}

/// Ratios of every statement ending on or before `params.as_of`, sorted by entity (byte order)
/// then period end; with `params.latest`, only each entity's latest period.
pub fn compute(mut statements: Vec<Statement>, params: &Params) -> Result<Vec<Row>> {
    let total = statements.len();
    if let Some(as_of) = params.as_of {
        statements.retain(|s| s.period_end <= as_of);
    }
    if statements.is_empty() {
        return Err(Error::Input(match params.as_of {
            Some(d) if total > 0 => format!("no period ends on or before --as-of {d}"),
            _ => "no statements in the input".to_string(),
        }));
    }
    statements.sort_by(|a, b| {
        a.entity
            .as_bytes()
            .cmp(b.entity.as_bytes())
            .then(a.period_end.cmp(&b.period_end))
    });
    if let Some(w) = statements
        .windows(2)
        .find(|w| w[0].entity == w[1].entity && w[0].period_end == w[1].period_end)
    {
        let dups = statements
            .windows(2)
            .filter(|w| w[0].entity == w[1].entity && w[0].period_end == w[1].period_end)
            .count();
        return Err(Error::Input(format!(
            "customer {} has more than one row for period end {}{}; keep one row per customer and period end (--dedupe drops rows identical in every field)",
            w[0].entity,
            w[0].period_end,
            if dups > 1 {
                format!(" ({dups} repeated rows in all)")
            } else {
                String::new()
            }
        )));
    }
    let mut rows = Vec::with_capacity(statements.len());
    for (i, s) in statements.iter().enumerate() {
        let mut notes = Vec::new();
        let prev = (i > 0 && statements[i - 1].entity == s.entity).then(|| &statements[i - 1]);
        let usable = match prev {
            None => {
                notes.push(NOTE_NO_PREVIOUS.to_string());
                None
            }
            Some(p) => {
                let gap = (s.period_end - p.period_end).num_days();
                if gap > MAX_PREVIOUS_DAYS {
                    notes.push(format!(
                        "previous period end {} is {gap} days earlier (more than {MAX_PREVIOUS_DAYS}): averages use period-end values",
                        p.period_end
                    ));
                    None
                } else {
                    Some((p.period_end, &p.figures))
                }
            }
        };
        let mut row = ratios_of(s, usable, params, &mut notes);
        row.notes = notes;
        row.latest = statements.get(i + 1).is_none_or(|n| n.entity != s.entity);
        rows.push(row);
    }
    if params.latest {
        rows.retain(|r| r.latest);
    }
    Ok(rows)
}

/// Grade counts of each entity's latest period, and the entities graded weak.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub entities: usize,
    /// good, fair, weak, ungraded (empty ratio).
    pub current: [usize; 4],
    pub quick: [usize; 4],
    /// Indices (into the rows given) of latest periods graded weak on current or quick.
    pub weak: Vec<usize>,
}

pub fn summarize(rows: &[Row]) -> Summary {
    let mut s = Summary {
        entities: 0,
        current: [0; 4],
        quick: [0; 4],
        weak: Vec::new(),
    };
    let slot = |g: Option<Grade>| match g {
        Some(Grade::Good) => 0,
        Some(Grade::Fair) => 1,
        Some(Grade::Weak) => 2,
        None => 3,
    };
    for (i, r) in rows.iter().enumerate().filter(|(_, r)| r.latest) {
        s.entities += 1;
        s.current[slot(r.current_grade)] += 1;
        s.quick[slot(r.quick_grade)] += 1;
        if r.current_grade == Some(Grade::Weak) || r.quick_grade == Some(Grade::Weak) {
            s.weak.push(i);
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn full(scale_up: i64) -> Figures {
        let m = |v: i64| Some(v * scale_up);
        Figures {
            cash: m(100),
            short_term_investments: m(50),
            receivables: m(200),
            inventory: m(300),
            prepaid_expenses: m(20),
            current_assets: m(800),
            total_assets: m(2000),
            current_liabilities: m(400),
            total_liabilities: m(1200),
            revenue: m(3650),
            credit_sales: m(1825),
            cogs: m(2400),
            net_income: m(150),
            total_costs: m(3000),
        }
    }

    fn st(entity: &str, date: &str, figures: Figures) -> Statement {
        Statement {
            entity: entity.into(),
            period_end: d(date),
            figures,
        }
    }

    fn v(r: Option<Ratio>) -> f64 {
        r.expect("a ratio").value()
    }

    #[test]
    fn single_period_uses_period_end_values_and_is_flagged() {
        let rows = compute(vec![st("A", "2024-12-31", full(1))], &Params::default()).unwrap();
        let r = &rows[0];
        assert_eq!(v(r.current_ratio), 2.0); // 800 / 400
        assert_eq!(v(r.quick_ratio), 480.0 / 400.0); // (800 − 300 − 20) / 400
        assert_eq!(v(r.cash_ratio), 150.0 / 400.0); // (100 + 50) / 400
        assert_eq!(v(r.debt_ratio), 0.6); // 1200 / 2000
        assert_eq!(v(r.receivable_turnover), 1825.0 / 200.0); // credit sales / receivables
        assert_eq!(v(r.dso), 365.0 * 200.0 / 1825.0); // 40 days
        assert_eq!(v(r.inventory_turnover), 8.0); // 2400 / 300
        assert_eq!(v(r.dio), 365.0 * 300.0 / 2400.0);
        assert_eq!(v(r.roa), 150.0 / 2000.0);
        assert_eq!(v(r.net_margin), 150.0 / 3650.0);
        assert_eq!(v(r.cost_profit_ratio), 0.05); // 150 / 3000
        // Exactly 2 is good; 1.2 ≥ 1 is good.
        assert_eq!(r.current_grade, Some(Grade::Good));
        assert_eq!(r.quick_grade, Some(Grade::Good));
        assert_eq!(r.notes, vec![NOTE_NO_PREVIOUS.to_string()]);
        assert_eq!(r.previous, None);
        assert!(r.latest);
    }

    #[test]
    fn averages_use_the_previous_period_end() {
        let mut later = full(1);
        later.receivables = Some(300);
        later.inventory = Some(500);
        later.total_assets = Some(3000);
        let rows = compute(
            vec![st("A", "2025-12-31", later), st("A", "2024-12-31", full(1))],
            &Params::default(),
        )
        .unwrap();
        assert_eq!(rows[0].period_end, d("2024-12-31"));
        assert!(!rows[0].latest);
        let r = &rows[1];
        assert_eq!(r.previous, Some(d("2024-12-31")));
        assert!(r.notes.is_empty(), "{:?}", r.notes);
        // 1825 / ((200 + 300) / 2) = 7.3; DSO = 365 / 7.3 = 50.
        assert_eq!(v(r.receivable_turnover), 7.3);
        assert_eq!(v(r.dso), 50.0);
        // 2400 / ((300 + 500) / 2) = 6; DIO = 365 / 6.
        assert_eq!(v(r.inventory_turnover), 6.0);
        assert_eq!(v(r.dio), 365.0 / 6.0);
        // 150 / ((2000 + 3000) / 2) = 0.06.
        assert_eq!(v(r.roa), 0.06);
        // The average is exact: (201 + 200) / 2 = 200.5 kept as 401 / 2.
        let mut odd = full(1);
        odd.receivables = Some(201);
        let rows = compute(
            vec![st("A", "2024-12-31", full(1)), st("A", "2025-12-31", odd)],
            &Params::default(),
        )
        .unwrap();
        assert_eq!(
            rows[1].receivable_turnover,
            Some(Ratio {
                num: 1825 * 2,
                den: 401
            })
        );
    }

    #[test]
    fn previous_period_more_than_400_days_back_is_not_used() {
        let rows = compute(
            vec![
                st("A", "2023-06-30", full(1)),
                st("A", "2024-08-05", full(2)), // 402 days later
                st("A", "2025-09-09", full(3)), // 400 days later: used
            ],
            &Params::default(),
        )
        .unwrap();
        assert_eq!(rows[1].previous, None);
        assert!(
            rows[1].notes[0].contains("402 days earlier"),
            "{:?}",
            rows[1].notes
        );
        // Period-end values: 2 × 1825 / (2 × 200).
        assert_eq!(v(rows[1].receivable_turnover), 1825.0 / 200.0);
        assert_eq!(rows[2].previous, Some(d("2024-08-05")));
        assert!(rows[2].notes.is_empty());
        // 3 × 1825 / ((400 + 600) / 2).
        assert_eq!(v(rows[2].receivable_turnover), 5475.0 / 500.0);
    }

    #[test]
    fn empty_optional_fields_count_as_zero_in_sums_only() {
        let mut f = full(1);
        f.short_term_investments = None;
        f.inventory = None;
        f.prepaid_expenses = None;
        let rows = compute(vec![st("A", "2024-12-31", f)], &Params::default()).unwrap();
        let r = &rows[0];
        assert_eq!(v(r.quick_ratio), 2.0); // (800 − 0 − 0) / 400
        assert_eq!(v(r.cash_ratio), 0.25); // (100 + 0) / 400
        // Inventory is the turnover's own input: empty, not zero.
        assert_eq!(r.inventory_turnover, None);
        assert_eq!(r.dio, None);
        let p = Params {
            quick: QuickMethod::Conservative,
            ..Params::default()
        };
        let rows = compute(vec![st("A", "2024-12-31", f)], &p).unwrap();
        assert_eq!(v(rows[0].quick_ratio), 0.75); // (100 + 0 + 200) / 400
    }

    #[test]
    fn missing_inputs_and_zero_denominators_are_empty() {
        let mut f = full(1);
        f.current_liabilities = Some(0);
        f.total_assets = Some(0);
        f.revenue = Some(0);
        f.receivables = Some(0);
        f.total_costs = None;
        f.cash = None;
        let rows = compute(vec![st("A", "2024-12-31", f)], &Params::default()).unwrap();
        let r = &rows[0];
        for (name, x) in [
            ("current", r.current_ratio),
            ("quick", r.quick_ratio),
            ("cash", r.cash_ratio),
            ("debt", r.debt_ratio),
            ("receivable_turnover", r.receivable_turnover),
            ("dso", r.dso),
            ("roa", r.roa),
            ("net_margin", r.net_margin),
            ("cost_profit", r.cost_profit_ratio),
        ] {
            assert_eq!(x, None, "{name}");
        }
        assert_eq!(r.current_grade, None);
        assert_eq!(r.quick_grade, None);
        // Zero credit sales: turnover 0, DSO empty (days / 0).
        let mut f = full(1);
        f.credit_sales = Some(0);
        let rows = compute(vec![st("A", "2024-12-31", f)], &Params::default()).unwrap();
        assert_eq!(v(rows[0].receivable_turnover), 0.0);
        assert_eq!(rows[0].dso, None);
        // Every value is finite.
        for x in [rows[0].current_ratio, rows[0].dio] {
            assert!(v(x).is_finite());
        }
    }

    #[test]
    fn revenue_stands_in_for_credit_sales_with_a_flag() {
        let mut f = full(1);
        f.credit_sales = None;
        let rows = compute(vec![st("A", "2024-12-31", f)], &Params::default()).unwrap();
        assert_eq!(v(rows[0].receivable_turnover), 3650.0 / 200.0);
        assert_eq!(v(rows[0].dso), 20.0);
        assert!(rows[0].notes.contains(&NOTE_REVENUE.to_string()));
        // No revenue either: empty, no flag.
        f.revenue = None;
        let rows = compute(vec![st("A", "2024-12-31", f)], &Params::default()).unwrap();
        assert_eq!(rows[0].receivable_turnover, None);
        assert!(!rows[0].notes.contains(&NOTE_REVENUE.to_string()));
    }

    #[test]
    fn empty_previous_value_falls_back_with_a_flag() {
        let mut first = full(1);
        first.inventory = None;
        let rows = compute(
            vec![st("A", "2024-12-31", first), st("A", "2025-12-31", full(1))],
            &Params::default(),
        )
        .unwrap();
        assert_eq!(v(rows[1].inventory_turnover), 8.0);
        assert_eq!(
            rows[1].notes,
            vec!["previous inventory empty: period-end value used".to_string()]
        );
    }

    #[test]
    fn grade_boundaries_are_exact() {
        let t = Thresholds::current_default();
        // 2 exactly is good, 1 exactly is fair, just below 1 is weak.
        assert_eq!(grade(Ratio::new(200, 100), &t), Some(Grade::Good));
        assert_eq!(grade(Ratio::new(199_999, 100_000), &t), Some(Grade::Fair));
        assert_eq!(grade(Ratio::new(100, 100), &t), Some(Grade::Fair));
        assert_eq!(grade(Ratio::new(99, 100), &t), Some(Grade::Weak));
        // 0.1 + 0.2 style thresholds compare exactly: 3/10 ≥ 0.3.
        let q = Thresholds {
            good: dec("0.3"),
            fair: dec("0.1"),
        };
        assert_eq!(grade(Ratio::new(3, 10), &q), Some(Grade::Good));
        assert_eq!(
            grade(Ratio::new(2_999_999, 10_000_000), &q),
            Some(Grade::Fair)
        );
        // Quick: 0.5 exactly is fair.
        let q = Thresholds::quick_default();
        assert_eq!(grade(Ratio::new(1, 2), &q), Some(Grade::Fair));
        assert_eq!(grade(Ratio::new(49, 100), &q), Some(Grade::Weak));
        // Negative denominators keep the sign of the ratio.
        assert_eq!(grade(Ratio::new(-200, -100), &t), Some(Grade::Good));
        assert_eq!(grade(Ratio::new(200, -100), &t), Some(Grade::Weak));
        assert_eq!(grade(None, &t), None);
        // Overflowing cross-products fall back to floats rather than failing.
        let huge = Ratio::new(i128::MAX / 2, 1).unwrap();
        assert!(huge.at_least(dec("1.0000000000000000000000000001")));
    }

    #[test]
    fn sorted_by_entity_bytes_then_date_and_latest_filter() {
        let rows = compute(
            vec![
                st("a1", "2024-12-31", full(1)),
                st("C9", "2024-12-31", full(1)),
                st("C10", "2025-12-31", full(1)),
                st("C10", "2024-12-31", full(1)),
            ],
            &Params::default(),
        )
        .unwrap();
        let keys: Vec<(&str, String)> = rows
            .iter()
            .map(|r| (r.entity.as_str(), r.period_end.to_string()))
            .collect();
        assert_eq!(
            keys,
            vec![
                ("C10", "2024-12-31".to_string()),
                ("C10", "2025-12-31".to_string()),
                ("C9", "2024-12-31".to_string()),
                ("a1", "2024-12-31".to_string()),
            ]
        );
        let p = Params {
            latest: true,
            ..Params::default()
        };
        let rows = compute(
            vec![
                st("C10", "2025-12-31", full(1)),
                st("C10", "2024-12-31", full(1)),
                st("C9", "2024-12-31", full(1)),
            ],
            &p,
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        // The latest row still averages with the previous period, which is not shown.
        assert_eq!(rows[0].previous, Some(d("2024-12-31")));
    }

    #[test]
    fn as_of_keeps_periods_on_or_before_it() {
        let all = vec![
            st("A", "2024-12-31", full(1)),
            st("A", "2025-12-31", full(2)),
        ];
        let p = Params {
            as_of: Some(d("2025-06-30")),
            ..Params::default()
        };
        let rows = compute(all.clone(), &p).unwrap();
        assert_eq!(rows.len(), 1);
        assert!(rows[0].latest);
        let p = Params {
            as_of: Some(d("2025-12-31")),
            ..Params::default()
        };
        assert_eq!(compute(all.clone(), &p).unwrap().len(), 2);
        let p = Params {
            as_of: Some(d("2020-01-01")),
            ..Params::default()
        };
        let e = compute(all, &p).unwrap_err().to_string();
        assert_eq!(e, "no period ends on or before --as-of 2020-01-01");
    }

    #[test]
    fn duplicate_periods_are_an_error() {
        let e = compute(
            vec![
                st("A", "2024-12-31", full(1)),
                st("A", "2024-12-31", full(2)),
            ],
            &Params::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("customer A has more than one row for period end 2024-12-31"),
            "{e}"
        );
    }

    #[test]
    fn summary_counts_latest_periods() {
        let mut weak = full(1);
        weak.current_assets = Some(300); // current 0.75 weak; quick (300−300−20)/400 < 0 weak
        let mut no_cl = full(1);
        no_cl.current_liabilities = None;
        let rows = compute(
            vec![
                st("A", "2024-12-31", weak),
                st("A", "2025-12-31", full(1)), // latest: good / good
                st("B", "2025-12-31", weak),
                st("C", "2025-12-31", no_cl),
            ],
            &Params::default(),
        )
        .unwrap();
        let s = summarize(&rows);
        assert_eq!(s.entities, 3);
        assert_eq!(s.current, [1, 0, 1, 1]);
        assert_eq!(s.quick, [1, 0, 1, 1]);
        assert_eq!(s.weak.len(), 1);
        assert_eq!(rows[s.weak[0]].entity, "B");
    }

    #[test]
    fn statements_from_a_frame_with_absent_columns() {
        let df = df!(
            "customer_id" => ["A", "B"],
            "period_end" => [19723i32, 19723],
            "current_assets" => [Some(800i64), None],
            "current_liabilities" => [400i64, 100],
        )
        .unwrap();
        let df = df
            .lazy()
            .with_column(col("period_end").cast(DataType::Date))
            .collect()
            .unwrap();
        let s = statements(&df).unwrap();
        assert_eq!(s[0].period_end, d("2024-01-01"));
        assert_eq!(s[0].figures.current_assets, Some(800));
        assert_eq!(s[1].figures.current_assets, None);
        assert_eq!(s[1].figures.cash, None);
        assert_eq!(s[1].figures.current_liabilities, Some(100));
    }
}
