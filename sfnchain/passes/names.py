"""Names of the states a step lowers to: the step's name, then what the state does."""

from __future__ import annotations


def derived(step_name: str, suffix: str) -> str:
    """``step_name`` + ``suffix`` without a doubled word: a step named "Advert cache"
    gets "Advert cache lookup", not "Advert cache cache lookup"."""
    head, _, rest = suffix.partition(" ")
    words = step_name.split()
    if rest and words and words[-1].lower() == head.lower():
        return f"{step_name} {rest}"
    return f"{step_name} {suffix}"
