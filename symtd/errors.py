"""The one exception type symtd raises for bad input."""


class SymtdError(ValueError):
    """Invalid input or a refused request; the message is one line meant for the user."""
