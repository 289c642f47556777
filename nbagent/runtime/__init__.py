"""The kernel-side runtime: where a run's source is read, how a run waits, stops and flushes."""
