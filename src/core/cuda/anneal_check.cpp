// CPU check of anneal.cu, for machines without a GPU: runs the real kernel source under the
// emulation of CUDA blocks in backend/cuda/emulator.h (one fiber per thread, switched at
// __syncthreads and warp intrinsics) and compares the samples with exact Boltzmann distributions.
// The Rust test `core::cuda::tests::kernels_pass_the_cpu_emulation` builds it with g++ and runs it.
// It checks the kernels' logic (RNG, acceptance rule, colour-class and tile bookkeeping,
// barrier placement); not NVRTC, the memory model of a real GPU, nor performance.

#include "emulator.h"

alignas(16) double shared_words[(256 * 1024) / 8];

#include "anneal_emulated.cu"

// ---------------------------------------------------------------------------------------------

typedef std::vector<double> Vec;

// A model in engine order: dense J (zero diagonal) plus, for sparse runs, CSR and colour classes.
struct Model {
    u32 n;
    Vec J, h;
    std::vector<u64> indptr;
    std::vector<u32> indices, class_start;
    Vec data;
};

// Greedy colouring, then renumber so each class is contiguous (as the Rust engine does).
static Model engine_order(u32 n, const Vec& J, const Vec& h) {
    std::vector<int> colour(n, -1);
    for (u32 i = 0; i < n; ++i) {
        int c = 0;
        for (bool clash = true; clash; c += clash) {
            clash = false;
            for (u32 j = 0; j < i; ++j) clash |= J[i * n + j] != 0.0 && colour[j] == c;
        }
        colour[i] = c;
    }
    std::vector<u32> perm(n);
    for (u32 i = 0; i < n; ++i) perm[i] = i;
    std::stable_sort(perm.begin(), perm.end(), [&](u32 a, u32 b) { return colour[a] < colour[b]; });
    Model m{n, Vec(n * n), Vec(n), {0}, {}, {}, {}};
    for (u32 a = 0; a < n; ++a) {
        m.h[a] = h[perm[a]];
        if (a == 0 || colour[perm[a]] != colour[perm[a - 1]]) m.class_start.push_back(a);
        for (u32 b = 0; b < n; ++b) {
            double w = J[perm[a] * n + perm[b]];
            m.J[a * n + b] = w;
            if (w != 0.0) {
                m.indices.push_back(b);
                m.data.push_back(w);
            }
        }
        m.indptr.push_back(m.indices.size());
    }
    m.class_start.push_back(n);
    return m;
}

static double energy(const Model& m, const signed char* s) {
    double e = 0;
    for (u32 i = 0; i < m.n; ++i) {
        e -= m.h[i] * s[i];
        for (u32 j = i + 1; j < m.n; ++j) e -= m.J[i * m.n + j] * s[i] * s[j];
    }
    return e;
}

// Boltzmann probabilities by state index (bit i set <=> spin i is +1).
static Vec exact(const Model& m, double beta) {
    Vec p(1u << m.n);
    std::vector<signed char> s(m.n);
    double z = 0;
    for (u32 k = 0; k < p.size(); ++k) {
        for (u32 i = 0; i < m.n; ++i) s[i] = (k >> i) & 1 ? 1 : -1;
        z += p[k] = std::exp(-beta * energy(m, s.data()));
    }
    for (double& x : p) x /= z;
    return p;
}

static double tv(const Vec& p, const std::vector<signed char>& spins, u32 n) {
    Vec q(p.size());
    u32 reads = spins.size() / n;
    for (u32 r = 0; r < reads; ++r) {
        u32 k = 0;
        for (u32 i = 0; i < n; ++i) k |= (spins[r * n + i] > 0) << i;
        q[k] += 1.0 / reads;
    }
    double d = 0;
    for (size_t k = 0; k < p.size(); ++k) d += std::fabs(p[k] - q[k]);
    return d / 2;
}

// TV of `reads` exact i.i.d. draws: the noise floor the kernels are held to.
static double tv_floor(const Vec& p, u32 reads, u32 n) {
    std::mt19937_64 rng(7);
    std::discrete_distribution<u32> draw(p.begin(), p.end());
    std::vector<signed char> s(reads * n);
    for (u32 r = 0; r < reads; ++r) {
        u32 k = draw(rng);
        for (u32 i = 0; i < n; ++i) s[r * n + i] = (k >> i) & 1 ? 1 : -1;
    }
    return tv(p, s, n);
}

struct Run {
    const Model& m;
    Vec betas;
    u32 sweeps = 1, k0 = 0x1234, k1 = 0xBEEF, reads;
    int gibbs;
};

static std::vector<signed char> random_start(const Run& r) {
    std::vector<signed char> s(r.reads * r.m.n);
    emu::launch(dim3{3, 1, 1}, dim3{1, 1, 1}, [&] { random_spins(s.data(), r.m.n, r.reads, 0, r.k0, r.k1); });
    return s;
}

static std::vector<signed char> run_sparse_block(const Run& r, unsigned threads, int shared, u32 chunk) {
    auto s = random_start(r);
    u32 steps = r.betas.size();
    for (u32 b = 0; b < steps; b += chunk)
        emu::launch(dim3{r.reads, 1, 1}, dim3{threads, 1, 1}, [&] {
            sparse_block(s.data(), r.m.n, r.m.indptr.data(), r.m.indices.data(), r.m.data.data(), r.m.h.data(),
                         r.m.class_start.data(), r.m.class_start.size() - 1, r.betas.data(), b, min(b + chunk, steps),
                         r.sweeps, r.k0, r.k1, 0, r.gibbs, shared);
        });
    return s;
}

static std::vector<signed char> run_sparse_class(const Run& r) {
    auto s = random_start(r);
    for (u32 step = 0; step < r.betas.size(); ++step)
        for (u32 w = 0; w < r.sweeps; ++w)
            for (size_t c = 0; c + 1 < r.m.class_start.size(); ++c) {
                u32 lo = r.m.class_start[c], hi = r.m.class_start[c + 1];
                // One thread per block: the grid's x covers the class.
                emu::launch(dim3{hi - lo, r.reads, 1}, dim3{1, 1, 1}, [&] {
                    sparse_class(s.data(), r.m.n, r.m.indptr.data(), r.m.indices.data(), r.m.data.data(), r.m.h.data(), lo,
                                 hi, r.betas[step], (u64)step * r.sweeps + w, r.k0, r.k1, 0, r.gibbs);
                });
            }
    return s;
}

static std::vector<signed char> run_dense(const Run& r, unsigned threads, int shared, u32 chunk) {
    auto s = random_start(r);
    Vec fields((size_t)r.reads * r.m.n);
    u32 steps = r.betas.size();
    for (u32 b = 0; b < steps; b += chunk)
        emu::launch(dim3{r.reads, 1, 1}, dim3{threads, 1, 1}, [&] {
            dense_block(s.data(), fields.data(), r.m.n, r.m.J.data(), r.m.h.data(), r.betas.data(), b,
                        min(b + chunk, steps), r.sweeps, r.k0, r.k1, 0, r.gibbs, shared);
        });
    return s;
}

// Couplings and fields are multiples of 1/8, so every field sum is exact and the dense kernel
// (incremental fields) and the sparse one (fields recomputed) must agree bit for bit.
static Model random_model(u32 n, double density, unsigned seed) {
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int> u(-8, 8);
    std::uniform_real_distribution<double> coin(0.0, 1.0);
    Vec J(n * n), h(n);
    for (u32 i = 0; i < n; ++i) {
        h[i] = u(rng) / 16.0;
        for (u32 j = i + 1; j < n; ++j)
            if (coin(rng) < density) J[i * n + j] = J[j * n + i] = u(rng) / 8.0;
    }
    return engine_order(n, J, h);
}

static void check_philox() {
    Philox a = philox(0, 0, 0, 0, 0);
    CHECK(a.x == 0x6627e8d5u && a.y == 0xe169c58du && a.z == 0xbc57ac4cu && a.w == 0x9b00dbd8u, "Philox KAT zeros");
    Philox b = philox(~0ull, ~0u, ~0u, ~0u, ~0u);
    CHECK(b.x == 0x408f276du && b.y == 0x41c83b0eu && b.z == 0xa20bc7c6u && b.w == 0x6d5451fdu, "Philox KAT ones");
    Philox c = philox(0x85a308d3243f6a88ull, 0x13198a2eu, 0x03707344u, 0xa4093822u, 0x299f31d0u);
    CHECK(c.x == 0xd16cfe09u && c.y == 0x94fdccebu && c.z == 0x5001e420u && c.w == 0x24126ea1u, "Philox KAT pi");
    double m1 = 0, m2 = 0, lo = 1, hi = 0;
    const int N = 1 << 20;
    for (int k = 0; k < N; ++k) {
        double x = uniform(philox(k, 3, 4, 5, 6));
        m1 += x / N;
        m2 += x * x / N;
        lo = min(lo, x);
        hi = std::max(hi, x);
    }
    CHECK(std::fabs(m1 - 0.5) < 2e-3 && std::fabs(m2 - 1.0 / 3) < 2e-3 && lo > 0 && hi < 1, "uniform moments %g %g", m1, m2);
}

static void check_sampling(const char* what, const Model& m, double beta, u32 sweeps,
                           std::vector<signed char> (*run)(const Run&), u32 reads) {
    for (int gibbs = 0; gibbs < 2; ++gibbs) {
        Run r{m, Vec(sweeps, beta), 1, 0x1234, 0xBEEF, reads, gibbs};
        Vec p = exact(m, beta);
        double d = tv(p, run(r), m.n), floor = tv_floor(p, reads, m.n);
        std::printf("%s %s: TV %.4f (i.i.d. exact draws: %.4f)\n", what, gibbs ? "gibbs" : "metropolis", d, floor);
        CHECK(d < 1.3 * floor + 0.01, "%s %s: TV %.4f vs noise floor %.4f", what, gibbs ? "gibbs" : "metropolis", d, floor);
    }
}

int main() {
    check_philox();

    // Sparse: a random graph with several colour classes.
    Model sparse = random_model(12, 0.25, 1);
    std::printf("sparse: %zu couplings, %zu colours\n", sparse.indices.size() / 2, sparse.class_start.size() - 1);
    CHECK(sparse.class_start.size() > 3, "want at least 3 colour classes");
    check_sampling("sparse_block", sparse, 0.8, 32, [](const Run& r) { return run_sparse_block(r, 1, 1, 5); }, 20000);
    check_sampling("sparse_class", sparse, 0.8, 32, run_sparse_class, 20000);
    {
        // Launch shape, chunking, shared/global spins and the per-class kernel: identical results.
        Run r{sparse, Vec(10, 0.8), 2, 5, 6, 64, 1};
        auto ref = run_sparse_block(r, 1, 1, 10);
        CHECK(ref == run_sparse_block(r, 1, 0, 3), "sparse_block: global spins or chunking changed the result");
        CHECK(ref == run_sparse_block(r, 64, 1, 4), "sparse_block: 64 threads changed the result");
        CHECK(ref == run_sparse_class(r), "sparse_class differs from sparse_block");
    }

    // Dense: every p-bit is its own colour class, so sparse_block sweeps in the same order with
    // the same random numbers: dense_block must reproduce it exactly (37 spins: two tiles, the
    // second partial), whatever the block size, chunking and field storage.
    for (int gibbs = 0; gibbs < 2; ++gibbs) {
        Model big = random_model(37, 1.0, 3);
        Run r{big, Vec(8, 0.4), 2, 9, 10, 8, gibbs};
        auto ref = run_sparse_block(r, 1, 1, 8);
        CHECK(ref == run_dense(r, 32, 1, 8), "dense_block differs from sequential sweeps");
        CHECK(ref == run_dense(r, 32, 0, 3), "dense_block: global fields or chunking changed the result");
        CHECK(ref == run_dense(r, 96, 1, 5), "dense_block: 96 threads changed the result");
    }
    Model dense = random_model(10, 1.0, 2);
    check_sampling("dense_block", dense, 0.5, 40, [](const Run& r) { return run_dense(r, 32, 1, 25); }, 1500);
    check_sampling("dense (sequential)", dense, 0.8, 100, [](const Run& r) { return run_sparse_block(r, 1, 1, 100); }, 20000);

    // A 2D 8x8 periodic ferromagnet anneals to -2 per spin.
    {
        u32 L = 8, n = L * L;
        Vec J(n * n), h(n);
        for (u32 x = 0; x < L; ++x)
            for (u32 y = 0; y < L; ++y) {
                u32 i = x * L + y, right = x * L + (y + 1) % L, down = ((x + 1) % L) * L + y;
                J[i * n + right] = J[right * n + i] = 1.0;
                J[i * n + down] = J[down * n + i] = 1.0;
            }
        Model m = engine_order(n, J, h);
        CHECK(m.class_start.size() == 3, "a periodic even lattice is bipartite");
        Vec betas;
        for (int k = 0; k < 300; ++k) betas.push_back(0.1 * std::pow(30.0, k / 299.0));
        for (int gibbs = 0; gibbs < 2; ++gibbs) {
            Run r{m, betas, 1, 1, 2, 50, gibbs};
            auto s = run_sparse_block(r, 1, 1, 64);
            int ground = 0;
            for (u32 k = 0; k < r.reads; ++k) ground += energy(m, &s[k * n]) == -2.0 * n;
            std::printf("ferromagnet %s: %d of %u reads at -2/spin\n", gibbs ? "gibbs" : "metropolis", ground, r.reads);
            CHECK(ground * 2 > (int)r.reads, "most reads should reach the ground state");
        }
    }
    std::printf("%s\n", failures ? "kernel check FAILED" : "kernel check passed");
    return failures ? 1 : 0;
}
