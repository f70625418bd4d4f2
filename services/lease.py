"""One alert sender among several instances: a lease in the database, renewed while alive.

Every instance runs the same daily alert jobs; only the lease holder sends. The holder renews
every RENEW_EVERY; a holder that died stops renewing and its lease runs out after TTL, so
another instance takes over within TTL + RENEW_EVERY (under a minute) and catches up on what
is due and unsent. The alerts_sent claim stays the last line: even two senders would send
each chat's alert once.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from services.context import Env
from store.leases import LeaseRow, get_lease, release_lease, take_lease

log = logging.getLogger(__name__)

ALERTS = "alerts"
TTL = timedelta(seconds=40)
RENEW_EVERY = timedelta(seconds=15)
KEY = "leadership"


def instance_id(listen: str | None = None) -> str:
    """host:listen — stable across restarts, so a restarted instance takes its own lease back
    at once (no TTL wait before the catch-up); workers on one host differ by WEBHOOK_LISTEN.
    Without `listen`: host:pid:random (unique, never reclaimed)."""
    if listen:
        return f"{socket.gethostname()}:{listen}"
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class Leadership:
    """This instance's view of the lease it may hold."""

    holder: str = field(default_factory=instance_id)
    held: bool = False

    async def hold(self, env: Env, name: str = ALERTS) -> tuple[bool, bool]:
        """Take or renew the lease: (held now, newly taken by this call)."""
        now = env.clock.now()
        async with env.db.write() as conn:
            held = await take_lease(conn, name, self.holder, now, now + TTL)
        newly = held and not self.held
        if newly:
            log.info("lease %s taken by %s", name, self.holder)
        elif self.held and not held:
            log.warning("lease %s lost by %s", name, self.holder)
        self.held = held
        return held, newly

    async def release(self, env: Env, name: str = ALERTS) -> None:
        async with env.db.write() as conn:
            await release_lease(conn, name, self.holder)
        self.held = False


def leadership_of(bot_data: Any) -> Leadership:
    """The instance's Leadership, kept in the Application's bot_data (one per instance)."""
    found = bot_data.get(KEY)
    if not isinstance(found, Leadership):
        found = Leadership()
        bot_data[KEY] = found
    return found


async def current(env: Env, name: str = ALERTS) -> LeaseRow | None:
    async with env.db.read() as conn:
        return await get_lease(conn, name)
