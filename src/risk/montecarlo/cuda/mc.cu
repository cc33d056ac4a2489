// Monte Carlo scenarios of quantumpanarchy.risk on the GPU, compiled at run time by NVRTC with
// --fmad=false (backend/cuda). The host side is mc.rs; mc_check.cpp runs this file on the CPU
// under the emulation of CUDA blocks and compares it bit for bit with the Rust engine.
//
// This is a line-by-line copy of the CPU arithmetic (src/philox.rs and
// src/risk/montecarlo/engine.rs): Philox4x32-10, uniforms of 53 bits, a logarithm and a sine/cosine
// written with + - * / sqrt floor, fma() and bit manipulation only, Box-Muller, Marsaglia-Tsang for
// the Student-t chi-square, then x[a] = mean_h[a] + g * sum_k rows[a][k] z[k] (accumulated by fma)
// and loss = -sum_a w[a] x[a] in the same order. With --fmad=false only the written fma() calls
// fuse, exactly where the Rust code calls mul_add, and every operation is correctly rounded on
// both sides, so the losses are the CPU's to the bit.
//
// One thread per scenario: it keeps its `rank` normals (at most MAX_RANK) in local memory, then
// walks the assets. Bytes: 8 per scenario written (the loss), 8 d more when the scenario matrix is
// kept; the factor (d x rank doubles) is read from the cache by every thread.

typedef unsigned int u32;
typedef unsigned long long u64;

#define MAX_RANK 128

__device__ __forceinline__ void mulhilo(u32 a, u32 b, u32* hi, u32* lo) {
    u64 p = (u64)a * (u64)b;
    *hi = (u32)(p >> 32);
    *lo = (u32)p;
}

struct Block4 {
    u32 w[4];
};

__device__ __forceinline__ Block4 philox(u32 c0, u32 c1, u32 c2, u32 c3, u32 k0, u32 k1) {
    for (int round = 0; round < 10; ++round) {
        if (round > 0) {
            k0 += 0x9E3779B9u;
            k1 += 0xBB67AE85u;
        }
        u32 hi0, lo0, hi1, lo1;
        mulhilo(0xD2511F53u, c0, &hi0, &lo0);
        mulhilo(0xCD9E8D57u, c2, &hi1, &lo1);
        u32 n0 = hi1 ^ c1 ^ k0, n2 = hi0 ^ c3 ^ k1;
        c0 = n0;
        c1 = lo1;
        c2 = n2;
        c3 = lo0;
    }
    Block4 b;
    b.w[0] = c0;
    b.w[1] = c1;
    b.w[2] = c2;
    b.w[3] = c3;
    return b;
}

#define TWO_M53 (1.0 / 9007199254740992.0)

__device__ __forceinline__ double uniform(u32 a, u32 b) {
    u64 k = ((u64)(a >> 5) << 26) | (u64)(b >> 6);
    return (double)k * TWO_M53;
}

__device__ __forceinline__ double uniform_open0(u32 a, u32 b) {
    u64 k = ((u64)(a >> 5) << 26) | (u64)(b >> 6);
    return (double)(k + 1) * TWO_M53;
}

#define LN2_HI 6.93147180369123816490e-01
#define LN2_LO 1.90821492927058770002e-10
#define SQRT2 1.4142135623730951

// fdlibm's minimax coefficients (philox.rs: LN_COEFS, SIN_COEFS, COS_COEFS), Horner with fma().
#define LG1 6.666666666666735130e-01
#define LG2 3.999999999940941908e-01
#define LG3 2.857142874366239149e-01
#define LG4 2.222219843214978396e-01
#define LG5 1.818357216161805012e-01
#define LG6 1.531383769920937332e-01
#define LG7 1.479819860511658591e-01
#define S1 -1.66666666666666324348e-01
#define S2 8.33333333332248946124e-03
#define S3 -1.98412698298579493134e-04
#define S4 2.75573137070700676789e-06
#define S5 -2.50507602534068634195e-08
#define S6 1.58969099521155010221e-10
#define C1 4.16666666666666019037e-02
#define C2 -1.38888888888741095749e-03
#define C3 2.48015872894767294178e-05
#define C4 -2.75573143513906633035e-07
#define C5 2.08757232129817482790e-09
#define C6 -1.13596475577881948265e-11

__device__ __forceinline__ double ln_exact(double x) {
    u64 bits = (u64)__double_as_longlong(x);
    long long e0 = (long long)((bits >> 52) & 0x7ff) - 1023;
    double m0 = __longlong_as_double((long long)((bits & 0x000fffffffffffffull) | 0x3ff0000000000000ull));
    bool big = m0 > SQRT2;
    double m = big ? m0 * 0.5 : m0;
    double e = (double)(e0 + (big ? 1 : 0));
    double f = m - 1.0;
    double s = f / (2.0 + f);
    double z = s * s;
    double p = fma(z, fma(z, fma(z, fma(z, fma(z, fma(z, LG7, LG6), LG5), LG4), LG3), LG2), LG1);
    double lnm = fma(s * z, p, 2.0 * s);
    return fma(e, LN2_HI, fma(e, LN2_LO, lnm));
}

#define HALF_PI 1.5707963267948966

__device__ __forceinline__ void sincos_2pi(double u, double* sn, double* cs) {
    double t = 4.0 * u;
    double q = floor(t + 0.5);
    double r = t - q;
    double th = r * HALF_PI;
    double w = th * th;
    double sp = fma(w, fma(w, fma(w, fma(w, fma(w, S6, S5), S4), S3), S2), S1);
    double s = fma(th * w, sp, th);
    double cp = fma(w, fma(w, fma(w, fma(w, fma(w, C6, C5), C4), C3), C2), C1);
    double c = fma(w * w, cp, fma(-0.5, w, 1.0));
    switch (((long long)q) & 3) {
        case 0: *sn = s; *cs = c; break;
        case 1: *sn = c; *cs = -s; break;
        case 2: *sn = -s; *cs = -c; break;
        default: *sn = -c; *cs = s; break;
    }
}

__device__ __forceinline__ void normal_pair(Block4 b, double* z0, double* z1) {
    double u1 = uniform_open0(b.w[0], b.w[1]);
    double u2 = uniform(b.w[2], b.w[3]);
    double r = sqrt(-2.0 * ln_exact(u1));
    double s, c;
    sincos_2pi(u2, &s, &c);
    *z0 = r * c;
    *z1 = r * s;
}

// sqrt(nu / W), W = 2 Gamma(nu / 2): Marsaglia-Tsang with d = nu/2 - 1/3, c = 1/sqrt(9d).
__device__ __forceinline__ double chi_factor(double nu, double gd, double gc, u32 k0, u32 k1, u64 i) {
    u32 lo = (u32)i, hi = (u32)(i >> 32);
    for (u32 t = 0;; ++t) {
        double x, unused;
        normal_pair(philox(lo, hi, 2 * t, 1, k0, k1), &x, &unused);
        Block4 b = philox(lo, hi, 2 * t + 1, 1, k0, k1);
        double v1 = 1.0 + gc * x;
        if (v1 <= 0.0) continue;
        double v = v1 * v1 * v1;
        if (v < 1e-300) continue;
        double u = uniform_open0(b.w[0], b.w[1]);
        double x2 = x * x;
        if (u < 1.0 - 0.0331 * (x2 * x2) || ln_exact(u) < 0.5 * x2 + gd * (1.0 - v + ln_exact(v))) {
            double w = 2.0 * (gd * v);
            return sqrt(nu / w);
        }
    }
}

// Scenarios first .. first + count: losses[j] for scenario first + j, and when keep != 0 its
// returns in scenarios[j * d .. (j + 1) * d]. student != 0 draws the chi-square factor.
extern "C" __global__ void __launch_bounds__(128) mc_scenarios(u32 k0, u32 k1, u64 first, u64 count, u32 d, u32 rank,
                                                               const double* __restrict__ mean_h,
                                                               const double* __restrict__ rows,
                                                               const u32* __restrict__ len,
                                                               const double* __restrict__ weights, int student,
                                                               double nu, double gd, double gc,
                                                               double* __restrict__ losses, int keep,
                                                               double* __restrict__ scenarios) {
    double z[MAX_RANK];
    for (u64 j = (u64)blockIdx.x * blockDim.x + threadIdx.x; j < count; j += (u64)gridDim.x * blockDim.x) {
        u64 i = first + j;
        u32 lo = (u32)i, hi = (u32)(i >> 32);
        for (u32 p = 0; 2 * p < rank; ++p) {
            double a, b;
            normal_pair(philox(lo, hi, p, 0, k0, k1), &a, &b);
            z[2 * p] = a;
            if (2 * p + 1 < rank) z[2 * p + 1] = b;
        }
        double g = student ? chi_factor(nu, gd, gc, k0, k1, i) : 1.0;
        double total = 0.0;
        for (u32 a = 0; a < d; ++a) {
            const double* row = rows + (u64)a * rank;
            double acc = 0.0;
            for (u32 k = 0; k < len[a]; ++k) acc = fma(row[k], z[k], acc);
            double x = mean_h[a] + g * acc;
            if (keep) scenarios[j * d + a] = x;
            total = total + weights[a] * x;
        }
        losses[j] = -total;
    }
}

// The RNG alone, for the roofline of the benchmark: each scenario draws its `rank` normals (and
// the chi-square factor) as mc_scenarios does and writes their sum; no factor, no position.
extern "C" __global__ void __launch_bounds__(128) mc_normals_only(u32 k0, u32 k1, u64 first, u64 count, u32 rank,
                                                                  int student, double nu, double gd, double gc,
                                                                  double* __restrict__ out) {
    for (u64 j = (u64)blockIdx.x * blockDim.x + threadIdx.x; j < count; j += (u64)gridDim.x * blockDim.x) {
        u64 i = first + j;
        u32 lo = (u32)i, hi = (u32)(i >> 32);
        double sum = 0.0;
        for (u32 p = 0; 2 * p < rank; ++p) {
            double a, b;
            normal_pair(philox(lo, hi, p, 0, k0, k1), &a, &b);
            sum = sum + a;
            if (2 * p + 1 < rank) sum = sum + b;
        }
        double g = student ? chi_factor(nu, gd, gc, k0, k1, i) : 1.0;
        out[j] = g * sum;
    }
}
