//! Hardware discovery and load balancing for `HardwareManager`.
//!
//! [`discover`] lists the devices of this machine: the CPU always (its name, logical processors,
//! memory and SIMD features), and the CUDA devices that the backend's driver probe found
//! (`backend::cuda_status`, which this module reuses rather than probing again). [`unavailable`]
//! gives, for every backend that cannot be used here, the reason. [`Balancer`] picks a device for
//! the next piece of work under a [`Strategy`] and keeps the outstanding work and reserved memory
//! per device.

use crate::backend::{self, cpu_features};
use crate::error::{try_vec, Error, Result};

const GIB: f64 = (1u64 << 30) as f64;

/// The kind of a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceType {
    Cpu,
    Cuda,
}

impl DeviceType {
    pub fn name(self) -> &'static str {
        match self {
            Self::Cpu => "cpu",
            Self::Cuda => "cuda",
        }
    }

    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "cpu" => Ok(Self::Cpu),
            "cuda" => Ok(Self::Cuda),
            other => Err(crate::invalid!("a device type must be 'cpu' or 'cuda', got {other:?}")),
        }
    }
}

/// One device of this machine.
#[derive(Debug, Clone, PartialEq)]
pub struct Device {
    pub kind: DeviceType,
    /// The position among devices of its kind (the CUDA ordinal; 0 for the CPU).
    pub index: usize,
    pub name: String,
    /// CPU: the physical memory the process may use (the smaller of the machine's total and a
    /// cgroup limit); CUDA: the device's total memory. `None` where the OS does not tell.
    pub memory_gib: Option<f64>,
    /// CPU: logical processors online; CUDA: streaming multiprocessors.
    pub cores: usize,
    /// CPU: the processors this process may run on (affinity, cgroup quota); CUDA: `None`.
    pub usable_cores: Option<usize>,
    /// CPU: the SIMD extensions found at run time; CUDA: empty.
    pub simd: Vec<&'static str>,
    pub compute_capability: Option<(i32, i32)>,
    pub driver_version: Option<String>,
    /// CUDA: the NVRTC version the kernels are compiled with.
    pub runtime_version: Option<String>,
    /// CUDA: whether the device is a MIG slice; CPU: `None`.
    pub mig: Option<bool>,
}

/// The devices of this machine: the CPU first, then the CUDA devices the driver reports (when
/// the crate has the `cuda` feature and the driver loads).
pub fn discover() -> Vec<Device> {
    let mut devices = vec![cpu()];
    let status = backend::cuda_status();
    let driver = status.driver_version.map(backend::cuda_version_text);
    let runtime = status.nvrtc_version.map(|(major, minor)| format!("{major}.{minor}"));
    for d in &status.devices {
        devices.push(Device {
            kind: DeviceType::Cuda,
            index: d.ordinal,
            name: d.name.clone(),
            memory_gib: Some(d.memory_bytes as f64 / GIB),
            cores: d.multiprocessors.max(0) as usize,
            usable_cores: None,
            simd: Vec::new(),
            compute_capability: Some(d.compute_capability),
            driver_version: driver.clone(),
            runtime_version: runtime.clone(),
            mig: Some(d.mig),
        });
    }
    devices
}

/// Why each backend that cannot be used here cannot, by name: `cuda` (not built with it, no
/// driver, no device, no NVRTC, as the backend's probe says), `cuda:N` for CUDA devices found but
/// not used by the engines (their kernels run on device 0), `rocm` and `metal` (not supported).
pub fn unavailable() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let status = backend::cuda_status();
    if !status.available {
        out.push(("cuda".to_string(), status.reason.clone()));
    } else {
        for d in status.devices.iter().filter(|d| d.ordinal > 0) {
            out.push((
                format!("cuda:{}", d.ordinal),
                format!(
                    "found ({}), but the engines' CUDA kernels run on device 0 only: start one process per device \
                     with CUDA_VISIBLE_DEVICES={} to use it",
                    d.name, d.ordinal
                ),
            ));
        }
    }
    for (name, reason) in backend::UNSUPPORTED {
        out.push((name.to_string(), reason.to_string()));
    }
    out
}

fn cpu() -> Device {
    let fallback = std::thread::available_parallelism().map_or(1, |n| n.get());
    Device {
        kind: DeviceType::Cpu,
        index: 0,
        name: cpu_name(),
        memory_gib: cpu_memory_bytes().map(|b| b as f64 / GIB),
        cores: online_cpus().unwrap_or(fallback),
        usable_cores: Some(fallback),
        simd: cpu_features::detected(),
        compute_capability: None,
        driver_version: None,
        runtime_version: None,
        mig: None,
    }
}

fn read(path: &str) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

/// The CPU's model name (`/proc/cpuinfo`), or the architecture where it is not known.
fn cpu_name() -> String {
    read("/proc/cpuinfo")
        .and_then(|text| {
            text.lines().find_map(|line| {
                let (key, value) = line.split_once(':')?;
                let key = key.trim();
                let value = value.trim();
                (matches!(key, "model name" | "Model" | "Hardware" | "cpu model") && !value.is_empty())
                    .then(|| value.to_string())
            })
        })
        .unwrap_or_else(|| format!("{} CPU", std::env::consts::ARCH))
}

/// The number of logical processors online (`/sys/devices/system/cpu/online`, as
/// `sysconf(_SC_NPROCESSORS_ONLN)` and Python's `os.cpu_count()` count them).
fn online_cpus() -> Option<usize> {
    parse_cpu_list(read("/sys/devices/system/cpu/online")?.trim())
}

/// Counts the processors in a list such as `0-3,8,10-11`.
fn parse_cpu_list(list: &str) -> Option<usize> {
    let mut n = 0usize;
    for part in list.split(',').filter(|p| !p.is_empty()) {
        n += match part.split_once('-') {
            Some((a, b)) => b.trim().parse::<usize>().ok()?.checked_sub(a.trim().parse::<usize>().ok()?)? + 1,
            None => {
                part.trim().parse::<usize>().ok()?;
                1
            }
        };
    }
    (n > 0).then_some(n)
}

/// The memory this process may use: `MemTotal` of `/proc/meminfo`, or a smaller cgroup limit
/// (v2 `memory.max`, v1 `memory.limit_in_bytes`).
fn cpu_memory_bytes() -> Option<u64> {
    let total = read("/proc/meminfo").and_then(|t| mem_total(&t))?;
    let limit = ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"]
        .iter()
        .find_map(|p| read(p).and_then(|t| t.trim().parse::<u64>().ok()));
    Some(limit.map_or(total, |l| l.min(total)))
}

/// `MemTotal` of a `/proc/meminfo` text, in bytes.
fn mem_total(meminfo: &str) -> Option<u64> {
    let line = meminfo.lines().find(|l| l.starts_with("MemTotal:"))?;
    let mut words = line["MemTotal:".len()..].split_whitespace();
    let value: u64 = words.next()?.parse().ok()?;
    match words.next() {
        Some("kB") | None => value.checked_mul(1024),
        Some(_) => None,
    }
}

/// How `Balancer::select` orders the devices that can take a piece of work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// Each device in turn.
    RoundRobin,
    /// The device with the fewest pieces of work outstanding.
    LeastLoaded,
    /// The device with the most free memory (its memory less what is reserved on it).
    MemoryAware,
}

impl Strategy {
    pub fn name(self) -> &'static str {
        match self {
            Self::RoundRobin => "round_robin",
            Self::LeastLoaded => "least_loaded",
            Self::MemoryAware => "memory_aware",
        }
    }

    /// A strategy by value (`round_robin`) or name (`RoundRobin`), case and underscores ignored.
    pub fn parse(name: &str) -> Result<Self> {
        let key: String = name.chars().filter(|c| *c != '_').flat_map(char::to_lowercase).collect();
        match key.as_str() {
            "roundrobin" => Ok(Self::RoundRobin),
            "leastloaded" => Ok(Self::LeastLoaded),
            "memoryaware" => Ok(Self::MemoryAware),
            _ => Err(crate::invalid!(
                "strategy must be LoadBalancingStrategy.RoundRobin, LeastLoaded or MemoryAware \
                 ('round_robin', 'least_loaded', 'memory_aware'), got {name:?}"
            )),
        }
    }
}

/// A requested amount of memory in GiB: finite and not negative.
pub fn check_memory(gib: f64, name: &str) -> Result<f64> {
    crate::ensure!(gib.is_finite() && gib >= 0.0, "{name} must be a finite number of GiB >= 0, got {gib}");
    Ok(gib)
}

/// The load of a set of devices and the choice of the next one.
///
/// `select` records one piece of work on the chosen device (and reserves the memory it asked
/// for); `release` ends it. A device whose free memory is less than a request is never chosen,
/// under any strategy; ties go to the device listed first.
#[derive(Debug, Clone)]
pub struct Balancer {
    strategy: Strategy,
    kinds: Vec<DeviceType>,
    labels: Vec<String>,
    capacity: Vec<Option<f64>>,
    load: Vec<u64>,
    reserved: Vec<f64>,
    next: usize,
}

impl Balancer {
    /// A balancer over devices given as (kind, label for messages, memory in GiB).
    pub fn new(devices: Vec<(DeviceType, String, Option<f64>)>, strategy: Strategy) -> Result<Self> {
        crate::ensure!(!devices.is_empty(), "a HardwareManager needs at least one device");
        let n = devices.len();
        let mut kinds = Vec::new();
        let mut labels = Vec::new();
        let mut capacity = Vec::new();
        for (kind, label, memory) in devices {
            kinds.push(kind);
            labels.push(label);
            capacity.push(memory);
        }
        let load = try_vec(n, 0, "device loads")?;
        let reserved = try_vec(n, 0.0, "device reservations")?;
        Ok(Self { strategy, kinds, labels, capacity, load, reserved, next: 0 })
    }

    pub fn strategy(&self) -> Strategy {
        self.strategy
    }

    pub fn set_strategy(&mut self, strategy: Strategy) {
        self.strategy = strategy;
    }

    /// Outstanding pieces of work per device.
    pub fn loads(&self) -> &[u64] {
        &self.load
    }

    /// Free memory per device in GiB (`None` where the device's memory is not known).
    pub fn free_memory(&self) -> Vec<Option<f64>> {
        self.capacity.iter().zip(&self.reserved).map(|(c, r)| c.map(|c| (c - r).max(0.0))).collect()
    }

    /// Choose the device for the next piece of work needing `memory` GiB (if given) on a device of
    /// `kind` (if given), record it, and return its position.
    pub fn select(&mut self, memory: Option<f64>, kind: Option<DeviceType>) -> Result<usize> {
        let memory = memory.map(|m| check_memory(m, "memory_gb")).transpose()?;
        let n = self.kinds.len();
        let of_kind: Vec<usize> = (0..n).filter(|&i| kind.is_none_or(|k| self.kinds[i] == k)).collect();
        if of_kind.is_empty() {
            return Err(crate::invalid!("this HardwareManager has no {} device", kind.map_or("", |k| k.name())));
        }
        let free = self.free_memory();
        let fits = |i: usize| memory.is_none_or(|m| free[i].is_some_and(|f| f >= m));
        let candidates: Vec<usize> = of_kind.iter().copied().filter(|&i| fits(i)).collect();
        let Some(&first) = candidates.first() else {
            let m = memory.unwrap_or(0.0);
            let shown: Vec<String> = of_kind
                .iter()
                .map(|&i| match (free[i], self.capacity[i]) {
                    (Some(f), Some(c)) => format!("{} has {f:.3} of {c:.3} GiB free", self.labels[i]),
                    _ => format!("{}'s memory is not known", self.labels[i]),
                })
                .collect();
            return Err(Error::ResourceLimit(format!(
                "no device has {m} GiB of memory free for this work: {}",
                shown.join("; ")
            )));
        };
        let chosen = match self.strategy {
            Strategy::RoundRobin => {
                // The first candidate at or after the turn pointer, cyclically.
                *candidates.iter().find(|&&i| i >= self.next).unwrap_or(&first)
            }
            Strategy::LeastLoaded => {
                let mut best = first;
                for &i in &candidates {
                    if self.load[i] < self.load[best] {
                        best = i;
                    }
                }
                best
            }
            Strategy::MemoryAware => {
                let key = |i: usize| free[i].unwrap_or(f64::NEG_INFINITY);
                let mut best = first;
                for &i in &candidates {
                    if key(i) > key(best) {
                        best = i;
                    }
                }
                best
            }
        };
        self.next = (chosen + 1) % n;
        self.load[chosen] += 1;
        if let Some(m) = memory {
            self.reserved[chosen] += m;
        }
        Ok(chosen)
    }

    /// End one piece of work on device `index` that reserved `memory` GiB (if given).
    pub fn release(&mut self, index: usize, memory: Option<f64>) -> Result<()> {
        let memory = memory.map(|m| check_memory(m, "memory_gb")).transpose()?;
        crate::ensure!(index < self.load.len(), "device position {index} is out of range");
        let label = &self.labels[index];
        crate::ensure!(self.load[index] > 0, "{label} has no outstanding work to release");
        if let Some(m) = memory {
            // Sums of reservations are rounded: allow a relative 1e-9 of slack.
            let slack = 1e-9 * self.reserved[index].max(1.0);
            crate::ensure!(
                m <= self.reserved[index] + slack,
                "cannot release {m} GiB on {label}: only {} GiB is reserved there",
                self.reserved[index]
            );
            self.reserved[index] = (self.reserved[index] - m).max(0.0);
        }
        self.load[index] -= 1;
        if self.load[index] == 0 {
            self.reserved[index] = 0.0;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn three(strategy: Strategy) -> Balancer {
        let devices = vec![
            (DeviceType::Cpu, "cpu:0".into(), Some(64.0)),
            (DeviceType::Cuda, "cuda:0".into(), Some(16.0)),
            (DeviceType::Cuda, "cuda:1".into(), Some(40.0)),
        ];
        Balancer::new(devices, strategy).unwrap()
    }

    #[test]
    fn round_robin_cycles_and_skips_what_does_not_fit() {
        let mut b = three(Strategy::RoundRobin);
        let picks: Vec<usize> = (0..7).map(|_| b.select(None, None).unwrap()).collect();
        assert_eq!(picks, [0, 1, 2, 0, 1, 2, 0]);
        assert_eq!(b.select(Some(20.0), None).unwrap(), 2); // cuda:0 (16 GiB) cannot take it
        assert_eq!(b.select(None, Some(DeviceType::Cuda)).unwrap(), 1);
        assert_eq!(b.select(None, Some(DeviceType::Cuda)).unwrap(), 2);
    }

    #[test]
    fn least_loaded_picks_the_least_and_release_counts_down() {
        let mut b = three(Strategy::LeastLoaded);
        assert_eq!([b.select(None, None).unwrap(), b.select(None, None).unwrap()], [0, 1]);
        b.release(0, None).unwrap();
        assert_eq!(b.select(None, None).unwrap(), 0); // 0 and 2 are idle: the first listed
        assert_eq!(b.select(None, None).unwrap(), 2);
        assert_eq!(b.loads(), [1, 1, 1]);
        b.release(1, None).unwrap();
        assert_eq!(b.select(None, None).unwrap(), 1);
        assert!(b.release(1, None).is_ok());
        assert!(b.release(1, None).is_err()); // nothing outstanding
    }

    #[test]
    fn memory_aware_takes_the_most_free_memory_and_refuses_what_fits_nowhere() {
        let mut b = three(Strategy::MemoryAware);
        assert_eq!(b.select(Some(30.0), None).unwrap(), 0); // 64 free
        assert_eq!(b.select(Some(10.0), None).unwrap(), 2); // 34 vs 16 vs 40: cuda:1
        assert_eq!(b.free_memory(), [Some(34.0), Some(16.0), Some(30.0)]);
        assert_eq!(b.select(Some(1.0), Some(DeviceType::Cuda)).unwrap(), 2);
        let err = b.select(Some(50.0), None).unwrap_err();
        assert!(matches!(&err, Error::ResourceLimit(m) if m.contains("cuda:0 has 16.000 of 16.000 GiB free")), "{err}");
        assert!(b.release(0, Some(31.0)).is_err());
        b.release(0, Some(30.0)).unwrap();
        assert_eq!(b.free_memory()[0], Some(64.0));
        assert!(b.select(Some(f64::NAN), None).is_err());
        assert!(b.select(Some(-1.0), None).is_err());
    }

    #[test]
    fn strategies_parse_by_value_or_name() {
        assert_eq!(Strategy::parse("round_robin").unwrap(), Strategy::RoundRobin);
        assert_eq!(Strategy::parse("LeastLoaded").unwrap(), Strategy::LeastLoaded);
        assert_eq!(Strategy::parse("MEMORY_AWARE").unwrap(), Strategy::MemoryAware);
        assert!(Strategy::parse("random").is_err());
        assert!(Balancer::new(Vec::new(), Strategy::RoundRobin).is_err());
    }

    #[test]
    fn proc_files_parse() {
        assert_eq!(parse_cpu_list("0-3,8,10-11"), Some(7));
        assert_eq!(parse_cpu_list("0"), Some(1));
        assert_eq!(parse_cpu_list("3-1"), None);
        assert_eq!(mem_total("MemTotal:       24683772 kB\nMemFree: 1 kB\n"), Some(24683772 * 1024));
        assert_eq!(mem_total("MemFree: 1 kB\n"), None);
    }

    #[test]
    fn this_machine_has_a_cpu_and_reasons_for_the_rest() {
        let devices = discover();
        assert_eq!(devices[0].kind, DeviceType::Cpu);
        assert!(devices[0].cores >= 1 && !devices[0].name.is_empty());
        let reasons = unavailable();
        assert!(reasons.iter().any(|(k, _)| k == "rocm") && reasons.iter().any(|(k, _)| k == "metal"));
        assert_eq!(reasons.iter().any(|(k, _)| k == "cuda"), !backend::cuda_status().available);
    }
}
