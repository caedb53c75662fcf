"""Celery 5 + Redis peer of the dispatch benchmark: a no-op task, late acknowledgement, Redis result backend.

The worker side is this module's `app` (`celery -A celery_noop worker -c 2 --pool prefork`); the producer side is
`python celery_noop.py produce JOBS BYTES`, which sends JOBS tasks carrying BYTES bytes of text each and waits until
every result is in the backend. It prints one JSON line: jobs, seconds from the first send until the last result was
seen in the backend (polled every 10 ms), and the producer's CPU seconds from the first send on (without the
interpreter's start-up and imports).

MIRSAD_BENCH_REDIS names the Redis server (redis://127.0.0.1:PORT); the broker uses database 0, results database 1,
which holds nothing else while the benchmark runs.
"""
import json
import os
import sys
import time

from celery import Celery

REDIS = os.environ.get("MIRSAD_BENCH_REDIS", "redis://127.0.0.1:6379")

app = Celery("celery_noop", broker=f"{REDIS}/0", backend=f"{REDIS}/1")
app.conf.update(
    task_acks_late=True,            # acknowledged after the task ran: a worker killed mid-task loses nothing
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
)


@app.task(name="noop")
def noop(payload):
    """Does nothing with its payload; its (empty) result is stored in the backend."""
    return None


def produce(jobs, size, timeout):
    import redis

    results = redis.Redis.from_url(f"{REDIS}/1")
    payload = ("x" * (size - 1) + "\n")[:size]
    started, began_cpu = time.monotonic(), time.process_time()
    for _ in range(jobs):
        noop.apply_async(args=(payload,))
    sent = time.monotonic()
    deadline = started + timeout
    stored = 0
    while time.monotonic() < deadline:
        stored = results.dbsize()
        if stored >= jobs:
            break
        time.sleep(0.01)
    finished = time.monotonic()
    print(json.dumps({
        "jobs": jobs, "stored": stored, "seconds": finished - started, "send_seconds": sent - started,
        "producer_cpu_seconds": time.process_time() - began_cpu,
    }))
    return 0 if stored >= jobs else 1


if __name__ == "__main__":
    if len(sys.argv) < 4 or sys.argv[1] != "produce":
        sys.exit("usage: celery_noop.py produce JOBS BYTES [TIMEOUT_SECONDS]")
    sys.exit(produce(int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]) if len(sys.argv) > 4 else 600))
