//! JSON and NDJSON: keys, raw values, key order = column order.
//!
//! The JSON text is written by hand so that the key order and layout are stable;
//! `serde_json` only escapes strings.

use std::io::{self, Write};

use super::render_impl::{cell_at, iso_date, machine_float, machine_money};
use super::{Cell, Column, Report, Table};

/// A JSON string literal.
fn json_str(s: &str) -> String {
    serde_json::to_string(s).expect("serializing a str cannot fail")
}

/// A cell as a JSON value: Money exact with its scale, non-finite floats as `null`.
fn json_value(cell: &Cell) -> String {
    match cell {
        Cell::Null => "null".to_string(),
        Cell::Str(s) => json_str(s),
        Cell::Int(i) => i.to_string(),
        Cell::Money(d) => machine_money(d),
        Cell::Float(x) => machine_float(*x).unwrap_or_else(|| "null".to_string()),
        Cell::Date(d) => json_str(&iso_date(d)),
        Cell::Bool(b) => b.to_string(),
    }
}

/// One row as a JSON object on one line. `pretty` puts a space after `:` and `,`.
/// `section`, if any, is written first as `"section": "<name>"`.
fn object(columns: &[Column], row: &[Cell], section: Option<&str>, pretty: bool) -> String {
    let (colon, comma) = if pretty { (": ", ", ") } else { (":", ",") };
    let mut s = String::from("{");
    let mut first = true;
    if let Some(section) = section {
        s.push_str("\"section\"");
        s.push_str(colon);
        s.push_str(&json_str(section));
        first = false;
    }
    for (i, col) in columns.iter().enumerate() {
        if !first {
            s.push_str(comma);
        }
        first = false;
        s.push_str(&json_str(&col.key));
        s.push_str(colon);
        s.push_str(&json_value(cell_at(row, i)));
    }
    s.push('}');
    s
}

/// A table's rows as a JSON array, one object per line, indented by `indent`; `[]` if empty.
/// Writes no trailing newline.
fn write_array(out: &mut dyn Write, table: &Table, indent: &str) -> io::Result<()> {
    if table.rows.is_empty() {
        return out.write_all(b"[]");
    }
    out.write_all(b"[\n")?;
    let last = table.rows.len() - 1;
    for (i, row) in table.rows.iter().enumerate() {
        let sep = if i == last { "" } else { "," };
        writeln!(
            out,
            "{indent}  {}{sep}",
            object(&table.columns, row, None, true)
        )?;
    }
    write!(out, "{indent}]")
}

/// `Rows` → an array of objects; `Summary` → one object, fields first, then each table's rows
/// under its name. Trailing newline.
pub(super) fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    match report {
        Report::Rows(table) => write_array(out, table, "")?,
        Report::Summary { fields, tables, .. } => {
            if fields.is_empty() && tables.is_empty() {
                out.write_all(b"{}")?;
            } else {
                out.write_all(b"{")?;
                let mut first = true;
                for (col, cell) in fields {
                    out.write_all(if first { b"\n" } else { b",\n" })?;
                    first = false;
                    write!(out, "  {}: {}", json_str(&col.key), json_value(cell))?;
                }
                for table in tables {
                    out.write_all(if first { b"\n" } else { b",\n" })?;
                    first = false;
                    write!(out, "  {}: ", json_str(&table.name))?;
                    write_array(out, table, "  ")?;
                }
                out.write_all(b"\n}")?;
            }
        }
    }
    out.write_all(b"\n")
}

/// One compact object per line. `Summary`: `{"section":"overview",<fields>}`, then one line
/// per row of each table with `"section":"<table name>"` first.
pub(super) fn render_ndjson(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    match report {
        Report::Rows(table) => {
            for row in &table.rows {
                writeln!(out, "{}", object(&table.columns, row, None, false))?;
            }
        }
        Report::Summary { fields, tables, .. } => {
            let (columns, values): (Vec<Column>, Vec<Cell>) = fields.iter().cloned().unzip();
            writeln!(
                out,
                "{}",
                object(&columns, &values, Some("overview"), false)
            )?;
            for table in tables {
                for row in &table.rows {
                    writeln!(
                        out,
                        "{}",
                        object(&table.columns, row, Some(&table.name), false)
                    )?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::render_impl::fixtures::*;
    use super::super::{ColKind, Format, Lang};
    use super::*;
    use rust_decimal::Decimal;

    fn json(report: &Report) -> String {
        render_to_string(report, Format::Json, Lang::En)
    }

    fn ndjson(report: &Report) -> String {
        render_to_string(report, Format::Ndjson, Lang::En)
    }

    #[test]
    fn rows_pinned() {
        let got = json(&Report::Rows(customers()));
        let want = r#"[
  {"customer_id": "C001", "tier": "VIP", "monetary": 1234.50, "share": 0.1234, "last_date": "2024-06-30", "frequency": 12, "score": 1.85, "active": true},
  {"customer_id": "C|002 \"x\"", "tier": "General", "monetary": -0.10, "share": null, "last_date": null, "frequency": 3, "score": null, "active": false}
]
"#;
        assert_eq!(got, want);
        // Valid JSON, and totals are never among the rows.
        let v: serde_json::Value = serde_json::from_str(&got).expect("valid JSON");
        assert_eq!(v.as_array().map(Vec::len), Some(2));
    }

    #[test]
    fn empty_rows() {
        let t = Table {
            rows: vec![],
            ..customers()
        };
        assert_eq!(json(&Report::Rows(t)), "[]\n");
    }

    #[test]
    fn money_keeps_scale_exactly() {
        let t = Table {
            name: "t".into(),
            title: String::new(),
            title_zh: None,
            columns: vec![super::super::Column::new("m", ColKind::Money)],
            rows: vec![
                vec![Cell::Money(Decimal::new(123450, 2))],
                vec![Cell::Money(
                    "12345678901234567890.123456789".parse().expect("decimal"),
                )],
            ],
            totals: None,
        };
        let got = json(&Report::Rows(t));
        assert_eq!(
            got,
            "[\n  {\"m\": 1234.50},\n  {\"m\": 12345678901234567890.123456789}\n]\n"
        );
    }

    #[test]
    fn floats_are_valid_json() {
        let t = Table {
            name: "t".into(),
            title: String::new(),
            title_zh: None,
            columns: vec![super::super::Column::new("x", ColKind::Float)],
            rows: [
                1.0,
                1e-7,
                2.5e20,
                f64::NAN,
                f64::INFINITY,
                f64::NEG_INFINITY,
            ]
            .into_iter()
            .map(|x| vec![Cell::Float(x)])
            .collect(),
            totals: None,
        };
        let got = json(&Report::Rows(t));
        assert_eq!(
            got,
            "[\n  {\"x\": 1},\n  {\"x\": 1e-7},\n  {\"x\": 2.5e20},\n  {\"x\": null},\n  {\"x\": null},\n  {\"x\": null}\n]\n"
        );
        serde_json::from_str::<serde_json::Value>(&got).expect("valid JSON");
    }

    #[test]
    fn summary_pinned() {
        let got = json(&summary());
        let want = r#"{
  "as_of": "2024-06-30",
  "customers": 120,
  "revenue": 1234567.50,
  "segments": [
    {"segment": "Champions", "customers": 10, "monetary_share": 0.5},
    {"segment": "At Risk", "customers": 2, "monetary_share": 0.125}
  ],
  "lanes": []
}
"#;
        assert_eq!(got, want);
        let v: serde_json::Value = serde_json::from_str(&got).expect("valid JSON");
        assert_eq!(v["segments"][1]["segment"], "At Risk");
    }

    #[test]
    fn empty_summary() {
        let r = Report::Summary {
            title: "x".into(),
            fields: vec![],
            tables: vec![],
        };
        assert_eq!(json(&r), "{}\n");
        assert_eq!(ndjson(&r), "{\"section\":\"overview\"}\n");
    }

    #[test]
    fn short_rows_are_padded_with_null() {
        let t = Table {
            rows: vec![vec![Cell::Str("C9".into())]],
            ..customers()
        };
        let got = json(&Report::Rows(t));
        assert!(
            got.contains(r#"{"customer_id": "C9", "tier": null, "monetary": null"#),
            "{got}"
        );
    }

    #[test]
    fn ndjson_rows_pinned() {
        let got = ndjson(&Report::Rows(customers()));
        let want = concat!(
            r#"{"customer_id":"C001","tier":"VIP","monetary":1234.50,"share":0.1234,"last_date":"2024-06-30","frequency":12,"score":1.85,"active":true}"#,
            "\n",
            r#"{"customer_id":"C|002 \"x\"","tier":"General","monetary":-0.10,"share":null,"last_date":null,"frequency":3,"score":null,"active":false}"#,
            "\n",
        );
        assert_eq!(got, want);
        assert_eq!(
            ndjson(&Report::Rows(Table {
                rows: vec![],
                ..customers()
            })),
            ""
        );
    }

    #[test]
    fn ndjson_summary_pinned() {
        let got = ndjson(&summary());
        let want = concat!(
            r#"{"section":"overview","as_of":"2024-06-30","customers":120,"revenue":1234567.50}"#,
            "\n",
            r#"{"section":"segments","segment":"Champions","customers":10,"monetary_share":0.5}"#,
            "\n",
            r#"{"section":"segments","segment":"At Risk","customers":2,"monetary_share":0.125}"#,
            "\n",
        );
        assert_eq!(got, want);
        for line in got.lines() {
            serde_json::from_str::<serde_json::Value>(line).expect("valid JSON line");
        }
    }

    #[test]
    fn strings_are_escaped() {
        let t = Table {
            name: "t".into(),
            title: String::new(),
            title_zh: None,
            columns: vec![super::super::Column::new("k\"ey", ColKind::Text)],
            rows: vec![vec![Cell::Str("a\nb\t\"c\"\\ 客户 \u{1}".into())]],
            totals: None,
        };
        let got = ndjson(&Report::Rows(t));
        assert_eq!(
            got,
            "{\"k\\\"ey\":\"a\\nb\\t\\\"c\\\"\\\\ 客户 \\u0001\"}\n"
        );
    }
}
