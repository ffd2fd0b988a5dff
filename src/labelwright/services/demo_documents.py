"""Demo documents made here: invoices, receipts and contracts as PDFs with a real text layer.

Each generator returns the PDF bytes and what a perfect extraction would find (document type and
field values), which the demo imports as a suggestion to correct.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from labelwright.services.demo_pdf import PdfPage, write_pdf

DOCUMENT_SCHEMA: dict[str, Any] = {
    "objects": {"document": {"type": "document"}},
    "controls": [
        {
            "name": "doctype",
            "type": "choice",
            "of": "document",
            "options": ["invoice", "receipt", "contract"],
            "required": True,
        },
        {
            "name": "layout",
            "type": "regions",
            "of": "document",
            "labels": ["header", "paragraph", "table", "key", "value", "signature", "text"],
        },
        {
            "name": "fields",
            "type": "fields",
            "of": "document",
            "fields": [
                {"name": "invoice_number", "type": "id"},
                {"name": "date", "type": "date"},
                {"name": "total", "type": "amount"},
                {"name": "vendor", "type": "text"},
            ],
        },
    ],
}

VENDORS = ["Acme Supplies Ltd.", "Globex Office GmbH", "Initech Services", "Umbrella Paper Co."]
CUSTOMERS = ["Stark Industries", "Wayne Enterprises", "Tyrell Corp.", "Cyberdyne Systems"]
ITEMS = [
    ("Printer paper A4 (box)", 24.90),
    ("Toner cartridge black", 89.00),
    ("Desk lamp LED", 42.50),
    ("Consulting hour", 120.00),
    ("USB-C cable 2 m", 12.99),
    ("Office chair", 310.00),
]
TERMS = [
    "Payment is due within 30 days of the invoice date. Late payments bear interest",
    "at 1% per month. Goods remain our property until paid in full. Claims for",
    "damage must be made within 8 days of delivery. The place of performance and",
    "jurisdiction is the seat of the vendor. Prices exclude shipping unless stated.",
]


@dataclass(frozen=True)
class DemoDocument:
    """A generated PDF and the truth about it."""

    pdf: bytes
    filename: str
    doctype: str
    fields: dict[str, Any] = field(default_factory=dict)


def _money(value: float) -> str:
    return f"${value:,.2f}"


def _date(rng: random.Random) -> dt.date:
    return dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 360))


def make_invoice(rng: random.Random, number: int) -> DemoDocument:
    """A 3-page invoice: header, fields and items table; terms; signature page."""
    vendor, customer = rng.choice(VENDORS), rng.choice(CUSTOMERS)
    when = _date(rng)
    invoice_id = f"INV-{when.year}-{number:04d}"
    first = PdfPage()
    first.rect(50, 40, 512, 56, fill=(0.91, 0.94, 0.98), stroke=False)
    first.text(64, 52, vendor, size=20, bold=True)
    first.text(64, 78, "12 Harbour Street, Lisbon", size=9)
    first.text(420, 56, "INVOICE", size=24, bold=True)
    for row, (key, value) in enumerate(
        (("Invoice number:", invoice_id), ("Date:", when.isoformat()), ("Bill to:", customer))
    ):
        first.text(64, 130 + row * 20, key, bold=True)
        first.text(180, 130 + row * 20, value)
    top = 220
    first.rect(60, top, 492, 22, fill=(0.85, 0.85, 0.85))
    first.text(68, top + 6, "Description", bold=True)
    first.text(330, top + 6, "Qty", bold=True)
    first.text(380, top + 6, "Unit price", bold=True)
    first.text(470, top + 6, "Amount", bold=True)
    total = 0.0
    lines = rng.sample(ITEMS, k=rng.randint(2, 4))
    for index, (item, price) in enumerate(lines):
        qty = rng.randint(1, 5)
        amount = round(qty * price, 2)
        total += amount
        y = top + 22 + index * 20
        first.rect(60, y, 492, 20)
        first.text(68, y + 5, item)
        first.text(330, y + 5, str(qty))
        first.text(380, y + 5, _money(price))
        first.text(470, y + 5, _money(amount))
    total = round(total, 2)
    y = top + 22 + len(lines) * 20 + 24
    first.text(380, y, "Total:", bold=True)
    first.text(470, y, _money(total), bold=True)
    second = PdfPage()
    second.text(64, 60, "Terms and conditions", size=16, bold=True)
    for index, line in enumerate(TERMS):
        second.text(64, 100 + index * 16, line, size=10)
    second.text(64, 190, "Bank: Banco Demo, IBAN PT50 0000 0000 1234 5678 9015 4", size=10)
    third = PdfPage()
    third.text(64, 60, "Acceptance", size=16, bold=True)
    third.text(64, 100, f"Received and accepted on behalf of {customer}.", size=10)
    third.polyline(_signature(rng, 80, 170))
    third.line(64, 200, 300, 200)
    third.text(64, 206, "Authorized signature", size=9)
    return DemoDocument(
        pdf=write_pdf([first, second, third]),
        filename=f"invoice-{number:02d}.pdf",
        doctype="invoice",
        fields={
            "invoice_number": invoice_id,
            "date": when.isoformat(),
            "total": total,
            "vendor": vendor,
        },
    )


def make_receipt(rng: random.Random, number: int) -> DemoDocument:
    """A one-page till receipt on a narrow page."""
    vendor = rng.choice(VENDORS)
    when = _date(rng)
    page = PdfPage(width=260, height=420)
    page.text(20, 20, vendor, size=12, bold=True)
    page.text(20, 40, f"Receipt no. R{number:05d}", size=9)
    page.text(20, 54, f"Date: {when.isoformat()}", size=9)
    total = 0.0
    for index, (item, price) in enumerate(rng.sample(ITEMS, k=3)):
        page.text(20, 84 + index * 16, item[:24], size=9)
        page.text(190, 84 + index * 16, f"{price:.2f}", size=9)
        total += price
    total = round(total, 2)
    page.line(20, 140, 240, 140)
    page.text(20, 148, "TOTAL", size=11, bold=True)
    page.text(180, 148, f"{total:.2f}", size=11, bold=True)
    page.text(20, 180, "Thank you for your visit!", size=9)
    return DemoDocument(
        pdf=write_pdf([page]),
        filename=f"receipt-{number:02d}.pdf",
        doctype="receipt",
        fields={
            "invoice_number": f"R{number:05d}",
            "date": when.isoformat(),
            "total": total,
            "vendor": vendor,
        },
    )


def make_contract(rng: random.Random, number: int) -> DemoDocument:
    """A two-page service contract with a signature block."""
    vendor, customer = rng.choice(VENDORS), rng.choice(CUSTOMERS)
    when = _date(rng)
    first = PdfPage()
    first.text(64, 60, "SERVICE AGREEMENT", size=20, bold=True)
    first.text(64, 100, f"Contract no.: C-{number:03d}", bold=True)
    first.text(64, 120, f"Effective date: {when.isoformat()}")
    clauses = [
        f"1. {vendor} (the Provider) supplies office services to {customer}.",
        "2. The Client pays the monthly fee within 30 days of each invoice.",
        "3. Either party may end this agreement with three months' notice.",
        "4. Confidential information stays confidential after the agreement ends.",
    ]
    for index, clause in enumerate(clauses):
        first.text(64, 160 + index * 18, clause, size=10)
    second = PdfPage()
    second.text(64, 60, "Signatures", size=16, bold=True)
    for column, party in enumerate((vendor, customer)):
        x = 64 + column * 260
        second.polyline(_signature(rng, x + 10, 130))
        second.line(x, 160, x + 200, 160)
        second.text(x, 166, f"For {party}", size=9)
    return DemoDocument(
        pdf=write_pdf([first, second]),
        filename=f"contract-{number:02d}.pdf",
        doctype="contract",
        fields={"invoice_number": f"C-{number:03d}", "date": when.isoformat(), "vendor": vendor},
    )


def _signature(rng: random.Random, x: float, top: float) -> list[tuple[float, float]]:
    points = []
    for step in range(14):
        points.append((x + step * 11 + rng.uniform(-3, 3), top + rng.uniform(-14, 14)))
    return points


def demo_documents(rng: random.Random) -> list[DemoDocument]:
    """Two invoices, two receipts, two contracts (the first invoice has 3 pages)."""
    return [
        make_invoice(rng, 1),
        make_receipt(rng, 2),
        make_contract(rng, 3),
        make_invoice(rng, 4),
        make_receipt(rng, 5),
        make_contract(rng, 6),
    ]
