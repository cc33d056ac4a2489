//! Monte Carlo scenarios on the GPU: the kernels (`mc.cu`, a copy of the CPU engine's arithmetic
//! compiled with `--fmad=false`, so the losses are the CPU's to the bit), this host code, and their
//! CPU-emulation check (`mc_check.cpp`). The device, NVRTC and the emulation harness come from
//! `backend::cuda`.
//!
//! Scenarios run in launches of at most [`LAUNCH`] (checking the control between launches); each
//! launch's losses (and scenario rows, when kept) are copied straight into the caller's vectors,
//! so the GPU holds one launch's worth. The tail statistics are taken on the CPU.

use super::engine::Linear;
use super::Model;
use crate::backend::cuda::{gib, grid_1d, guarded, on_error, CudaFunction, Device, KernelCell, Program, PushKernelArg};
use crate::control::Control;
use crate::error::{try_vec, Error, Result};

/// The largest covariance rank the kernel's per-thread normals hold.
pub const MAX_RANK: usize = 128;
/// Scenarios per launch (16 MiB of losses).
const LAUNCH: usize = 1 << 21;
/// Threads per block (the kernels' `__launch_bounds__`).
const BLOCK: u32 = 128;

static KERNELS: KernelCell<Kernels> = KernelCell::new(
    Program::new("quantumpanarchy_mc.cu", include_str!("mc.cu")).with_options(&["--fmad=false"]),
    |device, module| {
        Ok(Kernels {
            device,
            scenarios: module.function("mc_scenarios")?,
            normals_only: module.function("mc_normals_only")?,
        })
    },
);

struct Kernels {
    device: &'static Device,
    scenarios: CudaFunction,
    normals_only: CudaFunction,
}

fn student(model: &Model) -> (i32, f64, f64, f64) {
    match model.gamma {
        Some(g) => (1, g.nu, g.d, g.c),
        None => (0, 0.0, 0.0, 0.0),
    }
}

/// The losses of scenarios `0..num_scenarios` of `model` under the linear `position`, and the
/// scenario matrix when `keep_scenarios`: the bits the CPU engine gives.
pub fn simulate(
    model: &Model,
    position: &Linear,
    num_scenarios: usize,
    keep_scenarios: bool,
    control: &Control,
) -> Result<(Vec<f64>, Option<Vec<f64>>)> {
    guarded(|| run(model, position, num_scenarios, keep_scenarios, control))
}

fn run(
    model: &Model,
    position: &Linear,
    num_scenarios: usize,
    keep: bool,
    control: &Control,
) -> Result<(Vec<f64>, Option<Vec<f64>>)> {
    let d = model.num_assets;
    if model.rank > MAX_RANK {
        return Err(Error::BackendUnavailable(format!(
            "the CUDA Monte Carlo kernel handles covariances of rank at most {MAX_RANK}, got {}",
            model.rank
        )));
    }
    let mut scenarios = match keep {
        true => {
            let cells = num_scenarios.checked_mul(d).ok_or_else(|| {
                crate::error::too_big::<f64>(num_scenarios as u128 * d as u128, "the scenario matrix")
            })?;
            Some(try_vec(cells, 0.0, format!("the scenario matrix ({num_scenarios} x {d})").as_str())?)
        }
        false => None,
    };
    let mut losses = try_vec(num_scenarios, 0.0, format!("the loss vector of {num_scenarios} scenarios").as_str())?;
    let gpu = KERNELS.get()?;
    control.check()?;
    let per = LAUNCH.min(num_scenarios);
    let need = 8 * per as u64 * (1 + if keep { d as u64 } else { 0 }) + 8 * (d * (model.rank + 3)) as u64;
    let memory = gpu.device.memory()?;
    let estimate = format!("{} for {per} scenarios per launch; {}", gib(need), memory.describe());
    if need > memory.usable() {
        return Err(Error::ResourceLimit(format!("the Monte Carlo buffers do not fit in GPU memory: {estimate}")));
    }
    let fail = |what| on_error(what, &estimate);
    let stream = gpu.device.context().new_stream().map_err(fail("creating a stream"))?;
    let mean_h = stream.clone_htod(&model.mean_h).map_err(fail("uploading the model"))?;
    let rows_host: Vec<f64> = if model.rows.is_empty() { vec![0.0] } else { model.rows.clone() };
    let rows = stream.clone_htod(&rows_host).map_err(fail("uploading the model"))?;
    let len = stream.clone_htod(&model.len).map_err(fail("uploading the model"))?;
    let weights = stream.clone_htod(&position.weights).map_err(fail("uploading the weights"))?;
    let mut out = stream.alloc_zeros::<f64>(per).map_err(fail("allocating the losses"))?;
    let mut x = stream.alloc_zeros::<f64>(if keep { per * d } else { 1 }).map_err(fail("allocating the scenarios"))?;
    let (is_t, nu, gd, gc) = student(model);
    let (k0, k1) = (model.key[0], model.key[1]);
    let (d32, r32) = (d as u32, model.rank as u32);
    let keep_flag = keep as i32;
    let mut first = 0usize;
    while first < num_scenarios {
        control.check()?;
        let count = per.min(num_scenarios - first);
        let (first64, count64) = (first as u64, count as u64);
        let mut b = stream.launch_builder(&gpu.scenarios);
        b.arg(&k0).arg(&k1).arg(&first64).arg(&count64).arg(&d32).arg(&r32);
        b.arg(&mean_h).arg(&rows).arg(&len).arg(&weights).arg(&is_t).arg(&nu).arg(&gd).arg(&gc);
        b.arg(&mut out).arg(&keep_flag).arg(&mut x);
        // SAFETY: the arguments match mc_scenarios' parameters in order and type; mean_h, len and
        // weights hold d values, rows d × rank (one dummy value at rank 0, never read), out `count`
        // values and x count × d when keep is set.
        unsafe { b.launch(grid_1d(count, BLOCK)) }.map_err(fail("running the Monte Carlo kernel"))?;
        stream
            .memcpy_dtoh(&out.slice(0..count), &mut losses[first..first + count])
            .map_err(fail("copying the losses back"))?;
        if let Some(m) = scenarios.as_deref_mut() {
            stream
                .memcpy_dtoh(&x.slice(0..count * d), &mut m[first * d..(first + count) * d])
                .map_err(fail("copying the scenarios back"))?;
        }
        stream.synchronize().map_err(fail("running the Monte Carlo kernel"))?;
        if let Some(bad) = losses[first..first + count].iter().position(|v| !v.is_finite()) {
            return Err(crate::invalid!(
                "scenario {} has a non-finite loss: the returns overflow double precision; rescale mean, cov or weights",
                first + bad
            ));
        }
        control.advance(count as u64);
        first += count;
    }
    Ok((losses, scenarios))
}

/// For the benchmark's roofline: seconds for the RNG alone (the normals and chi-square factors of
/// `num_scenarios` scenarios, summed per scenario on the device) and for the full scenarios
/// (losses kept on the device), both after a warm-up launch. `None` without a usable GPU.
pub fn time_rng_and_scenarios(model: &Model, position: &Linear, num_scenarios: usize) -> Result<(f64, f64)> {
    guarded(|| {
        let gpu = KERNELS.get()?;
        let estimate = String::from("benchmark buffers");
        let fail = |what| on_error(what, &estimate);
        let stream = gpu.device.context().new_stream().map_err(fail("creating a stream"))?;
        let mean_h = stream.clone_htod(&model.mean_h).map_err(fail("uploading"))?;
        let rows_host: Vec<f64> = if model.rows.is_empty() { vec![0.0] } else { model.rows.clone() };
        let rows = stream.clone_htod(&rows_host).map_err(fail("uploading"))?;
        let len = stream.clone_htod(&model.len).map_err(fail("uploading"))?;
        let weights = stream.clone_htod(&position.weights).map_err(fail("uploading"))?;
        let mut out = stream.alloc_zeros::<f64>(num_scenarios).map_err(fail("allocating"))?;
        let mut x = stream.alloc_zeros::<f64>(1).map_err(fail("allocating"))?;
        let (is_t, nu, gd, gc) = student(model);
        let (k0, k1, first, count) = (model.key[0], model.key[1], 0u64, num_scenarios as u64);
        let (d32, r32, keep) = (model.num_assets as u32, model.rank as u32, 0i32);
        let mut times = [0.0f64; 2];
        for (slot, time) in times.iter_mut().enumerate() {
            let mut best = f64::INFINITY;
            for _ in 0..3 {
                let t0 = std::time::Instant::now();
                if slot == 0 {
                    let mut b = stream.launch_builder(&gpu.normals_only);
                    b.arg(&k0).arg(&k1).arg(&first).arg(&count).arg(&r32).arg(&is_t).arg(&nu).arg(&gd).arg(&gc);
                    b.arg(&mut out);
                    // SAFETY: the arguments match mc_normals_only's parameters; out holds count values.
                    unsafe { b.launch(grid_1d(num_scenarios, BLOCK)) }.map_err(fail("running"))?;
                } else {
                    let mut b = stream.launch_builder(&gpu.scenarios);
                    b.arg(&k0).arg(&k1).arg(&first).arg(&count).arg(&d32).arg(&r32);
                    b.arg(&mean_h).arg(&rows).arg(&len).arg(&weights).arg(&is_t).arg(&nu).arg(&gd).arg(&gc);
                    b.arg(&mut out).arg(&keep).arg(&mut x);
                    // SAFETY: as in `run`, with keep = 0 (x is never written).
                    unsafe { b.launch(grid_1d(num_scenarios, BLOCK)) }.map_err(fail("running"))?;
                }
                stream.synchronize().map_err(fail("running"))?;
                best = best.min(t0.elapsed().as_secs_f64());
            }
            *time = best;
        }
        Ok((times[0], times[1]))
    })
}

#[cfg(test)]
mod tests;
