"""Distribution drift between a reference window and later data: PSI, KL, JS and KS.

Numeric values are binned on the *reference's* quantiles (10 bins by default; fewer when the
reference has repeated values, so a 0/1 feature gets two bins). A bin ``i`` holds the values
in (edge[i-1], edge[i]]; the outer bins are open-ended, so later data outside the reference's
range is still counted. Categorical values use one bin per category.

Small-count correction: every bin count, of both samples, gets +0.5 before counts become
proportions (p_i = (c_i + 0.5) / (N + 0.5 k) for k bins). An empty bin then gives a large but
finite divergence instead of infinity, and two identical samples still give exactly 0.

With p the current proportions and q the reference's (natural logarithms):

* PSI = sum_i (p_i - q_i) ln(p_i / q_i)   (population stability index; 0.1 "watch",
  0.25 "act" are the customary alert levels)
* KL  = sum_i p_i ln(p_i / q_i)           (Kullback-Leibler divergence of current from
  reference)
* JS  = (KL(p || m) + KL(q || m)) / 2 with m = (p + q) / 2   (Jensen-Shannon, at most ln 2)
* KS  = max_x |F_ref(x) - F_cur(x)|        (two-sample Kolmogorov-Smirnov statistic, on the
  raw values, no bins)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PSEUDO_COUNT = 0.5
DEFAULT_BINS = 10


def quantile_edges(reference, n_bins: int = DEFAULT_BINS) -> np.ndarray:
    """Interior bin edges: the reference's observed k / n_bins quantiles, k = 1..n_bins-1, deduplicated.

    Edges are observed values (no interpolation), so a discrete feature gets no empty bins.
    """
    reference = np.asarray(reference, dtype=float)
    qs = np.quantile(reference, np.arange(1, n_bins) / n_bins, method="inverted_cdf")
    return np.unique(qs)


def _bin_index(values, edges, chunk: int = 32_768) -> np.ndarray:
    """Bin of each value: the number of edges strictly below it.

    Same as ``np.searchsorted(edges, values, side="left")``, but with few edges a comparison
    pass per edge, done chunk by chunk while the chunk sits in the CPU cache, is several
    times faster than a binary search per value. A column that is not contiguous in memory
    is copied once first (columnar data, such as a DataFrame's, needs no copy).
    """
    values = np.ascontiguousarray(values, dtype=float)
    out = np.zeros(len(values), dtype=np.int8 if len(edges) < 127 else np.int64)
    above = np.empty(min(chunk, len(values)), dtype=bool)
    for start in range(0, len(values), chunk):
        part = values[start:start + chunk]
        target = out[start:start + chunk]
        flags = above[: len(part)]
        for edge in edges:
            np.greater(part, edge, out=flags)
            target += flags
    return out


def bin_counts(values, edges) -> np.ndarray:
    """Counts of ``values`` in the bins (-inf, e0], (e0, e1], ..., (e_last, inf)."""
    return np.bincount(_bin_index(values, edges), minlength=len(edges) + 1)


def proportions(counts) -> np.ndarray:
    """Counts to proportions with the +0.5 small-count correction, along the last axis."""
    counts = np.asarray(counts, dtype=float) + PSEUDO_COUNT
    return counts / counts.sum(axis=-1, keepdims=True)


def psi_from_counts(reference_counts, current_counts) -> np.ndarray:
    """PSI = sum (p - q) ln(p / q), with q from the reference counts, p from the current ones."""
    q = proportions(reference_counts)
    p = proportions(current_counts)
    return np.sum((p - q) * np.log(p / q), axis=-1)


def kl_from_counts(reference_counts, current_counts) -> np.ndarray:
    """KL(current || reference) = sum p ln(p / q)."""
    q = proportions(reference_counts)
    p = proportions(current_counts)
    return np.sum(p * np.log(p / q), axis=-1)


def js_from_counts(reference_counts, current_counts) -> np.ndarray:
    """JS = (KL(p || m) + KL(q || m)) / 2, m = (p + q) / 2."""
    q = proportions(reference_counts)
    p = proportions(current_counts)
    m = 0.5 * (p + q)
    return 0.5 * np.sum(p * np.log(p / m), axis=-1) + 0.5 * np.sum(q * np.log(q / m), axis=-1)


def _numeric_counts(reference, current, n_bins):
    edges = quantile_edges(reference, n_bins)
    return bin_counts(reference, edges), bin_counts(current, edges)


def psi(reference, current, n_bins: int = DEFAULT_BINS) -> float:
    """Population stability index of numeric ``current`` against ``reference`` (see module doc)."""
    return float(psi_from_counts(*_numeric_counts(reference, current, n_bins)))


def kl(reference, current, n_bins: int = DEFAULT_BINS) -> float:
    """KL divergence of numeric ``current`` from ``reference`` on the reference's quantile bins."""
    return float(kl_from_counts(*_numeric_counts(reference, current, n_bins)))


def js(reference, current, n_bins: int = DEFAULT_BINS) -> float:
    """Jensen-Shannon divergence of numeric samples on the reference's quantile bins."""
    return float(js_from_counts(*_numeric_counts(reference, current, n_bins)))


def ks(reference, current) -> float:
    """Two-sample KS statistic max |F_ref - F_cur| over all observed values; NaN if a sample is empty."""
    a = np.sort(np.asarray(reference, dtype=float))
    b = np.sort(np.asarray(current, dtype=float))
    if not len(a) or not len(b):
        return float("nan")
    grid = np.concatenate([a, b])
    fa = np.searchsorted(a, grid, side="right") / len(a)
    fb = np.searchsorted(b, grid, side="right") / len(b)
    return float(np.max(np.abs(fa - fb)))


def category_counts(codes, n_categories: int) -> np.ndarray:
    """Counts of integer category codes 0..n_categories-1."""
    return np.bincount(np.asarray(codes, dtype=np.int64), minlength=n_categories)


def psi_categorical(reference, current, n_categories: int) -> float:
    """PSI over category frequencies (one bin per category)."""
    return float(psi_from_counts(category_counts(reference, n_categories),
                                 category_counts(current, n_categories)))


def kl_categorical(reference, current, n_categories: int) -> float:
    """KL(current || reference) over category frequencies."""
    return float(kl_from_counts(category_counts(reference, n_categories),
                                category_counts(current, n_categories)))


def js_categorical(reference, current, n_categories: int) -> float:
    """Jensen-Shannon divergence over category frequencies."""
    return float(js_from_counts(category_counts(reference, n_categories),
                                category_counts(current, n_categories)))


@dataclass(frozen=True)
class DriftReference:
    """Binned reference distributions of several columns, to measure many weeks against fast.

    ``columns`` names each column; numeric columns are binned on reference quantiles,
    categorical ones (given with their number of categories) one bin per category.
    """

    columns: tuple[str, ...]
    edges: tuple[np.ndarray | None, ...]  # None for categorical columns
    n_bins: tuple[int, ...]
    reference_counts: tuple[np.ndarray, ...]

    @classmethod
    def build(cls, numeric: np.ndarray, numeric_names, categorical: np.ndarray | None = None,
              categorical_sizes=None, n_bins: int = DEFAULT_BINS) -> DriftReference:
        names, edges, sizes, counts = [], [], [], []
        for j, name in enumerate(numeric_names):
            e = quantile_edges(numeric[:, j], n_bins)
            names.append(name)
            edges.append(e)
            sizes.append(len(e) + 1)
            counts.append(bin_counts(numeric[:, j], e))
        for j, (name, k) in enumerate(categorical_sizes or ()):
            names.append(name)
            edges.append(None)
            sizes.append(k)
            counts.append(category_counts(categorical[:, j], k))
        return cls(tuple(names), tuple(edges), tuple(sizes), tuple(counts))

    def current_counts(self, numeric: np.ndarray, categorical: np.ndarray | None,
                       group: np.ndarray, n_groups: int) -> list[np.ndarray]:
        """Per column, an (n_groups, bins) count matrix of the rows of each group (e.g. week)."""
        stride = max(self.n_bins)
        offset = np.asarray(group, dtype=np.int64) * stride
        out = []
        n_numeric = sum(e is not None for e in self.edges)
        for j, (e, k) in enumerate(zip(self.edges, self.n_bins, strict=True)):
            if e is not None:
                idx = _bin_index(numeric[:, j], e)
            else:
                idx = categorical[:, j - n_numeric]
            counts = np.bincount(offset + idx, minlength=n_groups * stride)
            out.append(counts.reshape(n_groups, stride)[:, :k])
        return out

    def measure(self, numeric: np.ndarray, categorical: np.ndarray | None = None,
                group: np.ndarray | None = None, n_groups: int = 1) -> dict[str, np.ndarray]:
        """PSI, KL and JS of every column for each group: arrays of shape (n_groups, columns)."""
        if group is None:
            group = np.zeros(len(numeric), dtype=np.int64)
        counts = self.current_counts(numeric, categorical, group, n_groups)
        result = {name: np.empty((n_groups, len(self.columns))) for name in ("psi", "kl", "js")}
        for j, (ref, cur) in enumerate(zip(self.reference_counts, counts, strict=True)):
            result["psi"][:, j] = psi_from_counts(ref, cur)
            result["kl"][:, j] = kl_from_counts(ref, cur)
            result["js"][:, j] = js_from_counts(ref, cur)
        return result
