//! Columns of a collected DataFrame as plain vectors, for the per-customer rules that run after
//! the polars aggregation. A column the frame does not have reads as all null.

use polars::prelude::*;

use crate::error::Result;

fn has(df: &DataFrame, name: &str) -> bool {
    df.get_column_names().iter().any(|c| c.as_str() == name)
}

/// Any column as text.
pub fn strings(df: &DataFrame, name: &str) -> Result<Vec<Option<String>>> {
    if !has(df, name) {
        return Ok(vec![None; df.height()]);
    }
    Ok(df
        .column(name)?
        .cast(&DataType::String)?
        .str()?
        .iter()
        .map(|v| v.map(str::to_string))
        .collect())
}

/// An integer (or date: days since 1970-01-01) column as i64.
pub fn ints(df: &DataFrame, name: &str) -> Result<Vec<Option<i64>>> {
    if !has(df, name) {
        return Ok(vec![None; df.height()]);
    }
    Ok(df
        .column(name)?
        .cast(&DataType::Int64)?
        .i64()?
        .iter()
        .collect())
}

/// A numeric column as f64.
pub fn floats(df: &DataFrame, name: &str) -> Result<Vec<Option<f64>>> {
    if !has(df, name) {
        return Ok(vec![None; df.height()]);
    }
    Ok(df
        .column(name)?
        .cast(&DataType::Float64)?
        .f64()?
        .iter()
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_as_vectors_and_missing_ones_as_nulls() {
        let df = DataFrame::new(
            2,
            vec![
                Column::new("s".into(), [Some("a"), None]),
                Column::new("i".into(), [Some(1i32), Some(2)]),
                Column::new("f".into(), [Some(0.5f64), None]),
            ],
        )
        .unwrap();
        assert_eq!(
            strings(&df, "s").unwrap(),
            vec![Some("a".to_string()), None]
        );
        assert_eq!(
            strings(&df, "i").unwrap(),
            vec![Some("1".to_string()), Some("2".to_string())]
        );
        assert_eq!(ints(&df, "i").unwrap(), vec![Some(1), Some(2)]);
        assert_eq!(floats(&df, "f").unwrap(), vec![Some(0.5), None]);
        assert_eq!(ints(&df, "missing").unwrap(), vec![None, None]);
    }
}
