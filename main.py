"""IntentLens: the composition root (desktop application) and the command line.

``python main.py`` opens the desktop application; ``python main.py COMMAND ...`` runs a
headless command (see ``python main.py --help``).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``intentlens`` script and of ``python main.py``.

    Whatever goes wrong ends as one sentence on stderr: expected problems with exit code 2,
    anything unforeseen with a log file holding the details and exit code 1
    (``cli.report_unexpected``; the desktop application also shows it in a message box).
    """
    args = list(sys.argv[1:] if argv is None else argv)
    import cli

    if args and not args[0].startswith("-") or any(a in ("-h", "--help") for a in args):
        return cli.run(args)
    try:
        cli.use_locale_language()  # argparse's refusals ("unrecognized arguments") in Chinese
        parsed = cli.build_parser().parse_args(args)
        from gui.app import run_gui

        return run_gui(project=parsed.project, screenshots=parsed.screenshots)
    except Exception as exc:  # noqa: BLE001 - the last line of defence of the whole process
        return cli.report_unexpected(exc, args)


if __name__ == "__main__":
    sys.exit(main())
