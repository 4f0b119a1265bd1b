//! CSV (RFC 4180 quoting, `\n` line ends): a header of keys, then raw values.

use std::io::{self, Write};

use super::Report;
use super::render_impl::{cell_at, machine_text};

/// The position of `key` in `keys` (ignoring the leading `section`), appended if new.
fn key_index<'a>(keys: &mut Vec<&'a str>, key: &'a str) -> usize {
    match keys.iter().skip(1).position(|k| *k == key) {
        Some(i) => i + 1,
        None => {
            keys.push(key);
            keys.len() - 1
        }
    }
}

fn to_io(err: csv::Error) -> io::Error {
    match err.into_kind() {
        csv::ErrorKind::Io(e) => e,
        kind => io::Error::other(format!("csv: {kind:?}")),
    }
}

/// `Rows` → one table. `Summary` → one table whose columns are `section` then the union of
/// all keys (overview fields first, then tables' columns in order of first appearance): one
/// `overview` row with the fields, then every table's rows; missing cells are empty.
pub(super) fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .quote_style(csv::QuoteStyle::Necessary)
        .flexible(false)
        .from_writer(out);
    match report {
        Report::Rows(table) => {
            if table.columns.is_empty() {
                return Ok(());
            }
            w.write_record(table.columns.iter().map(|c| c.key.as_str()))
                .map_err(to_io)?;
            for row in &table.rows {
                let record = (0..table.columns.len()).map(|i| machine_text(cell_at(row, i)));
                w.write_record(record.map(|t| t.into_owned()))
                    .map_err(to_io)?;
            }
        }
        Report::Summary { fields, tables, .. } => {
            // The union of keys after `section`, in order of first appearance.
            let mut keys: Vec<&str> = vec!["section"];
            let mut field_pos = Vec::with_capacity(fields.len());
            for (col, _) in fields {
                field_pos.push(key_index(&mut keys, &col.key));
            }
            let mut table_pos = Vec::with_capacity(tables.len());
            for table in tables {
                let positions: Vec<usize> = table
                    .columns
                    .iter()
                    .map(|c| key_index(&mut keys, &c.key))
                    .collect();
                table_pos.push(positions);
            }
            let width = keys.len();
            w.write_record(&keys).map_err(to_io)?;

            let mut record = vec![String::new(); width];
            record[0] = "overview".to_string();
            for ((_, cell), &pos) in fields.iter().zip(&field_pos) {
                record[pos] = machine_text(cell).into_owned();
            }
            w.write_record(&record).map_err(to_io)?;

            for (table, positions) in tables.iter().zip(&table_pos) {
                for row in &table.rows {
                    record.iter_mut().for_each(String::clear);
                    record[0].push_str(&table.name);
                    for (i, &pos) in positions.iter().enumerate() {
                        record[pos] = machine_text(cell_at(row, i)).into_owned();
                    }
                    w.write_record(&record).map_err(to_io)?;
                }
            }
        }
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::super::render_impl::fixtures::*;
    use super::super::{Cell, ColKind, Column, Format, Lang, Table};
    use super::*;

    fn csv(report: &Report) -> String {
        render_to_string(report, Format::Csv, Lang::En)
    }

    #[test]
    fn rows_pinned() {
        let got = csv(&Report::Rows(customers()));
        let want = "customer_id,tier,monetary,share,last_date,frequency,score,active\n\
                    C001,VIP,1234.50,0.1234,2024-06-30,12,1.85,true\n\
                    \"C|002 \"\"x\"\"\",General,-0.10,,,3,,false\n";
        assert_eq!(got, want);
    }

    #[test]
    fn header_only_when_no_rows() {
        let t = Table {
            rows: vec![],
            ..customers()
        };
        assert_eq!(
            csv(&Report::Rows(t)),
            "customer_id,tier,monetary,share,last_date,frequency,score,active\n"
        );
    }

    #[test]
    fn quoting_follows_rfc_4180() {
        let t = Table {
            name: "t".into(),
            title: String::new(),
            title_zh: None,
            columns: vec![
                Column::new("a", ColKind::Text),
                Column::new("b", ColKind::Text),
            ],
            rows: vec![
                vec![Cell::Str("x,y".into()), Cell::Str("line\nbreak".into())],
                vec![Cell::Str("客户".into()), Cell::Null],
            ],
            totals: None,
        };
        assert_eq!(
            csv(&Report::Rows(t)),
            "a,b\n\"x,y\",\"line\nbreak\"\n客户,\n"
        );
    }

    #[test]
    fn money_and_floats_are_exact() {
        let t = Table {
            name: "t".into(),
            title: String::new(),
            title_zh: None,
            columns: vec![
                Column::new("m", ColKind::Money),
                Column::new("x", ColKind::Float),
            ],
            rows: vec![
                vec![money(123450, 2), Cell::Float(0.1 + 0.2)],
                vec![money(123456789, 2), Cell::Float(1e-7)],
                vec![Cell::Null, Cell::Float(f64::NAN)],
                vec![money(-5, 1), Cell::Float(f64::NEG_INFINITY)],
            ],
            totals: None,
        };
        assert_eq!(
            csv(&Report::Rows(t)),
            "m,x\n1234.50,0.30000000000000004\n1234567.89,1e-7\n,\n-0.5,\n"
        );
    }

    #[test]
    fn summary_pinned() {
        let got = csv(&summary());
        let want = "section,as_of,customers,revenue,segment,monetary_share,lane\n\
                    overview,2024-06-30,120,1234567.50,,,\n\
                    segments,,10,,Champions,0.5,\n\
                    segments,,2,,At Risk,0.125,\n";
        assert_eq!(got, want);
    }

    #[test]
    fn summary_without_fields_still_has_overview_row() {
        let r = Report::Summary {
            title: String::new(),
            fields: vec![],
            tables: vec![Table {
                name: "t".into(),
                ..customers()
            }],
        };
        let got = csv(&r);
        let mut lines = got.lines();
        assert_eq!(
            lines.next(),
            Some("section,customer_id,tier,monetary,share,last_date,frequency,score,active")
        );
        assert_eq!(lines.next(), Some("overview,,,,,,,,"));
        assert_eq!(
            lines.next(),
            Some("t,C001,VIP,1234.50,0.1234,2024-06-30,12,1.85,true")
        );
    }
}
