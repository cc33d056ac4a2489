//! Bindings: TA-Lib's candlestick patterns and candle settings. The typed public functions are
//! in `python/quantumpanarchy/_signal/candles.py`.

use crate::error::Error;
use crate::python::args::{self, Reals};
use crate::python::fresh::filled;
use crate::python::run::run_sized;
use crate::signal::candles::bars::Bars;
use crate::signal::candles::settings::{self, CandleSetting, CandleSettings, RangeType, Setting};
use crate::signal::candles::{self as candles, PATTERNS};
use numpy::ndarray::{Axis, CowArray, Ix2, IxDyn};
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use rayon::prelude::*;
use std::borrow::Cow;

/// The settings a call uses: the process-wide table, or the 11 `(range_type, avg_period,
/// factor)` triples the Python layer passes.
fn settings_of(table: Option<Vec<(i64, i64, f64)>>) -> PyResult<CandleSettings> {
    let Some(rows) = table else { return Ok(settings::global()) };
    if rows.len() != CandleSetting::ALL.len() {
        return Err(Error::InvalidInput(format!("a candle settings table has 11 rows, got {}", rows.len())).into());
    }
    let mut s = settings::DEFAULTS;
    for (which, (rt, period, factor)) in CandleSetting::ALL.iter().zip(rows) {
        s.set(*which, Setting::new(RangeType::from_index(rt)?, period, factor)?);
    }
    Ok(s)
}

/// Open, high, low and close of the same shape (1-D, or 2-D with one series per column).
struct Ohlc<'py> {
    cols: [Reals<'py, IxDyn>; 4],
}

impl<'py> Ohlc<'py> {
    fn new(
        o: &Bound<'py, PyAny>,
        h: &Bound<'py, PyAny>,
        l: &Bound<'py, PyAny>,
        c: &Bound<'py, PyAny>,
    ) -> PyResult<Self> {
        let cols = [
            args::reals::<IxDyn>(o, "open", true)?,
            args::reals::<IxDyn>(h, "high", true)?,
            args::reals::<IxDyn>(l, "low", true)?,
            args::reals::<IxDyn>(c, "close", true)?,
        ];
        let shape = cols[0].shape().to_vec();
        let names = ["open", "high", "low", "close"];
        for (r, name) in cols.iter().zip(names) {
            if r.shape() != shape.as_slice() {
                return Err(Error::InvalidInput(format!(
                    "open, high, low and close must have the same shape, got open {} and {name} {}",
                    args::shape_text(&shape),
                    args::shape_text(r.shape())
                ))
                .into());
            }
        }
        Ok(Self { cols })
    }

    fn shape(&self) -> (usize, usize, bool) {
        match *self.cols[0].shape() {
            [n] => (n, 1, true),
            [n, m] => (n, m, false),
            _ => (0, 0, true),
        }
    }

    /// The four inputs as float64 views (the caller's memory for float64, widened copies else).
    fn views(&self) -> PyResult<Vec<CowArray<'_, f64, IxDyn>>> {
        self.cols.iter().map(|r| r.view().map_err(PyErr::from)).collect()
    }
}

/// Column `j` of a 1-D or 2-D view as a slice: borrowed where it is contiguous (1-D arrays,
/// Fortran-order or single-column 2-D arrays), copied in one pass otherwise.
fn column<'a>(v: &'a CowArray<'_, f64, IxDyn>, j: usize) -> crate::error::Result<Cow<'a, [f64]>> {
    let view = v.view();
    let view = if view.ndim() == 1 { view.insert_axis(Axis(1)) } else { view };
    let v2 = view.into_dimensionality::<Ix2>().map_err(|e| Error::Internal(format!("a price view: {e}")))?;
    let col = v2.index_axis_move(Axis(1), j);
    if let Some(s) = col.to_slice() {
        return Ok(Cow::Borrowed(s));
    }
    let what = format!("a copy of {} prices", col.len());
    Ok(Cow::Owned(crate::error::try_collect(col.iter().copied(), &what)?))
}

/// Series `j` of four views, as (open, high, low, close) slices.
fn series<'a>(views: &'a [CowArray<'_, f64, IxDyn>], j: usize) -> crate::error::Result<[Cow<'a, [f64]>; 4]> {
    Ok([column(&views[0], j)?, column(&views[1], j)?, column(&views[2], j)?, column(&views[3], j)?])
}

/// Pattern `pattern` (TA-Lib's name) over open/high/low/close: an int32 array of their shape.
#[pyfunction]
#[pyo3(signature = (pattern, open, high, low, close, settings = None, penetration = None))]
#[allow(clippy::too_many_arguments)]
pub fn candle_pattern<'py>(
    py: Python<'py>,
    #[pyo3(from_py_with = args::text)] pattern: &str,
    open: &Bound<'py, PyAny>,
    high: &Bound<'py, PyAny>,
    low: &Bound<'py, PyAny>,
    close: &Bound<'py, PyAny>,
    settings: Option<Vec<(i64, i64, f64)>>,
    #[pyo3(from_py_with = args::opt_real)] penetration: Option<f64>,
) -> PyResult<Bound<'py, PyAny>> {
    let which = candles::find(pattern)?;
    let s = settings_of(settings)?;
    if let Some(p) = penetration {
        candles::check_penetration(p)?;
    }
    let ohlc = Ohlc::new(open, high, low, close)?;
    let (n, m, one_d) = ohlc.shape();
    let views = ohlc.views()?;
    // A few operations per bar: a single pattern over a million bars takes milliseconds.
    let units = (n as u64).saturating_mul(m as u64).saturating_mul(4);
    let fill = |out: &mut [i32]| {
        run_sized(py, units, |control| {
            if n == 0 {
                return Ok(());
            }
            let pen = penetration.or(PATTERNS[which].penetration).unwrap_or(0.0);
            let one = |(j, col): (usize, &mut [i32])| -> crate::error::Result<()> {
                control.check()?;
                // Copied here (for a strided 2-D input), inside the interruptible parallel loop.
                let [o, h, l, c] = series(&views, j)?;
                let b = Bars::new(&o, &h, &l, &c);
                candles::run_into(which, &b, &s, pen, candles::first_valid(&b), col);
                Ok(())
            };
            if m == 1 {
                // One series: on this thread, without waking the pool's.
                one((0, out))
            } else {
                crate::parallel::install(|| out.par_chunks_mut(n).enumerate().try_for_each(one))?
            }
        })
    };
    const WHAT: &str = "a candlestick pattern's output";
    if one_d {
        return Ok(filled(py, n, false, WHAT, fill)?.into_any());
    }
    Ok(filled(py, (n, m), true, WHAT, fill)?.into_any())
}

/// All 61 patterns over 1-D open/high/low/close: an int32 array of shape (bars, 61)
/// (Fortran order: each pattern's column is contiguous).
#[pyfunction]
#[pyo3(signature = (open, high, low, close, settings = None, penetration = None))]
pub fn candle_table<'py>(
    py: Python<'py>,
    open: &Bound<'py, PyAny>,
    high: &Bound<'py, PyAny>,
    low: &Bound<'py, PyAny>,
    close: &Bound<'py, PyAny>,
    settings: Option<Vec<(i64, i64, f64)>>,
    #[pyo3(from_py_with = args::opt_real)] penetration: Option<f64>,
) -> PyResult<Bound<'py, PyAny>> {
    let s = settings_of(settings)?;
    let ohlc = Ohlc::new(open, high, low, close)?;
    let (n, _, one_d) = ohlc.shape();
    if !one_d {
        return Err(Error::InvalidInput(format!(
            "candlesticks takes 1-D open/high/low/close, got shape {}",
            args::shape_text(ohlc.cols[0].shape())
        ))
        .into());
    }
    let views = ohlc.views()?;
    let [o, h, l, c] = series(&views, 0)?;
    let units = (n as u64).saturating_mul(PATTERNS.len() as u64).saturating_mul(16);
    let table = filled(py, (n, PATTERNS.len()), true, "the candlestick table", |out: &mut [i32]| {
        run_sized(py, units, |control| {
            crate::parallel::install(|| {
                candles::candlesticks(&Bars::new(&o, &h, &l, &c), &s, penetration, control, out)
            })?
        })
    })?;
    Ok(table.into_any())
}

/// The 61 pattern names in TA-Lib's order, and their default penetrations (None for most).
#[pyfunction]
pub fn candle_patterns(py: Python<'_>) -> PyResult<Bound<'_, PyTuple>> {
    let rows: Vec<(&str, Option<f64>)> = PATTERNS.iter().map(|p| (p.name, p.penetration)).collect();
    PyTuple::new(py, rows)
}

/// TA-Lib's look-back of `pattern` under the given (or the process-wide) settings.
#[pyfunction]
#[pyo3(signature = (pattern, settings = None))]
pub fn candle_lookback(
    #[pyo3(from_py_with = args::text)] pattern: &str,
    settings: Option<Vec<(i64, i64, f64)>>,
) -> PyResult<usize> {
    let which = candles::find(pattern)?;
    Ok(PATTERNS[which].lookback(&settings_of(settings)?))
}

/// The process-wide settings: 11 `(range_type, avg_period, factor)` rows.
#[pyfunction]
pub fn get_candle_table() -> Vec<(u8, usize, f64)> {
    settings::global().0.iter().map(|s| (s.range_type as u8, s.avg_period, s.factor)).collect()
}

/// TA-Lib's default settings: 11 `(range_type, avg_period, factor)` rows.
#[pyfunction]
pub fn default_candle_table() -> Vec<(u8, usize, f64)> {
    settings::DEFAULTS.0.iter().map(|s| (s.range_type as u8, s.avg_period, s.factor)).collect()
}

/// `TA_SetCandleSettings`: changes one row of the process-wide table.
#[pyfunction]
pub fn set_candle_setting(
    #[pyo3(from_py_with = args::int)] setting: args::PyInt,
    #[pyo3(from_py_with = args::int)] range_type: args::PyInt,
    #[pyo3(from_py_with = args::int)] avg_period: args::PyInt,
    #[pyo3(from_py_with = args::real)] factor: f64,
) -> PyResult<()> {
    let clamp = |v: args::PyInt| i64::try_from(v).unwrap_or(if v < 0 { i64::MIN } else { i64::MAX });
    let which = CandleSetting::from_index(clamp(setting))?;
    let s = Setting::new(RangeType::from_index(clamp(range_type))?, clamp(avg_period), factor)?;
    settings::set_global(which, s);
    Ok(())
}

/// `TA_RestoreCandleDefaultSettings`: one row (or all, with None) back to TA-Lib's default.
#[pyfunction]
#[pyo3(signature = (setting = None))]
pub fn restore_candle_setting(#[pyo3(from_py_with = args::opt_int)] setting: Option<args::PyInt>) -> PyResult<()> {
    let which = match setting {
        None => None,
        Some(v) => Some(CandleSetting::from_index(i64::try_from(v).unwrap_or(i64::MAX))?),
    };
    settings::restore_global(which);
    Ok(())
}

/// Adds this part's functions to the `signal` module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(candle_pattern, m)?)?;
    m.add_function(wrap_pyfunction!(candle_table, m)?)?;
    m.add_function(wrap_pyfunction!(candle_patterns, m)?)?;
    m.add_function(wrap_pyfunction!(candle_lookback, m)?)?;
    m.add_function(wrap_pyfunction!(get_candle_table, m)?)?;
    m.add_function(wrap_pyfunction!(default_candle_table, m)?)?;
    m.add_function(wrap_pyfunction!(set_candle_setting, m)?)?;
    m.add_function(wrap_pyfunction!(restore_candle_setting, m)?)?;
    Ok(())
}
