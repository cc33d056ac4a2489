//! Least-squares lines through pivots, their residuals, and the roundness of a price arc.

/// A straight line `price = slope × bar + intercept`, with the R² and the root-mean-square
/// residual of the points it was fitted to (R² is 1 for two points or for points on a flat line).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Line {
    pub slope: f64,
    pub intercept: f64,
    pub r2: f64,
    pub rms: f64,
    /// How many points were fitted.
    pub points: usize,
    /// First and last bar the line is drawn over.
    pub x0: usize,
    pub x1: usize,
}

impl Line {
    pub fn at(&self, x: f64) -> f64 {
        self.slope * x + self.intercept
    }

    /// A horizontal line at `price` from bar `x0` to `x1`.
    pub fn flat(price: f64, x0: usize, x1: usize) -> Self {
        Self { slope: 0.0, intercept: price, r2: 1.0, rms: 0.0, points: 2, x0, x1 }
    }

    /// The least-squares line through `(x, y)` points (at least two, distinct x).
    pub fn fit(points: &[(usize, f64)]) -> Self {
        let n = points.len() as f64;
        let mx = points.iter().map(|p| p.0 as f64).sum::<f64>() / n;
        let my = points.iter().map(|p| p.1).sum::<f64>() / n;
        let (mut sxx, mut sxy, mut syy) = (0.0, 0.0, 0.0);
        for &(x, y) in points {
            let dx = x as f64 - mx;
            let dy = y - my;
            sxx += dx * dx;
            sxy += dx * dy;
            syy += dy * dy;
        }
        let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
        let intercept = my - slope * mx;
        let ssr: f64 = points.iter().map(|&(x, y)| (y - (slope * x as f64 + intercept)).powi(2)).sum();
        let r2 = if points.len() <= 2 || syy <= 0.0 { 1.0 } else { (1.0 - ssr / syy).clamp(0.0, 1.0) };
        let x0 = points.iter().map(|p| p.0).min().unwrap_or(0);
        let x1 = points.iter().map(|p| p.0).max().unwrap_or(0);
        Self { slope, intercept, r2, rms: (ssr / n).sqrt(), points: points.len(), x0, x1 }
    }
}

/// The shape of the closes between two rims around an extreme: the R² of a least-squares
/// parabola, and the share of bars within the third of the depth nearest the extreme
/// (`bottom = true`: the lowest third). A parabola puts about 58 % of its bars there, a V 33 %.
pub fn roundness(close: &[f64], extreme: f64, rim: f64, bottom: bool) -> (f64, f64) {
    let n = close.len();
    if n < 3 {
        return (0.0, 0.0);
    }
    let depth = (rim - extreme).abs();
    let near =
        close.iter().filter(|&&c| if bottom { c <= extreme + depth / 3.0 } else { c >= extreme - depth / 3.0 }).count()
            as f64
            / n as f64;
    // Least squares on centred, scaled x in [-1, 1] for conditioning: y = a + b t + c t².
    let half = (n - 1) as f64 / 2.0;
    let (mut s0, mut s1, mut s2, mut s3, mut s4) = (0.0, 0.0, 0.0, 0.0, 0.0);
    let (mut t0, mut t1, mut t2) = (0.0, 0.0, 0.0);
    let my = close.iter().sum::<f64>() / n as f64;
    for (i, &c) in close.iter().enumerate() {
        let t = (i as f64 - half) / half;
        let y = c - my;
        let t2v = t * t;
        s0 += 1.0;
        s1 += t;
        s2 += t2v;
        s3 += t2v * t;
        s4 += t2v * t2v;
        t0 += y;
        t1 += y * t;
        t2 += y * t2v;
    }
    let m = [[s0, s1, s2], [s1, s2, s3], [s2, s3, s4]];
    let Some(coef) = solve3(m, [t0, t1, t2]) else { return (0.0, near) };
    let (mut ssr, mut sst) = (0.0, 0.0);
    for (i, &c) in close.iter().enumerate() {
        let t = (i as f64 - half) / half;
        let y = c - my;
        let f = coef[0] + coef[1] * t + coef[2] * t * t;
        ssr += (y - f) * (y - f);
        sst += y * y;
    }
    // The parabola must open the right way (up for a bottom).
    let opens_right = if bottom { coef[2] > 0.0 } else { coef[2] < 0.0 };
    let r2 = if sst > 0.0 && opens_right { (1.0 - ssr / sst).clamp(0.0, 1.0) } else { 0.0 };
    (r2, near)
}

fn solve3(mut m: [[f64; 3]; 3], mut b: [f64; 3]) -> Option<[f64; 3]> {
    for col in 0..3 {
        let piv = (col..3).max_by(|&i, &j| m[i][col].abs().total_cmp(&m[j][col].abs()))?;
        if m[piv][col].abs() < 1e-300 {
            return None;
        }
        m.swap(col, piv);
        b.swap(col, piv);
        for r in col + 1..3 {
            let f = m[r][col] / m[col][col];
            let pivot_row = m[col];
            for (dst, src) in m[r][col..].iter_mut().zip(&pivot_row[col..]) {
                *dst -= f * src;
            }
            b[r] -= f * b[col];
        }
    }
    let mut x = [0.0; 3];
    for r in (0..3).rev() {
        let s: f64 = (r + 1..3).map(|k| m[r][k] * x[k]).sum();
        x[r] = (b[r] - s) / m[r][r];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_through_points() {
        let l = Line::fit(&[(0, 1.0), (2, 5.0), (4, 9.0)]);
        assert!((l.slope - 2.0).abs() < 1e-12 && (l.intercept - 1.0).abs() < 1e-12);
        assert!((l.r2 - 1.0).abs() < 1e-12 && l.rms < 1e-12);
        let l = Line::fit(&[(0, 0.0), (1, 1.0), (2, 0.0)]);
        assert!(l.slope.abs() < 1e-12 && l.r2 < 1e-12);
        assert!((l.rms - (2.0f64 / 9.0).sqrt()).abs() < 1e-12);
    }

    #[test]
    fn parabola_is_round_v_is_not() {
        let u: Vec<f64> = (0..41).map(|i| 100.0 + ((i as f64 - 20.0) / 20.0).powi(2) * 10.0).collect();
        let (r2, near) = roundness(&u, 100.0, 110.0, true);
        assert!(r2 > 0.999 && near > 0.55, "{r2} {near}");
        let v: Vec<f64> = (0..41).map(|i| 100.0 + ((i as f64 - 20.0) / 20.0).abs() * 10.0).collect();
        let (_, near) = roundness(&v, 100.0, 110.0, true);
        assert!(near < 0.4, "{near}");
        let (r2, _) = roundness(&u, 110.0, 100.0, false);
        assert_eq!(r2, 0.0);
    }
}
