//! Bindings: swing pivots and chart patterns (`signal::chart`). The typed `PatternDetector`,
//! `Pattern` and `zigzag` are in `python/quantumpanarchy/_signal/chart.py`.

use crate::error::Error;
use crate::python::args::{self, PyInt};
use crate::python::run::run_sized;
use crate::signal::chart::{self, Bars, Kind, Pivot, Settings};
use numpy::PyArray1;
use pyo3::prelude::*;

/// Adds this part's functions to the `signal` module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(chart_zigzag, m)?)?;
    m.add_function(wrap_pyfunction!(chart_detect, m)?)?;
    m.add("CHART_PATTERN_NAMES", chart::NAMES.to_vec())?;
    Ok(())
}

type PivotArrays<'py> =
    (Bound<'py, PyArray1<i64>>, Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<bool>>, Bound<'py, PyArray1<i64>>);

fn pivot_arrays<'py>(py: Python<'py>, pivots: &[Pivot]) -> PivotArrays<'py> {
    (
        PyArray1::from_iter(py, pivots.iter().map(|p| p.index as i64)),
        PyArray1::from_iter(py, pivots.iter().map(|p| p.price)),
        PyArray1::from_iter(py, pivots.iter().map(|p| p.peak)),
        PyArray1::from_iter(py, pivots.iter().map(|p| p.confirmed as i64)),
    )
}

fn read3(
    high: &Bound<'_, PyAny>,
    low: &Bound<'_, PyAny>,
    close: &Bound<'_, PyAny>,
) -> PyResult<(Vec<f64>, Vec<f64>, Vec<f64>)> {
    let (h, l, c) = (args::real_1d(high, "high")?, args::real_1d(low, "low")?, args::real_1d(close, "close")?);
    if h.len() != c.len() || l.len() != c.len() {
        return Err(Error::InvalidInput(format!(
            "high, low and close must have one length, got {}, {} and {}",
            h.len(),
            l.len(),
            c.len()
        ))
        .into());
    }
    Ok((h.to_vec()?, l.to_vec()?, c.to_vec()?))
}

/// (indices, prices, is_peak, confirmed_at) of the zig-zag pivots of `high`/`low`.
#[pyfunction]
pub fn chart_zigzag<'py>(
    py: Python<'py>,
    high: &Bound<'py, PyAny>,
    low: &Bound<'py, PyAny>,
    close: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = args::real)] threshold: f64,
) -> PyResult<PivotArrays<'py>> {
    let (h, l, c) = read3(high, low, close)?;
    let settings = Settings { threshold, tolerance: 0.5, min_duration: 1, min_confidence: 0.0, kinds: 0 };
    let pivots = run_sized(py, h.len() as u64 * 4, |control| {
        settings.check()?;
        Bars { high: &h, low: &l, close: &c }.check()?;
        chart::zigzag(&h, &l, threshold, control)
    })?;
    Ok(pivot_arrays(py, &pivots))
}

/// The detected patterns as columns: (pivots as in `chart_zigzag`, kind codes, start, end,
/// first_pivot, pivot_count, breakout (-1: none), target, bullish, confidence, line_offsets,
/// lines (x0, y0, x1, y1 per row, flattened)).
#[pyfunction]
#[allow(clippy::too_many_arguments, clippy::type_complexity)]
pub fn chart_detect<'py>(
    py: Python<'py>,
    high: &Bound<'py, PyAny>,
    low: &Bound<'py, PyAny>,
    close: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = args::real)] threshold: f64,
    #[pyo3(from_py_with = args::real)] tolerance: f64,
    #[pyo3(from_py_with = args::int)] min_duration: PyInt,
    #[pyo3(from_py_with = args::real)] min_confidence: f64,
    #[pyo3(from_py_with = args::int)] kinds: PyInt,
) -> PyResult<(PivotArrays<'py>, Vec<Bound<'py, PyArray1<i64>>>, Vec<Bound<'py, PyArray1<f64>>>)> {
    let min_duration = args::count(min_duration, "min_duration", 1)?;
    let kinds =
        u32::try_from(kinds).map_err(|_| Error::InvalidInput(format!("kinds must be a 32-bit mask, got {kinds}")))?;
    let (h, l, c) = read3(high, low, close)?;
    let settings = Settings { threshold, tolerance, min_duration, min_confidence, kinds };
    let (pivots, found) = run_sized(py, h.len() as u64 * 64, |control| {
        chart::detect(Bars { high: &h, low: &l, close: &c }, &settings, control)
    })?;
    let ints = |f: &dyn Fn(&chart::Found) -> i64| PyArray1::from_iter(py, found.iter().map(f));
    let mut offsets = vec![0i64];
    for f in &found {
        offsets.push(offsets[offsets.len() - 1] + f.lines.len() as i64);
    }
    let int_cols = vec![
        ints(&|f| i64::from(Kind::code(f.kind))),
        ints(&|f| f.start as i64),
        ints(&|f| f.end as i64),
        ints(&|f| f.first_pivot as i64),
        ints(&|f| f.pivot_count as i64),
        ints(&|f| f.breakout.map_or(-1, |b| b as i64)),
        ints(&|f| i64::from(f.bullish)),
        PyArray1::from_vec(py, offsets),
    ];
    let lines = found.iter().flat_map(|f| f.lines.iter()).flat_map(|l| {
        let (x0, x1) = (l.x0 as f64, l.x1 as f64);
        [x0, l.at(x0), x1, l.at(x1)]
    });
    let real_cols = vec![
        PyArray1::from_iter(py, found.iter().map(|f| f.target)),
        PyArray1::from_iter(py, found.iter().map(|f| f.confidence)),
        PyArray1::from_iter(py, lines),
    ];
    Ok((pivot_arrays(py, &pivots), int_cols, real_cols))
}
