"""An adapter's events into a normalized stream: the normalizer, the pipeline that feeds one
run's items through its adapter and normalizer (``feed``) and the read loop (``stream``)."""
