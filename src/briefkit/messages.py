"""Say what is wrong in plain words: validation errors of front matter and settings, near misses.

Pydantic's own wording ("Input should be a valid list", "Value error, ...") never reaches a
user; each kind of error is said in words a writer knows, with the bad value quoted.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

# What a value must be, by pydantic's error type.
_MUST_BE = {
    "list_type": "must be a list: one '- item' per line",
    "tuple_type": "must be a list: one '- item' per line",
    "dict_type": "must be a mapping of names to values ('name: value' lines)",
    "model_type": "must be a mapping of names to values ('name: value' lines)",
    "model_attributes_type": "must be a mapping of names to values ('name: value' lines)",
    "string_type": "must be text",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "string_too_short": "must not be empty",
    "greater_than_equal": "is too small",
    "less_than_equal": "is too large",
    "enum": "must be one of {expected}",
    "literal_error": "must be one of {expected}",
}


def plain_error(loc: Iterable[Any], error: Any) -> str:
    """Describe one pydantic error as a sentence that names the key and quotes the value."""
    # A list item is named by its list: 'build.formats', not 'build.formats.1'.
    name = ".".join(str(part) for part in loc if not isinstance(part, int))
    kind = str(error["type"])
    if kind == "missing":
        return f"'{name}' is missing"
    template = _MUST_BE.get(kind)
    if template is None:
        message = str(error["msg"]).removeprefix("Value error, ")
        return f"'{name}' {message[:1].lower()}{message[1:]}"
    expected = str(error.get("ctx", {}).get("expected", "")).replace("'", "")
    return f"'{name}' {template.format(expected=expected)}, not {quoted(error.get('input'))}"


def quoted(value: object) -> str:
    """Quote a value as a writer wrote it, shortened when long."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    text = str(value)
    return repr(text if len(text) <= 40 else text[:37] + "...")


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return ': did you mean 'x'?' for a near miss among choices, or nothing."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.75)
    return f": did you mean '{close[0]}'?" if close else ""
