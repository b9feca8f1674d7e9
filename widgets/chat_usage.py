"""The usage line of a conversation: its tokens and, where the model is priced, its cost."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from app.store import Store, StoredMessage
from app.usage import Price, cost, format_usage, price_for


def conversation_usage(
    store: Store,
    conversation_id: int | None,
    prices: Mapping[str, Price],
    messages: Sequence[StoredMessage] | None = None,
) -> str:
    """Tokens (and cost, where priced) of a whole conversation; "" when there are none.

    messages: the conversation's messages when the caller has them already (reading 2,000
    again from the store is most of what opening a long conversation costs Python).
    """
    if conversation_id is None:
        return ""
    tokens_in = tokens_out = 0
    money: float | None = 0.0
    for message in store.messages(conversation_id) if messages is None else messages:
        tokens_in += message.input_tokens or 0
        tokens_out += message.output_tokens or 0
        part = cost(message.input_tokens, message.output_tokens, price_for(message.model, prices))
        if message.input_tokens or message.output_tokens:
            money = None if part is None or money is None else money + part
    if not tokens_in and not tokens_out:
        return ""
    return "This conversation: " + format_usage(tokens_in, tokens_out, money)
