"""The main window's pages; each owns its widgets and slots."""
