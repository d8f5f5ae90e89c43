"""The fake baostock server lives in ``mystocks.market.simulated`` (the benchmark uses it too)."""
from mystocks.market.simulated.baostock_server import FakeBaostockServer, FakeMarket, point_baostock_at

__all__ = ["FakeBaostockServer", "FakeMarket", "point_baostock_at"]
