// CPU check of qaoa.cu, for machines without a GPU: runs the real kernel source under the emulation
// of CUDA blocks in backend/cuda/emulator.h, with the host logic of simulator.rs (passes, launch
// shapes, summation order) transcribed below, on the cases the Rust test
// `qaoa_kernels_pass_the_cpu_emulation` writes to the file named by argv[1]: a cost diagonal, angles, and the CPU simulator's <C> and statevector.
// Each case runs with several tile sizes k (tile only, tile + one or two high-qubit passes, the
// high passes with full and partial groups) and two partial-sum fan-ins, and must agree with the
// CPU to 1e-12. It checks the kernels' indexing, barriers, phase, mixer and reductions; not NVRTC,
// the memory model of a real GPU, nor performance.

#include "emulator.h"

#include <fstream>

alignas(16) double2 qaoa_tile[1 << 11];

#include "qaoa_emulated.cu"

typedef std::vector<double> Vec;

// As in simulator.rs.
static const u32 SUM_FAN_OUT = 1024;
static const u32 HIGH_BLOCK = 256;

struct Case {
    u32 n = 0;
    Vec gammas, betas, cost;
    double expectation = 0;
    std::vector<double2> state;
};

// One evaluation as simulator.rs runs it: per layer a low pass over tiles of 2^k, then high passes of up
// to GBITS qubits; the last pass writes per-block partial sums, qaoa_sum adds runs of them, and the
// host adds those in order. psi starts as NaN: layer 1 must not read it.
static double evaluate(const Case& c, u32 k, u32 fan_out, std::vector<double2>& psi) {
    u32 n = c.n, p = c.gammas.size(), layers = p ? p : 1;
    psi.assign(1ull << n, double2{NAN, NAN});
    u32 e = min(k, (u32)RBITS);
    double amp = std::pow(0.5, n / 2.0);
    u64 high_threads = n > k ? 1ull << (n - GBITS) : 0;
    u32 high_block = (u32)min<u64>(HIGH_BLOCK, high_threads);
    u64 parts = n > k ? high_threads / high_block : 1ull << (n - k);
    Vec partials(parts, NAN);
    for (u32 l = 0; l < layers; ++l) {
        double gamma = p ? c.gammas[l] : 0.0, cb = p ? std::cos(c.betas[l]) : 1.0, sb = p ? std::sin(c.betas[l]) : 0.0;
        bool last = l + 1 == layers;
        int reduce = last && n == k;
        emu::launch(dim3{1u << (n - k), 1, 1}, dim3{1u << (k - e), 1, 1}, [&] {
            qaoa_low(psi.data(), c.cost.data(), k, gamma, cb, sb, l == 0, amp, reduce, partials.data());
        });
        for (u32 lo = k; lo < n;) {
            u32 m = min((u32)GBITS, n - lo);
            int reduce_high = last && lo + m == n;
            emu::launch(dim3{(u32)(high_threads / high_block), 1, 1}, dim3{high_block, 1, 1}, [&] {
                qaoa_high(psi.data(), c.cost.data(), n, lo, m, cb, sb, reduce_high, partials.data());
            });
            lo += m;
        }
    }
    u64 per = (parts + fan_out - 1) / fan_out, outs = (parts + per - 1) / per;
    Vec sums(outs, NAN);
    emu::launch(dim3{(u32)((outs + 255) / 256), 1, 1}, dim3{256, 1, 1},
                [&] { qaoa_sum(partials.data(), parts, per, sums.data(), outs); });
    double total = 0.0;
    for (double s : sums) total += s;
    return total;
}

static bool read_case(std::istream& in, Case& c) {
    u32 p;
    if (!(in >> c.n >> p)) return false;
    c.gammas.resize(p);
    c.betas.resize(p);
    c.cost.resize(1ull << c.n);
    c.state.resize(1ull << c.n);
    for (double& g : c.gammas) in >> g;
    for (double& b : c.betas) in >> b;
    in >> c.expectation;
    for (double& x : c.cost) in >> x;
    for (double2& a : c.state) in >> a.x >> a.y;
    if (!in) {
        std::printf("FAIL: truncated case n=%u p=%u\n", c.n, p);
        ++failures;
        return false;
    }
    return true;
}

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: qaoa_check CASES\n");
        return 2;
    }
    std::ifstream in(argv[1]);
    Case c;
    int cases = 0, runs = 0, high_runs = 0;
    double worst_e = 0, worst_amp = 0;
    while (read_case(in, c)) {
        ++cases;
        double scale = 1.0;
        for (double x : c.cost) scale = std::max(scale, std::fabs(x));
        std::vector<double2> psi;
        // k = 5: the smallest tile with high passes (lo >= 5 keeps the lanes on qubits 0..4); 7: one
        // shared-memory round of 3 and one of 1; 11: the production tile.
        u32 previous = 0;
        for (u32 tile : {5u, 7u, 11u}) {
            u32 k = min(c.n, tile);
            if (k == previous) continue;
            previous = k;
            for (u32 fan_out : {SUM_FAN_OUT, 3u}) {
                double e = evaluate(c, k, fan_out, psi);
                ++runs;
                high_runs += c.n > k;
                double de = std::fabs(e - c.expectation), da = 0;
                for (size_t i = 0; i < psi.size(); ++i)
                    da = std::max({da, std::fabs(psi[i].x - c.state[i].x), std::fabs(psi[i].y - c.state[i].y)});
                worst_e = std::max(worst_e, de / scale);
                worst_amp = std::max(worst_amp, da);
                CHECK(de <= 1e-12 * scale, "n=%u p=%zu k=%u fan-out %u: <C> %.17g, CPU %.17g", c.n, c.gammas.size(), k,
                      fan_out, e, c.expectation);
                CHECK(da <= 1e-12, "n=%u p=%zu k=%u: amplitudes differ from the CPU by %.3g", c.n, c.gammas.size(), k, da);
            }
        }
        // Probabilities of the last state, in two chunks as the host copies them (offset views).
        size_t len = psi.size(), half = (len + 1) / 2;
        Vec probs(len, NAN);
        for (size_t off = 0; off < len; off += half) {
            u64 count = min(half, len - off);
            emu::launch(dim3{(u32)((count + 255) / 256), 1, 1}, dim3{256, 1, 1},
                        [&] { qaoa_probabilities(psi.data() + off, count, probs.data() + off); });
        }
        double dp = 0;
        for (size_t i = 0; i < len; ++i)
            dp = std::max(dp, std::fabs(probs[i] - (psi[i].x * psi[i].x + psi[i].y * psi[i].y)));
        CHECK(dp == 0, "n=%u: qaoa_probabilities differs from |a|^2 by %.3g", c.n, dp);
    }
    CHECK(cases > 0, "no cases read from %s", argv[1]);
    CHECK(high_runs > 0, "no case exercised qaoa_high");
    std::printf("qaoa: %d cases, %d runs (%d with high-qubit passes); worst |<C> - CPU| / max(1, |c|) %.2e, worst "
                "amplitude difference %.2e\n",
                cases, runs, high_runs, worst_e, worst_amp);
    std::printf("%s\n", failures ? "qaoa kernel check FAILED" : "qaoa kernel check passed");
    return failures ? 1 : 0;
}
