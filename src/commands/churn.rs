//! `crm-cli churn`: statuses by each customer's own rhythm, declining revenue, value at risk,
//! and optionally the BG/NBD model.

use polars::prelude::IntoLazy;
use rust_decimal::Decimal;

use super::{Output, decimal_list, load_options, money, window_args};
use crate::analytics::bgnbd;
use crate::analytics::churn::{self, Customers, Rules, STATUSES};
use crate::cli::{ChurnArgs, ModelArg};
use crate::config::{Config, Setting};
use crate::error::{Error, Result};
use crate::io::fields::Dataset;
use crate::io::load::{self, Request};
use crate::io::source;
use crate::render::{Cell, ColKind, Column, Report, Table};

/// The fitted model and its per-customer outputs (same order as the customers).
struct Model {
    fit: bgnbd::Fit,
    horizon: u32,
    /// None for customers outside the model (no shipment, only credit notes).
    p_alive: Vec<Option<f64>>,
    expected: Vec<Option<f64>>,
    /// Customers left out of the fit.
    left_out: usize,
}

/// The status rules from the flags, crm.toml's [churn] section and the defaults.
pub fn rules(args: &ChurnArgs, cfg: &Config) -> Result<Rules> {
    let d = Rules::default();
    let c = &cfg.churn;
    let file_err =
        |key: &str, what: &str| Error::Input(format!("{}: [churn] {key}: {what}", cfg.source));
    let pick_i =
        |flag: &str, cli: Option<i64>, file: Option<i64>, default: i64, min: i64| -> Result<i64> {
            match (cli, file) {
                (Some(v), _) if v < min => {
                    Err(Error::Usage(format!("{flag} {v}: must be at least {min}")))
                }
                (Some(v), _) => Ok(v),
                (None, Some(v)) if v < min => Err(file_err(
                    &flag[2..].replace('-', "_"),
                    &format!("must be at least {min}"),
                )),
                (None, Some(v)) => Ok(v),
                (None, None) => Ok(default),
            }
        };
    let pick_f = |flag: &str, cli: Option<f64>, file: Option<f64>, default: f64| -> Result<f64> {
        match (cli, file) {
            (Some(v), _) if !(v.is_finite() && v > 0.0) => Err(Error::Usage(format!(
                "{flag} {v}: must be a positive number"
            ))),
            (Some(v), _) => Ok(v),
            (None, Some(v)) if !(v.is_finite() && v > 0.0) => Err(file_err(
                &flag[2..].replace('-', "_"),
                "must be a positive number",
            )),
            (None, Some(v)) => Ok(v),
            (None, None) => Ok(default),
        }
    };
    let drop_file = c.drop.map(|v| v.to_string());
    let drop_setting = Setting::pick(
        "--drop",
        args.drop.as_deref(),
        drop_file.as_deref(),
        cfg,
        "[churn] drop",
        "30",
    );
    let drop = decimal_list(drop_setting, 1)?[0];
    if !(drop > Decimal::ZERO && drop <= Decimal::from(100)) {
        return Err(drop_setting.error("a percentage above 0 and at most 100"));
    }
    let r = Rules {
        new_days: pick_i("--new-days", args.new_days, c.new_days, d.new_days, 0)?,
        churn_ratio: pick_f(
            "--churn-ratio",
            args.churn_ratio,
            c.churn_ratio,
            d.churn_ratio,
        )?,
        risk_ratio: pick_f("--risk-ratio", args.risk_ratio, c.risk_ratio, d.risk_ratio)?,
        max_idle: pick_i("--max-idle", args.max_idle, c.max_idle, d.max_idle, 1)?,
        window_days: pick_i("--window", args.window, c.window, d.window_days, 1)?,
        drop_pct: drop,
    };
    if r.risk_ratio > r.churn_ratio {
        let from_file = (args.risk_ratio.is_none() && c.risk_ratio.is_some())
            || (args.churn_ratio.is_none() && c.churn_ratio.is_some());
        if from_file {
            return Err(Error::Input(format!(
                "{}: [churn] the risk ratio ({}) must not exceed the churn ratio ({})",
                cfg.source, r.risk_ratio, r.churn_ratio
            )));
        }
        return Err(Error::Usage(format!(
            "the risk ratio ({}) must not exceed the churn ratio ({})",
            r.risk_ratio, r.churn_ratio
        )));
    }
    Ok(r)
}

pub fn run(args: &ChurnArgs, cfg: &Config, progress: bool) -> Result<Output> {
    let inputs = source::resolve_inputs(&args.files)?;
    let opts = load_options(&args.input, cfg, Dataset::Shipments, progress)?;
    let window = window_args(
        args.dates.from.as_deref(),
        args.dates.to.as_deref(),
        args.dates.as_of.as_deref(),
    )?;
    let rules = rules(args, cfg)?;
    let fields = ["customer_id", "customer_name", "ship_date", "revenue"];
    let req = Request {
        dataset: Dataset::Shipments,
        fields: &fields,
        extra_columns: &[],
        exact: &[],
    };
    let loaded = load::load(&inputs, &req, &opts)?;
    let scale = loaded.money_scale;
    let customers = churn::compute(loaded.df.lazy(), &window, &rules)?;
    let mut model_note = None;
    let model = match args.model {
        ModelArg::None => None,
        // A model that cannot be fitted (too little data) must not cost the rule-based answer.
        ModelArg::Bgnbd => match fit_model(&customers, args.horizon) {
            Ok(m) => Some(m),
            Err(e) => {
                model_note = Some(format!("{e}; statuses and value at risk by the rules only"));
                None
            }
        },
    };
    let var = value_at_risk(&customers, model.as_ref().map(|m| m.p_alive.as_slice()));
    let mut notes = loaded.notes;
    notes.extend(model_note);
    if let Some(m) = &model
        && m.left_out > 0
    {
        notes.push(format!(
            "--model bgnbd: {} customer{} with only credit notes left out of the fit (no p_alive)",
            m.left_out,
            if m.left_out == 1 { "" } else { "s" }
        ));
    }
    let view = View {
        c: &customers,
        model: model.as_ref(),
        var: &var,
        scale,
        rules: &rules,
    };
    let report = if args.summary {
        view.summary()
    } else {
        Report::Rows(view.rows())
    };
    Ok(Output { report, notes })
}

/// value_at_risk per customer: trailing revenue of at_risk and churned customers (× (1 − p_alive)
/// with a model), minor units.
pub fn value_at_risk(customers: &Customers, p_alive: Option<&[Option<f64>]>) -> Vec<i64> {
    (0..customers.len())
        .map(|i| {
            if !matches!(customers.status[i], "at_risk" | "churned") {
                return 0;
            }
            // Net credit notes can make trailing revenue negative: nothing is at risk then.
            let rev = customers.revenue_365[i].max(0);
            // BG/NBD gives p_alive = 1 to a customer without a repeat purchase (it has had no
            // chance to drop out in the model): the model says nothing there, the rules stand.
            match p_alive.and_then(|p| p[i]) {
                Some(p) if customers.shipping_days[i] >= 2 => {
                    (rev as f64 * (1.0 - p)).round() as i64
                }
                _ => rev,
            }
        })
        .collect()
}

/// The `--summary` report without a model (as `churn --summary`), for `report`.
pub fn summary_report(customers: &Customers, var: &[i64], scale: u32, rules: &Rules) -> Report {
    View {
        c: customers,
        model: None,
        var,
        scale,
        rules,
    }
    .summary()
}

fn fit_model(c: &Customers, horizon: u32) -> Result<Model> {
    let (idx, x, tx, t) = churn::bgnbd_inputs(c);
    let fit = bgnbd::fit(&x, &tx, &t).map_err(|e| Error::Input(format!("--model bgnbd: {e}")))?;
    let h = horizon as f64;
    let mut p_alive = vec![None; c.len()];
    let mut expected = vec![None; c.len()];
    for (k, &i) in idx.iter().enumerate() {
        p_alive[i] = Some(bgnbd::p_alive(&fit.params, x[k], tx[k], t[k]));
        expected[i] = Some(bgnbd::expected_purchases(&fit.params, h, x[k], tx[k], t[k]));
    }
    Ok(Model {
        fit,
        horizon,
        p_alive,
        expected,
        left_out: c.len() - idx.len(),
    })
}

struct View<'a> {
    c: &'a Customers,
    model: Option<&'a Model>,
    var: &'a [i64],
    scale: u32,
    rules: &'a Rules,
}

fn column(key: &str, kind: ColKind, zh: &str) -> Column {
    Column::new(key, kind).zh(zh)
}

impl View<'_> {
    fn money(&self, v: i64) -> Cell {
        Cell::Money(money(v as i128, self.scale))
    }

    fn rows(&self) -> Table {
        let c = self.c;
        let mut columns = vec![column("customer_id", ColKind::Text, "客户编号")];
        if c.customer_name.is_some() {
            columns.push(column("customer_name", ColKind::Text, "客户名称"));
        }
        columns.extend([
            column("status", ColKind::Label, "状态"),
            column("first_date", ColKind::Date, "首次发货"),
            column("last_date", ColKind::Date, "最近发货"),
            column("shipping_days", ColKind::Int, "发货天数"),
            column("typical_gap_days", ColKind::Float, "典型间隔天数"),
            column("gap_source", ColKind::Text, "间隔来源"),
            column("days_since_last", ColKind::Int, "距上次天数"),
            column("gap_ratio", ColKind::Float, "间隔倍数"),
            column("revenue_recent", ColKind::Money, "近期收入"),
            column("revenue_prior", ColKind::Money, "前期收入"),
            column("change", ColKind::Share, "变化"),
            column("declining", ColKind::Bool, "下滑"),
            column("revenue_365", ColKind::Money, "近365天收入"),
            column("value_at_risk", ColKind::Money, "风险金额"),
        ]);
        if self.model.is_some() {
            columns.push(column("p_alive", ColKind::Float, "存活概率"));
            columns.push(column("expected_shipments", ColKind::Float, "预期发货次数"));
        }
        let var_f: Vec<f64> = self.var.iter().map(|&v| v as f64).collect();
        let order = churn::order_by_risk(&var_f, &c.customer_id);
        let opt = |v: Option<f64>| v.map_or(Cell::Null, Cell::Float);
        let rows = order
            .iter()
            .map(|&i| {
                let mut row = vec![Cell::Str(c.customer_id[i].clone())];
                if let Some(n) = &c.customer_name {
                    row.push(n[i].clone().map_or(Cell::Null, Cell::Str));
                }
                row.extend([
                    Cell::Str(c.status[i].to_string()),
                    Cell::Date(c.first_date[i]),
                    Cell::Date(c.last_date[i]),
                    Cell::Int(c.shipping_days[i]),
                    opt(c.typical_gap_days[i]),
                    Cell::Str(c.gap_source[i].to_string()),
                    Cell::Int(c.days_since_last[i]),
                    opt(c.gap_ratio[i]),
                    self.money(c.revenue_recent[i]),
                    self.money(c.revenue_prior[i]),
                    opt(c.change[i]),
                    Cell::Bool(c.declining[i]),
                    self.money(c.revenue_365[i]),
                    self.money(self.var[i]),
                ]);
                if let Some(m) = self.model {
                    row.push(m.p_alive[i].map_or(Cell::Null, Cell::Float));
                    row.push(m.expected[i].map_or(Cell::Null, Cell::Float));
                }
                row
            })
            .collect();
        let sum = |v: &[i64]| -> i64 { v.iter().sum() };
        let totals = columns
            .iter()
            .map(|col| match col.key.as_str() {
                "revenue_recent" => self.money(sum(&c.revenue_recent)),
                "revenue_prior" => self.money(sum(&c.revenue_prior)),
                "revenue_365" => self.money(sum(&c.revenue_365)),
                "value_at_risk" => self.money(sum(self.var)),
                _ => Cell::Null,
            })
            .collect();
        Table {
            name: "customers".into(),
            title: "Churn".into(),
            title_zh: Some("客户流失".into()),
            columns,
            rows,
            totals: Some(totals),
        }
    }

    fn summary(&self) -> Report {
        let c = self.c;
        let r = self.rules;
        let n = c.len();
        let mut fields = vec![
            (
                column("as_of", ColKind::Date, "截至日期"),
                c.as_of.map_or(Cell::Null, Cell::Date),
            ),
            (
                column("customers", ColKind::Int, "客户数"),
                Cell::Int(n as i64),
            ),
            (
                column("declining", ColKind::Int, "收入下滑客户数"),
                Cell::Int(c.declining.iter().filter(|d| **d).count() as i64),
            ),
            (
                column("value_at_risk", ColKind::Money, "风险金额"),
                self.money(self.var.iter().sum()),
            ),
            (
                column("population_gap_days", ColKind::Float, "总体典型间隔天数"),
                c.population_gap.map_or(Cell::Null, Cell::Float),
            ),
            (
                column("new_days", ColKind::Int, "新客户天数"),
                Cell::Int(r.new_days),
            ),
            (
                column("churn_ratio", ColKind::Float, "流失倍数"),
                Cell::Float(r.churn_ratio),
            ),
            (
                column("risk_ratio", ColKind::Float, "风险倍数"),
                Cell::Float(r.risk_ratio),
            ),
            (
                column("max_idle", ColKind::Int, "最长空闲天数"),
                Cell::Int(r.max_idle),
            ),
            (
                column("window", ColKind::Int, "收入窗口天数"),
                Cell::Int(r.window_days),
            ),
            (
                column("drop", ColKind::Money, "下滑阈值%"),
                Cell::Money(r.drop_pct.normalize()),
            ),
            (
                column("model", ColKind::Text, "模型"),
                Cell::Str(
                    if self.model.is_some() {
                        "bgnbd"
                    } else {
                        "none"
                    }
                    .into(),
                ),
            ),
        ];
        if let Some(m) = self.model {
            let p = &m.fit.params;
            fields.extend([
                (
                    column("horizon", ColKind::Int, "预测天数"),
                    Cell::Int(m.horizon as i64),
                ),
                (column("r", ColKind::Float, "r"), Cell::Float(p.r)),
                (
                    column("alpha", ColKind::Float, "alpha"),
                    Cell::Float(p.alpha),
                ),
                (column("a", ColKind::Float, "a"), Cell::Float(p.a)),
                (column("b", ColKind::Float, "b"), Cell::Float(p.b)),
                (
                    column("log_likelihood", ColKind::Float, "对数似然"),
                    Cell::Float(m.fit.log_likelihood),
                ),
            ]);
        }
        let columns = vec![
            column("status", ColKind::Label, "状态"),
            column("customers", ColKind::Int, "客户数"),
            column("customers_share", ColKind::Share, "客户占比"),
            column("revenue_365", ColKind::Money, "近365天收入"),
            column("value_at_risk", ColKind::Money, "风险金额"),
            column("declining", ColKind::Int, "收入下滑客户数"),
        ];
        let rows = STATUSES
            .iter()
            .map(|s| {
                let members: Vec<usize> = (0..n).filter(|&i| c.status[i] == *s).collect();
                vec![
                    Cell::Str(s.to_string()),
                    Cell::Int(members.len() as i64),
                    if n > 0 {
                        Cell::Float(members.len() as f64 / n as f64)
                    } else {
                        Cell::Null
                    },
                    self.money(members.iter().map(|&i| c.revenue_365[i]).sum()),
                    self.money(members.iter().map(|&i| self.var[i]).sum()),
                    Cell::Int(members.iter().filter(|&&i| c.declining[i]).count() as i64),
                ]
            })
            .collect();
        Report::Summary {
            title: "Churn".into(),
            fields,
            tables: vec![Table {
                name: "statuses".into(),
                title: "Statuses".into(),
                title_zh: Some("客户状态".into()),
                columns,
                rows,
                totals: None,
            }],
        }
    }
}
