"""Ranks of circuits: exact ranks and lower bounds of matricizations, proven upper bounds,
separation ranks (maximal ranks over all weights)."""
