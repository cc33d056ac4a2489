// A small emulation of CUDA blocks on the CPU, for checking kernels on machines without a GPU:
// one fiber per thread, switched at __syncthreads and warp intrinsics; blocks run one after the
// other. A check program includes this, then the kernel source with `extern __shared__` turned into
// `extern`, and defines the arrays that stand for dynamic shared memory; `backend::cuda::emulate`
// builds it with g++ and runs it. It checks a kernel's logic (indexing, barrier placement,
// arithmetic); not NVRTC, the memory model of a real GPU, nor performance.

#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <random>
#include <vector>

using std::log;
using std::min;

struct dim3 {
    unsigned x = 1, y = 1, z = 1;
};

namespace emu {
// Switch stacks: push the callee-saved registers, store the stack pointer in *from, load `to`,
// pop and return into the other fiber (x86-64 System V; ucontext's syscalls were 20x slower).
extern "C" void emu_switch(void** from, void* to);
asm(R"(
    .text
    .globl emu_switch
emu_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
)");

enum State { RUN, AT_BLOCK_BARRIER, AT_WARP_BARRIER, DONE };
struct Fiber {
    void* sp = nullptr;
    dim3 tid;
    State state = RUN;
    std::vector<char> stack;
};
void* scheduler_sp = nullptr;
std::vector<Fiber> fibers;
Fiber* current = nullptr;
dim3 thread_idx, block_idx, block_dim, grid_dim;
std::function<void()> body;
unsigned ballot_slot[1024];
double shfl_slot[1024];

void wait(State s) {
    current->state = s;
    emu_switch(&current->sp, scheduler_sp);
}
void entry() {
    body();
    current->state = DONE;
    emu_switch(&current->sp, scheduler_sp);  // never resumed
}
void fail(const char* what) {
    std::fprintf(stderr, "emulation error: %s\n", what);
    std::exit(2);
}

// A fresh stack whose first switch "returns" into entry() with the ABI's alignment.
void start(Fiber& f) {
    f.stack.assign(1 << 16, 0);
    uintptr_t top = ((uintptr_t)(f.stack.data() + f.stack.size())) & ~(uintptr_t)15;
    void** slot = (void**)(top - 16);
    slot[0] = (void*)&entry;
    f.sp = slot - 6;  // six zeroed callee-saved registers below the return address
}

// Run one block: every runnable fiber until it blocks, then release a full warp barrier or,
// when every live fiber waits at __syncthreads, the block barrier.
void run_block(unsigned threads) {
    if (threads == 1) {
        thread_idx = dim3{0, 0, 0};
        body();
        return;
    }
    fibers.assign(threads, Fiber{});
    for (unsigned t = 0; t < threads; ++t) {
        fibers[t].tid = dim3{t, 0, 0};
        start(fibers[t]);
    }
    for (;;) {
        for (Fiber& f : fibers) {
            if (f.state != RUN) continue;
            current = &f;
            thread_idx = f.tid;
            emu_switch(&scheduler_sp, f.sp);
        }
        bool released = false;
        for (unsigned w = 0; w * 32 < threads; ++w) {
            unsigned at = 0;
            for (unsigned l = w * 32; l < min(threads, w * 32 + 32); ++l) at += fibers[l].state == AT_WARP_BARRIER;
            if (at == 0) continue;
            if (at != min(threads - w * 32, 32u)) fail("warp intrinsic reached by only part of a warp");
            for (unsigned l = w * 32; l < w * 32 + at; ++l) fibers[l].state = RUN;
            released = true;
        }
        if (released) continue;
        unsigned live = 0, at_barrier = 0;
        for (Fiber& f : fibers) {
            live += f.state != DONE;
            at_barrier += f.state == AT_BLOCK_BARRIER;
        }
        if (live == 0) return;
        if (at_barrier != live) fail("deadlock");
        for (Fiber& f : fibers)
            if (f.state == AT_BLOCK_BARRIER) f.state = RUN;
    }
}

template <class K>
void launch(dim3 grid, dim3 block, K kernel) {
    grid_dim = grid;
    block_dim = block;
    body = kernel;
    for (unsigned y = 0; y < grid.y; ++y)
        for (unsigned x = 0; x < grid.x; ++x) {
            block_idx = dim3{x, y, 0};
            run_block(block.x);
        }
}
}  // namespace emu

#define threadIdx (emu::thread_idx)
#define blockIdx (emu::block_idx)
#define blockDim (emu::block_dim)
#define gridDim (emu::grid_dim)
#define __global__
#define __launch_bounds__(...)
#define __device__
#define __forceinline__ inline
#define __restrict__ __restrict
#define __shared__ static

void __syncthreads() {
    if (emu::block_dim.x > 1) emu::wait(emu::AT_BLOCK_BARRIER);
}
unsigned __umulhi(unsigned a, unsigned b) { return (unsigned)(((unsigned long long)a * b) >> 32); }
unsigned __ballot_sync(unsigned, bool pred) {
    unsigned lane = threadIdx.x % 32, base = threadIdx.x - lane;
    emu::ballot_slot[threadIdx.x] = pred;
    emu::wait(emu::AT_WARP_BARRIER);
    unsigned out = 0;
    for (unsigned l = 0; l < 32; ++l) out |= emu::ballot_slot[base + l] << l;
    emu::wait(emu::AT_WARP_BARRIER);
    return out;
}
double __shfl_sync(unsigned, double v, int src) {
    unsigned base = threadIdx.x - threadIdx.x % 32;
    emu::shfl_slot[threadIdx.x] = v;
    emu::wait(emu::AT_WARP_BARRIER);
    double out = emu::shfl_slot[base + src];
    emu::wait(emu::AT_WARP_BARRIER);
    return out;
}

// double2 as CUDA lays it out (16-byte aligned, so the emulated kernels see the same struct).
struct alignas(16) double2 {
    double x, y;
};

static int failures = 0;
#define CHECK(cond, ...)                                     \
    do {                                                     \
        if (!(cond)) {                                       \
            std::printf("FAIL %s:%d: ", __FILE__, __LINE__); \
            std::printf(__VA_ARGS__);                        \
            std::printf("\n");                               \
            ++failures;                                      \
        }                                                    \
    } while (0)
