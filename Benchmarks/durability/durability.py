#!/usr/bin/env python3
"""Durability measurements on real `mirsad` processes (release build).

  soak          a large batch while random processes are killed with SIGKILL every few seconds and started again
                on the same endpoint, journal and store; checks that every acknowledged job ends stored or
                dead-lettered exactly once and prints the figures the fault test prints, plus throughput.
  queue-memory  a dispatcher with a SQLite journal and no workers; 10,000 then 1,000,000 queued jobs; the
                dispatcher's peak resident memory (VmHWM) and the journal's size at each point.

Called by soak.sh and queue-memory.sh, which build the binary first. Every process started here is in a session of
its own and is killed (with whatever it started) when the script ends, however it ends.
"""
import argparse
import gzip
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def parents():
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        table[int(entry)] = int(fields[1])
    return table


def descendants(pid):
    table, found, frontier = parents(), [], [pid]
    while frontier:
        current = frontier.pop()
        children = [p for p, parent in table.items() if parent == current]
        found += children
        frontier += children
    return found


def vm_field(pid, field):
    """A VmHWM / VmRSS line of /proc/PID/status, in kB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return None


class Service:
    """One role (dispatcher, collector, worker-N): started, killed and started again on the same arguments."""

    def __init__(self, name, args, work, env=None):
        self.name, self.args, self.work, self.env = name, args, work, env
        self.proc, self.starts = None, 0

    def start(self, timeout=120):
        self.starts += 1
        out = os.path.join(self.work, f"{self.name}.{self.starts}.out")
        log = open(os.path.join(self.work, f"{self.name}.log"), "ab")
        log.write(f"----- {self.name} start #{self.starts} at {time.strftime('%H:%M:%S')} -----\n".encode())
        log.flush()
        env = dict(os.environ, **(self.env or {}))
        self.proc = subprocess.Popen(self.args, stdout=open(out, "wb"), stderr=log, stdin=subprocess.DEVNULL,
                                     start_new_session=True, env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with open(out) as f:
                for line in f:
                    if line.startswith("READY "):
                        return line[6:].strip()
            if self.proc.poll() is not None:
                raise SystemExit(f"{self.name} exited ({self.proc.returncode}) before READY; see {self.work}/{self.name}.log")
            time.sleep(0.05)
        raise SystemExit(f"{self.name} printed no READY within {timeout} s; see {self.work}/{self.name}.log")

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def kill9(self):
        if self.proc is None:
            return
        family = descendants(self.proc.pid)
        for target in [-self.proc.pid, self.proc.pid] + family:
            try:
                (os.killpg if target < 0 else os.kill)(abs(target), signal.SIGKILL)
            except OSError:
                pass
        self.proc.wait()

    def kill9_child(self):
        """SIGKILL the analysis process of a supervised worker; False when there is none."""
        children = [p for p, parent in parents().items() if parent == self.proc.pid]
        if not children:
            return False
        os.kill(children[0], signal.SIGKILL)
        return True

    def stop(self, grace=15):
        if not self.running():
            return
        family = descendants(self.proc.pid)
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(grace)
        except subprocess.TimeoutExpired:
            self.kill9()
        for pid in family:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


class Cluster:
    def __init__(self, binary, work, workers, supervised, dispatcher_options=(), worker_threads=1):
        self.binary, self.work = binary, work
        d_port, c_port = free_port(), free_port()
        while c_port == d_port:
            c_port = free_port()
        self.dispatcher_endpoint = f"tcp://127.0.0.1:{d_port}"
        self.collector_endpoint = f"tcp://127.0.0.1:{c_port}"
        self.journal = os.path.join(work, "journal.sqlite")
        self.store = os.path.join(work, "reports.sqlite")
        self.services = {}
        self.dispatcher = self.add("dispatcher", ["dispatcher", "--bind", self.dispatcher_endpoint,
                                                  "--journal", self.journal, *dispatcher_options])
        self.collector = None
        self.workers = []
        if workers:
            self.collector = self.add("collector", ["collector", "--bind", self.collector_endpoint, "--dispatcher",
                                                    self.dispatcher_endpoint, "--store", self.store])
        for i in range(workers):
            args = ["worker", "--dispatcher", self.dispatcher_endpoint, "--collector", self.collector_endpoint,
                    "--threads", str(worker_threads)]
            if i >= supervised:
                args.append("--no-supervise")
            self.workers.append(self.add(f"worker-{i}", args))
        self.extra = []

    def add(self, name, args):
        service = Service(name, [self.binary, *args], self.work)
        self.services[name] = service
        return service

    def start(self):
        for service in self.services.values():
            service.start()

    def mirsad(self, *args, timeout=60):
        result = subprocess.run([self.binary, *args], capture_output=True, text=True, timeout=timeout)
        return result

    def json_of(self, *args):
        try:
            result = self.mirsad(*args)
        except subprocess.TimeoutExpired:
            return None
        if result.returncode != 0:
            return None
        try:
            return json.loads(result.stdout)
        except ValueError:
            return None

    def status(self):
        return self.json_of("status", "--dispatcher", self.dispatcher_endpoint, "--json")

    def dead_letters(self, batch=None):
        args = ["dlq", "list", "--dispatcher", self.dispatcher_endpoint, "--json", "--limit", "1"]
        if batch:
            args += ["--batch", batch]
        return self.json_of(*args)

    def stop(self):
        for proc in self.extra:
            if proc.poll() is None:
                proc.kill()
        order = self.workers + ([self.collector] if self.collector else []) + [self.dispatcher]
        for service in order:
            service.stop()


def stored_count(store):
    """Jobs in the store now (read-only connection; the collector may be writing)."""
    try:
        db = sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=2)
        try:
            return db.execute("SELECT COUNT(*) FROM results").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:
        return None


class Progress(threading.Thread):
    """Samples the store's count every `interval` seconds, to time how long work stands still after a kill."""

    def __init__(self, store, interval):
        super().__init__(daemon=True)
        self.store, self.interval, self.samples, self.done = store, interval, [], False

    def run(self):
        while not self.done:
            count = stored_count(self.store)
            if count is not None:
                self.samples.append((time.monotonic(), count))
            time.sleep(self.interval)

    def latest(self):
        return self.samples[-1][1] if self.samples else 0

    def resume_after(self, killed_at, back_at):
        before = max((c for t, c in self.samples if t <= back_at), default=0)
        for t, c in self.samples:
            if t > back_at and c > before:
                return t - killed_at
        return None


def write_soak_input(source, count, path):
    with gzip.open(source, "rt", encoding="utf-8") as f:
        lines = [line for line in f if line.strip()]
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as out:
        for i in range(count):
            article = json.loads(lines[i % len(lines)])
            article["id"] = f"{article['id']}#{i // len(lines)}"
            out.write(json.dumps(article, ensure_ascii=False) + "\n")


def soak(args):
    rng = random.Random(args.seed)
    print(f"soak: seed {args.seed}, {args.jobs} jobs, {args.workers} workers ({args.supervised} supervised), "
          f"a kill every ~{args.kill_every} s; work in {args.work}")
    source = os.path.join(args.shared, "corpus/ant/articles.jsonl.gz")
    data = os.path.join(args.work, "soak.jsonl.gz")
    write_soak_input(source, args.jobs, data)
    cluster = Cluster(args.binary, args.work, args.workers, args.supervised, dispatcher_options=[
        "--max-attempts", str(args.max_attempts), "--retry-backoff", "0.5", "--retry-backoff-max", "5",
        "--lease-timeout", "15", "--liveness-timeout", "3"], worker_threads=args.threads)
    try:
        cluster.start()
        progress = Progress(cluster.store, 0.2)
        progress.start()
        batch = f"soak-{args.seed}"
        started = time.monotonic()
        producer_out = open(os.path.join(args.work, "producer.out"), "wb")
        producer = subprocess.Popen(
            [args.binary, "submit", data, "--dispatcher", cluster.dispatcher_endpoint, "--batch", batch, "--wait",
             "--json"], stdout=producer_out, stderr=open(os.path.join(args.work, "producer.log"), "wb"),
            stdin=subprocess.DEVNULL, start_new_session=True)
        cluster.extra.append(producer)
        events = []
        victims = ["dispatcher", "collector"] + [w.name for w in cluster.workers]
        while producer.poll() is None and time.monotonic() - started < args.timeout:
            pause = args.kill_every * rng.uniform(0.5, 1.5)
            deadline = time.monotonic() + pause
            while time.monotonic() < deadline and producer.poll() is None:
                time.sleep(0.1)
            if producer.poll() is not None:
                break
            name = rng.choice(victims)
            service = cluster.services[name]
            killed_at, at_count = time.monotonic(), progress.latest()
            what = f"kill -9 {name}"
            if name.startswith("worker") and "--no-supervise" not in service.args and rng.random() < 0.5 \
                    and service.kill9_child():
                what += " (analysis process; its supervisor restarts it)"
            else:
                service.kill9()
                time.sleep(rng.uniform(0, args.max_down))
                service.start()
            back_at = time.monotonic()
            events.append((what, killed_at, back_at, at_count))
            print(f"soak: {what} at {at_count} stored, serving again after {back_at - killed_at:.2f} s", flush=True)
        try:
            producer.wait(max(1, args.timeout - (time.monotonic() - started)))
        except subprocess.TimeoutExpired:
            print("soak: the producer did not finish in time", file=sys.stderr)
            producer.kill()
        seconds = time.monotonic() - started
        producer_out.close()
        try:
            report = json.load(open(os.path.join(args.work, "producer.out")))
        except ValueError:
            report = {}
        acknowledged = report.get("accepted", 0) + report.get("duplicates", 0)
        for _ in range(50):  # the store may trail the dispatcher by a commit
            letters = cluster.dead_letters(batch) or {}
            if (stored_count(cluster.store) or 0) + letters.get("total", 0) >= acknowledged:
                break
            time.sleep(0.3)
        status = cluster.status() or {}
        progress.done = True
        progress.join()
    finally:
        cluster.stop()
    db = sqlite3.connect(f"file:{cluster.store}?mode=ro", uri=True)
    rows, distinct = db.execute("SELECT COUNT(*), COUNT(DISTINCT job_id) FROM results").fetchone()
    dead = letters.get("total", 0)
    lost = acknowledged - distinct - dead
    resumes = [progress.resume_after(k, b) for _, k, b, _ in events]
    longest = max((r for r in resumes if r is not None), default=0)
    never = sum(1 for (_, _, _, c), r in zip(events, resumes) if r is None and c < args.jobs)
    print(f"soak: producer exit {producer.returncode}: articles {report.get('articles')}, accepted "
          f"{report.get('accepted')}, duplicates {report.get('duplicates')}")
    print(f"soak: submitted {args.jobs}, acknowledged {acknowledged}, stored {distinct}, dead-lettered {dead}, "
          f"lost {lost}, duplicate rows {rows - distinct}, redispatches {status.get('redispatches', '?')}")
    print(f"soak: {len(events)} kills; longest time from a kill to work resuming {longest:.2f} s"
          + (f"; {never} kills after which work never resumed" if never else ""))
    print(f"soak: {distinct} jobs stored in {seconds:.1f} s = {distinct / seconds:.0f} jobs/s under faults")
    ok = producer.returncode == 0 and acknowledged == args.jobs and lost == 0 and rows == distinct and never == 0
    print("soak: checks", "passed" if ok else "FAILED")
    return 0 if ok else 1


def small_articles(start, count):
    text = "وصل وفد من القاهرة إلى غزة لبحث الملفات المتعلقة بإدارة القطاع"
    for i in range(start, start + count):
        yield json.dumps({"id": f"q{i}", "text": f"{text} {i}"}, ensure_ascii=False) + "\n"


def queue_memory(args):
    print(f"queue-memory: dispatcher with a SQLite journal and no workers; {args.small:,} then {args.jobs:,} "
          f"queued jobs; work in {args.work}")
    cluster = Cluster(args.binary, args.work, 0, 0,
                      dispatcher_options=["--max-queued", str(args.jobs + 1000)])
    rows = []
    try:
        cluster.start()
        pid = cluster.dispatcher.proc.pid
        rows.append(("idle", 0, vm_field(pid, "VmHWM"), vm_field(pid, "VmRSS"), journal_bytes(cluster.journal), 0))
        submitted = 0
        for target, batch in ((args.small, "queue-small"), (args.jobs, "queue-large")):
            started = time.monotonic()
            producer = subprocess.Popen(
                [args.binary, "submit", "-", "--dispatcher", cluster.dispatcher_endpoint, "--batch", batch, "--json"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=open(os.path.join(args.work, "producer.log"), "ab"),
                text=True, start_new_session=True)
            cluster.extra.append(producer)
            buffer = []
            for line in small_articles(submitted, target - submitted):
                buffer.append(line)
                if len(buffer) >= 10_000:
                    producer.stdin.write("".join(buffer))
                    buffer = []
            producer.stdin.write("".join(buffer))
            producer.stdin.close()
            report = json.loads(producer.stdout.read() or "{}")
            producer.wait()
            seconds = time.monotonic() - started
            submitted = target
            status = cluster.status() or {}
            rows.append((f"{target:,} queued", status.get("queued"), vm_field(pid, "VmHWM"), vm_field(pid, "VmRSS"),
                         journal_bytes(cluster.journal), seconds))
            print(f"queue-memory: batch {batch}: accepted {report.get('accepted')} in {seconds:.1f} s "
                  f"({report.get('accepted', 0) / max(seconds, 1e-9):,.0f} jobs/s); producer exit {producer.returncode}",
                  flush=True)
    finally:
        cluster.stop()
    print(f"{'point':>18} {'queued':>10} {'peak RSS (VmHWM)':>18} {'RSS':>10} {'journal':>12}")
    for name, queued, hwm, rss, journal, _ in rows:
        print(f"{name:>18} {queued if queued is not None else '?':>10} {hwm / 1024:>15.1f} MB {rss / 1024:>7.1f} MB "
              f"{journal / 1e6:>9.1f} MB")
    small, large = rows[1], rows[2]
    growth = (large[2] - small[2]) / 1024
    print(f"queue-memory: peak RSS grew by {growth:.1f} MB from {args.small:,} to {args.jobs:,} queued jobs "
          f"({growth * 1024 * 1024 / max(args.jobs - args.small, 1):.1f} bytes a job); journal "
          f"{large[4] / max(large[1] or 1, 1):.0f} bytes a job")
    ok = large[1] == args.jobs
    print("queue-memory: checks", "passed" if ok else f"FAILED (queued {large[1]}, expected {args.jobs})")
    return 0 if ok else 1


def journal_bytes(path):
    return sum(os.path.getsize(p) for p in (path, path + "-wal", path + "-shm") if os.path.exists(p))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["soak", "queue-memory"])
    parser.add_argument("--binary", required=True)
    parser.add_argument("--shared", default=os.environ.get("MIRSAD_SHARED", ""))
    parser.add_argument("--jobs", type=int)
    parser.add_argument("--small", type=int, default=10_000, help="queue-memory: the first, small queue")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--supervised", type=int, default=2, help="soak: how many of the workers run supervised")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--kill-every", type=float, default=5.0, help="soak: mean seconds between kills")
    parser.add_argument("--max-down", type=float, default=2.0, help="soak: longest pause before a restart")
    parser.add_argument("--max-attempts", type=int, default=10)
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--seed", type=int, default=int(os.environ.get("MIRSAD_FAULT_SEED", random.randrange(1, 2**32))))
    parser.add_argument("--work", default=None)
    parser.add_argument("--keep", action="store_true", help="keep the work directory after a run that passed")
    args = parser.parse_args()
    args.work = args.work or tempfile.mkdtemp(prefix=f"mirsad-{args.mode}-")
    os.makedirs(args.work, exist_ok=True)
    if args.mode == "soak":
        args.jobs = args.jobs or 100_000
        if not os.path.exists(os.path.join(args.shared, "corpus/ant/articles.jsonl.gz")):
            raise SystemExit(f"no ANT corpus under {args.shared!r}: set MIRSAD_SHARED")
        status = soak(args)
    else:
        args.jobs = args.jobs or 1_000_000
        status = queue_memory(args)
    # A run that passed leaves nothing behind (its journal and store are large); one that failed keeps its logs.
    if status == 0 and not args.keep:
        shutil.rmtree(args.work, ignore_errors=True)
    return status


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.exit(main())
