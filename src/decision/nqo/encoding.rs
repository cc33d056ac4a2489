//! Binary (Gray-code) encoding of the variables inside a box of the unit cube.
//!
//! Each variable owns a few p-bits. Their bits, read as a reflected Gray code, give a level k,
//! and the level gives the variable's value: for a continuous variable one of 2^bits evenly
//! spaced values across the box, for an integer variable one of the whole numbers in the box.
//! With Gray code, flipping the lowest bit moves a variable to a neighbouring level and flipping
//! a higher bit makes a longer jump, so single-bit p-bit updates explore both scales.

use super::space::Space;

/// Reflected binary Gray code of `k`.
#[inline]
pub fn gray(k: u64) -> u64 {
    k ^ (k >> 1)
}

/// The level whose Gray code is `g`.
#[inline]
pub fn gray_inverse(mut g: u64) -> u64 {
    let mut shift = 1;
    while shift < 64 {
        g ^= g >> shift;
        shift <<= 1;
    }
    g
}

#[derive(Debug, Clone, PartialEq)]
enum Levels {
    /// 2^bits values from `lo` to `hi` (unit coordinates), both included.
    Continuous { lo: f64, hi: f64 },
    /// The grid values first, first + 1, ..., first + count − 1, in steps of `1 / steps`.
    Integer { first: u64, count: u64, steps: u64 },
}

#[derive(Debug, Clone, PartialEq)]
struct Var {
    bits: u32,
    levels: Levels,
}

/// The encoding of every variable of a space inside a box `[lo, hi]` of the unit cube.
#[derive(Debug, Clone, PartialEq)]
pub struct Encoding {
    vars: Vec<Var>,
}

impl Encoding {
    /// Continuous variables get `bits` bits over their side of the box (none if the side is
    /// empty); integer variables get just enough bits for the whole numbers inside the box
    /// (none when there is only one).
    pub fn new(space: &Space, lo: &[f64], hi: &[f64], bits: u32) -> Self {
        let vars = (0..space.dim())
            .map(|i| match space.steps(i) {
                None => Var {
                    bits: if hi[i] > lo[i] { bits } else { 0 },
                    levels: Levels::Continuous { lo: lo[i], hi: hi[i] },
                },
                Some(steps) => {
                    let w = steps as f64;
                    let first = ((lo[i] * w - 1e-9).ceil().max(0.0) as u64).min(steps);
                    let last = ((hi[i] * w + 1e-9).floor().max(0.0) as u64).clamp(first, steps);
                    let count = last - first + 1;
                    let bits = u64::BITS - (count - 1).leading_zeros();
                    Var { bits, levels: Levels::Integer { first, count, steps } }
                }
            })
            .collect();
        Self { vars }
    }

    pub fn dim(&self) -> usize {
        self.vars.len()
    }

    pub fn bits(&self, i: usize) -> u32 {
        self.vars[i].bits
    }

    /// Total number of p-bits.
    pub fn num_bits(&self) -> usize {
        self.vars.iter().map(|v| v.bits as usize).sum()
    }

    /// Unit coordinate of variable `i` at Gray code `g`.
    pub fn value(&self, i: usize, g: u64) -> f64 {
        let v = &self.vars[i];
        let k = gray_inverse(g);
        match v.levels {
            Levels::Continuous { lo, hi } => {
                if v.bits == 0 {
                    return lo;
                }
                let top = ((1u64 << v.bits) - 1) as f64;
                (lo + (hi - lo) * (k as f64 / top)).clamp(lo, hi)
            }
            Levels::Integer { first, count, steps } => {
                // 2^bits codes share the `count` values as evenly as possible
                let idx = if v.bits == 0 { 0 } else { ((k as u128 * count as u128) >> v.bits) as u64 };
                if steps == 0 {
                    0.0
                } else {
                    (first + idx) as f64 / steps as f64
                }
            }
        }
    }

    /// The Gray code of the level nearest to unit coordinate `u` for variable `i`.
    pub fn code_near(&self, i: usize, u: f64) -> u64 {
        let v = &self.vars[i];
        if v.bits == 0 {
            return 0;
        }
        let top = (1u64 << v.bits) - 1;
        let k = match v.levels {
            Levels::Continuous { lo, hi } => {
                let t = if hi > lo { ((u - lo) / (hi - lo)).clamp(0.0, 1.0) } else { 0.0 };
                (t * top as f64).round() as u64
            }
            Levels::Integer { first, count, steps } => {
                let idx = ((u * steps as f64).round() as u64).clamp(first, first + count - 1) - first;
                // the smallest code k with floor(k·count / 2^bits) = idx
                (((idx as u128) << v.bits).div_ceil(count as u128) as u64).min(top)
            }
        };
        gray(k)
    }

    /// The bits of a state as one code per variable, decoded into unit coordinates.
    pub fn decode(&self, codes: &[u64], u: &mut [f64]) {
        for (i, (&g, x)) in codes.iter().zip(u.iter_mut()).enumerate() {
            *x = self.value(i, g);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gray_code_round_trips_and_changes_one_bit() {
        for k in 0..1024u64 {
            assert_eq!(gray_inverse(gray(k)), k);
            assert_eq!((gray(k) ^ gray(k + 1)).count_ones(), 1);
        }
        assert_eq!(gray_inverse(gray(u64::MAX - 3)), u64::MAX - 3);
    }

    #[test]
    fn levels_cover_the_box() {
        let s = Space::new(&[0.0, 0.0, 0.0], &[1.0, 10.0, 4.0], &[false, true, true]).unwrap();
        // box: [0.25, 0.75] × [0.2, 0.65] × [0.5, 0.5]
        let e = Encoding::new(&s, &[0.25, 0.2, 0.5], &[0.75, 0.65, 0.5], 4);
        assert_eq!((e.bits(0), e.bits(1), e.bits(2)), (4, 3, 0));
        assert_eq!(e.num_bits(), 7);
        assert_eq!(e.value(0, gray(0)), 0.25);
        assert_eq!(e.value(0, gray(15)), 0.75);
        // integer variable 1: whole numbers 2..=6 inside the box, every one reachable
        let mut seen: Vec<u64> = (0..8).map(|k| (e.value(1, gray(k)) * 10.0).round() as u64).collect();
        seen.dedup();
        assert_eq!(seen, vec![2, 3, 4, 5, 6]);
        assert_eq!(e.value(2, 0), 0.5);
        for v in 2..=6u64 {
            let g = e.code_near(1, v as f64 / 10.0);
            assert_eq!((e.value(1, g) * 10.0).round() as u64, v);
        }
        let g = e.code_near(0, 0.5);
        assert!((e.value(0, g) - 0.5).abs() <= 0.5 / 15.0 + 1e-12);
        let mut u = [0.0; 3];
        e.decode(&[gray(15), gray(0), 0], &mut u);
        assert_eq!(u, [0.75, 0.2, 0.5]);
    }
}
