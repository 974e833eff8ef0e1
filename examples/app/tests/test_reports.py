import pytest


class TestReceipts:
    def test_receipt_pdf_export(self):
        pytest.skip("PDF renderer not installed in CI")
