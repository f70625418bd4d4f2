"""The token never reaches the logs."""

import logging

from bot.logs import RedactTokens


def test_token_is_redacted_from_log_records(caplog) -> None:
    token = "123456789:AAHfakeTokenValue_abcdefghijklmnop"
    logger = logging.getLogger("test.redact")
    logger.addFilter(RedactTokens(token))
    with caplog.at_level(logging.INFO, logger="test.redact"):
        logger.info("HTTP Request: POST https://api.telegram.org/bot%s/getUpdates", token)
        logger.info("other shape 987654321:ZZZfakeTokenValue_abcdefghijklmnop here")
    text = caplog.text
    assert token not in text and "ZZZfake" not in text
    assert text.count("<token>") == 2
