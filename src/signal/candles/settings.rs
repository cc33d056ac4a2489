//! TA-Lib's candle settings: what "long body", "short shadow", "near", ... mean, as the average
//! of a range (real body, high-low or shadows) over the previous `avg_period` bars times a factor.
//!
//! The table is process-wide, as TA-Lib's is ([`set_global`], [`restore_global`]), behind a
//! `RwLock`; every function also takes a [`CandleSettings`] value so that callers on several
//! threads need not share (or race on) the global table.

use crate::error::Result;
use crate::{ensure, invalid};
use std::sync::RwLock;

/// The range a setting averages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeType {
    /// `|close - open|`.
    RealBody = 0,
    /// `high - low`.
    HighLow = 1,
    /// Upper plus lower shadow; the average is halved (one shadow's worth).
    Shadows = 2,
}

impl RangeType {
    pub const ALL: [RangeType; 3] = [RangeType::RealBody, RangeType::HighLow, RangeType::Shadows];

    pub fn from_index(i: i64) -> Result<Self> {
        usize::try_from(i)
            .ok()
            .and_then(|i| Self::ALL.get(i).copied())
            .ok_or_else(|| invalid!("range_type must be 0 (RealBody), 1 (HighLow) or 2 (Shadows), got {i}"))
    }

    pub fn name(self) -> &'static str {
        match self {
            RangeType::RealBody => "RealBody",
            RangeType::HighLow => "HighLow",
            RangeType::Shadows => "Shadows",
        }
    }
}

/// TA-Lib's eleven candle settings, in TA-Lib's order (`TA_CandleSettingType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CandleSetting {
    BodyLong = 0,
    BodyVeryLong = 1,
    BodyShort = 2,
    BodyDoji = 3,
    ShadowLong = 4,
    ShadowVeryLong = 5,
    ShadowShort = 6,
    ShadowVeryShort = 7,
    Near = 8,
    Far = 9,
    Equal = 10,
}

impl CandleSetting {
    pub const ALL: [CandleSetting; 11] = [
        CandleSetting::BodyLong,
        CandleSetting::BodyVeryLong,
        CandleSetting::BodyShort,
        CandleSetting::BodyDoji,
        CandleSetting::ShadowLong,
        CandleSetting::ShadowVeryLong,
        CandleSetting::ShadowShort,
        CandleSetting::ShadowVeryShort,
        CandleSetting::Near,
        CandleSetting::Far,
        CandleSetting::Equal,
    ];

    pub fn from_index(i: i64) -> Result<Self> {
        usize::try_from(i)
            .ok()
            .and_then(|i| Self::ALL.get(i).copied())
            .ok_or_else(|| invalid!("a candle setting is a number from 0 to 10, got {i}"))
    }

    pub fn name(self) -> &'static str {
        match self {
            CandleSetting::BodyLong => "BodyLong",
            CandleSetting::BodyVeryLong => "BodyVeryLong",
            CandleSetting::BodyShort => "BodyShort",
            CandleSetting::BodyDoji => "BodyDoji",
            CandleSetting::ShadowLong => "ShadowLong",
            CandleSetting::ShadowVeryLong => "ShadowVeryLong",
            CandleSetting::ShadowShort => "ShadowShort",
            CandleSetting::ShadowVeryShort => "ShadowVeryShort",
            CandleSetting::Near => "Near",
            CandleSetting::Far => "Far",
            CandleSetting::Equal => "Equal",
        }
    }
}

/// One setting: the range averaged, over how many previous bars (0: the bar's own range), and
/// the factor applied to the average.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Setting {
    pub range_type: RangeType,
    pub avg_period: usize,
    pub factor: f64,
}

/// Longest averaging period accepted (TA-Lib takes any `int`; this keeps look-backs small).
pub const MAX_AVG_PERIOD: usize = 100_000;

impl Setting {
    /// A setting after checking its period and factor.
    pub fn new(range_type: RangeType, avg_period: i64, factor: f64) -> Result<Self> {
        ensure!(
            (0..=MAX_AVG_PERIOD as i64).contains(&avg_period),
            "avg_period must be from 0 to {MAX_AVG_PERIOD}, got {avg_period}"
        );
        ensure!(factor.is_finite(), "factor must be finite, got {factor}");
        Ok(Self { range_type, avg_period: avg_period as usize, factor })
    }
}

/// The full table, indexed by [`CandleSetting`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CandleSettings(pub [Setting; 11]);

const fn s(range_type: RangeType, avg_period: usize, factor: f64) -> Setting {
    Setting { range_type, avg_period, factor }
}

/// TA-Lib's defaults (`TA_CandleDefaultSettings` in `ta_global.c`).
pub const DEFAULTS: CandleSettings = CandleSettings([
    s(RangeType::RealBody, 10, 1.0), // BodyLong
    s(RangeType::RealBody, 10, 3.0), // BodyVeryLong
    s(RangeType::RealBody, 10, 1.0), // BodyShort
    s(RangeType::HighLow, 10, 0.1),  // BodyDoji
    s(RangeType::RealBody, 0, 1.0),  // ShadowLong
    s(RangeType::RealBody, 0, 2.0),  // ShadowVeryLong
    s(RangeType::Shadows, 10, 1.0),  // ShadowShort
    s(RangeType::HighLow, 10, 0.1),  // ShadowVeryShort
    s(RangeType::HighLow, 5, 0.2),   // Near
    s(RangeType::HighLow, 5, 0.6),   // Far
    s(RangeType::HighLow, 5, 0.05),  // Equal
]);

impl Default for CandleSettings {
    fn default() -> Self {
        DEFAULTS
    }
}

impl CandleSettings {
    #[inline]
    pub fn get(&self, which: CandleSetting) -> Setting {
        self.0[which as usize]
    }

    pub fn set(&mut self, which: CandleSetting, setting: Setting) {
        self.0[which as usize] = setting;
    }

    /// The averaging period of `which`.
    #[inline]
    pub fn period(&self, which: CandleSetting) -> usize {
        self.0[which as usize].avg_period
    }

    /// The largest averaging period among `which`.
    pub fn max_period(&self, which: &[CandleSetting]) -> usize {
        which.iter().map(|&w| self.period(w)).max().unwrap_or(0)
    }
}

static GLOBAL: RwLock<CandleSettings> = RwLock::new(DEFAULTS);

/// The process-wide table (a copy).
pub fn global() -> CandleSettings {
    *GLOBAL.read().unwrap_or_else(|e| e.into_inner())
}

/// Changes one entry of the process-wide table, as `TA_SetCandleSettings` does.
pub fn set_global(which: CandleSetting, setting: Setting) {
    GLOBAL.write().unwrap_or_else(|e| e.into_inner()).set(which, setting);
}

/// Restores one entry (or all, with `None`) of the process-wide table to TA-Lib's default.
pub fn restore_global(which: Option<CandleSetting>) {
    let mut table = GLOBAL.write().unwrap_or_else(|e| e.into_inner());
    match which {
        Some(w) => table.set(w, DEFAULTS.get(w)),
        None => *table = DEFAULTS,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_ta_lib_and_checks_refuse_bad_values() {
        assert_eq!(DEFAULTS.get(CandleSetting::ShadowShort).range_type, RangeType::Shadows);
        assert_eq!(DEFAULTS.period(CandleSetting::Near), 5);
        assert_eq!(DEFAULTS.get(CandleSetting::Equal).factor, 0.05);
        assert!(Setting::new(RangeType::HighLow, -1, 1.0).is_err());
        assert!(Setting::new(RangeType::HighLow, 3, f64::NAN).is_err());
        assert!(CandleSetting::from_index(11).is_err());
        assert!(RangeType::from_index(3).is_err());
    }
}
