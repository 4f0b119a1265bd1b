//! Pure analytics over polars frames: no I/O, no command-line types.

pub mod rfm;
