"""Generic audit engine for narrative reviews extracted into the compendium's CSV schema.

Nothing in this package knows the review it audits: every review-specific fact lives
under ``data/``. See ``data/extracted/README.md`` for the schema.
"""

__all__ = ["paths"]
