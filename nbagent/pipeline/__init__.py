"""An adapter's events into a normalized stream: the normalizer and the stream."""
