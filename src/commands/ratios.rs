//! `crm-cli ratios`: liquidity, leverage, activity and profitability ratios of customers'
//! balance sheets and income statements, per entity and period end, with health grades.

use super::{Output, date_arg, decimal_list, load_options};
use crate::analytics::ratios::{self, Grade, Params, QuickMethod, Ratio, Row, Thresholds};
use crate::cli::{QuickArg, RatiosArgs};
use crate::config::{Config, Setting};
use crate::error::{Error, Result};
use crate::io::fields::Dataset;
use crate::io::load::{self, Request};
use crate::io::source;
use crate::render::{Cell, ColKind, Column, Report, Table};

/// Fields `ratios` reads (customer_id and period_end are required by the dataset).
pub const FIELDS: &[&str] = &[
    "customer_id",
    "period_end",
    "cash",
    "short_term_investments",
    "receivables",
    "inventory",
    "prepaid_expenses",
    "current_assets",
    "total_assets",
    "current_liabilities",
    "total_liabilities",
    "revenue",
    "credit_sales",
    "cogs",
    "net_income",
    "total_costs",
];

/// Fields without which some ratio is always empty: a note names those the data lacks.
const NEEDED: &[&str] = &[
    "cash",
    "receivables",
    "inventory",
    "current_assets",
    "total_assets",
    "current_liabilities",
    "total_liabilities",
    "revenue",
    "cogs",
    "net_income",
];

/// The longest period `--days` accepts (ten years).
const MAX_DAYS: i64 = 3660;

/// `--current-grades 2,1`: good and fair thresholds, good first.
fn thresholds(setting: Setting<'_>) -> Result<Thresholds> {
    let v = decimal_list(setting, 2)?;
    if v.iter().any(|x| x.is_sign_negative() && !x.is_zero()) {
        return Err(setting.error("thresholds must be ≥ 0"));
    }
    if v[0] < v[1] {
        return Err(setting.error("the good threshold comes first and must be ≥ the fair one"));
    }
    Ok(Thresholds {
        good: v[0],
        fair: v[1],
    })
}

/// The parameters from the flags, crm.toml's [ratios] section and the defaults.
pub fn params(args: &RatiosArgs, cfg: &Config) -> Result<Params> {
    let c = &cfg.ratios;
    let days_ok = |v: i64| (1..=MAX_DAYS).contains(&v);
    let days = match (args.days, c.days) {
        (Some(v), _) if !days_ok(v) => {
            return Err(Error::Usage(format!(
                "--days {v}: must be a whole number from 1 to {MAX_DAYS}"
            )));
        }
        (Some(v), _) => v,
        (None, Some(v)) if !days_ok(v) => {
            return Err(Error::Input(format!(
                "{}: [ratios] days: {v}: must be a whole number from 1 to {MAX_DAYS}",
                cfg.source
            )));
        }
        (None, Some(v)) => v,
        (None, None) => 365,
    };
    let quick = match (args.quick, c.quick.as_deref()) {
        (Some(QuickArg::Standard), _) => QuickMethod::Standard,
        (Some(QuickArg::Conservative), _) => QuickMethod::Conservative,
        (None, Some(s)) => match s.trim().to_ascii_lowercase().as_str() {
            "standard" => QuickMethod::Standard,
            "conservative" => QuickMethod::Conservative,
            _ => {
                return Err(Setting::from_file(cfg, "[ratios] quick", s)
                    .error("expected standard or conservative"));
            }
        },
        (None, None) => QuickMethod::Standard,
    };
    let current_grades = thresholds(Setting::pick(
        "--current-grades",
        args.current_grades.as_deref(),
        c.current_grades.as_deref(),
        cfg,
        "[ratios] current_grades",
        "2,1",
    ))?;
    let quick_grades = thresholds(Setting::pick(
        "--quick-grades",
        args.quick_grades.as_deref(),
        c.quick_grades.as_deref(),
        cfg,
        "[ratios] quick_grades",
        "1,0.5",
    ))?;
    Ok(Params {
        days,
        quick,
        current_grades,
        quick_grades,
        as_of: date_arg("--as-of", args.as_of.as_deref())?,
        latest: args.latest,
    })
}

pub fn run(args: &RatiosArgs, cfg: &Config, progress: bool) -> Result<Output> {
    // Every option is checked before any data is read.
    let inputs = source::resolve_inputs(&args.files)?;
    let opts = load_options(&args.input, cfg, Dataset::Financials, progress)?;
    let params = params(args, cfg)?;
    let req = Request {
        dataset: Dataset::Financials,
        fields: FIELDS,
        extra_columns: &[],
        exact: &[],
    };
    let loaded = load::load(&inputs, &req, &opts)?;
    let mut notes = loaded.notes.clone();
    let absent: Vec<&str> = NEEDED.iter().copied().filter(|f| !loaded.has(f)).collect();
    if !absent.is_empty() {
        notes.push(format!(
            "no column for {}: the ratios that need {} are empty (map a column with --map FIELD=HEADER)",
            absent.join(", "),
            if absent.len() == 1 { "it" } else { "them" }
        ));
    }
    let statements = ratios::statements(&loaded.df)?;
    let all = Params {
        latest: false,
        ..params
    };
    let mut rows = ratios::compute(statements, &all)?;
    let view = View {
        params: &params,
        cost_profit: loaded.has("total_costs"),
    };
    let report = if args.summary {
        view.summary(&rows)
    } else {
        if params.latest {
            rows.retain(|r| r.latest);
        }
        Report::Rows(view.table(&rows))
    };
    Ok(Output { report, notes })
}

fn column(key: &str, kind: ColKind, zh: &str) -> Column {
    Column::new(key, kind).zh(zh)
}

fn ratio(r: Option<Ratio>) -> Cell {
    r.map_or(Cell::Null, |r| Cell::Float(r.value()))
}

fn grade(g: Option<Grade>) -> Cell {
    g.map_or(Cell::Null, |g| Cell::Str(g.as_str().to_string()))
}

fn thresholds_text(t: &Thresholds) -> String {
    format!("{},{}", t.good.normalize(), t.fair.normalize())
}

struct View<'a> {
    params: &'a Params,
    /// The data has a total_costs column: show cost_profit_ratio.
    cost_profit: bool,
}

/// The `--summary` report (as `ratios --summary`) of loaded financials, for `report`.
pub fn summary_report(loaded: &load::Loaded, params: &Params) -> Result<Report> {
    let statements = ratios::statements(&loaded.df)?;
    let all = Params {
        latest: false,
        ..*params
    };
    let rows = ratios::compute(statements, &all)?;
    let view = View {
        params,
        cost_profit: loaded.has("total_costs"),
    };
    Ok(view.summary(&rows))
}

impl View<'_> {
    fn table(&self, rows: &[Row]) -> Table {
        let mut columns = vec![
            column("customer_id", ColKind::Text, "客户编号"),
            column("period_end", ColKind::Date, "报告期"),
            column("previous_period_end", ColKind::Date, "上期报告期"),
            column("current_ratio", ColKind::Float, "流动比率"),
            column("quick_ratio", ColKind::Float, "速动比率"),
            column("cash_ratio", ColKind::Float, "现金比率"),
            column("debt_ratio", ColKind::Share, "资产负债率"),
            column("receivable_turnover", ColKind::Float, "应收账款周转率"),
            column("dso", ColKind::Float, "应收账款周转天数"),
            column("inventory_turnover", ColKind::Float, "存货周转率"),
            column("dio", ColKind::Float, "存货周转天数"),
            column("roa", ColKind::Share, "总资产收益率"),
            column("net_margin", ColKind::Share, "销售净利率"),
        ];
        if self.cost_profit {
            columns.push(column(
                "cost_profit_ratio",
                ColKind::Share,
                "成本费用利润率",
            ));
        }
        columns.extend([
            column("current_grade", ColKind::Label, "流动比率评级"),
            column("quick_grade", ColKind::Label, "速动比率评级"),
            column("notes", ColKind::Text, "备注"),
        ]);
        let body = rows
            .iter()
            .map(|r| {
                let mut row = vec![
                    Cell::Str(r.entity.clone()),
                    Cell::Date(r.period_end),
                    r.previous.map_or(Cell::Null, Cell::Date),
                    ratio(r.current_ratio),
                    ratio(r.quick_ratio),
                    ratio(r.cash_ratio),
                    ratio(r.debt_ratio),
                    ratio(r.receivable_turnover),
                    ratio(r.dso),
                    ratio(r.inventory_turnover),
                    ratio(r.dio),
                    ratio(r.roa),
                    ratio(r.net_margin),
                ];
                if self.cost_profit {
                    row.push(ratio(r.cost_profit_ratio));
                }
                row.extend([
                    grade(r.current_grade),
                    grade(r.quick_grade),
                    if r.notes.is_empty() {
                        Cell::Null
                    } else {
                        Cell::Str(r.notes.join("; "))
                    },
                ]);
                row
            })
            .collect();
        Table {
            name: "ratios".into(),
            title: "Financial ratios".into(),
            title_zh: Some("财务比率".into()),
            columns,
            rows: body,
            totals: None,
        }
    }

    fn summary(&self, rows: &[Row]) -> Report {
        let p = self.params;
        let s = ratios::summarize(rows);
        let fields = vec![
            (
                column("entities", ColKind::Int, "客户数"),
                Cell::Int(s.entities as i64),
            ),
            (
                column("periods", ColKind::Int, "报告期数"),
                Cell::Int(rows.len() as i64),
            ),
            (
                column("as_of", ColKind::Date, "截至日期"),
                p.as_of.map_or(Cell::Null, Cell::Date),
            ),
            (column("days", ColKind::Int, "期间天数"), Cell::Int(p.days)),
            (
                column("quick", ColKind::Text, "速动比率口径"),
                Cell::Str(
                    match p.quick {
                        QuickMethod::Standard => "standard",
                        QuickMethod::Conservative => "conservative",
                    }
                    .into(),
                ),
            ),
            (
                column("current_grades", ColKind::Text, "流动比率阈值"),
                Cell::Str(thresholds_text(&p.current_grades)),
            ),
            (
                column("quick_grades", ColKind::Text, "速动比率阈值"),
                Cell::Str(thresholds_text(&p.quick_grades)),
            ),
        ];
        let labels = Grade::ALL
            .iter()
            .map(|g| g.as_str())
            .chain(std::iter::once("ungraded"));
        let grade_rows = labels
            .enumerate()
            .map(|(k, label)| {
                vec![
                    Cell::Str(label.to_string()),
                    Cell::Int(s.current[k] as i64),
                    Cell::Int(s.quick[k] as i64),
                ]
            })
            .collect();
        let weak_rows = s
            .weak
            .iter()
            .map(|&i| {
                let r = &rows[i];
                vec![
                    Cell::Str(r.entity.clone()),
                    Cell::Date(r.period_end),
                    ratio(r.current_ratio),
                    grade(r.current_grade),
                    ratio(r.quick_ratio),
                    grade(r.quick_grade),
                ]
            })
            .collect();
        Report::Summary {
            title: "Financial ratios".into(),
            fields,
            tables: vec![
                Table {
                    name: "grades".into(),
                    title: "Grades of each customer's latest period".into(),
                    title_zh: Some("各客户最近一期评级".into()),
                    columns: vec![
                        column("grade", ColKind::Label, "评级"),
                        column("current", ColKind::Int, "流动比率"),
                        column("quick", ColKind::Int, "速动比率"),
                    ],
                    rows: grade_rows,
                    totals: None,
                },
                Table {
                    name: "weak".into(),
                    title: "Customers graded weak".into(),
                    title_zh: Some("评级为弱的客户".into()),
                    columns: vec![
                        column("customer_id", ColKind::Text, "客户编号"),
                        column("period_end", ColKind::Date, "报告期"),
                        column("current_ratio", ColKind::Float, "流动比率"),
                        column("current_grade", ColKind::Label, "流动比率评级"),
                        column("quick_ratio", ColKind::Float, "速动比率"),
                        column("quick_grade", ColKind::Label, "速动比率评级"),
                    ],
                    rows: weak_rows,
                    totals: None,
                },
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;

    #[test]
    fn thresholds_are_checked_where_written() {
        let cfg =
            crate::config::parse("[ratios]\ncurrent_grades = \"1,2\"\n", "team.toml").unwrap();
        let e = thresholds(Setting::from_flag("--current-grades", "1,2")).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        let e = thresholds(Setting::from_file(&cfg, "[ratios] current_grades", "1,2")).unwrap_err();
        assert_eq!(e.exit_code(), 1);
        assert!(
            e.to_string()
                .starts_with("team.toml: [ratios] current_grades '1,2'"),
            "{e}"
        );
        let t = thresholds(Setting::from_flag("--quick-grades", "1.5, 0.75")).unwrap();
        assert_eq!(t.good, Decimal::new(15, 1));
        assert_eq!(thresholds_text(&t), "1.5,0.75");
        assert!(thresholds(Setting::from_flag("--quick-grades", "1,-0.5")).is_err());
        assert!(thresholds(Setting::from_flag("--quick-grades", "1")).is_err());
    }
}
