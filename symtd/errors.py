"""The one exception type symtd raises for bad input, and how untrusted text is shown."""

from __future__ import annotations


class SymtdError(ValueError):
    """Invalid input or a refused request; the message is one line meant for the user.

    A :class:`ValueError`; the command line prints it as ``symtd: error: ...`` and exits 2.

    Examples
    --------
    >>> import symtd
    >>> try:
    ...     symtd.deep(6, 2, 2)
    ... except symtd.SymtdError as error:
    ...     print(error)
    this geometry needs N = 2^L >= 2, got N=6
    """


def escape(value: object, limit: int = 80, quote: bool = True) -> str:
    """Untrusted text (or any value) as one printable ASCII line of at most ``limit`` characters.

    ``ascii()`` quotes strings and escapes every control, non-ASCII and surrogate
    character, so a name holding newlines or terminal escapes cannot forge output lines.
    ``quote=False`` drops the quotes around a string (file names in messages).
    """
    try:
        text = ascii(value)
    except ValueError:  # an int (maybe in a container) beyond Python's int/str conversion limit
        text = f"<{type(value).__name__} holding an integer of more than 4,300 digits>"
    if not quote and isinstance(value, str):
        text = text[1:-1]
    return text if len(text) <= limit else text[: limit - 3] + "..."
