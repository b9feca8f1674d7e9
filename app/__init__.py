"""Easel's core: no widgets, pure Python where it can be (QtCore at most)."""
