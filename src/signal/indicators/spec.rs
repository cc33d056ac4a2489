//! The indicators' names, inputs, parameters (TA-Lib's defaults and ranges) and outputs, and
//! the construction of each one's machine from its parameters.

use super::average::{Dema, Ema, Kama, Ma, Single, Sma, Tema, Trima, Wma, T3};
use super::directional::{Adx, Di, Dx};
use super::mama::Mama;
use super::momentum::{Change, Cmo, Macd, Po, Rsi, Wilder};
use super::oscillator::{Cci, Mfi, Sar, Ultosc};
use super::range::{Aroon, Midpoint, Midprice, Stoch, Stochf, Willr, Window};
use super::regression::{Beta, Correl, Line, LinearReg};
use super::volatility::{Atr, Bbands, Trange, Var};
use super::volume::{Ad, Adosc, Bop, Obv};
use super::Indicator;
use crate::error::Result;

/// What a parameter holds.
#[derive(Clone, Copy, Debug)]
pub enum ParamKind {
    Int {
        min: i64,
        max: i64,
    },
    Real {
        min: f64,
        max: f64,
    },
    /// A moving-average type, 0 to 8.
    MaType,
}

#[derive(Clone, Copy, Debug)]
pub struct Param {
    pub name: &'static str,
    pub default: f64,
    pub kind: ParamKind,
}

/// One indicator as TA-Lib declares it.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    pub name: &'static str,
    pub inputs: &'static [&'static str],
    pub params: &'static [Param],
    pub outputs: &'static [&'static str],
}

const MAX: i64 = 100_000;
const REAL: f64 = 3.0e37;

const fn period(name: &'static str, default: i64, min: i64) -> Param {
    Param { name, default: default as f64, kind: ParamKind::Int { min, max: MAX } }
}
const fn real(name: &'static str, default: f64, min: f64, max: f64) -> Param {
    Param { name, default, kind: ParamKind::Real { min, max } }
}
const fn matype(name: &'static str) -> Param {
    Param { name, default: 0.0, kind: ParamKind::MaType }
}
const fn matype_ema(name: &'static str) -> Param {
    Param { name, default: 1.0, kind: ParamKind::MaType }
}

const C: &[&str] = &["close"];
const HL: &[&str] = &["high", "low"];
const HLC: &[&str] = &["high", "low", "close"];
const HLCV: &[&str] = &["high", "low", "close", "volume"];
const REAL_OUT: &[&str] = &["real"];

macro_rules! spec {
    ($name:literal, $inputs:expr, [$($p:expr),*], $outputs:expr) => {
        Spec { name: $name, inputs: $inputs, params: &[$($p),*], outputs: $outputs }
    };
}

/// Every indicator, by name.
pub const SPECS: &[Spec] = &[
    spec!("SMA", C, [period("timeperiod", 30, 2)], REAL_OUT),
    spec!("EMA", C, [period("timeperiod", 30, 2)], REAL_OUT),
    spec!("WMA", C, [period("timeperiod", 30, 2)], REAL_OUT),
    spec!("DEMA", C, [period("timeperiod", 30, 2)], REAL_OUT),
    spec!("TEMA", C, [period("timeperiod", 30, 2)], REAL_OUT),
    spec!("TRIMA", C, [period("timeperiod", 30, 2)], REAL_OUT),
    spec!("KAMA", C, [period("timeperiod", 30, 2)], REAL_OUT),
    spec!("T3", C, [period("timeperiod", 5, 2), real("vfactor", 0.7, 0.0, 1.0)], REAL_OUT),
    spec!("MAMA", C, [real("fastlimit", 0.5, 0.01, 0.99), real("slowlimit", 0.05, 0.01, 0.99)], &["mama", "fama"]),
    spec!("MA", C, [period("timeperiod", 30, 1), matype("matype")], REAL_OUT),
    spec!(
        "BBANDS",
        C,
        [
            period("timeperiod", 20, 2),
            real("nbdevup", 2.0, -REAL, REAL),
            real("nbdevdn", 2.0, -REAL, REAL),
            matype("matype")
        ],
        &["upperband", "middleband", "lowerband"]
    ),
    spec!(
        "MACD",
        C,
        [period("fastperiod", 12, 2), period("slowperiod", 26, 2), period("signalperiod", 9, 1)],
        &["macd", "macdsignal", "macdhist"]
    ),
    spec!(
        "MACDEXT",
        C,
        [
            period("fastperiod", 12, 2),
            matype("fastmatype"),
            period("slowperiod", 26, 2),
            matype("slowmatype"),
            period("signalperiod", 9, 1),
            matype("signalmatype")
        ],
        &["macd", "macdsignal", "macdhist"]
    ),
    spec!("APO", C, [period("fastperiod", 12, 2), period("slowperiod", 26, 2), matype_ema("matype")], REAL_OUT),
    spec!("PPO", C, [period("fastperiod", 12, 2), period("slowperiod", 26, 2), matype_ema("matype")], REAL_OUT),
    spec!("RSI", C, [period("timeperiod", 14, 2)], REAL_OUT),
    spec!("CMO", C, [period("timeperiod", 14, 2)], REAL_OUT),
    spec!("MOM", C, [period("timeperiod", 10, 1)], REAL_OUT),
    spec!("ROC", C, [period("timeperiod", 10, 1)], REAL_OUT),
    spec!("TRANGE", HLC, [], REAL_OUT),
    spec!("ATR", HLC, [period("timeperiod", 14, 1)], REAL_OUT),
    spec!("NATR", HLC, [period("timeperiod", 14, 1)], REAL_OUT),
    spec!("STDDEV", C, [period("timeperiod", 5, 2), real("nbdev", 1.0, -REAL, REAL)], REAL_OUT),
    spec!("VAR", C, [period("timeperiod", 5, 1), real("nbdev", 1.0, -REAL, REAL)], REAL_OUT),
    spec!("OBV", &["close", "volume"], [], REAL_OUT),
    spec!("AD", HLCV, [], REAL_OUT),
    spec!("ADOSC", HLCV, [period("fastperiod", 3, 2), period("slowperiod", 10, 2)], REAL_OUT),
    spec!("BOP", &["open", "high", "low", "close"], [], REAL_OUT),
    spec!("MIDPOINT", C, [period("timeperiod", 14, 2)], REAL_OUT),
    spec!("MIDPRICE", HL, [period("timeperiod", 14, 2)], REAL_OUT),
    spec!("WILLR", HLC, [period("timeperiod", 14, 2)], REAL_OUT),
    spec!("AROON", HL, [period("timeperiod", 14, 2)], &["aroondown", "aroonup"]),
    spec!("AROONOSC", HL, [period("timeperiod", 14, 2)], REAL_OUT),
    spec!(
        "STOCH",
        HLC,
        [
            period("fastk_period", 5, 1),
            period("slowk_period", 3, 1),
            matype("slowk_matype"),
            period("slowd_period", 3, 1),
            matype("slowd_matype")
        ],
        &["slowk", "slowd"]
    ),
    spec!(
        "STOCHF",
        HLC,
        [period("fastk_period", 5, 1), period("fastd_period", 3, 1), matype("fastd_matype")],
        &["fastk", "fastd"]
    ),
    spec!(
        "STOCHRSI",
        C,
        [
            period("timeperiod", 14, 2),
            period("fastk_period", 5, 1),
            period("fastd_period", 3, 1),
            matype("fastd_matype")
        ],
        &["fastk", "fastd"]
    ),
    spec!("ADX", HLC, [period("timeperiod", 14, 2)], REAL_OUT),
    spec!("ADXR", HLC, [period("timeperiod", 14, 2)], REAL_OUT),
    spec!("DX", HLC, [period("timeperiod", 14, 2)], REAL_OUT),
    spec!("PLUS_DI", HLC, [period("timeperiod", 14, 1)], REAL_OUT),
    spec!("MINUS_DI", HLC, [period("timeperiod", 14, 1)], REAL_OUT),
    spec!("CCI", HLC, [period("timeperiod", 14, 2)], REAL_OUT),
    spec!("MFI", HLCV, [period("timeperiod", 14, 2)], REAL_OUT),
    spec!(
        "ULTOSC",
        HLC,
        [period("timeperiod1", 7, 1), period("timeperiod2", 14, 1), period("timeperiod3", 28, 1)],
        REAL_OUT
    ),
    spec!("SAR", HL, [real("acceleration", 0.02, 0.0, REAL), real("maximum", 0.2, 0.0, REAL)], REAL_OUT),
    spec!("LINEARREG", C, [period("timeperiod", 14, 2)], REAL_OUT),
    spec!("LINEARREG_SLOPE", C, [period("timeperiod", 14, 2)], REAL_OUT),
    spec!("LINEARREG_ANGLE", C, [period("timeperiod", 14, 2)], REAL_OUT),
    spec!("LINEARREG_INTERCEPT", C, [period("timeperiod", 14, 2)], REAL_OUT),
    spec!("TSF", C, [period("timeperiod", 14, 2)], REAL_OUT),
    spec!("BETA", &["real0", "real1"], [period("timeperiod", 5, 1)], REAL_OUT),
    spec!("CORREL", &["real0", "real1"], [period("timeperiod", 30, 1)], REAL_OUT),
];

/// The spec of `name`.
pub fn spec(name: &str) -> Result<&'static Spec> {
    SPECS.iter().find(|s| s.name == name).ok_or_else(|| crate::invalid!("unknown indicator {name:?}"))
}

/// TA-Lib's look-back of `MA(period, matype)`.
pub fn ma_lookback(p: usize, matype: usize) -> usize {
    if p <= 1 {
        return 0;
    }
    match matype {
        3 => 2 * (p - 1),
        4 => 3 * (p - 1),
        6 => p,
        7 => 32,
        8 => 6 * (p - 1),
        _ => p - 1,
    }
}

/// Checks `values` against the spec's ranges; the integer parameters come back as `usize`
/// (real ones are read from `values`).
fn checked(spec: &Spec, values: &[f64]) -> Result<Vec<usize>> {
    crate::ensure!(
        values.len() == spec.params.len(),
        "{} takes {} parameters, got {}",
        spec.name,
        spec.params.len(),
        values.len()
    );
    let mut ints = Vec::with_capacity(values.len());
    for (p, &v) in spec.params.iter().zip(values) {
        match p.kind {
            ParamKind::Int { min, max } => {
                crate::ensure!(
                    v.fract() == 0.0 && v >= min as f64 && v <= max as f64,
                    "{}: {} must be an integer between {min} and {max}, got {v}",
                    spec.name,
                    p.name
                );
                ints.push(v as usize);
            }
            ParamKind::MaType => {
                crate::ensure!(
                    v.fract() == 0.0 && (0.0..=8.0).contains(&v),
                    "{}: {} must be a moving-average type between 0 and 8, got {v}",
                    spec.name,
                    p.name
                );
                ints.push(v as usize);
            }
            ParamKind::Real { min, max } => {
                crate::ensure!(
                    v >= min && v <= max,
                    "{}: {} must be a number between {min:e} and {max:e}, got {v}",
                    spec.name,
                    p.name
                );
                ints.push(0);
            }
        }
    }
    Ok(ints)
}

/// The machine of indicator `name` with parameters `params` (in the spec's order).
pub fn build(name: &str, params: &[f64]) -> Result<Box<dyn Indicator>> {
    let s = spec(name)?;
    let i = checked(s, params)?;
    let r = params;
    Ok(match s.name {
        "SMA" => Box::new(Single(Sma::new(i[0]))),
        "EMA" => Box::new(Single(Ema::new(i[0]))),
        "WMA" => Box::new(Single(Wma::new(i[0]))),
        "DEMA" => Box::new(Single(Dema::new(i[0]))),
        "TEMA" => Box::new(Single(Tema::new(i[0]))),
        "TRIMA" => Box::new(Single(Trima::new(i[0]))),
        "KAMA" => Box::new(Single(Kama::new(i[0]))),
        "T3" => Box::new(Single(T3::new(i[0], r[1]))),
        "MAMA" => Box::new(Mama::new(r[0], r[1])),
        "MA" => Box::new(Single(Ma::new(i[0], i[1])?)),
        "BBANDS" => Box::new(Bbands::new(i[0], r[1], r[2], i[3], ma_lookback(i[0], i[3]))?),
        "MACD" => Box::new(Macd::ema(i[0], i[1], i[2])),
        "MACDEXT" => Box::new(Macd::ext((i[0], i[1]), (i[2], i[3]), (i[4], i[5]), ma_lookback)?),
        "APO" => Box::new(Po::new(i[0], i[1], i[2], false, |_, _| 0)?),
        "PPO" => Box::new(Po::new(i[0], i[1], i[2], true, |_, _| 0)?),
        "RSI" => Box::new(Rsi(Wilder::new(i[0]))),
        "CMO" => Box::new(Cmo(Wilder::new(i[0]))),
        "MOM" => Box::new(Change::new(i[0], false)),
        "ROC" => Box::new(Change::new(i[0], true)),
        "TRANGE" => Box::new(Trange::new()),
        "ATR" => Box::new(Atr::new(i[0], false)),
        "NATR" => Box::new(Atr::new(i[0], true)),
        "STDDEV" => Box::new(Var::stddev(i[0], r[1])),
        "VAR" => Box::new(Var::variance(i[0])),
        "OBV" => Box::new(Obv::new()),
        "AD" => Box::new(Ad::new()),
        "ADOSC" => Box::new(Adosc::new(i[0], i[1])),
        "BOP" => Box::new(Bop),
        "MIDPOINT" => Box::new(Midpoint(Window::new(i[0]))),
        "MIDPRICE" => Box::new(Midprice(Window::new(i[0]))),
        "WILLR" => Box::new(Willr(Window::new(i[0]))),
        "AROON" => Box::new(Aroon::new(i[0], false)),
        "AROONOSC" => Box::new(OneOf(Aroon::new(i[0], true))),
        "STOCH" => Box::new(Stoch::new(i[0], i[1], i[2], i[3], i[4])?),
        "STOCHF" => Box::new(Stochf::new(i[0], i[1], i[2])?),
        "STOCHRSI" => Box::new(OnClose(Stochf::rsi(i[0], i[1], i[2], i[3])?)),
        "ADX" => Box::new(Adx::new(i[0], false)),
        "ADXR" => Box::new(Adx::new(i[0], true)),
        "DX" => Box::new(Dx::new(i[0])),
        "PLUS_DI" => Box::new(Di::new(i[0], true)),
        "MINUS_DI" => Box::new(Di::new(i[0], false)),
        "CCI" => Box::new(Cci::new(i[0])),
        "MFI" => Box::new(Mfi::new(i[0])),
        "ULTOSC" => Box::new(Ultosc::new(i[0], i[1], i[2])),
        "SAR" => Box::new(Sar::new(r[0], r[1])),
        "LINEARREG" => Box::new(LinearReg::new(i[0], Line::Value)),
        "LINEARREG_SLOPE" => Box::new(LinearReg::new(i[0], Line::Slope)),
        "LINEARREG_ANGLE" => Box::new(LinearReg::new(i[0], Line::Angle)),
        "LINEARREG_INTERCEPT" => Box::new(LinearReg::new(i[0], Line::Intercept)),
        "TSF" => Box::new(LinearReg::new(i[0], Line::Forecast)),
        "BETA" => Box::new(Beta::new(i[0])),
        "CORREL" => Box::new(Correl::new(i[0])),
        other => return Err(crate::error::Error::Internal(format!("no machine for {other}"))),
    })
}

/// The first output of a two-output machine (AROONOSC shares AROON's window).
#[derive(Clone, Debug)]
struct OneOf<M>(M);

impl<M: super::state::Save> super::state::Save for OneOf<M> {
    fn save(&self, out: &mut Vec<f64>) {
        self.0.save(out)
    }
    fn load(&mut self, from: &mut super::Loader<'_>) -> Result<()> {
        self.0.load(from)
    }
}

impl<M: super::Machine> super::Machine for OneOf<M> {
    const IN: usize = M::IN;
    const OUT: usize = 1;
    #[inline]
    fn step(&mut self, x: &[f64], out: &mut [f64]) {
        let mut y = [0.0; super::MAX_OUT];
        self.0.step(x, &mut y[..M::OUT]);
        out[0] = y[0];
    }
    /// The inner batch, its other outputs into scratch.
    fn batch(&mut self, ins: &[&[f64]], outs: &mut [&mut [f64]], control: &crate::control::Control) -> Result<()> {
        let len = outs[0].len();
        let mut rest = crate::error::try_vec(len * (M::OUT - 1), 0.0, "the indicator's other outputs")?;
        let mut all: Vec<&mut [f64]> = Vec::with_capacity(M::OUT);
        all.push(&mut *outs[0]);
        let mut others = rest.chunks_exact_mut(len.max(1));
        for _ in 1..M::OUT {
            all.push(others.next().unwrap_or(&mut []));
        }
        self.0.batch(ins, &mut all, control)
    }
}

/// A three-input machine fed one series (STOCHRSI reads only the close).
#[derive(Clone, Debug)]
struct OnClose<M>(M);

impl<M: super::state::Save> super::state::Save for OnClose<M> {
    fn save(&self, out: &mut Vec<f64>) {
        self.0.save(out)
    }
    fn load(&mut self, from: &mut super::Loader<'_>) -> Result<()> {
        self.0.load(from)
    }
}

impl<M: super::Machine> super::Machine for OnClose<M> {
    const IN: usize = 1;
    const OUT: usize = M::OUT;
    #[inline]
    fn step(&mut self, x: &[f64], out: &mut [f64]) {
        let v = [x[0]; 3];
        self.0.step(&v[..M::IN], out);
    }
    fn batch(&mut self, ins: &[&[f64]], outs: &mut [&mut [f64]], control: &crate::control::Control) -> Result<()> {
        let v = [ins[0]; 3];
        self.0.batch(&v[..M::IN], outs, control)
    }
}
