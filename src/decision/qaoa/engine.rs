//! Where a QAOA statevector runs: the CPU [`Simulator`] (the reference, always there) or, in
//! builds with the `cuda` feature and a usable device, the device-resident simulator of
//! `cuda` (on `backend::cuda`). CPU results are exactly those of [`Simulator`]; CUDA ones agree with them to
//! about 1e-15 relative and are the same from run to run.

use super::statevector::{check_cost, AngleSets, Simulator};
use crate::backend::{self, Backend, Choice};
use crate::control::Control;
use crate::error::Result;
use std::borrow::Cow;

/// `auto` runs registers of at least this many qubits on the GPU. The GPU's fixed costs are: once
/// per process, creating the context and compiling `qaoa.cu` with NVRTC (under a second); once per
/// simulator, uploading the cost diagonal; per evaluation, a launch per pass (1 + ⌈(n − 11)/5⌉ per
/// layer) and a synchronising copy of the partial sums, tens of µs in all (an estimate: no GPU has
/// timed it yet). A CPU evaluation at p = 2 took 1.6 ms at n = 14, 7 ms at 16 and 120 ms at 20 on
/// a busy 2-core machine, a few times less on a workstation. From 2^20 amplitudes (16 MiB of state)
/// a handful of evaluations repays the one-time costs, and each evaluation runs at the GPU's
/// memory bandwidth (10–20× a CPU's); an optimisation loop of thousands of evaluations repays them
/// from about 14 qubits, so callers that know they will loop may ask for `cuda` explicitly.
pub const CUDA_AUTO_QUBITS: usize = 20;

/// The backend for a register of `n` qubits: `requested`, or the process default when `None`
/// (see [`backend::resolve`]); `auto` picks CUDA from [`CUDA_AUTO_QUBITS`] qubits on, when it is
/// available. `Cuda` where it is not (no device, or a build without the `cuda` feature) is
/// `BackendUnavailable` with the reason.
pub fn resolve(requested: Option<Choice>, n: usize) -> Result<Backend> {
    let amplitudes = 2f64.powi(n.min(1000) as i32);
    backend::resolve(requested, amplitudes, 2f64.powi(CUDA_AUTO_QUBITS as i32))
}

/// A QAOA simulator on the backend it was made for. Both hold the cost diagonal on the host.
#[derive(Debug)]
pub enum Engine<'c> {
    Cpu(Simulator<'c>),
    #[cfg(feature = "cuda")]
    Cuda {
        cost: Cow<'c, [f64]>,
        sim: Box<super::cuda::QaoaSimulator>,
        control: Option<&'c Control>,
    },
}

impl<'c> Engine<'c> {
    /// A simulator for the cost diagonal `cost` (2^n finite values, index bit i = qubit i) on
    /// the backend [`resolve`] picks for `requested`.
    pub fn new(cost: impl Into<Cow<'c, [f64]>>, requested: Option<Choice>) -> Result<Self> {
        let cost = cost.into();
        let n = check_cost(&cost)?;
        Self::on(cost, resolve(requested, n)?)
    }

    /// A simulator for `cost` on `backend`.
    pub fn on(cost: impl Into<Cow<'c, [f64]>>, backend: Backend) -> Result<Self> {
        let cost = cost.into();
        match backend {
            Backend::Cpu => Ok(Self::Cpu(Simulator::new(cost)?)),
            #[cfg(feature = "cuda")]
            Backend::Cuda => {
                let n = check_cost(&cost)?;
                // the host keeps the cost and receives the probabilities: the CPU's limits apply
                super::cost::check_memory(n)?;
                let sim = Box::new(super::cuda::QaoaSimulator::new(&cost)?);
                Ok(Self::Cuda { cost, sim, control: None })
            }
            #[cfg(not(feature = "cuda"))]
            Backend::Cuda => Err(crate::error::Error::BackendUnavailable(
                "CUDA backend unavailable: this build of quantumpanarchy has no CUDA backend (built without the \
                 `cuda` feature)"
                    .into(),
            )),
        }
    }

    /// This engine, stopping with `Err(Interrupted)` soon after `control` is cancelled (the CPU
    /// checks between layers and chunks; the GPU, whose evaluations are short, between them).
    pub fn with_control(self, control: &'c Control) -> Self {
        match self {
            Self::Cpu(sim) => Self::Cpu(sim.with_control(control)),
            #[cfg(feature = "cuda")]
            Self::Cuda { cost, sim, .. } => Self::Cuda { cost, sim, control: Some(control) },
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Self::Cpu(_) => Backend::Cpu,
            #[cfg(feature = "cuda")]
            Self::Cuda { .. } => Backend::Cuda,
        }
    }

    pub fn num_qubits(&self) -> usize {
        match self {
            Self::Cpu(sim) => sim.num_qubits(),
            #[cfg(feature = "cuda")]
            Self::Cuda { sim, .. } => sim.num_qubits(),
        }
    }

    pub fn cost(&self) -> &[f64] {
        match self {
            Self::Cpu(sim) => sim.cost(),
            #[cfg(feature = "cuda")]
            Self::Cuda { cost, .. } => cost,
        }
    }

    /// Prepares |ψ(γ, β)⟩ (for [`Engine::probabilities`]).
    pub fn evolve(&mut self, gammas: &[f64], betas: &[f64]) -> Result<()> {
        match self {
            Self::Cpu(sim) => sim.evolve(gammas, betas),
            #[cfg(feature = "cuda")]
            Self::Cuda { sim, control, .. } => {
                control.map_or(Ok(()), Control::check)?;
                sim.evolve(gammas, betas)
            }
        }
    }

    /// ⟨ψ(γ, β)|C|ψ(γ, β)⟩; the state stays prepared.
    pub fn expectation(&mut self, gammas: &[f64], betas: &[f64]) -> Result<f64> {
        match self {
            Self::Cpu(sim) => sim.expectation(gammas, betas),
            #[cfg(feature = "cuda")]
            Self::Cuda { sim, control, .. } => {
                control.map_or(Ok(()), Control::check)?;
                sim.expectation(gammas, betas)
            }
        }
    }

    /// ⟨C⟩ for each angle set. The state left behind is unspecified.
    pub fn expectations(&mut self, sets: &AngleSets<'_>) -> Result<Vec<f64>> {
        match self {
            Self::Cpu(sim) => sim.expectations(sets),
            #[cfg(feature = "cuda")]
            Self::Cuda { sim, control, .. } => sim.expectations(sets, *control),
        }
    }

    /// |ψ_x|² for every x, of the state the last [`Engine::evolve`] or [`Engine::expectation`]
    /// prepared.
    pub fn probabilities(&self) -> Result<Vec<f64>> {
        match self {
            Self::Cpu(sim) => sim.probabilities(),
            #[cfg(feature = "cuda")]
            Self::Cuda { sim, .. } => sim.probabilities(),
        }
    }
}

/// What [`super::Qaoa::tune`] needs of a simulator.
pub trait Evaluate {
    fn cost(&self) -> &[f64];
    fn expectation(&mut self, gammas: &[f64], betas: &[f64]) -> Result<f64>;
}

impl Evaluate for Simulator<'_> {
    fn cost(&self) -> &[f64] {
        Simulator::cost(self)
    }

    fn expectation(&mut self, gammas: &[f64], betas: &[f64]) -> Result<f64> {
        Simulator::expectation(self, gammas, betas)
    }
}

impl Evaluate for Engine<'_> {
    fn cost(&self) -> &[f64] {
        Engine::cost(self)
    }

    fn expectation(&mut self, gammas: &[f64], betas: &[f64]) -> Result<f64> {
        Engine::expectation(self, gammas, betas)
    }
}

/// ⟨C⟩ of the cost diagonal `cost` for each angle set, on the backend [`resolve`] picks for
/// `requested` (`Some(Choice::Cpu)`: exactly [`super::statevector::expectations`]), stopping
/// soon after `control` is cancelled.
pub fn expectations(
    cost: &[f64],
    sets: &AngleSets<'_>,
    requested: Option<Choice>,
    control: &Control,
) -> Result<Vec<f64>> {
    Engine::new(cost, requested)?.with_control(control).expectations(sets)
}

/// |ψ_x(γ, β)|² for every bitstring x, on the backend [`resolve`] picks for `requested`,
/// stopping soon after `control` is cancelled.
pub fn probabilities(
    cost: &[f64],
    gammas: &[f64],
    betas: &[f64],
    requested: Option<Choice>,
    control: &Control,
) -> Result<Vec<f64>> {
    super::statevector::check_angles(gammas, betas)?;
    let mut engine = Engine::new(cost, requested)?.with_control(control);
    engine.evolve(gammas, betas)?;
    engine.probabilities()
}

#[cfg(test)]
mod tests {
    use super::super::cost::{cost_diagonal, tests::random_symmetric};
    use super::super::statevector;
    use super::*;
    use crate::error::Error;

    #[test]
    fn cpu_engine_is_the_simulator_bit_for_bit() {
        for n in [6, 16] {
            let cost = cost_diagonal(&random_symmetric(n, 21), n).unwrap();
            let g: Vec<f64> = (0..3).flat_map(|k| [0.2 + 0.1 * k as f64, -0.3]).collect();
            let b: Vec<f64> = (0..3).flat_map(|k| [0.4, 0.05 * k as f64]).collect();
            let sets = AngleSets::new(&g, &b, 2).unwrap();
            let mut engine = Engine::new(cost.as_slice(), Some(Choice::Cpu)).unwrap();
            assert_eq!(engine.backend(), Backend::Cpu);
            assert_eq!(engine.num_qubits(), n);
            let want = statevector::expectations(&cost, &sets).unwrap();
            let got = engine.expectations(&sets).unwrap();
            assert_eq!(
                want.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                got.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
            );
            let c = Control::new();
            assert_eq!(expectations(&cost, &sets, Some(Choice::Cpu), &c).unwrap(), want);
            let (g, b) = sets.get(1);
            assert_eq!(engine.expectation(g, b).unwrap().to_bits(), want[1].to_bits());
            assert_eq!(engine.probabilities().unwrap(), statevector::probabilities(&cost, g, b).unwrap());
            assert_eq!(probabilities(&cost, g, b, Some(Choice::Cpu), &c).unwrap(), engine.probabilities().unwrap());
        }
    }

    #[test]
    fn auto_stays_on_the_cpu_below_the_threshold_or_without_a_device() {
        assert_eq!(resolve(Some(Choice::Auto), CUDA_AUTO_QUBITS - 1).unwrap(), Backend::Cpu);
        assert_eq!(resolve(Some(Choice::Cpu), 30).unwrap(), Backend::Cpu);
        let available = backend::cuda_status().available;
        let big = resolve(Some(Choice::Auto), CUDA_AUTO_QUBITS).unwrap();
        assert_eq!(big, if available { Backend::Cuda } else { Backend::Cpu });
        let cost = cost_diagonal(&random_symmetric(4, 2), 4).unwrap();
        assert_eq!(Engine::new(cost.as_slice(), Some(Choice::Auto)).unwrap().backend(), Backend::Cpu);
    }

    #[test]
    fn cuda_without_a_device_is_unavailable_with_the_reason() {
        if backend::cuda_status().available {
            return;
        }
        let cost = cost_diagonal(&random_symmetric(4, 2), 4).unwrap();
        let err = Engine::new(cost.as_slice(), Some(Choice::Cuda)).unwrap_err();
        match &err {
            Error::BackendUnavailable(msg) => {
                assert!(msg.contains("CUDA backend unavailable"), "{msg}");
                if !backend::HAS_CUDA {
                    assert!(msg.contains("`cuda` feature"), "{msg}");
                }
            }
            other => panic!("expected BackendUnavailable, got {other:?}"),
        }
        let one = AngleSets::one(&[0.1], &[0.2]).unwrap();
        assert_eq!(expectations(&cost, &one, Some(Choice::Cuda), &Control::new()).unwrap_err(), err);
        assert!(matches!(Engine::on(cost.as_slice(), Backend::Cuda), Err(Error::BackendUnavailable(_))));
        // bad input is reported as such before any backend is looked for
        assert!(matches!(Engine::new(&[1.0, 2.0, 3.0][..], Some(Choice::Cuda)), Err(Error::InvalidInput(_))));
    }

    /// Needs a GPU: the CUDA engine agrees with the CPU one, and the portfolio optimiser runs on
    /// it (its angles may differ from the CPU run's in the last digits, so the check is that its
    /// reported ⟨E⟩ is the CPU's ⟨E⟩ at its own angles).
    #[test]
    fn gpu_engine_matches_the_cpu() {
        use super::super::portfolio::{tests::random_problem, Portfolio};
        use super::super::Qaoa;
        if !backend::cuda_status().available {
            return;
        }
        let n = 12;
        let cost = cost_diagonal(&random_symmetric(n, 8), n).unwrap();
        let mut gpu = Engine::new(cost.as_slice(), Some(Choice::Cuda)).unwrap();
        let mut cpu = Engine::new(cost.as_slice(), Some(Choice::Cpu)).unwrap();
        assert_eq!((gpu.backend(), gpu.num_qubits(), gpu.cost()), (Backend::Cuda, n, cost.as_slice()));
        let (g, b) = ([0.3, -0.1], [0.2, 0.6]);
        let (e_gpu, e_cpu) = (gpu.expectation(&g, &b).unwrap(), cpu.expectation(&g, &b).unwrap());
        assert!((e_gpu - e_cpu).abs() < 1e-10 * (1.0 + e_cpu.abs()), "{e_gpu} vs {e_cpu}");
        let worst = gpu
            .probabilities()
            .unwrap()
            .iter()
            .zip(cpu.probabilities().unwrap())
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(worst < 1e-12, "{worst:e}");

        let (mu, cov) = random_problem(8, 4);
        let problem = Portfolio::new(&mu, &cov, 0.5, Some(3), None).unwrap();
        let q = Qaoa { num_layers: 2, seed: 2, ..Qaoa::default() };
        let r = q.optimize_portfolio_on(&problem, Some(Choice::Cuda), &Control::new()).unwrap();
        let diag = cost_diagonal(&problem.qubo().q, 8).unwrap();
        let e = statevector::expectation(&diag, &r.gammas, &r.betas).unwrap() + problem.qubo().offset;
        assert!((r.expectation - e).abs() < 1e-9 * (1.0 + e.abs()), "{} vs {e}", r.expectation);
        assert!(r.approximation_ratio.is_some_and(|a| (0.0..=1.0).contains(&a)));
    }
}
