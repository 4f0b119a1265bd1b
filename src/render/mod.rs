//! Output: one [`Report`] model, one renderer per format, all writing to any `Write`.
//!
//! Commands build a [`Report`] and never print. `render` turns it into table, json, ndjson,
//! csv, markdown or html. Every command gets every format for free.

use chrono::NaiveDate;
use rust_decimal::Decimal;

mod csv_out;
pub mod document;
mod html;
mod i18n;
mod json;
mod markdown;
pub mod parquet;
mod report_html;
pub mod svg;
mod table;

pub use self::render_impl::{Format, Lang, RenderOptions, render};
pub use i18n::{zh_header, zh_label};
mod render_impl;

/// How a column's values are shown and aligned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColKind {
    /// Free text, left-aligned.
    Text,
    /// A label from a closed set (tier, segment, status); translated with `--lang zh`.
    Label,
    /// Whole numbers, right-aligned.
    Int,
    /// Exact money, right-aligned, thousands separators in human formats.
    Money,
    /// A ratio in [0, 1] shown as a percentage in human formats (`12.34%`), a plain number in machine formats.
    Share,
    /// Any other float (scores of models, ratios like 1.85), right-aligned.
    Float,
    /// A calendar date, ISO `YYYY-MM-DD`.
    Date,
    /// true/false.
    Bool,
}

/// One output column: a stable snake_case key (JSON/CSV), and labels for people.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub key: String,
    /// English header for table/markdown/html (usually `key`).
    pub label: String,
    /// Chinese header for `--lang zh` (falls back to `label`).
    pub label_zh: Option<String>,
    pub kind: ColKind,
}

impl Column {
    pub fn new(key: &str, kind: ColKind) -> Self {
        Column {
            key: key.to_string(),
            label: key.to_string(),
            label_zh: None,
            kind,
        }
    }
    pub fn zh(mut self, label_zh: &str) -> Self {
        self.label_zh = Some(label_zh.to_string());
        self
    }
}

/// One value. `Null` is rendered as empty (table/csv) or `null` (json); never NaN or inf.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Str(String),
    Int(i64),
    /// Exact decimal; its scale is kept in output (`1234.50`).
    Money(Decimal),
    /// Non-finite values are rendered as null.
    Float(f64),
    Date(NaiveDate),
    Bool(bool),
}

/// A table of rows with named columns. `totals` is shown in human formats only
/// (table, markdown, html), never among JSON/CSV rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// snake_case name; the key of this table inside a summary's JSON object.
    pub name: String,
    /// Heading for people (English); `title_zh` for `--lang zh`.
    pub title: String,
    pub title_zh: Option<String>,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
    pub totals: Option<Vec<Cell>>,
}

/// What a command produces.
#[derive(Debug, Clone, PartialEq)]
pub enum Report {
    /// A list of rows: JSON array of objects, NDJSON one object per line, CSV one table.
    Rows(Table),
    /// A summary: scalar `fields` (key, label, value) and named tables.
    /// JSON: one object `{field: value, ..., table_name: [rows...], ...}`.
    /// NDJSON: one line `{"section":"overview", fields...}` then one line per row `{"section": table_name, ...}`.
    /// CSV: one table, the union of all columns, first column `section`.
    /// Table/markdown/html: a key/value block, then each table under its title.
    Summary {
        title: String,
        fields: Vec<(Column, Cell)>,
        tables: Vec<Table>,
    },
}
