"""``qaoa_grid``: ⟨C⟩ of QAOA over a grid (or a list) of angle sets, in chunks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from .._decision._params import check_int
from .._decision.qaoa import QAOA, _qubo_matrix
from ..exceptions import InvalidInputError
from ..performance import BackendName
from .cluster import check_client, processes_on_host, reserve, reserve_tasks, size_pool, worker_threads

FloatArray = npt.NDArray[np.float64]


def _expectations(Q: Any, gammas: FloatArray, betas: FloatArray, num_qubits: int, backend: Any) -> FloatArray:
    # expectation ignores num_layers; num_assets sizes the register the constructor checks
    return np.asarray(QAOA(num_assets=num_qubits, backend=backend).expectation(Q, gammas, betas), dtype=np.float64)


def _qaoa_task(
    Q: Any,
    gammas: FloatArray,
    betas: FloatArray,
    num_qubits: int,
    backend: Any,
    processes_on_host: Mapping[str, int],
) -> FloatArray:
    size_pool(processes_on_host)
    return _expectations(Q, gammas, betas, num_qubits, backend)


def _real_array(x: Any, name: str) -> npt.NDArray[Any]:
    try:
        a = np.asarray(x.to_numpy() if hasattr(x, "to_numpy") else x)
    except (TypeError, ValueError):  # a ragged sequence
        raise InvalidInputError(f"{name} must be an array of real numbers, got a ragged or odd sequence") from None
    if a.dtype.kind not in "iuf":
        raise InvalidInputError(f"{name} must hold real numbers, got dtype {a.dtype}")
    if a.size and not np.isfinite(a).all():
        raise InvalidInputError(f"{name} must be finite, got NaN or inf")
    return a


def _num_qubits(matrix: Any) -> int:
    """The register size of Q, checked here so that a bad Q fails before any task runs."""
    q = _real_array(matrix, "Q")
    if q.ndim != 2 or q.shape[0] != q.shape[1] or q.shape[0] == 0:
        raise InvalidInputError(f"Q must be a square, non-empty (n, n) matrix, got shape {q.shape}")
    return int(q.shape[0])


def _angle_sets(gammas: Any, betas: Any) -> tuple[FloatArray, FloatArray, tuple[int, ...]]:
    """Both forms as (m, p) arrays of angle sets, with the shape of the result."""
    g, b = _real_array(gammas, "gammas"), _real_array(betas, "betas")
    if g.ndim == 1 and b.ndim == 1:
        shape: tuple[int, ...] = (g.shape[0], b.shape[0])
        p = 1
    elif g.ndim == 2 and g.shape == b.shape:
        shape, p = (g.shape[0],), g.shape[1]
    else:
        raise InvalidInputError(
            f"gammas and betas must be both 1-D (a grid: gammas × betas at depth 1) or both 2-D of one shape "
            f"(m angle sets × p layers), got shapes {g.shape} and {b.shape}"
        )
    if g.size == 0 or b.size == 0:
        raise InvalidInputError(f"gammas and betas must not be empty, got shapes {g.shape} and {b.shape}")
    m = int(np.prod(shape))
    # the two (m, p) float64 arrays and the m results, refused before they are built
    reserve(m * (2 * p + 1) * 8, f"{m} angle sets of {p} layers")
    if len(shape) == 2:  # row-major: angle set i * B + j is (gammas[i], betas[j])
        G2 = np.repeat(g.astype(np.float64), b.shape[0])[:, None]
        B2 = np.tile(b.astype(np.float64), g.shape[0])[:, None]
    else:
        G2, B2 = g.astype(np.float64), b.astype(np.float64)
    return np.ascontiguousarray(G2), np.ascontiguousarray(B2), shape


def qaoa_grid(
    Q: Any,
    gammas: Any,
    betas: Any,
    client: Any = None,
    *,
    angle_sets_per_task: int | None = None,
    backend: BackendName | None = None,
) -> FloatArray:
    """⟨ψ(γ, β)|C|ψ(γ, β)⟩ of QAOA for C(x) = xᵀQx over many angle sets, here or on a Dask
    cluster, as :meth:`quantumpanarchy.decision.QAOA.expectation` gives it, bit for bit.

    Parameters
    ----------
    Q : (n, n) array-like or dict
        The QUBO: an array-like, or a dimod-style dict ``{(u, v): bias}`` (variables in order of
        first appearance), as ``QAOA.expectation`` takes it. With a client it travels to each
        worker once (scattered with ``broadcast=True``).
    gammas, betas : array-like
        Either both 1-D, of lengths G and B: the depth-1 landscape, every γ against every β;
        or both 2-D of one shape (m, p): m angle sets of depth p (row k is one set).
    client : dask.distributed.Client, optional
        Evaluate the chunks on this client's workers; ``None`` evaluates here, without Dask.
    angle_sets_per_task : int, optional
        Angle sets per ``QAOA.expectation`` batch (one task each on a cluster). Default: about
        four chunks per worker thread of the client; here, one batch of all of them.
    backend : {"cpu", "cuda", "auto"}, optional
        The statevector backend, as ``QAOA(backend=...)``; ``None`` follows
        :func:`quantumpanarchy.performance.set_backend` (on each worker, its own setting).

    Returns
    -------
    numpy.ndarray of float64
        For 1-D angles, shape (G, B) with ``[i, j]`` ⟨C⟩ at ``(gammas[i], betas[j])``; for 2-D
        angles, shape (m,). Equal bit for bit to one ``QAOA(num_assets=n).expectation(Q, G2, B2)``
        call on all the angle sets (``G2``, ``B2`` of shape (m, p)), whatever the chunking, the
        workers or the threads: every angle set is evaluated on its own.

    Raises
    ------
    InvalidInputError
        Angles of other shapes (the message names them), empty, non-real or non-finite angles;
        a Q that is not a finite non-empty square matrix; a bad ``angle_sets_per_task`` or
        ``backend``.
    InvalidTypeError
        ``client`` is not a client.
    ResourceLimitError
        A register of n qubits that does not fit here (as ``QAOA(num_assets=n)`` refuses it), or
        more angle sets than fit in memory.

    Examples
    --------
    >>> import numpy as np
    >>> from quantumpanarchy.decision import QAOA
    >>> from quantumpanarchy.distributed import qaoa_grid
    >>> Q = np.array([[-1.0, 2.0, 0.0], [0.0, -1.0, 2.0], [0.0, 0.0, -1.0]])
    >>> gammas, betas = np.linspace(0.0, np.pi, 5), np.linspace(0.0, np.pi / 2, 4)
    >>> landscape = qaoa_grid(Q, gammas, betas, angle_sets_per_task=3)
    >>> landscape.shape
    (5, 4)
    >>> bool(landscape[2, 1] == QAOA(num_assets=3).expectation(Q, [gammas[2]], [betas[1]]))
    True
    """
    matrix, _ = _qubo_matrix(Q)  # a dict as expectation reads it; an array-like unchanged
    n = _num_qubits(matrix)
    QAOA(num_assets=n, backend=backend)  # refuses a register too large here, and a bad backend
    per_task = None if angle_sets_per_task is None else check_int(angle_sets_per_task, "angle_sets_per_task", 1)
    if client is not None:
        check_client(client)
    G2, B2, shape = _angle_sets(gammas, betas)
    m = G2.shape[0]
    if client is None:
        step = m if per_task is None else per_task
        parts = [_expectations(matrix, G2[a : a + step], B2[a : a + step], n, backend) for a in range(0, m, step)]
        return np.concatenate(parts).reshape(shape)
    step = -(-m // (4 * worker_threads(client))) if per_task is None else per_task
    starts = range(0, m, step)
    reserve_tasks(len(starts))
    procs = processes_on_host(client)
    [q] = client.scatter([matrix], broadcast=True, hash=False)
    # each chunk of angles is used once: it travels inside its task, so a lost task can run again
    tasks = [
        client.submit(_qaoa_task, q, G2[a : a + step], B2[a : a + step], n, backend, procs, pure=False) for a in starts
    ]
    return np.concatenate(client.gather(tasks)).reshape(shape)
