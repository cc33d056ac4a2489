//! Feature binning for histogram-based boosting: per feature at most `max_bins` bins bounded by
//! real thresholds (scikit-learn's rule: the midpoints between consecutive distinct values when
//! there are few enough, else quantiles), and the data mapped to `u8` bin
//! codes, column-major. A value goes to bin `b` = the number of thresholds below it, so
//! `bin <= b` exactly when `x <= threshold[b]`: a split found on bins is kept as a real threshold
//! and predicts raw data the same way.

use crate::error::Result;
use ndarray::ArrayView2;
use rayon::prelude::*;

/// The most bins a feature may have: codes are `u8`.
pub const MAX_BINS: usize = 255;

/// The thresholds of one feature from its (sorted, finite) values: `n_bins - 1` of them.
pub fn feature_thresholds(sorted: &[f64], max_bins: usize) -> Vec<f64> {
    let mut distinct: Vec<f64> = Vec::with_capacity(sorted.len().min(max_bins + 1));
    for &v in sorted {
        if distinct.last() != Some(&v) {
            distinct.push(v);
            if distinct.len() > max_bins {
                break;
            }
        }
    }
    let mid = |a: f64, b: f64| {
        let m = (a + b) * 0.5;
        if m.is_finite() {
            m
        } else {
            a * 0.5 + b * 0.5 // a + b overflowed
        }
    };
    if distinct.len() <= max_bins {
        return distinct.windows(2).map(|w| mid(w[0], w[1])).collect();
    }
    // numpy's percentile(method="averaged_inverted_cdf") at 100·i/max_bins, i = 1..max_bins-1,
    // as scikit-learn takes them, repeated thresholds dropped
    let n = sorted.len();
    let step = 100.0 / max_bins as f64;
    let mut out: Vec<f64> = Vec::with_capacity(max_bins - 1);
    for i in 1..max_bins {
        let q = (i as f64 * step) / 100.0;
        let at = n as f64 * q - 1.0;
        let lo = at.floor().max(0.0);
        let (a, b) = (sorted[(lo as usize).min(n - 1)], sorted[(lo as usize + 1).min(n - 1)]);
        let t = if at - lo == 0.0 { b - (b - a) * 0.5 } else { b };
        if out.last() != Some(&t) {
            out.push(t);
        }
    }
    out
}

/// Per-feature thresholds from the rows `rows` of `x` (all rows if `None`), features in parallel.
pub fn thresholds(x: ArrayView2<'_, f64>, rows: Option<&[usize]>, max_bins: usize) -> Result<Vec<Vec<f64>>> {
    crate::ensure!((2..=MAX_BINS).contains(&max_bins), "max_bins must be in 2..={MAX_BINS}, got {max_bins}");
    let d = x.ncols();
    crate::parallel::install(|| {
        (0..d)
            .into_par_iter()
            .map(|j| {
                let col = x.column(j);
                let mut v: Vec<f64> = match rows {
                    Some(r) => r.iter().map(|&i| col[i]).collect(),
                    None => col.iter().copied().collect(),
                };
                v.sort_unstable_by(f64::total_cmp);
                feature_thresholds(&v, max_bins)
            })
            .collect()
    })
}

/// The bin code of `v` under `thr`: how many thresholds are below it.
#[inline]
pub fn code(thr: &[f64], v: f64) -> u8 {
    thr.partition_point(|&t| t < v) as u8
}

/// The rows `rows` of `x` (all if `None`) as bin codes, column-major: feature `j`'s codes are
/// `out[j * m .. (j + 1) * m]` for `m` rows.
pub fn map(x: ArrayView2<'_, f64>, rows: Option<&[usize]>, thr: &[Vec<f64>]) -> Result<Vec<u8>> {
    let m = rows.map_or(x.nrows(), <[usize]>::len);
    let d = x.ncols();
    let mut out = crate::error::try_vec(m * d, 0u8, "the binned data")?;
    if m == 0 {
        return Ok(out);
    }
    crate::parallel::install(|| {
        out.par_chunks_mut(m).enumerate().for_each(|(j, dst)| {
            let (col, t) = (x.column(j), &thr[j]);
            match rows {
                Some(r) => dst.iter_mut().zip(r).for_each(|(o, &i)| *o = code(t, col[i])),
                None => dst.iter_mut().zip(col.iter()).for_each(|(o, &v)| *o = code(t, v)),
            }
        })
    })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn few_distinct_values_split_at_midpoints() {
        assert_eq!(feature_thresholds(&[1.0, 1.0, 2.0, 4.0], 255), vec![1.5, 3.0]);
        assert!(feature_thresholds(&[3.0, 3.0], 255).is_empty());
    }

    #[test]
    fn many_values_split_at_quantiles_and_codes_agree_with_thresholds() {
        let v: Vec<f64> = (0..1000).map(f64::from).collect();
        let t = feature_thresholds(&v, 4);
        // numpy.percentile(range(1000), [25, 50, 75], method="averaged_inverted_cdf")
        assert_eq!(t, vec![249.5, 499.5, 749.5]);
        // repeated quantiles are dropped
        let v: Vec<f64> = (0..300).map(|i| f64::from(i.min(200))).collect();
        let t = feature_thresholds(&v, 10);
        assert!(t.windows(2).all(|w| w[0] < w[1]) && t.len() < 9);
        let x = array![[0.0, 5.0], [249.5, 5.0], [250.0, 5.0], [999.0, 5.0]];
        let thr = thresholds(x.view(), None, 4).unwrap();
        assert_eq!(thr[1], Vec::<f64>::new());
        let codes = map(x.view(), None, &thr).unwrap();
        // four distinct values and four bins: each value its own bin (midpoint thresholds)
        assert_eq!(thr[0], vec![124.75, 249.75, 624.5]);
        assert_eq!(&codes[..4], &[0, 1, 2, 3]);
        assert_eq!(&codes[4..], &[0, 0, 0, 0]);
        for (k, &xv) in x.column(0).iter().enumerate() {
            for (b, &tv) in thr[0].iter().enumerate() {
                assert_eq!(codes[k] as usize <= b, xv <= tv);
            }
        }
        assert!(thresholds(x.view(), None, 256).is_err());
    }
}
