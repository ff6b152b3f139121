"""Sales forecast: units and revenue per item, category and the whole shop for the coming weeks,
with a P10–P90 range, backtested on the shop's own past (``engine.tasks.forecast``)."""
