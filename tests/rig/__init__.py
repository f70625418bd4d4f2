"""End-to-end test rig: a local fake Telegram Bot API server (:class:`FakeBotApi`)."""

from tests.rig.botapi import TINY_PNG, Call, FakeBotApi, Fault, SentFile, StoredFile
from tests.rig.runner import running

__all__ = ["TINY_PNG", "Call", "FakeBotApi", "Fault", "SentFile", "StoredFile", "running"]
