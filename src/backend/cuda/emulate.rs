//! The CPU emulation harness for kernel tests on machines without a GPU: a domain's kernel source
//! and its C++ check program (which includes `emulator.h` and the kernels) are built with g++ and
//! run. Needs g++ on x86-64 Linux (the emulator switches fibers in x86-64 assembly).

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A check: `program` (C++) `#include`s `"emulator.h"` and `kernel_file`, which holds `kernels`
/// with `extern __shared__` made `extern` (the program gives dynamic shared memory a plain global
/// array), and exits non-zero when a check fails.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Check<'a> {
    pub kernel_file: &'a str,
    pub kernels: &'a str,
    pub program: &'a str,
}

/// What a check printed, and whether it passed.
#[derive(Debug, Clone)]
pub(crate) struct Report {
    pub output: String,
    pub passed: bool,
}

/// Builds `check` and runs it with `args`; `None` without g++. A program that does not compile
/// fails the calling test with the compiler's messages.
pub(crate) fn emulate(check: &Check, args: &[&Path]) -> Option<Report> {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    let stem = check.kernel_file.trim_end_matches(".cu");
    let run = RUNS.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("quantumpanarchy-{stem}-{}-{run}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(check.kernel_file), check.kernels.replace("extern __shared__", "extern")).unwrap();
    std::fs::write(dir.join("emulator.h"), include_str!("emulator.h")).unwrap();
    std::fs::write(dir.join("check.cpp"), check.program).unwrap();
    let exe = dir.join("check");
    let built = Command::new("g++")
        .args(["-std=c++17", "-O2", "-Wno-unknown-pragmas", "-o"])
        .arg(&exe)
        .arg(dir.join("check.cpp"))
        .output();
    let Ok(built) = built else {
        println!("g++ not found: kernel emulation skipped");
        std::fs::remove_dir_all(&dir).ok();
        return None;
    };
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    let ran = Command::new(&exe).args(args).output().unwrap();
    std::fs::remove_dir_all(&dir).ok();
    let output = format!("{}{}", String::from_utf8_lossy(&ran.stdout), String::from_utf8_lossy(&ran.stderr));
    Some(Report { output, passed: ran.status.success() })
}

/// [`emulate`] for a test: prints the report and fails the test when the check failed (skips
/// without g++).
pub(crate) fn assert_passes(check: &Check, args: &[&Path]) {
    if let Some(report) = emulate(check, args) {
        println!("{}", report.output);
        assert!(report.passed, "{}", report.output);
    }
}
