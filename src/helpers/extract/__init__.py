"""Extraction assistant: propose an extraction of a review's text, and compare extractions.

Modules (imported on demand, so ``import helpers.extract.tokens`` stays light):

``tokens``       the one numeric tokeniser (shared with the coverage ledger and validation)
``text``         normalised view of the source with an offset map, and its layout (sections,
                 tables, paragraphs, sentences)
``lexicon``      clinical vocabulary of endpoints, arms, units and time words (Chinese, English)
``forms``        recognisers of the statistical forms reviews print (``x/n (p%)``, ``HR a``, ...)
``annotate``     endpoint, term, arm, timepoint, refs of each recognised number
``nonstat``      numbers that are not statistics, with a reason
``bibliography`` the reference list, author mentions and candidate studies
``propose``      the whole proposal, written as a data directory in the schema
``diff``         per-field agreement of two extractions of the same text
``scaffold``     a new review's data directory (raw text, citation stub, proposal)
"""
