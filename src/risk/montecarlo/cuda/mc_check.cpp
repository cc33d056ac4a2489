// CPU check of mc.cu, for machines without a GPU: runs the real kernel source under the emulation
// of CUDA blocks (backend/cuda/emulator.h) and compares its losses and scenarios bit for bit with
// those of the Rust engine, which the test `risk::montecarlo::cuda::tests` writes to the file given
// as the first argument. Built with g++ -std=c++17 (ISO mode: no contraction into fused
// multiply-adds, as NVRTC's --fmad=false).

#include <cstring>

#include "emulator.h"

static long long __double_as_longlong(double x) {
    long long v;
    std::memcpy(&v, &x, 8);
    return v;
}
static double __longlong_as_double(long long v) {
    double x;
    std::memcpy(&x, &v, 8);
    return x;
}
using std::floor;
using std::sqrt;

#include "mc_emulated.cu"

template <class T>
static std::vector<T> read(FILE* f, size_t n) {
    std::vector<T> v(n);
    if (n && std::fread(v.data(), sizeof(T), n, f) != n) {
        std::printf("FAIL: short input file\n");
        std::exit(2);
    }
    return v;
}

static unsigned long long bits(double x) { return (unsigned long long)__double_as_longlong(x); }

int main(int argc, char** argv) {
    if (argc < 2) return 2;
    FILE* f = std::fopen(argv[1], "rb");
    if (!f) return 2;
    auto h = read<u64>(f, 8);
    u32 d = (u32)h[0], rank = (u32)h[1], k0 = (u32)h[5], k1 = (u32)h[6];
    int student = (int)h[2], keep = (int)h[7];
    u64 count = h[3], first = h[4];
    auto c = read<double>(f, 3);
    auto mean_h = read<double>(f, d);
    auto rows = read<double>(f, (size_t)d * rank);
    auto len = read<u32>(f, d);
    auto weights = read<double>(f, d);
    auto want_losses = read<double>(f, count);
    auto want_x = read<double>(f, keep ? count * d : 0);
    std::fclose(f);

    std::vector<double> losses(count, NAN), x(keep ? count * d : 1, NAN), sums(count, NAN);
    // a grid smaller than the work, so the grid-stride loop runs several rounds
    emu::launch(dim3{3, 1, 1}, dim3{32, 1, 1}, [&] {
        mc_scenarios(k0, k1, first, count, d, rank, mean_h.data(), rows.data(), len.data(), weights.data(), student,
                     c[0], c[1], c[2], losses.data(), keep, x.data());
    });
    for (u64 j = 0; j < count; ++j)
        CHECK(bits(losses[j]) == bits(want_losses[j]), "loss of scenario %llu: %.17g, the CPU engine %.17g",
              first + j, losses[j], want_losses[j]);
    if (keep)
        for (u64 j = 0; j < count * d; ++j)
            CHECK(bits(x[j]) == bits(want_x[j]), "return %llu of scenario %llu: %.17g, the CPU engine %.17g", j % d,
                  first + j / d, x[j], want_x[j]);
    emu::launch(dim3{2, 1, 1}, dim3{64, 1, 1}, [&] {
        mc_normals_only(k0, k1, first, count, rank, student, c[0], c[1], c[2], sums.data());
    });
    for (u64 j = 0; j < count; ++j) CHECK(std::isfinite(sums[j]), "normals of scenario %llu", first + j);
    std::printf("mc kernel check (%llu scenarios, %u assets, rank %u, %s): %s\n", count, d, rank,
                student ? "student_t" : "normal", failures ? "FAILED" : "passed");
    return failures ? 1 : 0;
}
