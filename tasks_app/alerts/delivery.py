"""Queueing and attempting deliveries; every attempt's outcome is stored on its AlertDelivery.

A delivery is created (with its rendered message) in the same transaction as the decision and
sent by the ``tasks_app.deliver_alert`` Celery task after commit, with retries. If the broker
refuses the message, or ``inline`` is asked (system alerts while no worker may be alive), it is
sent in the calling process. One channel's error never stops the others.
"""
import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .. import celery_send
from ..models import AlertDelivery
from . import channels as channel_senders
from . import messages, outbound

logger = logging.getLogger(__name__)
State = AlertDelivery.State


def max_attempts():
    return getattr(settings, "MYSTOCKS_ALERT_MAX_ATTEMPTS", 4)


def queue(*, incident, event, channels, inline=False):
    """Create one delivery per channel and send them after commit; returns the deliveries."""
    created = []
    for channel in channels:
        message = messages.incident_message(incident, event)
        created.append(AlertDelivery.objects.create(
            channel=channel, incident=incident, event=event, title=message["title"][:300], message=message,
        ))
    ids = [d.pk for d in created]
    if ids:
        transaction.on_commit(lambda: (send_now if inline else enqueue)(ids))
    return created


def enqueue(delivery_ids):
    for delivery_id in delivery_ids:
        try:
            celery_send.send_task(celery_send.DELIVER_ALERT, args=[delivery_id])
        except Exception as exc:  # broker down: better late from here than never
            logger.warning("could not queue alert delivery %s (%s); sending it now", delivery_id, exc)
            attempt(delivery_id)


def send_now(delivery_ids):
    for delivery_id in delivery_ids:
        attempt(delivery_id)


def attempt(delivery_id):
    """Try to send one delivery once; True when it is sent (now or before), False after a failure."""
    delivery = AlertDelivery.objects.select_related("channel").filter(pk=delivery_id).first()
    if delivery is None or delivery.status == State.SENT:
        return True
    rows = AlertDelivery.objects.filter(pk=delivery_id)
    try:
        channel_senders.send(delivery.channel, delivery.message)
    except Exception as exc:  # any channel error is recorded, never raised into the engine
        error = failure_text(exc, delivery.channel)
        rows.update(status=State.FAILED, error=error, attempts=F("attempts") + 1)
        logger.warning("alert delivery %s to %s failed: %s", delivery_id, delivery.channel.name, error)
        return False
    rows.update(status=State.SENT, error="", attempts=F("attempts") + 1, sent_at=timezone.now())
    return True


def failure_text(exc, channel):
    """What is stored and logged about a failed delivery: the failure class, with the channel's refusal
    reason when it gave one (status, errcode), never its URL, token, secret or the answer's body."""
    if isinstance(exc, channel_senders.ChannelError):
        return outbound.redact(str(exc), channel.secret, channel.url)[:300]
    return outbound.failure_summary(exc)


def send_test_message(channel):
    """Send a test message through ``channel`` now; returns the recorded delivery."""
    message = messages.test_message(channel)
    test = AlertDelivery.objects.create(
        channel=channel, event=AlertDelivery.Event.TEST, title=message["title"], message=message,
    )
    attempt(test.pk)
    test.refresh_from_db()
    return test


def retry_stuck_deliveries(*, older_than=300, now=None):
    """Re-attempt deliveries left pending or failed with attempts to spare (lost Celery messages).

    Returns how many were attempted. Runs from the periodic checks, in that process.
    """
    now = now or timezone.now()
    stuck = AlertDelivery.objects.filter(
        status__in=(State.PENDING, State.FAILED), attempts__lt=max_attempts(),
        created_at__lt=now - datetime.timedelta(seconds=older_than),
        created_at__gte=now - datetime.timedelta(days=1),
    ).values_list("pk", flat=True)[:100]
    ids = list(stuck)
    send_now(ids)
    return len(ids)
