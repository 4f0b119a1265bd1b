//! The crm-cli binary: parse, run, report the error, map it to an exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    tune_allocator();
    let cli = match crm_cli::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help / --version go to stdout and exit 0; usage errors exit 2.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match crm_cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

/// glibc returns every freed block above a dynamic threshold to the kernel and maps it again,
/// zeroed, for the next one: the loader's chunk buffers and polars' column buffers, allocated
/// and freed a few MiB at a time, then cost page faults on every chunk (0.7 s of system time
/// in 1.4 s reading 10M rows from Parquet). Blocks up to 32 MiB are kept for reuse instead
/// (docs/BENCHMARKS.md: same speed-up as `MALLOC_MMAP_THRESHOLD_=33554432`).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tune_allocator() {
    const MMAP_THRESHOLD: libc::c_int = 32 << 20;
    const TRIM_THRESHOLD: libc::c_int = 128 << 20;
    // SAFETY: mallopt only sets allocator parameters; it is called before any other thread
    // exists, and a refused setting (return 0) leaves glibc's default in place.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
        libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_allocator() {}
