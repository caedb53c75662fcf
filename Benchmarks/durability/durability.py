#!/usr/bin/env python3
"""Durability measurements on real `mirsad` processes (release build).

  soak          a large batch while random processes are killed with SIGKILL every few seconds and started again
                on the same endpoint, journal and store; checks that every acknowledged job ends stored or
                dead-lettered exactly once and prints the figures the fault test prints, plus throughput.
  soak --duration  a steady queue of tiny jobs (`--analysis none` workers by default) for a long time, random
                roles killed every few seconds; prints lost and duplicates, and samples the journal's size and the
                dispatcher's resident memory over time into a CSV (and a summary).
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


def parse_duration(text):
    """'90s', '30m', '2h', '1d' or a number of seconds."""
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}
    for suffix in ("ms", "s", "m", "h", "d"):
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * units[suffix]
    return float(text)


def tiny_articles(batch, count):
    text = "وصل وفد من القاهرة إلى غزة لبحث الملفات المتعلقة بإدارة القطاع"
    for i in range(count):
        yield json.dumps({"id": f"{batch}-{i}", "text": f"{text} {i}"}, ensure_ascii=False) + "\n"


def store_figures(store):
    """(rows, distinct job ids) in the store, or None while it cannot be read."""
    try:
        db = sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=5)
        try:
            return db.execute("SELECT COUNT(*), COUNT(DISTINCT job_id) FROM results").fetchone()
        finally:
            db.close()
    except sqlite3.Error:
        return None


class Feeder(threading.Thread):
    """Submits batches of tiny articles, one `mirsad submit` at a time, while fewer than `low_water` jobs wait, until
    `total` jobs are submitted or `stop` is set: a steady queue. Keeps each batch's acknowledged count."""

    def __init__(self, cluster, total, batch_size, low_water, work, prefix):
        super().__init__(daemon=True)
        self.cluster, self.total, self.batch_size, self.low_water = cluster, total, batch_size, low_water
        self.work, self.prefix = work, prefix
        self.submitted, self.acknowledged, self.batches, self.failures = 0, 0, [], []
        self.stop = False

    def run(self):
        index = 0
        while not self.stop and self.submitted < self.total:
            status = self.cluster.status()
            if status is None or status.get("queued", 0) + status.get("retrying", 0) >= self.low_water:
                time.sleep(0.5)
                continue
            count = min(self.batch_size, self.total - self.submitted)
            batch = f"{self.prefix}-{index}"
            index += 1
            producer = subprocess.Popen(
                [self.cluster.binary, "submit", "-", "--dispatcher", self.cluster.dispatcher_endpoint, "--batch", batch,
                 "--json"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=open(os.path.join(self.work, "producer.log"), "ab"), text=True, start_new_session=True)
            self.cluster.extra.append(producer)
            buffer = []
            for line in tiny_articles(batch, count):
                buffer.append(line)
                if len(buffer) >= 10_000:
                    producer.stdin.write("".join(buffer))
                    buffer = []
            producer.stdin.write("".join(buffer))
            producer.stdin.close()
            output = producer.stdout.read()
            producer.wait()
            self.cluster.extra.remove(producer)
            try:
                report = json.loads(output or "{}")
            except ValueError:
                report = {}
            acknowledged = report.get("accepted", 0) + report.get("duplicates", 0)
            if producer.returncode != 0 or acknowledged != count:
                self.failures.append((batch, producer.returncode, acknowledged, count))
            self.submitted += count
            self.acknowledged += acknowledged
            self.batches.append(batch)


def endurance(args):
    """The --duration soak: a steady queue of tiny jobs for a long time, kills every few seconds, the journal's size
    and the dispatcher's memory sampled into a CSV."""
    rng = random.Random(args.seed)
    duration = parse_duration(args.duration)
    csv_path = args.csv or os.path.join(args.work, "soak.csv")
    print(f"soak: seed {args.seed}, up to {args.jobs:,} jobs over {args.duration}, {args.workers} workers "
          f"({args.supervised} supervised, --analysis {args.analysis}), a kill every ~{args.kill_every} s, stored "
          f"retention {args.stored_retention}; work in {args.work}; CSV {csv_path}", flush=True)
    cluster = Cluster(args.binary, args.work, args.workers, args.supervised, dispatcher_options=[
        "--max-attempts", str(args.max_attempts), "--retry-backoff", "0.5", "--retry-backoff-max", "5",
        "--lease-timeout", "15", "--liveness-timeout", "3", "--stored-retention", args.stored_retention],
        worker_threads=args.threads)
    for worker in cluster.workers:
        worker.args += ["--analysis", args.analysis]
    samples, events = [], []
    try:
        cluster.start()
        feeder = Feeder(cluster, args.jobs, args.batch_size, args.low_water, args.work, f"endurance-{args.seed}")
        started = time.monotonic()
        feeder.start()
        victims = ["dispatcher", "collector"] + [w.name for w in cluster.workers]
        next_kill = started + args.kill_every * rng.uniform(0.5, 1.5)
        next_sample = started
        csv = open(csv_path, "w")
        csv.write("seconds,submitted,acknowledged,stored_rows,journal_bytes,journal_wal_bytes,dispatcher_rss_kb,"
                  "queued,in_flight,awaiting_store,dispatcher_starts\n")

        def sample():
            pid = cluster.dispatcher.proc.pid if cluster.dispatcher.running() else None
            rss = vm_field(pid, "VmRSS") if pid else None
            status = cluster.status() or {}
            figures = store_figures(cluster.store)
            main = os.path.getsize(cluster.journal) if os.path.exists(cluster.journal) else 0
            wal = os.path.getsize(cluster.journal + "-wal") if os.path.exists(cluster.journal + "-wal") else 0
            row = (time.monotonic() - started, feeder.submitted, feeder.acknowledged,
                   figures[0] if figures else None, main, wal, rss, status.get("queued"), status.get("in_flight"),
                   status.get("awaiting_store"), cluster.dispatcher.starts)
            samples.append(row)
            csv.write(",".join("" if v is None else (f"{v:.1f}" if isinstance(v, float) else str(v)) for v in row) + "\n")
            csv.flush()
            print(f"soak: {row[0]:7.0f} s: submitted {row[1]:,}, stored rows {row[3] if row[3] is not None else '?'}, "
                  f"journal {(main + wal) / 1e6:.2f} MB (wal {wal / 1e6:.2f}), dispatcher RSS "
                  f"{(rss or 0) / 1024:.1f} MB, queued {row[7]}", flush=True)

        while time.monotonic() - started < duration and (feeder.is_alive() or feeder.submitted < args.jobs):
            now = time.monotonic()
            if now >= next_sample:
                sample()
                next_sample = now + args.sample_every
            if now >= next_kill:
                name = rng.choice(victims)
                service = cluster.services[name]
                what = f"kill -9 {name}"
                if name.startswith("worker") and "--no-supervise" not in service.args and rng.random() < 0.5 \
                        and service.kill9_child():
                    what += " (analysis process)"
                else:
                    service.kill9()
                    time.sleep(rng.uniform(0, args.max_down))
                    service.start()
                events.append((now - started, what))
                next_kill = time.monotonic() + args.kill_every * rng.uniform(0.5, 1.5)
            if not feeder.is_alive() and feeder.submitted >= args.jobs:
                break
            time.sleep(0.1)
        feeder.stop = True
        feeder.join()
        # Drain: no more kills; wait until nothing is waiting, in flight or awaiting store.
        print(f"soak: submitting ended after {time.monotonic() - started:.0f} s ({feeder.submitted:,} jobs); "
              "draining", flush=True)
        drain_deadline = time.monotonic() + args.drain_timeout
        while time.monotonic() < drain_deadline:
            status = cluster.status() or {}
            if status and all(status.get(k, 1) == 0 for k in ("queued", "in_flight", "retrying", "awaiting_store")):
                break
            if time.monotonic() >= next_sample:
                sample()
                next_sample = time.monotonic() + args.sample_every
            time.sleep(1)
        sample()
        seconds = time.monotonic() - started
        letters = cluster.dead_letters() or {}
        csv.close()
    finally:
        cluster.stop()
    rows, distinct = store_figures(cluster.store) or (0, 0)
    dead = letters.get("total", 0)
    lost = feeder.acknowledged - distinct - dead
    journal_sizes = [s[4] + s[5] for s in samples]
    rss = [s[6] for s in samples if s[6]]
    tail = journal_sizes[len(journal_sizes) // 4:] or journal_sizes
    print(f"soak: {len(events)} kills ({sum(1 for _, w in events if 'dispatcher' in w)} of the dispatcher); "
          f"{seconds:.0f} s; {distinct / max(seconds, 1e-9):,.0f} jobs/s stored under faults")
    print(f"soak: submitted {feeder.submitted:,}, acknowledged {feeder.acknowledged:,}, stored {distinct:,}, "
          f"dead-lettered {dead}, lost {lost}, duplicate rows {rows - distinct}"
          + (f"; {len(feeder.failures)} submits failed: {feeder.failures[:3]}" if feeder.failures else ""))
    if journal_sizes:
        print(f"soak: journal (file + WAL) min {min(journal_sizes) / 1e6:.2f} MB, max {max(journal_sizes) / 1e6:.2f} MB, "
              f"last {journal_sizes[-1] / 1e6:.2f} MB; over the last three quarters max {max(tail) / 1e6:.2f} MB")
    if rss:
        print(f"soak: dispatcher RSS min {min(rss) / 1024:.1f} MB, max {max(rss) / 1024:.1f} MB, last {rss[-1] / 1024:.1f} MB")
    print(f"soak: CSV {csv_path}")
    ok = lost == 0 and rows == distinct and not feeder.failures
    print("soak: checks", "passed" if ok else "FAILED")
    return 0 if ok else 1


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
    parser.add_argument("--duration", help="soak: run this long (e.g. 2h) with a steady queue of tiny jobs")
    parser.add_argument("--analysis", default="none", help="soak --duration: the workers' --analysis")
    parser.add_argument("--stored-retention", default="2m", help="soak --duration: the dispatcher's --stored-retention")
    parser.add_argument("--batch-size", type=int, default=50_000, help="soak --duration: jobs per submitted batch")
    parser.add_argument("--low-water", type=int, default=100_000,
                        help="soak --duration: submit the next batch while fewer jobs than this wait")
    parser.add_argument("--sample-every", type=float, default=10.0, help="soak --duration: seconds between samples")
    parser.add_argument("--drain-timeout", type=float, default=600.0)
    parser.add_argument("--csv", help="soak --duration: where to write the samples (default: in the work directory)")
    args = parser.parse_args()
    args.work = args.work or tempfile.mkdtemp(prefix=f"mirsad-{args.mode}-")
    os.makedirs(args.work, exist_ok=True)
    if args.mode == "soak" and args.duration:
        args.jobs = args.jobs or 3_000_000
        status = endurance(args)
    elif args.mode == "soak":
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
