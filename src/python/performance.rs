//! `quantumpanarchy.performance`: backends, threads, CPU features.

use pyo3::prelude::*;

#[pymodule(gil_used = false, submodule)]
pub mod performance {
    use crate::backend::{self, cpu_features as cpu, Choice};
    use crate::parallel;
    use pyo3::prelude::*;
    use pyo3::types::{PyDict, PyList};

    /// Whether this build contains the CUDA backend (it may still be unavailable at run time).
    #[pymodule_export]
    const HAS_CUDA: bool = backend::HAS_CUDA;

    /// Backends usable here, "cpu" first.
    #[pyfunction]
    fn available_backends() -> Vec<&'static str> {
        backend::available().into_iter().map(|b| b.name()).collect()
    }

    /// Set the process-wide default backend: "cpu", "cuda" or "auto" (the Python wrapper in
    /// `performance.py` checks the type; a lone surrogate reads as no valid name).
    #[pyfunction]
    fn set_backend(#[pyo3(from_py_with = super::super::args::text)] name: &str) -> PyResult<()> {
        Ok(backend::set_choice(Choice::parse(name)?)?)
    }

    /// The process-wide default backend choice.
    #[pyfunction]
    fn get_backend() -> &'static str {
        backend::current_choice().name()
    }

    /// Size the worker pool; 0 restores the default (all cores). Results do not depend on it.
    #[pyfunction]
    fn set_num_threads(#[pyo3(from_py_with = super::super::args::int)] n: super::super::args::PyInt) -> PyResult<()> {
        let n = super::super::args::count(n, "n", 0)?;
        Ok(parallel::set_num_threads(n)?)
    }

    /// Size of the worker pool.
    #[pyfunction]
    fn get_num_threads() -> usize {
        parallel::num_threads()
    }

    /// SIMD extensions this CPU supports.
    #[pyfunction]
    fn cpu_features() -> Vec<&'static str> {
        cpu::detected()
    }

    /// Private, for the package's import (`_libraries.py`): the folders where pip installed
    /// NVRTC, searched before the loader's path when CUDA is first used.
    #[pyfunction]
    #[pyo3(name = "_set_nvrtc_dirs")]
    fn set_nvrtc_dirs(dirs: Vec<std::path::PathBuf>) {
        backend::set_nvrtc_dirs(dirs)
    }

    /// Whether CUDA can be used now (built with it, driver and device present).
    #[pyfunction]
    fn cuda_is_available() -> bool {
        backend::cuda_status().available
    }

    /// Everything about the backends as a dict: selection, CPU, CUDA (with the reason when
    /// unavailable) and the devices found, and under "unsupported" the backends this library does
    /// not have (ROCm, Metal) with the reason.
    #[pyfunction]
    fn backend_info(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
        let status = py.detach(backend::cuda_status);
        let info = PyDict::new(py);
        info.set_item("backend", backend::current_choice().name())?;
        info.set_item("available", available_backends())?;
        info.set_item("has_cuda_build", backend::HAS_CUDA)?;
        let cpu = PyDict::new(py);
        cpu.set_item("threads", parallel::num_threads())?;
        cpu.set_item("simd", cpu::detected())?;
        cpu.set_item("kernel", cpu::kernel_variant())?;
        info.set_item("cpu", cpu)?;
        let cuda = PyDict::new(py);
        cuda.set_item("available", status.available)?;
        cuda.set_item("reason", &status.reason)?;
        cuda.set_item("driver_version", status.driver_version)?;
        cuda.set_item("nvrtc_version", status.nvrtc_version)?;
        let devices = PyList::empty(py);
        for d in &status.devices {
            let dev = PyDict::new(py);
            dev.set_item("ordinal", d.ordinal)?;
            dev.set_item("name", &d.name)?;
            dev.set_item("memory_gb", d.memory_bytes as f64 / (1u64 << 30) as f64)?;
            dev.set_item("compute_capability", d.compute_capability)?;
            dev.set_item("multiprocessors", d.multiprocessors)?;
            dev.set_item("mig", d.mig)?;
            devices.append(dev)?;
        }
        cuda.set_item("devices", devices)?;
        info.set_item("cuda", cuda)?;
        let unsupported = PyDict::new(py);
        for (name, reason) in backend::UNSUPPORTED {
            unsupported.set_item(name, reason)?;
        }
        info.set_item("unsupported", unsupported)?;
        Ok(info)
    }
}
