"""symtd: exact tensor analysis of convolutional networks (ConvACs and rectifier networks).

circuit (networkx DAG) → operator semantics → grid tensor → matricization and rank.
"""
import sys

# Exact integers of any size are the product: lift Python's 4300-digit str/int conversion limit.
if hasattr(sys, "set_int_max_str_digits"):
    sys.set_int_max_str_digits(0)

from .circuit import Circuit, deep, shallow, symbol_name, tree
from .decomposition import (CPTensor, TreeTensor, cp_to_tensor, from_circuit, generalized_outer,
                            mode_dot_all, tree_to_tensor, validate_cp_rank, validate_cp_tensor,
                            validate_tree_tensor)
from .errors import SymtdError
from .grid import coefficient_tensor, estimate_bytes, grid_from_coefficients, grid_tensor, network_function
from .latex import decomposition_latex, entry_latex, matrix_latex, rank_latex
from .matricize import matricize, partition
from .network_json import load_network, network_from_dict, network_to_dict, save_network
from .operators import AVG, MAX, PRODUCT, SUM, Operator, custom_operator, get_operator
from .rank import (certified_rank, generic_rank, matricization_rank, rank, structural_upper_bound,
                   symbolic_rank)
from .rational import RationalTensor, parse_rational
from .representation import is_covering, leaf_weights, relu_neurons, template_matrix

__version__ = "0.1.0"
