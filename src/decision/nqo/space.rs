//! The search space: a box of continuous and integer variables, and its map to the unit cube.
//!
//! The optimiser works in unit coordinates u ∈ [0, 1]^d so that every variable has the same
//! scale. A continuous variable maps linearly, x = lo + u·(hi − lo). An integer variable takes the
//! whole numbers in [ceil(lo), floor(hi)] (scipy's `integrality` convention); its unit coordinate
//! is snapped to the grid of those values.

use crate::error::Result;
use crate::{ensure, invalid};

#[derive(Debug, Clone, PartialEq)]
pub struct Space {
    lo: Vec<f64>,
    hi: Vec<f64>,
    integer: Vec<bool>,
}

impl Space {
    /// `lo[i] < hi[i]` for continuous variables; integer variables need a whole number in
    /// `[lo[i], hi[i]]` (their bounds become `ceil(lo)`, `floor(hi)`, and may then be equal).
    pub fn new(lo: &[f64], hi: &[f64], integer: &[bool]) -> Result<Self> {
        let d = lo.len();
        ensure!(d > 0, "bounds must hold at least one (lower, upper) pair");
        ensure!(hi.len() == d, "bounds: {d} lower bounds but {} upper bounds", hi.len());
        ensure!(integer.len() == d, "integrality must have one entry per variable ({d}), got {}", integer.len());
        let (mut l, mut h) = (lo.to_vec(), hi.to_vec());
        for i in 0..d {
            let (a, b) = (lo[i], hi[i]);
            ensure!(a.is_finite() && b.is_finite(), "bounds[{i}] must be finite, got ({a}, {b})");
            if integer[i] {
                let (a2, b2) = (a.ceil(), b.floor());
                ensure!(a2 <= b2, "bounds[{i}] = ({a}, {b}) holds no integer, but variable {i} is an integer variable");
                ensure!(
                    b2 - a2 < 2f64.powi(52),
                    "bounds[{i}] = ({a}, {b}) spans too many integers for an integer variable"
                );
                (l[i], h[i]) = (a2, b2);
            } else {
                ensure!(a < b, "bounds[{i}]: the lower bound must be below the upper bound, got ({a}, {b})");
                ensure!((b - a).is_finite(), "bounds[{i}] = ({a}, {b}) is too wide to represent");
            }
        }
        Ok(Self { lo: l, hi: h, integer: integer.to_vec() })
    }

    pub fn dim(&self) -> usize {
        self.lo.len()
    }

    pub fn is_integer(&self, i: usize) -> bool {
        self.integer[i]
    }

    /// Number of values of integer variable `i` minus one (its grid has this many steps), or
    /// `None` for a continuous variable.
    pub fn steps(&self, i: usize) -> Option<u64> {
        self.integer[i].then(|| (self.hi[i] - self.lo[i]) as u64)
    }

    /// Indices of the continuous variables.
    pub fn continuous(&self) -> Vec<usize> {
        (0..self.dim()).filter(|&i| !self.integer[i]).collect()
    }

    /// The unit coordinate `u` of variable `i` on its grid (integer variables) and inside [0, 1].
    pub fn snap1(&self, i: usize, u: f64) -> f64 {
        let u = u.clamp(0.0, 1.0);
        match self.steps(i) {
            None => u,
            Some(0) => 0.0,
            Some(w) => (u * w as f64).round() / w as f64,
        }
    }

    pub fn snap(&self, u: &mut [f64]) {
        for (i, v) in u.iter_mut().enumerate() {
            *v = self.snap1(i, *v);
        }
    }

    /// Real coordinates of a unit point (integers exact, every value inside its bounds).
    pub fn to_real(&self, u: &[f64], x: &mut [f64]) {
        for i in 0..self.dim() {
            let (a, b) = (self.lo[i], self.hi[i]);
            x[i] = match self.steps(i) {
                None => (a + u[i].clamp(0.0, 1.0) * (b - a)).clamp(a, b),
                Some(w) => a + (u[i].clamp(0.0, 1.0) * w as f64).round(),
            };
        }
    }

    /// Unit coordinates of a real point, which must lie inside the bounds (`what` names it).
    pub fn to_unit(&self, x: &[f64], what: &str) -> Result<Vec<f64>> {
        let d = self.dim();
        ensure!(x.len() == d, "{what} must have one value per variable ({d}), got {}", x.len());
        let mut u = vec![0.0; d];
        for i in 0..d {
            let (a, b, v) = (self.lo[i], self.hi[i], x[i]);
            if !v.is_finite() {
                return Err(crate::error::not_finite(what, &format!("{what}[{i}]"), v));
            }
            let (la, lb) = if self.integer[i] { (a - 0.5, b + 0.5) } else { (a, b) };
            if !(la..=lb).contains(&v) {
                return Err(invalid!("{what}[{i}] = {v} lies outside its bounds [{a}, {b}]"));
            }
            u[i] = if b > a { ((v - a) / (b - a)).clamp(0.0, 1.0) } else { 0.0 };
            u[i] = self.snap1(i, u[i]);
        }
        Ok(u)
    }

    /// Real width of variable `i`'s range (0 for an integer variable with one value).
    pub fn width(&self, i: usize) -> f64 {
        self.hi[i] - self.lo[i]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_and_snaps() {
        let s = Space::new(&[-1.0, 0.5, 2.0], &[3.0, 4.2, 2.9], &[false, true, true]).unwrap();
        // integer variable 1 takes 1..=4, variable 2 only 2
        assert_eq!(s.steps(1), Some(3));
        assert_eq!(s.steps(2), Some(0));
        assert_eq!(s.continuous(), vec![0]);
        let mut x = [0.0; 3];
        s.to_real(&[0.25, 0.4, 0.7], &mut x);
        assert_eq!(x, [0.0, 2.0, 2.0]);
        let u = s.to_unit(&[3.0, 4.0, 2.0], "x0").unwrap();
        assert_eq!(u, vec![1.0, 1.0, 0.0]);
        assert!((s.snap1(1, 0.2) - 1.0 / 3.0).abs() < 1e-15);
        assert!(s.to_unit(&[3.5, 1.0, 2.0], "x0").unwrap_err().to_string().contains("x0[0] = 3.5"));
        assert!(s.to_unit(&[0.0, 1.0], "x0").is_err());
        assert!(s.to_unit(&[f64::NAN, 1.0, 2.0], "x0").is_err());
    }

    #[test]
    fn refuses_bad_bounds() {
        assert!(Space::new(&[], &[], &[]).is_err());
        assert!(Space::new(&[1.0], &[1.0], &[false]).unwrap_err().to_string().contains("bounds[0]"));
        assert!(Space::new(&[2.0], &[1.0], &[false]).is_err());
        assert!(Space::new(&[f64::NAN], &[1.0], &[false]).is_err());
        assert!(Space::new(&[0.0], &[f64::INFINITY], &[false]).is_err());
        assert!(Space::new(&[0.2], &[0.8], &[true]).unwrap_err().to_string().contains("no integer"));
        assert!(Space::new(&[-f64::MAX], &[f64::MAX], &[false]).is_err());
        assert!(Space::new(&[1.0], &[1.0], &[true]).is_ok());
    }
}
