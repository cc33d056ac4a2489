//! Temperature schedules: one β per annealing step (each step runs `num_sweeps_per_beta` sweeps).

use super::model::IsingModel;
use crate::control::Control;
use crate::error::{check_finite, try_with_capacity, Result};
use crate::{ensure, invalid};

#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    betas: Vec<f64>,
}

fn check_steps(steps: usize) -> Result<()> {
    ensure!(steps > 0, "a schedule needs at least one step, got 0");
    crate::error::check_alloc::<f64>(steps as u128, &format!("a schedule of {steps} steps"))
}

fn check_temperatures(temperatures: &[(&str, f64)], steps: usize) -> Result<()> {
    check_steps(steps)?;
    for &(name, t) in temperatures {
        ensure!(t.is_finite() && t > 0.0, "{name} must be a positive finite temperature, got {t}");
    }
    Ok(())
}

/// Points between checks of the control while sampling a schedule (about a millisecond): a
/// schedule of 10**8 steps takes seconds to compute.
const CHECK_STEPS: usize = 1 << 16;

/// `steps` points from `a` to `b` (both included) through `point(fraction)`; `Err(Interrupted)`
/// soon after `control` is cancelled.
fn sample(steps: usize, point: impl Fn(f64) -> f64, control: &Control) -> Result<Vec<f64>> {
    if steps == 1 {
        return Ok(vec![point(1.0)]);
    }
    let mut out = try_with_capacity(steps, &format!("a schedule of {steps} steps"))?;
    while out.len() < steps {
        control.check()?;
        let end = (out.len() + CHECK_STEPS).min(steps);
        out.extend((out.len()..end).map(|k| point(k as f64 / (steps - 1) as f64)));
    }
    Ok(out)
}

/// Inverse temperatures given as `name` must be non-negative, and finite unless `allow_inf`
/// (+∞ is a zero-temperature step: dwave-samplers' custom schedules allow it); the first
/// offender is named by its index.
pub fn check_betas(betas: &[f64], name: &str, allow_inf: bool) -> Result<()> {
    if !allow_inf {
        check_finite(betas, name)?;
    }
    match betas.iter().position(|b| b.is_nan() || *b < 0.0) {
        Some(k) => Err(invalid!("{name} must be non-negative: {name}[{k}] = {}", betas[k])),
        None => Ok(()),
    }
}

impl Schedule {
    /// From inverse temperatures, used as given.
    pub fn from_betas(betas: Vec<f64>) -> Result<Self> {
        ensure!(!betas.is_empty(), "a schedule needs at least one beta");
        check_betas(&betas, "betas", false)?;
        Ok(Self { betas })
    }

    /// T falls linearly from `t_start` to `t_end`.
    pub fn linear(t_start: f64, t_end: f64, steps: usize) -> Result<Self> {
        check_temperatures(&[("t_start", t_start), ("t_end", t_end)], steps)?;
        Self::from_betas(sample(steps, |f| 1.0 / (t_start + (t_end - t_start) * f), &Control::new())?)
    }

    /// T falls geometrically (constant ratio per step) from `t_start` to `t_end`.
    pub fn geometric(t_start: f64, t_end: f64, steps: usize) -> Result<Self> {
        check_temperatures(&[("t_start", t_start), ("t_end", t_end)], steps)?;
        Self::from_betas(sample(steps, |f| 1.0 / (t_start * (t_end / t_start).powf(f)), &Control::new())?)
    }

    /// T decays exponentially towards `t_end`: T = t_end + (t_start - t_end)·(e^{-rf} - e^{-r})/(1 - e^{-r})
    /// for f from 0 to 1; a larger `rate` cools faster early and spends longer near `t_end`.
    pub fn exponential(t_start: f64, t_end: f64, steps: usize, rate: f64) -> Result<Self> {
        check_temperatures(&[("t_start", t_start), ("t_end", t_end)], steps)?;
        ensure!(rate.is_finite() && rate > 0.0, "rate must be positive and finite, got {rate}");
        let tail = (-rate).exp();
        let point = |f: f64| 1.0 / (t_end + (t_start - t_end) * ((-rate * f).exp() - tail) / (1.0 - tail));
        Self::from_betas(sample(steps, point, &Control::new())?)
    }

    /// Constant temperature `t` for `steps` steps.
    pub fn constant(t: f64, steps: usize) -> Result<Self> {
        check_temperatures(&[("t", t)], steps)?;
        Self::from_betas(vec![1.0 / t; steps])
    }

    /// dwave-samplers' schedules over a β range: `"geometric"` (default) or `"linear"` in β,
    /// ending exactly at `beta_max` and, with two steps or more, starting exactly at `beta_min`
    /// (as numpy's `geomspace` and `linspace` do). A linear range may start at β = 0.
    pub fn from_beta_range(beta_min: f64, beta_max: f64, steps: usize, kind: &str) -> Result<Self> {
        Self::from_beta_range_until(beta_min, beta_max, steps, kind, &Control::new())
    }

    /// [`Schedule::from_beta_range`] that stops with `Err(Interrupted)` soon after `control` is
    /// cancelled (an annealing run's schedule is built under its Ctrl-C watch).
    pub fn from_beta_range_until(
        beta_min: f64,
        beta_max: f64,
        steps: usize,
        kind: &str,
        control: &Control,
    ) -> Result<Self> {
        check_steps(steps)?;
        let positive = kind == "geometric";
        for (name, b) in [("beta_range[0]", beta_min), ("beta_range[1]", beta_max)] {
            ensure!(
                b.is_finite() && (b > 0.0 || (!positive && b == 0.0)),
                "{name} must be a {} finite inverse temperature for a {kind} schedule, got {b}",
                if positive { "positive" } else { "non-negative" }
            );
        }
        let mut betas = match kind {
            "geometric" => sample(steps, |f| beta_min * (beta_max / beta_min).powf(f), control)?,
            "linear" => sample(steps, |f| beta_min + (beta_max - beta_min) * f, control)?,
            other => return Err(invalid!("beta_schedule_type must be 'geometric' or 'linear', got {other:?}")),
        };
        // point(0) is beta_min exactly; the last point may round away from beta_max
        betas[steps - 1] = beta_max;
        Self::from_betas(betas)
    }

    pub fn betas(&self) -> &[f64] {
        &self.betas
    }

    pub fn len(&self) -> usize {
        self.betas.len()
    }

    pub fn is_empty(&self) -> bool {
        self.betas.is_empty()
    }
}

/// The β of each annealing step and the β range they span, by dwave-samplers' rules for
/// `beta_schedule_type` (`"geometric"`, `"linear"` or `"custom"`), `beta_schedule`, `beta_range`,
/// `num_sweeps` and `num_sweeps_per_beta`:
/// - geometric and linear: `num_sweeps` (1000 if not given) sweeps, a multiple of
///   `sweeps_per_beta`, over `beta_range` (the [`default_beta_range`] if not given); zero sweeps
///   give no step at all (the reads keep their starting states), one step runs at the end of
///   the range;
/// - custom: the βs of `custom` as given (non-negative; +∞ is a zero-temperature step that takes
///   every flip lowering the energy and no other); a `num_sweeps` or `beta_range` given with it
///   must agree with it.
///
/// `Err(Interrupted)` soon after `control` is cancelled.
pub fn dwave_betas(
    model: &IsingModel,
    kind: &str,
    custom: Option<Vec<f64>>,
    beta_range: Option<(f64, f64)>,
    num_sweeps: Option<usize>,
    sweeps_per_beta: usize,
    control: &Control,
) -> Result<(Vec<f64>, (f64, f64))> {
    ensure!(sweeps_per_beta > 0, "num_sweeps_per_beta must be positive, got 0");
    if kind == "custom" {
        let betas = custom.ok_or_else(|| invalid!("beta_schedule_type='custom' needs a beta_schedule"))?;
        ensure!(!betas.is_empty(), "beta_schedule needs at least one beta");
        check_betas(&betas, "beta_schedule", true)?;
        let ends = (betas[0], betas[betas.len() - 1]);
        if let Some(sweeps) = num_sweeps {
            let expected = betas.len().saturating_mul(sweeps_per_beta);
            ensure!(
                sweeps == expected,
                "num_sweeps ({sweeps}) must be len(beta_schedule) x num_sweeps_per_beta ({expected}) \
                 for beta_schedule_type='custom', or not given"
            );
        }
        if let Some(range) = beta_range {
            ensure!(
                range == ends,
                "beta_range {range:?} must be the first and last beta of beta_schedule {ends:?} \
                 for beta_schedule_type='custom', or not given"
            );
        }
        return Ok((betas, ends));
    }
    ensure!(
        kind == "geometric" || kind == "linear",
        "beta_schedule_type must be 'geometric', 'linear' or 'custom', got {kind:?}"
    );
    ensure!(custom.is_none(), "beta_schedule goes with beta_schedule_type='custom', not {kind:?}");
    let sweeps = num_sweeps.unwrap_or(1000);
    ensure!(
        sweeps.is_multiple_of(sweeps_per_beta),
        "num_sweeps ({sweeps}) must be a multiple of num_sweeps_per_beta ({sweeps_per_beta})"
    );
    let range = match beta_range {
        Some(range) => range,
        None => default_beta_range(model, control)?,
    };
    for b in [range.0, range.1] {
        ensure!(b.is_finite() && b >= 0.0, "beta_range must hold two non-negative finite numbers, got {range:?}");
    }
    let steps = sweeps / sweeps_per_beta;
    let betas = match steps {
        0 => Vec::new(),
        _ => Schedule::from_beta_range_until(range.0, range.1, steps, kind, control)?.betas,
    };
    Ok((betas, range))
}

/// dwave-samplers' default β range (`_default_ising_beta_range`, with `scale_T_with_N`): hot
/// enough that the stiffest p-bit flips with probability ½ (β = ln 2 / max ΔE), cold enough
/// that the expected number of excitations of the softest p-bits on the last sweep is 1/100
/// (β = ln(#softest / 0.01) / min ΔE), with ΔE twice the bias bounds of [`IsingModel::min_bias`].
/// `Err(Interrupted)` soon after `control` is cancelled (two passes over the couplings).
pub fn default_beta_range(model: &IsingModel, control: &crate::control::Control) -> Result<(f64, f64)> {
    const MAX_DEFAULT_BETA: f64 = 1e300;
    let Some((min_bias, count)) = model.min_bias(control)? else {
        return Ok((0.1, 1.0)); // no couplings and no fields: every state is a ground state
    };
    // Biases near the bottom of the f64 range would give infinite βs; cap them (β·ΔE stays finite).
    let hot = (std::f64::consts::LN_2 / model.max_delta_energy(control)?).min(MAX_DEFAULT_BETA);
    let cold = ((count as f64 / 0.01).ln() / (2.0 * min_bias)).min(MAX_DEFAULT_BETA);
    Ok((hot, cold.max(hot)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let s = Schedule::linear(10.0, 1.0, 4).unwrap();
        assert_eq!(s.betas(), &[0.1, 1.0 / 7.0, 0.25, 1.0]);
        let g = Schedule::geometric(8.0, 1.0, 4).unwrap();
        for (b, t) in g.betas().iter().zip([8.0, 4.0, 2.0, 1.0]) {
            assert!((b * t - 1.0).abs() < 1e-12);
        }
        let e = Schedule::exponential(5.0, 1.0, 11, 5.0).unwrap();
        assert!((e.betas()[0] - 0.2).abs() < 1e-12 && (e.betas()[10] - 1.0).abs() < 1e-12);
        assert!(e.betas().windows(2).all(|w| w[0] < w[1]));
        assert!(Schedule::linear(-1.0, 1.0, 3).is_err());
        assert!(Schedule::constant(1.0, 0).is_err());
        assert!(Schedule::from_betas(vec![1.0, f64::NAN]).is_err());
        let r = Schedule::from_beta_range(0.1, 10.0, 3, "geometric").unwrap();
        assert!((r.betas()[1] - 1.0).abs() < 1e-12);
        assert!(Schedule::from_beta_range(0.1, 1.0, 3, "cubic").is_err());
    }

    #[test]
    fn dwave_rules() {
        let m = IsingModel::from_edges(3, &[0, 1], &[1, 2], &[1.0, 1.0], &[0.0; 3]).unwrap();
        let run = |kind, custom: Option<Vec<f64>>, range, sweeps, k| {
            dwave_betas(&m, kind, custom, range, sweeps, k, &Control::new())
        };
        let (betas, range) = run("geometric", None, None, None, 1).unwrap();
        assert_eq!((betas.len(), range), (1000, default_beta_range(&m, &crate::control::Control::new()).unwrap()));
        assert_eq!((betas[0], betas[999]), range);
        let (betas, _) = run("linear", None, Some((0.0, 2.0)), Some(6), 2).unwrap();
        assert_eq!(betas, [0.0, 1.0, 2.0]);
        assert_eq!(run("linear", None, Some((0.5, 2.0)), Some(1), 1).unwrap().0, [2.0]);
        assert!(run("geometric", None, Some((0.1, 1.0)), Some(0), 1).unwrap().0.is_empty());
        assert!(run("geometric", None, Some((0.0, 1.0)), Some(10), 1).is_err());
        assert!(run("linear", None, Some((-0.1, 1.0)), Some(10), 1).is_err());
        assert!(run("linear", None, Some((0.1, f64::INFINITY)), Some(10), 1).is_err());
        assert!(run("linear", None, None, Some(5), 2).is_err());
        assert!(run("linear", Some(vec![1.0]), None, None, 1).is_err());
        assert!(run("cubic", None, None, None, 1).is_err());
        let inf = f64::INFINITY;
        let (betas, range) = run("custom", Some(vec![0.5, inf]), None, Some(4), 2).unwrap();
        assert_eq!((betas, range), (vec![0.5, inf], (0.5, inf)));
        assert!(run("custom", Some(vec![0.5, 1.0]), Some((0.5, 1.0)), None, 1).is_ok());
        assert!(run("custom", Some(vec![0.5, 1.0]), Some((0.5, 2.0)), None, 1).is_err());
        assert!(run("custom", Some(vec![0.5, 1.0]), None, Some(3), 1).is_err());
        assert!(run("custom", Some(vec![-1.0, 1.0]), None, None, 1).is_err());
        assert!(run("custom", Some(vec![f64::NAN]), None, None, 1).is_err());
        assert!(run("custom", Some(vec![]), None, None, 1).is_err());
        assert!(run("custom", None, None, None, 1).is_err());
    }

    #[test]
    fn default_range_brackets_the_couplings() {
        let m = IsingModel::from_edges(3, &[0, 1], &[1, 2], &[1.0, 1.0], &[0.0; 3]).unwrap();
        let (hot, cold) = default_beta_range(&m, &crate::control::Control::new()).unwrap();
        assert!((hot - std::f64::consts::LN_2 / 4.0).abs() < 1e-12);
        // three spins share the smallest bias (1.0): ln(3 / 0.01) / 2
        assert!((cold - (300.0f64).ln() / 2.0).abs() < 1e-12);
    }
}
