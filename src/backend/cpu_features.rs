//! CPU SIMD features detected at run time. Hot kernels are compiled twice (baseline and AVX2)
//! and dispatched on these, so the wheel never requires AVX2 but uses it where present.

/// Names of the SIMD extensions this CPU supports, among those the kernels care about.
pub fn detected() -> Vec<&'static str> {
    let mut out = Vec::new();
    #[cfg(target_arch = "x86_64")]
    {
        macro_rules! probe {
            ($($f:tt),*) => { $( if std::arch::is_x86_feature_detected!($f) { out.push($f); } )* };
        }
        probe!("sse2", "sse4.1", "sse4.2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl");
    }
    #[cfg(target_arch = "aarch64")]
    {
        if std::arch::is_aarch64_feature_detected!("neon") {
            out.push("neon");
        }
    }
    out
}

/// `true` where the CPU has the x86 feature `$f` (always `false` elsewhere).
macro_rules! x86_feature {
    ($f:tt) => {{
        #[cfg(target_arch = "x86_64")]
        {
            std::arch::is_x86_feature_detected!($f)
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            false
        }
    }};
}

/// Whether the AVX2 (+FMA-free) kernel variants can run here.
#[inline]
pub fn has_avx2() -> bool {
    x86_feature!("avx2")
}

/// Whether the AVX2 variants that also use fused multiply-adds can run here (every x86 CPU with
/// AVX2 so far has FMA too).
#[inline]
pub fn has_avx2_fma() -> bool {
    x86_feature!("avx2") && x86_feature!("fma")
}

/// Whether the AVX-512F kernel variants can run here.
#[inline]
pub fn has_avx512f() -> bool {
    x86_feature!("avx512f")
}

/// The kernel variant in use, for `backend_info()`.
pub fn kernel_variant() -> &'static str {
    if has_avx2() {
        "avx2"
    } else {
        "baseline"
    }
}
