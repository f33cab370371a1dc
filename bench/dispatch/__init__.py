"""Dispatch at scale: reports per second through `python -m services.dispatch` on the real broker, against
a raw aiokafka consume-and-produce loop through the same broker in the same run; in a city of 100 grids and
one of 100,000 (tools/make_synthetic_city.py); and the memory of 1,000,000 open cases in the merge index.

    .venv/bin/python -m bench.dispatch              # alone: prints the figures, writes .bench/dispatch.json
    .venv/bin/python -m bench.dispatch --in-process   # dispatch's own µs a report, no Kafka, no faust
    make bench                                        # the same figures, among the others

The broker is GRIDLOOP_KAFKA_BOOTSTRAP (else 127.0.0.1:$KAFKA_PORT, else :9092); each run uses topics of
its own (a prefix) and deletes them afterwards. A backlog of reports is produced first, then the consumer
starts; the rate is counted from its first output to its last, so start-up and recovery are not in it.
Goals: dispatch ≥ 0.3 × the raw loop; 100,000 grids ≥ 0.8 × 100 grids.
"""

# The modules, by concept:
#   workload.py    the reports (a morning's mix, three in ten duplicates) and the cities
#   broker.py      the rates through the broker: raw aiokafka loop, faust pass-through, dispatch
#   per_report.py  dispatch's own work per report, in process (--in-process)
#   memory.py      the merge index's memory at a million open cases, in a child process
#   figures.py     the figures with their same-run baselines (dispatch_figures, for `make bench`)
#   __main__.py    `python -m bench.dispatch` and its flags

from bench.dispatch.figures import dispatch_figures
from bench.dispatch.per_report import in_process

__all__ = ["dispatch_figures", "in_process"]
