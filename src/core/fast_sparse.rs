//! Annealing chains of sparse models with small integer couplings (lattices, ±J glasses,
//! MaxCut, integer QUBOs): couplings as i8 and local fields as scaled i16 integers, a quarter of
//! the bytes of f64 fields, so a flip's scattered field updates stay in cache on large models.
//! Decisions see exactly the f64 values of [`Chain`](super::kernel::Chain), so both follow the
//! same trajectory bit for bit.

use super::engine::{narrow_couplings, Engine, Layout};
use super::kernel::{sparse_table, sweep_sparse, Method, SparseState};
use super::model::Csr;
use crate::backend::cpu_features;
use crate::rng::{LaneUniforms, Stream, LANES};

/// The couplings of a sparse engine as 2·J·scale in i8 (what a flip adds to a neighbour's
/// scaled field), when every scaled field fits an i16.
pub struct NarrowCouplings {
    w: Vec<i8>,
    scale: f64,
}

impl NarrowCouplings {
    /// `None` unless the engine is sparse with exact fields small enough for i16 and couplings
    /// with 2·J·scale within i8.
    pub fn new(engine: &Engine) -> Option<Self> {
        let Layout::Sparse { csr, .. } = &engine.layout else { return None };
        let w = narrow_couplings(&csr.data, engine.exact_field_scale())?;
        Some(Self { w, scale: engine.exact_field_scale()?.0 })
    }
}

/// One annealing read of a sparse model, in engine order.
#[derive(Debug, Clone)]
pub struct FastSparseChain {
    pub s: Vec<i8>,
    /// I_i · scale
    fields: Vec<i16>,
    rng: LaneUniforms,
}

impl FastSparseChain {
    /// Same draws from `stream` as [`Chain::new`](super::kernel::Chain::new).
    pub fn new(engine: &Engine, narrow: &NarrowCouplings, s: Vec<i8>, stream: &mut Stream) -> Self {
        let mut f = vec![0.0; engine.n()];
        engine.fields(&s, &mut f);
        let fields = f.iter().map(|&x| (x * narrow.scale) as i16).collect();
        Self { s, fields, rng: LaneUniforms::new(stream) }
    }

    pub fn sweep(&mut self, engine: &Engine, narrow: &NarrowCouplings, beta: f64, method: Method, num_sweeps: usize) {
        #[cfg(target_arch = "x86_64")]
        if cpu_features::has_avx2() {
            // SAFETY: AVX2 support was just checked at run time.
            return unsafe { sweep_avx2(self, engine, narrow, beta, method, num_sweeps) };
        }
        sweep_any::<false>(self, engine, narrow, beta, method, num_sweeps)
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn sweep_avx2(c: &mut FastSparseChain, e: &Engine, w: &NarrowCouplings, beta: f64, m: Method, k: usize) {
    sweep_any::<true>(c, e, w, beta, m, k)
}

/// `AVX2` is true only on the path entered through `sweep_avx2`, after run-time detection.
#[inline(always)]
fn sweep_any<const AVX2: bool>(
    c: &mut FastSparseChain,
    e: &Engine,
    narrow: &NarrowCouplings,
    beta: f64,
    m: Method,
    num_sweeps: usize,
) {
    let Layout::Sparse { csr, classes } = &e.layout else { unreachable!("NarrowCouplings::new checked it") };
    assert!(narrow.w.len() == csr.indices.len() && c.fields.len() == e.n());
    let mut on = On { c, csr, w: &narrow.w, inv: 1.0 / narrow.scale };
    let t = sparse_table(e, m == Method::Gibbs, beta);
    for _ in 0..num_sweeps {
        match m {
            Method::Gibbs => sweep_sparse::<_, true, AVX2>(&mut on, classes, beta, t.as_ref()),
            Method::Metropolis => sweep_sparse::<_, false, AVX2>(&mut on, classes, beta, t.as_ref()),
        };
    }
}

/// A chain with the couplings it is swept over.
struct On<'a> {
    c: &'a mut FastSparseChain,
    csr: &'a Csr,
    w: &'a [i8],
    inv: f64,
}

impl SparseState for On<'_> {
    fn spins(&self) -> &[i8] {
        &self.c.s
    }
    #[inline(always)]
    fn block_fields(&self, start: usize) -> [f64; LANES] {
        let f: &[i16; LANES] = self.c.fields[start..start + LANES].try_into().expect("block of LANES");
        std::array::from_fn(|l| f[l] as f64 * self.inv)
    }
    #[inline(always)]
    fn field(&self, i: usize) -> f64 {
        self.c.fields[i] as f64 * self.inv
    }
    #[inline(always)]
    fn flip(&mut self, i: usize) {
        let old = self.c.s[i];
        self.c.s[i] = -old;
        let (start, end) = (self.csr.indptr[i], self.csr.indptr[i + 1]);
        assert!(start <= end && end <= self.csr.indices.len());
        let fields = self.c.fields.as_mut_slice();
        for k in start..end {
            // SAFETY: `k < end <= indices.len() == w.len()` (asserted here and in `sweep_any`),
            // and `Engine::new` checked that every column index is below n = fields.len().
            unsafe {
                let j = *self.csr.indices.get_unchecked(k) as usize;
                *fields.get_unchecked_mut(j) -= old as i16 * *self.w.get_unchecked(k) as i16;
            }
        }
    }
    #[inline(always)]
    fn rng(&mut self) -> &mut LaneUniforms {
        &mut self.c.rng
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::kernel::tests::glass;
    use crate::core::kernel::Chain;

    #[test]
    fn follows_the_f64_chain_exactly() {
        // fields up to 1 + 4 = 5 (table) and, with one coupling of 20, beyond it (exp)
        for big in [None, Some(20.0)] {
            let engine = glass(12, big);
            assert_eq!(sparse_table(&engine, false, 1.0).is_some(), big.is_none());
            let narrow = NarrowCouplings::new(&engine).expect("small integer couplings");
            for method in [Method::Metropolis, Method::Gibbs] {
                let s0: Vec<i8> = (0..engine.n()).map(|i| if i % 3 == 0 { 1 } else { -1 }).collect();
                let mut a = Chain::new(&engine, s0.clone(), &mut Stream::new(3, 1));
                let mut b = FastSparseChain::new(&engine, &narrow, s0, &mut Stream::new(3, 1));
                for beta in [0.05, 0.3, 1.0, 4.0] {
                    a.sweep(&engine, beta, method, 20);
                    b.sweep(&engine, &narrow, beta, method, 20);
                    assert_eq!(a.s, b.s);
                }
                let mut f = vec![0.0; engine.n()];
                engine.fields(&b.s, &mut f);
                let scaled: Vec<i16> = f.iter().map(|&x| (x * narrow.scale) as i16).collect();
                assert_eq!(b.fields, scaled, "incremental fields drifted");
            }
        }
    }

    #[test]
    fn needs_small_integer_couplings() {
        assert!(NarrowCouplings::new(&glass(6, Some(0.1))).is_none()); // 0.1 is not dyadic
        assert!(NarrowCouplings::new(&glass(6, Some(100.0))).is_none()); // 2·100·2 > 127
    }
}
