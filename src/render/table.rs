//! Terminal tables (comfy-table): labels, human values, numbers right-aligned, a psql-like look.
//!
//! ```text
//!  customer_id │ Tier │ monetary
//! ─────────────┼──────┼──────────
//!  C001        │ VIP  │ 1,234.50
//!  C002        │ Key  │   -10.00
//! ─────────────┼──────┼──────────
//!  Total       │      │ 1,224.50
//! ```
//!
//! Lines carry no trailing whitespace. With `width: Some(w)` cells wrap to fit `w` columns;
//! with `None` nothing wraps.

use std::borrow::Cow;
use std::io::{self, Write};

use comfy_table::{
    CellAlignment, ColumnConstraint, ContentArrangement, ContentLineStyle, LineStyle, TableStyle,
    Width,
};

use super::render_impl::{
    RenderOptions, column_label, human_row, human_text, human_totals, is_numeric, summary_title,
    table_title,
};
use super::{Cell, ColKind, Column, Report, Table};

/// The horizontal rule under the header (and above the totals row).
const RULE: char = '─';

/// Vertical bars between columns, a rule under the header, no outer border.
const STYLE: TableStyle = TableStyle::new()
    .header_lines(ContentLineStyle::none().junction('│'))
    .header_separator(LineStyle::none().fill(RULE).junction('┼'))
    .content_lines(ContentLineStyle::none().junction('│'));

/// The same, plus a rule between rows: used when there is a totals row, and all but the rule
/// above the totals are removed afterwards.
const STYLE_WITH_RULES: TableStyle =
    STYLE.row_separator(LineStyle::none().fill(RULE).junction('┼'));

/// A table that does not wrap (see [`fit_to_width`]).
fn new_table(style: TableStyle) -> comfy_table::Table {
    let mut t = comfy_table::Table::new();
    t.force_no_tty()
        .load_style(style)
        .set_content_arrangement(ContentArrangement::Disabled);
    t
}

/// The narrowest a wrapped text column may get (padding included): wide enough for a few
/// characters, double-width ones included.
const MIN_TEXT_WIDTH: usize = 8;

/// The narrowest a column may be wrapped to (padding included): numbers, dates and booleans
/// stay whole (`whole` is the widest of those values), text keeps [`MIN_TEXT_WIDTH`] (or its
/// full width `full`, if less).
fn lower_bound(whole: usize, full: usize) -> usize {
    (whole + 2).max((full + 2).min(MIN_TEXT_WIDTH)).max(3)
}

/// Wrap cells so that the table fits in `width` terminal columns without going below each
/// column's `lower` bound (see [`lower_bound`]). When that is impossible, the table is left
/// unwrapped (readable with `less -S`) rather than shredded.
fn fit_to_width(t: &mut comfy_table::Table, lower: &[usize], width: u16) {
    let needed = lower.iter().sum::<usize>() + lower.len().saturating_sub(1);
    if needed > usize::from(width) {
        return;
    }
    t.set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(width);
    for (i, &min) in lower.iter().enumerate() {
        if let Some(column) = t.column_mut(i) {
            let min = u16::try_from(min).unwrap_or(u16::MAX);
            column.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(min)));
        }
    }
}

fn alignment(col: &Column) -> CellAlignment {
    if is_numeric(col.kind) {
        CellAlignment::Right
    } else {
        CellAlignment::Left
    }
}

/// Whether values of this kind must not be broken across lines when wrapping.
fn keep_whole(kind: ColKind) -> bool {
    is_numeric(kind) || matches!(kind, ColKind::Date | ColKind::Bool)
}

/// An upper estimate of the display width of `s` (non-ASCII counted as double width).
fn approx_width(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

fn comfy_row(texts: &[Cow<'_, str>]) -> Vec<comfy_table::Cell> {
    texts
        .iter()
        .map(|s| comfy_table::Cell::new(s.as_ref()))
        .collect()
}

/// The lines of one data table (no title), without trailing whitespace.
fn table_lines(table: &Table, opts: &RenderOptions) -> Vec<String> {
    if table.columns.is_empty() {
        return Vec::new();
    }
    let lang = opts.lang;
    let with_totals = table.totals.is_some();
    let mut t = new_table(if with_totals { STYLE_WITH_RULES } else { STYLE });
    let header: Vec<&str> = table
        .columns
        .iter()
        .map(|c| column_label(c, lang))
        .collect();
    t.set_header(
        header
            .iter()
            .map(comfy_table::Cell::new)
            .collect::<Vec<_>>(),
    );
    // The widest value of each column, for wrapping.
    let mut widest = vec![0usize; table.columns.len()];
    let mut add = |t: &mut comfy_table::Table, texts: Vec<Cow<'_, str>>| {
        for (w, text) in widest.iter_mut().zip(&texts) {
            *w = (*w).max(approx_width(text));
        }
        t.add_row(comfy_row(&texts));
    };
    for row in &table.rows {
        add(&mut t, human_row(&table.columns, row, lang));
    }
    if let Some(totals) = &table.totals {
        add(&mut t, human_totals(&table.columns, totals, lang));
    }
    for (i, col) in table.columns.iter().enumerate() {
        if let Some(column) = t.column_mut(i) {
            column.set_cell_alignment(alignment(col));
        }
    }
    if let Some(width) = opts.width {
        let lower: Vec<usize> = table
            .columns
            .iter()
            .zip(header.iter().zip(&widest))
            .map(|(col, (header, &value))| {
                let whole = if keep_whole(col.kind) { value } else { 0 };
                lower_bound(whole, approx_width(header).max(value))
            })
            .collect();
        fit_to_width(&mut t, &lower, width);
    }
    let lines: Vec<String> = t.lines().map(|l| l.trim_end().to_string()).collect();
    if !with_totals {
        return lines;
    }
    // Content lines start with a padding space, rules with RULE: keep the rule under the
    // header and the one above the totals row, drop the others.
    let is_rule = |l: &String| l.starts_with(RULE);
    let first = lines.iter().position(is_rule);
    let last = lines.iter().rposition(is_rule);
    lines
        .into_iter()
        .enumerate()
        .filter(|(i, l)| !is_rule(l) || Some(*i) == first || Some(*i) == last)
        .map(|(_, l)| l)
        .collect()
}

/// A summary's fields as `label │ value` lines.
fn field_lines(fields: &[(Column, Cell)], opts: &RenderOptions) -> Vec<String> {
    let lang = opts.lang;
    let mut t = new_table(STYLE);
    let (mut label_width, mut value_width, mut whole_width) = (0, 0, 0);
    for (col, cell) in fields {
        let label = column_label(col, lang);
        let value = human_text(cell, col.kind, lang);
        label_width = label_width.max(approx_width(label));
        value_width = value_width.max(approx_width(&value));
        if keep_whole(col.kind) {
            whole_width = whole_width.max(approx_width(&value));
        }
        t.add_row(vec![
            comfy_table::Cell::new(label),
            // Values of a key/value block read best left-aligned, whatever their kind.
            comfy_table::Cell::new(value.as_ref()),
        ]);
    }
    if let Some(width) = opts.width {
        let lower = [
            lower_bound(0, label_width),
            lower_bound(whole_width, value_width),
        ];
        fit_to_width(&mut t, &lower, width);
    }
    t.lines().map(|l| l.trim_end().to_string()).collect()
}

fn write_blocks(out: &mut dyn Write, blocks: &[Vec<String>]) -> io::Result<()> {
    let mut first = true;
    for block in blocks.iter().filter(|b| !b.is_empty()) {
        if !first {
            out.write_all(b"\n")?;
        }
        first = false;
        for line in block {
            writeln!(out, "{line}")?;
        }
    }
    if first {
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// `Rows`: the table alone (no title: it is what the user asked for). `Summary`: the title,
/// the fields as a key/value block, then each table under its title; blocks separated by a
/// blank line.
pub(super) fn render(report: &Report, opts: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    match report {
        Report::Rows(table) => write_blocks(out, &[table_lines(table, opts)]),
        Report::Summary {
            title,
            fields,
            tables,
        } => {
            let mut blocks = Vec::with_capacity(tables.len() + 2);
            if !title.is_empty() {
                blocks.push(vec![summary_title(title, opts.lang).to_string()]);
            }
            if !fields.is_empty() {
                blocks.push(field_lines(fields, opts));
            }
            for table in tables {
                let mut block = Vec::new();
                let title = table_title(table, opts.lang);
                if !title.is_empty() {
                    block.push(title.to_string());
                }
                block.extend(table_lines(table, opts));
                blocks.push(block);
            }
            write_blocks(out, &blocks)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::render_impl::fixtures::render_with_width;
    use super::super::render_impl::fixtures::*;
    use super::super::{ColKind, Format, Lang};
    use super::*;

    fn table(report: &Report, lang: Lang) -> String {
        render_to_string(report, Format::Table, lang)
    }

    fn lines(report: &Report, lang: Lang, width: Option<u16>) -> Vec<String> {
        render_with_width(report, Format::Table, lang, width)
            .lines()
            .map(String::from)
            .collect()
    }

    /// Display width: CJK ideographs and full-width forms take two columns.
    fn display_width(s: &str) -> usize {
        s.chars()
            .map(|c| match c as u32 {
                0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF => 2,
                0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 => 2,
                _ => 1,
            })
            .sum()
    }

    /// The display columns of the vertical bars / junctions of a line.
    fn bar_columns(line: &str) -> Vec<usize> {
        let mut cols = Vec::new();
        let mut at = 0;
        for c in line.chars() {
            if c == '│' || c == '┼' {
                cols.push(at);
            }
            at += display_width(&c.to_string());
        }
        cols
    }

    #[test]
    fn rows_pinned() {
        let got = table(&Report::Rows(customers()), Lang::En);
        let want = [
            " customer_id │ Tier    │ monetary │  share │ last_date  │ frequency │ score │ active",
            "─────────────┼─────────┼──────────┼────────┼────────────┼───────────┼───────┼────────",
            " C001        │ VIP     │ 1,234.50 │ 12.34% │ 2024-06-30 │        12 │  1.85 │ yes",
            " C|002 \"x\"   │ General │    -0.10 │        │            │         3 │       │ no",
            "─────────────┼─────────┼──────────┼────────┼────────────┼───────────┼───────┼────────",
            " Total       │         │ 1,234.40 │ 12.34% │            │        15 │       │",
        ];
        assert_eq!(got, want.join("\n") + "\n", "\n{got}");
    }

    #[test]
    fn no_totals_no_rule_below_rows() {
        let t = Table {
            totals: None,
            ..customers()
        };
        let got = lines(&Report::Rows(t), Lang::En, None);
        assert_eq!(got.len(), 4);
        assert!(got[1].starts_with('─'));
        assert!(got[2].starts_with(" C001 "));
        assert!(got[3].starts_with(" C|002 "));
    }

    #[test]
    fn many_rows_keep_only_two_rules() {
        let mut t = customers();
        t.rows = (0..5).map(|_| t.rows[0].clone()).collect();
        let got = lines(&Report::Rows(t), Lang::En, None);
        assert_eq!(got.len(), 2 + 5 + 2);
        let rules: Vec<usize> = (0..got.len())
            .filter(|&i| got[i].starts_with('─'))
            .collect();
        assert_eq!(rules, vec![1, 7]);
        assert!(got[8].starts_with(" Total "));
    }

    #[test]
    fn header_only_when_no_rows() {
        let t = Table {
            rows: vec![],
            totals: None,
            ..customers()
        };
        let got = lines(&Report::Rows(t), Lang::En, None);
        assert_eq!(got.len(), 2);
        assert!(got[0].starts_with(" customer_id │ Tier "));
    }

    #[test]
    fn money_is_grouped_and_non_finite_is_empty() {
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
        let got = table(&Report::Rows(t), Lang::En);
        assert_eq!(got, "        m │ x\n──────────┼───\n 1,234.50 │\n");
    }

    #[test]
    fn chinese_labels_stay_aligned() {
        let got = lines(&Report::Rows(customers()), Lang::Zh, None);
        assert_eq!(
            got[0],
            " 客户编号  │ 等级     │     金额 │   占比 │ 最近发货   │ 频次 │ score │ active"
        );
        assert!(got[2].contains("│ VIP客户  │"), "{}", got[2]);
        assert!(got[3].contains("│ 一般客户 │"), "{}", got[3]);
        assert!(got[5].starts_with(" 合计 "), "{}", got[5]);
        assert!(got[2].ends_with("│ 是"), "{}", got[2]);
        let bars = bar_columns(&got[0]);
        assert_eq!(bars.len(), 7);
        for line in &got {
            assert_eq!(bar_columns(line), bars, "misaligned: {line}");
        }
    }

    #[test]
    fn width_wraps_cells() {
        let mut t = customers();
        t.rows[0][0] = Cell::Str("A very long customer name that must wrap".into());
        let report = Report::Rows(t);
        let unwrapped = lines(&report, Lang::En, None);
        assert!(unwrapped.iter().any(|l| display_width(l) > 80));
        let wrapped = lines(&report, Lang::En, Some(80));
        assert!(wrapped.len() > unwrapped.len());
        for line in &wrapped {
            assert!(display_width(line) <= 80, "too wide: {line}");
        }
        // Still only the header rule and the totals rule.
        assert_eq!(wrapped.iter().filter(|l| l.starts_with('─')).count(), 2);
        assert!(wrapped.last().is_some_and(|l| l.starts_with(" Total ")));
        // A generous width changes nothing.
        assert_eq!(lines(&report, Lang::En, Some(500)), unwrapped);
    }

    #[test]
    fn wrapping_never_splits_numbers_or_dates() {
        let mut t = customers();
        t.rows[0][0] = Cell::Str("A very long customer name that must wrap".into());
        let wrapped = lines(&Report::Rows(t), Lang::Zh, Some(70));
        for value in ["1,234.50", "12.34%", "2024-06-30", "1,234.40"] {
            assert!(
                wrapped.iter().any(|l| l.contains(value)),
                "{value} split:\n{}",
                wrapped.join("\n")
            );
        }
        let bars = bar_columns(&wrapped[0]);
        for line in &wrapped {
            assert_eq!(bar_columns(line), bars, "misaligned: {line}");
        }
    }

    #[test]
    fn too_narrow_a_terminal_leaves_the_table_unwrapped() {
        let report = Report::Rows(customers());
        assert_eq!(
            lines(&report, Lang::En, Some(20)),
            lines(&report, Lang::En, None)
        );
    }

    #[test]
    fn summary_fields_wrap_too() {
        let report = Report::Summary {
            title: String::new(),
            fields: vec![(
                Column::new("note", ColKind::Text),
                Cell::Str("word ".repeat(20)),
            )],
            tables: vec![],
        };
        let wrapped = lines(&report, Lang::En, Some(40));
        assert!(wrapped.len() > 1);
        assert!(
            wrapped.iter().all(|l| display_width(l) <= 40),
            "{wrapped:?}"
        );
    }

    #[test]
    fn summary_pinned() {
        let got = table(&summary(), Lang::En);
        let want = [
            "Portfolio",
            "",
            " As of     │ 2024-06-30",
            " customers │ 120",
            " Revenue   │ 1,234,567.50",
            "",
            "Segments",
            " segment   │ customers │ monetary_share",
            "───────────┼───────────┼────────────────",
            " Champions │        10 │         50.00%",
            " At Risk   │         2 │         12.50%",
            "───────────┼───────────┼────────────────",
            " Total     │        12 │         62.50%",
            "",
            "Lanes",
            " lane │ customers",
            "──────┼───────────",
        ];
        assert_eq!(got, want.join("\n") + "\n", "\n{got}");
    }

    #[test]
    fn summary_zh() {
        let got = lines(&summary(), Lang::Zh, None);
        assert_eq!(got[3], " 客户数 │ 120");
        assert_eq!(got[4], " 收入   │ 1,234,567.50");
        assert_eq!(got[6], "客户分群");
        assert_eq!(got[9], " 冠军客户     │     10 │   50.00%");
        assert_eq!(got[10], " 流失风险客户 │      2 │   12.50%");
        assert_eq!(got[12], " 合计         │     12 │   62.50%");
    }

    #[test]
    fn empty_summary_is_a_newline() {
        let r = Report::Summary {
            title: String::new(),
            fields: vec![],
            tables: vec![],
        };
        assert_eq!(table(&r, Lang::En), "\n");
    }
}
