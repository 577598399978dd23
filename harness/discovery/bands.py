"""Banding for MinHash LSH: how many bands of how many rows, from the threshold.

Two documents whose shingle sets have Jaccard similarity J agree on one MinHash
value with probability J, on all r rows of a band with probability J**r, and
become a candidate pair when at least one of b bands agrees:

    P(candidate | J) = 1 - (1 - J**r) ** b          (the "S-curve")

The curve rises steeply around J ~ (1/b) ** (1/r). Recall is what a researcher
cannot recover later, so the rule is: among the splits of ``num_perm`` into b
bands of r rows, take the one with the most rows per band (fewest chance
candidates, which exact verification would have to discard) whose S-curve at
the threshold is still at least ``target_recall``. Every pair above the
threshold is then found with at least that probability. Chance candidates cost
only verification time: they never reach the output.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.errors import ConfigError

DEFAULT_TARGET_RECALL = 0.99


@dataclass(frozen=True, slots=True)
class Bands:
    """``bands`` bands of ``rows`` MinHash values each (uses bands * rows values)."""

    bands: int
    rows: int

    def candidate_probability(self, jaccard: float) -> float:
        """The S-curve: probability that a pair with this Jaccard becomes a candidate."""
        return float(1.0 - (1.0 - jaccard**self.rows) ** self.bands)

    def false_positive_area(self, threshold: float) -> float:
        """Area under the S-curve below the threshold (chance candidates)."""
        from scipy import integrate  # here, not at import: registering the discovery step needs no scipy

        area, _ = integrate.quad(self.candidate_probability, 0.0, threshold)
        return float(area)

    def false_negative_area(self, threshold: float) -> float:
        """Area above the S-curve from the threshold up (pairs that could be missed)."""
        from scipy import integrate

        area, _ = integrate.quad(lambda j: 1.0 - self.candidate_probability(j), threshold, 1.0)
        return float(area)


def choose_bands(
    threshold: float, *, num_perm: int, target_recall: float = DEFAULT_TARGET_RECALL
) -> Bands:
    """The split with the most rows per band whose S-curve at ``threshold`` reaches ``target_recall``."""
    check_threshold(threshold)
    if num_perm < 1:
        raise ConfigError(f"num_perm must be at least 1, got {num_perm}", hint="128 is a good default")
    best = Bands(bands=num_perm, rows=1)  # the most permissive split: the fallback
    for rows in range(1, num_perm + 1):
        candidate = Bands(bands=num_perm // rows, rows=rows)
        if candidate.candidate_probability(threshold) >= target_recall:
            best = candidate
    return best


def check_threshold(threshold: float) -> None:
    if not 0.0 < threshold <= 1.0:
        raise ConfigError(
            f"threshold must be in (0, 1], got {threshold}",
            where="threshold",
            hint="a Jaccard similarity of word 5-gram sets, e.g. 0.5",
        )
