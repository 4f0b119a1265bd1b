//! Pure analytics over polars frames: no I/O, no command-line types.

pub mod activity;
pub mod aging;
pub mod bgnbd;
pub mod churn;
pub mod frame;
pub mod pareto;
pub mod ratios;
pub mod rfm;
pub mod rollup;
pub mod screen;
pub mod service;
pub mod window;
