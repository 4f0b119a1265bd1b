//! Service quality per customer or lane (`crm-cli service`): on-time delivery, delay, transit
//! time, damage, loss and returns.
//!
//! A shipment is a row with revenue ≥ 0 (credit notes are not shipments), counted once per
//! shipment id. Delivered = a delivered date on or before as_of; a shipment neither delivered
//! nor lost by then is open and counted apart.

use polars::prelude::*;

use super::activity::is_shipment;
use super::window::{Window, days, days_lit};
use crate::error::{Error, Result};

/// Status words (lowercase) read as damaged, lost and returned, in English and Chinese.
pub const DAMAGED: &[&str] = &["damaged", "damage", "破损", "货损", "损坏"];
pub const LOST: &[&str] = &["lost", "loss", "missing", "丢失", "遗失", "丢件"];
pub const RETURNED: &[&str] = &["returned", "return", "退回", "回运", "退运", "退货"];

fn status_is(words: &[&str]) -> Expr {
    let s = col("status")
        .str()
        .to_lowercase()
        .str()
        .strip_chars(lit(NULL));
    words
        .iter()
        .map(|w| s.clone().eq(lit(*w)))
        .reduce(|a, b| a.or(b))
        .unwrap_or(lit(false))
        .fill_null(lit(false))
}

/// One row per group key, sorted by shipments descending, then key.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Service {
    pub as_of: Option<chrono::NaiveDate>,
    pub keys: Vec<Option<String>>,
    pub names: Option<Vec<Option<String>>>,
    pub shipments: Vec<i64>,
    pub delivered: Vec<i64>,
    /// Neither delivered nor lost by as_of.
    pub open: Vec<i64>,
    /// Delivered shipments with a promised date (the base of on_time_rate).
    pub with_promise: Vec<i64>,
    pub on_time: Vec<i64>,
    pub late: Vec<i64>,
    pub avg_delay_days: Vec<Option<f64>>,
    pub avg_transit_days: Vec<Option<f64>>,
    pub damaged: Vec<i64>,
    pub lost: Vec<i64>,
    pub returned: Vec<i64>,
}

impl Service {
    pub fn len(&self) -> usize {
        self.keys.len()
    }
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// Ratio of counts, None when the base is 0.
pub fn rate(n: i64, base: i64) -> Option<f64> {
    (base > 0).then(|| n as f64 / base as f64)
}

/// `key` is the column to group by (`customer_id`, `lane`, ...); `has_status` whether the data
/// has a status column.
pub fn compute(
    lf: LazyFrame,
    window: &Window,
    key: &str,
    with_names: bool,
    has_status: bool,
) -> Result<Service> {
    let schema = lf.clone().collect_schema()?;
    for need in ["promised_date", "delivered_date"] {
        if !schema.contains(need) {
            return Err(Error::Input(format!(
                "service needs a {need} column (map one with --map {need}=HEADER)"
            )));
        }
    }
    let (lf, as_of) = window.apply(lf, "ship_date", "shipments")?;
    let mut lf = lf.filter(is_shipment());
    if schema.contains("shipment_id") {
        // One row per shipment id (line-item exports repeat it; the first row in input order
        // stands for the shipment); a row without an id is a shipment of its own.
        lf = lf
            .with_row_index("__row", None)
            .with_column(
                when(col("shipment_id").is_null())
                    .then(col("__row"))
                    .otherwise(lit(NULL))
                    .alias("__own"),
            )
            .unique_stable(
                Some(cols(["shipment_id", "__own"])),
                UniqueKeepStrategy::First,
            );
    }
    let a = days_lit(as_of);
    let delivered = days("delivered_date")
        .is_not_null()
        .and(days("delivered_date").lt_eq(a));
    let promised = days("promised_date").is_not_null();
    let delay = days("delivered_date") - days("promised_date");
    let flag = |e: Expr| e.cast(DataType::Int64).sum();
    let lost = if has_status {
        status_is(LOST)
    } else {
        lit(false)
    };
    let mut aggs = vec![
        len().cast(DataType::Int64).alias("shipments"),
        flag(delivered.clone()).alias("delivered"),
        flag(delivered.clone().not().and(lost.clone().not())).alias("open"),
        flag(delivered.clone().and(promised.clone())).alias("with_promise"),
        flag(
            delivered
                .clone()
                .and(promised.clone())
                .and(delay.clone().lt_eq(lit(0))),
        )
        .alias("on_time"),
        flag(
            delivered
                .clone()
                .and(promised.clone())
                .and(delay.clone().gt(lit(0))),
        )
        .alias("late"),
        delay
            .clone()
            .filter(delivered.clone().and(promised).and(delay.gt(lit(0))))
            .cast(DataType::Float64)
            .mean()
            .alias("avg_delay"),
        (days("delivered_date") - days("ship_date"))
            .filter(delivered)
            .cast(DataType::Float64)
            .mean()
            .alias("avg_transit"),
    ];
    if has_status {
        aggs.push(flag(status_is(DAMAGED)).alias("damaged"));
        aggs.push(flag(lost).alias("lost"));
        aggs.push(flag(status_is(RETURNED)).alias("returned"));
    }
    if with_names {
        aggs.push(
            col("customer_name")
                .drop_nulls()
                .last()
                .alias("customer_name"),
        );
    }
    let df = lf.group_by([col(key)]).agg(aggs).collect()?;
    if df.height() == 0 {
        return Err(Error::Input(window.empty_message("shipments")));
    }
    let strings = |name: &str| -> Result<Vec<Option<String>>> {
        Ok(df
            .column(name)?
            .cast(&DataType::String)?
            .str()?
            .iter()
            .map(|v| v.map(str::to_string))
            .collect())
    };
    let ints = |name: &str| -> Result<Vec<i64>> {
        if !df.get_column_names().iter().any(|c| c.as_str() == name) {
            return Ok(vec![0; df.height()]);
        }
        Ok(df
            .column(name)?
            .cast(&DataType::Int64)?
            .i64()?
            .iter()
            .map(|v| v.unwrap_or(0))
            .collect())
    };
    let floats =
        |name: &str| -> Result<Vec<Option<f64>>> { Ok(df.column(name)?.f64()?.iter().collect()) };
    let keys = strings(key)?;
    let shipments = ints("shipments")?;
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by(|&x, &y| shipments[y].cmp(&shipments[x]).then(keys[x].cmp(&keys[y])));
    let pick_i = |v: Vec<i64>| -> Vec<i64> { order.iter().map(|&i| v[i]).collect() };
    let pick_f =
        |v: Vec<Option<f64>>| -> Vec<Option<f64>> { order.iter().map(|&i| v[i]).collect() };
    let pick_s = |v: Vec<Option<String>>| -> Vec<Option<String>> {
        order.iter().map(|&i| v[i].clone()).collect()
    };
    Ok(Service {
        as_of: Some(as_of),
        keys: pick_s(keys.clone()),
        names: if with_names {
            Some(pick_s(strings("customer_name")?))
        } else {
            None
        },
        shipments: pick_i(shipments.clone()),
        delivered: pick_i(ints("delivered")?),
        open: pick_i(ints("open")?),
        with_promise: pick_i(ints("with_promise")?),
        on_time: pick_i(ints("on_time")?),
        late: pick_i(ints("late")?),
        avg_delay_days: pick_f(floats("avg_delay")?),
        avg_transit_days: pick_f(floats("avg_transit")?),
        damaged: pick_i(ints("damaged")?),
        lost: pick_i(ints("lost")?),
        returned: pick_i(ints("returned")?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::load::days_since_epoch;
    use chrono::NaiveDate;

    fn d(s: &str) -> Option<i32> {
        (!s.is_empty()).then(|| days_since_epoch(NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()))
    }

    fn date_col(name: &str, v: &[&str]) -> Column {
        Int32Chunked::from_iter_options(name.into(), v.iter().map(|s| d(s)))
            .into_series()
            .into_date()
            .into()
    }

    fn frame() -> DataFrame {
        // id, customer, ship, promised, delivered, status, revenue
        let rows = [
            (
                "S1",
                "A",
                "2024-01-01",
                "2024-01-10",
                "2024-01-10",
                "delivered",
                100,
            ), // on time, 9 days
            (
                "S2",
                "A",
                "2024-01-02",
                "2024-01-10",
                "2024-01-13",
                "Delivered",
                100,
            ), // 3 late, 11 days
            (
                "S3",
                "A",
                "2024-01-03",
                "2024-01-10",
                "2024-01-11",
                "damaged",
                100,
            ), // 1 late, 8 days
            (
                "S3",
                "A",
                "2024-01-03",
                "2024-01-10",
                "2024-01-11",
                "damaged",
                50,
            ), // same shipment, 2nd line
            ("S4", "A", "2024-01-20", "2024-01-30", "", "in transit", 100), // open
            ("S5", "B", "2024-01-05", "2024-01-15", "", "LOST", 100),       // lost, not open
            (
                "S6",
                "B",
                "2024-01-06",
                "2024-01-15",
                "2024-02-20",
                "退回",
                100,
            ), // delivered after as_of: open
            ("C1", "B", "2024-01-07", "", "", "", -30), // credit note: not a shipment
        ];
        let n = rows.len();
        DataFrame::new(
            n,
            vec![
                Column::new(
                    "shipment_id".into(),
                    rows.iter().map(|r| r.0).collect::<Vec<_>>(),
                ),
                Column::new(
                    "customer_id".into(),
                    rows.iter().map(|r| r.1).collect::<Vec<_>>(),
                ),
                date_col("ship_date", &rows.iter().map(|r| r.2).collect::<Vec<_>>()),
                date_col(
                    "promised_date",
                    &rows.iter().map(|r| r.3).collect::<Vec<_>>(),
                ),
                date_col(
                    "delivered_date",
                    &rows.iter().map(|r| r.4).collect::<Vec<_>>(),
                ),
                Column::new(
                    "status".into(),
                    rows.iter()
                        .map(|r| (!r.5.is_empty()).then_some(r.5))
                        .collect::<Vec<_>>(),
                ),
                Column::new(
                    "revenue".into(),
                    rows.iter().map(|r| r.6 as i64).collect::<Vec<_>>(),
                ),
            ],
        )
        .unwrap()
    }

    #[test]
    fn rates_by_customer() {
        let w = Window {
            as_of: Some(NaiveDate::from_ymd_opt(2024, 1, 31).unwrap()),
            ..Default::default()
        };
        let s = compute(frame().lazy(), &w, "customer_id", false, true).unwrap();
        assert_eq!(s.keys, vec![Some("A".to_string()), Some("B".to_string())]);
        assert_eq!(s.shipments, vec![4, 2]);
        assert_eq!(s.delivered, vec![3, 0]);
        assert_eq!(s.open, vec![1, 1]);
        assert_eq!(s.on_time, vec![1, 0]);
        assert_eq!(s.late, vec![2, 0]);
        assert_eq!(s.avg_delay_days, vec![Some(2.0), None]);
        assert_eq!(s.avg_transit_days, vec![Some(28.0 / 3.0), None]);
        assert_eq!(s.damaged, vec![1, 0]);
        assert_eq!(s.lost, vec![0, 1]);
        assert_eq!(s.returned, vec![0, 1]);
        assert_eq!(rate(s.on_time[0], s.with_promise[0]), Some(1.0 / 3.0));
        assert_eq!(rate(0, 0), None);
    }

    #[test]
    fn missing_columns_are_named() {
        let df = frame().drop("promised_date").unwrap();
        let e = compute(df.lazy(), &Window::default(), "customer_id", false, true)
            .unwrap_err()
            .to_string();
        assert!(e.contains("promised_date"), "{e}");
    }
}
