"""The application's packaged files (icon, Qt translations), shipped in the wheel as package data.

Read them with ``importlib.resources.files("resources")`` (see ``gui.app``), never by a path
relative to the source tree: an installed application has no source tree. ``screenshots/`` is
documentation for the README and is not shipped.
"""
