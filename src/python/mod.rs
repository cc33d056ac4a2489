//! The binding layer: the only code that knows about PyO3, numpy and the GIL. Each submodule
//! is declared in its own file and listed once here; `_native`'s init registers them in
//! `sys.modules` so `import quantumpanarchy._native.core` works.

mod args;
mod automl;
mod blackswan;
mod cas;
mod core;
mod decision;
mod fresh;
mod infrastructure;
mod intelligence;
mod lock;
mod performance;
mod risk;
mod run;
mod signal;

use pyo3::prelude::*;

#[pymodule(gil_used = false)]
pub mod _native {
    use pyo3::prelude::*;

    #[rustfmt::skip]
    #[pymodule_export]
    use super::{
        automl::automl, blackswan::blackswan, cas::cas, core::core, decision::decision, infrastructure::infrastructure,
        intelligence::intelligence, performance::performance, risk::risk, signal::signal,
    };

    /// Submodules, registered in `sys.modules` under `quantumpanarchy._native.<name>`.
    const SUBMODULES: [&str; 9] =
        ["blackswan", "cas", "core", "decision", "infrastructure", "intelligence", "performance", "risk", "signal"];

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add("__version__", env!("CARGO_PKG_VERSION"))?;
        // Load numpy's C API now: rust-numpy loads it on first use and panics if that fails,
        // which a Ctrl-C pending at that moment makes it do (a PanicException past `except
        // Exception`). Here a failure is an ordinary ImportError of this module.
        numpy::PyArray1::<f64>::zeros(m.py(), 0, false);
        // Rust `log` records go to Python's `logging` (logger names start with "quantumpanarchy").
        // No caching: level changes made later in Python take effect (nothing logs in hot loops).
        if let Ok(logger) = pyo3_log::Logger::new(m.py(), pyo3_log::Caching::Nothing) {
            let _ = logger.install();
        }
        let modules = m.py().import("sys")?.getattr("modules")?;
        for name in SUBMODULES {
            modules.set_item(format!("quantumpanarchy._native.{name}"), m.getattr(name)?)?;
        }
        Ok(())
    }
}
