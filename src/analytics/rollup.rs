//! Shipments summed up per key: what `tier` and `pareto` read instead of the rows.
//!
//! A rollup ([`Rollup`]) has one row per key (a customer, or a group and a customer, or the
//! items of a Pareto table) with the partial sums every metric of those commands is built from:
//! rows, shipment rows, first and last days, exact sums, empty counts and the last name. The
//! loader computes it while reading big files (`load::load_rolled`, never holding the rows);
//! [`rollup`] here is the same definition over loaded rows in polars, used when the rows were
//! loaded anyway and, in the tests, as the reference the loader's rollup must equal.
//!
//! The metrics are then aggregates of the rollup's rows by the helpers below, so they are the
//! same whichever way the rollup was made.

use chrono::NaiveDate;
use polars::prelude::*;

use super::activity::{self, Ids};
use super::window::{Window, days};
use crate::error::{Error, Result};
use crate::io::load::{Loaded, date_from_days, days_since_epoch};

pub use crate::io::load::rollup::Rollup;
pub use crate::io::load::rollup::columns::{
    FIRST, FIRST_ANY, LAST, LAST_ANY, LOADED, ROWS, SHIP_ROWS, nulls, pos,
};

/// Row numbers of the loaded rows while they are summed up (the order names are last in).
const ROW_INDEX: &str = "__row";

/// Shipments as the analytics take them: loaded rows, or rows the loader already summed up.
pub enum Shipments {
    Rows(LazyFrame),
    Rolled(LazyFrame, Rollup),
}

impl Shipments {
    /// What the loader gave.
    pub fn of(loaded: &Loaded) -> Shipments {
        let lf = loaded.df.clone().lazy();
        match &loaded.rolled {
            Some(r) => Shipments::Rolled(lf, r.clone()),
            None => Shipments::Rows(lf),
        }
    }

    /// The rollup `spec` of these shipments (`ids`: what the loader found of the shipment ids).
    pub fn rolled(self, spec: &Rollup, ids: Ids) -> Result<LazyFrame> {
        match self {
            Shipments::Rows(lf) => rollup(lf, spec, ids),
            Shipments::Rolled(lf, by) if by == *spec => Ok(lf),
            Shipments::Rolled(..) => Err(Error::Input(
                "internal error: the shipments were summed up for another question".into(),
            )),
        }
    }
}

/// The window of a command as a rollup's date range: `[from, min(to, as_of)]`; a default
/// as_of (the last date in the window) leaves nothing out.
pub fn window_range(w: &Window) -> (Option<i32>, Option<i32>) {
    let to = match (w.to, w.as_of) {
        (Some(t), Some(a)) => Some(t.min(a)),
        (t, a) => t.or(a),
    };
    (w.from.map(days_since_epoch), to.map(days_since_epoch))
}

/// The rollup of loaded shipment rows (columns `customer_id`, `ship_date`, `revenue`, ...) in
/// polars: the definition the loader's rollup follows. With `spec.shipments` and ids that may
/// repeat, the shipment id is a key too, so that distinct shipments can be counted
/// ([`shipments`]); with `spec.by_day`, the ship date.
pub fn rollup(lf: LazyFrame, spec: &Rollup, ids: Ids) -> Result<LazyFrame> {
    let mut lf = lf;
    let schema = lf.collect_schema()?;
    let has = |c: &str| schema.contains(c);
    let day = days("ship_date");
    let mut in_window = day.clone().is_not_null();
    if let Some(f) = spec.from {
        in_window = in_window.and(day.clone().gt_eq(lit(f)));
    }
    if let Some(t) = spec.to {
        in_window = in_window.and(day.clone().lt_eq(lit(t)));
    }
    let shipment = in_window.clone().and(activity::is_shipment());
    let mut keys: Vec<Expr> = spec.keys.iter().filter(|k| has(k)).map(col).collect();
    if spec.shipments && ids == Ids::MayRepeat && has("shipment_id") {
        keys.push(col("shipment_id"));
    }
    if spec.by_day {
        keys.push(col("ship_date"));
    }
    let mut aggs = vec![
        len().cast(DataType::Int64).alias(LOADED),
        in_window.clone().cast(DataType::Int64).sum().alias(ROWS),
        shipment
            .clone()
            .cast(DataType::Int64)
            .sum()
            .alias(SHIP_ROWS),
        day.clone().filter(shipment.clone()).min().alias(FIRST),
        day.clone().filter(shipment).max().alias(LAST),
        day.clone().filter(in_window.clone()).min().alias(FIRST_ANY),
        day.filter(in_window.clone()).max().alias(LAST_ANY),
    ];
    for s in spec.sums.iter().filter(|s| has(s)) {
        aggs.push(
            col(s.as_str())
                .filter(in_window.clone())
                .sum()
                .fill_null(lit(0i64))
                .cast(DataType::Int64)
                .alias(s.as_str()),
        );
    }
    for n in spec.null_counts.iter().filter(|n| has(n)) {
        aggs.push(
            col(n.as_str())
                .filter(in_window.clone())
                .null_count()
                .cast(DataType::Int64)
                .alias(nulls(n)),
        );
    }
    for l in spec.last.iter().filter(|l| has(l)) {
        let named = in_window.clone().and(col(l.as_str()).is_not_null());
        aggs.push(
            col(l.as_str())
                .filter(named.clone())
                .last()
                .alias(l.as_str()),
        );
        aggs.push(
            col(ROW_INDEX)
                .filter(named)
                .max()
                .cast(DataType::Int64)
                .alias(pos(l)),
        );
    }
    Ok(lf.with_row_index(ROW_INDEX, None).group_by(keys).agg(aggs))
}

/// A rollup resolved against its window.
pub struct Windowed {
    /// The rollup's rows that have rows in the window.
    pub lf: LazyFrame,
    /// `--as-of` when given, else the last day in the window.
    pub as_of: NaiveDate,
    /// Rows read, in the window or not.
    pub loaded_rows: usize,
}

/// The rollup's rows in the window, and as_of. Errors when the window holds no rows.
pub fn window(rolled: LazyFrame, w: &Window, what: &str) -> Result<Windowed> {
    // Computed once (it is one row per key), then read twice.
    let df = rolled.collect()?;
    let stats = df
        .clone()
        .lazy()
        .select([
            col(LOADED).sum().alias("loaded"),
            col(LAST_ANY)
                .filter(col(ROWS).gt(lit(0i64)))
                .max()
                .alias("last"),
        ])
        .collect()?;
    let loaded_rows = stats.column("loaded")?.i64()?.get(0).unwrap_or(0).max(0) as usize;
    let last = stats.column("last")?.i32()?.get(0);
    let as_of = match (w.as_of, last) {
        (Some(d), _) => d,
        (None, Some(d)) => date_from_days(d),
        (None, None) => return Err(Error::Input(w.empty_message(what))),
    };
    Ok(Windowed {
        lf: df.lazy().filter(col(ROWS).gt(lit(0i64))),
        as_of,
        loaded_rows,
    })
}

/// Rows in the window.
pub fn rows() -> Expr {
    col(ROWS).sum()
}

/// First shipping day (days since epoch) among shipment rows; a key with only credit notes
/// falls back to the dates of those (docs/metrics.md, `tier`: credit notes are not shipments).
pub fn first_day() -> Expr {
    col(FIRST).min().fill_null(col(FIRST_ANY).min())
}

pub fn last_day() -> Expr {
    col(LAST).max().fill_null(col(LAST_ANY).max())
}

/// The earliest day of any row in the window.
pub fn first_row_day() -> Expr {
    col(FIRST_ANY).min()
}

/// Number of shipments: distinct shipment ids among shipment rows, a row without an id counting
/// as its own shipment ([`activity::shipment_count`] on rows). The rollup has the shipment id
/// as a key when ids may repeat; else every shipment row is a shipment.
pub fn shipments(schema: &Schema) -> Expr {
    if schema.contains("shipment_id") {
        when(col("shipment_id").is_null())
            .then(col(SHIP_ROWS))
            .otherwise(col(SHIP_ROWS).gt(lit(0i64)).cast(DataType::Int64))
            .sum()
    } else {
        col(SHIP_ROWS).sum()
    }
}

/// Distinct shipping days among shipment rows (a rollup `by_day`).
pub fn shipping_days() -> Expr {
    col("ship_date")
        .filter(col(SHIP_ROWS).gt(lit(0i64)))
        .n_unique()
        .cast(DataType::Int64)
}

/// The last non-empty value of a text column in input order: the rollup's rows sorted by where
/// their value was, rows without one (null position) first, so the last row has the latest
/// value, or none when no row has one.
pub fn last_text(column: &str) -> Expr {
    let p = pos(column);
    col(column)
        .sort_by(
            [col(p.as_str())],
            SortMultipleOptions::default().with_nulls_last(false),
        )
        .last()
        .alias(column)
}

/// Empty values of a column in the window.
pub fn null_count(column: &str) -> Expr {
    col(nulls(column).as_str()).sum()
}
