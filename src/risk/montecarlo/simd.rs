//! AVX2 versions of the scenario normals: four scenarios per vector, the same operations as
//! [`crate::philox::normal_pair`] (Philox rounds on 64-bit lanes holding 32-bit words; integers
//! below 2^52 turned into doubles by the exact 2^52 trick; no fused multiply-adds), so the bits
//! are the scalar code's. `tests` checks that on many counters.

#![cfg(target_arch = "x86_64")]

use std::arch::x86_64::*;

/// 2^52 as bits and value: `from_bits(2^52 bits | k) − 2^52 = k` for k < 2^52.
const MAGIC_BITS: i64 = 0x4330_0000_0000_0000;
const MAGIC: f64 = 4_503_599_627_370_496.0;

#[inline(always)]
unsafe fn to_f64(k: __m256i) -> __m256d {
    // SAFETY: only called from `normal_pairs`, which runs with AVX2 enabled.
    unsafe {
        _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(k, _mm256_set1_epi64x(MAGIC_BITS))), _mm256_set1_pd(MAGIC))
    }
}

/// Philox4x32-10 on four counters (c0 per lane; c1, c2, c3 shared), words in the low halves.
#[inline(always)]
unsafe fn philox(c0: __m256i, c1: u32, c2: u32, c3: u32, key: [u32; 2]) -> [__m256i; 4] {
    // SAFETY: only called from `normal_pairs`, which runs with AVX2 enabled.
    unsafe {
        let low = _mm256_set1_epi64x(0xffff_ffff);
        let (m0, m1) = (_mm256_set1_epi64x(0xD251_1F53), _mm256_set1_epi64x(0xCD9E_8D57));
        let mut c = [c0, _mm256_set1_epi64x(c1 as i64), _mm256_set1_epi64x(c2 as i64), _mm256_set1_epi64x(c3 as i64)];
        let (mut k0, mut k1) = (key[0], key[1]);
        for round in 0..10 {
            if round > 0 {
                k0 = k0.wrapping_add(0x9E37_79B9);
                k1 = k1.wrapping_add(0xBB67_AE85);
            }
            let p0 = _mm256_mul_epu32(c[0], m0);
            let p1 = _mm256_mul_epu32(c[2], m1);
            let (hi0, lo0) = (_mm256_srli_epi64::<32>(p0), _mm256_and_si256(p0, low));
            let (hi1, lo1) = (_mm256_srli_epi64::<32>(p1), _mm256_and_si256(p1, low));
            let n0 = _mm256_xor_si256(_mm256_xor_si256(hi1, c[1]), _mm256_set1_epi64x(k0 as i64));
            let n2 = _mm256_xor_si256(_mm256_xor_si256(hi0, c[3]), _mm256_set1_epi64x(k1 as i64));
            c = [n0, lo1, n2, lo0];
        }
        c
    }
}

/// The uniform of words (a, b): (a >> 5)·2^-27 + ((b >> 6) + add)·2^-53, exact (add = 1 for the
/// (0, 1] uniform).
#[inline(always)]
unsafe fn uniform(a: __m256i, b: __m256i, add: i64) -> __m256d {
    // SAFETY: only called from `normal_pairs`, which runs with AVX2 enabled.
    unsafe {
        let hi = to_f64(_mm256_srli_epi64::<5>(a));
        let lo = to_f64(_mm256_add_epi64(_mm256_srli_epi64::<6>(b), _mm256_set1_epi64x(add)));
        _mm256_add_pd(
            _mm256_mul_pd(hi, _mm256_set1_pd(1.0 / 134_217_728.0)),
            _mm256_mul_pd(lo, _mm256_set1_pd(1.0 / 9_007_199_254_740_992.0)),
        )
    }
}

/// Horner's rule `c[0] + w(c[1] + w(…))` with separate multiplies and adds.
#[inline(always)]
unsafe fn horner(w: __m256d, c: &[f64]) -> __m256d {
    // SAFETY: only called from `normal_pairs`, which runs with AVX2 enabled.
    unsafe {
        let mut p = _mm256_set1_pd(c[c.len() - 1]);
        for &k in c[..c.len() - 1].iter().rev() {
            p = _mm256_add_pd(_mm256_set1_pd(k), _mm256_mul_pd(w, p));
        }
        p
    }
}

const LN_COEFS: [f64; 11] = [
    1.0 / 3.0,
    1.0 / 5.0,
    1.0 / 7.0,
    1.0 / 9.0,
    1.0 / 11.0,
    1.0 / 13.0,
    1.0 / 15.0,
    1.0 / 17.0,
    1.0 / 19.0,
    1.0 / 21.0,
    1.0 / 23.0,
];

/// [`crate::philox::ln`] on four lanes.
#[inline(always)]
unsafe fn ln(x: __m256d) -> __m256d {
    // SAFETY: only called from `normal_pairs`, which runs with AVX2 enabled.
    unsafe {
        let bits = _mm256_castpd_si256(x);
        let expo = to_f64(_mm256_and_si256(_mm256_srli_epi64::<52>(bits), _mm256_set1_epi64x(0x7ff)));
        let e0 = _mm256_sub_pd(expo, _mm256_set1_pd(1023.0));
        let m0 = _mm256_castsi256_pd(_mm256_or_si256(
            _mm256_and_si256(bits, _mm256_set1_epi64x(0x000f_ffff_ffff_ffff)),
            _mm256_set1_epi64x(0x3ff0_0000_0000_0000),
        ));
        let big = _mm256_cmp_pd::<_CMP_GT_OQ>(m0, _mm256_set1_pd(std::f64::consts::SQRT_2));
        let m = _mm256_blendv_pd(m0, _mm256_mul_pd(m0, _mm256_set1_pd(0.5)), big);
        let e = _mm256_add_pd(e0, _mm256_and_pd(big, _mm256_set1_pd(1.0)));
        let one = _mm256_set1_pd(1.0);
        let two = _mm256_set1_pd(2.0);
        let f = _mm256_sub_pd(m, one);
        let s = _mm256_div_pd(f, _mm256_add_pd(two, f));
        let w = _mm256_mul_pd(s, s);
        let p = horner(w, &LN_COEFS);
        let two_s = _mm256_mul_pd(two, s);
        let lnm = _mm256_add_pd(two_s, _mm256_mul_pd(_mm256_mul_pd(two_s, w), p));
        let hi = _mm256_mul_pd(e, _mm256_set1_pd(crate::philox::LN2_HI));
        let lo = _mm256_mul_pd(e, _mm256_set1_pd(crate::philox::LN2_LO));
        _mm256_add_pd(hi, _mm256_add_pd(lo, lnm))
    }
}

const SIN_COEFS: [f64; 8] = [
    -1.0 / 6.0,
    1.0 / 120.0,
    -1.0 / 5040.0,
    1.0 / 362_880.0,
    -1.0 / 39_916_800.0,
    1.0 / 6_227_020_800.0,
    -1.0 / 1_307_674_368_000.0,
    1.0 / 355_687_428_096_000.0,
];
const COS_COEFS: [f64; 8] = [
    1.0 / 24.0,
    -1.0 / 720.0,
    1.0 / 40_320.0,
    -1.0 / 3_628_800.0,
    1.0 / 479_001_600.0,
    -1.0 / 87_178_291_200.0,
    1.0 / 20_922_789_888_000.0,
    -1.0 / 6_402_373_705_728_000.0,
];

/// [`crate::philox::sincos_2pi`] on four lanes.
#[inline(always)]
unsafe fn sincos_2pi(u: __m256d) -> (__m256d, __m256d) {
    // SAFETY: only called from `normal_pairs`, which runs with AVX2 enabled.
    unsafe {
        let t = _mm256_mul_pd(_mm256_set1_pd(4.0), u);
        let q = _mm256_floor_pd(_mm256_add_pd(t, _mm256_set1_pd(0.5)));
        let r = _mm256_sub_pd(t, q);
        let th = _mm256_mul_pd(r, _mm256_set1_pd(std::f64::consts::FRAC_PI_2));
        let w = _mm256_mul_pd(th, th);
        let s = _mm256_add_pd(th, _mm256_mul_pd(_mm256_mul_pd(th, w), horner(w, &SIN_COEFS)));
        let c = _mm256_add_pd(
            _mm256_sub_pd(_mm256_set1_pd(1.0), _mm256_mul_pd(_mm256_set1_pd(0.5), w)),
            _mm256_mul_pd(_mm256_mul_pd(w, w), horner(w, &COS_COEFS)),
        );
        // quadrant q in 0..=4: odd q swaps (s, c) → (c, −s); q in {2, 3} negates both
        let half = _mm256_mul_pd(q, _mm256_set1_pd(0.5));
        let half_floor = _mm256_floor_pd(half);
        let odd = _mm256_cmp_pd::<_CMP_NEQ_UQ>(half, half_floor);
        let quarter = _mm256_mul_pd(half_floor, _mm256_set1_pd(0.5));
        let neg = _mm256_cmp_pd::<_CMP_NEQ_UQ>(quarter, _mm256_floor_pd(quarter));
        let sign = _mm256_set1_pd(-0.0);
        let neg_s = _mm256_xor_pd(s, sign);
        let sn = _mm256_blendv_pd(s, c, odd);
        let cs = _mm256_blendv_pd(c, neg_s, odd);
        let flip = _mm256_and_pd(neg, sign);
        (_mm256_xor_pd(sn, flip), _mm256_xor_pd(cs, flip))
    }
}

/// Normal pair `j` of the `z0.len()` (a multiple of 8) scenarios `first, first + 1, …` (one
/// block of the engine: `first` a multiple of the block, so the counters' low words do not wrap).
#[target_feature(enable = "avx2")]
pub unsafe fn normal_pairs(first: u64, j: u32, key: [u32; 2], z0: &mut [f64], z1: &mut [f64]) {
    // SAFETY: the caller checked AVX2 support; the stores write four doubles into chunks of four.
    unsafe { normal_pairs_body(first, j, key, z0, z1) }
}

#[inline(always)]
unsafe fn normal_pairs_body(first: u64, j: u32, key: [u32; 2], z0: &mut [f64], z1: &mut [f64]) {
    // SAFETY: only called from `normal_pairs`, which runs with AVX2 enabled; a and b hold eight
    // doubles each (chunks_exact).
    unsafe {
        let hi = (first >> 32) as u32;
        // two vectors of four scenarios per step: independent chains the core overlaps
        for (v, (a, b)) in z0.chunks_exact_mut(8).zip(z1.chunks_exact_mut(8)).enumerate() {
            let lo = (first as u32).wrapping_add(8 * v as u32) as i64;
            let c0 = _mm256_setr_epi64x(lo, lo + 1, lo + 2, lo + 3);
            let c4 = _mm256_setr_epi64x(lo + 4, lo + 5, lo + 6, lo + 7);
            let (w, x) = (philox(c0, hi, j, 0, key), philox(c4, hi, j, 0, key));
            let (u1, v1) = (uniform(w[0], w[1], 1), uniform(x[0], x[1], 1));
            let (u2, v2) = (uniform(w[2], w[3], 0), uniform(x[2], x[3], 0));
            let minus2 = _mm256_set1_pd(-2.0);
            let r = _mm256_sqrt_pd(_mm256_mul_pd(minus2, ln(u1)));
            let q = _mm256_sqrt_pd(_mm256_mul_pd(minus2, ln(v1)));
            let (s, c) = sincos_2pi(u2);
            let (t, d) = sincos_2pi(v2);
            _mm256_storeu_pd(a.as_mut_ptr(), _mm256_mul_pd(r, c));
            _mm256_storeu_pd(a.as_mut_ptr().add(4), _mm256_mul_pd(q, d));
            _mm256_storeu_pd(b.as_mut_ptr(), _mm256_mul_pd(r, s));
            _mm256_storeu_pd(b.as_mut_ptr().add(4), _mm256_mul_pd(q, t));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::philox::{normal_pair, philox4x32};

    #[test]
    fn avx2_normals_are_the_scalar_bits() {
        if !crate::backend::cpu_features::has_avx2() {
            return;
        }
        let key = [0x1234_5678, 0x9abc_def0];
        for first in [0u64, 64, (1 << 32) - 64, 5 << 32, 123_456 * 64] {
            for j in [0u32, 1, 9] {
                let (mut z0, mut z1) = ([0.0; 64], [0.0; 64]);
                // SAFETY: AVX2 support was just checked.
                unsafe { super::normal_pairs(first, j, key, &mut z0, &mut z1) };
                for s in 0..64 {
                    let i = first + s as u64;
                    let (a, b) = normal_pair(philox4x32([i as u32, (i >> 32) as u32, j, 0], key));
                    assert_eq!((z0[s].to_bits(), z1[s].to_bits()), (a.to_bits(), b.to_bits()), "scenario {i} pair {j}");
                }
            }
        }
    }
}
