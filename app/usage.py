"""Token usage and what it costs, where the user entered the model's prices.

Prices are per million tokens, input and output, as providers publish them; Easel knows none by
itself (they change too often to ship), so a model without a price shows tokens only.
"""

from __future__ import annotations

from collections.abc import Mapping

from app.i18n import translate

Price = tuple[float, float]


def cost(input_tokens: int | None, output_tokens: int | None, price: Price | None) -> float | None:
    """What these tokens cost at this price (None when the price is unknown)."""
    if price is None:
        return None
    return ((input_tokens or 0) * price[0] + (output_tokens or 0) * price[1]) / 1_000_000


def price_for(model: str | None, prices: Mapping[str, Price]) -> Price | None:
    """The price the user entered for this model (exact name, then ignoring case)."""
    if not model:
        return None
    if model in prices:
        return prices[model]
    wanted = model.casefold()
    return next((p for name, p in prices.items() if name.casefold() == wanted), None)


def format_usage(input_tokens: int | None, output_tokens: int | None, money: float | None) -> str:
    """ "1,234 in · 567 out · $0.0123" (the cost only when known)."""
    text = translate("Usage", "{input} in · {output} out").format(
        input=f"{input_tokens or 0:,}", output=f"{output_tokens or 0:,}"
    )
    if money is not None:
        text += f" · ${money:.4f}" if money < 1 else f" · ${money:.2f}"
    return text
