//! crm-cli: customer analytics for freight forwarders and 3PLs.
//!
//! Layers: [`cli`] (clap definitions) → [`commands`] (one per subcommand: load, analyse, build a
//! [`render::Report`]) → [`render`] (one renderer per format). [`io`] is the one loader every
//! command uses; [`analytics`] holds the pure computations.

pub mod analytics;
pub mod cli;
pub mod commands;
pub mod config;
pub mod error;
pub mod io;
pub mod render;

use std::io::{IsTerminal, Write};
use std::path::Path;

use cli::{Cli, Command, FormatArg, LangArg, OutputArgs};
use error::{Error, Result};
use render::{Format, Lang, RenderOptions, Report};

/// Run a parsed command line: compute, write the report, print notes on stderr.
pub fn run(cli: Cli) -> Result<()> {
    let (output_args, input_args) = match &cli.command {
        Command::Tier(a) => (&a.output, &a.input),
        Command::Pareto(a) => (&a.output, &a.input),
        Command::Churn(a) => (&a.output, &a.input),
        Command::Ratios(a) => (&a.output, &a.input),
        Command::Aging(a) => (&a.output, &a.input),
        Command::Service(a) => (&a.output, &a.input),
        Command::Screen(a) => (&a.output, &a.input),
        Command::Report(a) => (&a.output, &a.input),
        Command::Inspect(a) => (&a.output, &a.input),
    };
    let cfg = config::load(input_args.config.as_deref())?;
    let progress = !output_args.quiet && std::io::stderr().is_terminal();
    let out = match &cli.command {
        Command::Tier(a) => commands::tier::run(a, &cfg, progress)?,
        Command::Pareto(a) => commands::pareto::run(a, &cfg, progress)?,
        Command::Churn(a) => commands::churn::run(a, &cfg, progress)?,
        Command::Ratios(a) => commands::ratios::run(a, &cfg, progress)?,
        Command::Aging(a) => commands::aging::run(a, &cfg, progress)?,
        Command::Service(a) => commands::service::run(a, &cfg, progress)?,
        Command::Screen(a) => commands::screen::run(a, &cfg, progress)?,
        Command::Inspect(a) => commands::inspect::run(a, &cfg, progress)?,
        // Several reports in one document, written its own way.
        Command::Report(a) => {
            let out = commands::report::run(a, &cfg, progress)?;
            print_notes(&out.notes, output_args.quiet);
            return commands::report::write(&out);
        }
    };
    print_notes(&out.notes, output_args.quiet);
    let mut report = out.report;
    if let Some(n) = output_args.limit {
        limit_rows(&mut report, n);
    }
    write_report(&report, output_args)
}

/// Notes on stderr as `note: ...`, unless --quiet.
fn print_notes(notes: &[String], quiet: bool) {
    if quiet {
        return;
    }
    let mut err = std::io::stderr().lock();
    for n in notes {
        // stderr closed: nothing more to say.
        let _ = writeln!(err, "note: {n}");
    }
}

/// Keep the first `n` rows of the main table (totals stay: they describe all rows).
fn limit_rows(report: &mut Report, n: usize) {
    match report {
        Report::Rows(t) => t.rows.truncate(n),
        Report::Summary { tables, .. } => {
            for t in tables {
                t.rows.truncate(n);
            }
        }
    }
}

/// The output format: --format, else -o's extension, else table.
fn output_format(args: &OutputArgs) -> Result<FormatArg> {
    if let Some(f) = args.format {
        return Ok(f);
    }
    let Some(path) = &args.output else {
        return Ok(FormatArg::Table);
    };
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if ext == "parquet" {
        return Ok(FormatArg::Parquet);
    }
    match Format::from_extension(path) {
        Some(f) => Ok(match f {
            Format::Table => FormatArg::Table,
            Format::Json => FormatArg::Json,
            Format::Ndjson => FormatArg::Ndjson,
            Format::Csv => FormatArg::Csv,
            Format::Markdown => FormatArg::Markdown,
            Format::Html => FormatArg::Html,
        }),
        None => Err(Error::Usage(format!(
            "-o {}: cannot tell the format from the extension; use .csv .json .ndjson .md .html .parquet or pass --format",
            path.display()
        ))),
    }
}

fn write_report(report: &Report, args: &OutputArgs) -> Result<()> {
    let format = output_format(args)?;
    let lang = match args.lang {
        LangArg::En => Lang::En,
        LangArg::Zh => Lang::Zh,
    };
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let width = if to_terminal {
        comfy_table::Table::new().width()
    } else {
        None
    };
    let render_format = match format {
        FormatArg::Table => Format::Table,
        FormatArg::Json => Format::Json,
        FormatArg::Ndjson => Format::Ndjson,
        FormatArg::Csv => Format::Csv,
        FormatArg::Markdown => Format::Markdown,
        FormatArg::Html => Format::Html,
        FormatArg::Parquet => {
            let path = args
                .output
                .as_deref()
                .ok_or_else(|| Error::Usage("--format parquet needs -o FILE.parquet".into()))?;
            return write_atomically(path, |w| render::parquet::write(report, w));
        }
    };
    let opts = RenderOptions {
        format: render_format,
        lang,
        width,
    };
    match &args.output {
        Some(path) => write_atomically(path, |w| {
            render::render(report, &opts, w).map_err(|e| Error::io(path.display().to_string(), e))
        }),
        None => {
            let stdout = std::io::stdout();
            let mut w = std::io::BufWriter::new(stdout.lock());
            render::render(report, &opts, &mut w)
                .and_then(|_| w.flush())
                .map_err(|e| Error::io("<stdout>", e))
        }
    }
}

/// Write to a temporary file beside `path`, then rename it over `path`: a failed or killed run
/// never leaves half a file, and an existing file stays untouched on failure.
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    let display = path.display().to_string();
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("output");
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let file = std::fs::File::create(&tmp).map_err(|e| Error::io(&display, e))?;
        let mut w = std::io::BufWriter::new(file);
        write(&mut w)?;
        let file = w
            .into_inner()
            .map_err(|e| Error::io(&display, e.into_error()))?;
        file.sync_all().map_err(|e| Error::io(&display, e))?;
        std::fs::rename(&tmp, path).map_err(|e| Error::io(&display, e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
