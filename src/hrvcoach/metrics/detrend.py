"""Smoothness-priors detrending of an RR series (Tarvainen, Ranta-aho & Karjalainen 2002).

The trend is the series smoothed by a second-order difference penalty ``lambda``:
``trend = (I + lambda² D2ᵀ D2)⁻¹ z`` and the detrended series ``z - trend``. Applied to the RR
values beat by beat, as Kubios HRV does; ``lambda = 500`` (Kubios' default) is a high-pass with a
cut-off near 0.035 cycles per beat. A banded sparse solve: a day of beats takes well under a second.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray

#: Kubios' default smoothing parameter
LAMBDA = 500.0


def smoothness_priors(rr_ms: ArrayLike, lam: float = LAMBDA) -> NDArray[np.float64]:
    """``rr_ms`` minus its smoothness-priors trend (mean about zero).

    Args:
        rr_ms: RR intervals in ms (a gap-free stretch).
        lam: Smoothing parameter (larger: a smoother trend, a lower cut-off).

    Returns:
        The detrended series; a series of fewer than 3 beats comes back minus its mean.
    """
    from scipy import sparse
    from scipy.sparse.linalg import spsolve

    z = np.asarray(rr_ms, dtype=np.float64)
    n = z.size
    if n < 3:
        return z - (np.mean(z) if n else 0.0)
    d2 = sparse.diags([1.0, -2.0, 1.0], [0, 1, 2], shape=(n - 2, n), format="csc")
    a = sparse.identity(n, format="csc") + lam * lam * (d2.T @ d2)
    trend = spsolve(a.tocsc(), z)
    return np.asarray(z - trend, dtype=np.float64)
