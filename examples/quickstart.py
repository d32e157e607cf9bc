"""Quickstart: exact grid tensors and matricization ranks of deep networks."""

import symtd
from symtd import grid_tensor, matricize, partition, rank

# A deep ReLU + max-pooling network: N = 8 positions, M = 2 templates, widths (2, 2, 2).
net = symtd.deep(8, 2, [2, 2, 2], "max")  # weights are sympy symbols a^{l,j,γ}_α
net = net.subs(net.random_point(seed=1))  # ... here replaced by exact integers
G = grid_tensor(net)  # exact RationalTensor, shape (2,)*8
print("deep max   : grid", G.shape, "odd-even rank", rank(matricize(G, partition("odd-even", net))))

# ConvAC (product pooling): the odd-even rank is min(r_0, M)^(N/2) generically (theorem T4).
convac = symtd.deep(8, 2, 2, "product")
report = symtd.generic_rank(convac, partition("odd-even", convac))
print("deep product:", report)

# A shallow ConvAC with Z channels has every matricization rank <= Z (CP decomposition).
shallow = symtd.shallow(8, 2, 5, "product")
print("shallow Z=5 :", symtd.generic_rank(shallow, partition("odd-even", shallow)))
