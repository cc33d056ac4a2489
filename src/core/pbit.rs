//! A single probabilistic bit: s = sgn(tanh(β·(I + bias)) − r), r ~ U(−1, 1).

use crate::control::Control;
use crate::ensure;
use crate::error::{try_with_capacity, Result};
use crate::rng::Stream;

/// Draws between two interrupt checks: a few milliseconds of work.
const SAMPLE_CHUNK: usize = 1 << 20;

#[derive(Debug, Clone, PartialEq)]
pub struct PBit {
    pub bias: f64,
    pub beta: f64,
    stream: Stream,
}

impl PBit {
    pub fn new(bias: f64, beta: f64, seed: u64) -> Result<Self> {
        ensure!(bias.is_finite(), "bias must be finite, got {bias}");
        ensure!(beta.is_finite() && beta >= 0.0, "beta must be finite and non-negative, got {beta}");
        Ok(Self { bias, beta, stream: Stream::new(seed, 0) })
    }

    pub fn with_state(bias: f64, beta: f64, state: [u64; 4]) -> Result<Self> {
        let mut p = Self::new(bias, beta, 0)?;
        p.stream = Stream::from_state(state);
        Ok(p)
    }

    pub fn rng_state(&self) -> [u64; 4] {
        self.stream.state()
    }

    fn activation(&self, input: f64) -> Result<f64> {
        ensure!(input.is_finite(), "input must be finite, got {input}");
        Ok((self.beta * (input + self.bias)).tanh())
    }

    /// P(s = +1) = (1 + tanh(β(I + bias))) / 2.
    pub fn probability_up(&self, input: f64) -> Result<f64> {
        Ok(0.5 * (1.0 + self.activation(input)?))
    }

    pub fn sample(&mut self, input: f64) -> Result<i8> {
        let a = self.activation(input)?;
        let r = 2.0 * self.stream.next_f64() - 1.0;
        Ok(if a > r { 1 } else { -1 })
    }

    /// `count` draws, in chunks of [`SAMPLE_CHUNK`] with `control` checked between them.
    pub fn sample_many(&mut self, count: usize, input: f64, control: &Control) -> Result<Vec<i8>> {
        let a = self.activation(input)?;
        let mut out = try_with_capacity(count, &format!("{count} samples"))?;
        while out.len() < count {
            control.check()?;
            let k = SAMPLE_CHUNK.min(count - out.len());
            out.extend((0..k).map(|_| if a > 2.0 * self.stream.next_f64() - 1.0 { 1 } else { -1 }));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frequency_matches_probability() {
        let mut p = PBit::new(0.3, 1.5, 9).unwrap();
        let n = 200_000;
        let up = p.sample_many(n, 0.2, &Control::new()).unwrap().iter().filter(|&&s| s == 1).count() as f64 / n as f64;
        let exact = p.probability_up(0.2).unwrap();
        assert!((up - exact).abs() < 4.0 * (exact * (1.0 - exact) / n as f64).sqrt());
        assert!(p.sample(f64::NAN).is_err());
        assert!(PBit::new(0.0, -1.0, 0).is_err());
    }

    #[test]
    fn sample_many_stops_once_cancelled() {
        let control = Control::new();
        control.cancel();
        let mut p = PBit::new(0.0, 1.0, 1).unwrap();
        assert!(matches!(p.sample_many(3, 0.0, &control), Err(crate::error::Error::Interrupted)));
        assert_eq!(p.sample_many(0, 0.0, &control).unwrap(), Vec::<i8>::new());
    }
}
