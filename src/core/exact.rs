//! Exact enumeration of all 2^N states (N ≤ 24) in Gray-code order: one flip per state.
//!
//! State index convention: bit i of the index is 1 when spin i is +1.

use super::model::IsingModel;
use crate::control::Control;
use crate::error::{Error, Result};

pub const MAX_SPINS: usize = 24;

/// E(s) (with offset) for every state index.
pub fn energies(model: &IsingModel) -> Result<Vec<f64>> {
    energies_checked(model, &Control::new())
}

/// [`energies`], `Err(Interrupted)` soon after `control` is cancelled (2^24 states take about a
/// second).
pub fn energies_checked(model: &IsingModel, control: &Control) -> Result<Vec<f64>> {
    const CHECK_EVERY: usize = 1 << 16;
    let n = model.n();
    if n > MAX_SPINS {
        return Err(Error::ResourceLimit(format!(
            "exact enumeration is limited to {MAX_SPINS} p-bits (2^{MAX_SPINS} states); this network has {n}"
        )));
    }
    let mut s = vec![-1i8; n];
    let mut fields = vec![0.0; n];
    model.local_fields(&s, &mut fields);
    let dense = model.to_dense()?;
    let mut e = model.energy(&s);
    let mut out = crate::error::try_vec(1usize << n, 0.0, &format!("the energies of 2^{n} states"))?;
    let mut code = 0usize;
    out[0] = e;
    for k in 1usize..1 << n {
        if k % CHECK_EVERY == 0 {
            control.check()?;
        }
        let i = k.trailing_zeros() as usize;
        e += 2.0 * s[i] as f64 * fields[i];
        s[i] = -s[i];
        let d = 2.0 * s[i] as f64;
        for (f, w) in fields.iter_mut().zip(&dense[i * n..(i + 1) * n]) {
            *f += w * d;
        }
        code ^= 1 << i;
        out[code] = e;
    }
    Ok(out)
}

/// Boltzmann probabilities p(s) ∝ exp(-β E(s)) for every state index; `Err(Interrupted)` soon
/// after `control` is cancelled.
pub fn distribution(model: &IsingModel, beta: f64, control: &Control) -> Result<Vec<f64>> {
    let e = energies_checked(model, control)?;
    control.check()?;
    distribution_of(&e, beta)
}

/// Boltzmann probabilities of the states with energies `e` (shifted by the lowest: no overflow).
pub fn distribution_of(e: &[f64], beta: f64) -> Result<Vec<f64>> {
    crate::ensure!(beta.is_finite() && beta >= 0.0, "beta must be finite and non-negative, got {beta}");
    let e_min = e.iter().cloned().fold(f64::INFINITY, f64::min);
    let what = format!("the probabilities of {} states", e.len());
    let mut p = crate::error::try_collect(e.iter().map(|x| (-beta * (x - e_min)).exp()), &what)?;
    let z: f64 = p.iter().sum();
    p.iter_mut().for_each(|x| *x /= z);
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gray_code_matches_direct_energies() {
        let n = 6;
        let rows = [0, 1, 2, 3, 4, 0, 1];
        let cols = [1, 2, 3, 4, 5, 3, 5];
        let vals = [1.0, -0.5, 0.75, 2.0, -1.0, 0.3, 0.9];
        let h = [0.1, 0.0, -0.4, 0.2, 0.0, 0.6];
        let mut m = IsingModel::from_edges(n, &rows, &cols, &vals, &h).unwrap();
        m.set_offset(1.5).unwrap();
        let e = energies(&m).unwrap();
        for (code, &ek) in e.iter().enumerate() {
            let s: Vec<i8> = (0..n).map(|i| if code >> i & 1 == 1 { 1 } else { -1 }).collect();
            assert!((m.energy(&s) - ek).abs() < 1e-12);
        }
        let p = distribution(&m, 0.8, &Control::new()).unwrap();
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(energies(&IsingModel::empty(25).unwrap()).is_err());
        let cancelled = Control::new();
        cancelled.cancel();
        let big = IsingModel::empty(20).unwrap();
        assert!(matches!(energies_checked(&big, &cancelled), Err(Error::Interrupted)));
    }
}
