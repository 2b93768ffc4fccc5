__version__ = "0.1.0"
# The name on the package index (``pip install coherency-cevns``); the import name is
# ``coherency``.
__distribution__ = "coherency-cevns"
