//! A self-contained HTML document: labels, human values, numbers right-aligned, totals in
//! `<tfoot>`, all text escaped.

use std::io::{self, Write};

use super::render_impl::{
    Lang, RenderOptions, column_label, human_row, human_text, human_totals, is_numeric,
    summary_title, table_title,
};
use super::{Column, Report, Table};

pub(super) const STYLE: &str = "\
body{font-family:system-ui,-apple-system,\"Segoe UI\",\"PingFang SC\",\"Microsoft YaHei\",sans-serif;margin:2em;color:#222}
h1{font-size:1.5em}
h2{font-size:1.2em;margin-top:1.5em}
table{border-collapse:collapse;margin:.5em 0 1.5em}
th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}
thead th{background:#f3f3f3}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tfoot td{font-weight:bold;border-top:2px solid #888}
table.fields th{background:#f8f8f8;font-weight:normal}
";

/// Escape `& < > " '`.
pub(super) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

fn class(col: &Column) -> &'static str {
    if is_numeric(col.kind) {
        " class=\"num\""
    } else {
        ""
    }
}

fn write_cells<S: AsRef<str>>(
    out: &mut dyn Write,
    columns: &[Column],
    texts: &[S],
    tag: &str,
) -> io::Result<()> {
    out.write_all(b"<tr>")?;
    for (col, text) in columns.iter().zip(texts) {
        write!(
            out,
            "<{tag}{}>{}</{tag}>",
            class(col),
            escape(text.as_ref())
        )?;
    }
    out.write_all(b"</tr>\n")
}

pub(super) fn write_table(out: &mut dyn Write, table: &Table, lang: Lang) -> io::Result<()> {
    let title = table_title(table, lang);
    if !title.is_empty() {
        writeln!(out, "<h2>{}</h2>", escape(title))?;
    }
    if table.columns.is_empty() {
        return Ok(());
    }
    out.write_all(b"<table>\n<thead>\n")?;
    let header: Vec<&str> = table
        .columns
        .iter()
        .map(|c| column_label(c, lang))
        .collect();
    write_cells(out, &table.columns, &header, "th")?;
    out.write_all(b"</thead>\n<tbody>\n")?;
    for row in &table.rows {
        write_cells(
            out,
            &table.columns,
            &human_row(&table.columns, row, lang),
            "td",
        )?;
    }
    out.write_all(b"</tbody>\n")?;
    if let Some(totals) = &table.totals {
        out.write_all(b"<tfoot>\n")?;
        write_cells(
            out,
            &table.columns,
            &human_totals(&table.columns, totals, lang),
            "td",
        )?;
        out.write_all(b"</tfoot>\n")?;
    }
    out.write_all(b"</table>\n")
}

/// `Rows`: one `<h2>` title and table. `Summary`: `<h1>` title, the fields as a two-column
/// table, then an `<h2>` title and a table per table.
pub(super) fn render(report: &Report, opts: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let lang = opts.lang;
    let doc_title = match report {
        Report::Rows(table) => table_title(table, lang),
        Report::Summary { title, .. } => summary_title(title, lang),
    };
    let doc_title = if doc_title.is_empty() {
        "crm-cli"
    } else {
        doc_title
    };
    write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n",
        lang.name(),
        escape(doc_title)
    )?;
    match report {
        Report::Rows(table) => write_table(out, table, lang)?,
        Report::Summary {
            title,
            fields,
            tables,
        } => {
            if !title.is_empty() {
                writeln!(out, "<h1>{}</h1>", escape(title))?;
            }
            if !fields.is_empty() {
                out.write_all(b"<table class=\"fields\">\n<tbody>\n")?;
                for (col, cell) in fields {
                    writeln!(
                        out,
                        "<tr><th scope=\"row\">{}</th><td{}>{}</td></tr>",
                        escape(column_label(col, lang)),
                        class(col),
                        escape(&human_text(cell, col.kind, lang))
                    )?;
                }
                out.write_all(b"</tbody>\n</table>\n")?;
            }
            for table in tables {
                write_table(out, table, lang)?;
            }
        }
    }
    out.write_all(b"</body>\n</html>\n")
}

#[cfg(test)]
mod tests {
    use super::super::render_impl::fixtures::*;
    use super::super::{Cell, ColKind, Format};
    use super::*;

    fn html(report: &Report, lang: Lang) -> String {
        render_to_string(report, Format::Html, lang)
    }

    /// The part of a document after `<body>`.
    fn body(doc: &str) -> &str {
        let start = doc.find("<body>\n").expect("body") + "<body>\n".len();
        &doc[start..]
    }

    #[test]
    fn document_head() {
        let got = html(&Report::Rows(customers()), Lang::En);
        assert!(got.starts_with(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Customers</title>\n<style>\n"
        ));
        assert!(got.ends_with("</body>\n</html>\n"));
        let zh = html(&Report::Rows(customers()), Lang::Zh);
        assert!(zh.starts_with("<!DOCTYPE html>\n<html lang=\"zh\">\n"));
        assert!(zh.contains("<title>客户</title>"));
    }

    #[test]
    fn rows_pinned() {
        let got = html(&Report::Rows(customers()), Lang::En);
        let want = "<h2>Customers</h2>
<table>
<thead>
<tr><th>customer_id</th><th>Tier</th><th class=\"num\">monetary</th><th class=\"num\">share</th><th>last_date</th><th class=\"num\">frequency</th><th class=\"num\">score</th><th>active</th></tr>
</thead>
<tbody>
<tr><td>C001</td><td>VIP</td><td class=\"num\">1,234.50</td><td class=\"num\">12.34%</td><td>2024-06-30</td><td class=\"num\">12</td><td class=\"num\">1.85</td><td>yes</td></tr>
<tr><td>C|002 &quot;x&quot;</td><td>General</td><td class=\"num\">-0.10</td><td class=\"num\"></td><td></td><td class=\"num\">3</td><td class=\"num\"></td><td>no</td></tr>
</tbody>
<tfoot>
<tr><td>Total</td><td></td><td class=\"num\">1,234.40</td><td class=\"num\">12.34%</td><td></td><td class=\"num\">15</td><td class=\"num\"></td><td></td></tr>
</tfoot>
</table>
</body>
</html>
";
        assert_eq!(body(&got), want);
    }

    #[test]
    fn summary_zh_pinned() {
        let got = html(&summary(), Lang::Zh);
        let want = "<h1>Portfolio</h1>
<table class=\"fields\">
<tbody>
<tr><th scope=\"row\">As of</th><td>2024-06-30</td></tr>
<tr><th scope=\"row\">客户数</th><td class=\"num\">120</td></tr>
<tr><th scope=\"row\">收入</th><td class=\"num\">1,234,567.50</td></tr>
</tbody>
</table>
<h2>客户分群</h2>
<table>
<thead>
<tr><th>客户分群</th><th class=\"num\">客户数</th><th class=\"num\">金额占比</th></tr>
</thead>
<tbody>
<tr><td>冠军客户</td><td class=\"num\">10</td><td class=\"num\">50.00%</td></tr>
<tr><td>流失风险客户</td><td class=\"num\">2</td><td class=\"num\">12.50%</td></tr>
</tbody>
<tfoot>
<tr><td>合计</td><td class=\"num\">12</td><td class=\"num\">62.50%</td></tr>
</tfoot>
</table>
<h2>Lanes</h2>
<table>
<thead>
<tr><th>航线</th><th class=\"num\">客户数</th></tr>
</thead>
<tbody>
</tbody>
</table>
</body>
</html>
";
        assert_eq!(body(&got), want);
    }

    #[test]
    fn everything_is_escaped() {
        let t = Table {
            name: "t".into(),
            title: "<script>alert('x')</script>".into(),
            title_zh: None,
            columns: vec![Column {
                label: "a&b".into(),
                ..Column::new("a", ColKind::Text)
            }],
            rows: vec![vec![Cell::Str("<b>\"Tom\" & 'Jerry'</b>".into())]],
            totals: None,
        };
        let got = html(&Report::Rows(t), Lang::En);
        assert!(!got.contains("<script>"));
        assert!(!got.contains("<b>"));
        assert!(got.contains("<title>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</title>"));
        assert!(got.contains("<th>a&amp;b</th>"));
        assert!(got.contains("<td>&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;</td>"));
    }

    #[test]
    fn money_and_non_finite() {
        let t = Table {
            name: "t".into(),
            title: String::new(),
            title_zh: None,
            columns: vec![
                Column::new("m", ColKind::Money),
                Column::new("x", ColKind::Float),
            ],
            rows: vec![vec![money(123450, 2), Cell::Float(f64::NAN)]],
            totals: None,
        };
        let got = html(&Report::Rows(t), Lang::En);
        assert!(got.contains("<title>crm-cli</title>"));
        assert!(got.contains("<tr><td class=\"num\">1,234.50</td><td class=\"num\"></td></tr>"));
    }
}
