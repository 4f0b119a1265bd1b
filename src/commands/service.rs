//! `crm-cli service`: on-time, delay, transit, damage, loss and return rates per customer or lane.

use polars::prelude::IntoLazy;

use super::{Output, check_group_loaded, group_column, load_options, window_args};
use crate::analytics::service::{self, Service, rate};
use crate::cli::ServiceArgs;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::io::fields::{Dataset, Kind};
use crate::io::load::{self, Request};
use crate::io::source;
use crate::render::{Cell, ColKind, Column, Report, Table};

/// Groups with fewer shipments than this are left out of the summary's worst list.
const WORST_MIN_SHIPMENTS: i64 = 10;
const WORST: usize = 5;

pub fn run(args: &ServiceArgs, cfg: &Config, progress: bool) -> Result<Output> {
    let inputs = source::resolve_inputs(&args.files)?;
    let opts = load_options(&args.input, cfg, Dataset::Shipments, progress)?;
    let window = window_args(
        args.dates.from.as_deref(),
        args.dates.to.as_deref(),
        args.dates.as_of.as_deref(),
    )?;
    let by_customer = matches!(
        args.by.trim().to_ascii_lowercase().as_str(),
        "customer" | "customer_id"
    );
    let group = if by_customer {
        None
    } else {
        Some(group_column("--by", &args.by, Dataset::Shipments)?)
    };
    let mut fields = vec![
        "shipment_id",
        "customer_id",
        "ship_date",
        "revenue",
        "promised_date",
        "delivered_date",
        "status",
    ];
    let mut extra = Vec::new();
    match &group {
        None => fields.push("customer_name"),
        Some(g) => match g.field {
            Some(f) => fields.push(f),
            None => extra.push((g.name.clone(), Kind::Text)),
        },
    }
    let req = Request {
        dataset: Dataset::Shipments,
        fields: &fields,
        extra_columns: &extra,
        exact: &[],
    };
    let loaded = load::load(&inputs, &req, &opts)?;
    let mut notes = loaded.notes.clone();
    let missing: Vec<&str> = ["promised_date", "delivered_date"]
        .into_iter()
        .filter(|f| !loaded.has(f))
        .collect();
    if !missing.is_empty() {
        return Err(Error::Input(format!(
            "service needs columns for {}: none of the headers maps to them (map with --map {}=HEADER; aliases in docs/columns.md)",
            missing.join(" and "),
            missing[0]
        )));
    }
    if let Some(g) = &group {
        check_group_loaded("--by", g, &loaded)?;
    }
    let has_status = loaded.has("status");
    if !has_status {
        notes.push("no status column: damaged, lost and returned rates are left empty".into());
    }
    let key = group
        .as_ref()
        .map_or("customer_id".to_string(), |g| g.name.clone());
    let with_names = group.is_none() && loaded.has("customer_name");
    let s = service::compute(loaded.df.lazy(), &window, &key, with_names, has_status)?;
    let view = View {
        s: &s,
        key: &key,
        has_status,
    };
    let report = if args.summary {
        view.summary()
    } else {
        Report::Rows(view.rows(None))
    };
    Ok(Output { report, notes })
}

struct View<'a> {
    s: &'a Service,
    key: &'a str,
    has_status: bool,
}

/// The `--summary` report (as `service --summary`) and the table of every group (as `service`
/// without it), for `report`.
pub fn reports(s: &Service, key: &str, has_status: bool) -> (Report, Table) {
    let view = View { s, key, has_status };
    (view.summary(), view.rows(None))
}

fn column(key: &str, kind: ColKind, zh: &str) -> Column {
    Column::new(key, kind).zh(zh)
}

impl View<'_> {
    fn columns(&self) -> Vec<Column> {
        let zh = crate::render::zh_header(self.key).unwrap_or(self.key);
        let mut c = vec![Column::new(self.key, ColKind::Text).zh(zh)];
        if self.s.names.is_some() {
            c.push(column("customer_name", ColKind::Text, "客户名称"));
        }
        c.extend([
            column("shipments", ColKind::Int, "发货票数"),
            column("delivered", ColKind::Int, "已交付"),
            column("open", ColKind::Int, "未交付"),
            column("on_time_rate", ColKind::Share, "准时率"),
            column("late", ColKind::Int, "延迟票数"),
            column("avg_delay_days", ColKind::Float, "平均延迟天数"),
            column("avg_transit_days", ColKind::Float, "平均运输天数"),
            column("damaged_rate", ColKind::Share, "破损率"),
            column("lost_rate", ColKind::Share, "丢失率"),
            column("returned_rate", ColKind::Share, "回运率"),
        ]);
        c
    }

    fn row(&self, i: usize) -> Vec<Cell> {
        let s = self.s;
        let opt = |v: Option<f64>| v.map_or(Cell::Null, Cell::Float);
        let status_rate = |n: i64| {
            if self.has_status {
                opt(rate(n, s.shipments[i]))
            } else {
                Cell::Null
            }
        };
        let mut row = vec![s.keys[i].clone().map_or(Cell::Null, Cell::Str)];
        if let Some(n) = &s.names {
            row.push(n[i].clone().map_or(Cell::Null, Cell::Str));
        }
        row.extend([
            Cell::Int(s.shipments[i]),
            Cell::Int(s.delivered[i]),
            Cell::Int(s.open[i]),
            opt(rate(s.on_time[i], s.with_promise[i])),
            Cell::Int(s.late[i]),
            opt(s.avg_delay_days[i]),
            opt(s.avg_transit_days[i]),
            status_rate(s.damaged[i]),
            status_rate(s.lost[i]),
            status_rate(s.returned[i]),
        ]);
        row
    }

    fn rows(&self, only: Option<&[usize]>) -> Table {
        let columns = self.columns();
        let idx: Vec<usize> = only.map_or_else(|| (0..self.s.len()).collect(), <[usize]>::to_vec);
        let rows = idx.iter().map(|&i| self.row(i)).collect();
        let s = self.s;
        let sum = |v: &[i64]| v.iter().sum::<i64>();
        let totals = only.is_none().then(|| {
            columns
                .iter()
                .map(|c| match c.key.as_str() {
                    "shipments" => Cell::Int(sum(&s.shipments)),
                    "delivered" => Cell::Int(sum(&s.delivered)),
                    "open" => Cell::Int(sum(&s.open)),
                    "late" => Cell::Int(sum(&s.late)),
                    "on_time_rate" => {
                        rate(sum(&s.on_time), sum(&s.with_promise)).map_or(Cell::Null, Cell::Float)
                    }
                    _ => Cell::Null,
                })
                .collect()
        });
        Table {
            name: if only.is_some() {
                "worst".into()
            } else {
                "groups".into()
            },
            title: if only.is_some() {
                "Worst on-time rates".into()
            } else {
                "Service quality".into()
            },
            title_zh: Some(if only.is_some() {
                "准时率最低".into()
            } else {
                "服务质量".into()
            }),
            columns,
            rows,
            totals,
        }
    }

    fn summary(&self) -> Report {
        let s = self.s;
        let sum = |v: &[i64]| v.iter().sum::<i64>();
        let shipments = sum(&s.shipments);
        let opt = |v: Option<f64>| v.map_or(Cell::Null, Cell::Float);
        // Mean over all late / delivered shipments: weight each group's mean by its count.
        let weighted = |means: &[Option<f64>], counts: &[i64]| -> Option<f64> {
            let n: i64 = counts
                .iter()
                .zip(means)
                .filter(|(_, m)| m.is_some())
                .map(|(c, _)| *c)
                .sum();
            (n > 0).then(|| {
                counts
                    .iter()
                    .zip(means)
                    .filter_map(|(c, m)| m.map(|m| m * *c as f64))
                    .sum::<f64>()
                    / n as f64
            })
        };
        let status_rate = |v: &[i64]| {
            if self.has_status {
                opt(rate(sum(v), shipments))
            } else {
                Cell::Null
            }
        };
        let fields = vec![
            (
                column("as_of", ColKind::Date, "截至日期"),
                s.as_of.map_or(Cell::Null, Cell::Date),
            ),
            (
                column("by", ColKind::Text, "分组"),
                Cell::Str(self.key.to_string()),
            ),
            (
                column("groups", ColKind::Int, "分组数"),
                Cell::Int(s.len() as i64),
            ),
            (
                column("shipments", ColKind::Int, "发货票数"),
                Cell::Int(shipments),
            ),
            (
                column("delivered", ColKind::Int, "已交付"),
                Cell::Int(sum(&s.delivered)),
            ),
            (
                column("open", ColKind::Int, "未交付"),
                Cell::Int(sum(&s.open)),
            ),
            (
                column("on_time_rate", ColKind::Share, "准时率"),
                opt(rate(sum(&s.on_time), sum(&s.with_promise))),
            ),
            (
                column("avg_delay_days", ColKind::Float, "平均延迟天数"),
                opt(weighted(&s.avg_delay_days, &s.late)),
            ),
            (
                column("avg_transit_days", ColKind::Float, "平均运输天数"),
                opt(weighted(&s.avg_transit_days, &s.delivered)),
            ),
            (
                column("damaged_rate", ColKind::Share, "破损率"),
                status_rate(&s.damaged),
            ),
            (
                column("lost_rate", ColKind::Share, "丢失率"),
                status_rate(&s.lost),
            ),
            (
                column("returned_rate", ColKind::Share, "回运率"),
                status_rate(&s.returned),
            ),
        ];
        // Worst on-time rates among groups with enough delivered shipments; ties by shipments, key.
        let mut worst: Vec<usize> = (0..s.len())
            .filter(|&i| s.with_promise[i] >= WORST_MIN_SHIPMENTS)
            .collect();
        worst.sort_by(|&x, &y| {
            let rx = rate(s.on_time[x], s.with_promise[x]).unwrap_or(1.0);
            let ry = rate(s.on_time[y], s.with_promise[y]).unwrap_or(1.0);
            rx.total_cmp(&ry)
                .then(s.shipments[y].cmp(&s.shipments[x]))
                .then(s.keys[x].cmp(&s.keys[y]))
        });
        worst.truncate(WORST);
        Report::Summary {
            title: "Service quality".into(),
            fields,
            tables: vec![self.rows(Some(&worst))],
        }
    }
}
