"""PySide6 and pyqtgraph views, and the command line that composes the application."""
