"""Simulated fans ("listeners") and what each has saved on each platform."""

from dataclasses import dataclass, field


@dataclass
class Listener:
    key: str  # the scenario's handle and the account's user id, e.g. "ada"
    name: str
    email: str
    country: str = "US"
    # What the authorize pages answer when no one clicks (tests): consent or refuse.
    consents: bool = True
    # platform -> collection ("albums", "tracks", "liked_videos", ...) -> ordered item ids
    libraries: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def save(self, platform: str, collection: str, item_id: str) -> bool:
        """Add an item; False if it was already there (saves are idempotent on every platform)."""
        items = self.libraries.setdefault(platform, {}).setdefault(collection, [])
        if item_id in items:
            return False
        items.append(item_id)
        return True

    def remove(self, platform: str, collection: str, item_id: str) -> bool:
        items = self.libraries.get(platform, {}).get(collection, [])
        if item_id not in items:
            return False
        items.remove(item_id)
        return True

    def library(self, platform: str) -> dict[str, list[str]]:
        return {name: list(items) for name, items in self.libraries.get(platform, {}).items()}
