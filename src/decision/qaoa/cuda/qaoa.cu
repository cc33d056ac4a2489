// QAOA statevector kernels of quantumpanarchy.decision, compiled at run time by NVRTC as a module of
// their own (backend/cuda). The CPU reference is decision/qaoa/statevector.rs; the host side is
// simulator.rs, and qaoa_check.cpp runs this file on the CPU under an emulation of CUDA blocks.
//
// The state is 2^n amplitudes as double2 (x = re, y = im); index bit i is qubit i. A layer is
// e^{-i beta sum_q X_q} e^{-i gamma C}, done in 1 + ceil((n - k) / GBITS) passes over the state:
//
//   qaoa_low   one pass. A block owns a tile of 2^k consecutive amplitudes (k <= 11: 32 KiB of
//              shared memory), applies the phase a <- a e^{-i gamma c} as it loads them, then the
//              mixer on qubits 0..k-1, RBITS qubits per round: a thread holds 2^RBITS amplitudes
//              that differ in the round's qubits and rotates them in registers; the tile waits in
//              shared memory between rounds. The first round takes the tile's top qubits straight
//              from global memory, the later ones go up from qubit 0, so both the load and the
//              store have consecutive lanes on consecutive amplitudes. On layer 1 the state is not
//              read: every amplitude starts as 2^{-n/2} (|+>^n).
//   qaoa_high  one pass per group of up to GBITS qubits >= k: a thread holds the 2^GBITS
//              amplitudes that differ in the group's qubits and rotates them in registers (lanes
//              on qubits 0..4: coalesced).
//
// <C> = sum_x |a_x|^2 c_x is formed by the last pass of an evaluation, which reads the cost again:
// each block sums its amplitudes in a fixed order (per thread, then a tree over the threads) into
// partials[block]; qaoa_sum adds fixed runs of partials; the host adds those in index order. Every
// step's order depends on n only, so results are the same from run to run.
//
// Bytes moved, N = 2^n: the low pass reads 16N of state (not on layer 1) and 8N of cost and writes
// 16N; each high pass reads and writes 16N; the last pass reads 8N of cost besides. One evaluation
// at depth p >= 1 moves N * (24 + 40 (p - 1) + 32 p ceil((n - k) / GBITS) + 8) bytes.
//
// The tile goes through shared memory at swz(index), an XOR swizzle that puts the eight amplitudes
// a quarter-warp touches in eight different 16-byte bank groups in every round of the k = 11 tile
// (without it the round on qubits 0..2 would be an 8-way bank conflict).

typedef unsigned int u32;
typedef unsigned long long u64;

// Qubits mixed in registers per shared-memory round of qaoa_low, and per pass of qaoa_high.
#define RBITS 3
#define GBITS 5
#define RSIZE (1 << RBITS)
#define GSIZE (1 << GBITS)
// Threads per block, at most (qaoa_low: 2^(k - RBITS), so k <= 11; qaoa_high: up to 256).
#define MAX_THREADS 256

// The pair (a, b) of amplitudes that differ in one qubit, bit clear / set: e^{-i beta X} with
// (c, s) = (cos beta, sin beta), i.e. a <- c a - i s b, b <- c b - i s a.
__device__ __forceinline__ void mix_pair(double2& a, double2& b, double c, double s) {
    double ar = a.x, ai = a.y, br = b.x, bi = b.y;
    a.x = c * ar + s * bi;
    a.y = c * ai - s * br;
    b.x = c * br + s * ai;
    b.y = c * bi - s * ar;
}

// The mixer on the first m (<= BITS) bits of the register index, bit by bit in ascending order.
// Fully unrolled, so every register index is a constant and x stays in registers.
template <int BITS>
__device__ __forceinline__ void mix_registers(double2* x, u32 m, double c, double s) {
#pragma unroll
    for (int j = 0; j < BITS; ++j) {
        if ((u32)j < m) {
#pragma unroll
            for (int v = 0; v < (1 << BITS); ++v)
                if (!(v & (1 << j))) mix_pair(x[v], x[v | (1 << j)], c, s);
        }
    }
}

// Where element v of thread t sits when a round mixes the m bits [lo, lo + m): v's low m bits
// are those bits; the other bits hold t (tbits of them, lowest first, so lanes vary fastest in the
// lowest bits outside the group) then v's remaining high bits.
__device__ __forceinline__ u64 place(u64 t, u32 v, u32 lo, u32 m, u32 tbits) {
    u64 other = t | ((u64)(v >> m) << tbits);
    u64 spread = (other & ((1ull << lo) - 1)) | ((other >> lo) << (lo + m));
    return spread | ((u64)(v & ((1u << m) - 1)) << lo);
}

__device__ __forceinline__ double2 cplx(double re, double im) {
    double2 a;
    a.x = re;
    a.y = im;
    return a;
}

__device__ __forceinline__ u32 swz(u32 i) { return i ^ ((i >> 3) & 7); }

// Sum over the block's threads, in the same order for every launch (blockDim.x a power of two).
__device__ double block_sum(double x) {
    __shared__ double red[MAX_THREADS];
    u32 t = threadIdx.x;
    red[t] = x;
    __syncthreads();
    for (u32 s = blockDim.x / 2; s > 0; s >>= 1) {
        if (t < s) red[t] += red[t + s];
        __syncthreads();
    }
    return red[0];
}

// Cost phase and mixer on qubits 0..k-1. Grid: 2^(n - k) blocks of 2^(k - e) threads, e =
// min(k, RBITS); dynamic shared memory: 2^k double2. fresh: start from amp (layer 1) instead of
// reading psi. reduce: also write the block's sum of |a|^2 c to partials[blockIdx.x].
extern "C" __global__ void __launch_bounds__(MAX_THREADS) qaoa_low(
    double2* __restrict__ psi, const double* __restrict__ cost, u32 k, double gamma, double cb, double sb,
    int fresh, double amp, int reduce, double* __restrict__ partials) {
    extern __shared__ double2 qaoa_tile[];
    const u32 t = threadIdx.x;
    const u32 e = k < RBITS ? k : RBITS;
    const u32 tbits = k - e;
    const u32 elems = 1u << e;
    const u64 base = (u64)blockIdx.x << k;
    double2 x[RSIZE];
    // Round 0: the top e qubits of the tile, straight from global memory, phase on the way in.
    u32 lo = tbits, m = e;
#pragma unroll
    for (int v = 0; v < RSIZE; ++v) {
        x[v] = cplx(0.0, 0.0);
        if ((u32)v < elems) {
            u64 i = base + place(t, v, lo, m, tbits);
            double2 a = fresh ? cplx(amp, 0.0) : psi[i];
            double sn, cs;
            sincos(gamma * cost[i], &sn, &cs);
            // a e^{-i gamma c} = a (cos - i sin)
            x[v] = cplx(a.x * cs + a.y * sn, a.y * cs - a.x * sn);
        }
    }
    mix_registers<RBITS>(x, m, cb, sb);
    // Then qubits 0..tbits-1, up to RBITS a round, through shared memory. A thread writes back
    // exactly the places it read, so one barrier per round (after the writes) is enough.
    for (u32 done = 0; done < tbits; done += m) {
#pragma unroll
        for (int v = 0; v < RSIZE; ++v)
            if ((u32)v < elems) qaoa_tile[swz((u32)place(t, v, lo, m, tbits))] = x[v];
        __syncthreads();
        lo = done;
        m = tbits - done < RBITS ? tbits - done : RBITS;
#pragma unroll
        for (int v = 0; v < RSIZE; ++v)
            if ((u32)v < elems) x[v] = qaoa_tile[swz((u32)place(t, v, lo, m, tbits))];
        mix_registers<RBITS>(x, m, cb, sb);
    }
    double acc = 0.0;
#pragma unroll
    for (int v = 0; v < RSIZE; ++v) {
        if ((u32)v < elems) {
            u64 i = base + place(t, v, lo, m, tbits);
            psi[i] = x[v];
            if (reduce) acc += (x[v].x * x[v].x + x[v].y * x[v].y) * cost[i];
        }
    }
    if (reduce) {
        double total = block_sum(acc);
        if (t == 0) partials[blockIdx.x] = total;
    }
}

// Mixer on the qubits [lo, lo + m), m <= GBITS, lo >= 5. Grid: 2^(n - GBITS) threads in blocks of
// min(256, 2^(n - GBITS)). reduce: also write the block's sum of |a|^2 c to partials[blockIdx.x].
extern "C" __global__ void __launch_bounds__(MAX_THREADS) qaoa_high(
    double2* __restrict__ psi, const double* __restrict__ cost, u32 n, u32 lo, u32 m, double cb, double sb,
    int reduce, double* __restrict__ partials) {
    const u64 t = (u64)blockIdx.x * blockDim.x + threadIdx.x;
    const u32 tbits = n - GBITS;
    double2 x[GSIZE];
#pragma unroll
    for (int v = 0; v < GSIZE; ++v) x[v] = psi[place(t, v, lo, m, tbits)];
    mix_registers<GBITS>(x, m, cb, sb);
    double acc = 0.0;
#pragma unroll
    for (int v = 0; v < GSIZE; ++v) {
        u64 i = place(t, v, lo, m, tbits);
        psi[i] = x[v];
        if (reduce) acc += (x[v].x * x[v].x + x[v].y * x[v].y) * cost[i];
    }
    if (reduce) {
        double total = block_sum(acc);
        if (threadIdx.x == 0) partials[blockIdx.x] = total;
    }
}

// out[j] = in[j * per] + ... + in[min(len, (j + 1) * per) - 1], left to right, for j < outs.
extern "C" __global__ void __launch_bounds__(256) qaoa_sum(
    const double* __restrict__ in, u64 len, u64 per, double* __restrict__ out, u64 outs) {
    u64 j = (u64)blockIdx.x * blockDim.x + threadIdx.x;
    if (j >= outs) return;
    u64 end = (j + 1) * per < len ? (j + 1) * per : len;
    double s = 0.0;
    for (u64 i = j * per; i < end; ++i) s += in[i];
    out[j] = s;
}

// out[i] = |psi[i]|^2 for i < len.
extern "C" __global__ void __launch_bounds__(256) qaoa_probabilities(
    const double2* __restrict__ psi, u64 len, double* __restrict__ out) {
    u64 i = (u64)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < len) out[i] = psi[i].x * psi[i].x + psi[i].y * psi[i].y;
}
