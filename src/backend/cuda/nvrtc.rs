//! NVRTC, loaded at run time by a search this module controls.
//!
//! cudarc 0.19, built against the CUDA 12.4 headers, looks for libnvrtc.so, libnvrtc.so.12 and
//! older names only: on a machine with CUDA 13 alone (libnvrtc.so.13, from the toolkit or pip's
//! `nvidia-cuda-nvrtc`) it finds no compiler. The handful of NVRTC calls the backend makes have the
//! same C signatures in CUDA 11.2 to 13, so this module opens whichever of those is there,
//! preferring the one that matches the driver.
//!
//! pip's NVIDIA wheels put NVRTC where the loader does not look (`nvidia/cu13/lib` for CUDA 13,
//! `nvidia/cuda_nvrtc/lib` for CUDA 12): the Python package finds those folders at import, without
//! loading anything, and hands them over ([`set_search_dirs`]); each name is tried there by full
//! path before the loader's own search. NVRTC loads its builtins library (`libnvrtc-builtins`)
//! from its own folder (the wheels' NVRTC has `$ORIGIN` as its run path).

use libloading::Library;
use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::path::PathBuf;
use std::ptr::{null, null_mut};
use std::sync::{Mutex, OnceLock, PoisonError};

/// NVRTC sonames by CUDA major version, newest first.
const SONAMES: [(i32, &str); 3] = [(13, "libnvrtc.so.13"), (12, "libnvrtc.so.12"), (11, "libnvrtc.so.11.2")];
/// A toolkit's unversioned development link, of unknown version: the last resort.
const UNVERSIONED: &str = "libnvrtc.so";

/// The library names to try, in order, next to a driver of CUDA major version `driver_major`
/// (`None`: no driver, or its version is unknown). Code from an NVRTC of a later major version
/// than the driver's does not load, so the newest NVRTC no newer than the driver comes first, then
/// older ones, then newer ones (nearest first), then the unversioned link.
pub(crate) fn candidates(driver_major: Option<i32>) -> Vec<&'static str> {
    let fits = |major: i32| driver_major.is_none_or(|driver| major <= driver);
    let mut names: Vec<&'static str> = SONAMES.iter().filter(|(m, _)| fits(*m)).map(|(_, n)| *n).collect();
    names.extend(SONAMES.iter().rev().filter(|(m, _)| !fits(*m)).map(|(_, n)| *n));
    names.push(UNVERSIONED);
    names
}

/// Folders searched before the loader's path (pip's NVRTC lib folders, from the Python package).
static SEARCH_DIRS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Sets the folders in which each NVRTC name is looked for before the loader's own search, in
/// order. Used before NVRTC is first opened (the Python package calls it at import); later it
/// changes nothing.
pub(crate) fn set_search_dirs(dirs: Vec<PathBuf>) {
    *SEARCH_DIRS.lock().unwrap_or_else(PoisonError::into_inner) = dirs;
}

/// What to open, in order: each of `names` as a file of each of `dirs` that holds it, then as a
/// bare name for the loader to find. The driver's preference among versions comes first, the
/// folders second: a CUDA 12 driver gets the loader's libnvrtc.so.12 before a folder's
/// libnvrtc.so.13.
fn paths(names: &[&str], dirs: &[PathBuf]) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    for &name in names {
        paths.extend(dirs.iter().map(|dir| dir.join(name)).filter(|path| path.is_file()));
        paths.push(PathBuf::from(name));
    }
    paths
}

/// NVRTC for this process, chosen for the installed driver on first use; the error says which
/// names were tried.
pub(crate) fn library() -> Result<&'static Nvrtc, String> {
    static LIBRARY: OnceLock<Result<Nvrtc, String>> = OnceLock::new();
    LIBRARY
        .get_or_init(|| {
            let names = candidates(super::probe::driver_version().map(|v| v / 1000));
            let dirs = SEARCH_DIRS.lock().unwrap_or_else(PoisonError::into_inner).clone();
            open(&paths(&names, &dirs))
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// The first of `paths` that loads and has every function this module calls.
fn open(paths: &[PathBuf]) -> Result<Nvrtc, String> {
    let mut problems = Vec::new();
    for path in paths {
        let name = path.display().to_string();
        // SAFETY: loading NVRTC runs only its own initialisers, which have no preconditions.
        match unsafe { Library::new(path) } {
            Ok(lib) => match Nvrtc::bind(name, lib) {
                Ok(nvrtc) => return Ok(nvrtc),
                Err(e) => problems.push(e),
            },
            Err(e) => problems.push(format!("{name}: {}", load_error(&name, &e))),
        }
    }
    Err(format!("looked for {}", problems.join("; ")))
}

/// Why `name` did not load, in dlopen's words (libloading's own message is only "dlopen failed";
/// dlerror's text is its source). dlerror names the file it could not open, which is `name`
/// itself or a library `name` needs; `name` is not repeated.
fn load_error(name: &str, e: &libloading::Error) -> String {
    let detail = std::error::Error::source(e).map_or_else(|| e.to_string(), ToString::to_string);
    detail.strip_prefix(name).and_then(|rest| rest.strip_prefix(": ")).unwrap_or(&detail).to_string()
}

type Status = c_int;
type RawProgram = *mut c_void;
const SUCCESS: Status = 0;
type SizeFn = unsafe extern "C" fn(RawProgram, *mut usize) -> Status;
type ReadFn = unsafe extern "C" fn(RawProgram, *mut c_char) -> Status;

/// What a compilation produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Output {
    /// PTX text, which the driver compiles for the device when it loads it.
    Ptx,
    /// A cubin: machine code for the one architecture named by `--gpu-architecture=sm_XY`.
    Cubin,
}

/// An opened NVRTC: the library and the functions the backend calls.
pub(crate) struct Nvrtc {
    /// The name or path it was opened by.
    name: String,
    version: Option<(i32, i32)>,
    /// The architectures it compiles for, as 10 × major + minor, ascending.
    archs: Vec<i32>,
    create: unsafe extern "C" fn(
        *mut RawProgram,
        *const c_char,
        *const c_char,
        c_int,
        *const *const c_char,
        *const *const c_char,
    ) -> Status,
    compile: unsafe extern "C" fn(RawProgram, c_int, *const *const c_char) -> Status,
    log_size: SizeFn,
    log: ReadFn,
    ptx_size: SizeFn,
    ptx: ReadFn,
    cubin_size: SizeFn,
    cubin: ReadFn,
    destroy: unsafe extern "C" fn(*mut RawProgram) -> Status,
    error_string: unsafe extern "C" fn(Status) -> *const c_char,
    /// Keeps the functions above mapped.
    _library: Library,
}

/// Looks `symbol` up in `lib` as a value of type `F` (a function pointer).
///
/// # Safety
/// `F` must be the symbol's C type.
unsafe fn symbol<F: Copy>(lib: &Library, name: &str, symbol: &str) -> Result<F, String> {
    // SAFETY: the caller names the symbol's type.
    unsafe { lib.get::<F>(symbol.as_bytes()) }.map(|s| *s).map_err(|_| format!("{name}: has no {symbol}"))
}

impl Nvrtc {
    fn bind(name: String, lib: Library) -> Result<Self, String> {
        // SAFETY: each type is the function's C prototype in nvrtc.h (CUDA 11.2 to 13), with
        // nvrtcResult as a C int and nvrtcProgram as an opaque pointer.
        let nvrtc = unsafe {
            Self {
                name: String::new(),
                version: None,
                archs: Vec::new(),
                create: symbol(&lib, &name, "nvrtcCreateProgram")?,
                compile: symbol(&lib, &name, "nvrtcCompileProgram")?,
                log_size: symbol(&lib, &name, "nvrtcGetProgramLogSize")?,
                log: symbol(&lib, &name, "nvrtcGetProgramLog")?,
                ptx_size: symbol(&lib, &name, "nvrtcGetPTXSize")?,
                ptx: symbol(&lib, &name, "nvrtcGetPTX")?,
                cubin_size: symbol(&lib, &name, "nvrtcGetCUBINSize")?,
                cubin: symbol(&lib, &name, "nvrtcGetCUBIN")?,
                destroy: symbol(&lib, &name, "nvrtcDestroyProgram")?,
                error_string: symbol(&lib, &name, "nvrtcGetErrorString")?,
                _library: lib,
            }
        };
        // SAFETY: the prototype of nvrtcVersion(int*, int*) in nvrtc.h.
        let version_fn: unsafe extern "C" fn(*mut c_int, *mut c_int) -> Status =
            unsafe { symbol(&nvrtc._library, &name, "nvrtcVersion")? };
        let (mut major, mut minor) = (0, 0);
        // SAFETY: writes two ints through valid pointers.
        let version = (unsafe { version_fn(&mut major, &mut minor) } == SUCCESS).then_some((major, minor));
        let archs = nvrtc.supported_archs(&name)?;
        Ok(Self { name, version, archs, ..nvrtc })
    }

    /// Asks NVRTC which architectures it compiles for (nvrtcGetSupportedArchs, CUDA 11.2 on).
    fn supported_archs(&self, name: &str) -> Result<Vec<i32>, String> {
        // SAFETY: the prototypes of nvrtcGetNumSupportedArchs(int*) and
        // nvrtcGetSupportedArchs(int*) in nvrtc.h.
        let (count_fn, list_fn) = unsafe {
            let count: unsafe extern "C" fn(*mut c_int) -> Status =
                symbol(&self._library, name, "nvrtcGetNumSupportedArchs")?;
            let list: unsafe extern "C" fn(*mut c_int) -> Status =
                symbol(&self._library, name, "nvrtcGetSupportedArchs")?;
            (count, list)
        };
        let mut count: c_int = 0;
        // SAFETY: writes one int through a valid pointer.
        self.check(unsafe { count_fn(&mut count) }, name, "counting the supported architectures")?;
        let mut archs = vec![0; usize::try_from(count).unwrap_or(0)];
        if archs.is_empty() {
            return Err(format!("{name}: reports no supported architecture"));
        }
        // SAFETY: `archs` holds the `count` ints NVRTC reported.
        self.check(unsafe { list_fn(archs.as_mut_ptr()) }, name, "listing the supported architectures")?;
        archs.sort_unstable();
        Ok(archs)
    }

    /// The name or path the library was opened by.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// NVRTC's (major, minor) CUDA version.
    pub(crate) fn version(&self) -> Option<(i32, i32)> {
        self.version
    }

    /// The architectures it compiles for, as 10 × major + minor (75 for compute capability 7.5),
    /// ascending; never empty.
    pub(crate) fn archs(&self) -> &[i32] {
        &self.archs
    }

    /// "NVRTC 13.0 (libnvrtc.so.13)", for messages.
    pub(crate) fn label(&self) -> String {
        match self.version {
            Some((major, minor)) => format!("NVRTC {major}.{minor} ({})", self.name),
            None => format!("NVRTC ({})", self.name),
        }
    }

    /// Compiles `source` (called `name` in messages) with `options`: PTX text without its final
    /// NUL, or a cubin. The error holds NVRTC's log.
    pub(crate) fn compile(
        &self,
        source: &str,
        name: &str,
        options: &[String],
        output: Output,
    ) -> Result<Vec<u8>, String> {
        let c_source = CString::new(source).map_err(|_| format!("{name}: the source holds a NUL byte"))?;
        let c_name = CString::new(name).map_err(|_| format!("{name}: the name holds a NUL byte"))?;
        let c_options = options
            .iter()
            .map(|o| CString::new(o.as_str()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| format!("{name}: an option holds a NUL byte"))?;
        let option_ptrs: Vec<*const c_char> = c_options.iter().map(|o| o.as_ptr()).collect();
        let mut raw: RawProgram = null_mut();
        // SAFETY: the source and name are NUL-terminated and outlive the call; no headers (two
        // null arrays with a count of 0); `raw` receives the program.
        let status = unsafe { (self.create)(&mut raw, c_source.as_ptr(), c_name.as_ptr(), 0, null(), null()) };
        self.check(status, name, "creating the program")?;
        let program = Program { nvrtc: self, raw };
        let count = c_int::try_from(option_ptrs.len()).map_err(|_| format!("{name}: too many options"))?;
        // SAFETY: `raw` is a live program; `option_ptrs` holds `count` C strings that outlive the call.
        let status = unsafe { (self.compile)(program.raw, count, option_ptrs.as_ptr()) };
        if status != SUCCESS {
            let log = program.read(self.log_size, self.log).unwrap_or_default();
            return Err(format!(
                "{}: {} ({}):\n{}",
                name,
                self.describe(status),
                options.join(" "),
                String::from_utf8_lossy(trim_nul(&log))
            ));
        }
        let bytes = match output {
            Output::Ptx => program.read(self.ptx_size, self.ptx).map(|mut text| {
                text.truncate(trim_nul(&text).len());
                text
            }),
            Output::Cubin => program.read(self.cubin_size, self.cubin),
        };
        bytes.map_err(|status| format!("{name}: {} while reading the output", self.describe(status)))
    }

    fn check(&self, status: Status, name: &str, what: &str) -> Result<(), String> {
        if status == SUCCESS {
            Ok(())
        } else {
            Err(format!("{name}: {} while {what}", self.describe(status)))
        }
    }

    /// NVRTC's name for `status`.
    fn describe(&self, status: Status) -> String {
        // SAFETY: nvrtcGetErrorString takes any value and returns a static string or null.
        let text = unsafe { (self.error_string)(status) };
        if text.is_null() {
            format!("NVRTC error {status}")
        } else {
            // SAFETY: a non-null result is a static NUL-terminated string.
            unsafe { CStr::from_ptr(text) }.to_string_lossy().into_owned()
        }
    }
}

/// A live NVRTC program, destroyed when dropped.
struct Program<'a> {
    nvrtc: &'a Nvrtc,
    raw: RawProgram,
}

impl Program<'_> {
    /// One of the program's outputs (log, PTX, cubin) by its size and read functions.
    fn read(&self, size: SizeFn, read: ReadFn) -> Result<Vec<u8>, Status> {
        let mut len = 0usize;
        // SAFETY: `raw` is a live program; writes one size_t.
        let status = unsafe { size(self.raw, &mut len) };
        if status != SUCCESS {
            return Err(status);
        }
        let mut out = vec![0u8; len.max(1)];
        // SAFETY: `out` holds the `len` bytes NVRTC reported for this output.
        let status = unsafe { read(self.raw, out.as_mut_ptr().cast()) };
        out.truncate(len);
        if status == SUCCESS {
            Ok(out)
        } else {
            Err(status)
        }
    }
}

impl Drop for Program<'_> {
    fn drop(&mut self) {
        // SAFETY: `raw` was created by nvrtcCreateProgram and is destroyed once, here.
        unsafe { (self.nvrtc.destroy)(&mut self.raw) };
    }
}

fn trim_nul(bytes: &[u8]) -> &[u8] {
    let end = bytes.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    &bytes[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_prefer_the_drivers_major_version() {
        let cuda13 = ["libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2", "libnvrtc.so"];
        assert_eq!(candidates(Some(13)), cuda13);
        assert_eq!(candidates(None), cuda13);
        assert_eq!(candidates(Some(14)), cuda13);
        assert_eq!(candidates(Some(12)), ["libnvrtc.so.12", "libnvrtc.so.11.2", "libnvrtc.so.13", "libnvrtc.so"]);
        assert_eq!(candidates(Some(11)), ["libnvrtc.so.11.2", "libnvrtc.so.12", "libnvrtc.so.13", "libnvrtc.so"]);
    }

    #[test]
    fn a_missing_library_names_what_was_tried() {
        let Err(err) = open(&[PathBuf::from("libquantumpanarchy-no-such-nvrtc.so.99")]) else {
            panic!("loaded a library that does not exist")
        };
        // dlopen's own message, which says why (here: no such file)
        assert!(err.contains("libquantumpanarchy-no-such-nvrtc.so.99: "), "{err}");
        assert!(err.contains("No such file or directory") || !cfg!(target_os = "linux"), "{err}");
        assert_eq!(err.matches("no-such-nvrtc").count(), 1, "the name once: {err}");
        // a library without NVRTC's functions is passed over (glibc's libm is in every process)
        if cfg!(all(target_os = "linux", target_env = "gnu")) {
            let Err(err) = open(&[PathBuf::from("libm.so.6")]) else { panic!("libm taken for NVRTC") };
            assert!(err.contains("libm.so.6: has no nvrtcCreateProgram"), "{err}");
        }
    }

    /// pip's two layouts, with NVRTC's builtins library beside it: each name is tried in the
    /// folders that hold it, then on the loader's path, in the driver's order; a builtins library
    /// is never tried, and a folder without the name adds nothing.
    #[test]
    fn search_dirs_are_tried_first_for_each_name() {
        let root = std::env::temp_dir().join(format!("quantumpanarchy-nvrtc-dirs-{}", std::process::id()));
        let (cu13, cu12, empty) = (root.join("cu13/lib"), root.join("cuda_nvrtc/lib"), root.join("empty/lib"));
        for (dir, files) in [
            (&cu13, &["libnvrtc.so.13", "libnvrtc-builtins.so.13.5"][..]),
            (&cu12, &["libnvrtc.so.12", "libnvrtc-builtins.so.12.9"][..]),
            (&empty, &[][..]),
        ] {
            std::fs::create_dir_all(dir).unwrap();
            for file in files {
                std::fs::write(dir.join(file), b"").unwrap();
            }
        }
        let dirs = [cu13.clone(), empty, cu12.clone()];
        let bare = PathBuf::from;
        assert_eq!(
            paths(&candidates(Some(13)), &dirs),
            [
                cu13.join("libnvrtc.so.13"),
                bare("libnvrtc.so.13"),
                cu12.join("libnvrtc.so.12"),
                bare("libnvrtc.so.12"),
                bare("libnvrtc.so.11.2"),
                bare("libnvrtc.so")
            ]
        );
        assert_eq!(
            paths(&candidates(Some(12)), &dirs),
            [
                cu12.join("libnvrtc.so.12"),
                bare("libnvrtc.so.12"),
                bare("libnvrtc.so.11.2"),
                cu13.join("libnvrtc.so.13"),
                bare("libnvrtc.so.13"),
                bare("libnvrtc.so")
            ]
        );
        assert_eq!(paths(&candidates(None), &[]), candidates(None).into_iter().map(bare).collect::<Vec<_>>());
        // a stand-in that is no library is reported by its path, in dlopen's words
        let Err(err) = open(&[cu13.join("libnvrtc.so.13")]) else { panic!("an empty file loaded") };
        assert!(err.contains(&format!("{}: ", cu13.join("libnvrtc.so.13").display())), "{err}");
        std::fs::remove_dir_all(&root).ok();
    }

    #[test]
    fn output_text_loses_its_terminating_nuls() {
        assert_eq!(trim_nul(b"ptx\0"), b"ptx");
        assert_eq!(trim_nul(b"ptx"), b"ptx");
        assert_eq!(trim_nul(b"\0\0"), b"");
    }
}
