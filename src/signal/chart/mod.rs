//! Chart patterns found from zig-zag swing pivots: the pivots ([`pivots`]), least-squares lines
//! and roundness ([`fit`]), the geometric rules of each pattern over windows of consecutive pivots
//! ([`rules`]), and the breakout, target, confidence and overlap resolution ([`resolve`]). The
//! rules are written down in `docs/signal-patterns.md`.

pub mod fit;
pub mod pivots;
pub mod resolve;
pub mod rules;

pub use fit::Line;
pub use pivots::{zigzag, Pivot};

use crate::control::Control;
use crate::error::{Error, Result};

/// The pattern types, in the order of their codes (the Python `PatternType` follows it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Kind {
    HeadAndShoulders,
    InverseHeadAndShoulders,
    DoubleTop,
    DoubleBottom,
    TripleTop,
    TripleBottom,
    AscendingTriangle,
    DescendingTriangle,
    SymmetricalTriangle,
    RisingWedge,
    FallingWedge,
    BullFlag,
    BearFlag,
    BullPennant,
    BearPennant,
    RectangleTop,
    RectangleBottom,
    CupAndHandle,
    InverseCupAndHandle,
    RoundingBottom,
    RoundingTop,
    BroadeningTop,
    BroadeningBottom,
    DiamondTop,
    DiamondBottom,
}

impl Kind {
    pub const ALL: [Kind; 25] = [
        Kind::HeadAndShoulders,
        Kind::InverseHeadAndShoulders,
        Kind::DoubleTop,
        Kind::DoubleBottom,
        Kind::TripleTop,
        Kind::TripleBottom,
        Kind::AscendingTriangle,
        Kind::DescendingTriangle,
        Kind::SymmetricalTriangle,
        Kind::RisingWedge,
        Kind::FallingWedge,
        Kind::BullFlag,
        Kind::BearFlag,
        Kind::BullPennant,
        Kind::BearPennant,
        Kind::RectangleTop,
        Kind::RectangleBottom,
        Kind::CupAndHandle,
        Kind::InverseCupAndHandle,
        Kind::RoundingBottom,
        Kind::RoundingTop,
        Kind::BroadeningTop,
        Kind::BroadeningBottom,
        Kind::DiamondTop,
        Kind::DiamondBottom,
    ];

    pub fn code(self) -> u8 {
        self as u8
    }

    pub fn from_code(code: u8) -> Result<Self> {
        Self::ALL
            .get(code as usize)
            .copied()
            .ok_or_else(|| Error::InvalidInput(format!("no pattern type has code {code}")))
    }

    /// The snake_case name (the Python enum's value).
    pub fn name(self) -> &'static str {
        NAMES[self as usize]
    }

    /// Tie-break between patterns with as many pivots that share pivots: lower wins.
    pub(crate) fn priority(self) -> u8 {
        use Kind::*;
        match self {
            DiamondTop | DiamondBottom => 0,
            HeadAndShoulders | InverseHeadAndShoulders => 1,
            BullFlag | BearFlag | BullPennant | BearPennant => 2,
            CupAndHandle | InverseCupAndHandle => 3,
            TripleTop | TripleBottom => 4,
            RectangleTop | RectangleBottom => 5,
            AscendingTriangle | DescendingTriangle | SymmetricalTriangle => 6,
            RisingWedge | FallingWedge => 7,
            BroadeningTop | BroadeningBottom => 8,
            DoubleTop | DoubleBottom => 9,
            RoundingBottom | RoundingTop => 10,
        }
    }
}

pub const NAMES: [&str; 25] = [
    "head_and_shoulders",
    "inverse_head_and_shoulders",
    "double_top",
    "double_bottom",
    "triple_top",
    "triple_bottom",
    "ascending_triangle",
    "descending_triangle",
    "symmetrical_triangle",
    "rising_wedge",
    "falling_wedge",
    "bull_flag",
    "bear_flag",
    "bull_pennant",
    "bear_pennant",
    "rectangle_top",
    "rectangle_bottom",
    "cup_and_handle",
    "inverse_cup_and_handle",
    "rounding_bottom",
    "rounding_top",
    "broadening_top",
    "broadening_bottom",
    "diamond_top",
    "diamond_bottom",
];

/// The detector's settings (checked by [`Settings::check`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Relative reversal of the zig-zag, in (0, 1).
    pub threshold: f64,
    /// Relative tolerance of price equalities and flat lines, in (0, 1).
    pub tolerance: f64,
    /// Fewest bars from a pattern's first pivot to its last.
    pub min_duration: usize,
    /// Patterns scoring below this are dropped, in [0, 1].
    pub min_confidence: f64,
    /// Which kinds to look for (bit `code`).
    pub kinds: u32,
}

impl Settings {
    pub fn check(&self) -> Result<()> {
        let open = |v: f64| v.is_finite() && v > 0.0 && v < 1.0;
        crate::ensure!(open(self.threshold), "threshold must be in (0, 1), got {}", self.threshold);
        crate::ensure!(open(self.tolerance), "tolerance must be in (0, 1), got {}", self.tolerance);
        crate::ensure!(
            (0.0..=1.0).contains(&self.min_confidence),
            "min_confidence must be in [0, 1], got {}",
            self.min_confidence
        );
        crate::ensure!(self.min_duration >= 1, "min_duration must be >= 1, got {}", self.min_duration);
        Ok(())
    }

    pub fn wants(&self, kind: Kind) -> bool {
        self.kinds & (1 << kind.code()) != 0
    }
}

/// Bars as the detector reads them: highs, lows and closes of one length, checked by [`Bars::check`].
#[derive(Debug, Clone, Copy)]
pub struct Bars<'a> {
    pub high: &'a [f64],
    pub low: &'a [f64],
    pub close: &'a [f64],
}

impl Bars<'_> {
    pub fn len(&self) -> usize {
        self.close.len()
    }

    pub fn is_empty(&self) -> bool {
        self.close.is_empty()
    }

    /// Finite positive prices with `low <= close <= high`, all of one length.
    pub fn check(&self) -> Result<()> {
        let n = self.close.len();
        crate::ensure!(
            self.high.len() == n && self.low.len() == n,
            "high, low and close must have one length, got {}, {} and {}",
            self.high.len(),
            self.low.len(),
            n
        );
        for i in 0..n {
            let (h, l, c) = (self.high[i], self.low[i], self.close[i]);
            if !(h.is_finite() && l.is_finite() && c.is_finite()) {
                return Err(crate::invalid!(
                    "prices must be finite: bar {i} has high={h}, low={l}, close={c} (drop or fill the missing bars)"
                ));
            }
            crate::ensure!(
                l > 0.0,
                "prices must be positive (the zig-zag and the tolerances are relative): bar {i} has low={l}"
            );
            crate::ensure!(l <= c && c <= h, "bar {i} needs low <= close <= high, got high={h}, low={l}, close={c}");
        }
        Ok(())
    }
}

/// A detected pattern. `pivots` are positions into the zig-zag's pivot list; `lines` are the
/// drawn neckline or boundaries.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
    pub first_pivot: usize,
    pub pivot_count: usize,
    pub lines: Vec<Line>,
    pub breakout: Option<usize>,
    pub target: f64,
    pub bullish: bool,
    pub confidence: f64,
}

/// Every pattern of `settings.kinds` in `bars`, ordered by start bar (then type), after
/// overlapping detections were resolved; also the pivots they refer to.
pub fn detect(bars: Bars<'_>, settings: &Settings, control: &Control) -> Result<(Vec<Pivot>, Vec<Found>)> {
    settings.check()?;
    bars.check()?;
    let pivots = zigzag(bars.high, bars.low, settings.threshold, control)?;
    let found = resolve::detect_on(bars, &pivots, settings, control)?;
    Ok((pivots, found))
}
