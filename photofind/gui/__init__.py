"""The desktop interface (PySide6): the only package allowed to import Qt."""
