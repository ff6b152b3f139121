"""Project storage: the SQLite (or PostgreSQL) project through SQLAlchemy.

Only what needs no database library lives here, so the window can name a project file before
SQLAlchemy is loaded."""

#: The file name ending of a project.
PROJECT_SUFFIX = ".intentlens"
