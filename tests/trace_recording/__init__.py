"""The runs behind ``tests/fixtures/traces/``: real tools, local servers (``tests/record_traces.py``)."""
