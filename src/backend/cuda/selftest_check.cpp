// CPU check of selftest.cu under the emulation of CUDA blocks (emulator.h): axpy over several
// grid shapes, block_sum over several block sizes with a partial last block. The values are small
// integers, so every result is exact.

#include "emulator.h"

alignas(16) double partial[1024];

#include "selftest_emulated.cu"

int main() {
    const unsigned shapes[][2] = {{1, 1}, {1, 32}, {3, 64}, {100, 256}};
    for (u64 n : {1ull, 37ull, 1000ull}) {
        for (const auto& shape : shapes) {
            std::vector<double> x(n), y(n);
            for (u64 i = 0; i < n; ++i) {
                x[i] = (double)i;
                y[i] = 2.0 * i + 1.0;
            }
            emu::launch(dim3{shape[0], 1, 1}, dim3{shape[1], 1, 1}, [&] { axpy(3.0, x.data(), y.data(), n); });
            for (u64 i = 0; i < n; ++i)
                CHECK(y[i] == 5.0 * i + 1.0, "axpy n=%llu grid %u x %u: y[%llu] = %g", n, shape[0], shape[1], i, y[i]);
        }
    }
    for (unsigned threads : {1u, 2u, 32u, 256u}) {
        const u64 n = 3 * threads + threads / 2 + 1;
        const unsigned blocks = (unsigned)((n + threads - 1) / threads);
        std::vector<double> x(n), out(blocks, NAN);
        for (u64 i = 0; i < n; ++i) x[i] = (double)(i % 7) - 3.0;
        emu::launch(dim3{blocks, 1, 1}, dim3{threads, 1, 1}, [&] { block_sum(x.data(), n, out.data()); });
        for (unsigned b = 0; b < blocks; ++b) {
            double want = 0;
            for (u64 i = (u64)b * threads; i < std::min(n, (u64)(b + 1) * threads); ++i) want += x[i];
            CHECK(out[b] == want, "block_sum %u threads: block %u gave %g, want %g", threads, b, out[b], want);
        }
    }
    std::printf("%s\n", failures ? "selftest kernel check FAILED" : "selftest kernel check passed");
    return failures ? 1 : 0;
}
