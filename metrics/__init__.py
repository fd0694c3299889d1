"""The metrics store and the pure domain math of the data-operations mechanism.

Never imports streamlit, prophet or pandas (tests/test_layering.py enforces it).
"""
