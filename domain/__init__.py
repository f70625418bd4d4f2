"""Pure domain core: no Telegram, no SQL, no drawing. Dataclasses in, dataclasses out."""
