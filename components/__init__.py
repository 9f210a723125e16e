"""Reusable Streamlit pieces: the page shell, shared filters, freshness banner, KPI tiles, charts."""
