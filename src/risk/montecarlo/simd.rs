//! Vectorised scenario normals: the operations of [`crate::philox::normal_pair`] on four (AVX2)
//! or eight (AVX-512) scenarios per register: Philox rounds on 64-bit lanes holding 32-bit words,
//! integers below 2^52 turned into doubles by the exact 2^52 trick, fused multiply-adds exactly
//! where the scalar code has them. Each operation is correctly rounded, so the bits are the scalar
//! code's at either width; `tests` checks that on many counters. The algorithm is written once,
//! over [`Simd`].

#![cfg(target_arch = "x86_64")]

use crate::philox::{COS_COEFS, LN2_HI, LN2_LO, LN_COEFS, SIN_COEFS, TWO52, TWO52_BITS};
use std::arch::x86_64::*;

/// One register width: `LANES` doubles (`F`), as many 64-bit integers (`I`) and a lane mask
/// (`M`). Every method is an intrinsic of the width's instruction set; they are only called
/// from functions compiled with that set enabled (the `#[target_feature]` entry points below).
trait Simd {
    const LANES: usize;
    type F: Copy;
    type I: Copy;
    type M: Copy;
    unsafe fn splat(v: f64) -> Self::F;
    unsafe fn splat_i(v: i64) -> Self::I;
    /// `lo, lo + 1, …, lo + LANES − 1`.
    unsafe fn counters(lo: i64) -> Self::I;
    /// The 64-bit products of the low 32-bit halves.
    unsafe fn mul_u32(a: Self::I, b: Self::I) -> Self::I;
    unsafe fn shr<const N: u32>(a: Self::I) -> Self::I;
    unsafe fn and_i(a: Self::I, b: Self::I) -> Self::I;
    unsafe fn or_i(a: Self::I, b: Self::I) -> Self::I;
    unsafe fn xor(a: Self::I, b: Self::I) -> Self::I;
    unsafe fn xor3(a: Self::I, b: Self::I, c: Self::I) -> Self::I;
    unsafe fn add_i(a: Self::I, b: Self::I) -> Self::I;
    unsafe fn as_f(a: Self::I) -> Self::F;
    unsafe fn as_i(a: Self::F) -> Self::I;
    unsafe fn add(a: Self::F, b: Self::F) -> Self::F;
    unsafe fn sub(a: Self::F, b: Self::F) -> Self::F;
    unsafe fn mul(a: Self::F, b: Self::F) -> Self::F;
    /// `a·b + c` rounded once.
    unsafe fn fma(a: Self::F, b: Self::F, c: Self::F) -> Self::F;
    unsafe fn div(a: Self::F, b: Self::F) -> Self::F;
    unsafe fn sqrt(a: Self::F) -> Self::F;
    unsafe fn floor(a: Self::F) -> Self::F;
    unsafe fn gt(a: Self::F, b: Self::F) -> Self::M;
    unsafe fn ne(a: Self::F, b: Self::F) -> Self::M;
    /// `t` where `m`, else `f`.
    unsafe fn select(m: Self::M, t: Self::F, f: Self::F) -> Self::F;
    /// `t` where `m`, else +0.
    unsafe fn masked(m: Self::M, t: Self::F) -> Self::F;
    /// Stores the lanes at `p` (unaligned).
    unsafe fn store(p: *mut f64, a: Self::F);
}

/// Trait methods that are one intrinsic call each.
macro_rules! ops {
    ($($name:ident($($a:ident: $t:ty),*) -> $r:ty = $body:expr;)*) => {
        $(
            #[inline(always)]
            unsafe fn $name($($a: $t),*) -> $r {
                // SAFETY: reached only from an entry point compiled with this width's instructions.
                unsafe { $body }
            }
        )*
    };
}

struct Avx2;

impl Simd for Avx2 {
    const LANES: usize = 4;
    type F = __m256d;
    type I = __m256i;
    type M = __m256d;
    #[inline(always)]
    unsafe fn shr<const N: u32>(a: __m256i) -> __m256i {
        // SAFETY: as in `ops!` (a constant count: the compiler emits the immediate shift)
        unsafe { _mm256_srl_epi64(a, _mm_cvtsi32_si128(N as i32)) }
    }
    #[inline(always)]
    unsafe fn store(p: *mut f64, a: __m256d) {
        // SAFETY: as in `ops!`; the caller passes room for the lanes.
        unsafe { _mm256_storeu_pd(p, a) }
    }
    ops! {
        splat(v: f64) -> __m256d = _mm256_set1_pd(v);
        splat_i(v: i64) -> __m256i = _mm256_set1_epi64x(v);
        counters(lo: i64) -> __m256i = _mm256_setr_epi64x(lo, lo + 1, lo + 2, lo + 3);
        mul_u32(a: __m256i, b: __m256i) -> __m256i = _mm256_mul_epu32(a, b);
        and_i(a: __m256i, b: __m256i) -> __m256i = _mm256_and_si256(a, b);
        or_i(a: __m256i, b: __m256i) -> __m256i = _mm256_or_si256(a, b);
        xor(a: __m256i, b: __m256i) -> __m256i = _mm256_xor_si256(a, b);
        xor3(a: __m256i, b: __m256i, c: __m256i) -> __m256i = _mm256_xor_si256(_mm256_xor_si256(a, b), c);
        add_i(a: __m256i, b: __m256i) -> __m256i = _mm256_add_epi64(a, b);
        as_f(a: __m256i) -> __m256d = _mm256_castsi256_pd(a);
        as_i(a: __m256d) -> __m256i = _mm256_castpd_si256(a);
        add(a: __m256d, b: __m256d) -> __m256d = _mm256_add_pd(a, b);
        sub(a: __m256d, b: __m256d) -> __m256d = _mm256_sub_pd(a, b);
        mul(a: __m256d, b: __m256d) -> __m256d = _mm256_mul_pd(a, b);
        fma(a: __m256d, b: __m256d, c: __m256d) -> __m256d = _mm256_fmadd_pd(a, b, c);
        div(a: __m256d, b: __m256d) -> __m256d = _mm256_div_pd(a, b);
        sqrt(a: __m256d) -> __m256d = _mm256_sqrt_pd(a);
        floor(a: __m256d) -> __m256d = _mm256_floor_pd(a);
        gt(a: __m256d, b: __m256d) -> __m256d = _mm256_cmp_pd::<_CMP_GT_OQ>(a, b);
        ne(a: __m256d, b: __m256d) -> __m256d = _mm256_cmp_pd::<_CMP_NEQ_UQ>(a, b);
        select(m: __m256d, t: __m256d, f: __m256d) -> __m256d = _mm256_blendv_pd(f, t, m);
        masked(m: __m256d, t: __m256d) -> __m256d = _mm256_and_pd(m, t);
    }
}

struct Avx512;

impl Simd for Avx512 {
    const LANES: usize = 8;
    type F = __m512d;
    type I = __m512i;
    type M = __mmask8;
    #[inline(always)]
    unsafe fn shr<const N: u32>(a: __m512i) -> __m512i {
        // SAFETY: as in `ops!`.
        unsafe { _mm512_srli_epi64::<N>(a) }
    }
    #[inline(always)]
    unsafe fn store(p: *mut f64, a: __m512d) {
        // SAFETY: as in `ops!`; the caller passes room for the lanes.
        unsafe { _mm512_storeu_pd(p, a) }
    }
    ops! {
        splat(v: f64) -> __m512d = _mm512_set1_pd(v);
        splat_i(v: i64) -> __m512i = _mm512_set1_epi64(v);
        counters(lo: i64) -> __m512i = _mm512_add_epi64(_mm512_set1_epi64(lo), _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7));
        mul_u32(a: __m512i, b: __m512i) -> __m512i = _mm512_mul_epu32(a, b);
        and_i(a: __m512i, b: __m512i) -> __m512i = _mm512_and_si512(a, b);
        or_i(a: __m512i, b: __m512i) -> __m512i = _mm512_or_si512(a, b);
        xor(a: __m512i, b: __m512i) -> __m512i = _mm512_xor_si512(a, b);
        xor3(a: __m512i, b: __m512i, c: __m512i) -> __m512i = _mm512_ternarylogic_epi64::<0x96>(a, b, c);
        add_i(a: __m512i, b: __m512i) -> __m512i = _mm512_add_epi64(a, b);
        as_f(a: __m512i) -> __m512d = _mm512_castsi512_pd(a);
        as_i(a: __m512d) -> __m512i = _mm512_castpd_si512(a);
        add(a: __m512d, b: __m512d) -> __m512d = _mm512_add_pd(a, b);
        sub(a: __m512d, b: __m512d) -> __m512d = _mm512_sub_pd(a, b);
        mul(a: __m512d, b: __m512d) -> __m512d = _mm512_mul_pd(a, b);
        fma(a: __m512d, b: __m512d, c: __m512d) -> __m512d = _mm512_fmadd_pd(a, b, c);
        div(a: __m512d, b: __m512d) -> __m512d = _mm512_div_pd(a, b);
        sqrt(a: __m512d) -> __m512d = _mm512_sqrt_pd(a);
        floor(a: __m512d) -> __m512d = _mm512_roundscale_pd::<{ _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC }>(a);
        gt(a: __m512d, b: __m512d) -> __mmask8 = _mm512_cmp_pd_mask::<_CMP_GT_OQ>(a, b);
        ne(a: __m512d, b: __m512d) -> __mmask8 = _mm512_cmp_pd_mask::<_CMP_NEQ_UQ>(a, b);
        select(m: __mmask8, t: __m512d, f: __m512d) -> __m512d = _mm512_mask_blend_pd(m, f, t);
        masked(m: __mmask8, t: __m512d) -> __m512d = _mm512_maskz_mov_pd(m, t);
    }
}

/// Integers below 2^52 as doubles, exactly.
#[inline(always)]
unsafe fn to_f64<S: Simd>(k: S::I) -> S::F {
    // SAFETY: see `Simd`.
    unsafe { S::sub(S::as_f(S::or_i(k, S::splat_i(TWO52_BITS as i64))), S::splat(TWO52)) }
}

/// Philox4x32-10 on `LANES` counters (c0 per lane; c1, c2, c3 shared), words in the low halves.
/// The high halves carry garbage between rounds: the multiplies read only the low halves and the
/// XORs keep halves apart, so only the output words are masked.
#[inline(always)]
unsafe fn philox<S: Simd>(c0: S::I, c1: u32, c2: u32, c3: u32, key: [u32; 2]) -> [S::I; 4] {
    // SAFETY: see `Simd`.
    unsafe {
        let (m0, m1) = (S::splat_i(0xD251_1F53), S::splat_i(0xCD9E_8D57));
        let mut c = [c0, S::splat_i(c1 as i64), S::splat_i(c2 as i64), S::splat_i(c3 as i64)];
        let (mut k0, mut k1) = (key[0], key[1]);
        for round in 0..10 {
            if round > 0 {
                k0 = k0.wrapping_add(0x9E37_79B9);
                k1 = k1.wrapping_add(0xBB67_AE85);
            }
            let p0 = S::mul_u32(c[0], m0);
            let p1 = S::mul_u32(c[2], m1);
            let n0 = S::xor3(S::shr::<32>(p1), c[1], S::splat_i(k0 as i64));
            let n2 = S::xor3(S::shr::<32>(p0), c[3], S::splat_i(k1 as i64));
            c = [n0, p1, n2, p0];
        }
        let low = S::splat_i(0xffff_ffff);
        c.map(|w| S::and_i(w, low))
    }
}

/// The uniform of words (a, b): (a >> 5)·2^-27 + ((b >> 6) + add)·2^-53, exact (add = 1 for the
/// (0, 1] uniform).
#[inline(always)]
unsafe fn uniform<S: Simd>(a: S::I, b: S::I, add: i64) -> S::F {
    // SAFETY: see `Simd`.
    unsafe {
        let hi = to_f64::<S>(S::shr::<5>(a));
        let lo = to_f64::<S>(S::add_i(S::shr::<6>(b), S::splat_i(add)));
        S::add(S::mul(hi, S::splat(1.0 / 134_217_728.0)), S::mul(lo, S::splat(1.0 / 9_007_199_254_740_992.0)))
    }
}

/// Horner's rule `c[0] + w(c[1] + w(…))`, one fused multiply-add a step.
#[inline(always)]
unsafe fn horner<S: Simd>(w: S::F, c: &[f64]) -> S::F {
    // SAFETY: see `Simd`.
    unsafe {
        let mut p = S::splat(c[c.len() - 1]);
        for &k in c[..c.len() - 1].iter().rev() {
            p = S::fma(w, p, S::splat(k));
        }
        p
    }
}

/// [`crate::philox::ln`] on every lane.
#[inline(always)]
unsafe fn ln<S: Simd>(x: S::F) -> S::F {
    // SAFETY: see `Simd`.
    unsafe {
        let bits = S::as_i(x);
        let expo = to_f64::<S>(S::and_i(S::shr::<52>(bits), S::splat_i(0x7ff)));
        let e0 = S::sub(expo, S::splat(1023.0));
        let m0 = S::as_f(S::or_i(S::and_i(bits, S::splat_i(0x000f_ffff_ffff_ffff)), S::splat_i(0x3ff0_0000_0000_0000)));
        let big = S::gt(m0, S::splat(std::f64::consts::SQRT_2));
        let m = S::select(big, S::mul(m0, S::splat(0.5)), m0);
        let e = S::add(e0, S::masked(big, S::splat(1.0)));
        let f = S::sub(m, S::splat(1.0));
        let s = S::div(f, S::add(S::splat(2.0), f));
        let z = S::mul(s, s);
        let lnm = S::fma(S::mul(s, z), horner::<S>(z, &LN_COEFS), S::mul(S::splat(2.0), s));
        S::fma(e, S::splat(LN2_HI), S::fma(e, S::splat(LN2_LO), lnm))
    }
}

/// [`crate::philox::sincos_2pi`] on every lane.
#[inline(always)]
unsafe fn sincos_2pi<S: Simd>(u: S::F) -> (S::F, S::F) {
    // SAFETY: see `Simd`.
    unsafe {
        let t = S::mul(S::splat(4.0), u);
        let q = S::floor(S::add(t, S::splat(0.5)));
        let r = S::sub(t, q);
        let th = S::mul(r, S::splat(std::f64::consts::FRAC_PI_2));
        let w = S::mul(th, th);
        let s = S::fma(S::mul(th, w), horner::<S>(w, &SIN_COEFS), th);
        let c = S::fma(S::mul(w, w), horner::<S>(w, &COS_COEFS), S::fma(S::splat(-0.5), w, S::splat(1.0)));
        // quadrant q in 0..=4: odd q swaps (s, c) → (c, −s); q in {2, 3} negates both
        let half = S::mul(q, S::splat(0.5));
        let half_floor = S::floor(half);
        let odd = S::ne(half, half_floor);
        let quarter = S::mul(half_floor, S::splat(0.5));
        let neg = S::ne(quarter, S::floor(quarter));
        let sign = S::splat(-0.0);
        let flip = |v: S::F| S::as_f(S::xor(S::as_i(v), S::as_i(S::masked(neg, sign))));
        let neg_s = S::as_f(S::xor(S::as_i(s), S::as_i(sign)));
        (flip(S::select(odd, c, s)), flip(S::select(odd, neg_s, c)))
    }
}

/// Normal pair `j` of the `z0.len()` (a multiple of 2·LANES) scenarios `first, first + 1, …`
/// (one block of the engine: `first` a multiple of the block, so the counters' low words do not
/// wrap).
#[inline(always)]
unsafe fn normal_pairs_body<S: Simd>(first: u64, j: u32, key: [u32; 2], z0: &mut [f64], z1: &mut [f64]) {
    // SAFETY: see `Simd`; a and b hold 2·LANES doubles each (chunks_exact).
    unsafe {
        let hi = (first >> 32) as u32;
        let n = S::LANES;
        // two vectors of scenarios per step: independent chains the core overlaps
        for (v, (a, b)) in z0.chunks_exact_mut(2 * n).zip(z1.chunks_exact_mut(2 * n)).enumerate() {
            let lo = (first as u32).wrapping_add((2 * n * v) as u32) as i64;
            let (w, x) =
                (philox::<S>(S::counters(lo), hi, j, 0, key), philox::<S>(S::counters(lo + n as i64), hi, j, 0, key));
            let (u1, v1) = (uniform::<S>(w[0], w[1], 1), uniform::<S>(x[0], x[1], 1));
            let (u2, v2) = (uniform::<S>(w[2], w[3], 0), uniform::<S>(x[2], x[3], 0));
            let minus2 = S::splat(-2.0);
            let r = S::sqrt(S::mul(minus2, ln::<S>(u1)));
            let q = S::sqrt(S::mul(minus2, ln::<S>(v1)));
            let (s, c) = sincos_2pi::<S>(u2);
            let (t, d) = sincos_2pi::<S>(v2);
            S::store(a.as_mut_ptr(), S::mul(r, c));
            S::store(a.as_mut_ptr().add(n), S::mul(q, d));
            S::store(b.as_mut_ptr(), S::mul(r, s));
            S::store(b.as_mut_ptr().add(n), S::mul(q, t));
        }
    }
}

/// [`normal_pairs_body`] with AVX2 and FMA; `z0.len()` a multiple of 8.
#[target_feature(enable = "avx2,fma")]
pub unsafe fn normal_pairs_avx2(first: u64, j: u32, key: [u32; 2], z0: &mut [f64], z1: &mut [f64]) {
    // SAFETY: the caller checked AVX2 and FMA support.
    unsafe { normal_pairs_body::<Avx2>(first, j, key, z0, z1) }
}

/// [`normal_pairs_body`] with AVX-512F; `z0.len()` a multiple of 16.
#[target_feature(enable = "avx512f")]
pub unsafe fn normal_pairs_avx512(first: u64, j: u32, key: [u32; 2], z0: &mut [f64], z1: &mut [f64]) {
    // SAFETY: the caller checked AVX-512F support.
    unsafe { normal_pairs_body::<Avx512>(first, j, key, z0, z1) }
}

#[cfg(test)]
mod tests {
    use crate::backend::cpu_features::{has_avx2_fma, has_avx512f};
    use crate::philox::{normal_pair, philox4x32};

    #[test]
    fn vector_normals_are_the_scalar_bits() {
        let key = [0x1234_5678, 0x9abc_def0];
        type Kernel = unsafe fn(u64, u32, [u32; 2], &mut [f64], &mut [f64]);
        let kernels: [(bool, Kernel, &str); 2] =
            [(has_avx2_fma(), super::normal_pairs_avx2, "avx2"), (has_avx512f(), super::normal_pairs_avx512, "avx512")];
        for (present, kernel, name) in kernels {
            if !present {
                continue;
            }
            for first in [0u64, 64, (1 << 32) - 64, 5 << 32, 123_456 * 64] {
                for j in [0u32, 1, 9] {
                    let (mut z0, mut z1) = ([0.0; 64], [0.0; 64]);
                    // SAFETY: the instruction set was just checked.
                    unsafe { kernel(first, j, key, &mut z0, &mut z1) };
                    for s in 0..64 {
                        let i = first + s as u64;
                        let (a, b) = normal_pair(philox4x32([i as u32, (i >> 32) as u32, j, 0], key));
                        assert_eq!(
                            (z0[s].to_bits(), z1[s].to_bits()),
                            (a.to_bits(), b.to_bits()),
                            "{name}: scenario {i} pair {j}"
                        );
                    }
                }
            }
        }
    }
}
