"""Emoji labels: the classic five, their aliases, and user-defined classes."""

from __future__ import annotations

# The classic exercise's classes, in its index order 0-4: (name, emoji).
CLASSIC = [("heart", "❤️"), ("baseball", "⚾"), ("smile", "😄"), ("disappointed", "😞"), ("fork_and_knife", "🍴")]
_ALIASES = {
    "heart": ["❤", "❤️", ":heart:", "love", "red_heart"],
    "baseball": ["⚾", "⚾️", ":baseball:"],
    "smile": ["😄", ":smile:", "happy", "smiley"],
    "disappointed": ["😞", ":disappointed:", "sad"],
    "fork_and_knife": ["🍴", ":fork_and_knife:", "food", "fork and knife"],
}
_EMOJI = dict(CLASSIC)
_CANONICAL = {alias.lower(): name for name, aliases in _ALIASES.items() for alias in [name, *aliases]}


def canonical_label(text: str) -> str:
    """A label as written by a user (emoji, ``:alias:``, name) → its class name.

    Unknown labels are classes of their own: ``":rocket:"`` → ``"rocket"``, ``"🚀"`` stays ``"🚀"``.
    """
    cleaned = text.strip()
    known = _CANONICAL.get(cleaned.lower())
    if known is not None:
        return known
    if len(cleaned) > 2 and cleaned.startswith(":") and cleaned.endswith(":"):
        return cleaned[1:-1]
    return cleaned


def emoji_for(name: str) -> str:
    """The emoji shown for a class name (a user class that is itself an emoji shows as is)."""
    return _EMOJI.get(name, name)


def some(labels, shown: int = 5) -> str:
    """A few of ``labels`` and how many more: one short line even for 10,000 of them."""
    labels = sorted(labels)
    listed = ", ".join(repr(label[:40]) for label in labels[:shown])
    return listed + (f" and {len(labels) - shown:,} more ({len(labels):,} in all)" if len(labels) > shown else "")
