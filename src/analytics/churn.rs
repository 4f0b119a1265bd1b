//! Churn: who is new, active, at risk, churned or reactivated, judged by each customer's own
//! rhythm; whose revenue is sliding; and what is at stake (`crm-cli churn`).
//!
//! Per-row work (distinct shipping days, gaps, windowed revenue) runs in polars; the status
//! rules run over the per-customer columns exactly as docs/metrics.md defines them.

use chrono::NaiveDate;
use polars::prelude::*;
use rust_decimal::Decimal;

use super::activity::is_shipment;
use super::frame::{floats, ints};
use super::window::{Window, days};
use crate::error::{Error, Result};
use crate::io::load::{date_from_days, days_since_epoch};

/// The thresholds of the status rules (defaults in [`Rules::default`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rules {
    /// new: as_of − first shipment ≤ new_days.
    pub new_days: i64,
    /// churned: gap_ratio > churn_ratio (or days since last > max_idle).
    pub churn_ratio: f64,
    /// at_risk: gap_ratio > risk_ratio.
    pub risk_ratio: f64,
    pub max_idle: i64,
    /// Length of the recent and prior revenue windows, days.
    pub window_days: i64,
    /// declining: revenue fell by at least this percent.
    pub drop_pct: Decimal,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            new_days: 90,
            churn_ratio: 4.0,
            risk_ratio: 2.0,
            max_idle: 365,
            window_days: 90,
            drop_pct: Decimal::from(30),
        }
    }
}

pub const STATUSES: [&str; 5] = ["new", "active", "at_risk", "churned", "reactivated"];

/// Trailing revenue window of value_at_risk, days.
pub const TRAILING_DAYS: i64 = 365;

/// Per customer, in input order of the aggregation (see [`order_by_risk`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Customers {
    pub as_of: Option<NaiveDate>,
    pub customer_id: Vec<String>,
    pub customer_name: Option<Vec<Option<String>>>,
    pub first_date: Vec<NaiveDate>,
    pub last_date: Vec<NaiveDate>,
    /// Distinct shipping days.
    pub shipping_days: Vec<i64>,
    pub typical_gap_days: Vec<Option<f64>>,
    /// "own" (median of ≥ 2 own gaps), "population", or "none" (no customer has two gaps).
    pub gap_source: Vec<&'static str>,
    pub days_since_last: Vec<i64>,
    pub gap_ratio: Vec<Option<f64>>,
    /// Gap between the last two shipping days.
    pub last_gap_days: Vec<Option<i64>>,
    pub status: Vec<&'static str>,
    /// Minor units: (as_of − window, as_of], the window before it, the 365 days to as_of.
    pub revenue_recent: Vec<i64>,
    pub revenue_prior: Vec<i64>,
    pub revenue_365: Vec<i64>,
    /// (recent − prior) / prior, where prior > 0.
    pub change: Vec<Option<f64>>,
    pub declining: Vec<bool>,
    /// The population median of typical gaps (None when no customer has two gaps).
    pub population_gap: Option<f64>,
}

impl Customers {
    pub fn len(&self) -> usize {
        self.customer_id.len()
    }
    pub fn is_empty(&self) -> bool {
        self.customer_id.is_empty()
    }
}

/// Aggregate and classify every customer.
pub fn compute(lf: LazyFrame, window: &Window, rules: &Rules) -> Result<Customers> {
    let schema = lf.clone().collect_schema()?;
    let (lf, as_of) = window.apply(lf, "ship_date", "shipments")?;
    let a = days_since_epoch(as_of) as i64;
    let w = rules.window_days;
    let in_range = |lo: i64, hi: i64| {
        days("ship_date")
            .gt(lit(lo as i32))
            .and(days("ship_date").lt_eq(lit(hi as i32)))
    };
    let mut aggs = vec![
        col("revenue")
            .filter(in_range(a - w, a))
            .sum()
            .alias("revenue_recent"),
        col("revenue")
            .filter(in_range(a - 2 * w, a - w))
            .sum()
            .alias("revenue_prior"),
        col("revenue")
            .filter(in_range(a - TRAILING_DAYS, a))
            .sum()
            .alias("revenue_365"),
        days("ship_date").min().alias("first_row"),
        days("ship_date").max().alias("last_row"),
    ];
    if schema.contains("customer_name") {
        aggs.push(
            col("customer_name")
                .drop_nulls()
                .last()
                .alias("customer_name"),
        );
    }
    // Distinct shipping days per customer, in order: one group-by on the (string) customer id,
    // then gaps over integer group ids (sorting or re-grouping millions of rows by a string
    // key is what made this slow).
    aggs.push(
        days("ship_date")
            .filter(is_shipment())
            .unique()
            .sort(SortOptions::default())
            .alias("day"),
    );
    let per_customer = lf
        .group_by([col("customer_id")])
        .agg(aggs)
        .with_row_index("__gid", None)
        .collect()?;
    let gaps = per_customer
        .clone()
        .lazy()
        .select([col("__gid"), col("day")])
        .explode(
            by_name(["day"], true, false),
            ExplodeOptions {
                empty_as_null: false,
                keep_nulls: false,
            },
        )
        .with_columns([when(col("__gid").eq(col("__gid").shift(lit(1))))
            .then(col("day") - col("day").shift(lit(1)))
            .otherwise(lit(NULL))
            .alias("gap")])
        .group_by([col("__gid")])
        .agg([
            col("day").min().alias("first_day"),
            col("day").max().alias("last_day"),
            len().cast(DataType::Int64).alias("shipping_days"),
            col("gap").median().alias("typical_gap"),
            col("gap").count().cast(DataType::Int64).alias("gaps"),
            // days are in order within a customer: the last gap is the last one
            col("gap").last().alias("last_gap"),
        ]);
    let df = per_customer
        .lazy()
        .drop(by_name(["day"], true, false))
        .join(
            gaps,
            [col("__gid")],
            [col("__gid")],
            JoinArgs::new(JoinType::Left),
        )
        .sort(["customer_id"], Default::default())
        .collect()?;
    if df.height() == 0 {
        return Err(Error::Input(window.empty_message("shipments")));
    }

    let ids: Vec<String> = df
        .column("customer_id")?
        .str()?
        .iter()
        .map(|v| v.unwrap_or("").to_string())
        .collect();
    let names = if schema.contains("customer_name") {
        Some(
            df.column("customer_name")?
                .str()?
                .iter()
                .map(|v| v.map(str::to_string))
                .collect(),
        )
    } else {
        None
    };
    let first_row = ints(&df, "first_row")?;
    let last_row = ints(&df, "last_row")?;
    let first_day = ints(&df, "first_day")?;
    let last_day = ints(&df, "last_day")?;
    let ship_days = ints(&df, "shipping_days")?;
    let own_gap = floats(&df, "typical_gap")?;
    let gap_count = ints(&df, "gaps")?;
    let last_gap = ints(&df, "last_gap")?;
    let recent = ints(&df, "revenue_recent")?;
    let prior = ints(&df, "revenue_prior")?;
    let trailing = ints(&df, "revenue_365")?;

    let n = ids.len();
    let has_own = |i: usize| gap_count[i].unwrap_or(0) >= 2;
    let own: Vec<f64> = (0..n)
        .filter(|&i| has_own(i))
        .filter_map(|i| own_gap[i])
        .collect();
    let population_gap = median_f64(&own);

    let mut c = Customers {
        as_of: Some(as_of),
        population_gap,
        customer_name: names,
        ..Default::default()
    };
    for i in 0..n {
        // A customer with only credit notes has no shipping day: dates of the notes instead.
        let first = first_day[i].or(first_row[i]).unwrap_or(a);
        let last = last_day[i].or(last_row[i]).unwrap_or(a);
        let (typical, source) = match (has_own(i), population_gap) {
            (true, _) => (own_gap[i], "own"),
            (false, Some(p)) => (Some(p), "population"),
            (false, None) => (None, "none"),
        };
        let since = a - last;
        let ratio = typical.filter(|t| *t > 0.0).map(|t| since as f64 / t);
        let status = status_of(rules, a - first, since, typical, last_gap[i]);
        let (r, p) = (recent[i].unwrap_or(0), prior[i].unwrap_or(0));
        c.customer_id.push(ids[i].clone());
        c.first_date.push(date_from_days(first as i32));
        c.last_date.push(date_from_days(last as i32));
        c.shipping_days.push(ship_days[i].unwrap_or(0));
        c.typical_gap_days.push(typical);
        c.gap_source.push(source);
        c.days_since_last.push(since);
        c.gap_ratio.push(ratio);
        c.last_gap_days.push(last_gap[i]);
        c.status.push(status);
        c.revenue_recent.push(r);
        c.revenue_prior.push(p);
        c.revenue_365.push(trailing[i].unwrap_or(0));
        c.change.push((p > 0).then(|| (r - p) as f64 / p as f64));
        c.declining.push(is_declining(r, p, rules.drop_pct));
    }
    Ok(c)
}

/// The status rules, in order: new, churned, at_risk, reactivated, active.
/// `age` = as_of − first shipment, `since` = as_of − last shipment (days).
pub fn status_of(
    rules: &Rules,
    age: i64,
    since: i64,
    typical: Option<f64>,
    last_gap: Option<i64>,
) -> &'static str {
    let over = |days: i64, ratio: f64| typical.is_some_and(|t| days as f64 > ratio * t);
    if age <= rules.new_days {
        "new"
    } else if over(since, rules.churn_ratio) || since > rules.max_idle {
        "churned"
    } else if over(since, rules.risk_ratio) {
        "at_risk"
    } else if last_gap.is_some_and(|g| over(g, rules.churn_ratio) || g > rules.max_idle) {
        "reactivated"
    } else {
        "active"
    }
}

/// Revenue fell by at least `drop_pct` percent: 100 × recent ≤ (100 − drop) × prior, prior > 0.
pub fn is_declining(recent: i64, prior: i64, drop_pct: Decimal) -> bool {
    if prior <= 0 {
        return false;
    }
    Decimal::from(recent) * Decimal::from(100)
        <= (Decimal::from(100) - drop_pct) * Decimal::from(prior)
}

/// Median: the middle value, or the mean of the middle two.
pub fn median_f64(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

/// Row order for output: value at risk descending, then customer id.
pub fn order_by_risk(value_at_risk: &[f64], ids: &[String]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..ids.len()).collect();
    order.sort_by(|&a, &b| {
        value_at_risk[b]
            .total_cmp(&value_at_risk[a])
            .then(ids[a].cmp(&ids[b]))
    });
    order
}

/// BG/NBD inputs in lifetimes' day conventions, for the customers with at least one shipping
/// day (a customer with only credit notes never purchased): their indexes, and x = shipping
/// days − 1, t_x = last − first, T = as_of − first.
pub fn bgnbd_inputs(c: &Customers) -> (Vec<usize>, Vec<f64>, Vec<f64>, Vec<f64>) {
    let a = c.as_of.map_or(0, days_since_epoch) as f64;
    let (mut idx, mut x, mut tx, mut t) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for i in 0..c.len() {
        if c.shipping_days[i] < 1 {
            continue;
        }
        let first = days_since_epoch(c.first_date[i]) as f64;
        let last = days_since_epoch(c.last_date[i]) as f64;
        idx.push(i);
        x.push((c.shipping_days[i] - 1) as f64);
        tx.push(last - first);
        t.push(a - first);
    }
    (idx, x, tx, t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn status_rules_in_order() {
        let r = Rules::default();
        // first shipment 90 days ago → new, whatever else
        assert_eq!(status_of(&r, 90, 80, Some(10.0), None), "new");
        assert_eq!(status_of(&r, 91, 80, Some(10.0), None), "churned");
        // ratio exactly 4 is not churned (strictly greater), but above 2 → at_risk
        assert_eq!(status_of(&r, 400, 40, Some(10.0), None), "at_risk");
        assert_eq!(status_of(&r, 400, 41, Some(10.0), None), "churned");
        // ratio exactly 2 → active; just above → at_risk
        assert_eq!(status_of(&r, 400, 20, Some(10.0), Some(10)), "active");
        assert_eq!(status_of(&r, 400, 21, Some(10.0), Some(10)), "at_risk");
        // idle over a year → churned even with a long rhythm
        assert_eq!(status_of(&r, 900, 366, Some(200.0), None), "churned");
        assert_eq!(status_of(&r, 900, 365, Some(200.0), None), "active");
        // came back after a gap of > 4 × typical → reactivated
        assert_eq!(status_of(&r, 400, 5, Some(10.0), Some(41)), "reactivated");
        assert_eq!(status_of(&r, 400, 5, Some(10.0), Some(40)), "active");
        // after more than max_idle
        assert_eq!(status_of(&r, 900, 5, Some(200.0), Some(366)), "reactivated");
        // no typical gap at all: only the idle rules apply
        assert_eq!(status_of(&r, 400, 100, None, None), "active");
        // half-day median: 4 × 2.5 = 10 → 10 not churned, 11 churned
        assert_eq!(status_of(&r, 400, 10, Some(2.5), None), "at_risk");
        assert_eq!(status_of(&r, 400, 11, Some(2.5), None), "churned");
    }

    #[test]
    fn declining_is_exact_at_the_boundary() {
        let drop = Decimal::from(30);
        assert!(is_declining(70, 100, drop));
        assert!(!is_declining(71, 100, drop));
        assert!(!is_declining(0, 0, drop));
        assert!(is_declining(-5, 100, drop));
        assert!(!is_declining(100, -5, drop));
    }

    #[test]
    fn medians_of_gaps() {
        assert_eq!(median_f64(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median_f64(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median_f64(&[]), None);
    }

    fn frame(rows: &[(&str, &str, i64)]) -> DataFrame {
        let days: Vec<i32> = rows.iter().map(|r| days_since_epoch(d(r.1))).collect();
        DataFrame::new(
            rows.len(),
            vec![
                Column::new(
                    "customer_id".into(),
                    rows.iter().map(|r| r.0).collect::<Vec<_>>(),
                ),
                Int32Chunked::new("ship_date".into(), &days)
                    .into_series()
                    .into_date()
                    .into(),
                Column::new(
                    "revenue".into(),
                    rows.iter().map(|r| r.2).collect::<Vec<_>>(),
                ),
            ],
        )
        .unwrap()
    }

    #[test]
    fn customers_by_their_own_rhythm() {
        let rows = [
            // A: days 0, 10, 20, 30 (gaps 10, 10, 10) → typical 10; last 2024-01-31
            ("A", "2024-01-01", 100),
            ("A", "2024-01-11", 100),
            ("A", "2024-01-21", 100),
            ("A", "2024-01-31", 100),
            ("A", "2024-01-31", 50), // same day: one shipping day
            // B: gaps 30, 60 → median 45; one credit note later (not a shipment)
            ("B", "2023-10-01", 1000),
            ("B", "2023-10-31", 1000),
            ("B", "2023-12-30", 1000),
            ("B", "2024-02-20", -200),
            // C: one shipment only → population gap
            ("C", "2024-03-31", 10),
        ];
        let c = compute(frame(&rows).lazy(), &Window::default(), &Rules::default()).unwrap();
        assert_eq!(c.as_of, Some(d("2024-03-31")));
        assert_eq!(c.customer_id, vec!["A", "B", "C"]);
        assert_eq!(c.shipping_days, vec![4, 3, 1]);
        assert_eq!(c.typical_gap_days, vec![Some(10.0), Some(45.0), Some(27.5)]);
        assert_eq!(c.gap_source, vec!["own", "own", "population"]);
        assert_eq!(c.population_gap, Some(27.5));
        // A: first shipment 2024-01-01 is exactly 90 days before as_of → new (although its
        // ratio 60 / 10 = 6 would be churned); B: 92 / 45 = 2.04 → at_risk
        assert_eq!(c.days_since_last, vec![60, 92, 0]);
        assert_eq!(c.status, vec!["new", "at_risk", "new"]);
        // recent = (2024-01-01, 2024-03-31], prior = (2023-10-03, 2024-01-01]
        // A: recent 100 + 100 + 150 (01-01 is in the prior window); B: only the credit note
        assert_eq!(c.revenue_recent, vec![350, -200, 10]);
        assert_eq!(c.revenue_prior, vec![100, 2000, 0]);
        assert_eq!(c.declining, vec![false, true, false]);
        assert_eq!(c.change[0], Some(2.5));
        assert_eq!(c.change[1], Some(-1.1));
        assert_eq!(c.change[2], None);
        assert_eq!(c.last_gap_days, vec![Some(10), Some(60), None]);
        assert_eq!(c.revenue_365, vec![450, 2800, 10]);
    }

    #[test]
    fn bgnbd_inputs_follow_lifetimes() {
        let rows = [
            ("A", "2024-01-01", 1),
            ("A", "2024-01-11", 1),
            ("A", "2024-01-11", 1),
            ("B", "2024-01-21", 1),
        ];
        let c = compute(frame(&rows).lazy(), &Window::default(), &Rules::default()).unwrap();
        let (idx, x, tx, t) = bgnbd_inputs(&c);
        assert_eq!(idx, vec![0, 1]);
        assert_eq!(x, vec![1.0, 0.0]);
        assert_eq!(tx, vec![10.0, 0.0]);
        assert_eq!(t, vec![20.0, 0.0]);
    }
}
