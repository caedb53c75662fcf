"""A producer that submits jobs at a steady rate, written from Protocols/ (MRSD/1 framing, mirsad.proto).

`mirsad submit` sends as fast as the dispatcher's credit allows; measuring latency below saturation needs jobs
arriving at a chosen rate. Job i is due at start + i / RATE; each SUBMIT carries the jobs that are due (at most 256),
so at any rate a job waits in this producer at most one scheduling tick (about a millisecond) before it is sent.

    python paced_producer.py --dispatcher tcp://127.0.0.1:PORT --jobs N --rate R --bytes S --batch B --pb-dir DIR

DIR holds mirsad_pb2.py, generated from Protocols/mirsad.proto with grpc_tools.protoc. Prints one JSON line: jobs
sent, accepted, refused, seconds, the rate achieved, and the most any job was sent after its due time.
"""
import argparse
import json
import sys
import time

import zmq

PROTOCOL_ID = b"MRSD1"
SUBMIT, SUBMIT_ACK, ERROR = b"\x10", b"\x11", b"\x7f"
MAX_JOBS_PER_SUBMIT = 256
MAX_OUTSTANDING = 256


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dispatcher", required=True)
    parser.add_argument("--jobs", type=int, required=True)
    parser.add_argument("--rate", type=float, required=True)
    parser.add_argument("--bytes", type=int, default=100)
    parser.add_argument("--batch", required=True)
    parser.add_argument("--pb-dir", required=True)
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()
    sys.path.insert(0, args.pb_dir)
    import mirsad_pb2 as pb

    context = zmq.Context()
    socket = context.socket(zmq.DEALER)
    socket.setsockopt(zmq.LINGER, 0)
    socket.connect(args.dispatcher)
    text = ("x" * (args.bytes - 1) + "\n")[:args.bytes]

    def entry(index):
        """Job INDEX as it stands inside a SUBMIT body (its `jobs` field): made before the clock starts, so that
        sending costs the same at any rate. Protobuf bodies concatenate: header + entries is a whole Submit."""
        job = pb.Job(job_id=f"{args.batch}:{index}", batch_id=args.batch)
        job.article.metadata.id = f"{args.batch}-{index}"
        job.article.text = text
        return pb.Submit(jobs=[job]).SerializeToString()

    entries = [entry(i) for i in range(args.jobs)]

    outstanding, accepted, refused, requests = {}, 0, 0, 0
    latest_lateness = 0.0

    def receive(wait_ms):
        nonlocal accepted, refused
        while socket.poll(wait_ms):
            wait_ms = 0
            frames = socket.recv_multipart()
            if len(frames) != 3 or frames[0] != PROTOCOL_ID:
                continue
            if frames[1] == SUBMIT_ACK:
                ack = pb.SubmitAck.FromString(frames[2])
                count = outstanding.pop(ack.request_id, None)
                if count is not None:
                    accepted += ack.accepted + ack.duplicates
                    refused += len(ack.rejected)
            elif frames[1] == ERROR:
                error = pb.Error.FromString(frames[2])
                raise SystemExit(f"the dispatcher refused a SUBMIT: {error}")

    started = time.monotonic()
    deadline = started + args.timeout
    sent = 0
    while sent < args.jobs and time.monotonic() < deadline:
        now = time.monotonic()
        due = min(args.jobs, int((now - started) * args.rate) + 1)
        if due > sent and len(outstanding) < MAX_OUTSTANDING:
            count = min(due - sent, MAX_JOBS_PER_SUBMIT)
            latest_lateness = max(latest_lateness, now - (started + sent / args.rate))
            request_id = str(requests)
            requests += 1
            header = pb.Submit(request_id=request_id, batch_id=args.batch).SerializeToString()
            socket.send_multipart([PROTOCOL_ID, SUBMIT, header + b"".join(entries[sent:sent + count])])
            outstanding[request_id] = count
            sent += count
            receive(0)
        else:
            next_due = started + sent / args.rate
            receive(max(1, min(int((next_due - time.monotonic()) * 1000), 50)))  # never spin: 1 ms at least
    seconds = time.monotonic() - started
    while outstanding and time.monotonic() < deadline:
        receive(100)
    print(json.dumps({
        "jobs": sent, "accepted": accepted, "refused": refused, "unacknowledged_submits": len(outstanding),
        "seconds": seconds, "rate": sent / seconds if seconds > 0 else 0, "max_lateness_ms": latest_lateness * 1000,
        "submits": requests,
    }))
    return 0 if accepted == args.jobs else 1


if __name__ == "__main__":
    sys.exit(main())
