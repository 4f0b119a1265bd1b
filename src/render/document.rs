//! A document of several sections (`crm-cli report`).
//!
//! Each section holds parts; a part is one ordinary [`Report`] (the same fields and tables a
//! command prints, so its JSON keys are the command's) plus what people need around it: a lead
//! sentence, charts, texts for its labels. A part whose data is missing carries the reason
//! instead. Markdown and JSON render every part with the ordinary renderers; HTML is in
//! `report_html`.
//!
//! - Markdown: `# title`, the document's fields as a list, then `## N. Section`, each part's
//!   lead, its fields (empty ones left out) and its tables under `###` titles.
//! - JSON: one object: the document's fields, then every part under its key (a summary as an
//!   object, rows as an array, a missing part as `null`), then `unavailable`: the missing parts
//!   and why. Machine output: never translated, every field kept.

use std::io::{self, Write};

use super::render_impl::{Format, Lang, RenderOptions, human_text};
use super::svg::Chart;
use super::{Cell, ColKind, Column, Report, Table};

/// A text for people, in English and Chinese.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub en: String,
    pub zh: String,
}

impl Text {
    pub fn new(en: impl Into<String>, zh: impl Into<String>) -> Text {
        Text {
            en: en.into(),
            zh: zh.into(),
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Zh => &self.zh,
        }
    }
}

/// The formats a document is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocFormat {
    Html,
    Markdown,
    Json,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub title: Text,
    /// Key facts (period, dates, inputs): the first JSON fields; a list under the title.
    pub fields: Vec<(Column, Cell)>,
    pub sections: Vec<Section>,
    /// The last line for people (e.g. the program and version).
    pub footer: Text,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// HTML anchor.
    pub id: String,
    pub title: Text,
    pub parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    /// The JSON key of the part's data, unique in the document.
    pub key: String,
    /// A heading for people (None: the part's tables carry their own titles).
    pub title: Option<Text>,
    /// Sentences for people, shown above the data.
    pub lead: Vec<Text>,
    pub body: Body,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    Data(Data),
    /// The data is not there: why, for people and for JSON (`unavailable`).
    Missing(Text),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Data {
    pub report: Option<Report>,
    /// HTML only.
    pub charts: Vec<Chart>,
    /// Field keys and table names left out of the human formats (e.g. points drawn as a chart).
    pub hide: Vec<String>,
    /// Texts for people of `Label` cells: value → text (e.g. `revenue` → Revenue / 收入).
    pub labels: Vec<(String, Text)>,
    /// HTML: show the first table as cards (first column the name, second the value).
    pub cards: bool,
    /// Human formats show at most this many rows of each table (JSON has them all).
    pub row_limit: Option<usize>,
}

impl Part {
    pub fn data(key: &str, report: Report) -> Part {
        Part {
            key: key.to_string(),
            title: None,
            lead: Vec::new(),
            body: Body::Data(Data {
                report: Some(report),
                ..Data::default()
            }),
        }
    }

    pub fn missing(key: &str, title: Text, reason: Text) -> Part {
        Part {
            key: key.to_string(),
            title: Some(title),
            lead: Vec::new(),
            body: Body::Missing(reason),
        }
    }

    pub fn with_lead(mut self, lead: Text) -> Part {
        self.lead.push(lead);
        self
    }

    pub fn with_title(mut self, title: Text) -> Part {
        self.title = Some(title);
        self
    }

    /// Show at most `n` rows of each table in the human formats.
    pub fn with_row_limit(mut self, n: usize) -> Part {
        if let Some(d) = self.data_mut() {
            d.row_limit = Some(n);
        }
        self
    }

    /// Mutable access to the data (no-op for a missing part).
    pub fn data_mut(&mut self) -> Option<&mut Data> {
        match &mut self.body {
            Body::Data(d) => Some(d),
            Body::Missing(_) => None,
        }
    }
}

/// A value as people read it (`1,234.50`, `12.30%`, `2024-06-30`).
pub fn human(cell: &Cell, kind: ColKind) -> String {
    human_text(cell, kind, Lang::En).into_owned()
}

impl Data {
    fn label<'a>(&'a self, value: &'a str, lang: Lang) -> &'a str {
        self.labels
            .iter()
            .find(|(k, _)| k == value)
            .map_or(value, |(_, t)| t.get(lang))
    }

    fn label_cell(&self, cell: &Cell, kind: ColKind, lang: Lang) -> Cell {
        match (cell, kind) {
            (Cell::Str(s), ColKind::Label) => Cell::Str(self.label(s, lang).to_string()),
            _ => cell.clone(),
        }
    }

    /// The tables people see, each with the number of its rows left out by `row_limit`: hidden
    /// ones left out, labels in `lang`, titles kept.
    pub(super) fn tables_for_people(&self, lang: Lang) -> Vec<(Table, usize)> {
        let tables: Vec<&Table> = match &self.report {
            Some(Report::Rows(t)) => vec![t],
            Some(Report::Summary { tables, .. }) => tables.iter().collect(),
            None => Vec::new(),
        };
        tables
            .into_iter()
            .filter(|t| !self.hide.contains(&t.name))
            .map(|t| {
                let keep = self.row_limit.unwrap_or(usize::MAX).min(t.rows.len());
                let table = Table {
                    rows: t.rows[..keep]
                        .iter()
                        .map(|row| {
                            row.iter()
                                .zip(&t.columns)
                                .map(|(c, col)| self.label_cell(c, col.kind, lang))
                                .collect()
                        })
                        .collect(),
                    ..t.clone()
                };
                (table, t.rows.len() - keep)
            })
            .collect()
    }

    /// The fields people see: hidden and empty ones left out, labels in `lang`.
    pub(super) fn fields_for_people(&self, lang: Lang) -> Vec<(Column, Cell)> {
        let Some(Report::Summary { fields, .. }) = &self.report else {
            return Vec::new();
        };
        fields
            .iter()
            .filter(|(c, v)| !self.hide.contains(&c.key) && *v != Cell::Null)
            .map(|(c, v)| (c.clone(), self.label_cell(v, c.kind, lang)))
            .collect()
    }

    /// The report people see, as a summary without a title (its tables under `###`).
    fn for_people(&self, lang: Lang) -> Report {
        Report::Summary {
            title: String::new(),
            fields: self.fields_for_people(lang),
            tables: self
                .tables_for_people(lang)
                .into_iter()
                .map(|(t, _)| t)
                .collect(),
        }
    }
}

/// Write `doc` in `format`; `lang` is the language of the human formats.
pub fn render(
    doc: &Document,
    format: DocFormat,
    lang: Lang,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut w = io::BufWriter::with_capacity(64 * 1024, out);
    match format {
        DocFormat::Html => super::report_html::render(doc, lang, &mut w)?,
        DocFormat::Markdown => render_markdown(doc, lang, &mut w)?,
        DocFormat::Json => render_json(doc, &mut w)?,
    }
    w.flush()
}

/// A report rendered by the ordinary renderer, as text.
fn rendered(report: &Report, format: Format, lang: Lang) -> io::Result<String> {
    let mut buf = Vec::new();
    let opts = RenderOptions {
        format,
        lang,
        width: None,
    };
    super::render(report, &opts, &mut buf)?;
    String::from_utf8(buf).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

/// Section titles are numbered for people: `1. Headline KPIs`.
pub(super) fn section_heading(i: usize, s: &Section, lang: Lang) -> String {
    format!("{}. {}", i + 1, s.title.get(lang))
}

pub(super) fn not_available(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "Not available",
        Lang::Zh => "暂无数据",
    }
}

/// The line under a table cut to `row_limit`.
pub(super) fn more_rows(n: usize, lang: Lang) -> String {
    match lang {
        Lang::En => format!("… and {n} more (every row is in the JSON report)."),
        Lang::Zh => format!("……另有 {n} 行（JSON 报告中有全部数据）。"),
    }
}

/// What an empty list says.
pub(super) fn none(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "None.",
        Lang::Zh => "无。",
    }
}

/// Markdown text on one line: `|` and line breaks cannot break a list or paragraph.
fn md_inline(s: &str) -> String {
    s.replace('\n', " ").replace('|', "\\|")
}

fn render_markdown(doc: &Document, lang: Lang, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "# {}", md_inline(doc.title.get(lang)))?;
    let meta = Data {
        report: Some(Report::Summary {
            title: String::new(),
            fields: doc.fields.clone(),
            tables: Vec::new(),
        }),
        ..Data::default()
    };
    let fields = meta.for_people(lang);
    if let Report::Summary { fields: f, .. } = &fields
        && !f.is_empty()
    {
        write!(out, "\n{}", rendered(&fields, Format::Markdown, lang)?)?;
    }
    for (i, section) in doc.sections.iter().enumerate() {
        write!(
            out,
            "\n## {}\n",
            md_inline(&section_heading(i, section, lang))
        )?;
        for part in &section.parts {
            if let Some(t) = &part.title {
                write!(out, "\n### {}\n", md_inline(t.get(lang)))?;
            }
            for lead in &part.lead {
                write!(out, "\n{}\n", md_inline(lead.get(lang)))?;
            }
            match &part.body {
                Body::Missing(reason) => {
                    write!(
                        out,
                        "\n*{}:* {}\n",
                        not_available(lang),
                        md_inline(reason.get(lang))
                    )?;
                }
                Body::Data(data) => {
                    let fields = data.fields_for_people(lang);
                    if !fields.is_empty() {
                        let report = Report::Summary {
                            title: String::new(),
                            fields,
                            tables: Vec::new(),
                        };
                        write!(out, "\n{}", rendered(&report, Format::Markdown, lang)?)?;
                    }
                    for (table, left_out) in data.tables_for_people(lang) {
                        if table.rows.is_empty() {
                            let title = super::render_impl::table_title(&table, lang);
                            if !title.is_empty() {
                                write!(out, "\n### {}\n", md_inline(title))?;
                            }
                            write!(out, "\n*{}*\n", none(lang))?;
                            continue;
                        }
                        let report = Report::Summary {
                            title: String::new(),
                            fields: Vec::new(),
                            tables: vec![table],
                        };
                        write!(out, "\n{}", rendered(&report, Format::Markdown, lang)?)?;
                        if left_out > 0 {
                            write!(out, "\n*{}*\n", more_rows(left_out, lang))?;
                        }
                    }
                }
            }
        }
    }
    if !doc.footer.get(lang).is_empty() {
        write!(out, "\n---\n\n{}\n", md_inline(doc.footer.get(lang)))?;
    }
    Ok(())
}

/// The JSON of `report` indented to sit as a value inside an object (no trailing newline).
fn nested_json(report: &Report) -> io::Result<String> {
    let text = rendered(report, Format::Json, Lang::En)?;
    // Strings never hold a raw line break in JSON, so indenting by line is safe.
    Ok(text.trim_end_matches('\n').replace('\n', "\n  "))
}

fn render_json(doc: &Document, out: &mut dyn Write) -> io::Result<()> {
    let head = rendered(
        &Report::Summary {
            title: String::new(),
            fields: doc.fields.clone(),
            tables: Vec::new(),
        },
        Format::Json,
        Lang::En,
    )?;
    // `{\n  "k": v,\n  ...\n}\n` without its end, or `{}` when there are no fields.
    let head = head.trim_end_matches('\n');
    let (mut text, mut first) = match head.strip_suffix("\n}") {
        Some(h) => (h.to_string(), false),
        None => ("{".to_string(), true),
    };
    let mut missing: Vec<Vec<Cell>> = Vec::new();
    for section in &doc.sections {
        for part in &section.parts {
            let value = match &part.body {
                Body::Data(Data {
                    report: Some(r), ..
                }) => nested_json(r)?,
                Body::Data(_) => "null".to_string(),
                Body::Missing(reason) => {
                    missing.push(vec![
                        Cell::Str(section.id.clone()),
                        Cell::Str(part.key.clone()),
                        Cell::Str(reason.en.clone()),
                    ]);
                    "null".to_string()
                }
            };
            text.push_str(if first { "\n" } else { ",\n" });
            first = false;
            text.push_str(&format!(
                "  {}: {value}",
                serde_json::Value::String(part.key.clone())
            ));
        }
    }
    let unavailable = Report::Rows(Table {
        name: "unavailable".into(),
        title: String::new(),
        title_zh: None,
        columns: vec![
            Column::new("section", ColKind::Text),
            Column::new("part", ColKind::Text),
            Column::new("reason", ColKind::Text),
        ],
        rows: missing,
        totals: None,
    });
    text.push_str(if first { "\n" } else { ",\n" });
    text.push_str(&format!(
        "  \"unavailable\": {}",
        nested_json(&unavailable)?
    ));
    text.push_str("\n}\n");
    out.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Document {
        let table = Table {
            name: "items".into(),
            title: "Items".into(),
            title_zh: Some("项目".into()),
            columns: vec![
                Column::new("kpi", ColKind::Label),
                Column::new("value", ColKind::Money),
            ],
            rows: vec![vec![
                Cell::Str("revenue".into()),
                Cell::Money(rust_decimal::Decimal::new(123456, 2)),
            ]],
            totals: None,
        };
        let mut part = Part::data(
            "kpis",
            Report::Summary {
                title: String::new(),
                fields: vec![
                    (Column::new("as_of", ColKind::Date), Cell::Null),
                    (
                        Column::new("hidden", ColKind::Text),
                        Cell::Str("secret".into()),
                    ),
                ],
                tables: vec![table],
            },
        )
        .with_lead(Text::new("Lead | one", "导语"));
        if let Some(d) = part.data_mut() {
            d.hide.push("hidden".into());
            d.labels
                .push(("revenue".into(), Text::new("Revenue", "收入")));
        }
        Document {
            title: Text::new("Report", "报告"),
            fields: vec![(
                Column::new("period", ColKind::Text),
                Cell::Str("2026-09".into()),
            )],
            sections: vec![Section {
                id: "kpis".into(),
                title: Text::new("KPIs", "指标"),
                parts: vec![
                    part,
                    Part::missing(
                        "aging",
                        Text::new("Receivables", "应收"),
                        Text::new("no --invoices given", "未提供 --invoices"),
                    ),
                ],
            }],
            footer: Text::new("crm-cli", "crm-cli"),
        }
    }

    fn text(format: DocFormat, lang: Lang) -> String {
        let mut out = Vec::new();
        render(&doc(), format, lang, &mut out).expect("render");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn markdown_pinned() {
        let want = "# Report\n\
\n\
- **period**: 2026-09\n\
\n\
## 1. KPIs\n\
\n\
Lead \\| one\n\
\n\
### Items\n\
\n\
| kpi | value |\n\
|---|--:|\n\
| Revenue | 1,234.56 |\n\
\n\
### Receivables\n\
\n\
*Not available:* no --invoices given\n\
\n\
---\n\
\n\
crm-cli\n";
        assert_eq!(text(DocFormat::Markdown, Lang::En), want);
        let zh = text(DocFormat::Markdown, Lang::Zh);
        assert!(zh.starts_with("# 报告\n"), "{zh}");
        assert!(zh.contains("| 收入 | 1,234.56 |"), "{zh}");
        assert!(zh.contains("*暂无数据:* 未提供 --invoices"), "{zh}");
    }

    #[test]
    fn json_pinned_and_valid() {
        let got = text(DocFormat::Json, Lang::Zh);
        let want = r#"{
  "period": "2026-09",
  "kpis": {
    "as_of": null,
    "hidden": "secret",
    "items": [
      {"kpi": "revenue", "value": 1234.56}
    ]
  },
  "aging": null,
  "unavailable": [
    {"section": "kpis", "part": "aging", "reason": "no --invoices given"}
  ]
}
"#;
        assert_eq!(got, want);
        serde_json::from_str::<serde_json::Value>(&got).expect("valid JSON");
        assert_eq!(got, text(DocFormat::Json, Lang::En), "JSON ignores --lang");
    }
}
