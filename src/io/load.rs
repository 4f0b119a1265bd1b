//! The one loader: files → typed polars [`DataFrame`], with every bad value reported by file and line.
//!
//! Every input format goes through the same row pipeline (`push_row`): delimited text is
//! decoded to UTF-8 and read with the `csv` crate (quotes, embedded newlines, ragged rows), on
//! all cores for files on disk (`load::parallel`); xlsx cells are turned into text; Parquet columns
//! keep their types where they suit the field (`load::parquet`: dates, integers and decimals as
//! values, whole columns at once when they are already in normal form). Each needed column is
//! parsed by its field kind ([`parse`]) into a columnar builder, so there are no per-row
//! structs; the result is one DataFrame whose columns carry the canonical field names:
//!
//! | kind   | column dtype | notes |
//! |--------|--------------|-------|
//! | Id     | String       | trimmed, `17850.0` → `17850`, leading zeros kept |
//! | Text   | String       | trimmed, empty → null |
//! | Money  | Int64        | exact minor units at [`Loaded::money_scale`] (one scale for all money fields) |
//! | Date   | Date         | the calendar date as written |
//! | Number | Float64      | quantities, TEU, weights |
//!
//! Rows with a bad value fail the run (every problem listed, up to 20) unless `skip_bad_rows`,
//! in which case they are dropped and counted in [`Loaded::notes`].

use std::collections::{BTreeMap, HashSet};
use std::io::{Cursor, Read};

use polars::prelude::*;

use crate::error::{Error, MAX_LISTED_PROBLEMS, MAX_REPEAT_LINES, Problem, Result};
use crate::io::encoding::{self, Encoding};
use crate::io::fields::{self, Dataset, Kind, Resolution};
use crate::io::parse::{self, DateFormat, Fixed, NumberFormat};
use crate::io::sniff;
use crate::io::source::{self, Input, InputFormat};

mod parallel;
mod parquet;
pub mod rollup;

pub use rollup::Rollup;

/// How much of a file is looked at to detect its encoding and delimiter.
const SNIFF_BYTES: u64 = 64 * 1024;
/// Files larger than this get a progress bar (when stderr is a terminal).
const PROGRESS_MIN_BYTES: u64 = 32 * 1024 * 1024;

/// How to read the inputs; built from the global CLI flags and crm.toml.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Force the delimiter (else sniffed per file).
    pub delimiter: Option<u8>,
    /// Force the encoding (else detected per file).
    pub encoding: Option<Encoding>,
    /// `field=Header` overrides from `--map` and `[columns]`.
    pub overrides: Vec<(String, String)>,
    pub number: NumberFormat,
    pub date: DateFormat,
    pub skip_bad_rows: bool,
    /// Keep only rows in this currency (required when the data has several).
    pub currency: Option<String>,
    /// Drop rows identical in every field.
    pub dedupe: bool,
    /// xlsx sheet name (default: first sheet).
    pub sheet: Option<String>,
    /// Show a progress bar for big inputs (the caller decides: stderr is a terminal, not --quiet).
    pub progress: bool,
}

/// What a command asks of the loader.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub dataset: Dataset,
    /// Canonical fields the command uses (required fields are always loaded).
    pub fields: &'a [&'static str],
    /// Extra columns by header name (e.g. `--by Country`), loaded under that name as the given
    /// kind (Text, or Money for an exact numeric measure).
    pub extra_columns: &'a [(String, Kind)],
    /// Number fields (teu, weight_kg, quantity) to load exactly, like money: Int64 minor units at
    /// [`Loaded::money_scale`] instead of Float64.
    pub exact: &'a [&'static str],
}

/// One input file as read.
#[derive(Debug, Clone)]
pub struct FileInfo {
    pub display: String,
    pub format: InputFormat,
    pub encoding: Option<&'static str>,
    pub delimiter: Option<u8>,
    /// Data rows read (before skipping).
    pub rows: usize,
    pub resolution: Resolution,
}

/// The loaded data and what happened while loading it.
#[derive(Debug)]
pub struct Loaded {
    pub df: DataFrame,
    /// Money fields (revenue, cost, amount, ...) hold `value × 10^money_scale` as Int64: one
    /// scale, the most decimals written in any of them.
    pub money_scale: u32,
    /// The scale of every exact (Int64 minor units) column: money fields, exact numbers, extra
    /// money columns.
    pub scales: BTreeMap<String, u32>,
    /// Columns present in `df` (canonical fields, then extra columns).
    pub columns: Vec<String>,
    /// Revenue was computed as quantity × unit_price (a line-item export).
    pub line_items: bool,
    pub files: Vec<FileInfo>,
    /// Data rows read over all files.
    pub rows_read: usize,
    /// Rows dropped (bad values with --skip-bad-rows, duplicates with --dedupe, other currencies).
    pub rows_dropped: usize,
    /// Messages for stderr: skipped rows, duplicates, currency filtering.
    pub notes: Vec<String>,
    /// Some shipment_id (invoice_id for invoices) is on more than one row; false when every
    /// non-empty id is on one row only.
    pub repeated_ids: bool,
    /// `df` holds the rows summed up by this rollup ([`load_rolled`]), not the rows.
    pub rolled: Option<Rollup>,
}

impl Loaded {
    pub fn has(&self, column: &str) -> bool {
        self.columns.iter().any(|c| c == column)
    }
}

/// A parsed value of one cell, borrowed from the record where possible.
#[derive(Debug, Clone, Copy)]
enum Val<'a> {
    Null,
    Text(&'a str),
    Fixed(Fixed),
    Date(i32),
}

enum Builder {
    Text(Box<TextVec>),
    Fixed(FixedVec),
    /// Days since the epoch, [`DATE_NULL`] for none.
    Date(Vec<i32>),
}

/// No date (an impossible day count: chrono's dates end within ±100 million days).
const DATE_NULL: i32 = i32::MIN;

/// Text values: finished parts (one per chunk), then the open part being appended to.
struct TextVec {
    parts: Vec<StringChunked>,
    open: OpenText,
    /// Values in the open part.
    open_len: usize,
}

/// The open part of a text column.
enum OpenText {
    /// Every value stored as written (ids: mostly distinct).
    Plain(StringChunkedBuilder),
    /// Repeated values (names, lanes, statuses) stored once per part: each row holds a code into
    /// `values`, and the part becomes a column of views into one copy of each value.
    Dict {
        index: std::collections::HashMap<Box<str>, IdxSize, foldhash::fast::FixedState>,
        values: StringChunkedBuilder,
        codes: Vec<Option<IdxSize>>,
    },
}

impl OpenText {
    fn new(dictionary: bool) -> OpenText {
        if dictionary {
            OpenText::Dict {
                index: Default::default(),
                values: StringChunkedBuilder::new(PlSmallStr::EMPTY, 64),
                codes: Vec::new(),
            }
        } else {
            OpenText::Plain(StringChunkedBuilder::new(PlSmallStr::EMPTY, 1024))
        }
    }
}

impl TextVec {
    fn new(dictionary: bool) -> TextVec {
        TextVec {
            parts: Vec::new(),
            open: OpenText::new(dictionary),
            open_len: 0,
        }
    }

    fn push(&mut self, v: Option<&str>) {
        self.open_len += 1;
        match &mut self.open {
            OpenText::Plain(b) => b.append_option(v),
            OpenText::Dict {
                index,
                values,
                codes,
            } => codes.push(v.map(|s| match index.get(s) {
                Some(&c) => c,
                None => {
                    let c = index.len() as IdxSize;
                    index.insert(s.into(), c);
                    values.append_value(s);
                    c
                }
            })),
        }
    }

    fn len(&self) -> usize {
        self.parts.iter().map(|p| p.len()).sum::<usize>() + self.open_len
    }

    /// Appends a finished column of values (already in their normal form).
    fn push_part(&mut self, part: StringChunked) -> PolarsResult<()> {
        self.seal()?;
        self.parts.push(part);
        Ok(())
    }

    /// Closes the open part into `parts` (a new open part of the same sort follows).
    fn seal(&mut self) -> PolarsResult<()> {
        if self.open_len == 0 {
            return Ok(());
        }
        let dictionary = matches!(self.open, OpenText::Dict { .. });
        let part = match std::mem::replace(&mut self.open, OpenText::new(dictionary)) {
            OpenText::Plain(b) => b.finish(),
            OpenText::Dict { values, codes, .. } => {
                let idx = IdxCa::from_iter_options(PlSmallStr::EMPTY, codes.into_iter());
                values.finish().take(&idx)?
            }
        };
        self.open_len = 0;
        self.parts.push(part);
        Ok(())
    }

    fn into_chunked(mut self, name: PlSmallStr) -> PolarsResult<StringChunked> {
        self.seal()?;
        let mut parts = self.parts.into_iter();
        let mut ca = parts
            .next()
            .unwrap_or_else(|| StringChunked::full_null(name.clone(), 0));
        for p in parts {
            ca.append_owned(p)?;
        }
        Ok(ca.with_name(name))
    }
}

/// Exact numbers as parsed, each with its own scale (9 bytes a value instead of 24 for
/// `Option<Fixed>`).
#[derive(Default)]
struct FixedVec {
    mantissa: Vec<i64>,
    /// The value's scale, or [`FixedVec::NULL`].
    scale: Vec<u8>,
}

impl FixedVec {
    const NULL: u8 = u8::MAX;

    fn push(&mut self, v: Option<Fixed>) {
        match v {
            // parse::MAX_SCALE (28) and products of two (56) stay far below NULL
            Some(f) => {
                self.mantissa.push(f.mantissa);
                self.scale
                    .push(u8::try_from(f.scale).unwrap_or(Self::NULL - 1));
            }
            None => {
                self.mantissa.push(0);
                self.scale.push(Self::NULL);
            }
        }
    }

    fn iter(&self) -> impl Iterator<Item = Option<Fixed>> + '_ {
        self.mantissa.iter().zip(&self.scale).map(|(&m, &s)| {
            (s != Self::NULL).then_some(Fixed {
                mantissa: m,
                scale: u32::from(s),
            })
        })
    }

    fn max_scale(&self) -> Option<u32> {
        self.scale
            .iter()
            .filter(|&&s| s != Self::NULL)
            .max()
            .map(|&s| u32::from(s))
    }
}

impl Builder {
    fn is_empty(&self) -> bool {
        match self {
            Builder::Text(t) => t.len() == 0,
            Builder::Fixed(v) => v.mantissa.is_empty(),
            Builder::Date(v) => v.is_empty(),
        }
    }

    /// Appends `other`'s values (of the same kind) after this builder's.
    fn absorb(&mut self, other: Builder) -> PolarsResult<()> {
        if self.is_empty() {
            *self = other;
            return Ok(());
        }
        match (self, other) {
            (Builder::Text(t), Builder::Text(mut o)) => {
                t.seal()?;
                o.seal()?;
                t.parts.append(&mut o.parts);
            }
            (Builder::Fixed(v), Builder::Fixed(mut o)) => {
                v.mantissa.append(&mut o.mantissa);
                v.scale.append(&mut o.scale);
            }
            (Builder::Date(v), Builder::Date(mut o)) => v.append(&mut o),
            // Builders of one target always have the same kind.
            _ => {}
        }
        Ok(())
    }
}

struct Target {
    /// Column name in the output (field name or the extra column's header).
    name: String,
    kind: Kind,
    /// Money fields share one scale (so revenue − cost is exact); exact numbers and extra
    /// columns keep their own.
    shared_scale: bool,
    /// quantity/unit_price loaded only to derive revenue in line-item exports.
    only_for_revenue: bool,
    /// Field name when this is a canonical field.
    field: Option<&'static str>,
    required: bool,
    builder: Builder,
    /// Present in at least one file.
    seen: bool,
}

/// Where each target's value is in the current file.
struct FilePlan {
    /// Per target: (column index, header) in this file.
    slots: Vec<Option<(usize, String)>>,
    /// revenue = quantity × unit_price in this file: (quantity target, unit_price target).
    derive_revenue: Option<(usize, usize)>,
}

struct Collector {
    problems: Vec<Problem>,
    total_problems: usize,
    bad_rows: usize,
    blank_rows: usize,
    duplicate_rows: usize,
    seen_rows: Option<HashSet<Vec<u8>>>,
    rows_read: usize,
}

impl Collector {
    fn new(dedupe: bool) -> Self {
        Collector {
            problems: Vec::new(),
            total_problems: 0,
            bad_rows: 0,
            blank_rows: 0,
            duplicate_rows: 0,
            seen_rows: dedupe.then(HashSet::new),
            rows_read: 0,
        }
    }
}

impl Target {
    /// The same column with no values yet.
    fn fresh(&self) -> Target {
        Target {
            name: self.name.clone(),
            kind: self.kind,
            shared_scale: self.shared_scale,
            only_for_revenue: self.only_for_revenue,
            field: self.field,
            required: self.required,
            builder: new_builder(self.kind),
            seen: self.seen,
        }
    }
}

/// The id that should be unique in each dataset (shipments: shipment_id; invoices: invoice_id).
fn id_field(ds: Dataset) -> Option<&'static str> {
    match ds {
        Dataset::Shipments => Some("shipment_id"),
        Dataset::Invoices => Some("invoice_id"),
        _ => None,
    }
}

/// The sorted hashes of the values of a chunk's `id` column, to tell cheaply that ids are
/// unique (see [`note_duplicate_ids`]). The column's open part is finished here.
fn id_hashes(targets: &mut [Target], id: Option<&str>) -> Option<Vec<u64>> {
    let t = targets.iter_mut().find(|t| Some(t.name.as_str()) == id)?;
    let Builder::Text(text) = &mut t.builder else {
        return None;
    };
    text.seal().ok()?;
    Some(sorted_id_hashes(
        text.parts.iter().flat_map(|p| p.iter().flatten()),
    ))
}

/// The hashes of `ids`, sorted (as each piece of a file gives them, to be merged).
fn sorted_id_hashes<'a>(ids: impl Iterator<Item = &'a str>) -> Vec<u64> {
    let mut hashes: Vec<u64> = ids.map(id_hash).collect();
    hashes.sort_unstable();
    hashes
}

/// The hash of one id: every reader hashes with this, so that the hashes of all files compare.
fn id_hash(id: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(0).hash_one(id)
}

/// The values of one piece of a file (a CSV chunk, a range of Parquet rows) read by a fast
/// reader into builders of its own.
struct Part {
    targets: Vec<Target>,
    rows: usize,
    blank_rows: usize,
    /// [`id_hashes`] of the piece.
    id_hashes: Option<Vec<u64>>,
    /// No problem met: the values can be used (else the file is read again on one thread).
    clean: bool,
}

impl Part {
    fn new(proto: &[Target]) -> Part {
        Part {
            targets: proto.iter().map(Target::fresh).collect(),
            rows: 0,
            blank_rows: 0,
            id_hashes: None,
            clean: false,
        }
    }

    /// A piece that was not read (the read is abandoned).
    fn unread() -> Part {
        Part::new(&[])
    }
}

/// A file read by a fast reader: its pieces appended in order.
struct Parsed {
    targets: Vec<Target>,
    rows: usize,
    blank_rows: usize,
    /// Hashes of every id, while every piece gave them.
    id_hashes: Option<Vec<u64>>,
    resolution: Resolution,
    encoding: Option<&'static str>,
    delimiter: Option<u8>,
    /// Rolling up: the pieces' values summed per key instead of kept.
    rolled: Option<rollup::State>,
}

impl Parsed {
    fn new(proto: &[Target], resolution: Resolution) -> Parsed {
        Parsed {
            targets: proto.iter().map(Target::fresh).collect(),
            rows: 0,
            blank_rows: 0,
            id_hashes: Some(Vec::new()),
            resolution,
            encoding: None,
            delimiter: None,
            rolled: None,
        }
    }

    /// Appends a clean piece (already summed up by its reader when rolling up: its builders
    /// are empty then).
    fn add_read(&mut self, part: Part) -> PolarsResult<()> {
        self.rows += part.rows;
        self.blank_rows += part.blank_rows;
        self.id_hashes = merge_hashes(self.id_hashes.take(), part.id_hashes);
        for (t, o) in self.targets.iter_mut().zip(part.targets) {
            t.builder.absorb(o.builder)?;
        }
        Ok(())
    }
}

/// Id hashes of two pieces together; None as soon as one piece has none.
fn merge_hashes(all: Option<Vec<u64>>, more: Option<Vec<u64>>) -> Option<Vec<u64>> {
    let (mut all, more) = (all?, more?);
    all.extend(more);
    Some(all)
}

/// The CSV dialect of every delimited reader (single-threaded, parallel chunks, headers), so
/// that they cannot read a file differently: RFC 4180 quotes, no header handling, ragged rows.
fn csv_builder(delimiter: u8) -> csv::ReaderBuilder {
    let mut b = csv::ReaderBuilder::new();
    b.delimiter(delimiter).has_headers(false).flexible(true);
    b
}

/// A header cell as a name: BOM and blanks trimmed; None when not UTF-8.
fn header_name(h: &[u8]) -> Option<String> {
    std::str::from_utf8(h)
        .ok()
        .map(|s| s.trim_start_matches('\u{feff}').trim().to_string())
}

/// A record of nothing but blanks (counted as a blank row, not read).
fn is_blank_record(record: &csv::ByteRecord) -> bool {
    record
        .iter()
        .all(|f| f.iter().all(|b| b.is_ascii_whitespace()))
}

/// Threads that parse a big delimited file: one per core, or `POLARS_MAX_THREADS` (which sets
/// polars' own thread pool too).
fn worker_threads() -> usize {
    std::env::var("POLARS_MAX_THREADS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .clamp(1, 64)
}

/// Load every input into one DataFrame.
pub fn load(inputs: &[Input], req: &Request<'_>, opts: &LoadOptions) -> Result<Loaded> {
    load_with(inputs, req, opts, Some(parallel::CHUNK_BYTES), None)?
        .ok_or_else(|| Error::Input("internal error: rows were not loaded".into()))
}

/// Load every input summed up by `rollup` (one row per key, [`rollup::columns`]), never holding
/// all the rows: [`Loaded::rolled`] says so. Where the loader cannot sum up (shipping days, a
/// line-item export, repeated shipment ids when shipments are counted, `--dedupe`, stdin or
/// xlsx input, an overflow) the rows are loaded as by [`load`] and `rolled` is None.
pub fn load_rolled(
    inputs: &[Input],
    req: &Request<'_>,
    opts: &LoadOptions,
    rollup: &Rollup,
) -> Result<Loaded> {
    load_rolled_with(inputs, req, opts, Some(parallel::CHUNK_BYTES), rollup)
}

fn load_rolled_with(
    inputs: &[Input],
    req: &Request<'_>,
    opts: &LoadOptions,
    chunk_bytes: Option<usize>,
    rollup: &Rollup,
) -> Result<Loaded> {
    if rollable(inputs, req, opts, rollup)?
        && let Some(loaded) = load_with(inputs, req, opts, chunk_bytes, Some(rollup))?
    {
        return Ok(loaded);
    }
    load_with(inputs, req, opts, chunk_bytes, None)?
        .ok_or_else(|| Error::Input("internal error: rows were not loaded".into()))
}

/// Whether the loader can sum these inputs up, as far as can be told before reading them.
fn rollable(
    inputs: &[Input],
    req: &Request<'_>,
    opts: &LoadOptions,
    rollup: &Rollup,
) -> Result<bool> {
    if opts.dedupe || req.dataset != Dataset::Shipments {
        return Ok(false);
    }
    for input in inputs {
        if input.path.is_none() {
            return Ok(false);
        }
        let headers = match input.format {
            InputFormat::Delimited => match delimited_headers(input, opts)? {
                Some(h) => h,
                None => return Ok(false),
            },
            InputFormat::Parquet => open_parquet(input)?.2,
            InputFormat::Xlsx => return Ok(false),
        };
        let Ok(resolution) = fields::resolve(req.dataset, &headers, &opts.overrides) else {
            // the loader reports it
            return Ok(false);
        };
        // A line-item export repeats its shipment ids.
        if rollup.shipments && resolution.get("revenue").is_none() {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The header row of a delimited file (None: the reader will report what is wrong with it).
fn delimited_headers(input: &Input, opts: &LoadOptions) -> Result<Option<Vec<String>>> {
    let quiet = LoadOptions {
        progress: false,
        ..opts.clone()
    };
    let opened = open_delimited(input, &quiet)?;
    let mut rdr = csv_builder(opened.delimiter).from_reader(opened.text);
    let mut record = csv::ByteRecord::new();
    if !rdr.read_byte_record(&mut record).unwrap_or(false) {
        return Ok(None);
    }
    Ok(record.iter().map(header_name).collect())
}

/// [`load`] with delimited files cut into chunks of `chunk_bytes` for parallel parsing, or
/// read on one thread (`None`); summed up by `rollup` when given. None: the rollup was given
/// up (the inputs must be loaded as rows).
fn load_with(
    inputs: &[Input],
    req: &Request<'_>,
    opts: &LoadOptions,
    chunk_bytes: Option<usize>,
    rollup: Option<&Rollup>,
) -> Result<Option<Loaded>> {
    let mut targets = build_targets(req);
    let roll_plan = match rollup {
        Some(r) => match rollup::Plan::new(r, &targets) {
            Some(p) => Some(p),
            None => return Ok(None),
        },
        None => None,
    };
    let mut rolled: Option<rollup::State> = roll_plan.as_ref().map(|p| rollup::State::new(p, 0));
    let mut files = Vec::new();
    let mut col = Collector::new(opts.dedupe);
    let mut line_items = false;
    // Hashes of every id read, while every file gives them.
    let mut hashes: Option<Vec<u64>> = Some(Vec::new());
    for (i, input) in inputs.iter().enumerate() {
        let roll = roll_plan.as_ref().map(|p| (p, i as u32));
        let (info, file_hashes, file_rolled) =
            read_file(input, req, opts, &mut targets, &mut col, chunk_bytes, roll)?;
        hashes = merge_hashes(hashes, file_hashes);
        if let (Some(all), Some(file)) = (rolled.as_mut(), file_rolled) {
            all.merge(file);
        }
        if req.dataset == Dataset::Shipments && info.resolution.get("revenue").is_none() {
            line_items = true;
        }
        files.push(info);
    }
    if rolled.is_some() && line_items && rollup.is_some_and(|r| r.shipments) {
        return Ok(None);
    }

    if col.total_problems > 0 && !opts.skip_bad_rows {
        return Err(Error::BadValues {
            problems: col.problems,
            total: col.total_problems,
        });
    }
    let mut notes = Vec::new();
    if col.bad_rows > 0 {
        let mut s = format!(
            "skipped {} row{} with unreadable or missing values (--skip-bad-rows); first:",
            col.bad_rows,
            plural(col.bad_rows)
        );
        for p in col.problems.iter().take(5) {
            s.push_str("\n  ");
            s.push_str(&p.to_string());
        }
        notes.push(s);
    }
    if col.blank_rows > 0 {
        notes.push(format!(
            "ignored {} blank row{}",
            col.blank_rows,
            plural(col.blank_rows)
        ));
    }
    if col.duplicate_rows > 0 {
        notes.push(format!(
            "dropped {} row{} identical in every field to an earlier row (--dedupe)",
            col.duplicate_rows,
            plural(col.duplicate_rows)
        ));
    }

    let finished = match rolled {
        Some(state) => match finish_rolled(&targets, state) {
            Some(f) => f,
            None => return Ok(None),
        },
        None => finish(targets)?,
    };
    let Finished {
        df,
        money_scale,
        scales,
        columns,
    } = finished;
    let mut loaded = Loaded {
        df,
        money_scale,
        scales,
        columns,
        line_items,
        files,
        rows_read: col.rows_read,
        rows_dropped: col.bad_rows + col.duplicate_rows,
        notes,
        repeated_ids: true,
        rolled: None,
    };
    check_currency(&mut loaded, opts.currency.as_deref(), rollup.is_some())?;
    let id = match req.dataset {
        Dataset::Shipments if !loaded.line_items => Some("shipment_id"),
        Dataset::Invoices => Some("invoice_id"),
        _ => None,
    };
    if let Some(rollup) = rollup {
        // The rows are gone: unique ids must be proven by their hashes.
        if let Some(id) = id
            && loaded.has(id)
        {
            if !hashes_distinct(hashes) {
                return Ok(None);
            }
            loaded.repeated_ids = false;
        }
        loaded.rolled = Some(rollup.clone());
        return Ok(Some(loaded));
    }
    if let Some(id) = id {
        loaded.repeated_ids = note_duplicate_ids(&mut loaded, id, hashes)?;
    }
    Ok(Some(loaded))
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn build_targets(req: &Request<'_>) -> Vec<Target> {
    let mut targets = Vec::new();
    for spec in fields::fields(req.dataset) {
        let wanted = spec.required || req.fields.contains(&spec.name);
        // Line-item exports derive revenue from quantity and unit_price.
        let for_revenue = req.dataset == Dataset::Shipments
            && (spec.name == "quantity" || spec.name == "unit_price")
            && req.fields.contains(&"revenue");
        if !(wanted || for_revenue || spec.name == "currency") {
            continue;
        }
        let kind = if spec.kind == Kind::Number && req.exact.contains(&spec.name) {
            Kind::Money
        } else {
            spec.kind
        };
        targets.push(Target {
            name: spec.name.to_string(),
            kind,
            shared_scale: spec.kind == Kind::Money,
            only_for_revenue: for_revenue && !wanted,
            field: Some(spec.name),
            required: spec.required,
            builder: new_builder(kind),
            seen: false,
        });
    }
    for (extra, kind) in req.extra_columns {
        if targets.iter().any(|t| &t.name == extra) {
            continue;
        }
        targets.push(Target {
            name: extra.clone(),
            kind: *kind,
            shared_scale: false,
            only_for_revenue: false,
            field: None,
            required: false,
            builder: new_builder(*kind),
            seen: false,
        });
    }
    targets
}

fn new_builder(kind: Kind) -> Builder {
    match kind {
        // Ids are mostly distinct; other text (names, lanes, statuses) repeats.
        Kind::Id => Builder::Text(Box::new(TextVec::new(false))),
        Kind::Text => Builder::Text(Box::new(TextVec::new(true))),
        Kind::Money | Kind::Number => Builder::Fixed(FixedVec::default()),
        Kind::Date => Builder::Date(Vec::new()),
    }
}

/// Map this file's headers to the targets.
fn plan_file(
    display: &str,
    headers: &[String],
    req: &Request<'_>,
    opts: &LoadOptions,
    targets: &mut [Target],
) -> Result<(FilePlan, Resolution)> {
    let resolution = fields::resolve(req.dataset, headers, &opts.overrides)
        .map_err(|m| Error::Input(format!("{display}: {m}")))?;
    let mut slots = Vec::with_capacity(targets.len());
    for t in targets.iter_mut() {
        let slot = match t.field {
            Some(f) => resolution.get(f).map(|m| (m.column, m.header.clone())),
            None => find_header(headers, &t.name).map(|i| (i, headers[i].clone())),
        };
        // Line-item fields are not read at all when the file has a revenue column.
        let slot = if t.only_for_revenue && resolution.get("revenue").is_some() {
            None
        } else {
            slot
        };
        if t.field.is_none() && slot.is_none() {
            return Err(Error::Input(format!(
                "{display}: no column '{}'; headers found: {}",
                t.name,
                headers.join(", ")
            )));
        }
        if slot.is_some() {
            t.seen = true;
        }
        slots.push(slot);
    }
    let idx = |name: &str| targets.iter().position(|t| t.name == name);
    let derive_revenue = match (idx("revenue"), idx("quantity"), idx("unit_price")) {
        (Some(r), Some(q), Some(p))
            if slots[r].is_none() && slots[q].is_some() && slots[p].is_some() =>
        {
            Some((q, p))
        }
        _ => None,
    };
    if derive_revenue.is_some()
        && let Some(r) = idx("revenue")
    {
        targets[r].seen = true;
    }
    Ok((
        FilePlan {
            slots,
            derive_revenue,
        },
        resolution,
    ))
}

/// Header lookup for extra columns: exact, then by normal form.
fn find_header(headers: &[String], name: &str) -> Option<usize> {
    headers.iter().position(|h| h == name).or_else(|| {
        let n = fields::normalize_header(name);
        headers
            .iter()
            .position(|h| fields::normalize_header(h) == n)
    })
}

/// One cell as a reader hands it over: text to parse by the target's kind, or a value a typed
/// format (Parquet) already holds exactly.
#[derive(Debug, Clone, Copy)]
enum Cell<'a> {
    Text(Option<&'a str>),
    /// Only for Money and Number targets.
    Fixed(Option<Fixed>),
    /// Days since 1970-01-01; only for Date targets.
    Date(Option<i32>),
}

/// Parse one row (cells fetched by column index) into the builders, or record its problems.
fn push_row<'a>(
    display: &str,
    line: u64,
    cell: impl Fn(usize) -> Cell<'a>,
    plan: &FilePlan,
    targets: &mut [Target],
    opts: &LoadOptions,
    col: &mut Collector,
) {
    let Some(vals) = parse_row(display, line, cell, plan, targets, opts, col) else {
        return;
    };
    for (t, v) in targets.iter_mut().zip(vals) {
        match (&mut t.builder, v) {
            (Builder::Text(b), Val::Text(s)) => b.push(Some(s)),
            (Builder::Text(b), _) => b.push(None),
            (Builder::Fixed(b), Val::Fixed(f)) => b.push(Some(f)),
            (Builder::Fixed(b), _) => b.push(None),
            (Builder::Date(b), Val::Date(d)) => b.push(d),
            (Builder::Date(b), _) => b.push(DATE_NULL),
        }
    }
}

/// Parse one row into its values by target; None when it is a bad row (its problems recorded).
fn parse_row<'a>(
    display: &str,
    line: u64,
    cell: impl Fn(usize) -> Cell<'a>,
    plan: &FilePlan,
    targets: &[Target],
    opts: &LoadOptions,
    col: &mut Collector,
) -> Option<Vec<Val<'a>>> {
    let mut vals: Vec<Val<'a>> = Vec::with_capacity(targets.len());
    let mut bad = false;
    // Problems are listed once per distinct (file, column, message), with a count of repeats.
    let problem = |col: &mut Collector, column: &str, message: String| {
        col.total_problems += 1;
        if let Some(p) = col
            .problems
            .iter_mut()
            .find(|p| p.column == column && p.message == message && p.file == display)
        {
            p.repeats += 1;
            if p.more_lines.len() < MAX_REPEAT_LINES {
                p.more_lines.push(line);
            }
        } else if col.problems.len() < MAX_LISTED_PROBLEMS {
            col.problems.push(Problem {
                file: display.to_string(),
                line,
                column: column.to_string(),
                message,
                repeats: 0,
                more_lines: Vec::new(),
            });
        }
    };
    for (t, slot) in targets.iter().zip(&plan.slots) {
        let Some((ci, header)) = slot else {
            vals.push(Val::Null);
            continue;
        };
        let parsed = match cell(*ci) {
            Cell::Fixed(v) => Ok(v.map_or(Val::Null, Val::Fixed)),
            Cell::Date(v) => Ok(v.map_or(Val::Null, Val::Date)),
            Cell::Text(raw) => {
                let raw = raw.unwrap_or("");
                match t.kind {
                    Kind::Id => Ok(parse::normalize_id(raw).map_or(Val::Null, Val::Text)),
                    Kind::Text => {
                        let s = raw.trim();
                        Ok(if s.is_empty() {
                            Val::Null
                        } else {
                            Val::Text(s)
                        })
                    }
                    Kind::Money => parse::parse_money(raw, opts.number)
                        .map(|v| v.map_or(Val::Null, Val::Fixed))
                        .map_err(|e| e.message(raw)),
                    Kind::Number => parse::parse_number(raw, opts.number)
                        .map(|v| v.map_or(Val::Null, Val::Fixed))
                        .map_err(|e| e.message(raw)),
                    Kind::Date => parse::parse_date(raw, &opts.date)
                        .map(|v| v.map_or(Val::Null, |d| Val::Date(days_since_epoch(d))))
                        .map_err(|e| e.message(raw)),
                }
            }
        };
        match parsed {
            Ok(Val::Null) if t.required => {
                bad = true;
                let what = if t.name == "customer_id" {
                    "empty customer id"
                } else {
                    "empty value"
                };
                problem(
                    col,
                    header,
                    format!("{what} (the field '{}' is required)", t.name),
                );
                vals.push(Val::Null);
            }
            Ok(v) => vals.push(v),
            Err(m) => {
                bad = true;
                problem(col, header, m);
                vals.push(Val::Null);
            }
        }
    }
    if let Some((q, p)) = plan.derive_revenue {
        let r = targets
            .iter()
            .position(|t| t.name == "revenue")
            .unwrap_or(0);
        let header = plan.slots[p]
            .as_ref()
            .map_or("unit_price", |s| s.1.as_str())
            .to_string();
        match (&vals[q], &vals[p]) {
            (Val::Fixed(qv), Val::Fixed(pv)) => match qv.checked_mul(*pv) {
                Some(v) => vals[r] = Val::Fixed(v),
                None => {
                    bad = true;
                    problem(
                        col,
                        &header,
                        "quantity × unit_price is too large".to_string(),
                    );
                }
            },
            _ if !bad => {
                bad = true;
                problem(
                    col,
                    &header,
                    "empty quantity or unit price (revenue = quantity × unit_price)".to_string(),
                );
            }
            _ => {}
        }
    }
    if bad {
        col.bad_rows += 1;
        return None;
    }
    Some(vals)
}

pub fn days_since_epoch(d: chrono::NaiveDate) -> i32 {
    use chrono::Datelike;
    // 1970-01-01 is day 719,163 counted from 0001-01-01 (day 1)
    d.num_days_from_ce() - 719_163
}

pub fn date_from_days(days: i32) -> chrono::NaiveDate {
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    epoch + chrono::Duration::days(days as i64)
}

/// True when the dedupe set has seen this exact row before (and records it otherwise).
fn is_duplicate(col: &mut Collector, fields: &mut dyn Iterator<Item = &[u8]>) -> bool {
    let Some(seen) = col.seen_rows.as_mut() else {
        return false;
    };
    let mut key = Vec::new();
    for f in fields {
        key.extend_from_slice(f);
        key.push(0x1f);
    }
    if seen.contains(&key) {
        col.duplicate_rows += 1;
        true
    } else {
        seen.insert(key);
        false
    }
}

fn progress_bar(input: &Input, opts: &LoadOptions) -> Option<indicatif::ProgressBar> {
    let size = source::size_hint(input)?;
    if !opts.progress || size < PROGRESS_MIN_BYTES {
        return None;
    }
    let pb = indicatif::ProgressBar::new(size);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{msg} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
    ) {
        pb.set_style(style.progress_chars("=> "));
    }
    pb.set_message(input.display.clone());
    Some(pb)
}

/// How a file was read.
#[derive(Debug, Clone, Copy, Default)]
pub struct RawMeta {
    pub encoding: Option<&'static str>,
    pub delimiter: Option<u8>,
    /// Data records passed to the row callback (blank rows excluded).
    pub rows: usize,
    pub blank_rows: usize,
}

/// Receives the text records of one input file from [`read_raw`].
pub trait RawVisitor {
    /// The headers; returns the column indexes that will be read (Parquet reads only those).
    fn header(&mut self, headers: &[String]) -> Result<Vec<usize>>;
    /// One non-blank record: its line (header = line 1; for Parquet/xlsx the row number) and its
    /// cells by column index (None = absent or not read).
    fn row(&mut self, line: u64, cells: &[Option<&str>]);
}

/// Read any input as text records.
pub fn read_raw(
    input: &Input,
    opts: &LoadOptions,
    visitor: &mut dyn RawVisitor,
) -> Result<RawMeta> {
    match input.format {
        InputFormat::Delimited => raw_delimited(input, opts, visitor),
        InputFormat::Parquet => raw_parquet(input, visitor),
        InputFormat::Xlsx => raw_xlsx(input, opts, visitor),
    }
}

/// A delimited input opened for reading: its text decoded to UTF-8 (BOM dropped), the
/// encoding, the delimiter, and the progress bar wrapped around the raw bytes.
struct OpenDelimited {
    text: Box<dyn Read + Send>,
    encoding: Encoding,
    delimiter: u8,
    progress: Option<indicatif::ProgressBar>,
}

fn open_delimited(input: &Input, opts: &LoadOptions) -> Result<OpenDelimited> {
    let display = input.display.as_str();
    let pb = progress_bar(input, opts);
    let mut raw = source::open(input)?;
    if let Some(pb) = &pb {
        raw = Box::new(pb.wrap_read(raw));
    }
    let mut prefix = Vec::new();
    (&mut raw)
        .take(SNIFF_BYTES)
        .read_to_end(&mut prefix)
        .map_err(|e| Error::io(display, e))?;
    let at_eof = (prefix.len() as u64) < SNIFF_BYTES;
    let enc = match opts.encoding {
        Some(e) => e,
        None => encoding::detect(&prefix, at_eof, display)?.encoding,
    };
    let mut decoded = encoding::decoding_reader(Box::new(Cursor::new(prefix).chain(raw)), enc);
    let mut dprefix = Vec::new();
    (&mut decoded)
        .take(SNIFF_BYTES)
        .read_to_end(&mut dprefix)
        .map_err(|e| decode_error(display, &e, None))?;
    let delimiter = opts
        .delimiter
        .unwrap_or_else(|| sniff::sniff_delimiter(&dprefix));
    Ok(OpenDelimited {
        text: Box::new(Cursor::new(dprefix).chain(decoded)),
        encoding: enc,
        delimiter,
        progress: pb,
    })
}

fn raw_delimited(
    input: &Input,
    opts: &LoadOptions,
    visitor: &mut dyn RawVisitor,
) -> Result<RawMeta> {
    let display = input.display.as_str();
    let OpenDelimited {
        text,
        encoding: enc,
        delimiter,
        progress: pb,
    } = open_delimited(input, opts)?;
    let newlines = NewlineQueue::default();
    let mut lines = LineIndex {
        newlines: newlines.clone(),
        before: 0,
        blank: 0,
    };
    let mut rdr = csv_builder(delimiter)
        .buffer_capacity(1 << 20)
        .from_reader(LineEnds::new(text, newlines.clone()));

    let mut record = csv::ByteRecord::new();
    let has_header = rdr
        .read_byte_record(&mut record)
        .map_err(|e| csv_error(display, e))?;
    if !has_header {
        return Err(Error::Input(format!(
            "{display}: the file is empty (no header row)"
        )));
    }
    let headers: Vec<String> = record
        .iter()
        .enumerate()
        .map(|(i, h)| header_name(h).ok_or_else(|| not_utf8(display, 1, i)))
        .collect::<Result<_>>()?;
    visitor.header(&headers)?;
    let mut meta = RawMeta {
        encoding: Some(enc.name()),
        delimiter: Some(delimiter),
        ..Default::default()
    };
    loop {
        match rdr.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_error(display, e)),
        }
        // The first byte of the record that is not a line end (the csv crate skips blank lines).
        let line = lines.line_at(record.position().map_or(0, |p| p.byte()));
        if is_blank_record(&record) {
            meta.blank_rows += 1;
            continue;
        }
        let mut cells: Vec<Option<&str>> = Vec::with_capacity(record.len());
        for (i, f) in record.iter().enumerate() {
            cells.push(Some(
                std::str::from_utf8(f).map_err(|_| not_utf8(display, line, i))?,
            ));
        }
        meta.rows += 1;
        visitor.row(line, &cells);
    }
    if let Some(pb) = pb {
        pb.finish_and_clear();
    }
    meta.blank_rows += lines.blank;
    Ok(meta)
}

/// Byte offsets (in the normalised stream) of every line end not yet passed by the reader.
type NewlineQueue = std::rc::Rc<std::cell::RefCell<std::collections::VecDeque<u64>>>;

/// Normalises line ends to LF (CRLF from Excel on Windows, lone CR from "CSV (Macintosh)") and
/// records where each line ends, so that records are dated to their real line: the csv crate's
/// own line count skips blank lines and dates a record after a CRLF to the line before.
struct LineEnds<R> {
    inner: R,
    /// A '\r' held back from the end of the previous chunk (it may start a CRLF).
    pending_cr: bool,
    raw: Vec<u8>,
    ready: Vec<u8>,
    pos: usize,
    /// Offset of the next byte of `ready` in the output stream.
    offset: u64,
    newlines: NewlineQueue,
}

impl<R: Read> LineEnds<R> {
    fn new(inner: R, newlines: NewlineQueue) -> Self {
        LineEnds {
            inner,
            pending_cr: false,
            raw: vec![0; 64 * 1024],
            ready: Vec::with_capacity(64 * 1024),
            pos: 0,
            offset: 0,
            newlines,
        }
    }

    fn push_newline(&mut self) {
        self.newlines
            .borrow_mut()
            .push_back(self.offset + self.ready.len() as u64);
        self.ready.push(b'\n');
    }

    /// Refill `ready`; false at the end of input.
    fn fill(&mut self) -> std::io::Result<bool> {
        self.offset += self.ready.len() as u64;
        self.ready.clear();
        self.pos = 0;
        while self.ready.is_empty() {
            let n = self.inner.read(&mut self.raw)?;
            if n == 0 {
                if self.pending_cr {
                    self.pending_cr = false;
                    self.push_newline();
                    return Ok(true);
                }
                return Ok(false);
            }
            let mut start = 0;
            if self.pending_cr {
                self.pending_cr = false;
                self.push_newline();
                if self.raw[0] == b'\n' {
                    start = 1;
                }
            }
            for i in start..n {
                match self.raw[i] {
                    b'\r' if i + 1 == n => self.pending_cr = true,
                    b'\r' => {
                        // CRLF: the LF that follows is the line end; a lone CR is one itself.
                        if self.raw[i + 1] != b'\n' {
                            self.push_newline();
                        }
                    }
                    b'\n' => self.push_newline(),
                    b => self.ready.push(b),
                }
            }
        }
        Ok(true)
    }
}

impl<R: Read> Read for LineEnds<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.pos == self.ready.len() && !self.fill()? {
            return Ok(0);
        }
        let n = out.len().min(self.ready.len() - self.pos);
        out[..n].copy_from_slice(&self.ready[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Turns a record's byte offset into its 1-based line: one more than the line ends before it.
/// Records come in order, so passed line ends are dropped as they are counted.
struct LineIndex {
    newlines: NewlineQueue,
    before: u64,
    /// Empty lines skipped before records.
    blank: usize,
}

impl LineIndex {
    fn line_at(&mut self, byte: u64) -> u64 {
        let mut q = self.newlines.borrow_mut();
        while q.front().is_some_and(|&nl| nl < byte) {
            q.pop_front();
            self.before += 1;
        }
        // The csv crate's position of a record after blank lines is the start of those blank
        // lines: skip line ends that follow one another from there.
        let mut at = byte;
        while q.front() == Some(&at) {
            q.pop_front();
            self.before += 1;
            self.blank += 1;
            at += 1;
        }
        self.before + 1
    }
}

fn not_utf8(display: &str, line: u64, column: usize) -> Error {
    Error::Input(format!(
        "{display}:{line}: column {}: not valid UTF-8 text; the file may be in another encoding (pass --encoding gbk or --encoding utf-16le)",
        column + 1
    ))
}

fn decode_error(display: &str, e: &std::io::Error, line: Option<u64>) -> Error {
    if e.kind() == std::io::ErrorKind::InvalidData {
        let at = line.map(|l| format!(":{l}")).unwrap_or_default();
        Error::Input(format!(
            "{display}{at}: {e}; pass --encoding to declare the file's encoding"
        ))
    } else {
        Error::io(display, std::io::Error::new(e.kind(), e.to_string()))
    }
}

fn csv_error(display: &str, e: csv::Error) -> Error {
    let line = e.position().map(|p| p.line());
    match e.into_kind() {
        csv::ErrorKind::Io(io) => decode_error(display, &io, line),
        other => Error::Input(format!("{display}: cannot read CSV: {other:?}")),
    }
}

/// A Parquet file opened: its path, a reader positioned on it and its column names.
fn open_parquet(
    input: &Input,
) -> Result<(&std::path::Path, ParquetReader<std::fs::File>, Vec<String>)> {
    let display = input.display.as_str();
    let path = input
        .path
        .as_ref()
        .ok_or_else(|| Error::Usage("Parquet cannot be read from stdin; pass a file".into()))?;
    let file = std::fs::File::open(path).map_err(|e| Error::io(display, e))?;
    let mut reader = ParquetReader::new(file);
    let schema = reader
        .schema()
        .map_err(|e| Error::Input(format!("{display}: not a readable Parquet file: {e}")))?;
    let headers: Vec<String> = schema.iter_names().map(|n| n.to_string()).collect();
    Ok((path.as_path(), reader, headers))
}

fn raw_parquet(input: &Input, visitor: &mut dyn RawVisitor) -> Result<RawMeta> {
    let display = input.display.as_str();
    let (_, reader, headers) = open_parquet(input)?;
    let mut wanted = visitor.header(&headers)?;
    wanted.sort_unstable();
    wanted.dedup();
    let names: Vec<String> = wanted.iter().map(|&i| headers[i].clone()).collect();
    let df = reader
        .with_columns(Some(names.clone()))
        .finish()
        .map_err(|e| Error::Input(format!("{display}: cannot read Parquet: {e}")))?;
    // Every column as text (numbers and dates as polars writes them), so one parser serves all formats.
    let texts: Vec<Vec<Option<String>>> = names
        .iter()
        .map(|name| column_text(df.column(name.as_str())?, display, name))
        .collect::<Result<_>>()?;
    Ok(emit_cells(
        headers.len(),
        &wanted,
        &texts,
        df.height(),
        visitor,
    ))
}

/// A Parquet column as text: numbers and dates as polars writes them, floats rounded as a
/// spreadsheet shows them ([`float_text`]).
fn column_text(c: &Column, display: &str, name: &str) -> Result<Vec<Option<String>>> {
    if c.dtype().is_float() {
        let f = c.cast(&DataType::Float64)?;
        return Ok(f.f64()?.iter().map(|v| v.map(float_text)).collect());
    }
    let s = c
        .cast(&DataType::String)
        .map_err(|e| Error::Input(format!("{display}: column '{name}': {e}")))?;
    Ok(s.str()?.iter().map(|v| v.map(str::to_string)).collect())
}

/// A spreadsheet or Parquet float as text: rounded to 10 decimals, so binary artefacts of
/// formulas (`0.30000000000000004`) read as the number a person sees (`0.30`), and written with
/// at least 2 decimals: a float carries no written scale, and money shows cents.
fn float_text(f: f64) -> String {
    if !f.is_finite() {
        return f.to_string();
    }
    let s = format!("{f:.10}");
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let frac = frac.trim_end_matches('0');
    let frac = format!("{frac:0<2}");
    // −0.0 (or a tiny negative rounded to zero) is written without its sign.
    let int = if int == "-0" && frac.bytes().all(|b| b == b'0') {
        "0"
    } else {
        int
    };
    format!("{int}.{frac}")
}

/// Feed column-wise text cells to `on_row` (header = row 1).
fn emit_cells(
    width: usize,
    wanted: &[usize],
    texts: &[Vec<Option<String>>],
    height: usize,
    visitor: &mut dyn RawVisitor,
) -> RawMeta {
    let mut meta = RawMeta::default();
    let mut cells: Vec<Option<&str>> = vec![None; width];
    #[allow(clippy::needless_range_loop)] // r indexes every column of `texts`
    for r in 0..height {
        for (k, &ci) in wanted.iter().enumerate() {
            cells[ci] = texts[k][r].as_deref();
        }
        if cells.iter().all(|c| c.is_none_or(|s| s.trim().is_empty())) {
            meta.blank_rows += 1;
            continue;
        }
        meta.rows += 1;
        visitor.row(r as u64 + 2, &cells);
    }
    meta
}

fn raw_xlsx(input: &Input, opts: &LoadOptions, visitor: &mut dyn RawVisitor) -> Result<RawMeta> {
    use calamine::{Data, Reader};
    let display = input.display.as_str();
    let path = input
        .path
        .as_ref()
        .ok_or_else(|| Error::Usage("xlsx cannot be read from stdin; pass a file".into()))?;
    let mut wb = calamine::open_workbook_auto(path)
        .map_err(|e| Error::Input(format!("{display}: cannot open workbook: {e}")))?;
    let names = wb.sheet_names();
    let sheet = match &opts.sheet {
        Some(s) if names.contains(s) => s.clone(),
        Some(s) => {
            return Err(Error::Input(format!(
                "{display}: no sheet '{s}'; sheets: {}",
                names.join(", ")
            )));
        }
        None => names
            .first()
            .cloned()
            .ok_or_else(|| Error::Input(format!("{display}: the workbook has no sheet")))?,
    };
    let range = wb
        .worksheet_range(&sheet)
        .map_err(|e| Error::Input(format!("{display}: sheet '{sheet}': {e}")))?;
    let text = |d: &Data| -> Option<String> {
        match d {
            Data::Empty => None,
            Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Some(s.clone()),
            Data::Int(i) => Some(i.to_string()),
            Data::Float(f) => Some(float_text(*f)),
            Data::Bool(b) => Some(b.to_string()),
            Data::DateTime(dt) => dt
                .as_datetime()
                .map(|d| d.date().to_string())
                .or_else(|| Some(dt.as_f64().to_string())),
            Data::Error(e) => Some(format!("#{e:?}")),
        }
    };
    let mut rows = range.rows();
    let Some(header_row) = rows.next() else {
        return Err(Error::Input(format!("{display}: sheet '{sheet}' is empty")));
    };
    let headers: Vec<String> = header_row
        .iter()
        .map(|d| text(d).unwrap_or_default().trim().to_string())
        .collect();
    let wanted = visitor.header(&headers).map_err(|e| match e {
        Error::Input(m) if names.len() > 1 && opts.sheet.is_none() => Error::Input(format!(
            "{m}\n(read sheet '{sheet}', the first of: {}; choose another with --sheet NAME)",
            names.join(", ")
        )),
        other => other,
    })?;
    let mut texts: Vec<Vec<Option<String>>> = vec![Vec::new(); wanted.len()];
    let mut height = 0;
    for row in rows {
        for (k, &ci) in wanted.iter().enumerate() {
            texts[k].push(row.get(ci).and_then(text));
        }
        height += 1;
    }
    Ok(emit_cells(headers.len(), &wanted, &texts, height, visitor))
}

/// Loads one file's records into the targets.
struct FileLoader<'a, 'r> {
    display: &'a str,
    req: &'a Request<'r>,
    opts: &'a LoadOptions,
    targets: &'a mut [Target],
    col: &'a mut Collector,
    plan: Option<FilePlan>,
    resolution: Option<Resolution>,
}

impl RawVisitor for FileLoader<'_, '_> {
    fn header(&mut self, headers: &[String]) -> Result<Vec<usize>> {
        let (plan, resolution) =
            plan_file(self.display, headers, self.req, self.opts, self.targets)?;
        let used: Vec<usize> = plan.slots.iter().flatten().map(|s| s.0).collect();
        self.plan = Some(plan);
        self.resolution = Some(resolution);
        // Dedupe compares whole rows, so it reads every column.
        Ok(if self.opts.dedupe {
            (0..headers.len()).collect()
        } else {
            used
        })
    }

    fn row(&mut self, line: u64, cells: &[Option<&str>]) {
        let Some(plan) = self.plan.as_ref() else {
            return;
        };
        if is_duplicate(
            self.col,
            &mut cells.iter().map(|c| c.unwrap_or("").as_bytes()),
        ) {
            return;
        }
        let cell = |i: usize| Cell::Text(cells.get(i).copied().flatten());
        push_row(
            self.display,
            line,
            cell,
            plan,
            self.targets,
            self.opts,
            self.col,
        );
    }
}

/// Read one file into the targets: delimited files from disk in parallel (in chunks of
/// `chunk_bytes`), falling back to the single-threaded reader for problems to report (and for
/// stdin and `--dedupe`).
#[allow(clippy::type_complexity)]
fn read_file(
    input: &Input,
    req: &Request<'_>,
    opts: &LoadOptions,
    targets: &mut [Target],
    col: &mut Collector,
    chunk_bytes: Option<usize>,
    roll: Option<(&rollup::Plan, u32)>,
) -> Result<(FileInfo, Option<Vec<u64>>, Option<rollup::State>)> {
    let display = input.display.as_str();
    // Parquet is read in slices of whole row groups of about a CSV chunk's bytes / 32 rows
    // (256k rows), one slice per thread at a time.
    let fast = match (chunk_bytes, input.format) {
        _ if opts.dedupe => None,
        (Some(c), InputFormat::Parquet) => parquet::read(
            input,
            req,
            opts,
            targets,
            worker_threads(),
            (c / 32).max(1),
            roll,
        )?,
        (Some(c), InputFormat::Delimited) if input.path.is_some() => {
            parallel::read(input, req, opts, targets, worker_threads(), c, roll)?
        }
        _ => None,
    };
    let (meta, resolution, hashes, rolled) = match fast {
        Some(p) => {
            for (t, s) in targets.iter_mut().zip(p.targets) {
                t.builder.absorb(s.builder)?;
            }
            let meta = RawMeta {
                encoding: p.encoding,
                delimiter: p.delimiter,
                rows: p.rows,
                blank_rows: p.blank_rows,
            };
            (meta, p.resolution, p.id_hashes, p.rolled)
        }
        None => {
            let mut loader = FileLoader {
                display,
                req,
                opts,
                targets,
                col,
                plan: None,
                resolution: None,
            };
            let meta = read_raw(input, opts, &mut loader)?;
            let resolution = loader
                .resolution
                .take()
                .ok_or_else(|| Error::Input(format!("{display}: no header row")))?;
            // Rolling up, the file's rows are summed up here (with their ids hashed first).
            let (hashes, rolled) = match roll {
                Some((plan, file)) => {
                    let hashes = id_hashes(targets, id_field(req.dataset));
                    let mut state = rollup::State::new(plan, file);
                    state.fold(targets, 0);
                    (hashes, Some(state))
                }
                None => (None, None),
            };
            (meta, resolution, hashes, rolled)
        }
    };
    col.rows_read += meta.rows;
    col.blank_rows += meta.blank_rows;
    let info = FileInfo {
        display: display.to_string(),
        format: input.format,
        encoding: meta.encoding,
        delimiter: meta.delimiter,
        rows: meta.rows,
        resolution,
    };
    Ok((info, hashes, rolled))
}

/// The largest total of absolute amounts an exact column may reach, in units of its last
/// place: any total of a group of its rows, and revenue − cost, then fit in Int64.
const MAX_EXACT_TOTAL: i64 = i64::MAX / 2;

/// The scale of every target in the loaded data, from the most decimals written in each
/// (`max_scale` by target index): money fields share one scale, the most of any of them (also
/// returned), so that revenue − cost is exact; other exact columns keep their own.
fn target_scales(targets: &[Target], max_scale: impl Fn(usize) -> Option<u32>) -> (u32, Vec<u32>) {
    let money_scale = (0..targets.len())
        .filter(|&i| targets[i].kind == Kind::Money && targets[i].shared_scale)
        .filter_map(&max_scale)
        .max()
        .unwrap_or(0);
    let each = (0..targets.len())
        .map(|i| {
            if targets[i].shared_scale {
                money_scale
            } else {
                max_scale(i).unwrap_or(0)
            }
        })
        .collect();
    (money_scale, each)
}

/// Build the DataFrame: money columns rescaled to one common scale.
fn finish(targets: Vec<Target>) -> Result<Finished> {
    let (money_scale, scale_of) = target_scales(&targets, |i| match &targets[i].builder {
        Builder::Fixed(v) => v.max_scale(),
        _ => None,
    });
    let mut columns = Vec::new();
    let mut names = Vec::new();
    let mut scales = BTreeMap::new();
    let mut height = 0;
    for (t, scale) in targets.into_iter().zip(scale_of) {
        if !t.seen {
            continue;
        }
        if t.kind == Kind::Money {
            scales.insert(t.name.clone(), scale);
        }
        let name: PlSmallStr = t.name.as_str().into();
        let column: Column = match t.builder {
            Builder::Text(t) => t.into_chunked(name.clone())?.into_series().into(),
            Builder::Date(v) => Int32Chunked::from_iter_options(
                name.clone(),
                v.into_iter().map(|d| (d != DATE_NULL).then_some(d)),
            )
            .into_series()
            .into_date()
            .into(),
            Builder::Fixed(v) if t.kind == Kind::Money => {
                // Exact sums are Int64: keep every possible total (of any group of rows, and
                // revenue − cost) within it, or say so instead of overflowing later.
                let total: i128 = v
                    .iter()
                    .flatten()
                    .map(|f| {
                        f.mantissa.unsigned_abs() as i128
                            * 10i128.pow(scale.saturating_sub(f.scale))
                    })
                    .sum();
                if total > MAX_EXACT_TOTAL as i128 {
                    let widest = v
                        .iter()
                        .flatten()
                        .max_by_key(|f| f.scale)
                        .map(|f| f.to_decimal().to_string());
                    return Err(Error::Input(format!(
                        "column '{}': at {scale} decimal places (the most any value has{}), the amounts add up to more than exact arithmetic here can hold (about 4.6e18 units of the last place); round the amounts to fewer decimals",
                        t.name,
                        widest.map(|w| format!(", e.g. {w}")).unwrap_or_default()
                    )));
                }
                let mut out = Vec::with_capacity(v.mantissa.len());
                for f in v.iter() {
                    out.push(match f {
                        Some(f) => Some(f.rescale(scale).ok_or_else(|| {
                            Error::Input(format!(
                                "column '{}': amount {} does not fit at {} decimal places",
                                t.name,
                                f.to_decimal(),
                                scale
                            ))
                        })?),
                        None => None,
                    });
                }
                Int64Chunked::from_iter_options(name.clone(), out.into_iter())
                    .into_series()
                    .into()
            }
            Builder::Fixed(v) => Float64Chunked::from_iter_options(
                name.clone(),
                v.iter().map(|f| f.map(Fixed::to_f64)),
            )
            .into_series()
            .into(),
        };
        height = column.len();
        names.push(t.name);
        columns.push(column.with_name(name));
    }
    let df = DataFrame::new(height, columns)?;
    Ok(Finished {
        df,
        money_scale,
        scales,
        columns: names,
    })
}

/// The rolled-up frame and the scales [`finish`] would have chosen for the rows. None: a total
/// does not fit (the rows are loaded instead, and `finish` reports it).
fn finish_rolled(targets: &[Target], state: rollup::State) -> Option<Finished> {
    let (money_scale, scale_of) = target_scales(targets, |i| state.max_scale(i));
    let mut scales = BTreeMap::new();
    let mut columns = Vec::new();
    for (i, t) in targets.iter().enumerate() {
        if !t.seen {
            continue;
        }
        if t.kind == Kind::Money {
            scales.insert(t.name.clone(), scale_of[i]);
        }
        columns.push(t.name.clone());
    }
    let df = state.finish(targets, &scale_of)?;
    Some(Finished {
        df,
        money_scale,
        scales,
        columns,
    })
}

struct Finished {
    df: DataFrame,
    money_scale: u32,
    scales: BTreeMap<String, u32>,
    columns: Vec<String>,
}

/// One currency per run: several is an error unless `--currency` picks one (the other rows are
/// left out and counted). `rolled`: the frame is a rollup, whose rows count
/// [`rollup::columns::LOADED`] rows each.
fn check_currency(loaded: &mut Loaded, wanted: Option<&str>, rolled: bool) -> Result<()> {
    if !loaded.has("currency") {
        if let Some(c) = wanted {
            loaded.notes.push(format!(
                "--currency {c}: the data has no currency column; all rows kept"
            ));
        }
        return Ok(());
    }
    let ca = loaded.df.column("currency")?.str()?.clone();
    let weights: Vec<usize> = if rolled {
        loaded
            .df
            .column(rollup::columns::LOADED)?
            .i64()?
            .iter()
            .map(|w| w.unwrap_or(0).max(0) as usize)
            .collect()
    } else {
        vec![1; ca.len()]
    };
    // Counted as written, then by upper-cased code (a handful of distinct values).
    let mut written: std::collections::HashMap<&str, usize, foldhash::fast::FixedState> =
        Default::default();
    let mut missing = 0usize;
    for (v, &w) in ca.iter().zip(&weights) {
        match v {
            Some(c) => *written.entry(c).or_default() += w,
            None => missing += w,
        }
    }
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for (c, n) in &written {
        *counts.entry(c.to_uppercase()).or_default() += n;
    }
    let listing = |counts: &BTreeMap<String, usize>| {
        counts
            .iter()
            .map(|(c, n)| format!("{c} ({n} rows)"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match wanted {
        None if counts.len() > 1 => Err(Error::Input(format!(
            "the data is in more than one currency: {}; amounts are never summed across currencies: choose one with --currency CODE",
            listing(&counts)
        ))),
        None => Ok(()),
        Some(w) => {
            let w = w.to_uppercase();
            if !counts.contains_key(&w) {
                return Err(Error::Input(format!(
                    "--currency {w}: no rows in that currency; the data has {}",
                    listing(&counts)
                )));
            }
            let kept: std::collections::HashMap<&str, bool, foldhash::fast::FixedState> = written
                .keys()
                .map(|c| (*c, c.to_uppercase() == w))
                .collect();
            let keep: BooleanChunked = ca
                .iter()
                .map(|v| Some(v.is_some_and(|c| kept.get(c).copied().unwrap_or(false))))
                .collect();
            let dropped: usize = keep
                .iter()
                .zip(&weights)
                .filter(|(k, _)| *k != Some(true))
                .map(|(_, &w)| w)
                .sum();
            if dropped > 0 {
                let mut others: Vec<String> = counts
                    .iter()
                    .filter(|(c, _)| **c != w)
                    .map(|(c, n)| format!("{c}: {n}"))
                    .collect();
                if missing > 0 {
                    others.push(format!("no currency: {missing}"));
                }
                loaded.notes.push(format!(
                    "--currency {w}: left out {dropped} row{} in other currencies ({})",
                    plural(dropped),
                    others.join(", ")
                ));
                loaded.df = loaded.df.filter(&keep)?;
                loaded.rows_dropped += dropped;
            }
            Ok(())
        }
    }
}

/// Warn (not fail) when an id column that should be unique repeats; true when one does (or
/// the column is absent). `hashes`, when the readers gave them, are hashes of every id read (a
/// superset of the rows kept): all distinct proves the ids unique without a hash table of
/// millions of strings; any two equal (a repeat, or a collision) leads to the exact check.
/// True when there are hashes and they are all distinct (which proves the ids distinct).
fn hashes_distinct(hashes: Option<Vec<u64>>) -> bool {
    let Some(mut h) = hashes else {
        return false;
    };
    // Sorted runs, one per chunk: a stable sort merges them, each half on a thread of its own.
    let mid = h.len() / 2;
    let (a, b) = h.split_at_mut(mid);
    let sorted = std::thread::scope(|s| {
        let t = s.spawn(|| a.sort());
        b.sort();
        t.join().is_ok()
    });
    let distinct = |v: &[u64]| v.windows(2).all(|w| w[0] != w[1]);
    if !sorted || !distinct(a) || !distinct(b) {
        return false;
    }
    // and no hash in both halves
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => return false,
        }
    }
    true
}

fn note_duplicate_ids(loaded: &mut Loaded, column: &str, hashes: Option<Vec<u64>>) -> Result<bool> {
    if !loaded.has(column) {
        return Ok(true);
    }
    if hashes_distinct(hashes) {
        return Ok(false);
    }
    // The common case first: as many distinct ids as ids (one hash pass, no groups built).
    let ids = loaded.df.column(column)?.as_materialized_series();
    let present = ids.len() - ids.null_count();
    if ids.drop_nulls().n_unique()? == present {
        return Ok(false);
    }
    let dups = loaded
        .df
        .clone()
        .lazy()
        .filter(col(column).is_not_null())
        .group_by([col(column)])
        .agg([len().alias("n")])
        .filter(col("n").gt(lit(1)))
        .sort([column], Default::default())
        .collect()?;
    if dups.height() == 0 {
        return Ok(false);
    }
    let ids = dups.column(column)?.str()?.clone();
    let examples: Vec<&str> = ids.iter().flatten().take(3).collect();
    loaded.notes.push(format!(
        "{} {column} value{} on more than one row (e.g. {}); each distinct {column} counts once; pass --dedupe to drop rows identical in every field",
        dups.height(),
        if dups.height() == 1 { " appears" } else { "s appear" },
        examples.join(", ")
    ));
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out one byte per call, to cross every chunk boundary.
    struct OneByte(Cursor<Vec<u8>>);
    impl Read for OneByte {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let n = out.len().min(1);
            self.0.read(&mut out[..n])
        }
    }

    fn crlf(input: &[u8], one_byte: bool) -> Vec<u8> {
        let mut out = Vec::new();
        let q = NewlineQueue::default();
        if one_byte {
            LineEnds::new(OneByte(Cursor::new(input.to_vec())), q.clone())
                .read_to_end(&mut out)
                .unwrap();
        } else {
            LineEnds::new(Cursor::new(input.to_vec()), q.clone())
                .read_to_end(&mut out)
                .unwrap();
        }
        // every recorded line end is an LF of the output
        let ends: Vec<u64> = q.borrow().iter().copied().collect();
        let lfs: Vec<u64> = out
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .map(|(i, _)| i as u64)
            .collect();
        assert_eq!(ends, lfs);
        out
    }

    /// Loads `path` on one thread and in parallel with several chunk sizes: same frame, rows,
    /// notes.
    fn same_in_parallel(path: &str, dataset: Dataset, fields: &[&'static str]) {
        same_in_parallel_with(path, dataset, fields, &LoadOptions::default());
    }

    fn same_in_parallel_with(
        path: &str,
        dataset: Dataset,
        fields: &[&'static str],
        opts: &LoadOptions,
    ) {
        let inputs = source::resolve_inputs(&[path.to_string()]).unwrap();
        let req = Request {
            dataset,
            fields,
            extra_columns: &[],
            exact: &[],
        };
        let one = load_with(&inputs, &req, opts, None, None).unwrap().unwrap();
        for chunk in [1, 7, 64, 1000, parallel::CHUNK_BYTES] {
            let par = load_with(&inputs, &req, opts, Some(chunk), None)
                .unwrap()
                .unwrap();
            assert!(
                one.df.equals_missing(&par.df),
                "{path} chunk {chunk}:\n{}\n{}",
                one.df,
                par.df
            );
            assert_eq!(one.rows_read, par.rows_read, "{path} chunk {chunk}");
            assert_eq!(one.notes, par.notes, "{path} chunk {chunk}");
            assert_eq!(one.repeated_ids, par.repeated_ids, "{path} chunk {chunk}");
            assert_eq!(one.money_scale, par.money_scale);
            assert_eq!(one.files[0].encoding, par.files[0].encoding);
            assert_eq!(one.files[0].delimiter, par.files[0].delimiter);
        }
    }

    const SHIP_FIELDS: &[&str] = &[
        "shipment_id",
        "customer_id",
        "customer_name",
        "ship_date",
        "revenue",
        "cost",
        "lane",
        "teu",
    ];

    #[test]
    fn parallel_reading_gives_the_single_threaded_result() {
        for f in [
            "testdata/shipments.csv",
            "testdata/shipments_gbk.csv",
            "testdata/shipments_utf16.txt",
            "testdata/cdnow_sample.csv",
        ] {
            same_in_parallel(f, Dataset::Shipments, SHIP_FIELDS);
        }
        let comma = LoadOptions {
            number: NumberFormat {
                decimal_comma: true,
            },
            ..LoadOptions::default()
        };
        same_in_parallel_with(
            "testdata/shipments_semicolon.csv",
            Dataset::Shipments,
            SHIP_FIELDS,
            &comma,
        );
        // rows without a customer: skipped and counted the same way
        let skip = LoadOptions {
            skip_bad_rows: true,
            ..LoadOptions::default()
        };
        same_in_parallel_with(
            "testdata/line_items.csv",
            Dataset::Shipments,
            SHIP_FIELDS,
            &skip,
        );
        // Parquet: typed columns give what the text path gives
        for pq in [
            "testdata/shipments_gbk_en.parquet",
            "testdata/typed/shipments.parquet",
            "testdata/typed/shipments_groups.parquet",
        ] {
            same_in_parallel(pq, Dataset::Shipments, SHIP_FIELDS);
        }
        same_in_parallel("testdata/typed/invoices.parquet", Dataset::Invoices, &[]);
        same_in_parallel("testdata/invoices.csv", Dataset::Invoices, &[]);
        // repeated ids: found by the hashes, then described by the exact check
        same_in_parallel(
            "testdata/bad/duplicate_ids.csv",
            Dataset::Shipments,
            SHIP_FIELDS,
        );
        let dup = source::resolve_inputs(&["testdata/bad/duplicate_ids.csv".to_string()]).unwrap();
        let req = Request {
            dataset: Dataset::Shipments,
            fields: SHIP_FIELDS,
            extra_columns: &[],
            exact: &[],
        };
        let got = load_with(&dup, &req, &LoadOptions::default(), Some(64), None)
            .unwrap()
            .unwrap();
        assert!(got.repeated_ids);
        assert!(
            got.notes.iter().any(|n| n.contains("shipment_id value")),
            "{:?}",
            got.notes
        );
        let clean = source::resolve_inputs(&["testdata/shipments.csv".to_string()]).unwrap();
        assert!(
            !load_with(&clean, &req, &LoadOptions::default(), Some(64), None)
                .unwrap()
                .unwrap()
                .repeated_ids
        );
        same_in_parallel("testdata/aging/invoices_gbk.csv", Dataset::Invoices, &[]);
    }

    /// A rollup's rows of equal keys added up (what the metrics do when they aggregate it).
    fn collapse(df: DataFrame, spec: &Rollup) -> DataFrame {
        use crate::analytics::rollup as r;
        let schema = df.schema().clone();
        let keys: Vec<Expr> = spec
            .keys
            .iter()
            .filter(|k| schema.contains(k.as_str()))
            .map(|k| col(k.as_str()))
            .collect();
        let mut aggs = vec![
            col(r::LOADED).sum(),
            col(r::ROWS).sum(),
            col(r::SHIP_ROWS).sum(),
            col(r::FIRST).min(),
            col(r::LAST).max(),
            col(r::FIRST_ANY).min(),
            col(r::LAST_ANY).max(),
        ];
        for c in spec.sums.iter().chain(
            &spec
                .null_counts
                .iter()
                .map(|n| r::nulls(n))
                .collect::<Vec<_>>(),
        ) {
            if schema.contains(c.as_str()) {
                aggs.push(col(c.as_str()).sum());
            }
        }
        for l in &spec.last {
            if schema.contains(l.as_str()) {
                aggs.push(r::last_text(l));
                aggs.push(col(r::pos(l).as_str()).max());
            }
        }
        df.lazy().group_by(keys).agg(aggs).collect().unwrap()
    }

    /// The loader's rollup of `path` (on one thread and in chunks of several sizes) is the
    /// polars rollup (`analytics::rollup::rollup`) of its loaded rows.
    fn rolls_up_as_polars(
        paths: &[&str],
        spec: &Rollup,
        opts: &LoadOptions,
        extra: &[(String, Kind)],
    ) {
        use crate::analytics::activity::Ids;
        use crate::analytics::rollup as reference;
        let path = paths.join(" + ");
        let inputs =
            source::resolve_inputs(&paths.iter().map(|p| p.to_string()).collect::<Vec<_>>())
                .unwrap();
        let req = Request {
            dataset: Dataset::Shipments,
            fields: SHIP_FIELDS,
            extra_columns: extra,
            exact: &["teu"],
        };
        let rows = load_with(&inputs, &req, opts, Some(64), None)
            .unwrap()
            .unwrap();
        let ids = Ids::new(rows.repeated_ids);
        // Rows in a fixed order; positions compared as an order (the loader gives ranks).
        let normal = |df: DataFrame, keys: &[String]| -> DataFrame {
            let mut df = df
                .lazy()
                .sort(
                    keys.to_vec(),
                    SortMultipleOptions::default().with_nulls_last(true),
                )
                .collect()
                .unwrap();
            for l in &spec.last {
                let p = rollup::columns::pos(l);
                if df.schema().contains(&p) {
                    let ranked = df
                        .column(&p)
                        .unwrap()
                        .as_materialized_series()
                        .rank(
                            RankOptions {
                                method: RankMethod::Dense,
                                descending: false,
                            },
                            None,
                        )
                        .cast(&DataType::Int64)
                        .unwrap();
                    df.with_column(ranked.with_name(p.as_str().into()).into())
                        .unwrap();
                }
            }
            df
        };
        for chunk in [None, Some(1), Some(64), Some(parallel::CHUNK_BYTES)] {
            let rolled = load_with(&inputs, &req, opts, chunk, Some(spec))
                .unwrap()
                .unwrap_or_else(|| panic!("{path}: rollup given up"));
            assert_eq!(rolled.rolled.as_ref(), Some(spec));
            assert_eq!(rolled.money_scale, rows.money_scale, "{path}");
            assert_eq!(rolled.scales, rows.scales, "{path}");
            assert_eq!(rolled.columns, rows.columns, "{path}");
            assert_eq!(rolled.notes, rows.notes, "{path}");
            assert_eq!(rolled.rows_read, rows.rows_read, "{path}");
            assert_eq!(rolled.repeated_ids, rows.repeated_ids, "{path}");
            // The loader keeps the currencies (one, and rows without any) apart: its rows of
            // one key are added up here as the metrics add them up.
            let mut got = rolled.df.clone();
            if got.schema().contains("currency") && !spec.keys.iter().any(|k| k == "currency") {
                got = collapse(got.drop("currency").unwrap(), spec);
            }
            let want = reference::rollup(rows.df.clone().lazy(), spec, ids)
                .unwrap()
                .collect()
                .unwrap();
            let keys: Vec<String> = spec
                .keys
                .iter()
                .filter(|k| want.schema().contains(k.as_str()))
                .cloned()
                .collect();
            let (got, want) = (normal(got, &keys), normal(want, &keys));
            assert!(
                got.equals_missing(&want),
                "{path} chunk {chunk:?}:\n{got}\n{want}"
            );
        }
    }

    #[test]
    fn days_since_epoch_counts_calendar_days() {
        let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
        let mut d = chrono::NaiveDate::from_ymd_opt(1899, 12, 25).unwrap();
        let end = chrono::NaiveDate::from_ymd_opt(2101, 1, 5).unwrap();
        while d <= end {
            assert_eq!(days_since_epoch(d) as i64, (d - epoch).num_days(), "{d}");
            assert_eq!(date_from_days(days_since_epoch(d)), d);
            d = d.succ_opt().unwrap();
        }
    }

    #[test]
    fn hashes_are_distinct_only_without_a_repeat_anywhere() {
        assert!(!hashes_distinct(None));
        assert!(hashes_distinct(Some(vec![])));
        assert!(hashes_distinct(Some(vec![7])));
        // sorted runs as the chunks give them
        assert!(hashes_distinct(Some(vec![1, 5, 9, 2, 6, 10, 3])));
        // a repeat within a half, across the halves, at the ends
        assert!(!hashes_distinct(Some(vec![1, 1, 9, 2, 6, 10])));
        assert!(!hashes_distinct(Some(vec![1, 5, 9, 2, 5, 10])));
        assert!(!hashes_distinct(Some(vec![u64::MAX, 0, 3, 4, 5, u64::MAX])));
        assert!(!hashes_distinct(Some(vec![0, 0])));
    }

    #[test]
    fn the_loaders_rollup_is_the_polars_rollup() {
        let days = |s: &str| days_since_epoch(s.parse().unwrap());
        let tier = Rollup {
            keys: vec!["customer_id".into()],
            sums: vec!["revenue".into(), "cost".into()],
            null_counts: vec!["cost".into()],
            last: vec!["customer_name".into()],
            shipments: true,
            ..Rollup::default()
        };
        let window = Rollup {
            from: Some(days("2024-03-01")),
            to: Some(days("2024-09-30")),
            ..tier.clone()
        };
        let lanes = Rollup {
            keys: vec!["lane".into(), "customer_id".into()],
            sums: vec!["teu".into()],
            last: vec!["customer_name".into()],
            ..Rollup::default()
        };
        let none = LoadOptions::default();
        for f in [
            "testdata/shipments.csv",
            "testdata/shipments_gbk.csv",
            "testdata/shipments_utf16.txt",
            "testdata/cdnow_sample.csv",
            "testdata/shipments_gbk_en.parquet",
            "testdata/typed/shipments.parquet",
            "testdata/typed/shipments_groups.parquet",
        ] {
            for spec in [&tier, &window, &lanes] {
                rolls_up_as_polars(&[f], spec, &none, &[]);
            }
        }
        let comma = LoadOptions {
            number: NumberFormat {
                decimal_comma: true,
            },
            ..LoadOptions::default()
        };
        rolls_up_as_polars(&["testdata/shipments_semicolon.csv"], &tier, &comma, &[]);
        // several currencies: one kept, the others counted out
        let usd = LoadOptions {
            currency: Some("usd".into()),
            ..LoadOptions::default()
        };
        rolls_up_as_polars(&["testdata/bad/mixed_currency.csv"], &tier, &usd, &[]);
        // rows without a currency or a name, names only outside the window, and the same
        // customers over two files (the later file's names win); quoted names, one of them
        // read by the csv crate (text after its closing quote)
        let dir = tempfile::tempdir().unwrap();
        let one = dir.path().join("one.csv");
        let two = dir.path().join("two.csv");
        std::fs::write(
            &one,
            "shipment_id,customer_id,customer_name,ship_date,revenue,cost,currency\n\
             S1,A,\"Acme, \"\"the\"\" co\",2024-01-01,100.5,1,USD\n\
             S2,B,,2024-01-02,50,,\n\
             S3,A,,2024-03-03,-10,2,\n\
             S4,C,\"Old\" name,2023-12-01,5.125,,USD\n\
             S5,C,,2024-04-04,7,3,USD\n",
        )
        .unwrap();
        std::fs::write(
            &two,
            "customer_id,ship_date,revenue,customer_name,shipment_id\n\
             A,2024-05-01,1,Acme Ltd,T1\n\
             B,2024-02-01,2,,T2\n\
             D,2024-03-15,-4,Dee,T3\n",
        )
        .unwrap();
        let (one, two) = (one.to_str().unwrap(), two.to_str().unwrap());
        for spec in [&tier, &window] {
            rolls_up_as_polars(&[one], spec, &none, &[]);
            rolls_up_as_polars(&[one, two], spec, &none, &[]);
            rolls_up_as_polars(&[two, one], spec, &none, &[]);
        }
        // an extra column as a key
        let by_mode = Rollup {
            keys: vec!["Mode".into(), "customer_id".into()],
            ..tier.clone()
        };
        rolls_up_as_polars(
            &["testdata/shipments.csv"],
            &by_mode,
            &none,
            &[("Mode".into(), Kind::Text)],
        );
    }

    #[test]
    fn the_rollup_is_given_up_where_rows_are_needed() {
        let spec = Rollup {
            keys: vec!["customer_id".into()],
            sums: vec!["revenue".into()],
            shipments: true,
            ..Rollup::default()
        };
        let req = Request {
            dataset: Dataset::Shipments,
            fields: SHIP_FIELDS,
            extra_columns: &[],
            exact: &[],
        };
        let load = |path: &str, spec: &Rollup, opts: &LoadOptions| {
            let inputs = source::resolve_inputs(&[path.to_string()]).unwrap();
            load_rolled_with(&inputs, &req, opts, Some(64), spec).unwrap()
        };
        let none = LoadOptions::default();
        // repeated shipment ids: distinct ids must be counted from the rows
        let dup = load("testdata/bad/duplicate_ids.csv", &spec, &none);
        assert!(dup.rolled.is_none() && dup.repeated_ids);
        assert!(dup.notes.iter().any(|n| n.contains("shipment_id value")));
        // ... and to describe the repeats in the note, whatever is counted
        let sums_only = Rollup {
            shipments: false,
            ..spec.clone()
        };
        let dup = load("testdata/bad/duplicate_ids.csv", &sums_only, &none);
        assert!(dup.rolled.is_none());
        assert!(dup.notes.iter().any(|n| n.contains("shipment_id value")));
        // a line-item export, shipping days, --dedupe, xlsx
        assert!(
            load(
                "testdata/line_items.csv",
                &spec,
                &LoadOptions {
                    skip_bad_rows: true,
                    ..none.clone()
                }
            )
            .rolled
            .is_none()
        );
        let by_day = Rollup {
            by_day: true,
            ..spec.clone()
        };
        assert!(
            load("testdata/shipments.csv", &by_day, &none)
                .rolled
                .is_none()
        );
        let dedupe = LoadOptions {
            dedupe: true,
            ..none.clone()
        };
        assert!(
            load("testdata/shipments.csv", &spec, &dedupe)
                .rolled
                .is_none()
        );
        let sheet = LoadOptions {
            sheet: Some("Shipments".into()),
            ..none.clone()
        };
        assert!(
            load("testdata/shipments.xlsx", &spec, &sheet)
                .rolled
                .is_none()
        );
        assert!(
            load("testdata/shipments.csv", &spec, &none)
                .rolled
                .is_some()
        );
    }

    #[test]
    fn parallel_reading_of_quotes_line_ends_and_blank_lines() {
        let dir = tempfile::tempdir().unwrap();
        let body = "\n\ncustomer_id,ship_date,revenue,customer_name\r\n\
                    C1,2024-01-05,\"1,234.50\",\"multi\r\nline \"\"name\"\"\"\r\n\
                    \r\n\
                    C2,2024/1/6,12.5,5\" pipe\r\
                    \r\r\
                    C1,2024年1月7日,-3,\"x\ny\n\nz\"\n\
                    ,,,\n\
                    C3,2024-01-08,0.001,\"\"\n\
                    C4,2024-01-09,7,\"Acme\" Ltd\n\n\
                    C4,2024-01-09,8,after\n\n\n";
        let path = dir.path().join("messy.csv");
        std::fs::write(&path, body).unwrap();
        let p = path.to_str().unwrap();
        same_in_parallel(
            p,
            Dataset::Shipments,
            &["ship_date", "revenue", "customer_name"],
        );
        // and the content is what the single-threaded reader makes of it
        let inputs = source::resolve_inputs(&[p.to_string()]).unwrap();
        let req = Request {
            dataset: Dataset::Shipments,
            fields: &["ship_date", "revenue", "customer_name"],
            extra_columns: &[],
            exact: &[],
        };
        let got = load_with(&inputs, &req, &LoadOptions::default(), Some(7), None)
            .unwrap()
            .unwrap();
        assert_eq!(got.rows_read, 6);
        let names: Vec<Option<&str>> = got
            .df
            .column("customer_name")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(
            names,
            [
                Some("multi\nline \"name\""),
                Some("5\" pipe"),
                Some("x\ny\n\nz"),
                None,
                // text after a closing quote goes on the field (read by the csv crate: the fast
                // tokenizer hands the rest of the chunk over)
                Some("Acme Ltd"),
                Some("after"),
            ]
        );
    }

    /// The fast paths are taken on clean input (not the fallback that gives the same result).
    #[test]
    fn clean_input_takes_the_fast_paths() {
        let req = Request {
            dataset: Dataset::Shipments,
            fields: SHIP_FIELDS,
            extra_columns: &[],
            exact: &["teu"],
        };
        let opts = LoadOptions::default();
        let csv = &source::resolve_inputs(&["testdata/shipments.csv".to_string()]).unwrap()[0];
        let mut targets = build_targets(&req);
        let p = parallel::read(csv, &req, &opts, &mut targets, 3, 4096, None).unwrap();
        assert_eq!(p.map(|p| p.rows), Some(1201));
        for pq in [
            "testdata/typed/shipments.parquet",
            "testdata/typed/shipments_groups.parquet",
            "testdata/shipments_gbk_en.parquet",
        ] {
            let pq = &source::resolve_inputs(&[pq.to_string()]).unwrap()[0];
            let mut targets = build_targets(&req);
            let p = parquet::read(pq, &req, &opts, &mut targets, 2, 100, None).unwrap();
            assert!(p.is_some(), "{}", pq.display);
        }
        // and a bad file does not
        let bad = &source::resolve_inputs(&["testdata/bad/bad_money.csv".to_string()]).unwrap()[0];
        let mut targets = build_targets(&req);
        assert!(
            parallel::read(bad, &req, &opts, &mut targets, 2, 64, None)
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn parallel_reading_falls_back_to_report_problems_with_lines() {
        let inputs = source::resolve_inputs(&["testdata/bad/bad_money.csv".to_string()]).unwrap();
        let req = Request {
            dataset: Dataset::Shipments,
            fields: &["revenue"],
            extra_columns: &[],
            exact: &[],
        };
        let one = load_with(&inputs, &req, &LoadOptions::default(), None, None).unwrap_err();
        let par = load_with(&inputs, &req, &LoadOptions::default(), Some(16), None).unwrap_err();
        assert_eq!(one.to_string(), par.to_string());
        assert!(par.to_string().contains("bad_money.csv:5"), "{par}");
    }

    #[test]
    fn spreadsheet_floats_lose_binary_artefacts() {
        assert_eq!(float_text(0.1 + 0.2), "0.30");
        assert_eq!(float_text(54227.5), "54227.50");
        assert_eq!(float_text(1234.56), "1234.56");
        assert_eq!(float_text(2.125), "2.125");
        assert_eq!(float_text(45296.0), "45296.00");
        assert_eq!(float_text(-0.0), "0.00");
        assert_eq!(float_text(-12.25), "-12.25");
        assert_eq!(float_text(-0.5), "-0.50");
    }

    #[test]
    fn line_ends_become_lf() {
        for one in [false, true] {
            assert_eq!(crlf(b"a,b\r\nc,d\r\n", one), b"a,b\nc,d\n");
            // lone CR ("CSV (Macintosh)") is a line end too
            assert_eq!(crlf(b"a\rb\r", one), b"a\nb\n");
            assert_eq!(crlf(b"\r\r\n\n", one), b"\n\n\n");
            assert_eq!(crlf(b"x\n\ny", one), b"x\n\ny");
            assert_eq!(crlf(b"", one), b"");
        }
    }

    #[test]
    fn line_index_counts_line_ends_before_a_record() {
        let q = NewlineQueue::default();
        q.borrow_mut().extend([3, 4, 5, 9]);
        let mut idx = LineIndex {
            newlines: q,
            before: 0,
            blank: 0,
        };
        assert_eq!(idx.line_at(0), 1);
        // line ends at 3, 4, 5: a record reported at 4 starts after the blank lines 4 and 5
        assert_eq!(idx.line_at(4), 4);
        assert_eq!(idx.line_at(10), 5);
    }
}
