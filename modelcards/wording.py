"""How validation messages describe a value to a person: its kind, and the likely intended choice."""

import difflib


def describe_kind(value) -> str:
    """'a list', 'a number'...: what a YAML value is, in the words a card's author would use."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "text"


def did_you_mean(value, choices, *, n: int = 3) -> str:
    """ "; did you mean 'x' or 'y'?" for close matches among `choices`, or "" when none is close."""
    matches = difflib.get_close_matches(str(value).lower(), list(choices), n=n, cutoff=0.6)
    if not matches:
        return ""
    quoted = [f"'{match}'" for match in matches]
    listed = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
    return f"; did you mean {listed}?"
