"""What the app knows of one model before loading it: a registry entry, read from its JSON card.

Its own module, under every other `ui` module: `ui.state` names it in annotations without importing
the registry (`ui.models`), which itself uses `ui.state`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ui.config import SHORT_NAME


@dataclass(frozen=True)
class ModelEntry:
    """One model the app can use: shipped (a folder under models/) or trained in this session."""

    key: str
    name: str
    source: str  # "shipped" or "session"
    task: str
    cell: str
    card: dict = field(hash=False, compare=False)
    path: str | None = None
    config: dict = field(default_factory=dict, hash=False, compare=False)
    origin: str = "trained"  # a session model was "trained" or "uploaded" in this session

    @property
    def label(self) -> str:
        where = "" if self.source == "shipped" else f" ({self.origin} in this session)"
        return f"{self.name}{where}"

    @property
    def short_label(self) -> str:  # the sidebar's picker: a long name's middle cut (the caption under it gives it whole)
        name = self.name if len(self.name) <= SHORT_NAME else self.name[: SHORT_NAME - 7] + "…" + self.name[-6:]
        return name if self.source == "shipped" else f"{name} (yours)"
