"""The transcript: the reducer (fold), the blocks, the prices and the exports."""
