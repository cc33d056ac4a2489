// Annealing kernels of quantumpanarchy.core, compiled at run time by NVRTC (backend/cuda). Host
// code: anneal.rs; CPU check under the emulation of thread blocks: anneal_check.cpp.
//
// Spins are signed char (+1/-1) in engine order, one row of n per read; couplings, fields and
// the acceptance test are double. Random numbers come from Philox4x32-10 keyed by the seed with
// counter (sweep, spin, read), so results depend on the seed alone, never on the launch shape.
//
// A flip of spin i costs x = beta * dE with dE = 2 s_i I_i. It is accepted when x < theta(u), a
// threshold drawn from u ~ U(0, 1):
//   Metropolis: theta = -log(u)          => P(flip) = min(1, exp(-x))
//   Gibbs:      theta = log((1 - u) / u) => P(flip) = 1 / (1 + exp(x))
// With u in [2^-54, 1 - 2^-54], |theta| < 38, so x >= 38 can never flip: no draw is needed.

typedef unsigned int u32;
typedef unsigned long long u64;

#define TILE 32
#define NEVER_FLIPS 38.0
#define INIT_SWEEP 0xFFFFFFFFFFFFFFFFull
// Launch bounds cap registers so the host's block sizes always fit: keep them in sync with
// the block sizes in anneal.rs (sparse_block <= 512 threads, the others 256).

struct Philox {
    u32 x, y, z, w;
};

// Philox4x32-10 (Salmon et al., SC'11): 10 rounds of two 32x32->64 multiplies.
__device__ __forceinline__ Philox philox(u64 sweep, u32 spin, u32 read, u32 k0, u32 k1) {
    Philox c = {(u32)sweep, (u32)(sweep >> 32), spin, read};
#pragma unroll
    for (int round = 0; round < 10; ++round) {
        u32 hi0 = __umulhi(0xD2511F53u, c.x), lo0 = 0xD2511F53u * c.x;
        u32 hi1 = __umulhi(0xCD9E8D57u, c.z), lo1 = 0xCD9E8D57u * c.z;
        Philox n = {hi1 ^ c.y ^ k0, lo1, hi0 ^ c.w ^ k1, lo0};
        c = n;
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
    return c;
}

// Uniform in (0, 1) with 53 random bits, never 0 or 1 (both thresholds stay finite).
__device__ __forceinline__ double uniform(Philox c) {
    u64 m = ((u64)(c.x >> 6) << 27) | (u64)(c.y >> 5);
    return ((double)m + 0.5) * 1.1102230246251565e-16;  // 2^-53
}

__device__ __forceinline__ double threshold(u64 sweep, u32 spin, u32 read, u32 k0, u32 k1, int gibbs) {
    double u = uniform(philox(sweep, spin, read, k0, k1));
    return gibbs ? log((1.0 - u) / u) : -log(u);
}

// Decide spin i of one read from its neighbours' current values (pull: no field is stored, so
// same-coloured spins, which share no coupling, update in parallel without atomics).
__device__ __forceinline__ void update_sparse(
    u32 i, signed char* S, const u64* __restrict__ indptr, const u32* __restrict__ indices,
    const double* __restrict__ data, const double* __restrict__ h, double beta, u64 sweep, u32 read,
    u32 k0, u32 k1, int gibbs) {
    double f = h[i];
    u64 end = indptr[i + 1];
    for (u64 k = indptr[i]; k < end; ++k) f += data[k] * (double)S[indices[k]];
    int s = S[i];
    double x = beta * 2.0 * (double)s * f;
    if (x >= NEVER_FLIPS) return;
    if (!gibbs && x <= 0.0) {
        S[i] = (signed char)(-s);
        return;
    }
    if (x < threshold(sweep, i, read, k0, k1, gibbs)) S[i] = (signed char)(-s);
}

// Random +-1 start states for reads [read0, read0 + reads), from the reserved sweep counter.
extern "C" __global__ void __launch_bounds__(256) random_spins(signed char* spins, u32 n, u32 reads, u32 read0, u32 k0, u32 k1) {
    u64 total = (u64)n * reads;
    for (u64 idx = (u64)blockIdx.x * blockDim.x + threadIdx.x; idx < total; idx += (u64)gridDim.x * blockDim.x) {
        u32 r = (u32)(idx / n), i = (u32)(idx % n);
        Philox c = philox(INIT_SWEEP, i, read0 + r, k0, k1);
        spins[idx] = (c.x >> 31) ? 1 : -1;
    }
}

// Sparse, one block per read: all sweeps of steps [step_begin, step_end), colour class by
// colour class, a barrier between classes. Spins live in shared memory when use_shared.
extern "C" __global__ void __launch_bounds__(512) sparse_block(
    signed char* spins, u32 n, const u64* __restrict__ indptr, const u32* __restrict__ indices,
    const double* __restrict__ data, const double* __restrict__ h, const u32* __restrict__ class_start,
    u32 num_classes, const double* __restrict__ betas, u32 step_begin, u32 step_end, u32 sweeps_per_beta,
    u32 k0, u32 k1, u32 read0, int gibbs, int use_shared) {
    extern __shared__ double shared_words[];
    signed char* global_row = spins + (u64)blockIdx.x * n;
    signed char* S = use_shared ? (signed char*)shared_words : global_row;
    u32 read = read0 + blockIdx.x;
    if (use_shared) {
        for (u32 i = threadIdx.x; i < n; i += blockDim.x) S[i] = global_row[i];
        __syncthreads();
    }
    for (u32 step = step_begin; step < step_end; ++step) {
        double beta = betas[step];
        for (u32 w = 0; w < sweeps_per_beta; ++w) {
            u64 sweep = (u64)step * sweeps_per_beta + w;
            for (u32 c = 0; c < num_classes; ++c) {
                u32 end = class_start[c + 1];
                for (u32 i = class_start[c] + threadIdx.x; i < end; i += blockDim.x)
                    update_sparse(i, S, indptr, indices, data, h, beta, sweep, read, k0, k1, gibbs);
                __syncthreads();
            }
        }
    }
    if (use_shared) {
        for (u32 i = threadIdx.x; i < n; i += blockDim.x) global_row[i] = S[i];
    }
}

// Sparse, one launch per colour class of one sweep: grid (spins of the class, reads). For large
// models with few reads, where one block per read would leave most of the GPU idle.
extern "C" __global__ void __launch_bounds__(256) sparse_class(
    signed char* spins, u32 n, const u64* __restrict__ indptr, const u32* __restrict__ indices,
    const double* __restrict__ data, const double* __restrict__ h, u32 class_begin, u32 class_end,
    double beta, u64 sweep, u32 k0, u32 k1, u32 read0, int gibbs) {
    u32 i = class_begin + blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= class_end) return;
    update_sparse(i, spins + (u64)blockIdx.y * n, indptr, indices, data, h, beta, sweep, read0 + blockIdx.y,
                  k0, k1, gibbs);
}

// Dense, one block per read, sequential single-spin updates in tiles of 32 spins:
//  1. the block stages J[tile, tile] in shared memory;
//  2. warp 0 decides the tile's 32 spins in order, each lane keeping its spin's field up to date
//     with the earlier flips of the tile (a ballot + a shuffle per spin);
//  3. the whole block adds the tile's flips to every field: F[k] += sum_j d_j J[j, k] (rows of
//     flipped spins only, coalesced over k).
// Fields are rebuilt from the spins at the start of each launch (clears rounding drift). F and S
// live in shared memory when use_shared, else in global memory (fields: reads x n doubles).
extern "C" __global__ void __launch_bounds__(256) dense_block(
    signed char* spins, double* fields, u32 n, const double* __restrict__ J, const double* __restrict__ h,
    const double* __restrict__ betas, u32 step_begin, u32 step_end, u32 sweeps_per_beta, u32 k0, u32 k1,
    u32 read0, int gibbs, int use_shared) {
    extern __shared__ double shared_words[];
    __shared__ int any_flip;
    double* Jt = shared_words;               // TILE x TILE
    double* flip_delta = Jt + TILE * TILE;   // TILE: new - old spin of each tile flip, or 0
    signed char* global_row = spins + (u64)blockIdx.x * n;
    double* F = use_shared ? flip_delta + TILE : fields + (u64)blockIdx.x * n;
    signed char* S = use_shared ? (signed char*)(flip_delta + TILE + n) : global_row;
    u32 read = read0 + blockIdx.x;
    u32 lane = threadIdx.x;

    if (use_shared) {
        for (u32 i = threadIdx.x; i < n; i += blockDim.x) S[i] = global_row[i];
        __syncthreads();
    }
    // F = h + J s, by columns (J is symmetric): coalesced over k.
    for (u32 k = threadIdx.x; k < n; k += blockDim.x) {
        double acc = h[k];
        for (u32 j = 0; j < n; ++j) acc += J[(u64)j * n + k] * (double)S[j];
        F[k] = acc;
    }
    __syncthreads();

    for (u32 step = step_begin; step < step_end; ++step) {
        double two_beta = 2.0 * betas[step];
        for (u32 w = 0; w < sweeps_per_beta; ++w) {
            u64 sweep = (u64)step * sweeps_per_beta + w;
            for (u32 i0 = 0; i0 < n; i0 += TILE) {
                u32 len = n - i0 < TILE ? n - i0 : TILE;
                for (u32 idx = threadIdx.x; idx < TILE * TILE; idx += blockDim.x) {
                    u32 a = idx / TILE, b = idx % TILE;
                    Jt[idx] = (a < len && b < len) ? J[(u64)(i0 + a) * n + i0 + b] : 0.0;
                }
                __syncthreads();
                if (threadIdx.x < TILE) {
                    bool valid = lane < len;
                    u32 i = i0 + lane;
                    double f = valid ? F[i] : 0.0;
                    int s = valid ? S[i] : 1;
                    double theta = valid ? threshold(sweep, i, read, k0, k1, gibbs) : -1.0e300;
                    double mine = 0.0;
                    for (u32 j = 0; j < len; ++j) {
                        bool flip = lane == j && two_beta * (double)s * f < theta;
                        if (__ballot_sync(0xFFFFFFFFu, flip)) {
                            double d = __shfl_sync(0xFFFFFFFFu, -2.0 * (double)s, j);
                            if (lane == j) {
                                mine = d;
                                s = -s;
                            }
                            f += d * Jt[j * TILE + lane];
                        }
                    }
                    if (valid) S[i] = (signed char)s;
                    flip_delta[lane] = mine;
                    unsigned any = __ballot_sync(0xFFFFFFFFu, mine != 0.0);
                    if (lane == 0) any_flip = any != 0u;
                }
                __syncthreads();
                if (any_flip) {
                    for (u32 k = threadIdx.x; k < n; k += blockDim.x) {
                        double acc = 0.0;
                        for (u32 j = 0; j < len; ++j) {
                            double d = flip_delta[j];
                            if (d != 0.0) acc += d * J[(u64)(i0 + j) * n + k];
                        }
                        F[k] += acc;
                    }
                }
                __syncthreads();
            }
        }
    }
    if (use_shared) {
        for (u32 i = threadIdx.x; i < n; i += blockDim.x) global_row[i] = S[i];
    }
}
