"""Exact algebra: rational numbers and tensors, FLINT polynomial rings, and matrix ranks
(exact over Q, modular lower bounds, multimodular certificates, over Q(weights))."""
