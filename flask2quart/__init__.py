"""flask2quart: migrate Flask applications to Quart."""
__version__ = "0.1.0"
