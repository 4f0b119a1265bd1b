//! Parquet read with its types: exact integers and decimals, dates and text go into the row
//! pipeline ([`push_row`]) as values, without a detour through text. Only columns whose type
//! does not suit the field (floats for money, numbers for ids, timestamps...) are turned into
//! text, as before, and parsed like any other text.
//!
//! Rows are processed on several threads in ranges, appended in order. As with delimited input,
//! a file with problems is read again by the single-threaded text path, which reports them.

use std::collections::BTreeMap;

use polars::prelude::*;

use super::{
    Cell, Collector, FilePlan, LoadOptions, Request, Target, float_text, id_field, id_hashes,
    plan_file, push_row,
};
use crate::error::{Error, Result};
use crate::io::fields::{Kind, Resolution};
use crate::io::parse::Fixed;
use crate::io::source::Input;

/// A file read with its types.
pub(super) struct Parsed {
    pub targets: Vec<Target>,
    pub resolution: Resolution,
    pub rows: usize,
    pub blank_rows: usize,
    pub id_hashes: Option<Vec<u64>>,
}

/// How one column's cells are handed to the row pipeline.
enum Cells {
    /// UTF-8 text (single chunk).
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
) -> Result<Option<Parsed>> {
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
    let (plan, resolution) = plan_file(display, &headers, req, opts, targets)?;

    // The kinds each file column is read as.
    let mut kinds: BTreeMap<usize, Vec<Kind>> = BTreeMap::new();
    for (t, slot) in targets.iter().zip(&plan.slots) {
        if let Some((ci, _)) = slot {
            kinds.entry(*ci).or_default().push(t.kind);
        }
    }
    let names: Vec<String> = kinds.keys().map(|&i| headers[i].clone()).collect();
    let df = reader
        .with_columns(Some(names))
        .finish()
        .map_err(|e| Error::Input(format!("{display}: cannot read Parquet: {e}")))?;
    let mut cells: BTreeMap<usize, Cells> = BTreeMap::new();
    for (ci, ks) in &kinds {
        let name = headers[*ci].as_str();
        let c = df.column(name)?;
        cells.insert(*ci, column_cells(c, ks, display, name)?);
    }
    let height = df.height();
    drop(df);

    // Row ranges on threads, appended in order.
    let threads = threads.clamp(1, height.div_ceil(64 * 1024).max(1));
    let per = height.div_ceil(threads).max(1);
    let proto: Vec<Target> = targets.iter().map(Target::fresh).collect();
    let outs: Vec<RangeOut> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|k| {
                let (cells, plan, proto) = (&cells, &plan, &proto);
                let range = (k * per).min(height)..((k + 1) * per).min(height);
                let id = id_field(req.dataset);
                s.spawn(move || parse_range(display, range, cells, plan, proto, opts, id))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or(RangeOut {
                    targets: Vec::new(),
                    rows: 0,
                    blank_rows: 0,
                    id_hashes: None,
                    clean: false,
                })
            })
            .collect()
    });
    if outs.iter().any(|o| !o.clean) {
        return Ok(None);
    }
    let mut staged: Vec<Target> = targets.iter().map(Target::fresh).collect();
    let (mut rows, mut blank_rows) = (0, 0);
    let mut hashes: Option<Vec<u64>> = Some(Vec::new());
    for out in outs {
        rows += out.rows;
        blank_rows += out.blank_rows;
        hashes = match (hashes, out.id_hashes) {
            (Some(mut all), Some(h)) => {
                all.extend(h);
                Some(all)
            }
            _ => None,
        };
        for (t, o) in staged.iter_mut().zip(out.targets) {
            t.builder.absorb(o.builder);
        }
    }
    Ok(Some(Parsed {
        targets: staged,
        resolution,
        rows,
        blank_rows,
        id_hashes: hashes,
    }))
}

/// The typed cells of a column read as `kinds` (typed only when every use of it agrees).
fn column_cells(c: &Column, kinds: &[Kind], display: &str, name: &str) -> Result<Cells> {
    let all = |k: &[Kind]| kinds.iter().all(|x| k.contains(x));
    let dtype = c.dtype();
    let text_kinds = all(&[Kind::Id, Kind::Text, Kind::Money, Kind::Number, Kind::Date]);
    let cells = match dtype {
        DataType::String if text_kinds => Cells::Str(c.str()?.rechunk().into_owned()),
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
        _ => Cells::Text(text_of(c, display, name)?),
    };
    Ok(cells)
}

/// A column as text: numbers and dates as polars writes them, floats rounded as a spreadsheet
/// shows them ([`float_text`]).
fn text_of(c: &Column, display: &str, name: &str) -> Result<Vec<Option<String>>> {
    if c.dtype().is_float() {
        let f = c.cast(&DataType::Float64)?;
        return Ok(f.f64()?.iter().map(|v| v.map(float_text)).collect());
    }
    let s = c
        .cast(&DataType::String)
        .map_err(|e| Error::Input(format!("{display}: column '{name}': {e}")))?;
    Ok(s.str()?.iter().map(|v| v.map(str::to_string)).collect())
}

struct RangeOut {
    targets: Vec<Target>,
    rows: usize,
    blank_rows: usize,
    id_hashes: Option<Vec<u64>>,
    clean: bool,
}

fn parse_range(
    display: &str,
    range: std::ops::Range<usize>,
    cells: &BTreeMap<usize, Cells>,
    plan: &FilePlan,
    proto: &[Target],
    opts: &LoadOptions,
    id: Option<&str>,
) -> RangeOut {
    let mut out = RangeOut {
        targets: proto.iter().map(Target::fresh).collect(),
        rows: 0,
        blank_rows: 0,
        id_hashes: None,
        clean: false,
    };
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
            r as u64 + 2,
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
