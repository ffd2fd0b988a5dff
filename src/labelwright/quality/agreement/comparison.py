"""Agreement of comparisons between model responses: pairwise preferences and rankings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from scipy.stats import kendalltau

from labelwright import errors

Ranking = Sequence[str | Sequence[str]]


def ranking_positions(ranking: Ranking) -> dict[str, int]:
    """The rank of each response id (0 = best); tied responses share a rank.

    >>> ranking_positions(["r2", ["r1", "r3"]])
    {'r2': 0, 'r1': 1, 'r3': 1}
    """
    positions: dict[str, int] = {}
    for rank, entry in enumerate(ranking):
        for member in [entry] if isinstance(entry, str) else entry:
            positions[str(member)] = rank
    return positions


def kendall_tau(a: Ranking, b: Ranking) -> float:
    """Kendall's tau-b between two rankings of the same responses (ties allowed).

    `tau_b = (concordant - discordant) / sqrt((n0 - t_a) (n0 - t_b))` over all pairs of
    responses, where `t_a`, `t_b` count the pairs tied in each ranking (Kendall 1945, "The
    treatment of ties in ranking problems", Biometrika 33(3)); computed by
    `scipy.stats.kendalltau`. 1 is the same order, -1 the reverse, 0 unrelated.

    When a ranking ties everything, tau-b is undefined; the result is then 1.0 if both
    rankings are identical, else 0.0.

    Raises:
        errors.Invalid: The rankings do not rank the same responses.

    >>> kendall_tau(["a", "b", "c"], ["c", "b", "a"])
    -1.0
    """
    first, second = ranking_positions(a), ranking_positions(b)
    if set(first) != set(second):
        raise errors.Invalid("Both rankings must rank the same responses.")
    ids = sorted(first)
    x = [first[i] for i in ids]
    y = [second[i] for i in ids]
    if len(set(x)) < 2 or len(set(y)) < 2:
        return 1.0 if x == y else 0.0
    return float(kendalltau(x, y, variant="b").statistic)


def pairwise_choice(value: Mapping[str, Any]) -> str:
    """The preference of a pairwise value (`"a"`, `"b"` or `"tie"`), strength ignored."""
    return str(value["choice"])
