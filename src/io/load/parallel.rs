//! The multi-threaded reader of delimited files.
//!
//! The main thread reads and decodes the file, normalises its line ends and cuts it into chunks
//! of whole records ([`chunks::Splitter`]); worker threads parse the chunks with the same row
//! pipeline as the single-threaded reader ([`push_row`]) into builders of their own, which are
//! appended in file order. Output is therefore identical to the single-threaded reader's.
//!
//! Clean input is the fast path. As soon as any chunk meets a problem (a bad value, a required
//! field left empty, text that is not UTF-8, a CSV error) the parallel read is abandoned and the
//! caller reads the file again on one thread, so that problems are reported exactly as that
//! reader reports them: in file order, grouped, with their lines.

use std::collections::BTreeMap;
use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, mpsc};

use super::{
    Cell, Collector, FilePlan, LineIndex, LoadOptions, NewlineQueue, Parsed, Part, Request, Target,
    Val, csv_builder, header_name, id_field, id_hash, id_hashes, is_blank_record, open_delimited,
    parse_row, plan_file, push_row, rollup,
};
use crate::error::Result;
use crate::io::chunks::{self, Splitter};
use crate::io::source::Input;
use crate::io::tokenize::{Step, Tokenizer};

/// Decoded text per chunk handed to a worker.
pub(super) const CHUNK_BYTES: usize = 8 << 20;
const READ_BYTES: usize = 1 << 20;

struct Chunk {
    seq: usize,
    data: Vec<u8>,
}

/// Reads a delimited file on `threads` workers. `Ok(None)`: the file must be read on one thread
/// (it has problems to report, or cannot be cut into records).
pub(super) fn read(
    input: &Input,
    req: &Request<'_>,
    opts: &LoadOptions,
    targets: &mut [Target],
    threads: usize,
    chunk_bytes: usize,
    roll: Option<(&rollup::Plan, u32)>,
) -> Result<Option<Parsed>> {
    let display = input.display.as_str();
    let opened = open_delimited(input, opts)?;
    let delimiter = opened.delimiter;
    let encoding = opened.encoding.name();
    let progress = opened.progress;
    let mut reader = Reader {
        text: opened.text,
        raw: vec![0; READ_BYTES],
        pending_cr: false,
        eof: false,
    };
    let mut buf: Vec<u8> = Vec::with_capacity(chunk_bytes + READ_BYTES);
    let mut splitter = Splitter::new(delimiter);

    // The header: the first record (blank lines before it are skipped, as the csv crate does).
    if reader.fill(&mut buf, chunk_bytes).is_err() {
        return Ok(None);
    }
    let lead = buf.iter().take_while(|&&b| b == b'\n').count();
    buf.drain(..lead);
    let header_end = loop {
        if let Some(end) = splitter.first_record_end(&buf) {
            break end;
        }
        if reader.eof {
            break buf.len();
        }
        let want = buf.len() + chunk_bytes;
        if reader.fill(&mut buf, want).is_err() {
            return Ok(None);
        }
    };
    if header_end == 0 {
        // Empty file: the single-threaded reader says so.
        return Ok(None);
    }
    let Some(headers) = header_fields(&buf[..header_end], delimiter) else {
        return Ok(None);
    };
    let (plan, resolution) = plan_file(display, &headers, req, opts, targets)?;
    buf.drain(..header_end);
    splitter.consumed(header_end);

    // The targets are not changed from here on: workers make their builders from them.
    let proto: &[Target] = targets;
    let stop = AtomicBool::new(false);
    // Chunk buffers go back to the reader once parsed: the same few are filled again instead
    // of fresh memory being mapped (and faulted in) for every chunk.
    let pool: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());
    let (chunk_tx, chunk_rx) = mpsc::sync_channel::<Chunk>(threads);
    let chunk_rx = Mutex::new(chunk_rx);
    let (out_tx, out_rx) = mpsc::channel::<(usize, Part)>();

    let id = id_field(req.dataset);
    let mut parsed = Parsed::new(proto, resolution);
    parsed.encoding = Some(encoding);
    parsed.delimiter = Some(delimiter);
    let mut fallback = false;

    std::thread::scope(|s| {
        let mut workers = Vec::with_capacity(threads);
        for _ in 0..threads {
            let out_tx = out_tx.clone();
            let (chunk_rx, stop, plan, pool) = (&chunk_rx, &stop, &plan, &pool);
            workers.push(s.spawn(move || {
                // Rolling up, each worker sums its chunks up itself; the sums are merged at the end.
                let mut rolled = roll.map(|(p, file)| rollup::State::new(p, file));
                loop {
                    let next = chunk_rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
                    let Ok(chunk) = next else { break };
                    let out = if stop.load(Ordering::Relaxed) {
                        Part::unread()
                    } else {
                        let fold = rolled.as_mut().map(|state| (state, chunk.seq as u32));
                        parse_chunk(display, &chunk.data, delimiter, plan, proto, opts, id, fold)
                    };
                    pool.lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(chunk.data);
                    if out_tx.send((chunk.seq, out)).is_err() {
                        break;
                    }
                }
                rolled
            }));
        }
        drop(out_tx);

        // Results are appended in file order.
        let mut pending: BTreeMap<usize, Part> = BTreeMap::new();
        let mut next_seq = 0;
        let mut take = |seq: usize, out: Part, fallback: &mut bool| {
            pending.insert(seq, out);
            while let Some(out) = pending.remove(&next_seq) {
                next_seq += 1;
                if !out.clean || *fallback {
                    *fallback = true;
                    stop.store(true, Ordering::Relaxed);
                    continue;
                }
                if parsed.add_read(out).is_err() {
                    *fallback = true;
                }
            }
        };

        let mut seq = 0;
        let mut want = chunk_bytes;
        while !stop.load(Ordering::Relaxed) {
            if reader.fill(&mut buf, want).is_err() {
                fallback = true;
                stop.store(true, Ordering::Relaxed);
                break;
            }
            let cut = if reader.eof {
                buf.len()
            } else {
                match splitter.last_record_end(&buf) {
                    // Blank lines before the cut go with the next chunk, where the record that
                    // follows them counts them (as the single-threaded reader does).
                    Some(mut end) => {
                        while end >= 2 && buf[end - 2] == b'\n' {
                            end -= 1;
                        }
                        end
                    }
                    None => {
                        want = buf.len() + chunk_bytes;
                        continue;
                    }
                }
            };
            want = chunk_bytes;
            if cut > 0 {
                let recycled = pool.lock().unwrap_or_else(|e| e.into_inner()).pop();
                let mut rest =
                    recycled.unwrap_or_else(|| Vec::with_capacity(chunk_bytes + READ_BYTES));
                rest.clear();
                rest.extend_from_slice(&buf[cut..]);
                buf.truncate(cut);
                let data = std::mem::replace(&mut buf, rest);
                splitter.consumed(cut);
                if chunk_tx.send(Chunk { seq, data }).is_err() {
                    fallback = true;
                    break;
                }
                seq += 1;
            }
            while let Ok((seq, out)) = out_rx.try_recv() {
                take(seq, out, &mut fallback);
            }
            if reader.eof && buf.is_empty() {
                break;
            }
        }
        drop(chunk_tx);
        for (seq, out) in out_rx.iter() {
            take(seq, out, &mut fallback);
        }
        if next_seq != seq {
            // A worker stopped without answering for every chunk.
            fallback = true;
        }
        for w in workers {
            match w.join() {
                Ok(Some(state)) => rollup::State::merge_into(&mut parsed.rolled, state),
                Ok(None) => {}
                Err(_) => fallback = true,
            }
        }
    });
    if let Some(pb) = progress {
        pb.finish_and_clear();
    }
    if fallback {
        return Ok(None);
    }
    Ok(Some(parsed))
}

/// Decoded text with normalised line ends, appended to a buffer.
struct Reader {
    text: Box<dyn Read + Send>,
    raw: Vec<u8>,
    pending_cr: bool,
    eof: bool,
}

impl Reader {
    /// Reads until `buf` holds `want` bytes or the input ends.
    fn fill(&mut self, buf: &mut Vec<u8>, want: usize) -> std::io::Result<()> {
        while buf.len() < want && !self.eof {
            let n = match self.text.read(&mut self.raw) {
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if n == 0 {
                self.eof = true;
                chunks::finish_line_ends(&mut self.pending_cr, buf);
            } else {
                chunks::normalize_line_ends(&self.raw[..n], &mut self.pending_cr, buf);
            }
        }
        Ok(())
    }
}

/// The header record's fields, trimmed (None when not UTF-8: the single-threaded reader reports it).
fn header_fields(bytes: &[u8], delimiter: u8) -> Option<Vec<String>> {
    let mut rdr = csv_builder(delimiter).from_reader(bytes);
    let mut record = csv::ByteRecord::new();
    if !rdr.read_byte_record(&mut record).ok()? {
        return None;
    }
    record.iter().map(header_name).collect()
}

/// Parses one chunk of whole records into fresh builders, or, rolling up, straight into the
/// worker's totals (`fold`: its state and the chunk's number).
///
/// Records are cut by the fast [`Tokenizer`]; from a record it does not read (see
/// [`crate::io::tokenize`]) to the end of the chunk, by the `csv` crate.
#[allow(clippy::too_many_arguments)]
fn parse_chunk(
    display: &str,
    data: &[u8],
    delimiter: u8,
    plan: &FilePlan,
    proto: &[Target],
    opts: &LoadOptions,
    id: Option<&str>,
    fold: Option<(&mut rollup::State, u32)>,
) -> Part {
    let mut out = Part::new(proto);
    let mut rows = Rows {
        display,
        plan,
        proto,
        opts,
        id_target: id.and_then(|id| proto.iter().position(|t| t.name == id)),
        fold,
        hashes: Vec::new(),
        col: Collector::new(false),
    };
    // Valid as a whole, so every field (cut at ASCII delimiters and quotes) is valid too.
    let Ok(text) = std::str::from_utf8(data) else {
        return out;
    };
    // Where the csv crate takes over.
    let mut rest = 0;
    if let Some(mut tokens) = Tokenizer::new(text, delimiter) {
        rest = loop {
            match tokens.next_record() {
                Step::End => break data.len(),
                Step::Unusual => break tokens.record_start(),
                Step::Record if tokens.is_blank() => out.blank_rows += 1,
                // Lines are not counted here, nor needed: a chunk with a problem is read again
                // on one thread, which reports it with its line.
                Step::Record => {
                    if !rows.push(&mut out, 0, |i| Cell::Text(tokens.field(i))) {
                        return out;
                    }
                }
            }
        };
        out.blank_rows += tokens.blank_lines();
    }
    if rest < data.len() && !csv_rows(&data[rest..], delimiter, &mut rows, &mut out) {
        return out;
    }
    out.id_hashes = match rows.fold {
        None => id_hashes(&mut out.targets, id),
        Some(_) => rows.id_target.map(|_| {
            rows.hashes.sort_unstable();
            rows.hashes
        }),
    };
    out.clean = true;
    out
}

/// Reads records with the `csv` crate into `rows`; false at the first problem.
fn csv_rows(data: &[u8], delimiter: u8, rows: &mut Rows<'_, '_>, out: &mut Part) -> bool {
    let newlines = NewlineQueue::default();
    newlines
        .borrow_mut()
        .extend(memchr::memchr_iter(b'\n', data).map(|p| p as u64));
    // Lines are counted from the start of `data` (problems are reported by the
    // single-threaded re-read).
    let mut lines = LineIndex {
        newlines,
        before: 0,
        blank: 0,
    };
    let mut rdr = csv_builder(delimiter).from_reader(data);
    let mut record = csv::ByteRecord::new();
    loop {
        match rdr.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(_) => return false,
        }
        let line = lines.line_at(record.position().map_or(0, |p| p.byte()));
        if is_blank_record(&record) {
            out.blank_rows += 1;
            continue;
        }
        let cell = |i: usize| Cell::Text(record.get(i).and_then(|b| std::str::from_utf8(b).ok()));
        if !rows.push(out, line, cell) {
            return false;
        }
    }
    out.blank_rows += lines.blank;
    true
}

/// Where a chunk's rows go: builders (through [`push_row`]) or the worker's totals.
struct Rows<'c, 's> {
    display: &'c str,
    plan: &'c FilePlan,
    proto: &'c [Target],
    opts: &'c LoadOptions,
    id_target: Option<usize>,
    fold: Option<(&'s mut rollup::State, u32)>,
    /// Id hashes of the rows folded (builders give theirs at the end).
    hashes: Vec<u64>,
    col: Collector,
}

impl Rows<'_, '_> {
    /// One row; false once a problem is found (the chunk is then read again on one thread).
    fn push<'a>(&mut self, out: &mut Part, line: u64, cell: impl Fn(usize) -> Cell<'a>) -> bool {
        let (display, plan, opts) = (self.display, self.plan, self.opts);
        match &mut self.fold {
            None => push_row(
                display,
                line,
                cell,
                plan,
                &mut out.targets,
                opts,
                &mut self.col,
            ),
            Some((state, piece)) => {
                let parsed = parse_row(display, line, cell, plan, self.proto, opts, &mut self.col);
                if let Some(vals) = parsed {
                    if let Some(Some(Val::Text(s))) = self.id_target.map(|i| vals.get(i)) {
                        self.hashes.push(id_hash(s));
                    }
                    state.fold_row(&vals, *piece, out.rows as u32);
                }
            }
        }
        out.rows += 1;
        self.col.total_problems == 0
    }
}
