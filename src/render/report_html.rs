//! The HTML of a [`Document`]: one self-contained page for people and printers.
//!
//! Inline CSS and inline SVG charts, no script, nothing fetched: it opens the same from a mail
//! attachment, a file share or a web server. Fonts are the reader's system fonts; the list
//! names common Chinese ones, so `--lang zh` reads well on Linux, macOS and Windows. Tables are
//! the ordinary HTML renderer's; KPI tables can show as cards.

use std::io::{self, Write};

use super::document::{
    Body, Data, Document, Part, more_rows, none, not_available, section_heading,
};
use super::html::{STYLE, escape, write_table};
use super::render_impl::{Lang, column_label, human_text, table_title};
use super::svg;
use super::{Cell, ColKind, Column, Report, Table};

/// After the ordinary renderer's STYLE (which it overrides where they differ).
const REPORT_STYLE: &str = "\
body{font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,\"Noto Sans\",\"Noto Sans CJK SC\",\"Source Han Sans SC\",\"PingFang SC\",\"Hiragino Sans GB\",\"Microsoft YaHei\",sans-serif;max-width:1200px;margin:0 auto;padding:1.5em 2em;line-height:1.45;background:#fff}
header{border-bottom:3px solid #4e79a7;padding-bottom:.5em}
h1{margin:.2em 0 .4em}
h3{font-size:1.05em;margin:1.4em 0 .4em}
h4{font-size:.95em;margin:1.2em 0 .3em;color:#333}
section{margin-top:2.2em}
section>h2{border-bottom:1px solid #ccc;padding-bottom:.2em}
dl.meta,dl.fields{display:flex;flex-wrap:wrap;gap:.25em 1.8em;margin:.4em 0 .8em;font-size:.9em}
dl.meta div,dl.fields div{display:flex;gap:.45em}
dt{color:#666}
dd{margin:0;font-variant-numeric:tabular-nums}
table{font-size:.86em}
th,td{padding:.25em .5em}
.scroll{overflow-x:auto}
p.lead{margin:.6em 0}
p.missing{background:#fff8e1;border-left:4px solid #e0a800;padding:.5em .8em}
p.none{color:#666;font-style:italic}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(15em,1fr));gap:.7em;margin:.8em 0}
.card{border:1px solid #ccc;border-radius:6px;padding:.6em .8em;break-inside:avoid}
.card .k{color:#555;font-size:.9em}
.card .v{font-size:1.6em;font-weight:600;font-variant-numeric:tabular-nums;margin:.1em 0}
.card .d{font-size:.82em;color:#444;font-variant-numeric:tabular-nums}
.card .d span{color:#777;margin-right:.4em}
figure.chart{margin:.8em 0 1.2em;max-width:720px}
figure.chart svg{width:100%;height:auto;display:block}
nav.toc ol{columns:2;margin:.3em 0}
footer{margin-top:3em;color:#777;font-size:.85em;border-top:1px solid #ddd;padding-top:.5em}
@page{size:A4;margin:14mm}
@media print{body{max-width:none;padding:0;font-size:10pt}nav.toc{display:none}.scroll{overflow:visible}table{font-size:8pt}th{white-space:normal;overflow-wrap:anywhere}figure,.card,tr{break-inside:avoid}h2,h3,h4{break-after:avoid}a{color:inherit;text-decoration:none}}
";

fn contents(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "Contents",
        Lang::Zh => "目录",
    }
}

pub(super) fn render(doc: &Document, lang: Lang, out: &mut dyn Write) -> io::Result<()> {
    let html_lang = match lang {
        Lang::En => "en",
        Lang::Zh => "zh-CN",
    };
    let title = escape(doc.title.get(lang));
    write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{html_lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<style>\n{STYLE}{REPORT_STYLE}</style>\n</head>\n<body>\n\
         <header>\n<h1>{title}</h1>\n"
    )?;
    let meta = Data {
        report: Some(Report::Summary {
            title: String::new(),
            fields: doc.fields.clone(),
            tables: Vec::new(),
        }),
        ..Data::default()
    };
    write_fields(out, &meta.fields_for_people(lang), lang, "meta")?;
    writeln!(
        out,
        "</header>\n<nav class=\"toc\">\n<h2>{}</h2>\n<ol>",
        contents(lang)
    )?;
    for s in &doc.sections {
        writeln!(
            out,
            "<li><a href=\"#{}\">{}</a></li>",
            escape(&s.id),
            escape(s.title.get(lang))
        )?;
    }
    out.write_all(b"</ol>\n</nav>\n<main>\n")?;
    for (i, s) in doc.sections.iter().enumerate() {
        writeln!(
            out,
            "<section id=\"{}\">\n<h2>{}</h2>",
            escape(&s.id),
            escape(&section_heading(i, s, lang))
        )?;
        for p in &s.parts {
            write_part(out, p, lang)?;
        }
        out.write_all(b"</section>\n")?;
    }
    out.write_all(b"</main>\n")?;
    if !doc.footer.get(lang).is_empty() {
        writeln!(out, "<footer>{}</footer>", escape(doc.footer.get(lang)))?;
    }
    out.write_all(b"</body>\n</html>\n")
}

fn write_fields(
    out: &mut dyn Write,
    fields: &[(Column, Cell)],
    lang: Lang,
    class: &str,
) -> io::Result<()> {
    if fields.is_empty() {
        return Ok(());
    }
    writeln!(out, "<dl class=\"{class}\">")?;
    for (c, v) in fields {
        writeln!(
            out,
            "<div><dt>{}</dt><dd>{}</dd></div>",
            escape(column_label(c, lang)),
            escape(&human_text(v, c.kind, lang))
        )?;
    }
    out.write_all(b"</dl>\n")
}

fn write_part(out: &mut dyn Write, p: &Part, lang: Lang) -> io::Result<()> {
    if let Some(t) = &p.title {
        writeln!(out, "<h3>{}</h3>", escape(t.get(lang)))?;
    }
    for l in &p.lead {
        writeln!(out, "<p class=\"lead\">{}</p>", escape(l.get(lang)))?;
    }
    let d = match &p.body {
        Body::Missing(reason) => {
            return writeln!(
                out,
                "<p class=\"missing\"><strong>{}:</strong> {}</p>",
                not_available(lang),
                escape(reason.get(lang))
            );
        }
        Body::Data(d) => d,
    };
    write_fields(out, &d.fields_for_people(lang), lang, "fields")?;
    for chart in &d.charts {
        writeln!(
            out,
            "<figure class=\"chart\">\n{}\n</figure>",
            svg::svg(chart, lang)
        )?;
    }
    let mut tables = d.tables_for_people(lang);
    if d.cards && !tables.is_empty() {
        let (t, _) = tables.remove(0);
        write_cards(out, &t, lang)?;
    }
    for (t, left_out) in &tables {
        let title = table_title(t, lang);
        if !title.is_empty() {
            writeln!(out, "<h4>{}</h4>", escape(title))?;
        }
        if t.rows.is_empty() {
            writeln!(out, "<p class=\"none\">{}</p>", none(lang))?;
            continue;
        }
        out.write_all(b"<div class=\"scroll\">\n")?;
        let untitled = Table {
            title: String::new(),
            title_zh: None,
            ..t.clone()
        };
        write_table(out, &untitled, lang)?;
        out.write_all(b"</div>\n")?;
        if *left_out > 0 {
            writeln!(
                out,
                "<p class=\"none\">{}</p>",
                escape(&more_rows(*left_out, lang))
            )?;
        }
    }
    Ok(())
}

/// A value for a card: a dash when empty; changes get an arrow.
fn card_text(cell: &Cell, kind: ColKind, lang: Lang) -> String {
    let text = human_text(cell, kind, lang);
    if text.is_empty() {
        return "–".to_string();
    }
    match (kind, cell) {
        (ColKind::Share, Cell::Float(x)) if *x > 0.0 => format!("▲ {text}"),
        (ColKind::Share, Cell::Float(x)) if *x < 0.0 => {
            format!("▼ {}", text.trim_start_matches('-'))
        }
        _ => text.into_owned(),
    }
}

/// One card per row: the first cell names it, the second is its value, the others follow as
/// `label value` lines (a change column joins the value column before it).
fn write_cards(out: &mut dyn Write, t: &Table, lang: Lang) -> io::Result<()> {
    out.write_all(b"<div class=\"cards\">\n")?;
    let null = Cell::Null;
    for row in &t.rows {
        let cell = |i: usize| row.get(i).unwrap_or(&null);
        let kind = |i: usize| t.columns.get(i).map_or(ColKind::Text, |c| c.kind);
        write!(
            out,
            "<div class=\"card\"><div class=\"k\">{}</div><div class=\"v\">{}</div>",
            escape(&card_text(cell(0), kind(0), lang)),
            escape(&card_text(cell(1), kind(1), lang))
        )?;
        let mut i = 2;
        while i < t.columns.len() {
            let col = &t.columns[i];
            let mut line = card_text(cell(i), col.kind, lang);
            if col.kind != ColKind::Share && kind(i + 1) == ColKind::Share {
                line = format!("{line} ({})", card_text(cell(i + 1), ColKind::Share, lang));
                i += 1;
            }
            write!(
                out,
                "<div class=\"d\"><span>{}</span>{}</div>",
                escape(column_label(col, lang)),
                escape(&line)
            )?;
            i += 1;
        }
        out.write_all(b"</div>\n")?;
    }
    out.write_all(b"</div>\n")
}
