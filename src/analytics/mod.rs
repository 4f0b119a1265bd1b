//! Pure analytics over polars frames: no I/O, no command-line types.

pub mod activity;
pub mod pareto;
pub mod rfm;
pub mod window;
