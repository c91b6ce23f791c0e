"""A PushSender that writes pushes to the log instead of sending them (demos, no Firebase)."""

import itertools
import logging
from collections.abc import Sequence

from alerts import push

log = logging.getLogger(__name__)


class LogSender:
    """Logs each message as `push.logged` and reports it sent as `log-<n>`.

    INFO carries the alert id and the token's last 6 characters only, never title or body (they
    may hold a plate); DEBUG adds the content as `push.logged.content`.
    """

    def __init__(self) -> None:
        self._numbers = itertools.count(1)

    def send_batch(self, messages: Sequence[push.PushMessage], /) -> list[push.SendResult]:
        results: list[push.SendResult] = []
        for message in messages:
            message_id = f"log-{next(self._numbers)}"
            facts = {
                "message_id": message_id,
                "alert_id": message.data.get("alert_id"),
                "token_tail": message.token[-6:],
                "platform": message.platform.value,
                "urgent": message.urgent,
                "quiet": message.quiet,
                "ttl_s": message.ttl_s,
            }
            log.info("push.logged", extra=facts)
            if log.isEnabledFor(logging.DEBUG):
                content = {"title": message.title, "body": message.body, "data": dict(message.data)}
                log.debug("push.logged.content", extra={"message_id": message_id, **content})
            results.append(push.Sent(message_id))
        return results

    def describe(self) -> str:
        return "pushes go to the log (event push.logged), not to phones"
