//! Parquet read with its types: exact integers and decimals, dates and text go into the row
//! pipeline ([`push_row`]) as values, without a detour through text. Only columns whose type
//! does not suit the field (floats for money, numbers for ids, timestamps...) are turned into
//! text, as before, and parsed like any other text.
//!
//! Rows are processed on several threads in ranges, appended in order. As with delimited input,
//! a file with problems is read again by the single-threaded text path, which reports them.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use polars::prelude::*;

use super::{
    Builder, Cell, Collector, DATE_NULL, FilePlan, LoadOptions, Parsed, Part, Request, Target,
    column_text, id_field, id_hashes, open_parquet, plan_file, push_row, rollup, sorted_id_hashes,
};
use crate::error::{Error, Result};
use crate::io::fields::Kind;
use crate::io::parse::{self, Fixed};
use crate::io::source::Input;

/// How one column's cells are handed to the row pipeline.
enum Cells {
    /// UTF-8 text (as read: one chunk per row group until [`Cells::rechunk`]).
    Str(StringChunked),
    /// Days since the epoch.
    Date(Int32Chunked),
    /// Integers: exact at scale 0.
    Int(Int64Chunked),
    /// Decimals: the unscaled integers and their scale.
    Dec(Int128Chunked, u32),
    /// Anything else, as text (floats as a spreadsheet shows them).
    Text(Vec<Option<String>>),
}

impl Cells {
    /// Text in one chunk, for the row pipeline's lookups by row (the columnar fold reads the
    /// chunks as they are).
    fn rechunk(&mut self) {
        if let Cells::Str(ca) = self
            && ca.chunks().len() > 1
        {
            *ca = ca.rechunk().into_owned();
        }
    }

    fn cell(&self, row: usize) -> Cell<'_> {
        match self {
            Cells::Str(ca) => Cell::Text(ca.get(row)),
            Cells::Date(ca) => Cell::Date(ca.get(row)),
            Cells::Int(ca) => Cell::Fixed(ca.get(row).map(|m| Fixed {
                mantissa: m,
                scale: 0,
            })),
            // A decimal beyond i64 is handed over as text, which reports it.
            Cells::Dec(ca, scale) => match ca.get(row) {
                None => Cell::Fixed(None),
                Some(m) => match i64::try_from(m) {
                    Ok(m) => Cell::Fixed(Some(Fixed {
                        mantissa: m,
                        scale: *scale,
                    })),
                    Err(_) => Cell::Text(Some("decimal beyond 18 digits")),
                },
            },
            Cells::Text(v) => Cell::Text(v.get(row).and_then(|s| s.as_deref())),
        }
    }

    /// True when the cell holds nothing a person would see.
    fn is_blank(&self, row: usize) -> bool {
        match self.cell(row) {
            Cell::Text(s) => s.is_none_or(|s| s.trim().is_empty()),
            Cell::Fixed(v) => v.is_none(),
            Cell::Date(v) => v.is_none(),
        }
    }
}

/// Reads a Parquet file. `Ok(None)`: it has problems to report; the caller reads it again as text.
pub(super) fn read(
    input: &Input,
    req: &Request<'_>,
    opts: &LoadOptions,
    targets: &mut [Target],
    threads: usize,
    slice_rows: usize,
    roll: Option<(&rollup::Plan, u32)>,
) -> Result<Option<Parsed>> {
    let display = input.display.as_str();
    let (path, mut reader, headers) = open_parquet(input)?;
    let (plan, resolution) = plan_file(display, &headers, req, opts, targets)?;

    // The kinds each file column is read as.
    let mut kinds: BTreeMap<usize, Vec<Kind>> = BTreeMap::new();
    for (t, slot) in targets.iter().zip(&plan.slots) {
        if let Some((ci, _)) = slot {
            kinds.entry(*ci).or_default().push(t.kind);
        }
    }
    let names: Vec<String> = kinds.keys().map(|&i| headers[i].clone()).collect();
    // Whole row groups, about `slice_rows` rows at a time: the file's columns are never all in
    // memory next to the values built from them.
    let groups: Vec<usize> = reader
        .get_metadata()
        .map_err(|e| Error::Input(format!("{display}: cannot read Parquet: {e}")))?
        .row_groups
        .iter()
        .map(|g| g.num_rows())
        .collect();
    let mut slices: Vec<(usize, usize)> = Vec::new();
    let mut start = 0;
    for n in groups {
        match slices.last_mut() {
            Some((_, len)) if *len < slice_rows => *len += n,
            _ => slices.push((start, n)),
        }
        start += n;
    }
    // The targets are not changed from here on: each slice makes its builders from them.
    let proto: &[Target] = targets;
    let id = id_field(req.dataset);
    let file = File {
        display,
        path,
        headers: &headers,
        names: &names,
        kinds: &kinds,
        plan: &plan,
        proto,
        opts,
        id,
    };
    // Slices on threads, each summed up by its thread when rolling up; one slice alone is
    // parsed in row ranges on threads instead.
    let ranges = if slices.len() < 2 { threads } else { 1 };
    let workers = threads.clamp(1, slices.len().max(1));
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    type Done = (Vec<(usize, Result<Vec<Part>>)>, Option<rollup::State>);
    let done: Vec<Done> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let (file, slices, next, stop) = (&file, &slices, &next, &stop);
                s.spawn(move || {
                    let mut rolled = roll.map(|(p, f)| rollup::State::new(p, f));
                    let mut outs = Vec::new();
                    while !stop.load(Ordering::Relaxed) {
                        let k = next.fetch_add(1, Ordering::Relaxed);
                        let Some(&(offset, len)) = slices.get(k) else {
                            break;
                        };
                        // Pieces are numbered slice × 256 + range, so that rolled-up
                        // positions follow the file.
                        let piece = (k as u32) << 8;
                        let fold = rolled.as_mut().map(|state| (state, piece));
                        let mut parts = file.slice(offset, len, ranges, fold);
                        match &mut parts {
                            Ok((parts, folded)) if parts.iter().all(|p| p.clean) => {
                                if let (Some(state), false) = (&mut rolled, *folded) {
                                    for (j, p) in parts.iter_mut().enumerate() {
                                        state.fold(&mut p.targets, piece | j as u32);
                                    }
                                }
                            }
                            _ => stop.store(true, Ordering::Relaxed),
                        }
                        outs.push((k, parts.map(|(p, _)| p)));
                    }
                    (outs, rolled)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| (Vec::new(), None)))
            .collect()
    });
    let mut parsed = Parsed::new(proto, resolution);
    let mut outs: Vec<(usize, Result<Vec<Part>>)> = Vec::new();
    for (o, state) in done {
        outs.extend(o);
        if let Some(state) = state {
            rollup::State::merge_into(&mut parsed.rolled, state);
        }
    }
    outs.sort_by_key(|(k, _)| *k);
    if outs.len() != slices.len() && !stop.load(Ordering::Relaxed) {
        // a worker died
        return Ok(None);
    }
    for (_, parts) in outs {
        // The first slice (in file order) that failed decides: its error, or the text path.
        let parts = parts?;
        if parts.iter().any(|p| !p.clean) {
            return Ok(None);
        }
        for p in parts {
            // Already summed up by its worker when rolling up: only its counts are added.
            parsed.add_read(p)?;
        }
    }
    Ok(Some(parsed))
}

/// What every slice of one Parquet file is read with.
struct File<'a> {
    display: &'a str,
    path: &'a std::path::Path,
    headers: &'a [String],
    names: &'a [String],
    kinds: &'a BTreeMap<usize, Vec<Kind>>,
    plan: &'a FilePlan,
    proto: &'a [Target],
    opts: &'a LoadOptions,
    id: Option<&'a str>,
}

impl File<'_> {
    /// Reads `len` rows from `offset` into parts: one taken column by column, or `ranges` row
    /// ranges parsed on as many threads. Rolling up (`rolled`: the worker's totals and the
    /// slice's number), a slice taken column by column is summed up here, and the second value
    /// says so; other parts are for the caller to fold.
    fn slice(
        &self,
        offset: usize,
        len: usize,
        ranges: usize,
        rolled: Option<(&mut rollup::State, u32)>,
    ) -> Result<(Vec<Part>, bool)> {
        let display = self.display;
        let file = std::fs::File::open(self.path).map_err(|e| Error::io(display, e))?;
        let df = ParquetReader::new(file)
            .with_columns(Some(self.names.to_vec()))
            .with_slice(Some((offset, len)))
            .finish()
            .map_err(|e| Error::Input(format!("{display}: cannot read Parquet: {e}")))?;
        let mut cells: BTreeMap<usize, Cells> = BTreeMap::new();
        for (ci, ks) in self.kinds {
            let name = self.headers[*ci].as_str();
            let c = df.column(name)?;
            cells.insert(*ci, column_cells(c, ks, display, name)?);
        }
        let height = df.height();
        drop(df);

        // Whole columns when every value can be taken as it is.
        let (proto, id) = (self.proto, self.id);
        let rolling = rolled.is_some();
        if let Some((state, piece)) = rolled
            && let Some(typed) = typed_targets(&cells, self.plan, proto)
        {
            let out = columnar_rolled(&typed, proto, height, id, state, piece);
            return Ok((vec![out], true));
        }
        cells.values_mut().for_each(Cells::rechunk);
        if !rolling
            && let Some(typed) = typed_targets(&cells, self.plan, proto)
            && let Some(out) = columnar(&typed, proto, height, id)
        {
            return Ok((vec![out], false));
        }

        // Row ranges on threads, appended in order.
        let threads = ranges.clamp(1, height.div_ceil(64 * 1024).max(1));
        let per = height.div_ceil(threads).max(1);
        let (plan, proto, opts, id) = (self.plan, self.proto, self.opts, self.id);
        let parts = std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads)
                .map(|k| {
                    let cells = &cells;
                    let range = (k * per).min(height)..((k + 1) * per).min(height);
                    s.spawn(move || {
                        parse_range(display, offset, range, cells, plan, proto, opts, id)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|_| Part::unread()))
                .collect()
        });
        Ok((parts, false))
    }
}

/// The typed cells of a column read as `kinds` (typed only when every use of it agrees).
fn column_cells(c: &Column, kinds: &[Kind], display: &str, name: &str) -> Result<Cells> {
    let all = |k: &[Kind]| kinds.iter().all(|x| k.contains(x));
    let dtype = c.dtype();
    let text_kinds = all(&[Kind::Id, Kind::Text, Kind::Money, Kind::Number, Kind::Date]);
    let cells = match dtype {
        DataType::String if text_kinds => Cells::Str(c.str()?.clone()),
        DataType::Date if all(&[Kind::Date]) => {
            Cells::Date(c.date()?.physical().rechunk().into_owned())
        }
        DataType::Datetime(..) if all(&[Kind::Date]) => {
            let d = c.cast(&DataType::Date)?;
            Cells::Date(d.date()?.physical().rechunk().into_owned())
        }
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
            if all(&[Kind::Money, Kind::Number]) =>
        {
            let i = c.cast(&DataType::Int64)?;
            Cells::Int(i.i64()?.rechunk().into_owned())
        }
        DataType::Decimal(_, scale) if all(&[Kind::Money, Kind::Number]) => {
            let d = c.decimal()?;
            Cells::Dec(d.physical().rechunk().into_owned(), *scale as u32)
        }
        _ => Cells::Text(column_text(c, display, name)?),
    };
    Ok(cells)
}

/// A slice's column for one target, taken as it is (see [`typed_targets`]).
pub(super) enum Typed<'c> {
    /// Not in this file: empty in every row.
    Absent,
    Str(&'c StringChunked),
    Date(&'c Int32Chunked),
    Int(&'c Int64Chunked),
    /// Unscaled decimals, each within i64, and their scale.
    Dec(&'c Int128Chunked, u32),
}

#[cfg(test)]
impl<'c> Typed<'c> {
    /// Row `r`'s value, as the row pipeline gives it (what the columnar fold of
    /// `rollup::State::fold_typed` is tested against).
    pub(super) fn val(&self, r: usize) -> super::Val<'c> {
        use super::Val;
        match self {
            Typed::Absent => Val::Null,
            Typed::Str(ca) => ca.get(r).map_or(Val::Null, Val::Text),
            Typed::Date(ca) => ca.get(r).map_or(Val::Null, Val::Date),
            Typed::Int(ca) => ca.get(r).map_or(Val::Null, |mantissa| {
                Val::Fixed(Fixed { mantissa, scale: 0 })
            }),
            Typed::Dec(ca, scale) => match ca.get(r).map(i64::try_from) {
                Some(Ok(mantissa)) => Val::Fixed(Fixed {
                    mantissa,
                    scale: *scale,
                }),
                _ => Val::Null,
            },
        }
    }
}

/// The slice's columns by target, to be taken column by column without the row pipeline, when
/// that gives exactly what the row pipeline gives: dates, integers and decimals that fit, ids
/// and text already in their normal form (trimmed, not empty, ids not written as `17850.0`), no
/// empty required value (so no problem to report and no blank row), no revenue to derive.
/// None: use the row pipeline.
fn typed_targets<'c>(
    cells: &'c BTreeMap<usize, Cells>,
    plan: &FilePlan,
    proto: &[Target],
) -> Option<Vec<Typed<'c>>> {
    if plan.derive_revenue.is_some() {
        return None;
    }
    let mut typed = Vec::with_capacity(proto.len());
    let mut any_required = false;
    for (t, slot) in proto.iter().zip(&plan.slots) {
        let Some((ci, _)) = slot else {
            // absent in this file: nulls, unless required (the row pipeline reports it)
            if t.required {
                return None;
            }
            typed.push(Typed::Absent);
            continue;
        };
        let c = cells.get(ci)?;
        let nulls = match c {
            Cells::Str(ca) => ca.null_count(),
            Cells::Date(ca) => ca.null_count(),
            Cells::Int(ca) => ca.null_count(),
            Cells::Dec(ca, _) => ca.null_count(),
            Cells::Text(_) => return None,
        };
        if t.required {
            if nulls > 0 {
                return None;
            }
            any_required = true;
        }
        typed.push(match (c, t.kind) {
            (Cells::Date(ca), Kind::Date) => Typed::Date(ca),
            (Cells::Int(ca), Kind::Money | Kind::Number) => Typed::Int(ca),
            (Cells::Dec(ca, scale), Kind::Money | Kind::Number) => {
                if !ca.iter().flatten().all(|m| i64::try_from(m).is_ok()) {
                    return None;
                }
                Typed::Dec(ca, *scale)
            }
            (Cells::Str(ca), Kind::Id) => {
                // `normalize_id` gives a part of its text: the whole of it when as long.
                let normal = ca
                    .iter()
                    .flatten()
                    .all(|s| parse::normalize_id(s).is_some_and(|t| t.len() == s.len()));
                if !normal {
                    return None;
                }
                Typed::Str(ca)
            }
            (Cells::Str(ca), Kind::Text) => {
                let normal = ca
                    .iter()
                    .flatten()
                    .all(|s| !s.is_empty() && s.trim().len() == s.len());
                if !normal {
                    return None;
                }
                Typed::Str(ca)
            }
            _ => return None,
        });
    }
    // Without a required column every row could be blank: leave that to the row pipeline.
    if !any_required {
        return None;
    }
    Some(typed)
}

/// The slice's values column by column into builders (see [`typed_targets`]).
fn columnar(
    typed: &[Typed<'_>],
    proto: &[Target],
    height: usize,
    id: Option<&str>,
) -> Option<Part> {
    let mut targets: Vec<Target> = proto.iter().map(Target::fresh).collect();
    for (t, c) in targets.iter_mut().zip(typed) {
        match (&mut t.builder, c) {
            (Builder::Text(b), Typed::Absent) => (0..height).for_each(|_| b.push(None)),
            (Builder::Fixed(v), Typed::Absent) => (0..height).for_each(|_| v.push(None)),
            (Builder::Date(v), Typed::Absent) => v.resize(height, DATE_NULL),
            (Builder::Date(v), Typed::Date(ca)) => {
                v.reserve(ca.len());
                v.extend(ca.iter().map(|d| d.unwrap_or(DATE_NULL)));
            }
            (Builder::Fixed(v), Typed::Int(ca)) => {
                for m in ca.iter() {
                    v.push(m.map(|mantissa| Fixed { mantissa, scale: 0 }));
                }
            }
            (Builder::Fixed(v), Typed::Dec(ca, scale)) => {
                for m in ca.iter() {
                    let m = match m {
                        Some(m) => Some(i64::try_from(m).ok()?),
                        None => None,
                    };
                    v.push(m.map(|mantissa| Fixed {
                        mantissa,
                        scale: *scale,
                    }));
                }
            }
            (Builder::Text(b), Typed::Str(ca)) => b.push_part((*ca).clone()).ok()?,
            _ => return None,
        }
    }
    let id_hashes = id_hashes(&mut targets, id);
    Some(Part {
        targets,
        rows: height,
        blank_rows: 0,
        id_hashes,
        clean: true,
    })
}

/// The slice's columns summed up into `state` directly (see [`typed_targets`]): a part with
/// its counts and id hashes, and no values.
fn columnar_rolled(
    typed: &[Typed<'_>],
    proto: &[Target],
    height: usize,
    id: Option<&str>,
    state: &mut rollup::State,
    piece: u32,
) -> Part {
    state.fold_typed(typed, height, piece);
    let id_hashes = id
        .and_then(|id| proto.iter().position(|t| t.name == id))
        .map(|i| match &typed[i] {
            Typed::Str(ca) => sorted_id_hashes(ca.iter().flatten()),
            _ => Vec::new(),
        });
    Part {
        targets: proto.iter().map(Target::fresh).collect(),
        rows: height,
        blank_rows: 0,
        id_hashes,
        clean: true,
    }
}

#[allow(clippy::too_many_arguments)]
fn parse_range(
    display: &str,
    offset: usize,
    range: std::ops::Range<usize>,
    cells: &BTreeMap<usize, Cells>,
    plan: &FilePlan,
    proto: &[Target],
    opts: &LoadOptions,
    id: Option<&str>,
) -> Part {
    let mut out = Part::new(proto);
    let mut col = Collector::new(false);
    let columns: Vec<&Cells> = cells.values().collect();
    for r in range {
        if columns.iter().all(|c| c.is_blank(r)) {
            out.blank_rows += 1;
            continue;
        }
        out.rows += 1;
        let cell = |ci: usize| cells.get(&ci).map_or(Cell::Text(None), |c| c.cell(r));
        push_row(
            display,
            (offset + r) as u64 + 2,
            cell,
            plan,
            &mut out.targets,
            opts,
            &mut col,
        );
        if col.total_problems > 0 {
            return out;
        }
    }
    out.id_hashes = id_hashes(&mut out.targets, id);
    out.clean = true;
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::fields::Dataset;
    use crate::io::load::build_targets;
    use crate::io::source;

    /// Reads a file's columns into cells as `read` does, and hands them to `columnar`.
    fn columnar_of(path: &str, fields: &[&'static str]) -> Option<Part> {
        let req = Request {
            dataset: Dataset::Shipments,
            fields,
            extra_columns: &[],
            exact: &["teu"],
        };
        let input = &source::resolve_inputs(&[path.to_string()]).unwrap()[0];
        let mut targets = build_targets(&req);
        let mut reader = ParquetReader::new(std::fs::File::open(path).unwrap());
        let headers: Vec<String> = reader
            .schema()
            .unwrap()
            .iter_names()
            .map(|n| n.to_string())
            .collect();
        let (plan, _) = plan_file(
            &input.display,
            &headers,
            &req,
            &LoadOptions::default(),
            &mut targets,
        )
        .unwrap();
        let df = reader.finish().unwrap();
        let mut cells = BTreeMap::new();
        for (t, slot) in targets.iter().zip(&plan.slots) {
            if let Some((ci, h)) = slot {
                let c = df.column(h.as_str()).unwrap();
                cells.insert(*ci, column_cells(c, &[t.kind], path, h).unwrap());
            }
        }
        let typed = typed_targets(&cells, &plan, &targets)?;
        columnar(&typed, &targets, df.height(), Some("shipment_id"))
    }

    #[test]
    fn typed_columns_are_taken_whole() {
        let fields = &[
            "shipment_id",
            "customer_id",
            "customer_name",
            "ship_date",
            "delivered_date",
            "revenue",
            "cost",
            "teu",
            "lane",
        ];
        let out = columnar_of("testdata/typed/shipments.parquet", fields).expect("columnar");
        assert_eq!(out.rows, 1201);
        assert_eq!(out.id_hashes.map(|h| h.len()), Some(1201));
        // a float cost column (pyarrow-written twin) goes through the row pipeline
        assert!(columnar_of("testdata/shipments_gbk_en.parquet", fields).is_none());
    }
}
