//! The one error type of crm-cli and its mapping to exit codes.
//!
//! Exit codes: 0 ok, 1 bad input or data ([`Error::Input`], [`Error::Io`], [`Error::BadValues`]),
//! 2 usage ([`Error::Usage`]).

use std::fmt;

/// One problem found in a value of an input file, with its location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// File name as the user gave it (`<stdin>` for standard input).
    pub file: String,
    /// 1-based line of the record in the file (for Parquet/xlsx: the row number, header = row 1).
    pub line: u64,
    /// The header of the column as written in the file (not the canonical field name).
    pub column: String,
    /// What went wrong, e.g. `cannot read '12,3a' as money (expected e.g. 1234.56)`.
    pub message: String,
    /// Later rows of the same file with the same problem in the same column (listed once).
    pub repeats: usize,
    /// The lines of the first few of those rows.
    pub more_lines: Vec<u64>,
}

/// How many lines of repeated problems are named.
pub const MAX_REPEAT_LINES: usize = 5;

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: column '{}': {}",
            self.file, self.line, self.column, self.message
        )?;
        if self.repeats > 0 {
            let s = if self.repeats == 1 { "" } else { "s" };
            let lines: Vec<String> = self.more_lines.iter().map(u64::to_string).collect();
            let more = if self.repeats > self.more_lines.len() {
                ", …"
            } else {
                ""
            };
            write!(
                f,
                " (and {} more row{s} like it: line{s} {}{more})",
                self.repeats,
                lines.join(", ")
            )?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The command line is wrong (exit 2).
    #[error("{0}")]
    Usage(String),
    /// The input is wrong or cannot be used (exit 1).
    #[error("{0}")]
    Input(String),
    /// A file could not be read or written (exit 1).
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// Values that could not be read; `total` counts all problems, `problems` holds the first ones.
    #[error("{}", format_problems(.problems, *.total))]
    BadValues {
        problems: Vec<Problem>,
        total: usize,
    },
}

/// How many problems a [`Error::BadValues`] lists.
pub const MAX_LISTED_PROBLEMS: usize = 20;

fn format_problems(problems: &[Problem], total: usize) -> String {
    let mut s = format!(
        "{} value{} could not be read:",
        total,
        if total == 1 { "" } else { "s" }
    );
    for p in problems {
        s.push_str("\n  ");
        s.push_str(&p.to_string());
    }
    let shown: usize = problems.iter().map(|p| 1 + p.repeats).sum();
    if total > shown {
        s.push_str(&format!("\n  ... and {} more", total - shown));
    }
    s.push_str("\n(fix the file, or pass --skip-bad-rows to drop these rows and count them)");
    s
}

impl Error {
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) => 2,
            _ => 1,
        }
    }

    pub fn io(path: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// True when the error is a closed output pipe (`crm-cli ... | head`): exit 0 quietly.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
    }
}

impl From<polars::error::PolarsError> for Error {
    fn from(e: polars::error::PolarsError) -> Self {
        Error::Input(format!("data error: {e}"))
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
