//! Replica-parallel sweeps: [`LANES`] independent reads advance together, one SIMD lane each.
//!
//! Spins are stored lane-minor (`s[i * LANES + r]`), so the spins of p-bit i's neighbours in all
//! replicas are contiguous loads. Each p-bit's local field is pulled from them when it is
//! visited, which needs no field bookkeeping and no scattered writes, and the acceptance test
//! runs on all lanes at once: the cost per update no longer grows with the acceptance rate.
//! Used to anneal many reads of sparse problems. Replica r draws only from its own random stream,
//! so its trajectory does not depend on which group or thread runs it.

use super::engine::{Engine, Layout};
use super::kernel::{decide_lanes, Method};
use super::model::Csr;
use crate::backend::cpu_features;
use crate::rng::{LaneUniforms, Stream, LANES};

/// `LANES` replicas of one sparse engine, in engine order.
#[derive(Debug, Clone)]
pub struct LaneGroup {
    s: Vec<i8>,
    rng: LaneUniforms,
}

impl LaneGroup {
    /// Lane r starts from `states[r]` (engine order) and draws from `streams[r]`.
    pub fn new(states: &[Vec<i8>; LANES], streams: &mut [Stream; LANES]) -> Self {
        let n = states[0].len();
        let mut s = vec![0i8; n * LANES];
        for (r, state) in states.iter().enumerate() {
            for (i, &x) in state.iter().enumerate() {
                s[i * LANES + r] = x;
            }
        }
        Self { s, rng: LaneUniforms::from_streams(streams) }
    }

    /// Replica `r`'s spins, engine order.
    pub fn state(&self, r: usize) -> Vec<i8> {
        self.s.iter().skip(r).step_by(LANES).copied().collect()
    }

    /// `num_sweeps` sweeps of every replica at inverse temperature `beta`.
    /// Panics on a dense engine: lane groups are for sparse couplings.
    pub fn sweep(&mut self, engine: &Engine, beta: f64, method: Method, num_sweeps: usize) {
        let Layout::Sparse { csr, .. } = &engine.layout else { panic!("lane groups need a sparse engine") };
        #[cfg(target_arch = "x86_64")]
        if cpu_features::has_avx2() {
            // SAFETY: AVX2 support was just checked at run time.
            return unsafe { sweep_avx2(self, csr, &engine.h, beta, method, num_sweeps) };
        }
        sweep_any(self, csr, &engine.h, beta, method, num_sweeps)
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn sweep_avx2(g: &mut LaneGroup, csr: &Csr, h: &[f64], beta: f64, m: Method, k: usize) {
    sweep_any(g, csr, h, beta, m, k)
}

#[inline(always)]
fn sweep_any(g: &mut LaneGroup, csr: &Csr, h: &[f64], beta: f64, m: Method, num_sweeps: usize) {
    for _ in 0..num_sweeps {
        match m {
            Method::Gibbs => sweep_once::<true>(g, csr, h, beta),
            Method::Metropolis => sweep_once::<false>(g, csr, h, beta),
        }
    }
}

// Lane loops index several arrays in step; indices are the clearest form.
#[allow(clippy::needless_range_loop)]
#[inline(always)]
fn sweep_once<const GIBBS: bool>(g: &mut LaneGroup, csr: &Csr, h: &[f64], beta: f64) {
    let n = h.len();
    assert!(g.s.len() == n * LANES && csr.indptr.len() == n + 1 && csr.indptr[n] <= csr.indices.len());
    assert!(csr.indices.len() == csr.data.len());
    for i in 0..n {
        let mut f = [h[i]; LANES];
        for k in csr.indptr[i]..csr.indptr[i + 1] {
            // SAFETY: k < indptr[n] <= indices.len() == data.len() (asserted above; indptr is
            // non-decreasing), and `Engine::new` checked every column index j < n, so
            // j * LANES + LANES <= s.len(). Checked indexing would double this inner loop.
            unsafe {
                let j = *csr.indices.get_unchecked(k) as usize;
                let w = *csr.data.get_unchecked(k);
                let sj = g.s.get_unchecked(j * LANES..j * LANES + LANES);
                for l in 0..LANES {
                    f[l] += w * sj[l] as f64;
                }
            }
        }
        let u = g.rng.next_lanes();
        let si: &mut [i8; LANES] = (&mut g.s[i * LANES..i * LANES + LANES]).try_into().expect("LANES spins");
        let flip = decide_lanes::<GIBBS>(si, &f, &u, beta);
        for l in 0..LANES {
            si[l] = if flip[l] { -si[l] } else { si[l] };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::IsingModel;

    #[test]
    fn lanes_are_independent_of_their_group() {
        // A ring with fields; replica 3's trajectory must not depend on the other lanes.
        let n = 101;
        let rows: Vec<i64> = (0..n as i64).collect();
        let cols: Vec<i64> = (0..n as i64).map(|i| (i + 1) % n as i64).collect();
        let h: Vec<f64> = (0..n).map(|i| (i % 3) as f64 * 0.1).collect();
        let model = IsingModel::from_edges(n, &rows, &cols, &vec![1.0; n], &h).unwrap();
        let engine = Engine::new(&model);
        let run = |seeds: [u64; LANES]| {
            let mut streams: [Stream; LANES] = std::array::from_fn(|r| Stream::new(seeds[r], 0));
            let states: [Vec<i8>; LANES] = std::array::from_fn(|r| (0..n).map(|_| streams[r].spin()).collect());
            let mut g = LaneGroup::new(&states, &mut streams);
            g.sweep(&engine, 0.7, Method::Metropolis, 20);
            g.sweep(&engine, 0.4, Method::Gibbs, 20);
            g.state(3)
        };
        let a = run([1, 2, 3, 4, 5, 6, 7, 8]);
        let b = run([9, 9, 9, 4, 9, 9, 9, 9]);
        assert_eq!(a, b);
        assert_ne!(a, run([1, 2, 3, 5, 5, 6, 7, 8]));
    }
}
