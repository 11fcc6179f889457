"""Scalar computational graphs for chain-rule drills, e.g. the notes' g = w·x, f = g + b.

Each assignment `name = expression` is one node. Expressions are parsed with Python's `ast`
and only numbers, names of earlier nodes, + − × ÷ **, and the functions in `FUNCTIONS` are
accepted. Every function and operator has its value and its local derivative side by side,
as micrograd writes them. Quantities: every node's value, the local derivative ∂g/∂w of each
edge (named `dg/dw (local)`), and the upstream gradient ∂f/∂g of every node (named `df/dg`).
"""

from .calculus import symbolic_value
from .parse import FUNCTIONS, Node, NodeError, compile_node
from .trace import ExpressionTrace, NonFinite, non_finite, run

__all__ = [
    "FUNCTIONS",
    "ExpressionTrace",
    "Node",
    "NodeError",
    "NonFinite",
    "compile_node",
    "non_finite",
    "run",
    "symbolic_value",
]
