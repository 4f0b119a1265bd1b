//! Input: the one loader every command uses.
//!
//! - [`source`]: which files (globs, `-` for stdin, `.gz`), and their format.
//! - [`encoding`]: UTF-8 / UTF-16 / GBK detection and transcoding to UTF-8.
//! - [`sniff`]: delimiter detection.
//! - [`chunks`]: cutting decoded text into chunks of whole records for parallel parsing.
//! - [`tokenize`]: the fast tokenizer of those chunks (the `csv` crate reads what it does not).
//! - [`fields`]: canonical fields of each dataset and the header alias table.
//! - [`parse`]: exact money, dates, ids.
//! - [`load`]: all of the above into a typed polars DataFrame, with problems reported by file:line.

pub mod chunks;
pub mod encoding;
pub mod fields;
pub mod load;
pub mod parse;
pub mod sniff;
pub mod source;
pub mod tokenize;
