//! The layering rule, enforced: arrows run domain → backend, never back. Every file under
//! src/backend/ (Rust, CUDA, C++; tests included) is read from the source tree and must neither
//! name a domain module in a Rust path nor include a file from outside src/backend/.

use std::path::{Component, Path, PathBuf};

/// Modules of the crate the backend may use: the shared plumbing, not domains.
const PLUMBING: [&str; 6] = ["backend", "error", "control", "parallel", "rng", "lib"];
/// How a Rust path can reach the crate root.
const ROOTS: [&str; 3] = ["crate", "super", "quantumpanarchy"];

/// The domain modules: every module of src/ that is not plumbing (the binding layer included).
/// Code can only name a module that exists, so the source tree lists them all.
fn domains(src: &Path) -> Vec<String> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(src).unwrap() {
        let path = entry.unwrap().path();
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let module = path.is_dir() || path.extension().is_some_and(|e| e == "rs");
        if module && !PLUMBING.contains(&stem.as_str()) && !names.contains(&stem) {
            names.push(stem);
        }
    }
    names
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The leading identifier of `s`.
fn ident(s: &str) -> &str {
    let s = s.trim_start();
    &s[..s.find(|c| !is_ident(c)).unwrap_or(s.len())]
}

/// The first path segment of each top-level item of the `{...}` group that `s` starts with.
fn group_heads(s: &str) -> Vec<&str> {
    let mut heads = Vec::new();
    let (mut depth, mut item_start) = (0, 1);
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' | ',' if depth == 1 => {
                heads.push(ident(&s[item_start..i]));
                item_start = i + 1;
                if c == '}' {
                    break;
                }
            }
            '}' => depth -= 1,
            _ => {}
        }
    }
    heads
}

/// The `root::domain` paths that `text` names, grouped imports included.
fn domain_paths(text: &str, domains: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    for root in ROOTS {
        let prefix = format!("{root}::");
        for (at, _) in text.match_indices(&prefix) {
            if text[..at].chars().next_back().is_some_and(is_ident) {
                continue;
            }
            let rest = &text[at + prefix.len()..];
            let heads = if rest.starts_with('{') { group_heads(rest) } else { vec![ident(rest)] };
            found.extend(heads.into_iter().filter(|h| domains.iter().any(|d| d == h)).map(|h| format!("{root}::{h}")));
        }
    }
    found
}

/// The files that `text` includes by a quoted path: `include_str!`, `include_bytes!`, `include!`,
/// `#[path = ...]` and C's `#include "..."`.
fn included(text: &str) -> Vec<&str> {
    let mut paths = Vec::new();
    for opener in ["include_str!(\"", "include_bytes!(\"", "include!(\"", "#[path = \"", "#include \""] {
        for (at, _) in text.match_indices(opener) {
            let rest = &text[at + opener.len()..];
            if let Some(end) = rest.find('"') {
                paths.push(&rest[..end]);
            }
        }
    }
    paths
}

/// `path` with `.` and `..` resolved lexically.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Every violation under `backend`, as "file: what".
fn violations(backend: &Path, domains: &[String]) -> Vec<String> {
    let mut all = Vec::new();
    files(backend, &mut all);
    let mut found = Vec::new();
    for file in &all {
        let Ok(text) = std::fs::read_to_string(file) else { continue };
        let shown = file.strip_prefix(backend.parent().unwrap()).unwrap_or(file).display().to_string();
        for path in domain_paths(&text, domains) {
            found.push(format!("{shown}: names {path}"));
        }
        for include in included(&text) {
            if !normalize(&file.parent().unwrap().join(include)).starts_with(normalize(backend)) {
                found.push(format!("{shown}: includes {include}, outside src/backend/"));
            }
        }
    }
    found
}

#[test]
fn the_backend_uses_no_domain_module() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let domains = domains(&src);
    for expected in ["core", "decision", "python"] {
        assert!(domains.iter().any(|d| d == expected), "{expected} not among {domains:?}");
    }
    let found = violations(&src.join("backend"), &domains);
    assert!(found.is_empty(), "src/backend/ must not depend on domain modules:\n{}", found.join("\n"));
}

/// The checker finds what it is meant to find (the samples are assembled at run time, so that this
/// file itself stays clean).
#[test]
fn the_layering_check_catches_violations() {
    let domains: Vec<String> = ["core", "decision"].iter().map(|s| s.to_string()).collect();
    let path = |root: &str, rest: &str| format!("use {root}::{rest};");
    for bad in [
        path("crate", "core::Engine"),
        path("crate", "{error::Result, core::kernel::Method}"),
        path("crate", "{decision::{qaoa, iqad}, rng}"),
        path("super::super", "decision::qaoa::cuda"),
        path("quantumpanarchy", "core"),
        format!("let x = {}::{}::anneal(m);", "crate", "core"),
    ] {
        assert_eq!(domain_paths(&bad, &domains).len(), 1, "missed: {bad}");
    }
    for fine in [
        path("crate", "error::{Error, Result}"),
        path("crate", "backend::cuda::{device, Program}"),
        path("core", "ffi::c_int"),
        path("super", "{guard, core_count}"),
        "pub(crate) fn f() {}".to_string(),
        format!("let s = my{}::core;", "crate"),
    ] {
        assert!(domain_paths(&fine, &domains).is_empty(), "false alarm: {fine}");
    }
    let text = format!(
        "{}(\"../../core/cuda/anneal.cu\") {}(\"emulator.h\") #include \"x.h\"",
        "include_str!", "include_bytes!"
    );
    assert_eq!(included(&text), ["../../core/cuda/anneal.cu", "emulator.h", "x.h"]);
    let backend = Path::new("/repo/src/backend");
    let file_dir = backend.join("cuda");
    assert!(!normalize(&file_dir.join("../../core/cuda/anneal.cu")).starts_with(backend));
    assert!(normalize(&file_dir.join("./emulator.h")).starts_with(backend));
}
