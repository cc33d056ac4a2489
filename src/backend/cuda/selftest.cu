// The backend's own kernels, for its tests of compilation and caching, launch helpers and the CPU
// emulation; no domain uses them.

typedef unsigned int u32;
typedef unsigned long long u64;

// y <- a x + y over n elements, grid-stride: any grid covers every element once.
extern "C" __global__ void axpy(double a, const double* __restrict__ x, double* __restrict__ y, u64 n) {
    for (u64 i = (u64)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (u64)gridDim.x * blockDim.x)
        y[i] = a * x[i] + y[i];
}

// out[b] = the sum of block b's blockDim.x elements of x (zero past n), by a tree in dynamic shared
// memory of blockDim.x doubles (blockDim.x a power of two).
extern "C" __global__ void block_sum(const double* __restrict__ x, u64 n, double* __restrict__ out) {
    extern __shared__ double partial[];
    u32 t = threadIdx.x;
    u64 i = (u64)blockIdx.x * blockDim.x + t;
    partial[t] = i < n ? x[i] : 0.0;
    __syncthreads();
    for (u32 s = blockDim.x / 2; s > 0; s >>= 1) {
        if (t < s) partial[t] += partial[t + s];
        __syncthreads();
    }
    if (t == 0) out[blockIdx.x] = partial[0];
}
