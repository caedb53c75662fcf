"""Raw pyzmq peer of the dispatch benchmark: ventilator -> WORKERS workers -> sink, PUSH/PULL over TCP loopback.

No journal, no acknowledgement, no retry: what moving the bytes costs with nothing else. Each worker receives a job
(an 8-byte sequence number and BYTES bytes of payload), and sends the sink an empty result carrying the number.

    python zmq_pipeline.py run JOBS BYTES [WORKERS]

starts the sink and the workers as processes of their own, ventilates JOBS jobs and prints one JSON line: jobs,
seconds from the first send until the sink had the last result, and CPU seconds of the ventilator, the sink and
the workers (each from its first job on, without the interpreter's start-up).
"""
import json
import os
import struct
import subprocess
import sys
import time

import zmq


def worker(ventilator, sink):
    context = zmq.Context()
    jobs = context.socket(zmq.PULL)
    jobs.connect(ventilator)
    results = context.socket(zmq.PUSH)
    results.connect(sink)
    results.send(b"hello")
    job = jobs.recv()
    began = time.process_time()
    while job != b"stop":
        results.send(job[:8])
        job = jobs.recv()
    print(time.process_time() - began)  # CPU from the first job on, without the interpreter's start-up


def sink(control, jobs, workers):
    context = zmq.Context()
    results = context.socket(zmq.PULL)
    port = results.bind_to_random_port("tcp://127.0.0.1")
    report = context.socket(zmq.PUSH)
    report.connect(control)
    report.send(f"tcp://127.0.0.1:{port}".encode())
    for _ in range(workers):           # every worker is connected before the first job goes out
        results.recv()
    report.send(b"ready")
    seen = set()
    seen.add(results.recv())
    began = time.process_time()
    while len(seen) < jobs:
        seen.add(results.recv())
    report.send(struct.pack("<d", time.monotonic()))
    print(time.process_time() - began)


def run(jobs, size, workers):
    context = zmq.Context()
    control = context.socket(zmq.PULL)
    control_endpoint = f"tcp://127.0.0.1:{control.bind_to_random_port('tcp://127.0.0.1')}"
    ventilator = context.socket(zmq.PUSH)
    ventilator_endpoint = f"tcp://127.0.0.1:{ventilator.bind_to_random_port('tcp://127.0.0.1')}"
    me = os.path.abspath(__file__)
    children = [subprocess.Popen([sys.executable, me, "sink", control_endpoint, str(jobs), str(workers)],
                                 stdout=subprocess.PIPE, text=True)]
    try:
        if not control.poll(60_000):
            raise SystemExit("the sink did not start within 60 s")
        sink_endpoint = control.recv().decode()
        children += [subprocess.Popen([sys.executable, me, "worker", ventilator_endpoint, sink_endpoint],
                                      stdout=subprocess.PIPE, text=True) for _ in range(workers)]
        if not control.poll(60_000):
            raise SystemExit("the sink did not hear from every worker within 60 s")
        control.recv()
        time.sleep(0.2)                    # the workers' PULL connections settle, so jobs are spread over all
        payload = b"x" * size
        started, began_cpu = time.monotonic(), time.process_time()
        for sequence in range(jobs):
            ventilator.send(struct.pack("<Q", sequence) + payload)
        if not control.poll(600_000):
            raise SystemExit("the sink did not get every result within 600 s")
        finished = struct.unpack("<d", control.recv())[0]
        ventilator_cpu = time.process_time() - began_cpu
        for _ in range(workers):
            ventilator.send(b"stop")
        cpu = [float(child.communicate(timeout=60)[0]) for child in children]
    finally:
        for child in children:
            if child.returncode is None:
                child.kill()
                child.wait()
    print(json.dumps({
        "jobs": jobs, "seconds": finished - started,
        "cpu_seconds": {"ventilator": ventilator_cpu, "sink": cpu[0], "workers": sum(cpu[1:])},
    }))


if __name__ == "__main__":
    role = sys.argv[1] if len(sys.argv) > 1 else ""
    if role == "run":
        run(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) > 4 else 2)
    elif role == "worker":
        worker(sys.argv[2], sys.argv[3])
    elif role == "sink":
        sink(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        sys.exit("usage: zmq_pipeline.py run JOBS BYTES [WORKERS]")
