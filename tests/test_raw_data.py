"""The raw source is immutable: byte-for-byte the seed, and its citation/licence sit beside it."""
import hashlib

from helpers import paths

SHA256 = "7de0f04aed41a3d41e299c07912e0a660ab470d4c470fec901299a0944716242"


def test_raw_source_is_unchanged():
    data = paths.source_file().read_bytes()
    assert len(data) == 37627
    assert hashlib.sha256(data).hexdigest() == SHA256
    data.decode("utf-8")  # strict UTF-8


def test_citation_and_licence_beside_it():
    raw = paths.RAW
    assert "Liu R., Zhang Y. (2023)" in (raw / "CITATION.md").read_text(encoding="utf-8")
    lic = (raw / "LICENSE-CC-BY-4.0.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in lic and "creativecommons.org/licenses/by/4.0" in lic
    text = paths.source_file().read_text(encoding="utf-8")
    assert "(CC BY 4.0)" in text  # the licence note we copy is the review's own
