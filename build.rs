//! Links OpenBLAS (LAPACK and BLAS) from the `scipy-openblas32` wheel, the build numpy and scipy
//! vendor into their own manylinux wheels (see `src/lapack.rs` for why this one).
//!
//! The library is found, in order, in `$QUANTUMPANARCHY_OPENBLAS_DIR`, or through the Python that
//! builds us (maturin sets `PYO3_PYTHON`; pip's build environment lists scipy-openblas32 in
//! `[build-system] requires`), the active virtualenv, the project's `.venv`, or `python3`. The
//! directory goes into the rpath, so development builds and test binaries load it in place. The
//! released wheel carries its own copy instead (`maturin build --auditwheel repair` adds
//! `$ORIGIN/../quantumpanarchy.libs`); `nox -s wheel` sets `QUANTUMPANARCHY_NO_RPATH=1` so that
//! no path of the build machine stays in it.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

const LIBRARY: &str = "scipy_openblas";
const DIR_VARIABLE: &str = "QUANTUMPANARCHY_OPENBLAS_DIR";
const NO_RPATH_VARIABLE: &str = "QUANTUMPANARCHY_NO_RPATH";
const ASK_PYTHON: &str = "import scipy_openblas32 as s; print(s.get_lib_dir())";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed={DIR_VARIABLE}");
    println!("cargo:rerun-if-env-changed={NO_RPATH_VARIABLE}");
    let dir = find().unwrap_or_else(|tried| {
        panic!(
            "quantumpanarchy links OpenBLAS from the scipy-openblas32 package, which was not found \
             (tried: {tried}). Install it into the Python that builds quantumpanarchy \
             (`pip install scipy-openblas32`) or set {DIR_VARIABLE} to the directory that holds \
             lib{LIBRARY}.so."
        )
    });
    let library = dir.join(format!("lib{LIBRARY}.so"));
    println!("cargo:rerun-if-changed={}", library.display());
    println!("cargo:rustc-link-search=native={}", dir.display());
    println!("cargo:rustc-link-lib=dylib={LIBRARY}");
    if env::var_os(NO_RPATH_VARIABLE).is_none() {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{}", dir.display());
    }
}

/// The directory holding the library, or a list of what was tried.
fn find() -> Result<PathBuf, String> {
    if let Some(dir) = env::var_os(DIR_VARIABLE) {
        return Ok(PathBuf::from(dir));
    }
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let mut pythons: Vec<PathBuf> =
        ["PYO3_PYTHON", "PYTHON_SYS_EXECUTABLE"].iter().filter_map(|v| env::var_os(v).map(PathBuf::from)).collect();
    pythons.extend(env::var_os("VIRTUAL_ENV").map(|v| Path::new(&v).join("bin/python")));
    pythons.push(manifest.join(".venv/bin/python"));
    pythons.push("python3".into());
    let mut tried = Vec::new();
    for python in pythons {
        let answer = Command::new(&python).args(["-c", ASK_PYTHON]).output();
        if let Some(out) = answer.ok().filter(|o| o.status.success()) {
            let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
            if dir.join(format!("lib{LIBRARY}.so")).is_file() {
                return Ok(dir);
            }
        }
        tried.push(python.display().to_string());
    }
    Err(tried.join(", "))
}
