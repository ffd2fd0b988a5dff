"""Field suggestions read from the region suggestions of the demo's invoices and receipts."""

from __future__ import annotations

import io
import random
from typing import Any

import orjson
from sqlalchemy import select

from labelwright.domain import validate_results
from labelwright.domain.schema import parse_schema
from labelwright.formats.task_rows import RowFormat
from labelwright.services import document_suggestions, imports, media
from labelwright.services.context import Platform
from labelwright.services.demo_documents import (
    DOCUMENT_SCHEMA,
    DemoDocument,
    make_contract,
    make_invoice,
    make_receipt,
)
from labelwright.services.document_suggestions import SuggestEngine
from labelwright.store.models import Prediction
from tests.builders import MadeUser, make_project, make_user


def _suggest(
    platform: Platform, user: MadeUser, docs: list[DemoDocument], schema: dict[str, Any]
) -> list[dict[str, Any]]:
    """Import the documents into a new project, run the text-layer job, return each task's
    suggested results in import order."""
    project = make_project(platform, user, schema=schema, name="Invoices")
    rows = []
    for doc in docs:
        with platform.db.session() as session:
            stored = media.upload_media(
                platform, session, user.actor, iter([doc.pdf]), filename=doc.filename
            )
        rows.append(orjson.dumps({"document": f"media:{stored.sha256}"}) + b"\n")
    with platform.db.session() as session:
        imports.import_tasks(
            session, user.actor, project.id, io.BytesIO(b"".join(rows)), fmt=RowFormat.JSONL
        )
        job, options = document_suggestions.start_document_suggestions(
            session, user.actor, project.id, engine=SuggestEngine.TEXT_LAYER
        )
    document_suggestions.run_document_suggestions(platform, user.actor, job.id, project.id, options)
    with platform.db.session() as session:
        predictions = session.scalars(
            select(Prediction)
            .where(Prediction.project_id == project.id)
            .order_by(Prediction.task_id)
        ).all()
        assert [p.origin for p in predictions] == ["rule:pdf-text-layer"] * len(docs)
        return [dict(p.results) for p in predictions]


def test_demo_invoice_fields_are_suggested_linked_and_normalized(platform: Platform) -> None:
    user = make_user(platform)
    invoice = make_invoice(random.Random(11), 1)
    [results] = _suggest(platform, user, [invoice], DOCUMENT_SCHEMA)
    regions = {region["id"]: region for region in results["layout"]}
    fields = {item["name"]: item for item in results["fields"]}
    truth = invoice.fields
    assert [item["name"] for item in results["fields"]] == ["invoice_number", "date", "total"]
    assert fields["invoice_number"]["value"] == truth["invoice_number"]
    assert fields["invoice_number"]["normalized"] == truth["invoice_number"]
    assert fields["date"]["value"] == fields["date"]["normalized"] == truth["date"]
    assert fields["total"]["value"] == f"${truth['total']:,.2f}"
    assert fields["total"]["normalized"] == truth["total"]
    for item in results["fields"]:
        value_region = regions[item["region"]]  # linked to the region showing the value
        assert value_region["text"] == item["value"] and value_region["page"] == 0
        assert value_region["label"] == "value"
    assert "vendor" not in fields  # no key printed for it: nothing is guessed
    # the stored prediction is a valid result of the schema, fields linked to its regions
    schema = parse_schema(DOCUMENT_SCHEMA)
    assert validate_results(schema, results, context={}, partial=True) == results


def test_receipt_and_contract_fields_from_inline_keys(platform: Platform) -> None:
    user = make_user(platform)
    rng = random.Random(5)
    receipt, contract = make_receipt(rng, 2), make_contract(rng, 3)
    got_receipt, got_contract = _suggest(platform, user, [receipt, contract], DOCUMENT_SCHEMA)
    by_name = {item["name"]: item for item in got_receipt["fields"]}
    regions = {region["id"]: region for region in got_receipt["layout"]}
    # "Date: 2024-06-09" is one line: the field links to it; "TOTAL" names the field `total`
    assert by_name["date"]["normalized"] == receipt.fields["date"]
    assert regions[by_name["date"]["region"]]["text"] == f"Date: {receipt.fields['date']}"
    assert by_name["total"]["normalized"] == receipt.fields["total"]
    assert regions[by_name["total"]["region"]]["text"] == f"{receipt.fields['total']:.2f}"
    contract_fields = {
        item["name"]: {k: v for k, v in item.items() if k != "id"}
        for item in got_contract["fields"]
    }
    assert contract_fields == {
        "date": {
            "name": "date",
            "value": contract.fields["date"],
            "normalized": contract.fields["date"],
            "region": contract_fields["date"]["region"],
        }
    }  # "Effective date: ..." names `date`; "Contract no.: C-003" names no field of the schema


def test_no_fields_control_means_regions_only(platform: Platform) -> None:
    user = make_user(platform)
    schema = {
        "objects": DOCUMENT_SCHEMA["objects"],
        "controls": [c for c in DOCUMENT_SCHEMA["controls"] if c["type"] != "fields"],
    }
    [results] = _suggest(platform, user, [make_invoice(random.Random(3), 9)], schema)
    assert list(results) == ["layout"] and len(results["layout"]) > 20
