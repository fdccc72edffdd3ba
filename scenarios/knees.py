"""Knees of a frontier curve: where extra budget (or headroom) stops paying off.

Two rules, both on points sorted by the axis value ``x`` with impact ``y``:

* **Main knee: maximum distance to the chord.** Scale both axes to [0, 1] using the
  first and last points, so that the chord joining them is the diagonal ``y' = x'``;
  the knee is the interior point with the largest ``y' − x'`` (its perpendicular
  distance to the chord is that value divided by √2). This is the "Kneedle" rule
  (Satopää, Albrecht, Irwin & Raghavan 2011, *Detecting knee points in system
  behavior*, ICDCS workshops). No knee is reported when no point lies above the chord
  (a straight or convex curve) or the curve is flat.
* **Marginal-gain drops.** With the slope ``s_i = (y_{i+1} − y_i)/(x_{i+1} − x_i)``,
  an interior point ``i`` is a drop when the slope after it is less than
  ``drop_ratio`` (default ½) times the positive slope before it: beyond that point each
  unit of budget buys less than half of what the previous unit bought.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Knees:
    """Indices (into the sorted points) of the main knee and the marginal-gain drops."""

    main: int | None
    drops: tuple[int, ...]


def find_knees(xs: Sequence[float], ys: Sequence[float], drop_ratio: float = 0.5) -> Knees:
    """Locate knees of the curve through ``(xs[i], ys[i])``; ``xs`` must be increasing."""
    if len(xs) != len(ys):
        raise ValueError("xs and ys differ in length")
    n = len(xs)
    if n < 3:
        return Knees(None, ())
    x_span = xs[-1] - xs[0]
    y_span = ys[-1] - ys[0]
    main: int | None = None
    if x_span > 0 and y_span > 0:
        distances = [(ys[i] - ys[0]) / y_span - (xs[i] - xs[0]) / x_span for i in range(1, n - 1)]
        best = max(range(len(distances)), key=lambda i: distances[i])
        if distances[best] > 1e-9:
            main = best + 1
    slopes = [
        (ys[i + 1] - ys[i]) / (xs[i + 1] - xs[i]) if xs[i + 1] > xs[i] else 0.0
        for i in range(n - 1)
    ]
    drops = tuple(
        i
        for i in range(1, n - 1)
        if slopes[i - 1] > 1e-12 and slopes[i] < drop_ratio * slopes[i - 1]
    )
    return Knees(main, drops)
