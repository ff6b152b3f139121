"""Turning behavior-log files into canonical events in a project."""

from engine.ingest.import_report import (
    DuplicateImport,
    ImportCancelled,
    ImportProgress,
    ImportReport,
)
from engine.ingest.importer import import_file, run_import
from engine.ingest.preview import FilePreview, ImportOptions, inspect_file
from engine.ingest.source import FileProblem

__all__ = [
    "DuplicateImport",
    "FileProblem",
    "FilePreview",
    "ImportCancelled",
    "ImportOptions",
    "ImportProgress",
    "ImportReport",
    "import_file",
    "inspect_file",
    "run_import",
]
