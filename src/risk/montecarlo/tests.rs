use super::*;
use crate::special::{norm_pdf, norm_ppf};

fn cov3() -> (Vec<f64>, Vec<f64>) {
    let mean = vec![0.0005, 0.0002, -0.0001];
    let cov = vec![4e-4, 1e-4, -5e-5, 1e-4, 2.5e-4, 3e-5, -5e-5, 3e-5, 1e-4];
    (mean, cov)
}

#[test]
fn same_bits_on_one_and_two_threads() {
    let (mean, cov) = cov3();
    for dist in [Distribution::Normal, Distribution::StudentT { dof: 5.0 }] {
        let m = Model::new(&mean, &cov, 1.0, dist, 11).unwrap();
        let w = [0.5, 0.3, 0.2];
        let run = |threads| {
            crate::parallel::with_threads(Some(threads), || {
                monte_carlo_var(&m, &w, 0.05, 100_003, Choice::Cpu, true, &Control::new()).unwrap()
            })
            .unwrap()
        };
        let (a, b) = (run(1), run(2));
        assert_eq!(a, b);
        // the scenario matrix is what simulate_returns gives
        let x = simulate_returns(&m, 100_003, Choice::Cpu, &Control::new()).unwrap();
        assert_eq!(Some(x), a.scenarios);
    }
}

#[test]
fn normal_var_converges_to_the_closed_form() {
    let (mean, cov) = cov3();
    let w = [0.5, 0.3, 0.2];
    for (seed, alpha, h) in [(1u64, 0.05, 1.0), (2, 0.01, 10.0), (3, 0.1, 0.5)] {
        let m = Model::new(&mean, &cov, h, Distribution::Normal, seed).unwrap();
        let r = monte_carlo_var(&m, &w, alpha, 400_000, Choice::Cpu, false, &Control::new()).unwrap();
        let mu: f64 = h * w.iter().zip(&mean).map(|(a, b)| a * b).sum::<f64>();
        let var_p: f64 = (0..3).map(|i| (0..3).map(|j| w[i] * w[j] * cov[i * 3 + j]).sum::<f64>()).sum();
        let sd = (h * var_p).sqrt();
        let z = norm_ppf(1.0 - alpha);
        let (var, cvar) = (-mu + sd * z, -mu + sd * norm_pdf(z) / alpha);
        let t = r.tail;
        assert!((t.var - var).abs() < 4.0 * t.var_stderr, "VaR {} vs {var} ± {}", t.var, t.var_stderr);
        assert!((t.cvar - cvar).abs() < 4.0 * t.cvar_stderr, "CVaR {} vs {cvar} ± {}", t.cvar, t.cvar_stderr);
    }
}

#[test]
fn bad_inputs_are_refused() {
    let (mean, cov) = cov3();
    assert!(Model::new(&mean, &cov[..8], 1.0, Distribution::Normal, 0).is_err());
    assert!(Model::new(&mean, &cov, 0.0, Distribution::Normal, 0).is_err());
    assert!(Model::new(&[], &[], 1.0, Distribution::Normal, 0).is_err());
    let mut nan = cov.clone();
    nan[4] = f64::NAN;
    assert!(Model::new(&mean, &nan, 1.0, Distribution::Normal, 0).unwrap_err().to_string().contains("cov[1,1]"));
    assert!(Distribution::parse("student_t", Some(2.0)).is_err());
    assert!(Distribution::parse("student_t", None).is_err());
    assert!(Distribution::parse("normal", Some(5.0)).is_err());
    assert!(Distribution::parse("cauchy", None).is_err());
    let m = Model::new(&mean, &cov, 1.0, Distribution::Normal, 0).unwrap();
    let c = Control::new();
    assert!(monte_carlo_var(&m, &[1.0, 0.0], 0.05, 100, Choice::Cpu, false, &c).is_err());
    assert!(monte_carlo_var(&m, &[1.0, 0.0, 0.0], 0.0, 100, Choice::Cpu, false, &c).is_err());
    assert!(monte_carlo_var(&m, &[1.0, 0.0, 0.0], 0.05, 1, Choice::Cpu, false, &c).is_err());
    let e = monte_carlo_var(&m, &[1.0, 0.0, 0.0], 0.05, 1usize << 60, Choice::Cpu, false, &c).unwrap_err();
    assert!(matches!(e, Error::ResourceLimit(_)), "{e:?}");
    // overflowing returns are reported, not NaN
    let huge = Model::new(&[1e300, 1e300, 1e300], &cov, 1.0, Distribution::Normal, 0).unwrap();
    let e = monte_carlo_var(&huge, &[1e10, 1e10, 1e10], 0.05, 100, Choice::Cpu, false, &c).unwrap_err();
    assert!(e.to_string().contains("non-finite loss"), "{e}");
}

#[test]
fn cancelled_runs_stop() {
    let (mean, cov) = cov3();
    let m = Model::new(&mean, &cov, 1.0, Distribution::Normal, 0).unwrap();
    let c = Control::new();
    c.cancel();
    assert_eq!(monte_carlo_var(&m, &[1.0, 0.0, 0.0], 0.05, 100_000, Choice::Cpu, false, &c), Err(Error::Interrupted));
}

#[test]
fn parts_simulated_apart_merge_into_the_whole_run() {
    let (mean, cov) = cov3();
    let w = [0.5, 0.3, 0.2];
    let total = 3 * tail::SUM_CHUNK + 1234;
    for dist in [Distribution::Normal, Distribution::StudentT { dof: 4.0 }] {
        let m = Model::new(&mean, &cov, 2.0, dist, 5).unwrap();
        let whole = monte_carlo_var(&m, &w, 0.01, total, Choice::Cpu, false, &Control::new()).unwrap();
        for size in [tail::SUM_CHUNK, 2 * tail::SUM_CHUNK, total] {
            let parts: Vec<TailPart> = (0..total)
                .step_by(size)
                .map(|a| {
                    let count = size.min(total - a);
                    monte_carlo_var_part(&m, &w, 0.01, a, count, total, false, &Control::new()).unwrap()
                })
                .collect();
            assert_eq!(tail::merge(&parts, 0.01).unwrap(), Some(whole.tail), "{dist:?}, parts of {size}");
        }
        // the ranges' losses are those rows of the whole run
        let (all, _) = engine::simulate(&m, &Linear::new(&w, 3).unwrap(), total, false, &Control::new()).unwrap();
        let (late, _) =
            engine::simulate_range(&m, &Linear::new(&w, 3).unwrap(), 70_001, 900, false, &Control::new()).unwrap();
        assert_eq!(&all[70_001..70_901], &late[..]);
    }
    let m = Model::new(&mean, &cov, 1.0, Distribution::Normal, 0).unwrap();
    let c = Control::new();
    assert!(monte_carlo_var_part(&m, &w, 0.05, 0, 0, 100, false, &c).unwrap().kept.is_empty());
    assert!(monte_carlo_var_part(&m, &w, 0.05, 64, 100, 100, false, &c).is_err());
    assert!(monte_carlo_var_part(&m, &w, 0.05, 0, 10, 1, false, &c).is_err());
    assert!(monte_carlo_var_part(&m, &[1.0], 0.05, 0, 10, 100, false, &c).is_err());
}
