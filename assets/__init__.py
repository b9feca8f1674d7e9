"""Easel's run-time files (no code): installed from a wheel as the package `easel_assets`.

Read them through app/resources.py, never by a path relative to the current folder.
"""
