//! A counter-based generator: Philox4x32-10 (Salmon, Moraes, Dror and Shaw, "Parallel random
//! numbers: as easy as 1, 2, 3", SC 2011), with uniforms and standard normals built from its
//! output by IEEE-exact operations only.
//!
//! A block of four 32-bit words is a pure function of a 128-bit counter and a 64-bit key, so the
//! numbers of Monte Carlo scenario `i` depend only on `(seed, i, k)`, never on which thread or
//! device drew them. The GPU kernels that use this generator (`risk/montecarlo/cuda/mc.cu`)
//! carry a line-by-line copy of these functions in CUDA C.
//!
//! To get the *same bits* on the GPU, everything after the integer rounds is written with `+`,
//! `−`, `×`, `÷`, `sqrt`, `floor`, explicit fused multiply-adds (`mul_add`, CUDA's `fma`) and bit
//! manipulation of the float's fields, each correctly rounded by IEEE 754 on both sides (Rust
//! never contracts `a * b + c` on its own; the CUDA programs are compiled with `--fmad=false`, so
//! only the written `fma`s fuse). The logarithm and the sine and cosine of Box–Muller are
//! therefore our own ([`ln`], [`sincos_2pi`]), with fdlibm's minimax polynomials: a platform's
//! `log` or `sin` may differ from CUDA's in the last bit. Their error is a few units in the last
//! place. (Without a hardware FMA, `mul_add` is a correctly rounded library call: slower, the
//! same bits.)

/// Philox4x32's multipliers and Weyl key increments.
const M0: u32 = 0xD251_1F53;
const M1: u32 = 0xCD9E_8D57;
const W0: u32 = 0x9E37_79B9;
const W1: u32 = 0xBB67_AE85;

/// The 32-bit halves (high, low) of the 64-bit product `a × b`.
#[inline(always)]
fn mulhilo(a: u32, b: u32) -> (u32, u32) {
    let p = a as u64 * b as u64;
    ((p >> 32) as u32, p as u32)
}

/// Philox4x32 with 10 rounds: the block of four words for `counter` under `key`.
#[inline(always)]
pub fn philox4x32(counter: [u32; 4], key: [u32; 2]) -> [u32; 4] {
    let [mut c0, mut c1, mut c2, mut c3] = counter;
    let [mut k0, mut k1] = key;
    for round in 0..10 {
        if round > 0 {
            k0 = k0.wrapping_add(W0);
            k1 = k1.wrapping_add(W1);
        }
        let (hi0, lo0) = mulhilo(M0, c0);
        let (hi1, lo1) = mulhilo(M1, c2);
        (c0, c1, c2, c3) = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0);
    }
    [c0, c1, c2, c3]
}

/// The key of a 64-bit seed.
#[inline]
pub fn key(seed: u64) -> [u32; 2] {
    [seed as u32, (seed >> 32) as u32]
}

/// 2^-53.
const TWO_M53: f64 = 1.0 / 9_007_199_254_740_992.0;

/// The 53-bit integer of two words (27 high bits of `a`, 26 of `b`).
#[inline(always)]
fn bits53(a: u32, b: u32) -> u64 {
    ((a >> 5) as u64) << 26 | (b >> 6) as u64
}

/// A uniform in [0, 1): a multiple of 2^-53 from two words.
#[inline(always)]
pub fn uniform(a: u32, b: u32) -> f64 {
    bits53(a, b) as f64 * TWO_M53
}

/// A uniform in (0, 1]: a multiple of 2^-53 from two words, never zero (the logarithm's argument).
#[inline(always)]
pub fn uniform_open0(a: u32, b: u32) -> f64 {
    (bits53(a, b) + 1) as f64 * TWO_M53
}

/// 2^52 as bits and value: `from_bits(TWO52_BITS | k) − TWO52 = k` exactly for k < 2^52 (an
/// integer to a double without a conversion instruction, which vector units lack for 64 bits).
pub(crate) const TWO52_BITS: u64 = 0x4330_0000_0000_0000;
pub(crate) const TWO52: f64 = 4_503_599_627_370_496.0;

/// ln 2 split so that `e × LN2_HI` is exact for any exponent `e` of a double.
/// (The CUDA kernel writes them as 6.93147180369123816490e-01 and 1.90821492927058770002e-10.)
pub(crate) const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
pub(crate) const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
const SQRT2: f64 = std::f64::consts::SQRT_2;

/// fdlibm's minimax coefficients (e_log.c, Lg1…Lg7): ln m = 2s + s·z·P(z), z = s², for
/// |s| ≤ 0.1716, within 2^-58.45.
#[allow(clippy::excessive_precision)] // fdlibm's digits, as published
pub(crate) const LN_COEFS: [f64; 7] = [
    6.666666666666735130e-01,
    3.999999999940941908e-01,
    2.857142874366239149e-01,
    2.222219843214978396e-01,
    1.818357216161805012e-01,
    1.531383769920937332e-01,
    1.479819860511658591e-01,
];

/// fdlibm's sine kernel (k_sin.c, S1…S6): sin θ = θ + θw·S(w), w = θ², |θ| ≤ π/4, within 2^-58.
#[allow(clippy::excessive_precision)] // fdlibm's digits, as published
pub(crate) const SIN_COEFS: [f64; 6] = [
    -1.66666666666666324348e-01,
    8.33333333332248946124e-03,
    -1.98412698298579493134e-04,
    2.75573137070700676789e-06,
    -2.50507602534068634195e-08,
    1.58969099521155010221e-10,
];

/// fdlibm's cosine kernel (k_cos.c, C1…C6): cos θ = 1 − w/2 + w²·C(w), within 2^-58.
#[allow(clippy::excessive_precision)] // fdlibm's digits, as published
pub(crate) const COS_COEFS: [f64; 6] = [
    4.16666666666666019037e-02,
    -1.38888888888741095749e-03,
    2.48015872894767294178e-05,
    -2.75573143513906633035e-07,
    2.08757232129817482790e-09,
    -1.13596475577881948265e-11,
];

/// `c[0] + w(c[1] + w(…))` by Horner's rule, one fused multiply-add a step.
#[inline(always)]
fn horner(w: f64, c: &[f64]) -> f64 {
    let mut p = c[c.len() - 1];
    for &k in c[..c.len() - 1].iter().rev() {
        p = w.mul_add(p, k);
    }
    p
}

/// The natural logarithm of a positive normal double, by IEEE-exact operations: x = 2^e m with
/// m in [√2/2, √2), then ln m = 2 atanh(s) with s = (m − 1)/(m + 1), |s| < 0.172, by fdlibm's
/// polynomial ([`LN_COEFS`]). Error: a few ulp. Subnormal, zero, negative and non-finite
/// arguments are not handled (the generator never makes them).
#[inline(always)]
pub fn ln(x: f64) -> f64 {
    let bits = x.to_bits();
    // the biased exponent as a double by the exact 2^52 trick (vector units lack the conversion)
    let expo = f64::from_bits(TWO52_BITS | ((bits >> 52) & 0x7ff)) - TWO52;
    let m0 = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    let big = m0 > SQRT2;
    let m = if big { m0 * 0.5 } else { m0 };
    let e = (expo - 1023.0) + if big { 1.0 } else { 0.0 };
    let f = m - 1.0; // exact (Sterbenz)
    let s = f / (2.0 + f);
    let z = s * s;
    let lnm = (s * z).mul_add(horner(z, &LN_COEFS), 2.0 * s);
    e.mul_add(LN2_HI, e.mul_add(LN2_LO, lnm))
}

/// π/2.
const HALF_PI: f64 = std::f64::consts::FRAC_PI_2;

/// (sin 2πu, cos 2πu) for u in [0, 1) a multiple of 2^-53, by IEEE-exact operations: with
/// q = round(4u) and r = 4u − q (both exact), 2πu = qπ/2 + θ with θ = rπ/2 in [−π/4, π/4]; sin θ
/// and cos θ by fdlibm's kernels ([`SIN_COEFS`], [`COS_COEFS`]); the quadrant q swaps and
/// negates them. Error: a few ulp.
#[inline(always)]
pub fn sincos_2pi(u: f64) -> (f64, f64) {
    let t = 4.0 * u;
    let q = (t + 0.5).floor();
    let r = t - q;
    let th = r * HALF_PI;
    let w = th * th;
    let s = (th * w).mul_add(horner(w, &SIN_COEFS), th);
    let c = (w * w).mul_add(horner(w, &COS_COEFS), (-0.5f64).mul_add(w, 1.0));
    match (q as i64) & 3 {
        0 => (s, c),
        1 => (c, -s),
        2 => (-s, -c),
        _ => (-c, s),
    }
}

/// Two independent standard normals from one block, by Box–Muller: r = √(−2 ln u₁) with u₁ in
/// (0, 1] from words 0 and 1, angle 2πu₂ with u₂ in [0, 1) from words 2 and 3.
#[inline(always)]
pub fn normal_pair(block: [u32; 4]) -> (f64, f64) {
    let u1 = uniform_open0(block[0], block[1]);
    let u2 = uniform(block[2], block[3]);
    let r = (-2.0 * ln(u1)).sqrt();
    let (s, c) = sincos_2pi(u2);
    (r * c, r * s)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Known-answer vectors of Random123 (kat_vectors, philox4x32 with 10 rounds).
    #[test]
    fn philox_matches_random123() {
        assert_eq!(philox4x32([0; 4], [0; 2]), [0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8]);
        assert_eq!(philox4x32([u32::MAX; 4], [u32::MAX; 2]), [0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd]);
        assert_eq!(
            philox4x32([0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344], [0xa409_3822, 0x299f_31d0]),
            [0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1]
        );
    }

    fn ulps(a: f64, b: f64) -> u64 {
        (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs()
    }

    #[test]
    fn ln_is_within_a_few_ulp_of_libm() {
        let mut worst = 0;
        let mut k = 1u64;
        while k <= 1 << 53 {
            for x in [
                k as f64 * TWO_M53,
                (k as f64 * 1.37) * TWO_M53,
                0.999_999_9,
                0.5,
                1.0,
                std::f64::consts::FRAC_1_SQRT_2,
            ] {
                if x > 0.0 && x <= 1.0 && x != 1.0 {
                    worst = worst.max(ulps(ln(x), x.ln()));
                }
            }
            k = k * 3 + 1;
        }
        for i in 1..100_000u64 {
            let x = i as f64 / 100_000.0;
            worst = worst.max(ulps(ln(x), x.ln()));
        }
        assert!(worst <= 4, "ln differs from libm by {worst} ulp");
        assert_eq!(ln(1.0), 0.0);
    }

    #[test]
    fn sincos_is_accurate() {
        // The polynomials on [0, π/4] against libm at the same θ (quadrant 0).
        let mut worst = 0.0f64;
        for i in 0..200_000u64 {
            let r = (i as f64 / 200_000.0) * 0.125;
            let th = (4.0 * r) * HALF_PI;
            let (s, c) = sincos_2pi(r);
            worst = worst.max((s - th.sin()).abs()).max((c - th.cos()).abs());
        }
        assert!(worst < 3e-16, "polynomial error {worst}");
        // Every quadrant against libm at 2πu (whose own argument rounding is up to 4.4e-16).
        let mut worst = 0.0f64;
        for i in 0..200_000u64 {
            let u = (i * 45_035_996_273) as f64 % 9_007_199_254_740_992.0 * TWO_M53;
            let (s, c) = sincos_2pi(u);
            let a = 2.0 * std::f64::consts::PI * u;
            worst = worst.max((s - a.sin()).abs()).max((c - a.cos()).abs());
        }
        assert!(worst < 1.5e-15, "sincos error {worst}");
        assert_eq!(sincos_2pi(0.0), (0.0, 1.0));
        assert_eq!(sincos_2pi(0.25), (1.0, 0.0));
        assert_eq!(sincos_2pi(0.5), (-0.0, -1.0));
    }

    #[test]
    fn normals_have_unit_moments() {
        let n = 200_000u32;
        let (mut s1, mut s2, mut s4) = (0.0, 0.0, 0.0);
        for i in 0..n {
            let (a, b) = normal_pair(philox4x32([i, 0, 0, 0], key(42)));
            for z in [a, b] {
                s1 += z;
                s2 += z * z;
                s4 += z * z * z * z;
            }
        }
        let m = 2.0 * n as f64;
        assert!((s1 / m).abs() < 5.0 / m.sqrt(), "mean {}", s1 / m);
        assert!((s2 / m - 1.0).abs() < 5.0 * 2f64.sqrt() / m.sqrt(), "variance {}", s2 / m);
        assert!((s4 / m - 3.0).abs() < 5.0 * 96f64.sqrt() / m.sqrt(), "fourth moment {}", s4 / m);
        assert_ne!(philox4x32([1, 0, 0, 0], key(1)), philox4x32([1, 0, 0, 0], key(2)));
    }
}
