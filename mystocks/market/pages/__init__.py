"""The "Market data" pages: coverage with gap fill, stock charts, signals, backtests."""
