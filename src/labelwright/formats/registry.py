"""The registry of exporters and importers, each under `name@version` (STYLE.md section 11).

Formats register explicitly in `labelwright.formats.__init__`, or through the
`labelwright.formats.exporters` / `labelwright.formats.importers` entry points of other packages.
Looking a format up by its bare name gives its highest version.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from importlib.metadata import entry_points
from typing import BinaryIO, Generic, Protocol, TypeVar, runtime_checkable

from labelwright.domain import LabelingSchema
from labelwright.errors import Invalid
from labelwright.formats.records import ExportTask, Selection
from labelwright.formats.task_rows import RowRead


@runtime_checkable
class Exporter(Protocol):
    """Turns a stream of tasks into the bytes of one file (a zip for multi-file formats).

    `export` is a generator: it yields bytes as soon as they are known and holds at most a
    bounded amount of state, so memory stays flat at any project size.
    """

    name: str
    version: int
    description: str
    media_type: str
    extension: str
    default_selection: Selection

    def check_schema(self, schema: LabelingSchema) -> None:
        """Raise `Invalid` (naming what is missing) if the schema cannot be exported so."""

    def export(self, tasks: Iterable[ExportTask], *, schema: LabelingSchema) -> Iterator[bytes]:
        """Yield the file's bytes for `tasks` (iterated once, in order)."""


@runtime_checkable
class Importer(Protocol):
    """Reads one uploaded file (a zip for multi-file formats) into task rows.

    Each yielded `RowRead` holds a task row (`{"data", "meta"?, "annotations"?}`) or the reason
    an item could not be read, naming the file, line or object. Rows are validated against the
    labeling schema by the import service, which stores all or nothing.
    """

    name: str
    version: int
    description: str

    def check_schema(self, schema: LabelingSchema) -> None:
        """Raise `Invalid` (naming what is missing) if the schema cannot receive this format."""

    def read(self, stream: BinaryIO, *, schema: LabelingSchema) -> Iterator[RowRead]:
        """Yield the rows of the uploaded file (seekable)."""


T = TypeVar("T", Exporter, Importer)


class Registry(Generic[T]):
    """Formats of one kind by `name@version`."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, T] = {}

    def register(self, item: T) -> T:
        """Add `item`; a second item under the same `name@version` raises `ValueError`."""
        key = f"{item.name}@{item.version}"
        if key in self._items:
            raise ValueError(f"{self.kind} '{key}' is registered twice")
        self._items[key] = item
        return item

    def get(self, name: str) -> T:
        """The item called `name@version`, or the highest version of `name`.

        Raises:
            Invalid: No such format; the message lists the known names.
        """
        if name in self._items:
            return self._items[name]
        versions = [item for item in self._items.values() if item.name == name]
        if versions:
            return max(versions, key=lambda item: item.version)
        raise Invalid(
            f"Unknown {self.kind} format '{name}'; known: {', '.join(self.names())}.",
            errors=[{"loc": ["format"], "msg": f"unknown format '{name}'"}],
        )

    def names(self) -> list[str]:
        """Bare names, sorted."""
        return sorted({item.name for item in self._items.values()})

    def __iter__(self) -> Iterator[T]:
        return iter(list(self._items.values()))

    def __len__(self) -> int:
        return len(self._items)


EXPORTERS: Registry[Exporter] = Registry("export")
IMPORTERS: Registry[Importer] = Registry("import")


def register_exporter(exporter: Exporter) -> Exporter:
    """Register an exporter (see `Registry.register`)."""
    return EXPORTERS.register(exporter)


def register_importer(importer: Importer) -> Importer:
    """Register an importer (see `Registry.register`)."""
    return IMPORTERS.register(importer)


def get_exporter(name: str) -> Exporter:
    """The exporter called `name` (`coco` or `coco@1`); `Invalid` lists the known ones."""
    return EXPORTERS.get(name)


def get_importer(name: str) -> Importer:
    """The importer called `name` (`yolo` or `yolo@1`); `Invalid` lists the known ones."""
    return IMPORTERS.get(name)


def load_entry_points() -> None:
    """Register the formats other installed packages declare as entry points."""
    for group, registry in (
        ("labelwright.formats.exporters", EXPORTERS),
        ("labelwright.formats.importers", IMPORTERS),
    ):
        for point in entry_points(group=group):
            registry.register(point.load())
