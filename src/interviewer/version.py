"""The package version, at the bottom of the layers so any module may name it (the
package's ``__init__`` re-exports the Python API, which sits near the top)."""

__version__ = "0.1.0"
