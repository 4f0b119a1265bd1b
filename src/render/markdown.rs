//! GitHub-flavoured Markdown: labels, human values, `|` escaped, numbers right-aligned.

use std::io::{self, Write};

use super::render_impl::{
    Lang, RenderOptions, column_label, human_row, human_text, human_totals, is_numeric,
    summary_title, table_title,
};
use super::{Report, Table};

/// Text safe inside a table cell or list item: `|` escaped, line breaks as `<br>`.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '|' => out.push_str("\\|"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("<br>");
            }
            '\n' => out.push_str("<br>"),
            _ => out.push(ch),
        }
    }
    out
}

fn write_row<S: AsRef<str>>(out: &mut dyn Write, cells: &[S]) -> io::Result<()> {
    out.write_all(b"|")?;
    for cell in cells {
        write!(out, " {} |", escape(cell.as_ref()))?;
    }
    out.write_all(b"\n")
}

/// A GitHub table: header, alignment row (`---` / `--:`), rows, then the totals row.
fn write_table(out: &mut dyn Write, table: &Table, lang: Lang) -> io::Result<()> {
    if table.columns.is_empty() {
        return Ok(());
    }
    let header: Vec<&str> = table
        .columns
        .iter()
        .map(|c| column_label(c, lang))
        .collect();
    write_row(out, &header)?;
    out.write_all(b"|")?;
    for col in &table.columns {
        out.write_all(if is_numeric(col.kind) {
            b"--:|"
        } else {
            b"---|"
        })?;
    }
    out.write_all(b"\n")?;
    for row in &table.rows {
        write_row(out, &human_row(&table.columns, row, lang))?;
    }
    if let Some(totals) = &table.totals {
        write_row(out, &human_totals(&table.columns, totals, lang))?;
    }
    Ok(())
}

/// `Rows`: `## Title` (if any) and the table. `Summary`: `## Title`, the fields as a
/// `- **label**: value` list, then `### Title` and a table per table; blocks separated by a
/// blank line.
pub(super) fn render(report: &Report, opts: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let lang = opts.lang;
    match report {
        Report::Rows(table) => {
            let title = table_title(table, lang);
            if !title.is_empty() {
                writeln!(out, "## {}\n", escape(title))?;
            }
            write_table(out, table, lang)?;
        }
        Report::Summary {
            title,
            fields,
            tables,
        } => {
            let mut blank = false;
            if !title.is_empty() {
                writeln!(out, "## {}", escape(summary_title(title, lang)))?;
                blank = true;
            }
            if !fields.is_empty() {
                if blank {
                    out.write_all(b"\n")?;
                }
                for (col, cell) in fields {
                    let label = escape(column_label(col, lang));
                    let value = escape(&human_text(cell, col.kind, lang));
                    writeln!(out, "- **{label}**: {value}")?;
                }
                blank = true;
            }
            for table in tables {
                if blank {
                    out.write_all(b"\n")?;
                }
                let title = table_title(table, lang);
                if !title.is_empty() {
                    writeln!(out, "### {}\n", escape(title))?;
                }
                write_table(out, table, lang)?;
                blank = true;
            }
            if !blank {
                // Nothing at all: still end with a newline.
                out.write_all(b"\n")?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::render_impl::fixtures::*;
    use super::super::{Cell, ColKind, Column, Format};
    use super::*;

    fn md(report: &Report, lang: Lang) -> String {
        render_to_string(report, Format::Markdown, lang)
    }

    #[test]
    fn rows_pinned() {
        let got = md(&Report::Rows(customers()), Lang::En);
        let want = "## Customers\n\
\n\
| customer_id | Tier | monetary | share | last_date | frequency | score | active |\n\
|---|---|--:|--:|---|--:|--:|---|\n\
| C001 | VIP | 1,234.50 | 12.34% | 2024-06-30 | 12 | 1.85 | yes |\n\
| C\\|002 \"x\" | General | -0.10 |  |  | 3 |  | no |\n\
| Total |  | 1,234.40 | 12.34% |  | 15 |  |  |\n";
        assert_eq!(got, want);
    }

    #[test]
    fn rows_zh_pinned() {
        let got = md(&Report::Rows(customers()), Lang::Zh);
        let want = "## 客户\n\
\n\
| 客户编号 | 等级 | 金额 | 占比 | 最近发货 | 频次 | score | active |\n\
|---|---|--:|--:|---|--:|--:|---|\n\
| C001 | VIP客户 | 1,234.50 | 12.34% | 2024-06-30 | 12 | 1.85 | 是 |\n\
| C\\|002 \"x\" | 一般客户 | -0.10 |  |  | 3 |  | 否 |\n\
| 合计 |  | 1,234.40 | 12.34% |  | 15 |  |  |\n";
        assert_eq!(got, want);
    }

    #[test]
    fn summary_pinned() {
        let got = md(&summary(), Lang::En);
        let want = "## Portfolio\n\
\n\
- **As of**: 2024-06-30\n\
- **customers**: 120\n\
- **Revenue**: 1,234,567.50\n\
\n\
### Segments\n\
\n\
| segment | customers | monetary_share |\n\
|---|--:|--:|\n\
| Champions | 10 | 50.00% |\n\
| At Risk | 2 | 12.50% |\n\
| Total | 12 | 62.50% |\n\
\n\
### Lanes\n\
\n\
| lane | customers |\n\
|---|--:|\n";
        assert_eq!(got, want);
    }

    #[test]
    fn summary_zh_pinned() {
        let got = md(&summary(), Lang::Zh);
        let want = "## Portfolio\n\
\n\
- **As of**: 2024-06-30\n\
- **客户数**: 120\n\
- **收入**: 1,234,567.50\n\
\n\
### 客户分群\n\
\n\
| 客户分群 | 客户数 | 金额占比 |\n\
|---|--:|--:|\n\
| 冠军客户 | 10 | 50.00% |\n\
| 流失风险客户 | 2 | 12.50% |\n\
| 合计 | 12 | 62.50% |\n\
\n\
### Lanes\n\
\n\
| 航线 | 客户数 |\n\
|---|--:|\n";
        assert_eq!(got, want);
    }

    #[test]
    fn money_is_grouped() {
        let t = Table {
            name: "t".into(),
            title: String::new(),
            title_zh: None,
            columns: vec![Column::new("m", ColKind::Money)],
            rows: vec![vec![money(123450, 2)], vec![Cell::Float(f64::NAN)]],
            totals: None,
        };
        assert_eq!(
            md(&Report::Rows(t), Lang::En),
            "| m |\n|--:|\n| 1,234.50 |\n|  |\n"
        );
    }

    #[test]
    fn escaping() {
        assert_eq!(escape("a|b"), "a\\|b");
        assert_eq!(escape("one\r\ntwo\nthree"), "one<br>two<br>three");
        assert_eq!(escape("客户"), "客户");
    }

    #[test]
    fn empty_summary_is_a_newline() {
        let r = Report::Summary {
            title: String::new(),
            fields: vec![],
            tables: vec![],
        };
        assert_eq!(md(&r, Lang::En), "\n");
    }
}
