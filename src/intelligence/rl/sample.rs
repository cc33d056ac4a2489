//! The few distributions the bandits draw from, on the crate's seeded [`Stream`].

use crate::rng::Stream;

/// A standard normal draw (Marsaglia's polar method; the second value is dropped, so a draw
/// depends on the stream alone and not on what an earlier call left behind).
pub fn normal(rng: &mut Stream) -> f64 {
    loop {
        let u = 2.0 * rng.next_f64() - 1.0;
        let v = 2.0 * rng.next_f64() - 1.0;
        let s = u * u + v * v;
        if s > 0.0 && s < 1.0 {
            return u * (-2.0 * s.ln() / s).sqrt();
        }
    }
}

/// Gamma(shape, 1) for shape > 0 (Marsaglia and Tsang 2000; shape < 1 through
/// Gamma(shape + 1) · U^(1/shape)).
pub fn gamma(rng: &mut Stream, shape: f64) -> f64 {
    if shape < 1.0 {
        let u = 1.0 - rng.next_f64(); // in (0, 1]
        return gamma(rng, shape + 1.0) * u.powf(1.0 / shape);
    }
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let x = normal(rng);
        let v = 1.0 + c * x;
        if v <= 0.0 {
            continue;
        }
        let v = v * v * v;
        let u = 1.0 - rng.next_f64();
        if u.ln() < 0.5 * x * x + d - d * v + d * v.ln() {
            return d * v;
        }
    }
}

/// Beta(a, b) for a, b > 0, as X / (X + Y) of two Gamma draws.
pub fn beta(rng: &mut Stream, a: f64, b: f64) -> f64 {
    let x = gamma(rng, a);
    let y = gamma(rng, b);
    if x + y > 0.0 {
        x / (x + y)
    } else {
        // both underflowed (tiny shapes): the mean is the best stand-in
        a / (a + b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_match() {
        let mut rng = Stream::new(5, 0);
        let n = 200_000;
        for (a, b) in [(2.0, 3.0), (0.5, 0.5), (30.0, 10.0)] {
            let xs: Vec<f64> = (0..n).map(|_| beta(&mut rng, a, b)).collect();
            let mean = xs.iter().sum::<f64>() / n as f64;
            let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
            let (m, v) = (a / (a + b), a * b / ((a + b).powi(2) * (a + b + 1.0)));
            assert!((mean - m).abs() < 4e-3, "{a} {b}: {mean} vs {m}");
            assert!((var - v).abs() < 0.03 * v + 1e-4, "{a} {b}: {var} vs {v}");
        }
        let zs: Vec<f64> = (0..n).map(|_| normal(&mut rng)).collect();
        let mean = zs.iter().sum::<f64>() / n as f64;
        let var = zs.iter().map(|z| z * z).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.01 && (var - 1.0).abs() < 0.02);
    }
}
