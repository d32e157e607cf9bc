"""The one exception type symtd raises for bad input, and how untrusted text is shown."""


class SymtdError(ValueError):
    """Invalid input or a refused request; the message is one line meant for the user."""


def escape(value, limit=80):
    """Untrusted text (or any value) as one printable ASCII line of at most ``limit`` characters.

    ``ascii()`` quotes strings and escapes every control, non-ASCII and surrogate
    character, so a name holding newlines or terminal escapes cannot forge output lines.
    """
    text = ascii(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."
