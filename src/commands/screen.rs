//! `crm-cli screen`: the yearly screening of customers on volume, profitability, payment
//! safety, growth and cooperation, with a recommendation per customer.

use std::collections::HashMap;

use polars::prelude::*;

use super::aging::load_ledger;
use super::{Output, date_arg, load_options, money};
use crate::analytics::aging::{self, Basis};
use crate::analytics::screen::{self, CRITERIA, Inputs, RECOMMENDATIONS, Scores};
use crate::analytics::window::{Window, days};
use crate::cli::ScreenArgs;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::io::fields::Dataset;
use crate::io::load::{self, Request, date_from_days, days_since_epoch};
use crate::io::source;
use crate::render::{Cell, ColKind, Column, Report, Table};

const YEAR: i32 = 365;

fn weights(cfg: &Config) -> Result<[f64; 5]> {
    let Some(w) = &cfg.screen.weights else {
        return Ok([1.0; 5]);
    };
    let bad = |what: &str| Error::Input(format!("{}: [screen] weights: {what}", cfg.source));
    if w.len() != 5 {
        return Err(bad(
            "expected 5 numbers (volume, profitability, safety, future, cooperation)",
        ));
    }
    if w.iter().any(|x| !x.is_finite() || *x < 0.0) || w.iter().sum::<f64>() <= 0.0 {
        return Err(bad("weights must be ≥ 0 and not all 0"));
    }
    Ok([w[0], w[1], w[2], w[3], w[4]])
}

pub fn run(args: &ScreenArgs, cfg: &Config, progress: bool) -> Result<Output> {
    let ship_inputs = source::resolve_inputs(&args.shipments)?;
    let inv_inputs = source::resolve_inputs(&args.invoices)?;
    let pay_inputs = source::resolve_inputs(&args.payments)?;
    let as_of_arg = date_arg("--as-of", args.as_of.as_deref())?;
    let weights = weights(cfg)?;
    let opts = load_options(&args.input, cfg, Dataset::Shipments, progress)?;
    let fields = [
        "shipment_id",
        "customer_id",
        "customer_name",
        "ship_date",
        "revenue",
        "cost",
    ];
    let req = Request {
        dataset: Dataset::Shipments,
        fields: &fields,
        extra_columns: &[],
        exact: &[],
    };
    let loaded = load::load(&ship_inputs, &req, &opts)?;
    let mut notes = loaded.notes.clone();
    if !loaded.has("cost") {
        notes.push("no cost column: profitability is revenue (cost counted as 0)".into());
    }
    let scale_ship = loaded.money_scale;
    let window = Window {
        from: None,
        to: None,
        as_of: as_of_arg,
    };
    let (lf, as_of) = window.apply(loaded.df.clone().lazy(), "ship_date", "shipments")?;
    let a = days_since_epoch(as_of);
    let in_range = |lo: i32, hi: i32| {
        days("ship_date")
            .gt(lit(lo))
            .and(days("ship_date").lt_eq(lit(hi)))
    };
    let last = in_range(a - YEAR, a);
    let prev = in_range(a - 2 * YEAR, a - YEAR);
    let cost = if loaded.has("cost") {
        col("cost").fill_null(lit(0i64))
    } else {
        lit(0i64)
    };
    let shipment = crate::analytics::activity::is_shipment().and(last.clone());
    let count = if loaded.has("shipment_id") {
        let ids = col("shipment_id").filter(shipment);
        ids.clone().drop_nulls().n_unique().cast(DataType::Int64)
            + ids.null_count().cast(DataType::Int64)
    } else {
        shipment.cast(DataType::Int64).sum()
    };
    let mut aggs = vec![
        col("revenue").filter(last.clone()).sum().alias("revenue"),
        (col("revenue") - cost).filter(last).sum().alias("margin"),
        col("revenue").filter(prev).sum().alias("revenue_prev"),
        count.alias("shipments"),
    ];
    if loaded.has("customer_name") {
        aggs.push(
            col("customer_name")
                .drop_nulls()
                .last()
                .alias("customer_name"),
        );
    }
    let df = lf
        .filter(days("ship_date").gt(lit(a - 2 * YEAR)))
        .group_by([col("customer_id")])
        .agg(aggs)
        .sort(["customer_id"], Default::default())
        .collect()?;
    if df.height() == 0 {
        return Err(Error::Input(format!(
            "no shipments in the 24 months up to {as_of}: nothing to screen"
        )));
    }
    let ints = |n: &str| -> Result<Vec<i64>> {
        Ok(df
            .column(n)?
            .cast(&DataType::Int64)?
            .i64()?
            .iter()
            .map(|v| v.unwrap_or(0))
            .collect())
    };
    let ids: Vec<String> = df
        .column("customer_id")?
        .str()?
        .iter()
        .map(|v| v.unwrap_or("").to_string())
        .collect();
    let names: Option<Vec<Option<String>>> = if loaded.has("customer_name") {
        Some(
            df.column("customer_name")?
                .str()?
                .iter()
                .map(|v| v.map(str::to_string))
                .collect(),
        )
    } else {
        None
    };
    let n = ids.len();
    let mut inputs = Inputs {
        revenue: ints("revenue")?,
        margin: ints("margin")?,
        revenue_prev: ints("revenue_prev")?,
        shipments: ints("shipments")?,
        overdue_share: vec![None; n],
        avg_days_late: vec![None; n],
        on_time_rate: vec![None; n],
    };
    let with_invoices = !inv_inputs.is_empty();
    if with_invoices {
        let ledger = load_ledger(
            &inv_inputs,
            &pay_inputs,
            &args.input,
            cfg,
            progress,
            args.terms,
        )?;
        let params = aging::Params {
            as_of: a,
            buckets: vec![30, 60, 90],
            basis: Basis::Due,
            period_days: 365,
        };
        let (ag, inv_notes) = ledger.age(&params)?;
        notes.extend(inv_notes);
        let pos: HashMap<&str, usize> = ag
            .customer
            .iter()
            .enumerate()
            .map(|(k, c)| (c.as_str(), k))
            .collect();
        for (i, id) in ids.iter().enumerate() {
            if let Some(&k) = pos.get(id.as_str()) {
                // No balance: nothing overdue.
                inputs.overdue_share[i] = Some(ag.overdue_share[k].unwrap_or(0.0));
                inputs.avg_days_late[i] = ag.avg_days_late[k];
                inputs.on_time_rate[i] = ag.on_time_rate[k];
            }
        }
    } else {
        notes.push(
            "no --invoices: the safety criterion is left out and cooperation is scored on shipments alone"
                .into(),
        );
    }
    let used: f64 = (0..5)
        .filter(|&k| k != 2 || with_invoices)
        .map(|k| weights[k])
        .sum();
    if used <= 0.0 {
        return Err(Error::Input(format!(
            "{}: [screen] weights: every criterion in use has weight 0{}",
            cfg.source,
            if with_invoices {
                ""
            } else {
                " (safety is left out without --invoices)"
            }
        )));
    }
    let scores = screen::score(&inputs, &weights, with_invoices);
    let view = View {
        ids: &ids,
        names: names.as_deref(),
        inputs: &inputs,
        scores: &scores,
        scale: scale_ship,
        weights: &weights,
        as_of,
        with_invoices,
    };
    let report = match (&args.explain, args.summary) {
        (Some(id), _) => {
            let i = ids.iter().position(|c| c == id.trim()).ok_or_else(|| {
                Error::Input(format!(
                    "--explain {id}: no such customer in the 24 months up to {as_of}"
                ))
            })?;
            view.explain(i)
        }
        (None, true) => view.summary(),
        (None, false) => Report::Rows(view.rows()),
    };
    Ok(Output { report, notes })
}

struct View<'a> {
    ids: &'a [String],
    names: Option<&'a [Option<String>]>,
    inputs: &'a Inputs,
    scores: &'a Scores,
    scale: u32,
    weights: &'a [f64; 5],
    as_of: chrono::NaiveDate,
    with_invoices: bool,
}

fn column(key: &str, kind: ColKind, zh: &str) -> Column {
    Column::new(key, kind).zh(zh)
}

fn opt(v: Option<f64>) -> Cell {
    v.map_or(Cell::Null, Cell::Float)
}

impl View<'_> {
    fn money(&self, v: i64) -> Cell {
        Cell::Money(money(v as i128, self.scale))
    }

    fn score(&self, k: usize, i: usize) -> Cell {
        self.scores.scores[k]
            .as_ref()
            .map_or(Cell::Null, |s| Cell::Int(s[i] as i64))
    }

    /// Total descending, revenue descending, id.
    fn order(&self) -> Vec<usize> {
        let (s, inp) = (self.scores, self.inputs);
        let mut o: Vec<usize> = (0..self.ids.len()).collect();
        o.sort_by(|&x, &y| {
            s.total[y]
                .total_cmp(&s.total[x])
                .then(inp.revenue[y].cmp(&inp.revenue[x]))
                .then(self.ids[x].cmp(&self.ids[y]))
        });
        o
    }

    fn rows(&self) -> Table {
        let mut columns = vec![column("customer_id", ColKind::Text, "客户编号")];
        if self.names.is_some() {
            columns.push(column("customer_name", ColKind::Text, "客户名称"));
        }
        columns.extend([
            column("revenue", ColKind::Money, "近12月收入"),
            column("margin", ColKind::Money, "近12月毛利"),
            column("growth", ColKind::Share, "收入增长"),
            column("shipments", ColKind::Int, "近12月票数"),
            column("overdue_share", ColKind::Share, "逾期占比"),
            column("avg_days_late", ColKind::Float, "平均逾期天数"),
            column("on_time_payment_rate", ColKind::Share, "按时回款率"),
            column("volume", ColKind::Int, "业务量"),
            column("profitability", ColKind::Int, "盈利性"),
            column("safety", ColKind::Int, "安全性"),
            column("future", ColKind::Int, "未来性"),
            column("cooperation", ColKind::Int, "合作性"),
            column("total", ColKind::Float, "综合得分"),
            column("recommendation", ColKind::Label, "建议"),
        ]);
        let inp = self.inputs;
        let rows = self
            .order()
            .into_iter()
            .map(|i| {
                let mut row = vec![Cell::Str(self.ids[i].clone())];
                if let Some(n) = self.names {
                    row.push(n[i].clone().map_or(Cell::Null, Cell::Str));
                }
                row.extend([
                    self.money(inp.revenue[i]),
                    self.money(inp.margin[i]),
                    opt(self.scores.growth[i]),
                    Cell::Int(inp.shipments[i]),
                    opt(inp.overdue_share[i]),
                    opt(inp.avg_days_late[i]),
                    opt(inp.on_time_rate[i]),
                ]);
                row.extend((0..5).map(|k| self.score(k, i)));
                row.push(Cell::Float(self.scores.total[i]));
                row.push(Cell::Str(self.scores.recommendation[i].to_string()));
                row
            })
            .collect();
        Table {
            name: "customers".into(),
            title: "Customer screening".into(),
            title_zh: Some("客户筛选".into()),
            columns,
            rows,
            totals: None,
        }
    }

    fn header_fields(&self) -> Vec<(Column, Cell)> {
        let w = |k: usize| {
            if k == 2 && !self.with_invoices {
                Cell::Null
            } else {
                Cell::Float(self.weights[k])
            }
        };
        let mut f = vec![
            (
                column("as_of", ColKind::Date, "截至日期"),
                Cell::Date(self.as_of),
            ),
            (
                column("window_start", ColKind::Date, "窗口起始"),
                Cell::Date(date_from_days(days_since_epoch(self.as_of) - YEAR + 1)),
            ),
            (
                column("customers", ColKind::Int, "客户数"),
                Cell::Int(self.ids.len() as i64),
            ),
            (
                column("safety_included", ColKind::Bool, "含安全性"),
                Cell::Bool(self.with_invoices),
            ),
        ];
        for (k, c) in CRITERIA.iter().enumerate() {
            f.push((Column::new(&format!("weight_{c}"), ColKind::Float), w(k)));
        }
        f
    }

    fn summary(&self) -> Report {
        let total: i64 = self.inputs.revenue.iter().sum();
        let rows = RECOMMENDATIONS
            .iter()
            .map(|r| {
                let m: Vec<usize> = (0..self.ids.len())
                    .filter(|&i| self.scores.recommendation[i] == *r)
                    .collect();
                let rev: i64 = m.iter().map(|&i| self.inputs.revenue[i]).sum();
                vec![
                    Cell::Str(r.to_string()),
                    Cell::Int(m.len() as i64),
                    self.money(rev),
                    if total > 0 {
                        Cell::Float(rev as f64 / total as f64)
                    } else {
                        Cell::Null
                    },
                ]
            })
            .collect();
        let table = Table {
            name: "recommendations".into(),
            title: "Recommendations".into(),
            title_zh: Some("建议".into()),
            columns: vec![
                column("recommendation", ColKind::Label, "建议"),
                column("customers", ColKind::Int, "客户数"),
                column("revenue", ColKind::Money, "近12月收入"),
                column("revenue_share", ColKind::Share, "收入占比"),
            ],
            rows,
            totals: None,
        };
        Report::Summary {
            title: "Customer screening".into(),
            fields: self.header_fields(),
            tables: vec![table],
        }
    }

    fn explain(&self, i: usize) -> Report {
        let inp = self.inputs;
        let mut fields = self.header_fields();
        fields.retain(|(c, _)| {
            c.key == "as_of" || c.key == "window_start" || c.key == "safety_included"
        });
        fields.push((
            column("customer_id", ColKind::Text, "客户编号"),
            Cell::Str(self.ids[i].clone()),
        ));
        if let Some(n) = self.names {
            fields.push((
                column("customer_name", ColKind::Text, "客户名称"),
                n[i].clone().map_or(Cell::Null, Cell::Str),
            ));
        }
        fields.extend([
            (
                column("total", ColKind::Float, "综合得分"),
                Cell::Float(self.scores.total[i]),
            ),
            (
                column("recommendation", ColKind::Label, "建议"),
                Cell::Str(self.scores.recommendation[i].to_string()),
            ),
            (
                column("rule", ColKind::Text, "规则"),
                Cell::Str(self.scores.reason[i].clone()),
            ),
        ]);
        let metric = |k: usize| -> (String, Cell) {
            match k {
                0 => (
                    "revenue, trailing 12 months".into(),
                    self.money(inp.revenue[i]),
                ),
                1 => (
                    "revenue − cost, trailing 12 months".into(),
                    self.money(inp.margin[i]),
                ),
                2 => (
                    "overdue share (lower better) | average days late (lower better)".into(),
                    Cell::Str(format!(
                        "{} | {}",
                        inp.overdue_share[i].map_or("-".into(), |v| format!("{:.2}%", v * 100.0)),
                        inp.avg_days_late[i].map_or("-".into(), |v| format!("{v:.1}"))
                    )),
                ),
                3 => (
                    "revenue growth vs the previous 12 months (none: 3)".into(),
                    opt(self.scores.growth[i]),
                ),
                _ => (
                    if self.with_invoices {
                        "shipments | on-time payment rate".into()
                    } else {
                        "shipments".into()
                    },
                    Cell::Str(format!(
                        "{}{}",
                        inp.shipments[i],
                        if self.with_invoices {
                            format!(
                                " | {}",
                                inp.on_time_rate[i]
                                    .map_or("-".into(), |v| format!("{:.2}%", v * 100.0))
                            )
                        } else {
                            String::new()
                        }
                    )),
                ),
            }
        };
        let rows = (0..5)
            .map(|k| {
                let (what, value) = metric(k);
                let value = match value {
                    Cell::Money(d) => Cell::Str(d.to_string()),
                    Cell::Float(f) => Cell::Str(format!("{:.2}%", f * 100.0)),
                    other => other,
                };
                vec![
                    Cell::Str(CRITERIA[k].to_string()),
                    Cell::Str(what),
                    value,
                    self.score(k, i),
                    if self.scores.scores[k].is_some() {
                        Cell::Float(self.weights[k])
                    } else {
                        Cell::Null
                    },
                ]
            })
            .collect();
        let table = Table {
            name: "criteria".into(),
            title: "Criteria".into(),
            title_zh: Some("评分项".into()),
            columns: vec![
                column("criterion", ColKind::Text, "评分项"),
                column("metric", ColKind::Text, "指标"),
                column("value", ColKind::Text, "数值"),
                column("score", ColKind::Int, "得分"),
                column("weight", ColKind::Float, "权重"),
            ],
            rows,
            totals: None,
        };
        Report::Summary {
            title: "Customer screening".into(),
            fields,
            tables: vec![table],
        }
    }
}
