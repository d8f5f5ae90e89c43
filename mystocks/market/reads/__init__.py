"""Read-side queries of the market pages and API: coverage, charts, follow-up returns, backtests.

Pages and API views parse input, call one function here and render; nothing here writes.
"""
