//! Division by a number that stays the same over a whole loop (a period), correctly rounded
//! without the divider: TA-Lib divides its running totals by the period once per bar, and the
//! divider, a few values per cycle at best, then bounds the loop.
//!
//! With `y = RN(1/d)`, `q0 = RN(a·y)` is within two ulps of `a/d`; one Newton step
//! `q1 = q0 + (a − d·q0)·y`, its residual exact through a fused multiply-add, brings it within
//! one ulp, and Markstein's theorem says a second step then gives `RN(a/d)` itself (Muller et
//! al., *Handbook of Floating-Point Arithmetic*, §4.7), as long as nothing underflows or
//! overflows: `a` within 2^±900 and `d` in 1..2^32 here, everything else (zero, NaN, infinity,
//! subnormals) divided by the divider. The tests compare the bits with `a / d`.

/// 2^-900 and 2^900: the magnitudes where the Newton steps neither underflow nor overflow.
const TINY: f64 = f64::from_bits((1023 - 900) << 52);
const HUGE: f64 = f64::from_bits((1023 + 900) << 52);

/// Divides every value by `d` in place, each quotient the divider's to the bit. With `FMA` (the
/// caller is compiled with fused multiply-add; without it the divider beats software FMA) and
/// every value safe, by the Newton steps, in a loop the compiler vectorises; else by the divider.
#[inline(always)]
pub fn divide_all<const FMA: bool>(values: &mut [f64], d: f64) {
    let y = 1.0 / d;
    let safe = |a: f64| (TINY..=HUGE).contains(&a.abs());
    if FMA && (1.0..=4_294_967_296.0).contains(&d) && values.iter().fold(true, |ok, &a| ok & safe(a)) {
        values.iter_mut().for_each(|v| {
            let a = *v;
            let q0 = a * y;
            let q1 = (-q0).mul_add(d, a).mul_add(y, q0);
            *v = (-q1).mul_add(d, a).mul_add(y, q1);
        });
    } else {
        values.iter_mut().for_each(|v| *v /= d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Random doubles of every significand and of exponents up to ±`spread`, plus edge values.
    fn values(seed: u64, count: usize, spread: i32) -> Vec<f64> {
        let mut s = seed;
        let mut next = || {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            s
        };
        let mut out: Vec<f64> = (0..count)
            .map(|_| {
                let mantissa = next() >> 12;
                let e = (next() >> 40) as i32 % (2 * spread + 1) - spread;
                let sign = if next() & 1 == 0 { 1.0 } else { -1.0 };
                sign * f64::from_bits((1023u64 << 52) | mantissa) * 2f64.powi(e)
            })
            .collect();
        // Sums of prices and whole numbers (what the totals are), and the edges.
        out.extend((0..2000).map(|i| f64::from(i) * 0.01 + 0.005));
        out.extend((1..2000).map(f64::from));
        out.extend([
            0.0,
            -0.0,
            f64::NAN,
            f64::INFINITY,
            -f64::INFINITY,
            f64::MIN_POSITIVE,
            5e-324,
            f64::MAX,
            HUGE,
            -HUGE * 2.0,
            TINY,
            TINY / 2.0,
        ]);
        out
    }

    #[test]
    fn every_quotient_is_the_dividers() {
        let xs = values(3, 20_000, 40);
        let wide = values(5, 2_000, 1000);
        let mut periods: Vec<f64> = (1..=1100).map(f64::from).collect();
        // Periods whose significand is all ones (2^k - 1), and large or fractional ones.
        periods.extend((1..33).map(|k| ((1u64 << k) - 1) as f64));
        periods.extend([4_294_967_296.0, 1e10, 0.5, 0.1, 3.7]);
        for &d in &periods {
            // One value at a time (the unsafe ones by the divider), then a whole run of safe ones.
            for &a in xs.iter().chain(&wide) {
                let mut q = [a];
                divide_all::<true>(&mut q, d);
                assert!(q[0].to_bits() == (a / d).to_bits() || (q[0].is_nan() && a.is_nan()), "{a:e} / {d}");
            }
            let mut safe: Vec<f64> = xs.iter().copied().filter(|a| (TINY..=HUGE).contains(&a.abs())).collect();
            let expect: Vec<u64> = safe.iter().map(|a| (a / d).to_bits()).collect();
            divide_all::<true>(&mut safe, d);
            assert_eq!(safe.iter().map(|v| v.to_bits()).collect::<Vec<_>>(), expect, "{d}");
        }
    }
}
