"""Tradeoff Lab's Streamlit dashboard: pages compose controls, calls into ``simulations`` and
charts; nothing here computes a metric itself."""
