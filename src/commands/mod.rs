//! One file per subcommand: arguments → load → analytics → a [`Report`]. Commands never print;
//! what they have to say on stderr goes into [`Output::notes`].

pub mod aging;
pub mod churn;
pub mod inspect;
pub mod pareto;
pub mod ratios;
pub mod report;
pub mod screen;
pub mod service;
pub mod tier;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::analytics::window::Window;
use crate::cli::InputArgs;
use crate::config::Config;
use crate::config::Setting;
use crate::error::{Error, Result};
use crate::io::encoding::Encoding;
use crate::io::fields::{self, Dataset};
use crate::io::load::{LoadOptions, Loaded};
use crate::io::parse::{self, DateFormat, NumberFormat};
use crate::render::Report;

/// What a command produces: the report for stdout / -o, notes for stderr.
#[derive(Debug)]
pub struct Output {
    pub report: Report,
    pub notes: Vec<String>,
}

/// The loader's options from the shared input flags and crm.toml (flags win).
/// `[columns]` entries that are not fields of `dataset` are ignored (one crm.toml serves every
/// dataset); `--map` is checked strictly by the loader.
pub fn load_options(
    input: &InputArgs,
    cfg: &Config,
    dataset: Dataset,
    progress: bool,
) -> Result<LoadOptions> {
    let delimiter = match input.delimiter.as_deref() {
        None => None,
        Some("tab") | Some("\\t") | Some("\t") => Some(b'\t'),
        Some(s) if s.len() == 1 && s.is_ascii() => Some(s.as_bytes()[0]),
        Some(s) => {
            return Err(Error::Usage(format!(
                "--delimiter takes one character or 'tab', got '{s}'"
            )));
        }
    };
    let encoding = input
        .encoding
        .as_deref()
        .map(str::parse::<Encoding>)
        .transpose()?;
    let mut overrides: Vec<(String, String)> = cfg
        .columns
        .iter()
        .filter(|(f, _)| fields::field(dataset, f).is_some())
        .map(|(f, h)| (f.clone(), h.clone()))
        .collect();
    for m in &input.map {
        let Some((f, h)) = m.split_once('=') else {
            return Err(Error::Usage(format!("--map takes FIELD=HEADER, got '{m}'")));
        };
        let f = f.trim().to_string();
        if fields::field(dataset, &f).is_none() {
            let names: Vec<&str> = fields::fields(dataset).iter().map(|s| s.name).collect();
            return Err(Error::Usage(format!(
                "--map {m}: {} has no field '{f}'; its fields: {}",
                dataset.name(),
                names.join(", ")
            )));
        }
        overrides.retain(|(of, _)| *of != f);
        overrides.push((f, h.trim().to_string()));
    }
    if let Some(f) = &input.date_format {
        parse::validate_date_format(f).map_err(|e| Error::Usage(format!("--date-format: {e}")))?;
    }
    Ok(LoadOptions {
        delimiter,
        encoding,
        overrides,
        number: NumberFormat {
            decimal_comma: input.decimal_comma,
        },
        date: DateFormat {
            format: input.date_format.clone(),
            excel_serial: input.excel_dates,
        },
        skip_bad_rows: input.skip_bad_rows,
        currency: input.currency.clone(),
        dedupe: input.dedupe,
        sheet: input.sheet.clone(),
        progress,
    })
}

/// A date given on the command line: ISO `YYYY-MM-DD` (also the other unambiguous forms).
pub fn date_arg(flag: &str, s: Option<&str>) -> Result<Option<NaiveDate>> {
    let Some(s) = s else { return Ok(None) };
    match parse::parse_date(s, &DateFormat::default()) {
        Ok(Some(d)) => Ok(Some(d)),
        _ => Err(Error::Usage(format!(
            "{flag}: cannot read '{s}' as a date (expected e.g. 2024-01-31)"
        ))),
    }
}

/// The analysis window from --from, --to and --as-of, checked for order.
pub fn window_args(from: Option<&str>, to: Option<&str>, as_of: Option<&str>) -> Result<Window> {
    let w = Window {
        from: date_arg("--from", from)?,
        to: date_arg("--to", to)?,
        as_of: date_arg("--as-of", as_of)?,
    };
    if let (Some(f), Some(t)) = (w.from, w.to)
        && f > t
    {
        return Err(Error::Usage(format!("--from {f} is after --to {t}")));
    }
    if let (Some(f), Some(a)) = (w.from, w.as_of)
        && a < f
    {
        return Err(Error::Usage(format!("--as-of {a} is before --from {f}")));
    }
    Ok(w)
}

/// A comma-separated list of `n` decimals, e.g. `--pyramid 1,4,15`.
pub fn decimal_list(setting: Setting<'_>, n: usize) -> Result<Vec<Decimal>> {
    let parts: Vec<&str> = setting.value.split(',').map(str::trim).collect();
    let bad = || setting.error(&format!("expected {n} comma-separated numbers"));
    if parts.len() != n {
        return Err(bad());
    }
    parts
        .iter()
        .map(|p| match parse::parse_number(p, NumberFormat::default()) {
            Ok(Some(f)) => Ok(f.to_decimal()),
            _ => Err(bad()),
        })
        .collect()
}

/// A column to group by (`--by`, `--within`): a text field of the dataset (matched like a
/// header: `Lane`, `lane`, `航线` all name `lane`), or any other column by its header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupColumn {
    /// The column's name in the loaded frame.
    pub name: String,
    /// The canonical field, when it is one.
    pub field: Option<&'static str>,
}

pub fn group_column(flag: &str, name: &str, dataset: Dataset) -> Result<GroupColumn> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::Usage(format!("{flag} needs a column name")));
    }
    let spec = field_named(name, dataset);
    match spec {
        Some(f) if f.kind == fields::Kind::Text => Ok(GroupColumn {
            name: f.name.to_string(),
            field: Some(f.name),
        }),
        Some(f) => Err(Error::Usage(format!(
            "{flag} {name}: '{}' is {} field; group by a text column such as lane, origin, destination or mode",
            f.name,
            kind_phrase(f.kind)
        ))),
        None => Ok(GroupColumn {
            name: name.to_string(),
            field: None,
        }),
    }
}

/// "an id", "a money", ... for messages.
pub fn kind_phrase(k: fields::Kind) -> &'static str {
    match k {
        fields::Kind::Id => "an id",
        fields::Kind::Text => "a text",
        fields::Kind::Money => "a money",
        fields::Kind::Date => "a date",
        fields::Kind::Number => "a number",
    }
}

/// The field of `dataset` that `name` names, matched like a header (canonical name or alias).
pub fn field_named(name: &str, dataset: Dataset) -> Option<&'static fields::FieldSpec> {
    let norm = fields::normalize_header(name);
    fields::fields(dataset).iter().find(|f| {
        fields::normalize_header(f.name) == norm
            || f.aliases
                .iter()
                .any(|a| fields::normalize_header(a) == norm)
    })
}

/// After loading: the group column must be in the data.
pub fn check_group_loaded(flag: &str, g: &GroupColumn, loaded: &Loaded) -> Result<()> {
    if loaded.has(&g.name) {
        return Ok(());
    }
    Err(Error::Input(format!(
        "{flag} {}: the data has no column for it; map one with --map {}=HEADER",
        g.name, g.name
    )))
}

/// Money in minor units at `scale`, rounded up (so `v ≥ t` on minor units means value ≥ t).
pub fn minor_units_ceil(d: Decimal, scale: u32) -> i128 {
    let scaled = d * Decimal::from(10i64.pow(scale.min(18)));
    scaled.ceil().try_into().unwrap_or(i128::MAX)
}

/// An exact amount from minor units.
pub fn money(minor: i128, scale: u32) -> Decimal {
    Decimal::try_from_i128_with_scale(minor, scale).unwrap_or_default()
}
