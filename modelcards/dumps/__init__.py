"""Dumps of the whole site for researchers and mirrors, as Wikipedia publishes its own.

`records` is the format (one JSON object a line, gzip-compressed, with a manifest and SHA256SUMS),
`writing` writes a dump of the current cards and of every version, `loading` puts a full-history dump
into an empty site, and `publishing` keeps the last few under MODELCARDS_DUMPS_DIR for /dumps/.
"""

from .records import DumpError

__all__ = ["DumpError"]
