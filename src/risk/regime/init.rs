//! Starting points for EM: seeded k-means++ and local-volatility quantiles.

use super::model::{Covariance, Hmm, Observations};
use crate::control::Control;
use crate::error::{try_collect, try_vec, Result};
use crate::rng::Stream;
use rayon::prelude::*;

/// k-means restarts (hmmlearn asks scikit-learn's KMeans for 10).
const RESTARTS: u64 = 10;
/// Lloyd iterations at most.
const LLOYD_ITER: usize = 300;
/// Lloyd's iterations see at most this many rows (an even stride through longer data).
const LLOYD_ROWS: usize = 1 << 17;

fn dist2(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

fn nearest(row: &[f64], centers: &[f64], d: usize) -> (usize, f64) {
    let mut best = (0, f64::INFINITY);
    for (c, center) in centers.chunks_exact(d).enumerate() {
        let v = dist2(row, center);
        if v < best.1 {
            best = (c, v);
        }
    }
    best
}

/// One k-means run from a k-means++ start: the centres and their inertia.
fn lloyd(rows: &[&[f64]], k: usize, d: usize, rng: &mut Stream, control: &Control) -> Result<(Vec<f64>, f64)> {
    let n = rows.len();
    let mut centers = Vec::with_capacity(k * d);
    centers.extend_from_slice(rows[rng.below(n as u64) as usize]);
    let mut closest: Vec<f64> = rows.iter().map(|r| dist2(r, &centers[..d])).collect();
    while centers.len() < k * d {
        let total: f64 = closest.iter().sum();
        let pick = if total > 0.0 {
            let u = rng.next_f64() * total;
            let mut acc = 0.0;
            closest
                .iter()
                .position(|&c| {
                    acc += c;
                    acc > u
                })
                .unwrap_or(n - 1)
        } else {
            rng.below(n as u64) as usize
        };
        let start = centers.len();
        centers.extend_from_slice(rows[pick]);
        for (c, r) in closest.iter_mut().zip(rows) {
            *c = c.min(dist2(r, &centers[start..start + d]));
        }
    }
    let mut sums = vec![0.0; k * d];
    let mut counts = vec![0usize; k];
    let mut inertia = f64::INFINITY;
    for _ in 0..LLOYD_ITER {
        control.check()?;
        sums.iter_mut().for_each(|v| *v = 0.0);
        counts.iter_mut().for_each(|v| *v = 0);
        let mut total = 0.0;
        for r in rows {
            let (c, dd) = nearest(r, &centers, d);
            total += dd;
            counts[c] += 1;
            sums[c * d..(c + 1) * d].iter_mut().zip(r.iter()).for_each(|(s, v)| *s += v);
        }
        let mut moved = 0.0;
        for c in 0..k {
            if counts[c] == 0 {
                continue; // an empty cluster keeps its centre
            }
            for f in 0..d {
                let v = sums[c * d + f] / counts[c] as f64;
                moved += (v - centers[c * d + f]).powi(2);
                centers[c * d + f] = v;
            }
        }
        let done = total >= inertia || moved == 0.0;
        inertia = inertia.min(total);
        if done {
            break;
        }
    }
    Ok((centers, inertia))
}

/// The data's covariance (ddof 1, as `np.cov`) plus `floor` on the diagonal, in the model's form.
fn data_covars(obs: &Observations<'_>, cov: Covariance, floor: &[f64]) -> Vec<f64> {
    let d = obs.d;
    let n = obs.len();
    let mut c = vec![0.0; d * d];
    // the observations are centred already
    for row in obs.x.chunks_exact(d) {
        for f in 0..d {
            for g in 0..d {
                c[f * d + g] += row[f] * row[g];
            }
        }
    }
    let ddof = if n > 1 { (n - 1) as f64 } else { 1.0 };
    c.iter_mut().for_each(|v| *v /= ddof);
    (0..d).for_each(|f| c[f * d + f] += floor[f]);
    match cov {
        Covariance::Diag => (0..d).map(|f| c[f * d + f]).collect(),
        Covariance::Full => c,
    }
}

/// Transition probabilities from the consecutive labels within each sequence, add-one smoothed.
fn label_transitions(labels: &[usize], lengths: &[usize], k: usize) -> Vec<f64> {
    let mut counts = vec![1.0; k * k];
    let mut start = 0;
    for &n in lengths {
        for w in labels[start..start + n].windows(2) {
            counts[w[0] * k + w[1]] += 1.0;
        }
        start += n;
    }
    for row in counts.chunks_exact_mut(k) {
        let s: f64 = row.iter().sum();
        row.iter_mut().for_each(|v| *v /= s);
    }
    counts
}

/// k-means++ (10 seeded restarts, in parallel; the lowest inertia wins, ties to the first).
pub fn kmeans(
    obs: &Observations<'_>,
    k: usize,
    cov: Covariance,
    floor: &[f64],
    seed: u64,
    control: &Control,
) -> Result<Hmm> {
    let (d, n) = (obs.d, obs.len());
    let stride = n.div_ceil(LLOYD_ROWS);
    let rows: Vec<&[f64]> = obs.x.chunks_exact(d).step_by(stride).collect();
    let runs: Vec<Result<(Vec<f64>, f64)>> = crate::parallel::install(|| {
        (0..RESTARTS as usize)
            .into_par_iter()
            .with_max_len(1)
            .map(|r| lloyd(&rows, k, d, &mut Stream::new(seed, r as u64), control))
            .collect()
    })?;
    let mut best: Option<(Vec<f64>, f64)> = None;
    for run in runs {
        let run = run?;
        if best.as_ref().is_none_or(|b| run.1 < b.1) {
            best = Some(run);
        }
    }
    let centers = best.map(|b| b.0).unwrap_or_default();
    let mut labels = try_vec(n, 0usize, "the k-means labels")?;
    for (t, row) in obs.x.chunks_exact(d).enumerate() {
        if t % (1 << 18) == 0 {
            control.check()?;
        }
        labels[t] = nearest(row, &centers, d).0;
    }
    Ok(Hmm {
        k,
        d,
        cov,
        startprob: vec![1.0 / k as f64; k],
        transmat: label_transitions(&labels, obs.lengths, k),
        means: centers,
        covars: data_covars(obs, cov, floor).repeat(k),
    })
}

#[allow(clippy::needless_range_loop)] // index loops over states and features
/// Quantile groups of a local volatility (a centred 21-step mean of squared standardised
/// deviations, within each sequence).
pub fn volatility(obs: &Observations<'_>, k: usize, cov: Covariance, floor: &[f64], control: &Control) -> Result<Hmm> {
    let (d, n) = (obs.d, obs.len());
    const HALF: usize = 10;
    let sd: Vec<f64> = {
        let mut v = vec![0.0; d];
        for row in obs.x.chunks_exact(d) {
            v.iter_mut().zip(row).for_each(|(s, x)| *s += x * x);
        }
        v.iter().map(|s| (s / n as f64).sqrt()).collect()
    };
    let energy: Vec<f64> = try_collect(
        obs.x.chunks_exact(d).map(|r| r.iter().zip(&sd).map(|(x, s)| (x / s) * (x / s)).sum::<f64>()),
        "the local volatility",
    )?;
    let mut vol = try_vec(n, 0.0, "the local volatility")?;
    let mut start = 0;
    for &len in obs.lengths {
        control.check()?;
        let e = &energy[start..start + len];
        // prefix sums for the centred window
        let mut prefix = try_vec(len + 1, 0.0, "the local volatility")?;
        for i in 0..len {
            prefix[i + 1] = prefix[i] + e[i];
        }
        for i in 0..len {
            let (a, b) = (i.saturating_sub(HALF), (i + HALF + 1).min(len));
            vol[start + i] = (prefix[b] - prefix[a]) / (b - a) as f64;
        }
        start += len;
    }
    let mut order = try_vec(n, 0usize, "the local volatility")?;
    order.iter_mut().enumerate().for_each(|(i, o)| *o = i);
    // no two keys are equal (ties broken by time), so the unstable sort is deterministic
    order.sort_unstable_by(|&a, &b| vol[a].total_cmp(&vol[b]).then(a.cmp(&b)));
    let mut labels = try_vec(n, 0usize, "the volatility groups")?;
    for (rank, &t) in order.iter().enumerate() {
        labels[t] = rank * k / n;
    }
    let per = cov.per_state(d);
    let mut means = vec![0.0; k * d];
    let mut counts = vec![0.0; k];
    for (t, row) in obs.x.chunks_exact(d).enumerate() {
        let s = labels[t];
        counts[s] += 1.0;
        means[s * d..(s + 1) * d].iter_mut().zip(row).for_each(|(m, v)| *m += v);
    }
    for s in 0..k {
        means[s * d..(s + 1) * d].iter_mut().for_each(|m| *m /= counts[s]);
    }
    let mut covars = vec![0.0; k * per];
    for (t, row) in obs.x.chunks_exact(d).enumerate() {
        let s = labels[t];
        let mu = &means[s * d..(s + 1) * d];
        let c = &mut covars[s * per..(s + 1) * per];
        match cov {
            Covariance::Diag => (0..d).for_each(|f| c[f] += (row[f] - mu[f]).powi(2)),
            Covariance::Full => {
                for f in 0..d {
                    for g in 0..d {
                        c[f * d + g] += (row[f] - mu[f]) * (row[g] - mu[g]);
                    }
                }
            }
        }
    }
    for s in 0..k {
        let c = &mut covars[s * per..(s + 1) * per];
        c.iter_mut().for_each(|v| *v /= counts[s]);
        for f in 0..d {
            let at = if cov == Covariance::Diag { f } else { f * d + f };
            c[at] += floor[f];
        }
    }
    Ok(Hmm {
        k,
        d,
        cov,
        startprob: vec![1.0 / k as f64; k],
        transmat: label_transitions(&labels, obs.lengths, k),
        means,
        covars,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kmeans_finds_separated_clusters_and_is_seeded() {
        let x: Vec<f64> = (0..300).map(|i| [0.0, 10.0, 20.0][i % 3] + ((i * 7919) % 13) as f64 / 100.0).collect();
        let lengths = [300];
        let obs = Observations::new(&x, 1, &lengths).unwrap();
        let m = kmeans(&obs, 3, Covariance::Diag, &[1e-3], 3, &Control::new()).unwrap();
        let mut c = m.means.clone();
        c.sort_by(f64::total_cmp);
        assert!((c[0] - 0.06).abs() < 0.1 && (c[1] - 10.06).abs() < 0.1 && (c[2] - 20.06).abs() < 0.1, "{c:?}");
        assert_eq!(m, kmeans(&obs, 3, Covariance::Diag, &[1e-3], 3, &Control::new()).unwrap());
        m.validate().unwrap();
    }

    #[test]
    fn volatility_groups_split_calm_from_wild() {
        let x: Vec<f64> =
            (0..400).map(|i| if i < 200 { 0.1 } else { 3.0 } * if i % 2 == 0 { 1.0 } else { -1.0 }).collect();
        let lengths = [400];
        let obs = Observations::new(&x, 1, &lengths).unwrap();
        let m = volatility(&obs, 2, Covariance::Full, &[1e-3], &Control::new()).unwrap();
        m.validate().unwrap();
        assert!(m.covars[0] < 0.1 && m.covars[1] > 5.0, "{:?}", m.covars);
    }
}
