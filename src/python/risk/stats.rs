//! Bindings: performance statistics with empyrical's definitions. The typed public functions are
//! in `python/quantumpanarchy/_risk/stats.py`; a 2-D call is one native call, parallel over columns.

use crate::error::Error;
use crate::python::args::{self, Reals};
use crate::python::run::run_sized;
use crate::risk::stats::{self, Inputs, Offset, Path, Stat};
use numpy::ndarray::{ArrayView2, Axis, CowArray, Ix1, Ix2, IxDyn, ShapeBuilder};
use numpy::{IntoPyArray, PyArray1};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt};

/// Returns of 1 or 2 dimensions as the caller's memory (float16/32 widened).
pub(crate) struct Returns<'py> {
    reals: Reals<'py, IxDyn>,
}

impl<'py> Returns<'py> {
    pub(crate) fn new(obj: &Bound<'py, PyAny>, name: &str) -> PyResult<Self> {
        Ok(Self { reals: args::reals::<IxDyn>(obj, name, false)? })
    }

    pub(crate) fn is_1d(&self) -> bool {
        self.reals.shape().len() == 1
    }

    pub(crate) fn shape(&self) -> (usize, usize) {
        match *self.reals.shape() {
            [n] => (n, 1),
            [n, m] => (n, m),
            _ => (0, 0),
        }
    }

    pub(crate) fn view(&self) -> PyResult<CowArray<'_, f64, IxDyn>> {
        Ok(self.reals.view()?)
    }
}

/// A 1-D or 2-D view as observations × columns.
pub(crate) fn as_2d<'a>(v: &'a CowArray<'_, f64, IxDyn>) -> PyResult<ArrayView2<'a, f64>> {
    let view = v.view();
    let view = if view.ndim() == 1 { view.insert_axis(Axis(1)) } else { view };
    view.into_dimensionality::<Ix2>().map_err(|e| Error::Internal(format!("a returns view: {e}")).into())
}

/// A scalar or an array argument (risk-free rate, required return, benchmark returns).
pub(crate) enum OffsetArg<'py> {
    Scalar(f64),
    Array(Reals<'py, IxDyn>),
}

impl<'py> OffsetArg<'py> {
    pub(crate) fn new(obj: Option<&Bound<'py, PyAny>>, name: &str) -> PyResult<Self> {
        let Some(obj) = obj.filter(|o| !o.is_none()) else { return Ok(Self::Scalar(0.0)) };
        if obj.is_instance_of::<PyBool>() {
            return Err(Error::InvalidInput(format!("{name} must be a number or an array, got the bool {obj}")).into());
        }
        if obj.is_instance_of::<PyFloat>() || obj.is_instance_of::<PyInt>() {
            return Ok(Self::Scalar(args::real(obj)?));
        }
        let reals = args::reals::<IxDyn>(obj, name, false)?;
        Ok(Self::Array(reals))
    }

    pub(crate) fn view(&self) -> PyResult<Option<CowArray<'_, f64, IxDyn>>> {
        match self {
            Self::Scalar(_) => Ok(None),
            Self::Array(a) => Ok(Some(a.view()?)),
        }
    }
}

/// The [`Offset`] of an [`OffsetArg`] whose view is `view`.
pub(crate) fn offset<'a>(arg: &OffsetArg<'_>, view: &'a Option<CowArray<'_, f64, IxDyn>>) -> PyResult<Offset<'a>> {
    Ok(match (arg, view) {
        (OffsetArg::Scalar(v), _) => Offset::Scalar(*v),
        (_, Some(v)) if v.ndim() == 1 => Offset::Rows(
            v.view().into_dimensionality::<Ix1>().map_err(|e| Error::Internal(format!("an offset view: {e}")))?,
        ),
        (_, Some(v)) => Offset::Cells(
            v.view().into_dimensionality::<Ix2>().map_err(|e| Error::Internal(format!("an offset view: {e}")))?,
        ),
        (_, None) => Offset::Scalar(0.0),
    })
}

fn stat_of(name: &str, param: f64) -> PyResult<Stat> {
    Ok(match name {
        "sharpe_ratio" => Stat::Sharpe,
        "sortino_ratio" => Stat::Sortino,
        "downside_risk" => Stat::DownsideRisk,
        "annual_volatility" => {
            if !(param.is_finite() && param != 0.0) {
                return Err(Error::InvalidInput(format!("alpha must be a finite non-zero number, got {param}")).into());
            }
            Stat::AnnualVolatility { alpha: param }
        }
        "annual_return" => Stat::AnnualReturn,
        "cum_returns_final" => Stat::CumReturnsFinal { start: finite(param, "starting_value")? },
        "max_drawdown" => Stat::MaxDrawdown,
        "calmar_ratio" => Stat::Calmar,
        "omega_ratio" => Stat::Omega { threshold: param.is_finite().then_some(param) },
        "value_at_risk" => Stat::ValueAtRisk { cutoff: cutoff(param)? },
        "conditional_value_at_risk" => Stat::ConditionalValueAtRisk { cutoff: cutoff(param)? },
        "tail_ratio" => Stat::TailRatio,
        "stability_of_timeseries" => Stat::Stability,
        "excess_sharpe" => Stat::ExcessSharpe,
        "alpha" => Stat::Alpha,
        "beta" => Stat::Beta,
        "up_capture" => Stat::UpCapture,
        "down_capture" => Stat::DownCapture,
        other => return Err(Error::InvalidInput(format!("unknown statistic {other:?}")).into()),
    })
}

fn finite(v: f64, name: &str) -> PyResult<f64> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(Error::InvalidInput(format!("{name} must be a finite number, got {v}")).into())
    }
}

fn cutoff(v: f64) -> PyResult<f64> {
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(Error::InvalidInput(format!("cutoff must be between 0 and 1, got {v}")).into())
    }
}

/// One value per column of `returns` (a float for 1-D returns, else a 1-D array): the statistic
/// `stat` (its Python name). `param` is the statistic's own parameter (alpha, cutoff,
/// starting_value, omega's per-period threshold, NaN for none).
#[pyfunction]
#[pyo3(signature = (returns, stat, annualization = 252.0, offset = None, factor = None, param = 0.0))]
pub fn stat_columns<'py>(
    py: Python<'py>,
    returns: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = args::text)] stat: &str,
    #[pyo3(from_py_with = args::real)] annualization: f64,
    offset: Option<&Bound<'py, PyAny>>,
    factor: Option<&Bound<'py, PyAny>>,
    #[pyo3(from_py_with = args::real)] param: f64,
) -> PyResult<Bound<'py, PyAny>> {
    let stat = stat_of(stat, param)?;
    let r = Returns::new(returns, "returns")?;
    let off_arg = OffsetArg::new(offset, "risk_free")?;
    let fac_arg = OffsetArg::new(factor, "factor_returns")?;
    let (rows, cols) = r.shape();
    let view = r.view()?;
    let off_view = off_arg.view()?;
    let fac_view = fac_arg.view()?;
    let inputs = Inputs {
        returns: as_2d(&view)?,
        annualization,
        offset: offset_of(&off_arg, &off_view)?,
        factor: offset_of(&fac_arg, &fac_view)?,
    };
    let units = (rows as u64).saturating_mul(cols as u64).saturating_mul(4);
    let out = run_sized(py, units, |control| crate::parallel::install(|| stats::per_column(&inputs, stat, control))?)?;
    if r.is_1d() {
        Ok(PyFloat::new(py, out[0]).into_any())
    } else {
        Ok(PyArray1::from_vec(py, out).into_any())
    }
}

fn offset_of<'a>(arg: &OffsetArg<'_>, view: &'a Option<CowArray<'_, f64, IxDyn>>) -> PyResult<Offset<'a>> {
    offset(arg, view)
}

/// A `rows × cols` buffer, column-major or row-major (`c_order`), as an array of the returns'
/// shape (1-D, or 2-D in that order).
pub(crate) fn aligned(
    py: Python<'_>,
    out: Vec<f64>,
    rows: usize,
    cols: usize,
    one_d: bool,
    c_order: bool,
) -> PyResult<Bound<'_, PyAny>> {
    if one_d {
        return Ok(PyArray1::from_vec(py, out).into_any());
    }
    let a = numpy::ndarray::Array2::from_shape_vec((rows, cols).set_f(!c_order), out)
        .map_err(|e| Error::Internal(format!("a result of shape ({rows}, {cols}): {e}")))?;
    Ok(a.into_pyarray(py).into_any())
}

/// A path statistic of every column, aligned with the returns: `"cum_returns"` (with
/// `starting_value`) or `"drawdown_series"`.
#[pyfunction]
#[pyo3(signature = (returns, path, starting_value = 0.0))]
pub fn path_columns<'py>(
    py: Python<'py>,
    returns: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = args::text)] path: &str,
    #[pyo3(from_py_with = args::real)] starting_value: f64,
) -> PyResult<Bound<'py, PyAny>> {
    let path = match path {
        "cum_returns" => Path::CumReturns { start: finite(starting_value, "starting_value")? },
        "drawdown_series" => Path::Drawdown,
        other => return Err(Error::InvalidInput(format!("unknown path statistic {other:?}")).into()),
    };
    let r = Returns::new(returns, "returns")?;
    let (rows, cols) = r.shape();
    let view = r.view()?;
    let x = as_2d(&view)?;
    let units = (rows as u64).saturating_mul(cols as u64).saturating_mul(2);
    let (out, c_order) = run_sized(py, units, |control| crate::parallel::install(|| stats::paths(x, path, control))?)?;
    aligned(py, out, rows, cols, r.is_1d(), c_order)
}

/// Adds this part's functions to the `risk` module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(stat_columns, m)?)?;
    m.add_function(wrap_pyfunction!(path_columns, m)?)?;
    Ok(())
}
