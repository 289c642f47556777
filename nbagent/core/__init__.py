"""The bottom layer: the event types, plain values, text buffers, data bundles, error text."""
