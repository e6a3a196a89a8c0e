"""Exports: the congress bundle (booklet, posters, workbook, CSV and JSON)."""
