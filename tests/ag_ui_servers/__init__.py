"""Real AG-UI agents on 127.0.0.1 for tests, made of the ``ag-ui-protocol`` package's own event
models and encoder (``booking.py``)."""
