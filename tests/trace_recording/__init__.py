"""The runs behind ``tests/fixtures/traces/``: real tools and local servers
(``tests/record_traces.py``)."""
