"""The one exception type symtd raises for bad input, and how untrusted text is shown."""


class SymtdError(ValueError):
    """Invalid input or a refused request; the message is one line meant for the user."""


def escape(value, limit=80, quote=True):
    """Untrusted text (or any value) as one printable ASCII line of at most ``limit`` characters.

    ``ascii()`` quotes strings and escapes every control, non-ASCII and surrogate
    character, so a name holding newlines or terminal escapes cannot forge output lines.
    ``quote=False`` drops the quotes around a string (file names in messages).
    """
    text = ascii(value)
    if not quote and isinstance(value, str):
        text = text[1:-1]
    return text if len(text) <= limit else text[: limit - 3] + "..."
