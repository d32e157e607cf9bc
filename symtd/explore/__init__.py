"""The interactive explorer (``symtd explore``): pick an architecture, an operator and a
partition, and see the circuit, the matricization, the exact rank at a random point, the
certified separation-rank bracket and the LaTeX of a grid entry, recomputed as you change them.

:mod:`symtd.explore.model` computes the outputs (no browser needed); :mod:`symtd.explore.app`
lays them out with Panel, served on 127.0.0.1 by :func:`~symtd.explore.app.serve` or shown in a
Jupyter notebook by :func:`~symtd.explore.app.explorer` (after ``panel.extension()``). Panel is
imported only when the explorer is built.
"""

from __future__ import annotations

from symtd.explore.app import Explorer, explorer, serve
from symtd.explore.model import Outputs, Settings, explore

__all__ = ["Explorer", "Outputs", "Settings", "explore", "explorer", "serve"]
