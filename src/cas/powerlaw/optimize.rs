//! The minimiser of the alternatives' negative log-likelihoods: the crate's Nelder–Mead restarted
//! from its best point until a restart no longer improves it (a simplex can stall on the curved
//! ridges of these likelihoods; a fresh one moves on).

use crate::control::Control;
use crate::error::Result;
use crate::optim::nelder_mead;

/// Minimise `f` from `x0`: initial steps of `step` relative to each coordinate (absolute for
/// coordinates below 1e-3), at most 8 restarts, each stopping when the simplex's values agree to
/// 1e-15 relative and its vertices to 1e-12; a restart that gains no more than 1e-13 relative ends
/// the search. Non-finite values count as +inf (infeasible). Returns (argmin, min).
pub fn minimise(f: impl Fn(&[f64]) -> f64, x0: &[f64], step: f64, control: &Control) -> Result<(Vec<f64>, f64)> {
    let cost = |x: &[f64]| {
        let v = f(x);
        if v.is_finite() {
            v
        } else {
            f64::INFINITY
        }
    };
    let mut best = x0.to_vec();
    let mut best_f = cost(&best);
    for _restart in 0..8 {
        let steps: Vec<f64> = best.iter().map(|p| if p.abs() > 1e-3 { step * p.abs() } else { step }).collect();
        let ftol = if best_f.is_finite() { 1e-15 * best_f.abs() } else { 0.0 };
        let (x, v) = nelder_mead(&cost, &best, &steps, ftol, 1e-12, 4000 * (best.len() + 1), control)?;
        let improved = v < best_f && (best_f.is_infinite() || best_f - v > 1e-13 * best_f.abs().max(1e-300));
        if v < best_f {
            best = x;
            best_f = v;
        }
        if !improved {
            break;
        }
    }
    Ok((best, best_f))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rosenbrock_minimum() {
        let rosen = |p: &[f64]| (p[0] - 1.0).powi(2) + 100.0 * (p[1] - p[0] * p[0]).powi(2);
        let (x, v) = minimise(rosen, &[-1.2, 1.0], 0.1, &Control::new()).unwrap();
        assert!((x[0] - 1.0).abs() < 1e-6 && (x[1] - 1.0).abs() < 1e-6 && v < 1e-12, "{x:?} {v}");
    }
}
