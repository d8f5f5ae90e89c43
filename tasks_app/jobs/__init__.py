"""Built-in jobs operators use to check their workers (and tests use to exercise the engine)."""
import time

from django.utils.translation import gettext_lazy as _

from ..registry import Param, job


@job("noop", description="Do nothing and succeed: checks that a worker picks up work.")
def noop(ctx):
    ctx.log.info("noop")
    return {"ok": True}


@job("sleep", params=[Param("seconds", "float", 10.0, help=_("how long to sleep"))],
     description="Sleep, reporting progress every second and honouring stop.")
def sleep(ctx, seconds):
    whole = int(seconds)
    for second in range(whole):
        ctx.check_cancelled()
        ctx.progress(second, whole, f"slept {second}s of {seconds:g}s")
        ctx.log.info("slept %ss of %ss", second, seconds)
        time.sleep(1)
    time.sleep(seconds - whole)
    ctx.check_cancelled()
    ctx.progress(whole, whole, "done")
    return {"slept": seconds}


@job("fail", params=[Param("message", "str", "failed on purpose")],
     description="Raise an error with the given message: checks alerts and retries.")
def fail(ctx, message):
    ctx.log.error("about to fail: %s", message)
    raise RuntimeError(message)
