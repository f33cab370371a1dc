"""Dispatch keeps its own record of what it has processed, and commits that; faust's is not trusted.

faust commits, per partition, the highest offset below which every message was acknowledged. After a
restart or a rebalance it can lose messages between its fetcher and the agent: fetched (the consumer's
position moves past them) but never handed to the agent, so never processed and never acknowledged. Seen
here after a SIGKILL and restart: 463 of 3,000 reports skipped, the position at the end of the partition,
the committed offset stuck at 67 (faust-streaming's issues 606 and 318 describe the same hole:
https://github.com/faust-streaming/faust/issues/606). faust would go on processing newer messages and
never commit again, and a report would only be dispatched after yet another restart.

So the topics dispatch consumes are declared with ``acks=False`` (faust neither tracks nor commits them)
and ``ConsumedOffsets`` does it instead, per partition:

- it knows the next offset due (the group's committed offset when it first meets the partition);
- ``admit`` passes only that offset and the ones after it, in order; anything older was processed already
  (a re-delivery; its effects are idempotent downstream anyway), and anything *past* a hole means faust
  skipped messages: the consumer is sought back to the offset due, and the messages past the hole are
  dropped now because they come again after it;
- ``processed`` moves the offsets due once a batch's effects are durable, and ``commit`` commits them;
- ``unstick`` handles a hole at the end of a partition, which no later message reveals: a partition whose
  consumer position is past the offset due, with no progress for a while, is sought back too.

Seeking back is always safe (at worst a re-fetch), so a false alarm costs nothing but time. A hole that is
real — offsets that do not exist, as transaction markers would leave — survives ``max_rewinds`` seeks and
is then stepped over, logged; dispatch's topics are written without transactions and never compacted, so
that is not expected.

``ledger.py`` holds the ledger, over the consumer-group operations it needs (``OffsetPort``; unit tests
pass an in-memory one); ``consumer_group.py`` those operations over a faust app, and the ledger's timer
and rebalance signal in the worker.
"""

from services.dispatch.offsets.consumer_group import FaustOffsets, track_offsets
from services.dispatch.offsets.ledger import ConsumedOffsets, OffsetPort, Positioned

__all__ = ["ConsumedOffsets", "FaustOffsets", "OffsetPort", "Positioned", "track_offsets"]
