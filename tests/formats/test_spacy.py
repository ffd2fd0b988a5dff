from __future__ import annotations

import io
import json
import zipfile

import spacy
from spacy.tokens import DocBin

from tests.formats.conftest import export_bytes
from tests.formats.samples import text_sample


def test_spacy_loads_the_docbin_with_entities_and_cats() -> None:
    sample = text_sample()
    archive = zipfile.ZipFile(io.BytesIO(export_bytes("spacy", sample.schema, sample.tasks)))
    assert archive.namelist() == ["train-00000.spacy"]
    nlp = spacy.blank("en")
    docs = list(DocBin().from_bytes(archive.read("train-00000.spacy")).get_docs(nlp.vocab))
    assert len(docs) == 2  # the third task has no annotation
    assert [(e.text, e.label_) for e in docs[0].ents] == [("Ada", "PER"), ("Acme Corp", "ORG")]
    assert docs[0].cats == {"pos": 1.0, "neg": 0.0, "tech": 1.0, "art": 0.0}
    assert docs[1].text.endswith("🙂") and [e.text for e in docs[1].ents] == ["Grace", "Harvard"]


def test_spacy_jsonl_has_character_spans_and_cats() -> None:
    sample = text_sample()
    lines = [
        json.loads(x) for x in export_bytes("spacy-jsonl", sample.schema, sample.tasks).splitlines()
    ]
    assert lines[0]["spans"][1] == {"start": 13, "end": 22, "label": "ORG"}
    assert lines[0]["meta"]["id"] == 1 and lines[1]["cats"]["neg"] == 1.0
