//! Parquet output of a [`Report::Rows`] table (`-o FILE.parquet`): typed columns, money as
//! Decimal(38, scale) so it stays exact.

use std::io::Write;

use polars::prelude::*;

use super::{Cell, ColKind, Report};
use crate::error::{Error, Result};

pub fn write(report: &Report, out: &mut dyn Write) -> Result<()> {
    let Report::Rows(table) = report else {
        return Err(Error::Usage(
            "Parquet output holds one table: use --format json (or csv) for --summary".into(),
        ));
    };
    let mut columns: Vec<Column> = Vec::with_capacity(table.columns.len());
    for (k, c) in table.columns.iter().enumerate() {
        let name: PlSmallStr = c.key.as_str().into();
        let cells = table.rows.iter().map(|r| r.get(k).unwrap_or(&Cell::Null));
        let column: Column = match c.kind {
            ColKind::Int => Int64Chunked::from_iter_options(
                name,
                cells.map(|v| match v {
                    Cell::Int(i) => Some(*i),
                    _ => None,
                }),
            )
            .into_series()
            .into(),
            ColKind::Share | ColKind::Float => Float64Chunked::from_iter_options(
                name,
                cells.map(|v| match v {
                    Cell::Float(f) if f.is_finite() => Some(*f),
                    Cell::Int(i) => Some(*i as f64),
                    _ => None,
                }),
            )
            .into_series()
            .into(),
            ColKind::Bool => BooleanChunked::from_iter_options(
                name,
                cells.map(|v| match v {
                    Cell::Bool(b) => Some(*b),
                    _ => None,
                }),
            )
            .into_series()
            .into(),
            ColKind::Date => Int32Chunked::from_iter_options(
                name,
                cells.map(|v| match v {
                    Cell::Date(d) => Some(crate::io::load::days_since_epoch(*d)),
                    _ => None,
                }),
            )
            .into_series()
            .into_date()
            .into(),
            ColKind::Money => {
                let values: Vec<Option<rust_decimal::Decimal>> = cells
                    .map(|v| match v {
                        Cell::Money(d) => Some(*d),
                        _ => None,
                    })
                    .collect();
                let scale = values
                    .iter()
                    .flatten()
                    .map(|d| d.scale())
                    .max()
                    .unwrap_or(0);
                let minor = values.iter().map(|v| {
                    v.map(|d| {
                        let mut d = d;
                        d.rescale(scale);
                        d.mantissa()
                    })
                });
                Int128Chunked::from_iter_options(name, minor)
                    .into_decimal(38, scale as usize)?
                    .into_series()
                    .into()
            }
            ColKind::Text | ColKind::Label => StringChunked::from_iter_options(
                name,
                cells.map(|v| match v {
                    Cell::Str(s) => Some(s.clone()),
                    Cell::Null => None,
                    other => Some(format!("{other:?}")),
                }),
            )
            .into_series()
            .into(),
        };
        columns.push(column);
    }
    let mut df = DataFrame::new(table.rows.len(), columns)?;
    ParquetWriter::new(out)
        .finish(&mut df)
        .map_err(|e| Error::Input(format!("cannot write Parquet: {e}")))?;
    Ok(())
}
