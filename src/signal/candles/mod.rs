//! TA-Lib's 61 candlestick patterns, bit for bit.
//!
//! Every pattern is a kernel over [`Bars`] that writes TA-Lib's integer (−100/0/100, ±80 for the
//! weaker engulfing/harami, ±200 for a confirmed hikkake) for every bar from its look-back on.
//! The "long", "short", "near", ... thresholds are TA-Lib's running totals ([`totals`]),
//! started where TA-Lib starts them for that function, so the rounding, and hence every
//! comparison, is TA-Lib's.
//!
//! [`run`] also reproduces how TA-Lib's Python wrapper calls the C functions: it skips the
//! leading bars where any of open/high/low/close is NaN and starts the function's look-back at
//! the first bar where none is; a NaN later on simply flows through the comparisons (they are
//! false) and the running totals, as in TA-Lib.
//!
//! Every pattern runs block by block over the bars ([`scan::Scan`]): per block, its running
//! totals first (serially, TA-Lib's additions in TA-Lib's order, carried from block to block),
//! then its expression over the block's bars without branches (vectorised, with an AVX2 build
//! chosen at run time). [`candlesticks`] runs all 61 over the same bars, one column per
//! pattern: each parallel task takes a group of patterns that read the same totals and runs
//! them side by side over one block of bars before the next, so the bars are read from memory
//! once per group and each total is computed once per group. A total's values depend only on
//! its range type, period and origin, so the table is identical to the 61 separate calls.
//! (Splitting the bars between threads instead would restart the running totals and change
//! their rounding.)

pub mod bars;
mod multi_bar;
mod one_bar;
mod scan;
pub mod settings;
mod three_bar;
mod totals;
mod two_bar;

use crate::control::Control;
use crate::error::{try_zeroed, Error, Result};
use crate::{ensure, invalid};
use bars::{Bars, BLOCK};
use rayon::prelude::*;
use scan::Scan;
use settings::CandleSetting::{self, *};
use settings::CandleSettings;
use totals::Totals;

/// `color * 100` where the pattern is found, else 0.
#[inline(always)]
pub(crate) fn sign(hit: bool, color: i32) -> i32 {
    if hit {
        color * 100
    } else {
        0
    }
}

/// A pattern kernel: bars, settings, penetration, first bar, the totals its averages join; it
/// returns the pattern ready to run over the blocks of bars from the first bar on.
type Kernel = fn(&Bars<'_>, &CandleSettings, f64, usize, &mut Totals) -> Box<dyn Scan>;

/// How a pattern's look-back is computed from the settings: the largest period among `uses`
/// (at least `min`), plus `extra` bars.
struct Lookback {
    uses: &'static [CandleSetting],
    min: usize,
    extra: usize,
}

/// One of TA-Lib's 61 functions.
pub struct Pattern {
    /// TA-Lib's name, `CDL2CROWS` ...
    pub name: &'static str,
    /// The default penetration for the 7 functions that take one.
    pub penetration: Option<f64>,
    lookback: Lookback,
    kernel: Kernel,
}

impl Pattern {
    /// TA-Lib's `TA_<name>_Lookback()` under `s`.
    pub fn lookback(&self, s: &CandleSettings) -> usize {
        let lb = &self.lookback;
        s.max_period(lb.uses).max(lb.min) + lb.extra
    }
}

const fn p(
    name: &'static str,
    penetration: Option<f64>,
    uses: &'static [CandleSetting],
    min: usize,
    extra: usize,
    kernel: Kernel,
) -> Pattern {
    Pattern { name, penetration, lookback: Lookback { uses, min, extra }, kernel }
}

/// The 61 patterns in TA-Lib's order (`talib.get_function_groups()['Pattern Recognition']`).
pub static PATTERNS: [Pattern; 61] = [
    p("CDL2CROWS", None, &[BodyLong], 0, 2, three_bar::two_crows),
    p("CDL3BLACKCROWS", None, &[ShadowVeryShort], 0, 3, three_bar::three_black_crows),
    p("CDL3INSIDE", None, &[BodyShort, BodyLong], 0, 2, three_bar::three_inside),
    p("CDL3LINESTRIKE", None, &[Near], 0, 3, multi_bar::three_line_strike),
    p("CDL3OUTSIDE", None, &[], 0, 3, three_bar::three_outside),
    p(
        "CDL3STARSINSOUTH",
        None,
        &[ShadowVeryShort, ShadowLong, BodyLong, BodyShort],
        0,
        2,
        three_bar::three_stars_in_south,
    ),
    p("CDL3WHITESOLDIERS", None, &[ShadowVeryShort, BodyShort, Far, Near], 0, 2, three_bar::three_white_soldiers),
    p("CDLABANDONEDBABY", Some(0.3), &[BodyDoji, BodyLong, BodyShort], 0, 2, three_bar::abandoned_baby),
    p("CDLADVANCEBLOCK", None, &[ShadowShort, ShadowLong, Far, Near, BodyLong], 0, 2, three_bar::advance_block),
    p("CDLBELTHOLD", None, &[BodyLong, ShadowVeryShort], 0, 0, one_bar::belthold),
    p("CDLBREAKAWAY", None, &[BodyLong], 0, 4, multi_bar::breakaway),
    p("CDLCLOSINGMARUBOZU", None, &[BodyLong, ShadowVeryShort], 0, 0, one_bar::closingmarubozu),
    p("CDLCONCEALBABYSWALL", None, &[ShadowVeryShort], 0, 3, multi_bar::conceal_baby_swallow),
    p("CDLCOUNTERATTACK", None, &[Equal, BodyLong], 0, 1, two_bar::counterattack),
    p("CDLDARKCLOUDCOVER", Some(0.5), &[BodyLong], 0, 1, two_bar::darkcloudcover),
    p("CDLDOJI", None, &[BodyDoji], 0, 0, one_bar::doji),
    p("CDLDOJISTAR", None, &[BodyDoji, BodyLong], 0, 1, two_bar::dojistar),
    p("CDLDRAGONFLYDOJI", None, &[BodyDoji, ShadowVeryShort], 0, 0, one_bar::dragonflydoji),
    p("CDLENGULFING", None, &[], 0, 2, two_bar::engulfing),
    p("CDLEVENINGDOJISTAR", Some(0.3), &[BodyDoji, BodyLong, BodyShort], 0, 2, three_bar::evening_doji_star),
    p("CDLEVENINGSTAR", Some(0.3), &[BodyShort, BodyLong], 0, 2, three_bar::evening_star),
    p("CDLGAPSIDESIDEWHITE", None, &[Near, Equal], 0, 2, three_bar::gap_side_side_white),
    p("CDLGRAVESTONEDOJI", None, &[BodyDoji, ShadowVeryShort], 0, 0, one_bar::gravestonedoji),
    p("CDLHAMMER", None, &[BodyShort, ShadowLong, ShadowVeryShort, Near], 0, 1, one_bar::hammer),
    p("CDLHANGINGMAN", None, &[BodyShort, ShadowLong, ShadowVeryShort, Near], 0, 1, one_bar::hangingman),
    p("CDLHARAMI", None, &[BodyShort, BodyLong], 0, 1, two_bar::harami),
    p("CDLHARAMICROSS", None, &[BodyDoji, BodyLong], 0, 1, two_bar::haramicross),
    p("CDLHIGHWAVE", None, &[BodyShort, ShadowVeryLong], 0, 0, one_bar::highwave),
    p("CDLHIKKAKE", None, &[], 0, 5, multi_bar::hikkake),
    p("CDLHIKKAKEMOD", None, &[Near], 1, 5, multi_bar::hikkake_mod),
    p("CDLHOMINGPIGEON", None, &[BodyShort, BodyLong], 0, 1, two_bar::homingpigeon),
    p("CDLIDENTICAL3CROWS", None, &[ShadowVeryShort, Equal], 0, 2, three_bar::identical_three_crows),
    p("CDLINNECK", None, &[Equal, BodyLong], 0, 1, two_bar::inneck),
    p("CDLINVERTEDHAMMER", None, &[BodyShort, ShadowLong, ShadowVeryShort], 0, 1, one_bar::invertedhammer),
    p("CDLKICKING", None, &[ShadowVeryShort, BodyLong], 0, 1, two_bar::kicking),
    p("CDLKICKINGBYLENGTH", None, &[ShadowVeryShort, BodyLong], 0, 1, two_bar::kickingbylength),
    p("CDLLADDERBOTTOM", None, &[ShadowVeryShort], 0, 4, multi_bar::ladder_bottom),
    p("CDLLONGLEGGEDDOJI", None, &[BodyDoji, ShadowLong], 0, 0, one_bar::longleggeddoji),
    p("CDLLONGLINE", None, &[BodyLong, ShadowShort], 0, 0, one_bar::longline),
    p("CDLMARUBOZU", None, &[BodyLong, ShadowVeryShort], 0, 0, one_bar::marubozu),
    p("CDLMATCHINGLOW", None, &[Equal], 0, 1, two_bar::matchinglow),
    p("CDLMATHOLD", Some(0.5), &[BodyShort, BodyLong], 0, 4, multi_bar::mat_hold),
    p("CDLMORNINGDOJISTAR", Some(0.3), &[BodyDoji, BodyLong, BodyShort], 0, 2, three_bar::morning_doji_star),
    p("CDLMORNINGSTAR", Some(0.3), &[BodyShort, BodyLong], 0, 2, three_bar::morning_star),
    p("CDLONNECK", None, &[Equal, BodyLong], 0, 1, two_bar::onneck),
    p("CDLPIERCING", None, &[BodyLong], 0, 1, two_bar::piercing),
    p("CDLRICKSHAWMAN", None, &[BodyDoji, ShadowLong, Near], 0, 0, one_bar::rickshawman),
    p("CDLRISEFALL3METHODS", None, &[BodyShort, BodyLong], 0, 4, multi_bar::rise_fall_three_methods),
    p("CDLSEPARATINGLINES", None, &[ShadowVeryShort, BodyLong, Equal], 0, 1, two_bar::separatinglines),
    p("CDLSHOOTINGSTAR", None, &[BodyShort, ShadowLong, ShadowVeryShort], 0, 1, one_bar::shootingstar),
    p("CDLSHORTLINE", None, &[BodyShort, ShadowShort], 0, 0, one_bar::shortline),
    p("CDLSPINNINGTOP", None, &[BodyShort], 0, 0, one_bar::spinningtop),
    p("CDLSTALLEDPATTERN", None, &[BodyLong, BodyShort, ShadowVeryShort, Near], 0, 2, three_bar::stalled_pattern),
    p("CDLSTICKSANDWICH", None, &[Equal], 0, 2, three_bar::stick_sandwich),
    p("CDLTAKURI", None, &[BodyDoji, ShadowVeryShort, ShadowVeryLong], 0, 0, one_bar::takuri),
    p("CDLTASUKIGAP", None, &[Near], 0, 2, three_bar::tasuki_gap),
    p("CDLTHRUSTING", None, &[Equal, BodyLong], 0, 1, two_bar::thrusting),
    p("CDLTRISTAR", None, &[BodyDoji], 0, 2, three_bar::tristar),
    p("CDLUNIQUE3RIVER", None, &[BodyLong, BodyShort], 0, 2, three_bar::unique_three_river),
    p("CDLUPSIDEGAP2CROWS", None, &[BodyShort, BodyLong], 0, 2, three_bar::upside_gap_two_crows),
    p("CDLXSIDEGAP3METHODS", None, &[], 0, 2, three_bar::xside_gap_three_methods),
];

/// The pattern called `name` (TA-Lib's name, upper case).
pub fn find(name: &str) -> Result<usize> {
    PATTERNS.iter().position(|p| p.name == name).ok_or_else(|| invalid!("unknown candlestick pattern {name:?}"))
}

/// Checks four series of the same length.
pub fn check_lengths(o: &[f64], h: &[f64], l: &[f64], c: &[f64]) -> Result<usize> {
    let n = o.len();
    ensure!(
        h.len() == n && l.len() == n && c.len() == n,
        "open, high, low and close must have the same length, got {}, {}, {} and {}",
        o.len(),
        h.len(),
        l.len(),
        c.len()
    );
    Ok(n)
}

/// Checks a penetration (TA-Lib refuses a negative one; NaN and inf are refused here too).
pub fn check_penetration(pen: f64) -> Result<f64> {
    ensure!(pen.is_finite() && pen >= 0.0, "penetration must be a finite number >= 0, got {pen}");
    Ok(pen)
}

/// The first bar where none of the four inputs is NaN (the last bar if there is none), as
/// TA-Lib's Python wrapper finds it.
pub fn first_valid(b: &Bars<'_>) -> usize {
    (0..b.len())
        .find(|&i| !(b.o(i).is_nan() || b.h(i).is_nan() || b.l(i).is_nan() || b.c(i).is_nan()))
        .unwrap_or(b.len().saturating_sub(1))
}

/// Where pattern `which` starts over `b` (from its first bar without NaN, `begin`) and its
/// state there, if it has any bar to compute.
fn prepare(
    which: usize,
    b: &Bars<'_>,
    s: &CandleSettings,
    penetration: f64,
    totals: &mut Totals,
) -> Option<(usize, Box<dyn Scan>)> {
    let pat = &PATTERNS[which];
    let start = pat.lookback(s);
    // Every kernel reads bars `i - k` with `k <= extra <= start <= i` (see `Bars::o`).
    assert!(start >= pat.lookback.extra);
    (start < b.len()).then(|| (start, (pat.kernel)(b, s, penetration, start, totals)))
}

/// `CDLDOJI`'s index: run alone, it takes [`one_bar::doji_fused`] (the table's block form and it
/// are compared by the tests that compare the table with the single functions).
const DOJI: usize = 15;

/// Pattern `which` over `b` into `out` (the bars' length): zeros up to the look-back after the
/// first bar without NaN, `begin`, TA-Lib's values from there on.
pub fn run_into(which: usize, b: &Bars<'_>, s: &CandleSettings, penetration: f64, begin: usize, out: &mut [i32]) {
    let begin = begin.min(b.len());
    let tail = b.tail(begin);
    out[..begin].fill(0);
    let out = &mut out[begin..];
    let mut totals = Totals::default();
    let Some((start, mut scan)) = prepare(which, &tail, s, penetration, &mut totals) else {
        return out.fill(0);
    };
    out[..start].fill(0);
    if which == DOJI {
        return one_bar::doji_fused(&tail, s, start, out);
    }
    let mut from = start;
    for chunk in out[start..tail.len()].chunks_mut(BLOCK) {
        totals.advance(&tail, from, chunk.len());
        scan.block(&tail, &totals, from, chunk);
        from += chunk.len();
    }
}

/// Pattern `which` (an index into [`PATTERNS`]) over open/high/low/close.
pub fn run(which: usize, b: &Bars<'_>, s: &CandleSettings, penetration: Option<f64>) -> Result<Vec<i32>> {
    ensure!(which < PATTERNS.len(), "there are {} candlestick patterns, got index {which}", PATTERNS.len());
    let pen = match penetration.or(PATTERNS[which].penetration) {
        Some(v) => check_penetration(v)?,
        None => 0.0,
    };
    let mut out = try_zeroed(b.len(), "a candlestick pattern's output")?;
    run_into(which, b, s, pen, first_valid(b), &mut out);
    Ok(out)
}

/// All 61 patterns over the same bars into `table` (bars × 61, every value written) in
/// column-major order (column `k` is pattern `k`, its values contiguous). `penetration`
/// overrides every pattern's default that has one. Parallel over groups of patterns, each group
/// run side by side block by block (see the module's note); `control` is checked between blocks.
pub fn candlesticks(
    b: &Bars<'_>,
    s: &CandleSettings,
    penetration: Option<f64>,
    control: &Control,
    table: &mut [i32],
) -> Result<()> {
    let n = b.len();
    if let Some(v) = penetration {
        check_penetration(v)?;
    }
    if Some(table.len()) != n.checked_mul(PATTERNS.len()) {
        return Err(Error::Internal(format!("a candlestick table of {} values for {n} bars", table.len())));
    }
    if n == 0 {
        return Ok(());
    }
    let begin = first_valid(b);
    let tail = b.tail(begin);
    let pen = |k: usize| penetration.or(PATTERNS[k].penetration).unwrap_or(0.0);
    // Patterns that read the same totals go in the same group, so that a group computes each
    // of its totals once for all its patterns: the patterns in the order of their totals, cut
    // into two groups per thread (for balance).
    let mut order: Vec<(Vec<totals::Key>, usize)> = (0..PATTERNS.len())
        .map(|k| {
            let mut totals = Totals::default();
            let _ = prepare(k, &tail, s, pen(k), &mut totals);
            (totals.keys(), k)
        })
        .collect();
    order.sort();
    let groups = (2 * rayon::current_num_threads()).clamp(1, PATTERNS.len());
    let mut columns: Vec<Option<&mut [i32]>> = table.chunks_mut(n).map(Some).collect();
    let mut tasks: Vec<Vec<(usize, &mut [i32])>> = (0..groups).map(|_| Vec::new()).collect();
    for (rank, (_, k)) in order.iter().enumerate() {
        if let Some(column) = columns[*k].take() {
            column[..begin].fill(0);
            tasks[rank * groups / PATTERNS.len()].push((*k, &mut column[begin..]));
        }
    }
    tasks.into_par_iter().try_for_each(|task| {
        let mut totals = Totals::default();
        let mut group = Vec::with_capacity(task.len());
        for (k, column) in task {
            // Zeros up to the look-back (all of it where the series is shorter).
            match prepare(k, &tail, s, pen(k), &mut totals) {
                Some((start, scan)) => {
                    column[..start].fill(0);
                    group.push((start, scan, column));
                }
                None => column.fill(0),
            }
        }
        let mut from = 0;
        while from < tail.len() {
            control.check()?;
            let to = (from + BLOCK).min(tail.len());
            totals.advance(&tail, from, to - from);
            for (start, scan, column) in &mut group {
                let first = from.max(*start);
                if first < to {
                    scan.block(&tail, &totals, first, &mut column[first..to]);
                }
            }
            from = to;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::settings::DEFAULTS;
    use super::*;

    /// What no pattern gives: a value left in an output means a bar went unwritten.
    const UNWRITTEN: i32 = 0x5EED;

    /// [`candlesticks`] into a buffer of [`UNWRITTEN`], checked to be written in full (the
    /// binding gives it uninitialised memory).
    fn table_of(b: &Bars<'_>, s: &CandleSettings) -> Vec<i32> {
        let mut t = vec![UNWRITTEN; b.len() * PATTERNS.len()];
        candlesticks(b, s, None, &Control::new(), &mut t).unwrap();
        assert!(!t.contains(&UNWRITTEN), "an unwritten value in the table of {} bars", b.len());
        t
    }

    /// Pattern `k` by [`run_into`] into a buffer of [`UNWRITTEN`], checked to be written in full.
    fn single(k: usize, b: &Bars<'_>, s: &CandleSettings) -> Vec<i32> {
        let mut out = vec![UNWRITTEN; b.len()];
        run_into(k, b, s, PATTERNS[k].penetration.unwrap_or(0.0), first_valid(b), &mut out);
        assert!(!out.contains(&UNWRITTEN), "{} left a value unwritten", PATTERNS[k].name);
        out
    }

    fn bars(n: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>) {
        // A deterministic zig-zag with bodies and shadows of varying size.
        let mut o = Vec::new();
        let mut h = Vec::new();
        let mut l = Vec::new();
        let mut c = Vec::new();
        let mut x = 100.0_f64;
        for i in 0..n {
            let step = ((i * 7919) % 13) as f64 - 6.0;
            let open = x;
            let close = x + step * 0.3;
            let hi = open.max(close) + ((i * 31) % 5) as f64 * 0.2;
            let lo = open.min(close) - ((i * 17) % 7) as f64 * 0.15;
            o.push(open);
            h.push(hi);
            l.push(lo);
            c.push(close);
            x = close + (((i * 13) % 9) as f64 - 4.0) * 0.25;
        }
        (o, h, l, c)
    }

    #[test]
    fn the_table_equals_the_single_functions_and_leads_with_zeros() {
        let (o, h, l, c) = bars(400);
        let b = Bars::new(&o, &h, &l, &c);
        let table = table_of(&b, &DEFAULTS);
        for (k, pat) in PATTERNS.iter().enumerate() {
            let single = single(k, &b, &DEFAULTS);
            assert_eq!(&table[k * 400..(k + 1) * 400], &single[..], "{}", pat.name);
            let lb = pat.lookback(&DEFAULTS);
            assert!(single[..lb].iter().all(|&v| v == 0), "{}", pat.name);
            assert!(single.iter().all(|v| [-200, -100, -80, 0, 80, 100, 200].contains(v)), "{}", pat.name);
        }
    }

    /// `bars(n)` with flat bars, equal closes, NaN bars and lone NaN prices, and a gap.
    fn adversarial(n: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>) {
        let (mut o, mut h, mut l, mut c) = bars(n);
        for i in 0..n {
            match i % 97 {
                10..=14 => (o[i], h[i], l[i], c[i]) = (42.0, 42.0, 42.0, 42.0),
                20..=23 => c[i] = c[i - 1],
                40 if i % 3 == 0 => (o[i], h[i], l[i], c[i]) = (f64::NAN, f64::NAN, f64::NAN, f64::NAN),
                50 => h[i] = f64::NAN,
                60 => c[i] = f64::NAN,
                70 => (o[i], h[i], l[i], c[i]) = (o[i] * 1.5, h[i] * 1.5, l[i] * 1.5, c[i] * 1.5),
                _ => {}
            }
        }
        (o, h, l, c)
    }

    /// Settings with long periods (beyond a block), zero periods and every range type.
    fn unusual_settings() -> CandleSettings {
        use settings::{RangeType::*, Setting};
        let mut s = DEFAULTS;
        s.set(BodyLong, Setting::new(HighLow, 300, 0.6).unwrap());
        s.set(BodyShort, Setting::new(Shadows, 3, 1.5).unwrap());
        s.set(ShadowLong, Setting::new(HighLow, 4, 0.4).unwrap());
        s.set(Near, Setting::new(RealBody, 0, 0.3).unwrap());
        s.set(Equal, Setting::new(Shadows, 12, 0.2).unwrap());
        s.set(BodyDoji, Setting::new(RealBody, 0, 0.25).unwrap());
        s
    }

    #[test]
    fn every_build_agrees_and_the_table_equals_the_single_functions() {
        for n in [0, 1, 5, 20, 255, 256, 257, 300, 511, 513, 1500] {
            let (o, h, l, c) = adversarial(n);
            let b = Bars::new(&o, &h, &l, &c);
            for s in [DEFAULTS, unusual_settings()] {
                let table = table_of(&b, &s);
                for cap in [0, 1] {
                    scan::CAP.store(cap, std::sync::atomic::Ordering::Relaxed);
                    let slower = table_of(&b, &s);
                    scan::CAP.store(2, std::sync::atomic::Ordering::Relaxed);
                    assert_eq!(table, slower, "{n} bars, build {cap}");
                }
                for (k, pat) in PATTERNS.iter().enumerate() {
                    let single = single(k, &b, &s);
                    assert_eq!(&table[k * n..(k + 1) * n], &single[..], "{} on {n} bars", pat.name);
                }
            }
        }
    }

    #[test]
    fn short_inputs_nan_and_bad_arguments() {
        let (o, h, l, c) = bars(5);
        let b = Bars::new(&o, &h, &l, &c);
        for k in 0..PATTERNS.len() {
            let out = single(k, &b, &DEFAULTS);
            assert_eq!(out.len(), 5);
        }
        let nan = [f64::NAN; 30];
        let b = Bars::new(&nan, &nan, &nan, &nan);
        assert!(run(find("CDLDOJI").unwrap(), &b, &DEFAULTS, None).unwrap().iter().all(|&v| v == 0));
        assert_eq!(find("CDLDOJI").unwrap(), DOJI);
        assert!(check_lengths(&o, &h, &l, &c[..4]).is_err());
        assert!(run(find("CDLMATHOLD").unwrap(), &b, &DEFAULTS, Some(-0.1)).is_err());
        assert!(run(find("CDLMATHOLD").unwrap(), &b, &DEFAULTS, Some(f64::NAN)).is_err());
        assert!(find("CDLNOPE").is_err());
    }
}
