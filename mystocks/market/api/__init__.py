"""/api/market/: the market data, read-only, for viewers and up (same auth and permissions as /api/)."""
