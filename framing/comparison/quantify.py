"""Quantifiers beyond ACC/PACC: EMQ (SLD) with bias-corrected calibration, and KDEy-ML.

Every function works on a batch of bootstrap replicates at once: `weights` has shape (B, N),
one row of sentence weights per replicate (article multiplicities times the sentence weighting),
and a held-out fit may differ per replicate too. Labels are in one fixed order throughout.

- **EMQ / SLD** (Saerens, Latinne & Decaestecker 2002): re-weights each sentence's posterior by
  the ratio of the outlet's prevalence to the prior the posteriors are calibrated to, and
  iterates until the prevalence is the mean re-weighted posterior (maximum likelihood under
  prior shift). The posteriors are first recalibrated on the held-out rows by bias-corrected
  temperature scaling (BCTS, Alexandari et al. 2020), so they are calibrated to the held-out
  prior, which EMQ then starts from (`framing train` weights classes when training, so the raw
  posteriors are calibrated to no known prior).
- **KDEy-ML** (Moreo, González & del Coz 2024): a Gaussian kernel density of the posterior
  vectors of each true class on the held-out rows; the outlet's prevalence is the mixture
  weight vector that maximises the likelihood of the outlet's posteriors (fitted by EM, the
  same optimum QuaPy's SLSQP search finds). Bandwidth 0.1 (QuaPy's default).

A label with no held-out example keeps a prevalence of 0 under both (it cannot be modelled).
"""

from __future__ import annotations

import numpy as np

MAX_ITER = 1000
TOL = 1e-6
BANDWIDTH = 0.1
CHUNK_CELLS = 8_000_000
"""Largest (replicates x sentences x labels) block a caller should pass at once."""


def chunks(n_rep: int, per_rep: int) -> list[slice]:
    """Slices of the replicates so that each block stays under CHUNK_CELLS cells."""
    step = max(1, CHUNK_CELLS // max(per_rep, 1))
    return [slice(s, min(s + step, n_rep)) for s in range(0, n_rep, step)]


def weighted_prior(gold: np.ndarray, row_weights: np.ndarray, n_labels: int) -> np.ndarray:
    """(B, L) label frequencies of the held-out rows under each replicate's row weights."""
    onehot = np.eye(n_labels)[gold]
    counts = np.atleast_2d(row_weights) @ onehot
    return counts / np.maximum(counts.sum(axis=1, keepdims=True), 1e-300)


RIDGE = 1e-4
"""L2 penalty on the BCTS biases: keeps a label absent from the held-out rows finite."""


def fit_bcts(proba: np.ndarray, gold: np.ndarray, row_weights: np.ndarray | None = None
             ) -> tuple[np.ndarray, np.ndarray]:
    """Bias-corrected temperature scaling on held-out rows, one fit per row of `row_weights`
    (B, H): returns 1 / T (B,) and the bias per label (B, L).

    Maximises the weighted likelihood of `softmax(log(proba) / T + bias)` (minus a tiny ridge
    on the biases) by Newton's method, all replicates at once; the problem is convex. At the
    optimum the mean recalibrated posterior equals the held-out label frequencies (up to the
    ridge).
    """
    n_rows, n_labels = proba.shape
    logp = np.log(np.clip(proba, 1e-12, 1.0))
    onehot = np.eye(n_labels)[gold]
    w = np.atleast_2d(np.ones(n_rows) if row_weights is None else row_weights).astype(float)
    w = w / w.sum(axis=1, keepdims=True)
    params = np.zeros((len(w), 1 + n_labels))
    params[:, 0] = 1.0
    for _ in range(100):
        step = _newton_step(params, logp, onehot, w)
        norm = np.linalg.norm(step, axis=1, keepdims=True)
        params -= step * np.minimum(1.0, 5.0 / np.maximum(norm, 1e-300))
        params[:, 0] = np.clip(params[:, 0], 1e-3, 100.0)
        params[:, 1:] = np.clip(params[:, 1:], -15.0, 15.0)
        if norm.max() < 1e-9:
            break
    return params[:, 0], params[:, 1:]


def _newton_step(params: np.ndarray, logp: np.ndarray, onehot: np.ndarray, w: np.ndarray
                 ) -> np.ndarray:
    """Hessian^-1 gradient of the weighted NLL at `params` (B, 1 + L), for every replicate."""
    inv_t, bias = params[:, 0], params[:, 1:]
    q = recalibrate(logp[None], inv_t[:, None, None], bias[:, None, :], log_input=True)
    resid = (q - onehot[None]) * w[:, :, None]  # (B, H, L)
    n_labels = logp.shape[1]
    grad = np.concatenate([np.einsum("bhl,hl->b", resid, logp)[:, None],
                           resid.sum(axis=1) + 2 * RIDGE * bias], axis=1)
    qw = q * w[:, :, None]
    ql = (q * logp[None]).sum(axis=2)  # (B, H)
    h_bb = np.einsum("bhl,lk->blk", qw, np.eye(n_labels)) - np.einsum("bhl,bhk->blk", qw, q)
    h_ab = np.einsum("bhl,hl->bl", qw, logp) - np.einsum("bhl,bh->bl", qw, ql)
    h_aa = np.einsum("bhl,hl->b", qw, logp**2) - (w * ql**2).sum(axis=1)
    hess = np.zeros((len(params), 1 + n_labels, 1 + n_labels))
    hess[:, 0, 0] = h_aa
    hess[:, 0, 1:] = hess[:, 1:, 0] = h_ab
    hess[:, 1:, 1:] = h_bb + 2 * RIDGE * np.eye(n_labels)
    hess[:, 0, 0] += 1e-9
    return np.linalg.solve(hess, grad[:, :, None])[:, :, 0]


def recalibrate(proba: np.ndarray, inv_t: float | np.ndarray, bias: np.ndarray,
                log_input: bool = False) -> np.ndarray:
    """Posteriors after BCTS: softmax(log(proba) / T + bias), row by row (arguments broadcast,
    so one call can apply every replicate's fit). `log_input`: `proba` is already log(proba)."""
    logp = proba if log_input else np.log(np.clip(proba, 1e-12, 1.0))
    z = logp * inv_t + bias
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def emq(posteriors: np.ndarray, weights: np.ndarray, prior: np.ndarray) -> np.ndarray:
    """SLD prevalence, one per replicate: (B, L).

    `posteriors` is (N, L) shared by all replicates or (B, N, L); `weights` (B, N); `prior`
    (L,) or (B, L), the prior the posteriors are calibrated to. A label with prior 0 (no
    held-out example) stays at 0: re-weighting by q / prior would blow it up (smoothing the
    prior to 1e-4, as QuaPy does, sends real data to that label).
    """
    weights = np.atleast_2d(np.asarray(weights, dtype=float))
    n_rep, n_labels = weights.shape[0], posteriors.shape[-1]
    prior = np.broadcast_to(np.asarray(prior, dtype=float), (n_rep, n_labels))
    prior = prior / prior.sum(axis=1, keepdims=True)
    known = prior > 0

    w = weights / np.maximum(weights.sum(axis=1, keepdims=True), 1e-300)
    shared = posteriors.ndim == 2
    q = prior.copy()
    active = np.arange(n_rep)  # replicates still moving
    for _ in range(MAX_ITER):
        post = posteriors[None] if shared else posteriors[active]
        ratio = np.divide(q[active], prior[active], out=np.zeros_like(q[active]),
                          where=known[active])
        ps = post * ratio[:, None, :]
        ps /= np.maximum(ps.sum(axis=2, keepdims=True), 1e-300)
        new = np.matmul(w[active][:, None, :], ps)[:, 0]
        moving = np.abs(new - q[active]).max(axis=1) >= TOL
        q[active] = new
        active = active[moving]
        if not active.size:
            break
    return q


def kernel_matrix(test: np.ndarray, held: np.ndarray, bandwidth: float = BANDWIDTH
                  ) -> np.ndarray:
    """Gaussian kernel exp(-|x - x_j|^2 / (2 h^2)) between test (N, L) and held-out (H, L)
    posterior vectors: (N, H). The normalising constant is the same for every class and
    cancels in the mixture fit."""
    sq = (test**2).sum(axis=1)[:, None] + (held**2).sum(axis=1)[None, :] - 2 * test @ held.T
    return np.exp(-np.maximum(sq, 0.0) / (2 * bandwidth**2))


def class_densities(kernel: np.ndarray, gold: np.ndarray, row_weights: np.ndarray,
                    n_labels: int) -> np.ndarray:
    """(B, N, L): each test sentence's kernel density under each true class's held-out rows,
    the held-out rows weighted per replicate (a class absent from a replicate gets 0)."""
    row_weights = np.atleast_2d(row_weights)
    per_class = row_weights[:, :, None] * np.eye(n_labels)[gold][None]  # (B, H, L)
    mass = per_class.sum(axis=1, keepdims=True)
    per_class = np.divide(per_class, mass, out=np.zeros_like(per_class), where=mass > 0)
    return np.tensordot(kernel, per_class, axes=([1], [1])).transpose(1, 0, 2)


def kdey(densities: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """KDEy-ML prevalence per replicate, (B, L), from (B, N, L) class densities and (B, N)
    sentence weights: the mixture weights maximising the weighted log-likelihood (EM)."""
    weights = np.atleast_2d(np.asarray(weights, dtype=float))
    w = weights / np.maximum(weights.sum(axis=1, keepdims=True), 1e-300)
    present = densities.sum(axis=1) > 0  # (B, L)
    alpha = present / np.maximum(present.sum(axis=1, keepdims=True), 1)
    active = np.arange(len(w))  # replicates still moving
    for _ in range(MAX_ITER):
        dens, a = densities[active], alpha[active]
        mix = np.matmul(dens, a[:, :, None])[:, :, 0]
        ratio = np.divide(w[active], mix, out=np.zeros_like(mix), where=mix > 0)
        new = a * np.matmul(ratio[:, None, :], dens)[:, 0]
        new /= np.maximum(new.sum(axis=1, keepdims=True), 1e-300)
        moving = np.abs(new - a).max(axis=1) >= TOL
        alpha[active] = new
        active = active[moving]
        if not active.size:
            break
    return alpha
