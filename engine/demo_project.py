"""Creating the ready-to-explore demo project: generated data imported through the importer."""

from __future__ import annotations

import tempfile
from pathlib import Path

from engine.ingest import ImportOptions, ImportReport, run_import
from storage.project import ProjectError, open_project
from storage.queries import overview


def create_demo_project(
    location: str | Path, *, customers: int = 2000, seed: int = 7
) -> ImportReport:
    """Generate the seeded demo log (engine.demo) and import it into a new project."""
    from engine.demo import write_demo_csv

    if customers < 10:
        raise ProjectError("A demo project needs at least 10 customers.")
    project = open_project(location)
    try:
        if overview(project).events:
            raise ProjectError(
                f"“{Path(str(location)).name}” already holds data: choose a new project file "
                "for the demo."
            )
        with tempfile.TemporaryDirectory(prefix="intentlens-demo-") as tmp:
            csv_path = Path(tmp) / f"demo-shop-{seed}.csv"
            write_demo_csv(csv_path, customers=customers, seed=seed)
            report = run_import(project, csv_path, ImportOptions(allow_duplicate=True))
        project.set_meta("demo_seed", str(seed))
        project.set_meta("demo_customers", str(customers))
    finally:
        project.close()
    return report
