"""An invoice as CSV (for accounting tools) and as a printable PDF (fpdf2, pure Python)."""

from __future__ import annotations

import csv
import io

from fpdf import FPDF

from nephos_metering.invoices.schemas import Invoice, InvoiceSection

CSV_HEADER = ["currency", "account", "service", "cost", "amount"]


def invoice_csv(invoice: Invoice) -> bytes:
    """Lines, then per currency the subtotal, adjustment and total rows."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for part in invoice.sections:
        for line in part.lines:
            writer.writerow([part.currency, line.account or "", line.service or "", line.cost,
                             line.amount])  # fmt: skip
        writer.writerow([part.currency, "", "subtotal", "", part.subtotal])
        label = f"adjustment {part.adjustment_percent}%"
        writer.writerow([part.currency, "", label, "", part.adjustment])
        writer.writerow([part.currency, "", "total", "", part.total])
    return out.getvalue().encode()


def _heading(pdf: FPDF, invoice: Invoice) -> None:
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, f"Invoice {invoice.billing_period}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    pdf.cell(0, 6, f"Company: {invoice.company}", new_x="LMARGIN", new_y="NEXT")
    period = f"Period: {invoice.period_start} to {invoice.period_end}"
    pdf.cell(0, 6, period, new_x="LMARGIN", new_y="NEXT")
    if invoice.provisional:
        pdf.set_font("Helvetica", "B", 11)
        pdf.cell(0, 8, "PROVISIONAL: the provider may still restate these costs.",
                 new_x="LMARGIN", new_y="NEXT")  # fmt: skip
        pdf.set_font("Helvetica", size=10)


def _section(pdf: FPDF, part: InvoiceSection) -> None:
    pdf.ln(4)
    with pdf.table(col_widths=(40, 90, 40), text_align=("LEFT", "LEFT", "RIGHT")) as table:
        table.row(["Account", "Service", f"Amount ({part.currency})"])
        for line in part.lines:
            table.row([line.account or "-", line.service or "-", line.amount])
        table.row(["", "Subtotal", part.subtotal])
        table.row(["", f"Adjustment ({part.adjustment_percent} %)", part.adjustment])
        table.row(["", "Total", part.total])


def invoice_pdf(invoice: Invoice) -> bytes:
    pdf = FPDF()
    pdf.set_title(f"Invoice {invoice.company} {invoice.billing_period}")
    pdf.add_page()
    _heading(pdf, invoice)
    for part in invoice.sections:
        _section(pdf, part)
    pdf.ln(6)
    pdf.set_font("Helvetica", size=8)
    pdf.multi_cell(0, 4, invoice.rounding_rule)
    return bytes(pdf.output())
