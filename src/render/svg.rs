//! Charts of the HTML report: small inline SVG, drawn by hand.
//!
//! Every chart has a title, axes with ticks, axis titles with units, and a legend when it shows
//! more than one series. Text is plain SVG `<text>`: the browser draws it with the page's fonts
//! (Chinese included), so nothing here measures glyphs or needs a font library. Coordinates are
//! written with one decimal and values with fixed decimals, so the same data gives the same
//! bytes.

use super::document::Text;
use super::html::escape;
use super::render_impl::{Lang, group_thousands};

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 320.0;
/// Fill colours of bar series, strokes of line series (print well in grey too).
const BAR_COLOURS: [&str; 3] = ["#4e79a7", "#a0cbe8", "#59a14f"];
const LINE_COLOURS: [&str; 3] = ["#e15759", "#f28e2b", "#b07aa1"];
const AXIS: &str = "#555";
const GRID: &str = "#e3e3e3";
const INK: &str = "#222";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Bar,
    Line,
}

/// How an axis shows its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Plain numbers with thousands separators (money, counts, days).
    Number,
    /// Fractions shown × 100 with `%`.
    Percent,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// With the unit, e.g. `Revenue (USD)`.
    pub title: Text,
    pub unit: Unit,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: Text,
    /// One per category; None is a gap.
    pub values: Vec<Option<f64>>,
    pub mark: Mark,
    /// On the right axis.
    pub right: bool,
}

/// Bars and lines over categories (months, buckets, lanes).
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryChart {
    pub title: Text,
    pub x_title: Text,
    pub categories: Vec<String>,
    pub left: Axis,
    pub right: Option<Axis>,
    pub series: Vec<Series>,
    /// Write each bar's value above it.
    pub bar_values: bool,
}

/// A curve of shares: x and y in [0, 1].
#[derive(Debug, Clone, PartialEq)]
pub struct CurveChart {
    pub title: Text,
    pub x_title: Text,
    pub y_title: Text,
    /// x ascending.
    pub points: Vec<(f64, f64)>,
    /// A dashed horizontal line at this y, labelled (e.g. the 80% cutoff).
    pub reference_y: Option<f64>,
    /// A point to mark, and its label.
    pub marker: Option<(f64, f64, Text)>,
    /// The line of equal shares, y = x.
    pub diagonal: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Chart {
    Category(CategoryChart),
    Curve(CurveChart),
}

/// The chart as one `<svg>` element (no XML prolog: it is meant to sit inside HTML).
pub fn svg(chart: &Chart, lang: Lang) -> String {
    match chart {
        Chart::Category(c) => category(c, lang),
        Chart::Curve(c) => curve(c, lang),
    }
}

/// A coordinate.
fn n(v: f64) -> String {
    let s = format!("{v:.1}");
    if s == "-0.0" { "0.0".into() } else { s }
}

/// The fewest decimals (at most 6) that write `step` exactly enough.
fn decimals(step: f64) -> usize {
    (0..6)
        .find(|&d| {
            let scaled = step * 10f64.powi(d as i32);
            (scaled - scaled.round()).abs() < 1e-6 * scaled.abs().max(1.0)
        })
        .unwrap_or(6)
}

/// A value for people with `d` decimals and thousands separators.
fn number(v: f64, d: usize) -> String {
    // Half away from zero, as the tables round (format! alone rounds half to even).
    let p = 10f64.powi(d as i32);
    let v = (v * p).round() / p;
    let s = format!("{v:.d$}");
    let s = if s
        .trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.')
    {
        s.trim_start_matches('-').to_string()
    } else {
        s
    };
    group_thousands(&s)
}

fn tick_label(v: f64, step: f64, unit: Unit) -> String {
    match unit {
        Unit::Number => number(v, decimals(step)),
        Unit::Percent => format!("{}%", number(v * 100.0, decimals(step * 100.0))),
    }
}

/// A value written on a bar: whole numbers for large values, else 2 decimals.
fn value_label(v: f64, unit: Unit) -> String {
    match unit {
        Unit::Number if v.abs() >= 100.0 || v.fract() == 0.0 => number(v, 0),
        Unit::Number => number(v, 2),
        Unit::Percent => format!("{}%", number(v * 100.0, 1)),
    }
}

/// A nice axis over [lo, hi] (0 always included): (min, max, step) with about 5 steps of
/// 1, 2, 2.5 or 5 × 10^k.
fn nice_scale(lo: f64, hi: f64) -> (f64, f64, f64) {
    let lo = if lo.is_finite() { lo.min(0.0) } else { 0.0 };
    let mut hi = if hi.is_finite() { hi.max(0.0) } else { 0.0 };
    if hi <= lo {
        hi = lo + 1.0;
    }
    let raw = (hi - lo) / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let norm = raw / mag;
    let nice = if norm <= 1.0 {
        1.0
    } else if norm <= 2.0 {
        2.0
    } else if norm <= 2.5 {
        2.5
    } else if norm <= 5.0 {
        5.0
    } else {
        10.0
    };
    let step = nice * mag;
    // The tolerance absorbs float noise (a bound just past a multiple of the step stays on it).
    let min = (lo / step + 1e-9).floor() * step;
    let max = (hi / step - 1e-9).ceil() * step;
    (min, max, step)
}

struct Scale {
    min: f64,
    max: f64,
    step: f64,
    top: f64,
    bottom: f64,
}

impl Scale {
    fn new(values: impl Iterator<Item = f64>, top: f64, bottom: f64) -> Scale {
        let (lo, hi) = values.fold((0.0f64, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
        let (min, max, step) = nice_scale(lo, hi);
        Scale {
            min,
            max,
            step,
            top,
            bottom,
        }
    }

    fn y(&self, v: f64) -> f64 {
        self.bottom - (v - self.min) / (self.max - self.min) * (self.bottom - self.top)
    }

    fn ticks(&self) -> Vec<f64> {
        let k = ((self.max - self.min) / self.step).round() as i64;
        (0..=k.clamp(0, 50))
            .map(|i| self.min + i as f64 * self.step)
            .collect()
    }
}

fn open(out: &mut String, title: &str) {
    out.push_str(&format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" font-size=\"11\">\n<title>{t}</title>\n<rect x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" fill=\"#fff\"/>\n",
        w = WIDTH,
        h = HEIGHT,
        t = escape(title)
    ));
    out.push_str(&format!(
        "<text x=\"{}\" y=\"20\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\" fill=\"{INK}\">{}</text>\n",
        n(WIDTH / 2.0),
        escape(title)
    ));
}

fn text(out: &mut String, x: f64, y: f64, anchor: &str, s: &str) {
    out.push_str(&format!(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\" fill=\"{INK}\">{}</text>\n",
        n(x),
        n(y),
        escape(s)
    ));
}

fn rotated(out: &mut String, x: f64, y: f64, angle: i32, anchor: &str, s: &str) {
    out.push_str(&format!(
        "<text transform=\"translate({},{}) rotate({angle})\" text-anchor=\"{anchor}\" fill=\"{INK}\">{}</text>\n",
        n(x),
        n(y),
        escape(s)
    ));
}

fn line(out: &mut String, (x1, y1): (f64, f64), (x2, y2): (f64, f64), stroke: &str, extra: &str) {
    out.push_str(&format!(
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{stroke}\"{extra}/>\n",
        n(x1),
        n(y1),
        n(x2),
        n(y2)
    ));
}

fn category(c: &CategoryChart, lang: Lang) -> String {
    let count = c.categories.len().max(1);
    let crowded = c.categories.len() > 12
        || c.categories
            .iter()
            .map(|s| s.chars().count())
            .max()
            .unwrap_or(0)
            * c.categories.len()
            > 80;
    let left = 84.0;
    let right = if c.right.is_some() { 72.0 } else { 24.0 };
    let top = if c.series.len() > 1 { 52.0 } else { 38.0 };
    let bottom = if crowded { 78.0 } else { 52.0 };
    let (x0, x1, y0, y1) = (left, WIDTH - right, top, HEIGHT - bottom);
    let band = (x1 - x0) / count as f64;
    let centre = |i: usize| x0 + band * (i as f64 + 0.5);
    let values_on = |right: bool| {
        c.series
            .iter()
            .filter(move |s| s.right == right)
            .flat_map(|s| s.values.iter().flatten().copied())
            .filter(|v| v.is_finite())
    };
    // A percent axis shows the whole 0-100% unless values go beyond it.
    let full = |unit: Unit| (unit == Unit::Percent).then_some(1.0);
    let ls = Scale::new(values_on(false).chain(full(c.left.unit)), y0, y1);
    let rs = Scale::new(
        values_on(true).chain(c.right.as_ref().and_then(|a| full(a.unit))),
        y0,
        y1,
    );

    let mut out = String::new();
    open(&mut out, c.title.get(lang));
    // Legend.
    if c.series.len() > 1 {
        let mut x = x0;
        let (mut bars, mut lines) = (0, 0);
        for s in &c.series {
            match s.mark {
                Mark::Bar => {
                    out.push_str(&format!(
                        "<rect x=\"{}\" y=\"31\" width=\"12\" height=\"10\" fill=\"{}\"/>\n",
                        n(x),
                        BAR_COLOURS[bars % BAR_COLOURS.len()]
                    ));
                    bars += 1;
                }
                Mark::Line => {
                    line(
                        &mut out,
                        (x, 36.0),
                        (x + 12.0, 36.0),
                        LINE_COLOURS[lines % LINE_COLOURS.len()],
                        " stroke-width=\"2\"",
                    );
                    lines += 1;
                }
            }
            let name = s.name.get(lang);
            text(&mut out, x + 16.0, 40.0, "start", name);
            x += 16.0 + 7.0 * name.chars().count() as f64 + 24.0;
        }
    }
    // Grid and tick labels.
    for t in ls.ticks() {
        let y = ls.y(t);
        line(&mut out, (x0, y), (x1, y), GRID, "");
        text(
            &mut out,
            x0 - 6.0,
            y + 4.0,
            "end",
            &tick_label(t, ls.step, c.left.unit),
        );
    }
    if let Some(axis) = &c.right {
        for t in rs.ticks() {
            text(
                &mut out,
                x1 + 6.0,
                rs.y(t) + 4.0,
                "start",
                &tick_label(t, rs.step, axis.unit),
            );
        }
    }
    // Bars.
    let bar_series: Vec<&Series> = c.series.iter().filter(|s| s.mark == Mark::Bar).collect();
    let group = band * 0.72;
    let width = group / bar_series.len().max(1) as f64;
    for (j, s) in bar_series.iter().enumerate() {
        let scale = if s.right { &rs } else { &ls };
        let unit = match (&c.right, s.right) {
            (Some(a), true) => a.unit,
            _ => c.left.unit,
        };
        let zero = scale.y(0.0);
        for (i, v) in s.values.iter().enumerate().take(count) {
            let Some(v) = v.filter(|v| v.is_finite()) else {
                continue;
            };
            let x = centre(i) - group / 2.0 + j as f64 * width;
            let y = scale.y(v);
            out.push_str(&format!(
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"/>\n",
                n(x),
                n(y.min(zero)),
                n((width - 1.0).max(1.0)),
                n((y - zero).abs()),
                BAR_COLOURS[j % BAR_COLOURS.len()]
            ));
            if c.bar_values {
                text(
                    &mut out,
                    x + width / 2.0,
                    y.min(zero) - 4.0,
                    "middle",
                    &value_label(v, unit),
                );
            }
        }
    }
    // Lines: one polyline per run of values, a dot on each value.
    for (j, s) in c.series.iter().filter(|s| s.mark == Mark::Line).enumerate() {
        let scale = if s.right { &rs } else { &ls };
        let colour = LINE_COLOURS[j % LINE_COLOURS.len()];
        let mut run: Vec<(f64, f64)> = Vec::new();
        let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
        for (i, v) in s.values.iter().enumerate().take(count) {
            match v.filter(|v| v.is_finite()) {
                Some(v) => run.push((centre(i), scale.y(v))),
                None if !run.is_empty() => runs.push(std::mem::take(&mut run)),
                None => {}
            }
        }
        if !run.is_empty() {
            runs.push(run);
        }
        for run in &runs {
            let points: Vec<String> = run
                .iter()
                .map(|(x, y)| format!("{},{}", n(*x), n(*y)))
                .collect();
            out.push_str(&format!(
                "<polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"/>\n",
                points.join(" ")
            ));
            for (x, y) in run {
                out.push_str(&format!(
                    "<circle cx=\"{}\" cy=\"{}\" r=\"2.5\" fill=\"{colour}\"/>\n",
                    n(*x),
                    n(*y)
                ));
            }
        }
    }
    // Axes, on top.
    line(&mut out, (x0, y0), (x0, y1), AXIS, "");
    let zero = ls.y(0.0).clamp(y0, y1);
    line(&mut out, (x0, zero), (x1, zero), AXIS, "");
    if c.right.is_some() {
        line(&mut out, (x1, y0), (x1, y1), AXIS, "");
    }
    for (i, cat) in c.categories.iter().enumerate() {
        line(&mut out, (centre(i), y1), (centre(i), y1 + 4.0), AXIS, "");
        if crowded {
            rotated(&mut out, centre(i) + 3.0, y1 + 10.0, -45, "end", cat);
        } else {
            text(&mut out, centre(i), y1 + 17.0, "middle", cat);
        }
    }
    // Axis titles.
    text(
        &mut out,
        (x0 + x1) / 2.0,
        HEIGHT - 8.0,
        "middle",
        c.x_title.get(lang),
    );
    rotated(
        &mut out,
        16.0,
        (y0 + y1) / 2.0,
        -90,
        "middle",
        c.left.title.get(lang),
    );
    if let Some(axis) = &c.right {
        rotated(
            &mut out,
            WIDTH - 12.0,
            (y0 + y1) / 2.0,
            90,
            "middle",
            axis.title.get(lang),
        );
    }
    out.push_str("</svg>");
    out
}

fn curve(c: &CurveChart, lang: Lang) -> String {
    let (x0, x1, y0, y1) = (70.0, WIDTH - 30.0, 38.0, HEIGHT - 52.0);
    let px = |x: f64| x0 + x.clamp(0.0, 1.0) * (x1 - x0);
    let py = |y: f64| y1 - y.clamp(0.0, 1.0) * (y1 - y0);
    let mut out = String::new();
    open(&mut out, c.title.get(lang));
    for k in 0..=5 {
        let v = k as f64 * 0.2;
        line(&mut out, (x0, py(v)), (x1, py(v)), GRID, "");
        line(&mut out, (px(v), y0), (px(v), y1), GRID, "");
        let label = format!("{}%", k * 20);
        text(&mut out, x0 - 6.0, py(v) + 4.0, "end", &label);
        text(&mut out, px(v), y1 + 17.0, "middle", &label);
    }
    if c.diagonal {
        line(
            &mut out,
            (px(0.0), py(0.0)),
            (px(1.0), py(1.0)),
            "#999",
            " stroke-dasharray=\"4 4\"",
        );
    }
    if let Some(r) = c.reference_y {
        line(
            &mut out,
            (x0, py(r)),
            (x1, py(r)),
            "#999",
            " stroke-dasharray=\"6 3\"",
        );
        text(
            &mut out,
            x1 - 4.0,
            py(r) - 5.0,
            "end",
            &format!("{}%", number(r * 100.0, decimals(r * 100.0))),
        );
    }
    let points: Vec<String> = c
        .points
        .iter()
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .map(|(x, y)| format!("{},{}", n(px(*x)), n(py(*y))))
        .collect();
    if !points.is_empty() {
        out.push_str(&format!(
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>\n",
            points.join(" "),
            BAR_COLOURS[0]
        ));
    }
    if let Some((mx, my, label)) = &c.marker {
        let (x, y) = (px(*mx), py(*my));
        line(
            &mut out,
            (x, y1),
            (x, y),
            LINE_COLOURS[0],
            " stroke-dasharray=\"2 3\"",
        );
        line(
            &mut out,
            (x0, y),
            (x, y),
            LINE_COLOURS[0],
            " stroke-dasharray=\"2 3\"",
        );
        out.push_str(&format!(
            "<circle cx=\"{}\" cy=\"{}\" r=\"4\" fill=\"{}\"/>\n",
            n(x),
            n(y),
            LINE_COLOURS[0]
        ));
        text(&mut out, x + 8.0, y + 18.0, "start", label.get(lang));
    }
    line(&mut out, (x0, y0), (x0, y1), AXIS, "");
    line(&mut out, (x0, y1), (x1, y1), AXIS, "");
    text(
        &mut out,
        (x0 + x1) / 2.0,
        HEIGHT - 12.0,
        "middle",
        c.x_title.get(lang),
    );
    rotated(
        &mut out,
        18.0,
        (y0 + y1) / 2.0,
        -90,
        "middle",
        c.y_title.get(lang),
    );
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Text {
        Text::new(s, s)
    }

    #[test]
    fn nice_scales() {
        assert_eq!(nice_scale(0.0, 95.0), (0.0, 100.0, 20.0));
        assert_eq!(nice_scale(0.0, 812345.0), (0.0, 1_000_000.0, 200_000.0));
        assert_eq!(nice_scale(0.0, 0.0), (0.0, 1.0, 0.2));
        assert_eq!(nice_scale(-30.0, 70.0), (-40.0, 80.0, 20.0));
        assert_eq!(nice_scale(0.0, 11.0), (0.0, 12.5, 2.5));
        assert_eq!(
            tick_label(1_000_000.0, 200_000.0, Unit::Number),
            "1,000,000"
        );
        assert_eq!(tick_label(2.5, 2.5, Unit::Number), "2.5");
        assert_eq!(tick_label(0.25, 0.05, Unit::Percent), "25%");
        assert_eq!(tick_label(0.025, 0.025, Unit::Percent), "2.5%");
        assert_eq!(value_label(1234.5, Unit::Number), "1,235");
        assert_eq!(value_label(-0.0001, Unit::Number), "0.00");
    }

    fn chart() -> Chart {
        Chart::Category(CategoryChart {
            title: Text::new("Revenue <by> month", "月度收入"),
            x_title: t("Month"),
            categories: vec!["2026-08".into(), "2026-09".into()],
            left: Axis {
                title: t("Revenue (USD)"),
                unit: Unit::Number,
            },
            right: Some(Axis {
                title: t("Customers"),
                unit: Unit::Number,
            }),
            series: vec![
                Series {
                    name: t("Revenue"),
                    values: vec![Some(1000.0), Some(-200.0)],
                    mark: Mark::Bar,
                    right: false,
                },
                Series {
                    name: t("Active customers"),
                    values: vec![None, Some(12.0)],
                    mark: Mark::Line,
                    right: true,
                },
            ],
            bar_values: true,
        })
    }

    #[test]
    fn category_chart_has_axes_labels_and_marks() {
        let s = svg(&chart(), Lang::En);
        assert!(s.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 720 320\""));
        assert!(s.ends_with("</svg>"));
        assert!(
            s.contains("<title>Revenue &lt;by&gt; month</title>"),
            "escaped"
        );
        for want in [
            "Revenue (USD)",
            "Customers",
            "Month",
            "2026-09",
            "1,000",
            "-200",
            ">12.5<",
        ] {
            assert!(s.contains(want), "{want} missing:\n{s}");
        }
        assert_eq!(
            s.matches("<rect").count(),
            1 + 1 + 2,
            "background, legend, 2 bars"
        );
        assert_eq!(s.matches("<circle").count(), 1, "one dot: the gap has none");
        assert!(!s.contains("NaN") && !s.contains("inf"));
        assert_eq!(s, svg(&chart(), Lang::En), "deterministic");
        assert!(svg(&chart(), Lang::Zh).contains("月度收入"));
    }

    #[test]
    fn curve_chart() {
        let c = Chart::Curve(CurveChart {
            title: t("Pareto"),
            x_title: t("Customers"),
            y_title: t("Revenue"),
            points: vec![(0.0, 0.0), (0.2, 0.8), (1.0, 1.0)],
            reference_y: Some(0.8),
            marker: Some((0.2, 0.8, t("24 customers"))),
            diagonal: true,
        });
        let s = svg(&c, Lang::En);
        assert!(
            s.contains("<polyline points=\"70.0,268.0 194.0,84.0 690.0,38.0\""),
            "{s}"
        );
        assert!(s.contains("24 customers") && s.contains(">80%<") && s.contains(">100%<"));
    }
}
