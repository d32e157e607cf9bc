"""Tensors: the forward pass and its arithmetics, grid tensors, generalized decompositions,
matricization and template representations."""
