"""The usage line of a conversation: its tokens and, where the model is priced, its cost."""

from __future__ import annotations

from collections.abc import Mapping

from app.i18n import translate
from app.store import Store
from app.usage import Price, cost, format_usage, price_for


def conversation_usage(
    store: Store, conversation_id: int | None, prices: Mapping[str, Price]
) -> str:
    """Tokens (and cost, where priced) of a whole conversation, every branch (each was paid
    for); "" when there are none. Summed per model in SQL: reading 2,000 messages again from
    the store was most of what opening a long conversation cost Python."""
    if conversation_id is None:
        return ""
    tokens_in = tokens_out = 0
    money: float | None = 0.0
    rows = store.read(
        "SELECT model, COALESCE(SUM(input_tokens), 0), COALESCE(SUM(output_tokens), 0)"
        " FROM messages WHERE conversation_id = ? GROUP BY model",
        (conversation_id,),
    )
    for model, model_in, model_out in rows:
        tokens_in += model_in
        tokens_out += model_out
        part = cost(model_in, model_out, price_for(model, prices))
        if model_in or model_out:
            money = None if part is None or money is None else money + part
    if not tokens_in and not tokens_out:
        return ""
    usage = format_usage(tokens_in, tokens_out, money)
    return translate("ChatUsage", "This conversation: {usage}").format(usage=usage)
