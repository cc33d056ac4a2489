//! The cost phase a ← a·e^{−iγc} for a run of amplitudes, with a branch-free sin/cos that the
//! compiler vectorises (the libm call per amplitude was most of a QAOA layer's time).
//!
//! sin/cos: Cody–Waite reduction by π/2 with fdlibm's three-part constant (exact products for
//! |k| < 2^20), then fdlibm's kernel polynomials on |r| ≤ π/4 (errors of about one ulp). Angles
//! past the reduction's range go through `f64::sin_cos`. No fused multiply-adds, so the AVX2 and
//! the portable paths give the same bits.

// fdlibm's constants as it publishes them (17+ digits; the nearest f64 is what is meant).
#![allow(clippy::excessive_precision)]

use super::statevector::C64;

/// |θ| below which the fast reduction is exact enough: |k| = |θ|·2/π stays below 2^20.
pub const FAST_RANGE: f64 = 1.0e6;

const FRAC_2_PI: f64 = std::f64::consts::FRAC_2_PI;
/// 1.5·2^52: adding it rounds to an integer and leaves that integer in the low mantissa bits.
const ROUND: f64 = 6_755_399_441_055_744.0;
const PIO2_1: f64 = 1.570_796_326_734_125_614_17e+00;
const PIO2_2: f64 = 6.077_100_506_303_965_976_60e-11;
const PIO2_3: f64 = 2.022_266_248_711_166_455_80e-21;
const S: [f64; 6] = [
    -1.666_666_666_666_663_243_48e-01,
    8.333_333_333_322_489_461_24e-03,
    -1.984_126_982_985_794_931_34e-04,
    2.755_731_370_707_006_767_89e-06,
    -2.505_076_025_340_686_341_95e-08,
    1.589_690_995_211_550_102_21e-10,
];
const C: [f64; 6] = [
    4.166_666_666_666_660_190_37e-02,
    -1.388_888_888_887_410_957_49e-03,
    2.480_158_728_947_672_941_78e-05,
    -2.755_731_435_139_066_330_35e-07,
    2.087_572_321_298_174_827_90e-09,
    -1.135_964_755_778_819_482_65e-11,
];

/// (sin θ, cos θ) for |θ| < [`FAST_RANGE`].
#[inline(always)]
pub fn sin_cos_reduced(theta: f64) -> (f64, f64) {
    let shifted = theta * FRAC_2_PI + ROUND;
    let k = shifted - ROUND;
    let quadrant = shifted.to_bits() & 3;
    let r = ((theta - k * PIO2_1) - k * PIO2_2) - k * PIO2_3;
    let z = r * r;
    let sin = r + r * z * (S[0] + z * (S[1] + z * (S[2] + z * (S[3] + z * (S[4] + z * S[5])))));
    let cos = 1.0 - 0.5 * z + z * z * (C[0] + z * (C[1] + z * (C[2] + z * (C[3] + z * (C[4] + z * C[5])))));
    let swap = quadrant & 1 == 1;
    let (s, c) = if swap { (cos, sin) } else { (sin, cos) };
    let s = if quadrant & 2 == 2 { -s } else { s };
    let c = if (quadrant + 1) & 2 == 2 { -c } else { c };
    (s, c)
}

#[inline(always)]
fn apply_with(amps: &mut [C64], cost: &[f64], gamma: f64, sin_cos: impl Fn(f64) -> (f64, f64)) {
    for (a, &cx) in amps.iter_mut().zip(cost) {
        let (sn, cs) = sin_cos(gamma * cx);
        let (re, im) = (a.re, a.im);
        // a · e^{−iγc} = a · (cos − i sin)
        a.re = re * cs + im * sn;
        a.im = im * cs - re * sn;
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn apply_avx2(amps: &mut [C64], cost: &[f64], gamma: f64) {
    apply_with(amps, cost, gamma, sin_cos_reduced);
}

/// a ← a·e^{−iγc} elementwise. `max_abs_cost` bounds |c| over `cost` (it picks the path).
pub fn apply(amps: &mut [C64], cost: &[f64], gamma: f64, max_abs_cost: f64) {
    if gamma.abs() * max_abs_cost >= FAST_RANGE {
        return apply_with(amps, cost, gamma, f64::sin_cos);
    }
    #[cfg(target_arch = "x86_64")]
    if crate::backend::cpu_features::has_avx2() {
        // SAFETY: AVX2 support was just checked at run time.
        return unsafe { apply_avx2(amps, cost, gamma) };
    }
    apply_with(amps, cost, gamma, sin_cos_reduced)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reduced_sin_cos_is_within_two_ulps_of_libm() {
        let mut worst = 0.0f64;
        let mut x = -FAST_RANGE;
        let mut state = 0x1234_5678_9abc_def0u64;
        let mut check = |t: f64| {
            let (s, c) = sin_cos_reduced(t);
            let (rs, rc) = t.sin_cos();
            worst = worst.max((s - rs).abs()).max((c - rc).abs());
        };
        while x < FAST_RANGE {
            check(x);
            x += 977.123;
        }
        for _ in 0..200_000 {
            state = crate::rng::mix64(state.wrapping_add(1));
            let u = (state >> 11) as f64 / (1u64 << 53) as f64;
            check((u - 0.5) * 20.0);
            check((u - 0.5) * 2.0 * FAST_RANGE);
        }
        for k in -8..=8 {
            let q = k as f64 * std::f64::consts::FRAC_PI_4;
            for t in [q, q.next_up(), q.next_down(), 0.0, -0.0] {
                check(t);
            }
        }
        assert!(worst <= 2.3e-16, "largest difference to libm: {worst:e}");
    }

    #[test]
    fn both_paths_give_the_same_phases() {
        let cost: Vec<f64> = (0..1000).map(|k| (k as f64 - 500.0) * 3.7).collect();
        let start = vec![C64 { re: 0.6, im: -0.8 }; cost.len()];
        let mut fast = start.clone();
        apply(&mut fast, &cost, 0.73, 1850.0);
        let mut portable = start.clone();
        apply_with(&mut portable, &cost, 0.73, sin_cos_reduced);
        assert_eq!(fast, portable);
        let mut libm = start;
        apply_with(&mut libm, &cost, 0.73, f64::sin_cos);
        for (a, b) in fast.iter().zip(&libm) {
            assert!((a.re - b.re).abs() < 1e-15 && (a.im - b.im).abs() < 1e-15);
        }
    }
}
