"""Template context every page gets: the rise/fall colour convention and the simulated-data banner."""
from django.conf import settings

# Chinese convention: red is up, green is down; MYSTOCKS_PRICE_COLORS=green_up flips it.
COLORS = {"red_up": ("#d62728", "#1a9850"), "green_up": ("#1a9850", "#d62728")}


def market(request):
    up, down = COLORS.get(settings.MYSTOCKS_PRICE_COLORS, COLORS["red_up"])
    # The page colours come from a stylesheet per convention: the Content-Security-Policy refuses inline styles.
    convention = settings.MYSTOCKS_PRICE_COLORS if settings.MYSTOCKS_PRICE_COLORS in COLORS else "red_up"
    return {"market_up_color": up, "market_down_color": down, "simulated_data": settings.MYSTOCKS_DEMO,
            "market_colors_css": f"css/market-colors-{convention.replace('_', '-')}.css"}
