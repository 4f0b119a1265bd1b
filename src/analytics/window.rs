//! The analysis window shared by every command: `[--from, --to]`, then rows up to `as_of`.
//!
//! as_of is `--as-of` when given, else the latest date in `[--from, --to]` (never today, so a
//! rerun gives the same answer); rows dated after as_of are left out.

use chrono::NaiveDate;
use polars::prelude::*;

use crate::error::{Error, Result};
use crate::io::load::{date_from_days, days_since_epoch};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Window {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub as_of: Option<NaiveDate>,
}

/// A date column as days since 1970-01-01 (Int32).
pub fn days(column: &str) -> Expr {
    col(column).cast(DataType::Int32)
}

pub fn days_lit(d: NaiveDate) -> Expr {
    lit(days_since_epoch(d))
}

impl Window {
    /// Filter `lf` on `date_column` and resolve as_of. Errors when the window holds no rows.
    pub fn apply(
        &self,
        lf: LazyFrame,
        date_column: &str,
        what: &str,
    ) -> Result<(LazyFrame, NaiveDate)> {
        let mut lf = lf;
        if let Some(from) = self.from {
            lf = lf.filter(days(date_column).gt_eq(days_lit(from)));
        }
        if let Some(to) = self.to {
            lf = lf.filter(days(date_column).lt_eq(days_lit(to)));
        }
        let as_of = match self.as_of {
            Some(d) => d,
            None => {
                let m = lf
                    .clone()
                    .select([days(date_column).max().alias("d")])
                    .collect()?;
                match m.column("d")?.i32()?.get(0) {
                    Some(d) => date_from_days(d),
                    None => return Err(Error::Input(self.empty_message(what))),
                }
            }
        };
        Ok((lf.filter(days(date_column).lt_eq(days_lit(as_of))), as_of))
    }

    pub fn empty_message(&self, what: &str) -> String {
        let fmt = |d: Option<NaiveDate>| d.map_or("…".to_string(), |d| d.to_string());
        format!(
            "no {what} in the window [{}, {}]{}",
            fmt(self.from),
            fmt(self.to),
            self.as_of
                .map(|d| format!(" up to --as-of {d}"))
                .unwrap_or_default()
        )
    }
}
