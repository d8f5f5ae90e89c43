"""Kombu's filesystem transport (the embedded, server-less broker), delivering by priority.

Kombu's standard filesystem transport names each message file ``<monotonic ms>_<uuid>.<queue>.msg``
and a worker takes the first name in sorted order: strictly first in, first out, so a message's
priority is ignored. Here the name starts with the priority (0 first … 9 last, the order the Redis transport
uses and ``dispatch.celery_priority`` maps to), so a CRITICAL run queued behind a backlog of
BATCH runs is taken next. Names keep the standard shape after the prefix, so ``_get``, ``_size``
and ``_purge`` work unchanged. Selected in settings with ``CELERY_BROKER_TRANSPORT``.
"""
import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps

DEFAULT_PRIORITY = 4


def message_priority(payload):
    """The 0 (first) … 9 (last) priority a message was sent with; middle when it has none."""
    priority = (payload.get("properties") or {}).get("priority")
    return min(max(int(priority), 0), 9) if isinstance(priority, int) else DEFAULT_PRIORITY


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{message_priority(payload)}_{int(round(monotonic() * 1000)):015d}_{uuid.uuid4()}.{queue}.msg"
        path = os.path.join(self.data_folder_out, name)
        # Written under a temporary name and renamed, so a worker never reads a half-written file.
        partial = os.path.join(self.data_folder_out, f".{name}.part")
        try:
            with open(partial, "wb", buffering=0) as f:
                f.write(str_to_bytes(dumps(payload)))
            os.replace(partial, path)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {path!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel
