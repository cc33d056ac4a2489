//! [`Restarted`]: TA-Lib 0.8's running sums over a window, recomputed now and then, run in SIMD
//! lanes that are whole stretches of bars between two of its recomputations, so that a serial
//! chain of sums becomes several side by side and each bar still gets the bar-by-bar bits.

use super::prefetch;
use crate::control::Control;
use crate::error::Result;

/// Sums that TA-Lib 0.8 runs over a window and recomputes from the window itself (a restart)
/// every `32 · p` bars, or sooner where they have lost too many digits (VAR, STDDEV, BBANDS,
/// CORREL, LINEARREG and TSF; WMA every `8 · p` bars and never sooner). Between two restarts the sums are one serial chain, and a
/// restart depends on its window alone, so the chains of successive `32 · p`-bar segments can
/// run side by side (in SIMD lanes, or interleaved) on the guess that no early restart comes; where one does, the work from it
/// on is done again from there. Every bar gets the bar-by-bar machine's bits.
pub trait Restarted {
    /// One chain's sums.
    type Sums: Copy;
    fn period(&self) -> usize;
    /// The bars from one planned restart to the next.
    fn segment(&self) -> usize {
        segment(self.period())
    }
    /// The sums before the first window's last bar, bar `p - 1`, or `None` where TA-Lib
    /// computes that bar afresh (a restart).
    fn first(&self) -> Option<Self::Sums>;
    /// Asks for the inputs of bars `bars` (and the windows before them) ahead of their use
    /// ([`super::prefetch::read_l2`]).
    fn prefetch(&self, bars: std::ops::Range<usize>);
    /// Bar `t`'s output and the sums after it, recomputed from its window.
    fn restart(&self, t: usize) -> (f64, Self::Sums);
    /// Runs lane `k` from `sums[k]` over bars `at[k]..at[k] + n` into `out`, and gives the
    /// offset of each lane's first bar that asks for a restart (`n`: none); the outputs from
    /// there on are left to be overwritten. With one lane it may stop soon after that bar.
    fn steps<const K: usize>(
        &self,
        sums: &mut [Self::Sums; K],
        at: [usize; K],
        n: usize,
        out: &mut [f64],
    ) -> [usize; K];
}

/// The bars from one planned restart to the next, for most of them.
pub const fn segment(p: usize) -> usize {
    32 * p
}

/// Writes bars `p - 1..` of `out` from `r` (the caller fills the look-back).
pub fn restarted<R: Restarted>(r: &R, out: &mut [f64], control: &Control) -> Result<()> {
    #[cfg(target_arch = "x86_64")]
    {
        use crate::backend::cpu_features as cpu;
        if cpu::has_avx512f() && cpu::has_avx2_fma() {
            // SAFETY: AVX-512F, AVX2 and FMA support was just checked at run time.
            return unsafe { restarted_avx512(r, out, control) };
        }
        if cpu::has_avx2_fma() {
            // SAFETY: AVX2 and FMA support was just checked at run time.
            return unsafe { restarted_avx2(r, out, control) };
        }
    }
    restarted_in(r, out, control)
}

// With FMA, so that a `mul_add` is one instruction (Rust fuses nothing it is not told to).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn restarted_avx2<R: Restarted>(r: &R, out: &mut [f64], control: &Control) -> Result<()> {
    restarted_in(r, out, control)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
unsafe fn restarted_avx512<R: Restarted>(r: &R, out: &mut [f64], control: &Control) -> Result<()> {
    restarted_in(r, out, control)
}

#[inline(always)]
fn restarted_in<R: Restarted>(r: &R, out: &mut [f64], control: &Control) -> Result<()> {
    let (p, n) = (r.period(), out.len());
    if n < p {
        return Ok(());
    }
    let seg = r.segment();
    // `b`: the first of a segment's `seg - 1` running bars, the restart after them at `b + seg - 1`.
    let (mut b, mut sums) = match r.first() {
        Some(sums) => (p - 1, sums),
        None => {
            let (v, sums) = r.restart(p - 1);
            out[p - 1] = v;
            (p, sums)
        }
    };
    // After a wasted guess, the next segments one at a time, more of them each time it recurs.
    let (mut calm, mut backoff) = (0usize, 1usize);
    while b < n {
        control.check()?;
        // The next 16 segments' bars, in L2 while these run.
        let ahead = b + 16 * seg..b + 32 * seg;
        r.prefetch(ahead.clone());
        prefetch::write_l2(out, ahead);
        let fits = |k: usize| calm == 0 && b + k * seg <= n;
        let ((t, early), k) = if fits(16) {
            (group::<R, 16>(r, b, sums, seg - 1, out), 16)
        } else if fits(8) {
            (group::<R, 8>(r, b, sums, seg - 1, out), 8)
        } else if fits(4) {
            (group::<R, 4>(r, b, sums, seg - 1, out), 4)
        } else if fits(2) {
            (group::<R, 2>(r, b, sums, seg - 1, out), 2)
        } else {
            (group::<R, 1>(r, b, sums, (seg - 1).min(n - b), out), 1)
        };
        if k > 1 {
            (calm, backoff) = if early { (backoff, (backoff * 2).min(64)) } else { (0, 1) };
        } else {
            calm = calm.saturating_sub(1);
        }
        if t < n {
            let (v, s) = r.restart(t);
            out[t] = v;
            sums = s;
        }
        b = t + 1;
    }
    Ok(())
}

/// `K` segments from bar `b` (`len` running bars each, the first from `sums`, the others from
/// restarts): the bar of the next restart, and whether it came early.
#[inline(always)]
fn group<R: Restarted, const K: usize>(r: &R, b: usize, sums: R::Sums, len: usize, out: &mut [f64]) -> (usize, bool) {
    let seg = r.segment();
    let mut st = [sums; K];
    let mut at = [b; K];
    for k in 1..K {
        at[k] = b + k * seg;
        let (v, s) = r.restart(at[k] - 1);
        out[at[k] - 1] = v;
        st[k] = s;
    }
    let first = r.steps::<K>(&mut st, at, len, out);
    match (0..K).find(|&k| first[k] < len) {
        Some(k) => (at[k] + first[k], true),
        None => (at[K - 1] + len, false),
    }
}

/// The end of a block of bars `j0..j0 + values.len()` that SIMD steps laid out bar by bar, lane
/// by lane: each lane's first bar that asked for a restart into `first` (looked for only where
/// `any` did), and the lanes' values into `out` at their bars (lane `k`'s from `at[k] + j0`).
#[inline(always)]
pub fn finish_block<const K: usize>(
    values: &[[f64; K]],
    hit: &[[bool; K]],
    any: bool,
    at: [usize; K],
    j0: usize,
    first: &mut [usize; K],
    out: &mut [f64],
) {
    if any {
        for k in 0..K {
            if let Some(j) = hit.iter().position(|h| h[k]) {
                first[k] = first[k].min(j0 + j);
            }
        }
    }
    for k in 0..K {
        let t = at[k] + j0;
        for (o, v) in out[t..t + values.len()].iter_mut().zip(values) {
            *o = v[k];
        }
    }
}

/// Chains run side by side in scalar code, for [`by_fours`].
pub trait Chains: Restarted {
    /// [`Restarted::steps`] for `L` lanes.
    fn chains<const L: usize>(
        &self,
        sums: &mut [Self::Sums; L],
        at: [usize; L],
        n: usize,
        out: &mut [f64],
    ) -> [usize; L];
}

/// [`Restarted::steps`] by [`Chains::chains`], four lanes at a time (then one at a time):
/// chains interleaved in scalar code, as many as the registers hold. SIMD across the lanes
/// would transpose every value in and out, which costs more than it saves (scattered stores
/// are slow on AMD's Zen 4 in particular), and eight lanes run out of registers (each about
/// half as fast as four, measured).
#[inline(always)]
pub fn by_fours<R: Chains, const K: usize>(
    r: &R,
    sums: &mut [R::Sums; K],
    at: [usize; K],
    n: usize,
    out: &mut [f64],
) -> [usize; K] {
    let mut first = [0; K];
    let (quads, _) = sums.as_chunks_mut::<4>();
    let whole = 4 * quads.len();
    for (q, lanes) in quads.iter_mut().enumerate() {
        first[4 * q..4 * q + 4].copy_from_slice(&r.chains::<4>(lanes, std::array::from_fn(|k| at[4 * q + k]), n, out));
    }
    for k in whole..K {
        first[k] = r.chains::<1>(std::array::from_mut(&mut sums[k]), [at[k]], n, out)[0];
    }
    first
}
