"""The local stack's outbox: every alert e-mail crossdock sends is also written there as a `.eml`
file (`CROSSDOCK_OUTBOX_DIR`). This reads back the ones a run produced."""

from __future__ import annotations

from pathlib import Path


def subject_of(path: Path) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("Subject: "):
            return line.removeprefix("Subject: ")
        if not line:
            break
    return "(no subject)"


class Outbox:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._before = set(folder.glob("*.eml"))
        self._seen = set(self._before)

    def new(self) -> list[tuple[Path, str]]:
        """E-mails written since the last call, oldest first, with their subjects."""
        fresh = sorted(set(self.folder.glob("*.eml")) - self._seen)
        self._seen.update(fresh)
        return [(path, subject_of(path)) for path in fresh]

    def all(self) -> list[Path]:
        """Every e-mail written since this outbox was opened, oldest first."""
        return sorted(set(self.folder.glob("*.eml")) - self._before)
