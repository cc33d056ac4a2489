"""What `scripts/wheel_smoke.sh` runs inside the fresh virtualenv, with the machine's own BLAS
libraries hidden: the import, an annealing run, LAPACK-backed fits (QERC's ridge readout by
Cholesky and its reservoir's eigenvalues; IQAD's whitening by a symmetric eigendecomposition),
then where OpenBLAS was loaded from. Prints one line per check; any failure raises."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import quantumpanarchy
from quantumpanarchy import performance
from quantumpanarchy.core import PBitNetwork
from quantumpanarchy.decision import IQAD, QERC

package = Path(quantumpanarchy.__file__).parent
print(f"import: quantumpanarchy {quantumpanarchy.__version__} from {package}")
assert "site-packages" in str(package), "not the installed wheel"

n = 64
ring = PBitNetwork.from_sparse(np.arange(n), (np.arange(n) + 1) % n, np.ones(n), seed=1)
best = ring.anneal(num_reads=4, num_sweeps=200, seed=1).first
assert best.energy == -n, best.energy
print(f"anneal: ferromagnetic ring of {n} p-bits reaches its ground state, energy {best.energy:.0f}")

rng = np.random.default_rng(0)
t = np.arange(1200)
series = np.sin(0.05 * t) + 0.3 * np.sin(0.13 * t)
inputs, targets = series[:-1], series[1:]
model = QERC(n_reservoir=300, washout=50, seed=1).fit(inputs[:1000], targets[:1000])
# predict the whole series (the reservoir state warms up on the first part); score the unseen tail
error = np.sqrt(np.mean((model.predict(inputs)[1000:] - targets[1000:]) ** 2))
naive = np.sqrt(np.mean((inputs[1000:] - targets[1000:]) ** 2))
assert np.isfinite(error) and error < naive / 10, (error, naive)
print(f"LAPACK: QERC (Cholesky ridge readout, eigenvalue-scaled reservoir) RMSE {error:.1e}, naive {naive:.1e}")

X = rng.normal(size=(400, 6)) @ rng.normal(size=(6, 6))
detector = IQAD(n_hidden=8, n_epochs=5, seed=1).fit(X)
scores = detector.score_samples(X)
assert scores.shape == (400,) and np.all(np.isfinite(scores))
print("LAPACK: IQAD whitening (symmetric eigendecomposition) and scores are finite")

maps = Path("/proc/self/maps").read_text().splitlines()
loaded = sorted({line.split()[-1] for line in maps if line.split()[-1].startswith("/")})
blas = [lib for lib in loaded if "openblas" in lib or "gfortran" in lib or "quadmath" in lib]
ours = [lib for lib in blas if Path(lib).parent == package.parent / "quantumpanarchy.libs"]
numpys = [lib for lib in blas if "numpy" in lib]
others = sorted(set(blas) - set(ours) - set(numpys))
assert ours and not others, f"OpenBLAS from {ours}, unexpected {others}"
print(f"OpenBLAS: {Path(ours[0]).name} from the wheel's quantumpanarchy.libs (numpy has its own: {len(numpys)})")

info = performance.backend_info()
assert info["has_cuda_build"], "the wheel was built without the CUDA backend"
print(f"CUDA backend compiled in; here: {info['cuda']['reason'] or 'available'}")
print(f"wheel smoke test passed on Python {sys.version.split()[0]}")
