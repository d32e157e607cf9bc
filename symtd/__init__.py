"""symtd: exact tensor analysis of convolutional networks (ConvACs and rectifier networks).

circuit (networkx DAG, builders, file formats) → operator semantics → grid tensor →
matricization, rank and separation rank → theorem checks → LaTeX, pictures, command line.
"""

from symtd.algebra.rank import certified_rank, rank, symbolic_rank
from symtd.algebra.rational import RationalTensor, parse_rational
from symtd.circuits.builders import (
    circuit,
    deep,
    dilated,
    mirror,
    overlapping,
    recurrent,
    shallow,
    tree,
)
from symtd.circuits.circuit import Circuit, Node, symbol_name
from symtd.circuits.formats import load_network, network_from_dict, network_to_dict, save_network
from symtd.circuits.onnx_import import load_onnx
from symtd.circuits.operators import AVG, MAX, PRODUCT, SUM, Operator, custom_operator, get_operator
from symtd.circuits.partitions import partition, partitions
from symtd.errors import SymtdError
from symtd.ranks.bounds import structural_upper_bound, upper_bounds
from symtd.ranks.matricization import lower_rank, matricization_rank
from symtd.ranks.separation import SeparationRank, generic_rank, separation_rank
from symtd.render.latex import decomposition_latex, entry_latex, matrix_latex, rank_latex
from symtd.tensors.decomposition import (
    CPTensor,
    TreeTensor,
    cp_to_tensor,
    from_circuit,
    generalized_outer,
    mode_dot_all,
    tree_to_tensor,
    validate_cp_rank,
    validate_cp_tensor,
    validate_tree_tensor,
)
from symtd.tensors.evaluate import estimate_bytes
from symtd.tensors.grid import (
    coefficient_tensor,
    grid_entry,
    grid_from_coefficients,
    grid_tensor,
    network_function,
)
from symtd.tensors.matricize import matricize
from symtd.tensors.representation import is_covering, leaf_weights, relu_neurons, template_matrix
from symtd.theorems.certify import CertifiedPartition, certify
from symtd.theorems.compare import ComparedPartition, Comparison, compare

__all__ = [
    "circuit",
    "deep",
    "dilated",
    "mirror",
    "overlapping",
    "recurrent",
    "shallow",
    "tree",
    "Circuit",
    "Node",
    "symbol_name",
    "CPTensor",
    "TreeTensor",
    "cp_to_tensor",
    "from_circuit",
    "generalized_outer",
    "mode_dot_all",
    "tree_to_tensor",
    "validate_cp_rank",
    "validate_cp_tensor",
    "validate_tree_tensor",
    "SymtdError",
    "coefficient_tensor",
    "estimate_bytes",
    "grid_entry",
    "grid_from_coefficients",
    "grid_tensor",
    "network_function",
    "decomposition_latex",
    "entry_latex",
    "matrix_latex",
    "rank_latex",
    "matricize",
    "partition",
    "partitions",
    "load_network",
    "load_onnx",
    "network_from_dict",
    "network_to_dict",
    "save_network",
    "AVG",
    "MAX",
    "PRODUCT",
    "SUM",
    "Operator",
    "custom_operator",
    "get_operator",
    "certified_rank",
    "lower_rank",
    "matricization_rank",
    "rank",
    "symbolic_rank",
    "RationalTensor",
    "parse_rational",
    "SeparationRank",
    "generic_rank",
    "separation_rank",
    "structural_upper_bound",
    "upper_bounds",
    "CertifiedPartition",
    "ComparedPartition",
    "Comparison",
    "certify",
    "compare",
    "is_covering",
    "leaf_weights",
    "relu_neurons",
    "template_matrix",
]

__version__ = "0.2.0"
