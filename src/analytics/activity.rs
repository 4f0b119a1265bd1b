//! What counts as a shipment: a row with revenue ≥ 0. Credit notes (negative revenue) change
//! what a customer is worth, never how often or how recently they shipped.

use polars::prelude::*;

/// True for rows that are shipments (revenue ≥ 0), false for credit notes.
pub fn is_shipment() -> Expr {
    col("revenue").gt_eq(lit(0i64))
}

/// What the loader found of the data's shipment ids (whether there is a shipment_id column at
/// all is the frame's schema).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Ids {
    /// Every non-empty id is on one row only.
    Unique,
    /// Some id is on more than one row (or it is not known).
    #[default]
    MayRepeat,
}

impl Ids {
    /// From the loader's `Loaded::repeated_ids`.
    pub fn new(repeated: bool) -> Ids {
        if repeated {
            Ids::MayRepeat
        } else {
            Ids::Unique
        }
    }
}

/// Number of shipments in a group: distinct `shipment_id` among shipment rows (a row without an
/// id counts as its own shipment), or shipment rows when there is no id column. With unique ids
/// the distinct count is the count of shipment rows, computed as such (counting distinct
/// strings of millions of rows is the costliest part of an aggregation).
pub fn shipment_count(ids: Ids, has_id: bool) -> Expr {
    if has_id && ids == Ids::MayRepeat {
        let ids = col("shipment_id").filter(is_shipment());
        ids.clone().drop_nulls().n_unique().cast(DataType::Int64)
            + ids.null_count().cast(DataType::Int64)
    } else {
        is_shipment().cast(DataType::Int64).sum()
    }
}
