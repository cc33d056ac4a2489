//! Random streams that make results depend on the seed alone, never on the thread count.
//!
//! Every unit of parallel work (a read, a chain, a replica) owns a [`Stream`] derived from
//! `(seed, stream id)` by SplitMix64, so the same seed gives bit-identical results however the
//! units are scheduled. Hot loops draw uniforms in bulk from a [`LaneUniforms`] buffer, filled by
//! eight interleaved xoshiro128+ generators that the compiler vectorises.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64's output function: a strong 64-bit mixer.
#[inline]
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A fresh seed from the OS-seeded hasher, for `seed=None`.
pub fn entropy_seed() -> u64 {
    let mut h = RandomState::new().build_hasher();
    h.write_u64(std::process::id() as u64);
    h.finish()
}

/// The seed to use: the caller's, or fresh entropy.
pub fn resolve_seed(seed: Option<u64>) -> u64 {
    seed.unwrap_or_else(entropy_seed)
}

/// xoshiro256++: the per-stream scalar generator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stream {
    s: [u64; 4],
}

impl Stream {
    /// Stream number `id` of `seed`. Distinct ids give statistically independent streams.
    pub fn new(seed: u64, id: u64) -> Self {
        let mut x = mix64(seed ^ GOLDEN).wrapping_add(mix64(id.wrapping_add(1).wrapping_mul(GOLDEN)));
        let mut s = [0u64; 4];
        for w in &mut s {
            x = x.wrapping_add(GOLDEN);
            *w = mix64(x);
        }
        if s == [0; 4] {
            s[0] = GOLDEN;
        }
        Self { s }
    }

    pub fn from_state(s: [u64; 4]) -> Self {
        Self { s: if s == [0; 4] { [GOLDEN, 0, 0, 0] } else { s } }
    }

    pub fn state(&self) -> [u64; 4] {
        self.s
    }

    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = (s[0].wrapping_add(s[3])).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform in [0, 1) with 53 random bits.
    #[inline]
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform integer in [0, n) (Lemire's multiply-shift; bias below 2^-32 for n < 2^32).
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    /// A uniformly random spin, -1 or +1.
    #[inline]
    pub fn spin(&mut self) -> i8 {
        if self.next_u64() >> 63 == 0 {
            -1
        } else {
            1
        }
    }
}

pub const LANES: usize = 8;

/// One lane's xoshiro128+ state (never all zero) from a stream.
fn lane_words(stream: &mut Stream) -> [u32; 4] {
    loop {
        let (a, b) = (stream.next_u64(), stream.next_u64());
        let w = [a as u32, (a >> 32) as u32, b as u32, (b >> 32) as u32];
        if w != [0; 4] {
            return w;
        }
    }
}
const BUF: usize = 64;

/// Bulk uniforms in [0, 1) as f32 (24 random bits), from eight interleaved xoshiro128+ lanes.
/// The four state words are kept as separate lane arrays so that each step is one vector op.
#[derive(Debug, Clone)]
pub struct LaneUniforms {
    s0: [u32; LANES],
    s1: [u32; LANES],
    s2: [u32; LANES],
    s3: [u32; LANES],
    buf: [f32; BUF],
    pos: usize,
}

impl LaneUniforms {
    pub fn new(stream: &mut Stream) -> Self {
        Self::from_words(std::array::from_fn(|_| lane_words(stream)))
    }

    fn from_words(words: [[u32; 4]; LANES]) -> Self {
        let lane = |k: usize| -> [u32; LANES] { std::array::from_fn(|l| words[l][k]) };
        Self { s0: lane(0), s1: lane(1), s2: lane(2), s3: lane(3), buf: [0.0; BUF], pos: BUF }
    }

    /// Lane `l` draws from `streams[l]` alone: lane l's sequence does not depend on the others,
    /// so a replica gets the same numbers whichever group of lanes it runs in.
    pub fn from_streams(streams: &mut [Stream; LANES]) -> Self {
        let mut it = streams.iter_mut();
        Self::from_words(std::array::from_fn(|_| lane_words(it.next().expect("LANES streams"))))
    }

    #[allow(clippy::needless_range_loop)] // lane loops: one vector instruction per statement
    #[inline(always)]
    fn fill(&mut self) {
        const SCALE: f32 = 1.0 / (1u32 << 24) as f32;
        // Work on local copies: with the state behind `&mut self` next to `buf`, every step
        // would be a load and a store; locals stay in registers.
        let (mut s0, mut s1, mut s2, mut s3) = (self.s0, self.s1, self.s2, self.s3);
        for chunk in self.buf.chunks_exact_mut(LANES) {
            let mut out = [0u32; LANES];
            for l in 0..LANES {
                out[l] = s0[l].wrapping_add(s3[l]);
            }
            for l in 0..LANES {
                let t = s1[l] << 9;
                s2[l] ^= s0[l];
                s3[l] ^= s1[l];
                s1[l] ^= s2[l];
                s0[l] ^= s3[l];
                s2[l] ^= t;
                s3[l] = s3[l].rotate_left(11);
            }
            for l in 0..LANES {
                // via i32: AVX2 converts signed integers to floats in vector form, not unsigned ones
                chunk[l] = ((out[l] >> 8) as i32) as f32 * SCALE;
            }
        }
        (self.s0, self.s1, self.s2, self.s3) = (s0, s1, s2, s3);
        self.pos = 0;
    }

    /// One uniform.
    #[inline(always)]
    pub fn uniform(&mut self) -> f32 {
        if self.pos == BUF {
            self.fill();
        }
        let u = self.buf[self.pos];
        self.pos += 1;
        u
    }

    /// `LANES` uniforms at once (refilling first when fewer are left, so draws stay aligned).
    #[inline(always)]
    pub fn next_lanes(&mut self) -> [f32; LANES] {
        if self.pos + LANES > BUF {
            self.fill();
        }
        let mut out = [0.0f32; LANES];
        out.copy_from_slice(&self.buf[self.pos..self.pos + LANES]);
        self.pos += LANES;
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let mut a = Stream::new(7, 0);
        let mut b = Stream::new(7, 0);
        let mut c = Stream::new(7, 1);
        let xa: Vec<u64> = (0..4).map(|_| a.next_u64()).collect();
        let xb: Vec<u64> = (0..4).map(|_| b.next_u64()).collect();
        let xc: Vec<u64> = (0..4).map(|_| c.next_u64()).collect();
        assert_eq!(xa, xb);
        assert_ne!(xa, xc);
    }

    #[test]
    fn uniforms_have_the_right_moments() {
        let mut s = Stream::new(1, 2);
        let mut u = LaneUniforms::new(&mut s);
        let n = 400_000;
        let (mut m1, mut m2) = (0.0f64, 0.0f64);
        for _ in 0..n {
            let x = u.uniform() as f64;
            assert!((0.0..1.0).contains(&x));
            m1 += x;
            m2 += x * x;
        }
        m1 /= n as f64;
        m2 /= n as f64;
        assert!((m1 - 0.5).abs() < 3e-3, "{m1}");
        assert!((m2 - 1.0 / 3.0).abs() < 3e-3, "{m2}");
        let mut f = Stream::new(3, 4);
        let mean: f64 = (0..n).map(|_| f.next_f64()).sum::<f64>() / n as f64;
        assert!((mean - 0.5).abs() < 3e-3);
        let below: u64 = (0..n).map(|_| f.below(10)).max().unwrap();
        assert_eq!(below, 9);
    }
}
