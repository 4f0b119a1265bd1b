//! Pareto (80/20) analysis and ABC classes (`crm-cli pareto`).
//!
//! Items (customers, lanes, customer × lane pairs, ...) are totalled in polars; ranking, exact
//! class boundaries, the Gini coefficient and the Lorenz curve are computed over the item totals
//! in integer/decimal arithmetic as docs/metrics.md defines them.

use chrono::NaiveDate;
use polars::prelude::*;
use rust_decimal::Decimal;

use super::frame::strings;
use super::rollup;
use super::window::Window;
use crate::error::{Error, Result};

/// What is totalled per item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Measure {
    /// An exact column in minor units (revenue, teu, an extra money column); empty counts 0.
    Sum(String),
    /// revenue − cost (an empty cost counts as 0).
    Margin,
    /// Shipments: distinct shipment ids among shipment rows (credit notes are not shipments; a
    /// row without id counts as its own), shipment rows when there is no id column.
    Shipments(super::activity::Ids),
}

#[derive(Debug, Clone)]
pub struct Params {
    pub window: Window,
    /// Key columns naming an item (e.g. `customer_id`, or `customer_id` and `lane`).
    pub keys: Vec<String>,
    /// Rank items separately within each value of this column.
    pub within: Option<String>,
    pub measure: Measure,
    /// Class cutoffs in percent: A while cum_share ≤ c[0], B while ≤ c[1], C after.
    pub cutoffs: [Decimal; 2],
    /// Carry `customer_name` along when `customer_id` is a key.
    pub with_names: bool,
}

pub const CLASSES: [&str; 3] = ["A", "B", "C"];

/// One row per item, in output order: group ascending, value descending, keys ascending.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Items {
    pub as_of: Option<NaiveDate>,
    pub window_start: Option<NaiveDate>,
    pub group: Option<Vec<Option<String>>>,
    /// One vector per key column.
    pub keys: Vec<Vec<Option<String>>>,
    pub names: Option<Vec<Option<String>>>,
    /// Item totals in minor units of the measure.
    pub value: Vec<i128>,
    pub rank: Vec<usize>,
    pub share: Vec<f64>,
    pub cum_share: Vec<f64>,
    pub item_share: Vec<f64>,
    pub class: Vec<&'static str>,
    pub nonpositive: Vec<bool>,
}

impl Items {
    pub fn len(&self) -> usize {
        self.value.len()
    }
    pub fn is_empty(&self) -> bool {
        self.value.is_empty()
    }
    pub fn group_ranges(&self) -> Vec<std::ops::Range<usize>> {
        super::rfm::group_ranges(self.group.as_deref(), self.len())
    }
}

/// What [`compute`] reads of the shipments: one row per item (and group) of the window.
pub fn rollup_spec(params: &Params) -> rollup::Rollup {
    let (from, to) = rollup::window_range(&params.window);
    let mut keys: Vec<String> = params.within.iter().cloned().collect();
    keys.extend(params.keys.iter().cloned());
    let sums = match &params.measure {
        Measure::Sum(c) => vec![c.clone()],
        Measure::Margin => vec!["revenue".into(), "cost".into()],
        Measure::Shipments(_) => vec![],
    };
    rollup::Rollup {
        keys,
        sums,
        null_counts: vec![],
        last: if params.with_names {
            vec!["customer_name".into()]
        } else {
            vec![]
        },
        from,
        to,
        shipments: matches!(params.measure, Measure::Shipments(_)),
        by_day: false,
    }
}

/// Total the measure per item and rank the items. The shipments are rows or already summed up
/// by [`rollup_spec`].
pub fn compute(shipments: rollup::Shipments, params: &Params) -> Result<Items> {
    let ids = match &params.measure {
        Measure::Shipments(ids) => *ids,
        _ => super::activity::Ids::MayRepeat,
    };
    let rolled = shipments.rolled(&rollup_spec(params), ids)?;
    let rollup::Windowed { lf, as_of, .. } = rollup::window(rolled, &params.window, "shipments")?;
    let schema = lf.clone().collect_schema()?;
    let value = match &params.measure {
        Measure::Sum(c) => col(c.as_str()).sum(),
        Measure::Margin => (col("revenue") - col("cost")).sum(),
        Measure::Shipments(_) => rollup::shipments(&schema),
    };
    let mut keys: Vec<Expr> = Vec::new();
    if let Some(g) = &params.within {
        keys.push(col(g.as_str()));
    }
    keys.extend(params.keys.iter().map(|k| col(k.as_str())));
    let mut aggs = vec![
        value.alias("__value"),
        rollup::first_row_day().alias("__first"),
    ];
    let names = params.with_names && schema.contains("customer_name");
    if names {
        aggs.push(rollup::last_text("customer_name"));
    }
    let agg = lf.group_by(keys).agg(aggs).collect()?;
    if agg.height() == 0 {
        return Err(Error::Input(params.window.empty_message("shipments")));
    }
    let group = match &params.within {
        Some(g) => Some(strings(&agg, g)?),
        None => None,
    };
    let key_values: Vec<Vec<Option<String>>> = params
        .keys
        .iter()
        .map(|k| strings(&agg, k))
        .collect::<Result<_>>()?;
    let name_values = if names {
        Some(strings(&agg, "customer_name")?)
    } else {
        None
    };
    let values: Vec<i128> = agg
        .column("__value")?
        .i64()?
        .iter()
        .map(|v| v.unwrap_or(0) as i128)
        .collect();
    let first = agg.column("__first")?.i32()?.iter().flatten().min();

    let n = values.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| {
        let g = match &group {
            Some(g) => g[a].cmp(&g[b]),
            None => std::cmp::Ordering::Equal,
        };
        g.then(values[b].cmp(&values[a])).then_with(|| {
            key_values
                .iter()
                .map(|k| k[a].cmp(&k[b]))
                .find(|o| o.is_ne())
                .unwrap_or(std::cmp::Ordering::Equal)
        })
    });
    let pick = |v: &Vec<Option<String>>| -> Vec<Option<String>> {
        order.iter().map(|&i| v[i].clone()).collect()
    };
    let mut items = Items {
        as_of: Some(as_of),
        window_start: params
            .window
            .from
            .or_else(|| first.map(crate::io::load::date_from_days)),
        group: group.as_ref().map(pick),
        keys: key_values.iter().map(pick).collect(),
        names: name_values.as_ref().map(pick),
        value: order.iter().map(|&i| values[i]).collect(),
        ..Default::default()
    };
    rank(&mut items, &params.cutoffs);
    Ok(items)
}

/// Ranks, shares and classes within each group; `items` is already in output order.
fn rank(items: &mut Items, cutoffs: &[Decimal; 2]) {
    let n = items.len();
    items.rank = vec![0; n];
    items.share = vec![0.0; n];
    items.cum_share = vec![0.0; n];
    items.item_share = vec![0.0; n];
    items.class = vec!["C"; n];
    items.nonpositive = vec![false; n];
    for range in items.group_ranges() {
        let m = range.len();
        let total: i128 = items.value[range.clone()].iter().filter(|&&v| v > 0).sum();
        let mut run: i128 = 0;
        for (pos, i) in range.clone().enumerate() {
            let v = items.value[i];
            items.rank[i] = pos + 1;
            items.item_share[i] = (pos + 1) as f64 / m as f64;
            if v <= 0 || total <= 0 {
                items.nonpositive[i] = v <= 0;
                items.share[i] = 0.0;
                items.cum_share[i] = 1.0;
                items.class[i] = "C";
                continue;
            }
            run += v;
            items.share[i] = v as f64 / total as f64;
            items.cum_share[i] = run as f64 / total as f64;
            items.class[i] = class_of(run, total, cutoffs);
        }
    }
}

/// A while cum × 100 ≤ c1 × total, B while ≤ c2 × total, C after — exact.
pub fn class_of(cum: i128, total: i128, cutoffs: &[Decimal; 2]) -> &'static str {
    let lhs = to_decimal(cum) * Decimal::from(100);
    let t = to_decimal(total);
    if lhs <= cutoffs[0] * t {
        "A"
    } else if lhs <= cutoffs[1] * t {
        "B"
    } else {
        "C"
    }
}

fn to_decimal(v: i128) -> Decimal {
    Decimal::try_from_i128_with_scale(v, 0).unwrap_or(if v < 0 {
        Decimal::MIN
    } else {
        Decimal::MAX
    })
}

/// Per-group summary numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupSummary {
    pub group: Option<String>,
    pub items: usize,
    /// Total of the items with a positive value (the base of every share).
    pub total: i128,
    /// Smallest number of top items whose cumulative share reaches the first cutoff.
    pub headline_items: Option<usize>,
    /// Per class: (items, value).
    pub classes: [(usize, i128); 3],
    /// ceil(20% × items).
    pub top20_items: usize,
    /// Share of `total` carried by the top20_items (nonpositive items count as 0).
    pub top20_share: Option<f64>,
    pub gini: Option<f64>,
    /// (item share, value share) points of the Lorenz curve, ascending.
    pub lorenz: Vec<(f64, f64)>,
}

pub fn summarize(items: &Items, cutoffs: &[Decimal; 2]) -> Vec<GroupSummary> {
    items
        .group_ranges()
        .into_iter()
        .map(|range| {
            let values = &items.value[range.clone()];
            let m = values.len();
            let total: i128 = values.iter().filter(|&&v| v > 0).sum();
            let mut classes = [(0usize, 0i128); 3];
            for i in range.clone() {
                let k = CLASSES
                    .iter()
                    .position(|c| *c == items.class[i])
                    .unwrap_or(2);
                classes[k].0 += 1;
                classes[k].1 += items.value[i];
            }
            let headline_items = if total > 0 {
                let mut run = 0i128;
                values
                    .iter()
                    .position(|&v| {
                        run += v.max(0);
                        to_decimal(run) * Decimal::from(100) >= cutoffs[0] * to_decimal(total)
                    })
                    .map(|p| p + 1)
            } else {
                None
            };
            let top20_items = (20 * m).div_ceil(100);
            let top: i128 = values.iter().take(top20_items).map(|&v| v.max(0)).sum();
            GroupSummary {
                group: items.group.as_ref().and_then(|g| g[range.start].clone()),
                items: m,
                total,
                headline_items,
                classes,
                top20_items,
                top20_share: (total > 0).then(|| top as f64 / total as f64),
                gini: gini(values),
                lorenz: lorenz(values, 100),
            }
        })
        .collect()
}

/// G = 2·Σ i·x(i) / (n·Σx) − (n + 1)/n over the values sorted ascending (i = 1..n), negatives
/// counted as 0; None when Σx = 0.
///
/// ```
/// use crm_cli::analytics::pareto::gini;
/// // 1, 2, 3, 4: Σ i·x = 30, G = 60 / 40 − 5 / 4 = 0.25
/// assert_eq!(gini(&[4, 1, 3, 2]), Some(0.25));
/// assert_eq!(gini(&[0, 0]), None);
/// ```
pub fn gini(values: &[i128]) -> Option<f64> {
    let mut x: Vec<i128> = values.iter().map(|&v| v.max(0)).collect();
    x.sort_unstable();
    let n = x.len() as i128;
    let sum: i128 = x.iter().sum();
    if n == 0 || sum == 0 {
        return None;
    }
    let weighted: i128 = x
        .iter()
        .enumerate()
        .map(|(i, &v)| (i as i128 + 1) * v)
        .sum();
    // Exact rational, then one division: (2·Σ i·x − (n + 1)·Σx) / (n·Σx).
    let num = 2 * weighted - (n + 1) * sum;
    Some(num as f64 / (n * sum) as f64)
}

/// Lorenz curve: the share of the total held by the bottom k items (ascending, negatives as 0),
/// at every k when there are at most `points` items, else at k = floor(p·n / points) for
/// p = 0..=points.
pub fn lorenz(values: &[i128], points: usize) -> Vec<(f64, f64)> {
    let mut x: Vec<i128> = values.iter().map(|&v| v.max(0)).collect();
    x.sort_unstable();
    let n = x.len();
    let sum: i128 = x.iter().sum();
    if n == 0 || sum == 0 {
        return Vec::new();
    }
    let mut prefix = Vec::with_capacity(n + 1);
    prefix.push(0i128);
    for v in &x {
        let last = *prefix.last().unwrap_or(&0);
        prefix.push(last + v);
    }
    let ks: Vec<usize> = if n <= points {
        (0..=n).collect()
    } else {
        (0..=points).map(|p| p * n / points).collect()
    };
    ks.into_iter()
        .map(|k| (k as f64 / n as f64, prefix[k] as f64 / sum as f64))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::load::days_since_epoch;

    fn pct(a: i64, b: i64) -> [Decimal; 2] {
        [Decimal::from(a), Decimal::from(b)]
    }

    #[test]
    fn class_boundary_is_exact_and_the_crossing_item_moves_up() {
        let c = pct(80, 95);
        // cum exactly 80% → A; one minor unit more → B
        assert_eq!(class_of(80, 100, &c), "A");
        assert_eq!(class_of(8001, 10000, &c), "B");
        assert_eq!(class_of(95, 100, &c), "B");
        assert_eq!(class_of(9501, 10000, &c), "C");
        // 1/3 of 3 items each: cum 33.3%, 66.7%, 100%
        assert_eq!(class_of(1, 3, &c), "A");
        assert_eq!(class_of(2, 3, &c), "A");
        assert_eq!(class_of(3, 3, &c), "C");
        // decimal cutoff 66.67: 2/3 = 66.666…% ≤ 66.67 → A
        let d = [Decimal::new(6667, 2), Decimal::from(95)];
        assert_eq!(class_of(2, 3, &d), "A");
        let d = [Decimal::new(6666, 2), Decimal::from(95)];
        assert_eq!(class_of(2, 3, &d), "B");
    }

    #[test]
    fn gini_hand_checked() {
        // equal values → 0
        assert_eq!(gini(&[5, 5, 5, 5]), Some(0.0));
        // one holds everything among 4: G = 2·4·10/(4·10) − 5/4 = 0.75
        assert_eq!(gini(&[0, 0, 0, 10]), Some(0.75));
        // 1,2,3,4: Σi·x = 1+4+9+16 = 30; G = 60/40 − 5/4 = 0.25
        assert_eq!(gini(&[4, 1, 3, 2]), Some(0.25));
        // negatives count as 0
        assert_eq!(gini(&[-5, 0, 0, 10]), Some(0.75));
        assert_eq!(gini(&[0, -1]), None);
        assert_eq!(gini(&[]), None);
    }

    #[test]
    fn lorenz_points() {
        let l = lorenz(&[4, 1, 3, 2], 100);
        assert_eq!(
            l,
            vec![(0.0, 0.0), (0.25, 0.1), (0.5, 0.3), (0.75, 0.6), (1.0, 1.0)]
        );
        let many: Vec<i128> = (1..=1000).collect();
        let l = lorenz(&many, 100);
        assert_eq!(l.len(), 101);
        assert_eq!(l[0], (0.0, 0.0));
        assert_eq!(l[100], (1.0, 1.0));
    }

    fn frame() -> DataFrame {
        // customers A..E with revenue 50, 30, 10, 10, -5 and lanes
        let rows = [
            ("A", "L1", 30i64),
            ("A", "L2", 20),
            ("B", "L1", 30),
            ("C", "L2", 10),
            ("D", "L1", 10),
            ("E", "L2", -5),
        ];
        let day = days_since_epoch(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default());
        DataFrame::new(
            rows.len(),
            vec![
                Column::new(
                    "customer_id".into(),
                    rows.iter().map(|r| r.0).collect::<Vec<_>>(),
                ),
                Column::new("lane".into(), rows.iter().map(|r| r.1).collect::<Vec<_>>()),
                Column::new(
                    "revenue".into(),
                    rows.iter().map(|r| r.2).collect::<Vec<_>>(),
                ),
                Int32Chunked::new("ship_date".into(), &vec![day; rows.len()])
                    .into_series()
                    .into_date()
                    .into(),
            ],
        )
        .unwrap()
    }

    fn params(keys: &[&str], within: Option<&str>) -> Params {
        Params {
            window: Window::default(),
            keys: keys.iter().map(|k| k.to_string()).collect(),
            within: within.map(str::to_string),
            measure: Measure::Sum("revenue".into()),
            cutoffs: pct(80, 95),
            with_names: false,
        }
    }

    #[test]
    fn customers_ranked_with_classes_and_nonpositive_last() {
        let items = compute(
            rollup::Shipments::Rows(frame().lazy()),
            &params(&["customer_id"], None),
        )
        .unwrap();
        let ids: Vec<&str> = items.keys[0]
            .iter()
            .map(|k| k.as_deref().unwrap_or(""))
            .collect();
        // C and D tie at 10: key ascending
        assert_eq!(ids, vec!["A", "B", "C", "D", "E"]);
        assert_eq!(items.value, vec![50, 30, 10, 10, -5]);
        // total of positive values = 100: cum 50, 80, 90, 100
        assert_eq!(items.class, vec!["A", "A", "B", "C", "C"]);
        assert_eq!(items.cum_share[1], 0.8);
        assert_eq!(items.nonpositive, vec![false, false, false, false, true]);
        assert_eq!(items.cum_share[4], 1.0);
        assert_eq!(items.share[4], 0.0);
        assert_eq!(items.item_share[0], 0.2);
        let s = summarize(&items, &pct(80, 95));
        assert_eq!(s[0].headline_items, Some(2));
        assert_eq!(s[0].classes, [(2, 80), (1, 10), (2, 5)]);
        assert_eq!(s[0].top20_items, 1);
        assert_eq!(s[0].top20_share, Some(0.5));
        // values as 0: 0,10,10,30,50 → Σi·x = 0+20+30+120+250 = 420; G = 840/500 − 6/5 = 0.48
        assert!((s[0].gini.unwrap() - 0.48).abs() < 1e-12);
    }

    #[test]
    fn pairs_and_within_groups() {
        let items = compute(
            rollup::Shipments::Rows(frame().lazy()),
            &params(&["customer_id", "lane"], None),
        )
        .unwrap();
        assert_eq!(items.len(), 6);
        assert_eq!(items.value, vec![30, 30, 20, 10, 10, -5]);
        let items = compute(
            rollup::Shipments::Rows(frame().lazy()),
            &params(&["customer_id"], Some("lane")),
        )
        .unwrap();
        let groups: Vec<&str> = items
            .group
            .as_ref()
            .unwrap()
            .iter()
            .map(|g| g.as_deref().unwrap_or(""))
            .collect();
        assert_eq!(groups, vec!["L1", "L1", "L1", "L2", "L2", "L2"]);
        // L1: A 30, B 30, D 10 (total 70) → ranks restart per lane
        assert_eq!(items.rank, vec![1, 2, 3, 1, 2, 3]);
        assert_eq!(items.value, vec![30, 30, 10, 20, 10, -5]);
        // L1 cum: 30/70 = 42.9% A, 60/70 = 85.7% B, 100% C
        assert_eq!(&items.class[..3], &["A", "B", "C"]);
    }
}
