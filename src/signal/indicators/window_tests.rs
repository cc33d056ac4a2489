//! The batch loops of the window, regression and volatility indicators against their `step`,
//! bit for bit, on bars built to catch them out.

use super::{build, run_checked, spec, test_inputs, ParamKind, Stream};
use crate::control::Control;

/// The same bits, or both NaN (Rust leaves a NaN result's sign and payload unspecified: LLVM
/// may swap the operands of `a * b` where both are NaN).
fn same(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

/// 70,500 bars (past one Ctrl-C span) that wander on a grid of 1/8 (equal values, so ties
/// between window extremes), with flat runs, zero ranges, signed zeros, a zero close, an
/// infinity, lone NaNs and a NaN run longer than the longest window tested.
fn bars() -> Vec<Vec<f64>> {
    let n = 70_500;
    let mut s = 7u64;
    let mut u = || {
        s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((s >> 11) as f64) / ((1u64 << 53) as f64)
    };
    let mut close = 40.0;
    let mut cols: Vec<Vec<f64>> = (0..5).map(|_| Vec::with_capacity(n)).collect();
    for i in 0..n {
        let open = close;
        close = if i % 89 >= 80 { open } else { (close * (1.0 + 0.04 * (u() - 0.5)) * 8.0).round() / 8.0 };
        let flat = i % 211 < 6;
        let (h, l) =
            if flat { (open, open) } else { (open.max(close) + (u() * 4.0).floor() / 8.0, open.min(close) - 0.125) };
        for (c, v) in cols.iter_mut().zip([h, l, close, (1000.0 * u()).floor(), open]) {
            c.push(v);
        }
    }
    for (k, c) in cols.iter_mut().enumerate() {
        // Signed zeros: ties between +0 and -0 must pick the same one as the step.
        for (j, v) in c[20_000..20_040].iter_mut().enumerate() {
            *v = if (j + k) % 3 == 0 { -0.0 } else { 0.0 };
        }
        c[30_000 + k] = f64::INFINITY;
        for at in [1_000 + 7 * k, 45_000, 65_530 + k, 65_537] {
            c[at] = f64::NAN;
        }
        c[50_000..50_100].fill(f64::NAN);
    }
    cols
}

/// The defaults, each period at its minimum, 2, 3, 7 and 50 (and, for the window extremes,
/// past the 1,024-bar chunk), each matype.
fn cases(name: &str) -> Vec<Vec<f64>> {
    let s = spec(name).unwrap();
    let base: Vec<f64> = s.params.iter().map(|p| p.default).collect();
    let mut out = vec![base.clone()];
    let long = matches!(name, "MIDPRICE" | "WILLR" | "AROON" | "STOCHF" | "LINEARREG" | "CORREL");
    for (j, p) in s.params.iter().enumerate() {
        let values: Vec<i64> = match p.kind {
            ParamKind::Int { min, .. } => {
                let mut v = vec![min, 2, 3, 7, 50];
                if long {
                    v.extend([1_030, 2_500]);
                }
                v.into_iter().filter(|&v| v >= min).collect()
            }
            ParamKind::MaType => (0..9).collect(),
            ParamKind::Real { .. } => vec![],
        };
        for v in values {
            let mut c = base.clone();
            c[j] = v as f64;
            out.push(c);
        }
    }
    out
}

#[test]
fn batch_equals_step_by_step() {
    let b = bars();
    let names = [
        "MIDPOINT",
        "MIDPRICE",
        "WILLR",
        "AROON",
        "AROONOSC",
        "STOCHF",
        "STOCH",
        "STOCHRSI",
        "LINEARREG",
        "LINEARREG_SLOPE",
        "LINEARREG_ANGLE",
        "LINEARREG_INTERCEPT",
        "TSF",
        "BETA",
        "CORREL",
        "STDDEV",
        "VAR",
        "BBANDS",
        "ATR",
        "NATR",
        "TRANGE",
    ];
    for name in names {
        let s = spec(name).unwrap();
        let ins = test_inputs(s, &b);
        for params in cases(name) {
            let n = b[0].len();
            let outs = run_checked(&mut *build(name, &params).unwrap(), &ins, &Control::new()).unwrap();
            let mut stream = Stream::new(name, &params).unwrap();
            let mut y = vec![0.0; s.outputs.len()];
            let mut x = vec![0.0; ins.len()];
            for t in 0..n {
                for (v, i) in x.iter_mut().zip(&ins) {
                    *v = i[t];
                }
                stream.update(&x, &mut y);
                for (k, o) in outs.iter().enumerate() {
                    assert!(same(y[k], o[t]), "{name}{params:?} bar {t} output {k}: {} vs {}", y[k], o[t]);
                }
            }
        }
    }
}

/// Series shorter than the look-back, of one bar, and empty give NaN as the step does.
#[test]
fn short_series() {
    for name in ["MIDPRICE", "AROONOSC", "STOCH", "STOCHRSI", "LINEARREG", "CORREL", "BBANDS", "ATR", "BETA"] {
        let s = spec(name).unwrap();
        for n in [0, 1, 2, 13, 14, 15] {
            let x: Vec<f64> = (0..n).map(|i| 10.0 + (i % 4) as f64).collect();
            let ins: Vec<&[f64]> = s.inputs.iter().map(|_| &x[..]).collect();
            let params: Vec<f64> = s.params.iter().map(|p| p.default).collect();
            let outs = run_checked(&mut *build(name, &params).unwrap(), &ins, &Control::new()).unwrap();
            let mut stream = Stream::new(name, &params).unwrap();
            let mut y = vec![0.0; s.outputs.len()];
            for t in 0..n {
                stream.update(&vec![x[t]; ins.len()], &mut y);
                for (k, o) in outs.iter().enumerate() {
                    assert!(same(y[k], o[t]), "{name} n={n} bar {t} output {k}");
                }
            }
        }
    }
}

#[test]
fn ctrl_c_stops_a_long_batch() {
    let x = vec![1.0; 300_000];
    let control = Control::new();
    control.cancel();
    for name in ["MIDPOINT", "LINEARREG", "VAR", "ATR"] {
        let s = spec(name).unwrap();
        let ins: Vec<&[f64]> = s.inputs.iter().map(|_| &x[..]).collect();
        let mut outs = vec![vec![0.0; x.len()]; s.outputs.len()];
        let mut slices: Vec<&mut [f64]> = outs.iter_mut().map(|o| &mut o[..]).collect();
        let params: Vec<f64> = s.params.iter().map(|p| p.default).collect();
        let r = build(name, &params).unwrap().run(&ins, &mut slices, &control);
        assert!(matches!(r, Err(crate::error::Error::Interrupted)), "{name}");
    }
}
