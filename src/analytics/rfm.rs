//! RFM scores, named segments and the value pyramid (`crm-cli tier`).
//!
//! The per-row work (window filter, per-customer aggregation) runs in polars over a LazyFrame;
//! the per-customer scoring rules (ties, ranks, pyramid bounds) run over the aggregated columns
//! in integer arithmetic, exactly as docs/metrics.md defines them.

use chrono::NaiveDate;
use polars::prelude::*;
use rust_decimal::Decimal;

use super::activity;
use super::rollup;
use super::window::Window;
use crate::error::{Error, Result};
use crate::io::load::{date_from_days, days_since_epoch};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frequency {
    /// Distinct shipment ids (a row without id counts as its own shipment); rows without the column.
    Shipments,
    /// Distinct shipping days.
    Days,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    Revenue,
    /// revenue − cost (an empty cost counts as 0).
    Margin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScoreMethod {
    Percentile,
    Rank,
}

/// Four ascending thresholds per dimension; money thresholds in minor units.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bins {
    pub r: Option<[i64; 4]>,
    pub f: Option<[i64; 4]>,
    pub m: Option<[i64; 4]>,
}

/// A named segment: inclusive score ranges for R, F and M.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentRule {
    pub name: String,
    pub r: (u8, u8),
    pub f: (u8, u8),
    pub m: (u8, u8),
}

impl SegmentRule {
    pub fn new(name: &str, r: (u8, u8), f: (u8, u8), m: (u8, u8)) -> Self {
        SegmentRule {
            name: name.to_string(),
            r,
            f,
            m,
        }
    }
    pub fn matches(&self, r: u8, f: u8, m: u8) -> bool {
        (self.r.0..=self.r.1).contains(&r)
            && (self.f.0..=self.f.1).contains(&f)
            && (self.m.0..=self.m.1).contains(&m)
    }
}

/// The label of customers no rule matches.
pub const OTHERS: &str = "Others";

/// The default segment rules, in order (first match wins).
pub fn default_segments() -> Vec<SegmentRule> {
    vec![
        SegmentRule::new("Champions", (4, 5), (4, 5), (4, 5)),
        SegmentRule::new("Can't Lose Them", (1, 1), (4, 5), (4, 5)),
        SegmentRule::new("Loyal Customers", (2, 5), (3, 5), (3, 5)),
        SegmentRule::new("New Customers", (4, 5), (1, 1), (1, 1)),
        SegmentRule::new("Promising", (3, 4), (1, 1), (1, 1)),
        SegmentRule::new("Potential Loyalist", (3, 5), (1, 3), (1, 3)),
        SegmentRule::new("Need Attention", (2, 3), (2, 3), (2, 3)),
        SegmentRule::new("About To Sleep", (2, 3), (1, 2), (1, 2)),
        SegmentRule::new("At Risk", (1, 2), (2, 5), (2, 5)),
        SegmentRule::new("Lost", (1, 2), (1, 2), (1, 2)),
    ]
}

/// Indexes of rules that can never match because earlier rules cover every score they accept.
pub fn unreachable_rules(rules: &[SegmentRule]) -> Vec<usize> {
    (0..rules.len())
        .filter(|&j| {
            let rule = &rules[j];
            !(1..=5u8).any(|r| {
                (1..=5u8).any(|f| {
                    (1..=5u8).any(|m| {
                        rule.matches(r, f, m) && !rules[..j].iter().any(|e| e.matches(r, f, m))
                    })
                })
            })
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tiering {
    /// Cumulative percent bounds of VIP, Key and General (e.g. 1, 5, 20).
    Pyramid { cum_pct: [Decimal; 3] },
    /// Annualised spend thresholds in minor units: Large ≥ large, Medium ≥ medium.
    Spend { large: i128, medium: i128 },
}

pub const PYRAMID_TIERS: [&str; 4] = ["VIP", "Key", "General", "Small"];
pub const SPEND_TIERS: [&str; 3] = ["Large", "Medium", "Small"];

impl Tiering {
    pub fn labels(&self) -> &'static [&'static str] {
        match self {
            Tiering::Pyramid { .. } => &PYRAMID_TIERS,
            Tiering::Spend { .. } => &SPEND_TIERS,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Params {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub as_of: Option<NaiveDate>,
    pub frequency: Frequency,
    pub value: Value,
    pub scores: ScoreMethod,
    pub bins: Bins,
    pub segments: Vec<SegmentRule>,
    pub tiering: Tiering,
    /// Column whose values form groups scored apart.
    pub group: Option<String>,
    /// Money columns are minor units at this scale.
    pub money_scale: u32,
    /// What the loader found of the shipment ids.
    pub ids: activity::Ids,
}

/// One row per customer (and group), in output order: group ascending, monetary descending,
/// customer id ascending.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Customers {
    pub as_of: Option<NaiveDate>,
    /// First day of the window: --from, else the earliest ship date on or before as_of.
    pub window_start: Option<NaiveDate>,
    /// Rows in the window.
    pub rows: usize,
    /// Rows read, in the window or not.
    pub loaded_rows: usize,
    /// Rows of the window with an empty cost (counted as 0 in margin).
    pub rows_without_cost: usize,
    pub group: Option<Vec<Option<String>>>,
    pub customer_id: Vec<String>,
    pub customer_name: Option<Vec<Option<String>>>,
    pub first_date: Vec<NaiveDate>,
    pub last_date: Vec<NaiveDate>,
    pub recency_days: Vec<i64>,
    pub frequency: Vec<i64>,
    /// Minor units.
    pub monetary: Vec<i64>,
    pub r: Vec<u8>,
    pub f: Vec<u8>,
    pub m: Vec<u8>,
    pub segment: Vec<String>,
    pub tier: Vec<&'static str>,
    /// Spend tiers only: monetary × 365 / window days, in minor units, rounded half away from zero.
    pub annualised: Option<Vec<i64>>,
    pub share: Vec<Option<f64>>,
    pub cum_share: Vec<Option<f64>>,
}

impl Customers {
    pub fn len(&self) -> usize {
        self.customer_id.len()
    }
    pub fn is_empty(&self) -> bool {
        self.customer_id.is_empty()
    }
    /// Ranges of rows that share a group (the whole table without --by).
    pub fn group_ranges(&self) -> Vec<std::ops::Range<usize>> {
        group_ranges(self.group.as_deref(), self.len())
    }
}

/// Ranges of consecutive rows sharing a group value (rows sorted by group); one range of all
/// rows without groups.
pub fn group_ranges(group: Option<&[Option<String>]>, n: usize) -> Vec<std::ops::Range<usize>> {
    let Some(g) = group else {
        return if n == 0 {
            Vec::new()
        } else {
            std::iter::once(0..n).collect()
        };
    };
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=n {
        if i == n || g[i] != g[start] {
            out.push(start..i);
            start = i;
        }
    }
    out
}

/// What [`compute`] reads of the shipments: one row per customer (and group) of the window.
pub fn rollup_spec(params: &Params) -> rollup::Rollup {
    let (from, to) = rollup::window_range(&params.window());
    let margin = params.value == Value::Margin;
    let mut keys: Vec<String> = params.group.iter().cloned().collect();
    keys.push("customer_id".into());
    rollup::Rollup {
        keys,
        sums: if margin {
            vec!["revenue".into(), "cost".into()]
        } else {
            vec!["revenue".into()]
        },
        null_counts: if margin { vec!["cost".into()] } else { vec![] },
        last: vec!["customer_name".into()],
        from,
        to,
        shipments: params.frequency == Frequency::Shipments,
        by_day: params.frequency == Frequency::Days,
    }
}

impl Params {
    pub fn window(&self) -> Window {
        Window {
            from: self.from,
            to: self.to,
            as_of: self.as_of,
        }
    }
}

/// Aggregate shipments per customer and score them.
///
/// The shipments have the loader's columns: `customer_id`, `ship_date`, `revenue`, and
/// optionally `shipment_id`, `customer_name`, `cost` and the group column; or they are
/// already summed up by [`rollup_spec`].
pub fn compute(shipments: rollup::Shipments, params: &Params) -> Result<Customers> {
    let window = params.window();
    let rolled = shipments.rolled(&rollup_spec(params), params.ids)?;
    let rollup::Windowed {
        lf,
        as_of,
        loaded_rows,
    } = rollup::window(rolled, &window, "shipments")?;
    let schema = lf.clone().collect_schema()?;
    let has = |c: &str| schema.contains(c);

    let value = match params.value {
        Value::Revenue => col("revenue"),
        Value::Margin => {
            if !has("cost") {
                return Err(Error::Input(
                    "--value margin needs a cost column (map one with --map cost=HEADER)".into(),
                ));
            }
            col("revenue") - col("cost")
        }
    };
    let frequency = match params.frequency {
        Frequency::Shipments => rollup::shipments(&schema),
        Frequency::Days => rollup::shipping_days(),
    };
    let mut keys = Vec::new();
    if let Some(g) = &params.group {
        keys.push(col(g.as_str()));
    }
    keys.push(col("customer_id"));
    let mut aggs = vec![
        rollup::first_day().alias("first"),
        rollup::first_row_day().alias("first_row"),
        rollup::last_day().alias("last"),
        frequency.alias("frequency"),
        value.sum().alias("monetary"),
        rollup::rows().alias("rows"),
    ];
    if has("customer_name") {
        aggs.push(rollup::last_text("customer_name"));
    }
    let no_cost = has(&rollup::nulls("cost"));
    if no_cost {
        aggs.push(rollup::null_count("cost").alias("no_cost"));
    }
    let agg = lf.group_by(keys).agg(aggs).collect()?;
    if agg.height() == 0 {
        return Err(Error::Input(window.empty_message("shipments")));
    }

    let ids: Vec<String> = agg
        .column("customer_id")?
        .str()?
        .iter()
        .map(|v| v.unwrap_or("").to_string())
        .collect();
    let group: Option<Vec<Option<String>>> = match &params.group {
        Some(g) => Some(
            agg.column(g.as_str())?
                .cast(&DataType::String)?
                .str()?
                .iter()
                .map(|v| v.map(str::to_string))
                .collect(),
        ),
        None => None,
    };
    let names: Option<Vec<Option<String>>> = if has("customer_name") {
        Some(
            agg.column("customer_name")?
                .str()?
                .iter()
                .map(|v| v.map(str::to_string))
                .collect(),
        )
    } else {
        None
    };
    let int32 = |name: &str| -> Result<Vec<i32>> {
        Ok(agg
            .column(name)?
            .i32()?
            .iter()
            .map(|v| v.unwrap_or(0))
            .collect())
    };
    let int64 = |name: &str| -> Result<Vec<i64>> {
        Ok(agg
            .column(name)?
            .i64()?
            .iter()
            .map(|v| v.unwrap_or(0))
            .collect())
    };
    let first = int32("first")?;
    let last = int32("last")?;
    let freq = int64("frequency")?;
    let monetary = int64("monetary")?;
    let rows: i64 = int64("rows")?.iter().sum();
    let no_cost: i64 = if no_cost {
        int64("no_cost")?.iter().sum()
    } else {
        0
    };
    let window_start = match params.from {
        Some(f) => f,
        None => date_from_days(int32("first_row")?.iter().copied().min().unwrap_or(0)),
    };

    // Output order: group, monetary descending, id ascending.
    let n = ids.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| {
        let g = match &group {
            Some(g) => g[a].cmp(&g[b]),
            None => std::cmp::Ordering::Equal,
        };
        g.then(monetary[b].cmp(&monetary[a]))
            .then(ids[a].cmp(&ids[b]))
    });
    let pick = |v: &[i64]| -> Vec<i64> { order.iter().map(|&i| v[i]).collect() };
    let as_of_days = days_since_epoch(as_of) as i64;
    let mut out = Customers {
        as_of: Some(as_of),
        window_start: Some(window_start),
        rows: rows as usize,
        loaded_rows,
        rows_without_cost: no_cost as usize,
        group: group
            .as_ref()
            .map(|g| order.iter().map(|&i| g[i].clone()).collect()),
        customer_id: order.iter().map(|&i| ids[i].clone()).collect(),
        customer_name: names
            .as_ref()
            .map(|v| order.iter().map(|&i| v[i].clone()).collect()),
        first_date: order.iter().map(|&i| date_from_days(first[i])).collect(),
        last_date: order.iter().map(|&i| date_from_days(last[i])).collect(),
        recency_days: order.iter().map(|&i| as_of_days - last[i] as i64).collect(),
        frequency: pick(&freq),
        monetary: pick(&monetary),
        ..Default::default()
    };
    score(&mut out, params, as_of, window_start);
    Ok(out)
}

/// Scores, segments, tiers and shares within each group; `c` is already in output order.
fn score(c: &mut Customers, params: &Params, as_of: NaiveDate, window_start: NaiveDate) {
    let n = c.len();
    c.r = vec![0; n];
    c.f = vec![0; n];
    c.m = vec![0; n];
    c.tier = vec![""; n];
    c.share = vec![None; n];
    c.cum_share = vec![None; n];
    let window_days = (as_of - window_start).num_days() + 1;
    let mut annualised = vec![0i64; n];
    for range in c.group_ranges() {
        let ids: Vec<&str> = c.customer_id[range.clone()]
            .iter()
            .map(String::as_str)
            .collect();
        let neg_recency: Vec<i64> = c.recency_days[range.clone()].iter().map(|r| -r).collect();
        let recency = &c.recency_days[range.clone()];
        let freq = &c.frequency[range.clone()];
        let mon = &c.monetary[range.clone()];
        let r = match (params.bins.r, params.scores) {
            (Some(t), _) => recency.iter().map(|&v| recency_bin(v, &t)).collect(),
            (None, ScoreMethod::Percentile) => percentile_scores(&neg_recency),
            (None, ScoreMethod::Rank) => rank_scores(recency, &ids)
                .into_iter()
                .map(|k| 6 - k)
                .collect(),
        };
        let f = dimension_scores(freq, &ids, params.bins.f, params.scores);
        let m = dimension_scores(mon, &ids, params.bins.m, params.scores);
        c.r[range.clone()].copy_from_slice(&r);
        c.f[range.clone()].copy_from_slice(&f);
        c.m[range.clone()].copy_from_slice(&m);

        // Rows are in monetary-descending order with id tie-break, so position = monetary rank.
        let tiers: Vec<&'static str> = match &params.tiering {
            Tiering::Pyramid { cum_pct } => pyramid_tiers(range.len(), cum_pct),
            Tiering::Spend { large, medium } => mon
                .iter()
                .map(|&v| spend_tier(v, window_days, *large, *medium))
                .collect(),
        };
        c.tier[range.clone()].copy_from_slice(&tiers);
        for (i, &v) in mon.iter().enumerate() {
            annualised[range.start + i] = annualise(v, window_days);
        }

        let (share, cum) = shares(mon);
        c.share[range.clone()].copy_from_slice(&share);
        c.cum_share[range.clone()].copy_from_slice(&cum);
    }
    c.segment = (0..n)
        .map(|i| segment_of(&params.segments, c.r[i], c.f[i], c.m[i]).to_string())
        .collect();
    if matches!(params.tiering, Tiering::Spend { .. }) {
        c.annualised = Some(annualised);
    }
}

fn dimension_scores(
    values: &[i64],
    ids: &[&str],
    bins: Option<[i64; 4]>,
    method: ScoreMethod,
) -> Vec<u8> {
    match (bins, method) {
        (Some(t), _) => values.iter().map(|&v| value_bin(v, &t)).collect(),
        (None, ScoreMethod::Percentile) => percentile_scores(values),
        (None, ScoreMethod::Rank) => rank_scores(values, ids),
    }
}

/// Percentile scores, higher value better: 1 + floor(5 × W / N) capped at 5, where W is the number
/// of values strictly smaller. Ties share a score.
///
/// ```
/// use crm_cli::analytics::rfm::percentile_scores;
/// // N = 10; the two 1s have W = 0, the three 3s W = 3, the 7 has W = 9.
/// assert_eq!(percentile_scores(&[1, 1, 2, 3, 3, 3, 4, 5, 6, 7]), [1, 1, 2, 2, 2, 2, 4, 4, 5, 5]);
/// ```
pub fn percentile_scores(values: &[i64]) -> Vec<u8> {
    let n = values.len();
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    values
        .iter()
        .map(|v| {
            let worse = sorted.partition_point(|x| x < v);
            (1 + 5 * worse / n).min(5) as u8
        })
        .collect()
}

/// pandas `qcut(x.rank(method="first"), 5, labels=[1..5])` with rows in ascending id order:
/// rank i of N (ties broken by id) gets the smallest k in 1..=5 with i ≤ 1 + (N − 1)·k/5.
pub fn rank_scores(values: &[i64], ids: &[&str]) -> Vec<u8> {
    let n = values.len();
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_by(|&a, &b| {
        values[a]
            .cmp(&values[b])
            .then(ids[a].as_bytes().cmp(ids[b].as_bytes()))
    });
    let mut out = vec![1u8; n];
    for (pos, &i) in idx.iter().enumerate() {
        out[i] = qcut_bin(pos + 1, n);
    }
    out
}

/// Smallest k in 1..=5 with i ≤ 1 + (n − 1)·k/5, in integer arithmetic: 5(i − 1) ≤ (n − 1)k.
///
/// ```
/// use crm_cli::analytics::rfm::qcut_bin;
/// // pandas qcut edges for ranks 1..=7: 1, 2.2, 3.4, 4.6, 5.8, 7
/// let bins: Vec<u8> = (1..=7).map(|i| qcut_bin(i, 7)).collect();
/// assert_eq!(bins, [1, 1, 2, 3, 4, 5, 5]);
/// ```
pub fn qcut_bin(i: usize, n: usize) -> u8 {
    if n <= 1 {
        return 1;
    }
    let num = 5 * (i - 1);
    let den = n - 1;
    num.div_ceil(den).clamp(1, 5) as u8
}

/// F/M with fixed thresholds: 1 + number of thresholds ≤ value.
pub fn value_bin(v: i64, t: &[i64; 4]) -> u8 {
    1 + t.iter().filter(|&&x| x <= v).count() as u8
}

/// R with fixed thresholds in days: 5 − number of thresholds < recency.
pub fn recency_bin(recency: i64, t: &[i64; 4]) -> u8 {
    5 - t.iter().filter(|&&x| x < recency).count() as u8
}

pub fn segment_of(rules: &[SegmentRule], r: u8, f: u8, m: u8) -> &str {
    rules
        .iter()
        .find(|rule| rule.matches(r, f, m))
        .map_or(OTHERS, |rule| rule.name.as_str())
}

/// Tier by position in monetary order: VIP up to ceil(c1% × N), Key up to ceil(c2% × N),
/// General up to ceil(c3% × N), Small after.
pub fn pyramid_tiers(n: usize, cum_pct: &[Decimal; 3]) -> Vec<&'static str> {
    let bounds: Vec<usize> = cum_pct.iter().map(|p| pyramid_bound(n, *p)).collect();
    (1..=n)
        .map(|pos| match bounds.iter().position(|&b| pos <= b) {
            Some(k) => PYRAMID_TIERS[k],
            None => PYRAMID_TIERS[3],
        })
        .collect()
}

/// ceil(pct × n / 100), exact.
pub fn pyramid_bound(n: usize, pct: Decimal) -> usize {
    let v = (pct * Decimal::from(n) / Decimal::from(100)).ceil();
    v.try_into().unwrap_or(usize::MAX)
}

/// Large when monetary × 365 ≥ large × days, Medium when ≥ medium × days (exact, minor units).
pub fn spend_tier(monetary: i64, window_days: i64, large: i128, medium: i128) -> &'static str {
    let yearly = monetary as i128 * 365;
    let days = window_days.max(1) as i128;
    if yearly >= large * days {
        SPEND_TIERS[0]
    } else if yearly >= medium * days {
        SPEND_TIERS[1]
    } else {
        SPEND_TIERS[2]
    }
}

/// monetary × 365 / days in minor units, rounded half away from zero.
pub fn annualise(monetary: i64, window_days: i64) -> i64 {
    let num = monetary as i128 * 365;
    let den = window_days.max(1) as i128;
    let q = num / den;
    let rem = num % den;
    let adj = if 2 * rem.abs() >= den {
        num.signum()
    } else {
        0
    };
    (q + adj) as i64
}

/// share = value / total and cum_share = running total / total, in the given order; None when
/// the total is not positive.
pub fn shares(values: &[i64]) -> (Vec<Option<f64>>, Vec<Option<f64>>) {
    let total: i128 = values.iter().map(|&v| v as i128).sum();
    if total <= 0 {
        return (vec![None; values.len()], vec![None; values.len()]);
    }
    let mut run: i128 = 0;
    let mut share = Vec::with_capacity(values.len());
    let mut cum = Vec::with_capacity(values.len());
    for &v in values {
        run += v as i128;
        share.push(Some(v as f64 / total as f64));
        cum.push(Some(run as f64 / total as f64));
    }
    (share, cum)
}

/// Median of integers: the middle value, or the mean of the middle two.
pub fn median(values: &[i64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_unstable();
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2] as f64
    } else {
        (v[n / 2 - 1] as f64 + v[n / 2] as f64) / 2.0
    })
}

/// One row of a summary table (per tier or per segment).
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryRow {
    pub group: Option<String>,
    pub label: String,
    pub customers: usize,
    pub customers_share: Option<f64>,
    pub monetary: i128,
    pub monetary_share: Option<f64>,
    pub median_recency_days: Option<f64>,
    pub median_frequency: Option<f64>,
}

/// Per group: one row per tier (all tiers, in pyramid order) and one per segment (rules in order,
/// then Others; only segments with customers).
pub fn summarize(c: &Customers, params: &Params) -> (Vec<SummaryRow>, Vec<SummaryRow>) {
    let mut tiers = Vec::new();
    let mut segments = Vec::new();
    let mut seg_labels: Vec<&str> = params.segments.iter().map(|s| s.name.as_str()).collect();
    seg_labels.push(OTHERS);
    for range in c.group_ranges() {
        let group = c.group.as_ref().and_then(|g| g[range.start].clone());
        let n = range.len();
        let total: i128 = c.monetary[range.clone()].iter().map(|&v| v as i128).sum();
        let row = |label: &str, members: Vec<usize>| -> SummaryRow {
            let monetary: i128 = members.iter().map(|&i| c.monetary[i] as i128).sum();
            let rec: Vec<i64> = members.iter().map(|&i| c.recency_days[i]).collect();
            let freq: Vec<i64> = members.iter().map(|&i| c.frequency[i]).collect();
            SummaryRow {
                group: group.clone(),
                label: label.to_string(),
                customers: members.len(),
                customers_share: (n > 0).then(|| members.len() as f64 / n as f64),
                monetary,
                monetary_share: (total > 0).then(|| monetary as f64 / total as f64),
                median_recency_days: median(&rec),
                median_frequency: median(&freq),
            }
        };
        for label in params.tiering.labels() {
            let members: Vec<usize> = range.clone().filter(|&i| c.tier[i] == *label).collect();
            tiers.push(row(label, members));
        }
        for label in &seg_labels {
            let members: Vec<usize> = range.clone().filter(|&i| c.segment[i] == *label).collect();
            if !members.is_empty() {
                segments.push(row(label, members));
            }
        }
    }
    (tiers, segments)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn percentile_ties_share_a_score() {
        // N = 10: W = 0,0,2,3,3,3,6,7,8,9 → 1 + floor(5W/10)
        let v = [1, 1, 2, 3, 3, 3, 4, 5, 6, 7];
        assert_eq!(percentile_scores(&v), vec![1, 1, 2, 2, 2, 2, 4, 4, 5, 5]);
        // everyone tied → all 1
        assert_eq!(percentile_scores(&[5, 5, 5]), vec![1, 1, 1]);
        // N = 3: W = 0, 1, 2 → 1, 2, 4
        assert_eq!(percentile_scores(&[10, 20, 30]), vec![1, 2, 4]);
        assert_eq!(percentile_scores(&[42]), vec![1]);
    }

    #[test]
    fn qcut_bins_match_the_formula() {
        // N = 6: edges 1, 2, 3, 4, 5, 6 → ranks 1..6 → bins 1,1,2,3,4,5
        let got: Vec<u8> = (1..=6).map(|i| qcut_bin(i, 6)).collect();
        assert_eq!(got, vec![1, 1, 2, 3, 4, 5]);
        // N = 7: edges 1, 2.2, 3.4, 4.6, 5.8, 7 → 1,1,2,3,4,5,5
        let got: Vec<u8> = (1..=7).map(|i| qcut_bin(i, 7)).collect();
        assert_eq!(got, vec![1, 1, 2, 3, 4, 5, 5]);
        // N = 10: edges 1, 2.8, 4.6, 6.4, 8.2, 10
        let got: Vec<u8> = (1..=10).map(|i| qcut_bin(i, 10)).collect();
        assert_eq!(got, vec![1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
        assert_eq!(qcut_bin(1, 1), 1);
    }

    #[test]
    fn rank_scores_break_ties_by_id() {
        // All equal: ranks follow id order B < a? byte order: "B" (0x42) < "a" (0x61)
        let ids = ["a", "B", "c", "d", "e"];
        let got = rank_scores(&[7, 7, 7, 7, 7], &ids);
        // ranks: B=1, a=2, c=3, d=4, e=5; N=5 edges 1,1.8,2.6,3.4,4.2,5 → 1,2,3,4,5
        assert_eq!(got, vec![2, 1, 3, 4, 5]);
    }

    #[test]
    fn fixed_bins() {
        let t = [30, 60, 90, 180];
        assert_eq!(recency_bin(0, &t), 5);
        assert_eq!(recency_bin(30, &t), 5);
        assert_eq!(recency_bin(31, &t), 4);
        assert_eq!(recency_bin(180, &t), 2);
        assert_eq!(recency_bin(181, &t), 1);
        let t = [2, 5, 10, 20];
        assert_eq!(value_bin(1, &t), 1);
        assert_eq!(value_bin(2, &t), 2);
        assert_eq!(value_bin(19, &t), 4);
        assert_eq!(value_bin(20, &t), 5);
    }

    #[test]
    fn default_segments_are_all_reachable() {
        assert_eq!(unreachable_rules(&default_segments()), Vec::<usize>::new());
        let rules = vec![
            SegmentRule::new("All", (1, 5), (1, 5), (1, 5)),
            SegmentRule::new("Hidden", (5, 5), (5, 5), (5, 5)),
        ];
        assert_eq!(unreachable_rules(&rules), vec![1]);
    }

    #[test]
    fn segments_first_match_wins() {
        let rules = default_segments();
        assert_eq!(segment_of(&rules, 5, 5, 5), "Champions");
        assert_eq!(segment_of(&rules, 1, 5, 5), "Can't Lose Them");
        assert_eq!(segment_of(&rules, 3, 4, 4), "Loyal Customers");
        assert_eq!(segment_of(&rules, 5, 1, 1), "New Customers");
        assert_eq!(segment_of(&rules, 3, 1, 1), "Promising");
        assert_eq!(segment_of(&rules, 5, 2, 3), "Potential Loyalist");
        assert_eq!(segment_of(&rules, 2, 3, 2), "Need Attention");
        assert_eq!(segment_of(&rules, 2, 1, 2), "About To Sleep");
        assert_eq!(segment_of(&rules, 1, 3, 2), "At Risk");
        assert_eq!(segment_of(&rules, 1, 1, 1), "Lost");
        // R=1, F=1, M=3 is matched by no default rule
        assert_eq!(segment_of(&rules, 1, 1, 3), OTHERS);
    }

    #[test]
    fn pyramid_bounds_are_cumulative_ceilings() {
        let p = [Decimal::from(1), Decimal::from(5), Decimal::from(20)];
        // N = 10: bounds ceil(0.1)=1, ceil(0.5)=1, ceil(2)=2
        assert_eq!(
            pyramid_tiers(10, &p),
            vec![
                "VIP", "General", "Small", "Small", "Small", "Small", "Small", "Small", "Small",
                "Small"
            ]
        );
        // N = 200: bounds 2, 10, 40
        let t = pyramid_tiers(200, &p);
        assert_eq!(t.iter().filter(|&&x| x == "VIP").count(), 2);
        assert_eq!(t.iter().filter(|&&x| x == "Key").count(), 8);
        assert_eq!(t.iter().filter(|&&x| x == "General").count(), 30);
        assert_eq!(t.iter().filter(|&&x| x == "Small").count(), 160);
        // N = 101: bounds ceil(1.01)=2, ceil(5.05)=6, ceil(20.2)=21
        let t = pyramid_tiers(101, &p);
        assert_eq!(t[1], "VIP");
        assert_eq!(t[2], "Key");
        assert_eq!(t[5], "Key");
        assert_eq!(t[6], "General");
        assert_eq!(t[20], "General");
        assert_eq!(t[21], "Small");
        assert_eq!(pyramid_bound(3, Decimal::new(5, 1)), 1);
    }

    #[test]
    fn spend_tiers_compare_exactly() {
        // scale 2: 500000.00 = 50_000_000 minor units; window 365 days
        let large = 50_000_000i128;
        let medium = 10_000_000i128;
        assert_eq!(spend_tier(50_000_000, 365, large, medium), "Large");
        assert_eq!(spend_tier(49_999_999, 365, large, medium), "Medium");
        assert_eq!(spend_tier(10_000_000, 365, large, medium), "Medium");
        assert_eq!(spend_tier(9_999_999, 365, large, medium), "Small");
        // half a year of 250000.00 annualises to 500000 exactly when the window is 182.5 days —
        // with 183 days it falls short.
        assert_eq!(spend_tier(25_000_000, 183, large, medium), "Medium");
        assert_eq!(annualise(100, 365), 100);
        assert_eq!(annualise(1, 2), 183); // 182.5 rounds away from zero
        assert_eq!(annualise(-1, 2), -183);
    }

    #[test]
    fn shares_are_none_when_total_not_positive() {
        let (s, c) = shares(&[50, 30, 20]);
        assert_eq!(s, vec![Some(0.5), Some(0.3), Some(0.2)]);
        assert_eq!(c[2], Some(1.0));
        let (s, _) = shares(&[5, -5]);
        assert_eq!(s, vec![None, None]);
    }

    #[test]
    fn medians() {
        assert_eq!(median(&[3, 1, 2]), Some(2.0));
        assert_eq!(median(&[4, 1, 2, 3]), Some(2.5));
        assert_eq!(median(&[]), None);
    }

    fn frame() -> DataFrame {
        let dates = [
            "2024-01-01",
            "2024-01-10",
            "2024-01-10",
            "2024-02-01",
            "2024-03-01",
            "2024-03-01",
        ];
        let days: Vec<i32> = dates.iter().map(|s| days_since_epoch(d(s))).collect();
        DataFrame::new(
            6,
            vec![
                Column::new("shipment_id".into(), ["S1", "S2", "S2", "S3", "S4", "S5"]),
                Column::new("customer_id".into(), ["A", "A", "A", "B", "B", "C"]),
                Int32Chunked::new("ship_date".into(), &days)
                    .into_series()
                    .into_date()
                    .into(),
                Column::new("revenue".into(), [1000i64, 250, 250, 99_999, 1, -500]),
                Column::new(
                    "cost".into(),
                    [
                        Some(400i64),
                        None,
                        Some(100),
                        Some(50_000),
                        Some(1),
                        Some(0),
                    ],
                ),
            ],
        )
        .unwrap()
    }

    fn params() -> Params {
        Params {
            from: None,
            to: None,
            as_of: None,
            frequency: Frequency::Shipments,
            value: Value::Revenue,
            scores: ScoreMethod::Percentile,
            bins: Bins::default(),
            segments: default_segments(),
            tiering: Tiering::Pyramid {
                cum_pct: [Decimal::from(1), Decimal::from(5), Decimal::from(20)],
            },
            group: None,
            money_scale: 2,
            ids: activity::Ids::MayRepeat,
        }
    }

    #[test]
    fn compute_aggregates_per_customer() {
        let c = compute(rollup::Shipments::Rows(frame().lazy()), &params()).unwrap();
        assert_eq!(c.as_of, Some(d("2024-03-01")));
        assert_eq!(c.window_start, Some(d("2024-01-01")));
        assert_eq!(c.customer_id, vec!["B", "A", "C"]);
        assert_eq!(c.monetary, vec![100_000, 1500, -500]);
        // A: S1, S2 (S2 twice); C has only a credit note: no shipment, dates from the note
        assert_eq!(c.frequency, vec![2, 2, 0]);
        assert_eq!(c.last_date[2], d("2024-03-01"));
        assert_eq!(c.recency_days, vec![0, 51, 0]);
        assert_eq!(c.first_date[1], d("2024-01-01"));
        assert_eq!(c.last_date[1], d("2024-01-10"));
        assert_eq!(c.rows, 6);
        // N=3: recency W: B (0) → 1 worse (A) → 1+5*1/3 = 2; C same; A → 1
        assert_eq!(c.r, vec![2, 1, 2]);
        // N=3: bounds ceil(0.03)=1, ceil(0.15)=1, ceil(0.6)=1 → one VIP, the rest Small
        assert_eq!(c.tier, vec!["VIP", "Small", "Small"]);
        // total monetary 101000 > 0
        assert_eq!(c.cum_share[2], Some(1.0));
    }

    #[test]
    fn compute_margin_window_and_days() {
        let mut p = params();
        p.value = Value::Margin;
        p.frequency = Frequency::Days;
        p.to = Some(d("2024-02-15"));
        let c = compute(rollup::Shipments::Rows(frame().lazy()), &p).unwrap();
        assert_eq!(c.as_of, Some(d("2024-02-01")));
        assert_eq!(c.customer_id, vec!["B", "A"]);
        // A: 1000-400 + 250-0 + 250-100 = 1000; B: 99999 - 50000
        assert_eq!(c.monetary, vec![49_999, 1000]);
        assert_eq!(c.frequency, vec![1, 2]);
        assert_eq!(c.rows_without_cost, 1);
    }

    #[test]
    fn empty_window_is_an_error() {
        let mut p = params();
        p.from = Some(d("2025-01-01"));
        let e = compute(rollup::Shipments::Rows(frame().lazy()), &p)
            .unwrap_err()
            .to_string();
        assert!(e.contains("no shipments in the window [2025-01-01"), "{e}");
    }
}
