//! `HardwareManager`: the devices of `infrastructure::hardware` as Python `Device` records, and
//! its `Balancer` behind a mutex.
//!
//! Thread safety: one mutex guards the balancer, and no Python code runs while it is held (the
//! arguments are converted and a released device is found before it is taken; the chosen
//! position is turned into its `Device` after it is released).

use std::sync::{Mutex, MutexGuard};

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyTuple, PyType};

use crate::error::Error;
use crate::infrastructure::hardware::{self, Balancer, DeviceType, Strategy};
use crate::python::args;

const HELPERS: &str = "quantumpanarchy._infrastructure.hardware";

fn locked(m: &Mutex<Balancer>) -> MutexGuard<'_, Balancer> {
    // Every method leaves the balancer consistent before it can fail.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn helper<'py>(
    py: Python<'py>,
    cell: &'static PyOnceLock<Py<PyType>>,
    name: &str,
) -> PyResult<&'py Bound<'py, PyType>> {
    cell.import(py, HELPERS, name)
}

fn device_class(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    static DEVICE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    helper(py, &DEVICE, "Device")
}

fn strategy_object<'py>(py: Python<'py>, strategy: Strategy) -> PyResult<Bound<'py, PyAny>> {
    static STRATEGY: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    helper(py, &STRATEGY, "LoadBalancingStrategy")?.call1((strategy.name(),))
}

/// A strategy from a `LoadBalancingStrategy`, its value or its member name.
fn strategy_arg(obj: &Bound<'_, PyAny>) -> PyResult<Strategy> {
    if !obj.is_instance_of::<pyo3::types::PyString>() {
        return Err(Error::InvalidType(format!(
            "strategy must be a LoadBalancingStrategy, got {}",
            args::type_name(obj)
        ))
        .into());
    }
    Ok(Strategy::parse(args::text(obj)?)?)
}

/// The `Device` record of a discovered device.
fn device_object<'py>(py: Python<'py>, d: &hardware::Device) -> PyResult<Bound<'py, PyAny>> {
    let kwargs = PyDict::new(py);
    kwargs.set_item("type", d.kind.name())?;
    kwargs.set_item("index", d.index)?;
    kwargs.set_item("name", &d.name)?;
    kwargs.set_item("memory_gb", d.memory_gib)?;
    kwargs.set_item("cores", d.cores)?;
    kwargs.set_item("usable_cores", d.usable_cores)?;
    kwargs.set_item("simd", PyTuple::new(py, d.simd.iter().copied())?)?;
    kwargs.set_item("compute_capability", d.compute_capability)?;
    kwargs.set_item("driver_version", &d.driver_version)?;
    kwargs.set_item("runtime_version", &d.runtime_version)?;
    kwargs.set_item("mig", d.mig)?;
    device_class(py)?.call((), Some(&kwargs))
}

/// Finds the devices of this machine and chooses among them for each piece of work.
///
/// HardwareManager(devices=None, strategy=LoadBalancingStrategy.RoundRobin)
///
/// devices: None finds this machine's devices (the CPU first, then the CUDA devices the driver
/// reports); or a sequence of `Device` records to balance over (a subset, or made up for tests).
/// strategy: a LoadBalancingStrategy (or its value, 'round_robin', ...).
///
/// `select_device(memory_gb=None, device_type=None)` picks the device for the next piece of work
/// under the strategy and counts it as outstanding there (reserving `memory_gb`) until
/// `release(device, memory_gb)`. Safe to share between threads. A pickled manager keeps its
/// strategy, not its outstanding work; one that found its devices finds them again where it is
/// unpickled.
#[pyclass(module = "quantumpanarchy.infrastructure", name = "HardwareManager", frozen)]
pub struct PyHardwareManager {
    devices: Vec<Py<PyAny>>,
    discovered: bool,
    balancer: Mutex<Balancer>,
}

impl PyHardwareManager {
    fn strategy(&self) -> Strategy {
        locked(&self.balancer).strategy()
    }

    /// The position of `device` among this manager's devices: the same object, or an equal one.
    fn position(&self, device: &Bound<'_, PyAny>) -> PyResult<usize> {
        let py = device.py();
        if !device.is_instance(device_class(py)?)? {
            return Err(Error::InvalidType(format!("device must be a Device, got {}", args::type_name(device))).into());
        }
        if let Some(i) = self.devices.iter().position(|d| d.bind(py).is(device)) {
            return Ok(i);
        }
        for (i, d) in self.devices.iter().enumerate() {
            if d.bind(py).eq(device)? {
                return Ok(i);
            }
        }
        Err(Error::InvalidInput(format!("{} is not one of this HardwareManager's devices", device.repr()?)).into())
    }
}

#[pymethods]
impl PyHardwareManager {
    #[new]
    #[pyo3(signature = (devices=None, strategy=None))]
    fn new(py: Python<'_>, devices: Option<&Bound<'_, PyAny>>, strategy: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let strategy = strategy.filter(|s| !s.is_none()).map(strategy_arg).transpose()?.unwrap_or(Strategy::RoundRobin);
        let class = device_class(py)?;
        let mut objects = Vec::new();
        let mut slots = Vec::new();
        let discovered = devices.is_none_or(|d| d.is_none());
        if discovered {
            for d in py.detach(hardware::discover) {
                slots.push((d.kind, format!("{}:{}", d.kind.name(), d.index), d.memory_gib));
                objects.push(device_object(py, &d)?.unbind());
            }
        } else if let Some(given) = devices {
            if given.is_instance_of::<pyo3::types::PyString>() || given.is_instance(class)? {
                return Err(Error::InvalidType(format!(
                    "devices must be a sequence of Device records, got {}",
                    args::type_name(given)
                ))
                .into());
            }
            let items = given.try_iter().map_err(|_| {
                Error::InvalidType(format!(
                    "devices must be a sequence of Device records, got {}",
                    args::type_name(given)
                ))
            })?;
            for item in items {
                let item = item?;
                if !item.is_instance(class)? {
                    return Err(Error::InvalidType(format!(
                        "devices must hold Device records, got {}",
                        args::type_name(&item)
                    ))
                    .into());
                }
                let kind = DeviceType::parse(&item.getattr("type")?.extract::<String>()?)?;
                let memory: Option<f64> = item.getattr("memory_gb")?.extract()?;
                let label: String = item.getattr("id")?.extract()?;
                slots.push((kind, label, memory));
                objects.push(item.unbind());
            }
        }
        let balancer = Balancer::new(slots, strategy)?;
        Ok(Self { devices: objects, discovered, balancer: Mutex::new(balancer) })
    }

    /// The devices this manager balances over, as `Device` records: the CPU first, then the CUDA
    /// devices (or the devices it was given).
    fn get_available_devices<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.devices.iter().map(|d| d.bind(py)))
    }

    /// Why each backend that cannot be used on this machine cannot, by name: 'cuda' (this build
    /// has no CUDA backend, or no driver, no device, no NVRTC), 'cuda:N' (a CUDA device the
    /// engines do not run on: their kernels use device 0), 'rocm' and 'metal' (not supported).
    fn unavailable<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let out = PyDict::new(py);
        for (name, reason) in py.detach(hardware::unavailable) {
            out.set_item(name, reason)?;
        }
        Ok(out)
    }

    /// The strategy `select_device` uses.
    #[getter(strategy)]
    fn get_strategy<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        strategy_object(py, self.strategy())
    }

    /// Choose how `select_device` picks: a LoadBalancingStrategy (or its value, 'round_robin',
    /// 'least_loaded', 'memory_aware'). Outstanding work and reserved memory are kept.
    fn set_load_balancing_strategy(&self, strategy: &Bound<'_, PyAny>) -> PyResult<()> {
        let strategy = strategy_arg(strategy)?;
        locked(&self.balancer).set_strategy(strategy);
        Ok(())
    }

    /// The device for the next piece of work under the strategy, among the devices of
    /// `device_type` ('cpu' or 'cuda'; None: any) with at least `memory_gb` GiB free (None: no
    /// memory needed). The work counts as outstanding on that device, and `memory_gb` as
    /// reserved there, until `release(device, memory_gb)`. ResourceLimitError when no device has
    /// that much memory free (with each device's free memory).
    #[pyo3(signature = (memory_gb=None, device_type=None))]
    fn select_device<'py>(
        &self,
        py: Python<'py>,
        #[pyo3(from_py_with = args::opt_real)] memory_gb: Option<f64>,
        #[pyo3(from_py_with = args::opt_text)] device_type: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let kind = device_type.map(DeviceType::parse).transpose()?;
        let chosen = locked(&self.balancer).select(memory_gb, kind)?;
        Ok(self.devices[chosen].bind(py).clone())
    }

    /// End a piece of work that `select_device` sent to `device`, giving back the `memory_gb` it
    /// reserved. InvalidInputError when the device has no outstanding work or less memory
    /// reserved.
    #[pyo3(signature = (device, memory_gb=None))]
    fn release(
        &self,
        device: &Bound<'_, PyAny>,
        #[pyo3(from_py_with = args::opt_real)] memory_gb: Option<f64>,
    ) -> PyResult<()> {
        let i = self.position(device)?;
        Ok(locked(&self.balancer).release(i, memory_gb)?)
    }

    /// Pieces of work outstanding (selected, not yet released) per device, in device order.
    fn loads(&self) -> Vec<u64> {
        locked(&self.balancer).loads().to_vec()
    }

    /// Free memory per device in GiB (memory less what outstanding work reserved), in device
    /// order; None where a device's memory is not known.
    fn free_memory_gb(&self) -> Vec<Option<f64>> {
        locked(&self.balancer).free_memory()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let (strategy, loads) = {
            let b = locked(&self.balancer);
            (b.strategy(), b.loads().to_vec())
        };
        let mut devices = Vec::new();
        for d in &self.devices {
            let d = d.bind(py);
            let id: String = d.getattr("id")?.extract()?;
            let name: String = d.getattr("name")?.extract()?;
            devices.push(format!("{id} ({name})"));
        }
        Ok(format!(
            "HardwareManager(strategy=LoadBalancingStrategy.{}, devices=[{}], loads={loads:?})",
            match strategy {
                Strategy::RoundRobin => "RoundRobin",
                Strategy::LeastLoaded => "LeastLoaded",
                Strategy::MemoryAware => "MemoryAware",
            },
            devices.join(", ")
        ))
    }

    /// Pickled as its constructor's arguments: its strategy and, unless it found its devices
    /// itself (then it finds them again), its devices. Outstanding work is not carried over.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyType>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let this = slf.get();
        let devices: Bound<'py, PyAny> = if this.discovered {
            py.None().into_bound(py)
        } else {
            PyList::new(py, this.devices.iter().map(|d| d.bind(py)))?.into_any()
        };
        let strategy = strategy_object(py, this.strategy())?;
        Ok((slf.get_type(), PyTuple::new(py, [devices, strategy])?))
    }
}
