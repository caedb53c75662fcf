#!/usr/bin/env python3
"""Mirsad beside what users would pick instead, in one run: the harness behind `Benchmarks/run`.

Sections (each prints "skipped: <reason>" when the binary lacks what it needs):

  dispatch  no-op jobs submitted -> durably stored: Mirsad (SQLite journal and store, 2 workers with
            `--analysis none`, `mirsad submit --wait`), Celery 5 + Redis (no-op task, 2 prefork processes, late
            acks, Redis result backend) and a raw pyzmq PUSH/PULL pipeline (no reliability); same job count, payloads
            of 100 B and 4 KB; jobs/s, Mirsad's ratios, CPU per job of each process.
  analysis  the cluster (separate processes, and `mirsad run`) with 1 and 2 workers against `mirsad analyze
            --threads N` on the same cores (taskset) and articles; the analysis core against the Python peer.
  collector one collector process fed real encoded results (`mirsad benchmark collector`): results/s, results per
            CPU second of the collector, store bytes per result.
  latency   submit -> stored p50/p99 at half the peak rate measured in `dispatch`, from a paced producer written
            from Protocols/ (peers/paced_producer.py).
  memory    dispatcher and collector peak RSS (VmHWM) with 0, 100,000 and 1,000,000 queued jobs.
  scaling   1 ... 32 worker processes with a fixed 20 ms sleep per job: throughput against the workers' ideal, and
            the dispatcher's and collector's CPU, to find their ceiling.

Every figure is a ratio or a pair measured in the same run. Every process started here is in a session of its own
and is killed, with whatever it started, when the harness ends however it ends.
"""
import argparse
import atexit
import datetime
import gzip
import json
import os
import platform
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PEERS = os.path.join(HERE, "peers")
sys.path.insert(0, os.path.join(HERE, "durability"))
from durability import Service, descendants, free_port, journal_bytes, small_articles, vm_field  # noqa: E402

SIZES = (100, 4096)
SLEEP_MS = 20
SHORT_RUN_SECONDS = 2  # a rate measured over less is flagged as noisy
SECTIONS = ("dispatch", "analysis", "collector", "latency", "memory", "scaling")  # each a method of Bench

# Counts per mode. Quick takes a few minutes on 2 cores; full under an hour (Celery takes most of it).
MODES = {
    "quick": dict(dispatch_jobs=5_000, analysis_articles=1_000, peer_articles=200, collector_articles=1_000,
                  collector_results=10_000, latency_seconds=8,
                  memory_points=(0, 10_000, 100_000), scaling_workers=(1, 2, 4, 8), scaling_seconds=3,
                  scaling_threads=8, repeats=1),
    "full": dict(dispatch_jobs=50_000, analysis_articles=None, peer_articles=2_000, collector_articles=5_000,
                 collector_results=20_000, latency_seconds=30,
                 memory_points=(0, 100_000, 1_000_000), scaling_workers=(1, 2, 4, 8, 16, 32), scaling_seconds=8,
                 scaling_threads=16, repeats=2),
}


# ----------------------------------------------------------------------------------------------------------------
# Processes and their CPU
# ----------------------------------------------------------------------------------------------------------------

STARTED = []  # every Popen and Service started here (each process the leader of its own session)
WORK_DIRECTORIES = []  # removed when the run ends, unless --keep


def kill_everything():
    for entry in reversed(STARTED):
        proc = entry.proc if isinstance(entry, Service) else entry
        if proc is None or proc.poll() is not None:
            continue
        for target in [proc.pid] + descendants(proc.pid):
            try:
                os.kill(target, signal.SIGKILL)
            except OSError:
                pass
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
        proc.wait()


def interrupted(number, frame):
    """SIGTERM, SIGHUP, SIGINT: every process started here is killed at once and the run ends (exit 128 + N).

    Done in the handler rather than by raising through the `finally` blocks: an exception raised from a signal
    handler can land inside the standard library's own cleanup (Popen start-up, waits) and be lost there."""
    signal.signal(number, signal.SIG_IGN)
    kill_everything()
    for directory in WORK_DIRECTORIES:
        shutil.rmtree(directory, ignore_errors=True)
    print(f"\ninterrupted (signal {number}): every process started here was killed", file=sys.stderr, flush=True)
    os._exit(128 + number)


atexit.register(kill_everything)
for _number in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
    signal.signal(_number, interrupted)


def start(args, stdin=subprocess.DEVNULL, **options):
    proc = subprocess.Popen(args, start_new_session=True, stdin=stdin, **options)
    STARTED.append(proc)
    return proc


def kill_after(proc, seconds):
    """A started timer that kills PROC's session after SECONDS (cancel it when PROC ends in time)."""
    def kill():
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
    timer = threading.Timer(seconds, kill)
    timer.daemon = True
    timer.start()
    return timer


def start_service(name, args, work):
    """A `mirsad` role (or anything printing READY) started and waited for; registered for the final kill."""
    service = Service(name, args, work)
    STARTED.append(service)  # before it starts: a signal while it starts up must find it
    service.start()
    return service


def run_measured(args, timeout, stdout=subprocess.PIPE, log=None, **options):
    """Runs ARGS to completion (killed after TIMEOUT); (exit status, stdout text, wall seconds, its CPU seconds)."""
    began = time.monotonic()
    proc = start(args, stdout=stdout, stderr=log or subprocess.DEVNULL, **options)
    timer = kill_after(proc, timeout)
    try:
        output = ""
        if stdout == subprocess.PIPE:
            with proc.stdout:
                output = proc.stdout.read().decode()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    finally:
        timer.cancel()
    return proc.returncode, output, time.monotonic() - began, usage.ru_utime + usage.ru_stime


TICKS = os.sysconf("SC_CLK_TCK")


def stat_ticks(path):
    """Name and user + system clock ticks of the process or thread whose /proc `stat` file is PATH, or None."""
    try:
        with open(path) as f:
            text = f.read()
        fields = text.rsplit(")", 1)[1].split()
        return text[text.index("(") + 1:text.rindex(")")], int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return None


def thread_cpu_seconds(pid, name):
    """User + system CPU of PID's threads named NAME, from /proc (0 when it has none)."""
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return 0
    found = [stat_ticks(f"/proc/{pid}/task/{tid}/stat") for tid in tasks]
    return sum(ticks for thread, ticks in filter(None, found) if thread == name) / TICKS


def cpu_seconds(pid):
    """User + system CPU of PID and its living descendants, from /proc (0 for a process that is gone)."""
    found = [stat_ticks(f"/proc/{member}/stat") for member in [pid] + descendants(pid)]
    return sum(ticks for _, ticks in filter(None, found)) / TICKS


# ----------------------------------------------------------------------------------------------------------------
# Inputs
# ----------------------------------------------------------------------------------------------------------------

def payload_text(size):
    """SIZE bytes of plain text (ASCII words, one line)."""
    words = "news report from the capital on the talks between the two delegations "
    return (words * (size // len(words) + 1))[:size]


def jobs_file(work, count, size, tag="j"):
    path = os.path.join(work, f"jobs-{tag}-{count}-{size}.jsonl")
    if not os.path.exists(path):
        text = payload_text(size)
        with open(path, "w") as f:
            for i in range(count):
                f.write(json.dumps({"id": f"{tag}{i}", "text": text}) + "\n")
    return path


def corpus_prefix(work, corpus, limit):
    """The first LIMIT articles of CORPUS (all when None), as a plain JSON Lines file; (path, count)."""
    path = os.path.join(work, f"articles-{limit or 'all'}.jsonl")
    count = 0
    opener = gzip.open if corpus.endswith(".gz") else open
    with opener(corpus, "rt", encoding="utf-8") as source, open(path, "w", encoding="utf-8") as out:
        for line in source:
            if limit is not None and count >= limit:
                break
            if line.strip():
                out.write(line if line.endswith("\n") else line + "\n")
                count += 1
    return path, count


# ----------------------------------------------------------------------------------------------------------------
# A Mirsad cluster of separate processes on loopback
# ----------------------------------------------------------------------------------------------------------------

class MirsadCluster:
    """A dispatcher (SQLite journal), a collector (SQLite store) and workers, each a process of its own."""

    def __init__(self, bench, name, workers=0, worker_args=(), dispatcher_args=(), cpus=None):
        self.bench, self.name = bench, name
        self.work = os.path.join(bench.work, name)
        os.makedirs(self.work, exist_ok=True)
        self.journal = os.path.join(self.work, "journal.sqlite")
        self.store = os.path.join(self.work, "store.sqlite")
        self.prefix = ["taskset", "-c", cpus] if cpus else []
        self.dispatcher_endpoint = f"tcp://127.0.0.1:{free_port()}"
        self.collector_endpoint = f"tcp://127.0.0.1:{free_port()}"
        self.dispatcher = start_service("dispatcher", self.command(
            "dispatcher", "--bind", self.dispatcher_endpoint, "--journal", self.journal, *dispatcher_args), self.work)
        self.collector = start_service("collector", self.command(
            "collector", "--bind", self.collector_endpoint, "--dispatcher", self.dispatcher_endpoint,
            "--store", self.store), self.work)
        self.workers = []
        self.worker_args = list(worker_args)
        self.add_workers(workers)

    def command(self, *args):
        return [*self.prefix, self.bench.binary, *args]

    def add_workers(self, count):
        for _ in range(count):
            self.workers.append(start_service(f"worker-{len(self.workers)}", self.command(
                "worker", "--dispatcher", self.dispatcher_endpoint, "--collector", self.collector_endpoint,
                *self.worker_args), self.work))

    def cpu(self):
        return {"dispatcher": cpu_seconds(self.dispatcher.proc.pid),
                "collector": cpu_seconds(self.collector.proc.pid),
                "workers": sum(cpu_seconds(w.proc.pid) for w in self.workers)}

    def cpu_by_role(self):
        """CPU seconds of each process so far, the collector's indexing thread apart from the rest of it."""
        cpu = self.cpu()
        indexing = thread_cpu_seconds(self.collector.proc.pid, "indexer")
        cpu["collector"] -= indexing
        cpu["collector's indexing"] = indexing
        return cpu

    def submit(self, path, timeout):
        """`mirsad submit PATH --wait --json`; (report or None, wall seconds, producer CPU seconds).

        The report gains `started_unix`, the wall clock just before the producer was started, so that with the
        store's `stored_at` the run can be timed to the millisecond (`--wait` polls every 200 ms)."""
        started = time.time()
        with open(os.path.join(self.work, "submit.log"), "ab") as log:
            status, output, wall, cpu = run_measured(
                self.command("submit", path, "--dispatcher", self.dispatcher_endpoint, "--wait", "--json",
                             "--wait-timeout", str(int(timeout))), timeout + 30, log=log)
        try:
            report = json.loads(output) if status == 0 else None
        except ValueError:
            report = None
        if report:
            report["started_unix"] = started
        return report, wall, cpu

    def status(self):
        status, output, _, _ = run_measured(self.command("status", "--dispatcher", self.dispatcher_endpoint, "--json"),
                                            30)
        try:
            return json.loads(output) if status == 0 else None
        except ValueError:
            return None

    def wait_stored(self, count, timeout):
        """Polls `mirsad status` until COUNT jobs are stored (or dead-lettered); the last status seen."""
        deadline = time.monotonic() + timeout
        status = None
        while time.monotonic() < deadline:
            status = self.status()
            if status and status.get("stored", 0) + status.get("failed", 0) >= count:
                break
            time.sleep(0.2)
        return status

    def last_stored(self):
        """(rows, the latest `stored_at` in Unix seconds) of the store, when it keeps that column; else None.

        A collector commits results to the store's inbox (`STORE-inbox`) and indexes them into the store later:
        a result is counted where it is, once (the inbox's rows up to the store's `indexed_seq` are in both)."""
        try:
            with sqlite3.connect(f"file:{self.store}?mode=ro", uri=True) as db:
                columns = {row[1] for row in db.execute("PRAGMA table_info(results)")}
                if "stored_at" not in columns:
                    return None
                rows, latest = db.execute("SELECT count(*), max(stored_at) FROM results").fetchone()
                indexed = 0
                if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'inbox_progress'").fetchone():
                    indexed = (db.execute("SELECT max(indexed_seq) FROM inbox_progress").fetchone() or [0])[0] or 0
            inbox = self.store + "-inbox"
            if os.path.exists(inbox):
                with sqlite3.connect(f"file:{inbox}?mode=ro", uri=True) as db:
                    waiting, newest = db.execute("SELECT count(*), max(stored_at) FROM inbox WHERE seq > ?",
                                                 (indexed,)).fetchone()
                rows += waiting
                latest = max(latest or 0, newest or 0) or None
            return rows, latest / 1000 if latest else None
        except sqlite3.Error:
            return None

    def not_yet_indexed(self):
        """Results in the store's inbox not yet indexed for reports (0 for a store without one)."""
        inbox = self.store + "-inbox"
        if not os.path.exists(inbox):
            return 0
        try:
            with sqlite3.connect(f"file:{self.store}?mode=ro", uri=True) as db:
                indexed = (db.execute("SELECT max(indexed_seq) FROM inbox_progress").fetchone() or [0])[0] or 0
            with sqlite3.connect(f"file:{inbox}?mode=ro", uri=True) as db:
                return db.execute("SELECT count(*) FROM inbox WHERE seq > ?", (indexed,)).fetchone()[0]
        except sqlite3.Error:
            return None

    def wait_indexed(self, timeout):
        """Waits until the collector has indexed every stored result; the Unix time it saw that, or None."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.not_yet_indexed() == 0:
                return time.time()
            time.sleep(0.05)
        return None

    def stop(self):
        for service in self.workers + [self.collector, self.dispatcher]:
            service.stop()


def submit_seconds(report, last, count):
    """Seconds from starting the producer to the last row stored (the store's clock, ms) when the store holds
    COUNT rows; else the producer's own figure (to its last 200 ms poll)."""
    if last and last[0] == count and last[1]:
        return last[1] - report["started_unix"]
    return report["seconds"]


# ----------------------------------------------------------------------------------------------------------------
# Results
# ----------------------------------------------------------------------------------------------------------------

class Results:
    """Rows of (section, what, figure, note), printed as a table and written to RESULTS.md."""

    def __init__(self):
        self.rows, self.notes, self.values = [], {}, {}

    def add(self, section, what, figure, note=""):
        self.rows.append((section, what, figure, note))
        print(f"  {what}: {figure}" + (f"  ({note})" if note else ""), flush=True)

    def skip(self, section, reason):
        self.add(section, "skipped", reason)

    def note(self, section, text):
        self.notes.setdefault(section, []).append(text)

    def table(self):
        widths = [max(len(str(row[i])) for row in self.rows + [("section", "what", "figure", "note")])
                  for i in range(4)]
        widths[3] = min(widths[3], 60)
        lines = []
        for row in [("section", "what", "figure", "note")] + self.rows:
            lines.append("  ".join(str(cell)[:widths[i]].ljust(widths[i]) if i < 3 else str(cell)
                                   for i, cell in enumerate(row)).rstrip())
        return "\n".join(lines)

    def markdown(self):
        out = []
        for section in dict.fromkeys(row[0] for row in self.rows):
            out += [f"### {section}", "", "| what | figure | note |", "|---|---|---|"]
            out += [f"| {what} | {figure} | {note} |" for s, what, figure, note in self.rows if s == section]
            out += [""] + [f"- {text}" for text in self.notes.get(section, [])] + [""]
        return "\n".join(out)


def checkout_commit(directory):
    """The commit checked out where DIRECTORY is, marked when the checkout has changes; '?' outside git."""
    def git(*args):
        return subprocess.run(["git", "-C", directory, *args], capture_output=True, text=True).stdout.strip()
    commit = git("rev-parse", "--short", "HEAD") or "?"
    return commit + (" (with local changes)" if git("status", "--porcelain", "--untracked-files=no") else "")


def invocation_options():
    """This run's options, less those naming paths on this machine (`--binary`, `--pb-dir`, `--results`)."""
    shown, skip = [], False
    for argument in sys.argv[1:]:
        if skip:
            skip = False
        elif argument in ("--binary", "--pb-dir", "--results"):
            skip = True
        elif not argument.startswith(("--binary=", "--pb-dir=", "--results=")):
            shown.append(argument)
    return "".join(" " + argument for argument in shown)


def rate(count, seconds):
    return count / seconds if seconds and seconds > 0 else 0.0


def spread(values):
    """'a-b (±x%)' of repeated measurements: the noise this run saw; one value as is."""
    if len(values) == 1:
        return f"{values[0]:,.0f}"
    middle = statistics.median(values)
    return f"{min(values):,.0f}-{max(values):,.0f} (±{(max(values) - min(values)) / 2 / middle * 100:.0f}%)"


def ratio(value):
    return f"{value:.2f}x" if value >= 0.1 else f"{value:.3f}x"


def micros_per_job(cpu, count):
    return f"{cpu / count * 1e6:,.0f}"


NOISE = ("Every figure was measured in this one run; compare figures of the same run only. Noisy: absolute rates "
         "and CPU per job (the machine may be shared: see the load averages; a load above the core count means other "
         "work took CPU during the run), latency p99 (a few slow jobs move it), and rates measured over less than "
         f"{SHORT_RUN_SECONDS} s (flagged; quick mode, the raw pipeline). Less noisy: ratios of runs made next to each "
         "other (Mirsad / Celery, cluster / analyze). Where a measurement was repeated its range and half-width are "
         "shown; ratios are of medians.")


# ----------------------------------------------------------------------------------------------------------------
# The benchmark
# ----------------------------------------------------------------------------------------------------------------

class Bench:
    def __init__(self, args):
        self.args = args
        self.binary = os.path.abspath(args.binary)
        self.mode = dict(MODES["quick" if args.quick else "full"])
        if args.repeats:
            self.mode["repeats"] = args.repeats
        self.work = tempfile.mkdtemp(prefix="mirsad-bench-")
        if not args.keep:
            WORK_DIRECTORIES.append(self.work)
        self.results = Results()
        self.python = sys.executable
        self.nproc = os.cpu_count() or 1
        self.has_analysis_none = self.worker_accepts("none")
        self.has_analysis_sleep = self.worker_accepts(f"sleep:{SLEEP_MS}ms")
        self.has_analyze_threads = "--threads" in self.help("analyze")

    def help(self, command):
        result = subprocess.run([self.binary, command, "--help"], capture_output=True, text=True, timeout=60)
        return result.stdout + result.stderr

    def worker_accepts(self, analysis):
        """Whether `mirsad worker --analysis ANALYSIS` starts: one refusing the option or its value exits at once."""
        proc = start([self.binary, "worker", "--analysis", analysis, "--no-supervise", "--dispatcher",
                      f"tcp://127.0.0.1:{free_port()}", "--threads", "1"],
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            proc.wait(timeout=3)
            return False
        except subprocess.TimeoutExpired:
            return True
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    def noop_worker_args(self):
        """Worker options of the no-op analysis, or of the full one standing in for it (--stand-in), or None."""
        capacity = ["--capacity", str(self.args.capacity)] if self.args.capacity else []
        if self.has_analysis_none:
            return ["--analysis", "none", "--threads", "1", *capacity], ""
        if self.args.stand_in:
            return ["--threads", "1", *capacity], "full analysis standing in for --analysis none"
        return None, "this mirsad has no `worker --analysis none`"

    # -- dispatch ----------------------------------------------------------------------------------------------

    def dispatch(self):
        section = "dispatch"
        jobs = self.args.jobs or self.mode["dispatch_jobs"]
        worker_args, stand_in = self.noop_worker_args()
        redis = self.start_redis() if not self.args.no_celery else None
        celery_worker = self.start_celery(redis) if redis else None
        self.results.note(section, f"{jobs:,} jobs of each size; 2 workers each; Mirsad with its durable SQLite "
                                   "journal and store (`synchronous = FULL`); Celery with `task_acks_late`, Redis "
                                   "as broker and result backend (append-only file, fsync every second); the raw "
                                   "pipeline keeps nothing. CPU a job per role: `workers` is both worker processes "
                                   "together (with a Mirsad worker's supervisor, a Celery worker's prefork "
                                   "children); the Python producers' CPU from their first send on.")
        for size in SIZES:
            path = jobs_file(self.work, jobs, size)
            figures = {"mirsad": [], "celery": [], "raw": []}
            cpu = {}
            for repeat in range(self.mode["repeats"]):
                if worker_args is not None:
                    figure, cpu["mirsad"] = self.mirsad_dispatch(path, jobs, size, worker_args, repeat)
                    if figure:
                        figures["mirsad"].append(figure)
                if celery_worker:
                    figure, cpu["celery"] = self.celery_dispatch(redis, celery_worker, jobs, size)
                    if figure:
                        figures["celery"].append(figure)
                figure, cpu["raw"] = self.raw_dispatch(jobs, size)
                if figure:
                    figures["raw"].append(figure)
            label = f"{size:,} B"
            for name, title in (("mirsad", "Mirsad"), ("celery", "Celery 5 + Redis"), ("raw", "raw pyzmq")):
                if figures[name]:
                    longest = jobs / min(figures[name])
                    notes = [stand_in if name == "mirsad" else "",
                             f"noisy: a run took {longest:.2f} s" if longest < SHORT_RUN_SECONDS else ""]
                    self.results.add(section, f"{title}, {label}: jobs/s", spread(figures[name]),
                                     "; ".join(n for n in notes if n))
                    if cpu.get(name):
                        self.results.add(section, f"{title}, {label}: CPU µs a job",
                                         ", ".join(f"{k} {micros_per_job(v, jobs)}" for k, v in cpu[name].items()))
                elif name == "mirsad" and worker_args is None:
                    self.results.skip(section, f"Mirsad, {label}: {stand_in}")
                elif name == "celery" and not celery_worker:
                    self.results.skip(section, f"Celery, {label}: " + ("--no-celery" if self.args.no_celery else
                                                                       "no redis-server or celery"))
            if figures["mirsad"]:
                best = statistics.median(figures["mirsad"])
                self.results.values[f"mirsad_{size}"] = best
                for name, title in (("celery", "Celery"), ("raw", "raw pyzmq")):
                    if figures[name]:
                        self.results.add(section, f"Mirsad / {title}, {label}",
                                         ratio(best / statistics.median(figures[name])), stand_in)
        if celery_worker:
            celery_worker.terminate()

    def mirsad_dispatch(self, path, jobs, size, worker_args, repeat):
        cluster = MirsadCluster(self, f"dispatch-{size}-{repeat}", workers=2, worker_args=worker_args)
        try:
            before = cluster.cpu()
            report, wall, producer_cpu = cluster.submit(path, timeout=600)
            after = cluster.cpu()
            status = cluster.status() or {}
            last = cluster.last_stored()
        finally:
            cluster.stop()
        if not report or report.get("stored") != jobs:
            self.results.add("dispatch", f"Mirsad, {size} B", "FAILED",
                             f"stored {report and report.get('stored')} of {jobs}; logs in {cluster.work}")
            return None, None
        seconds = submit_seconds(report, last, jobs)
        cpu = {k: after[k] - before[k] for k in after}
        cpu["producer"] = producer_cpu
        if size == SIZES[0] and repeat == 0:
            self.results.values["saturated_latency"] = (status.get("latency_p50_ms"), status.get("latency_p99_ms"))
        return rate(jobs, seconds), cpu

    def start_redis(self):
        server = shutil.which("redis-server")
        if not server:
            return None
        port = free_port()
        directory = os.path.join(self.work, "redis")
        os.makedirs(directory, exist_ok=True)
        log = open(os.path.join(directory, "redis.log"), "ab")
        proc = start([server, "--bind", "127.0.0.1", "--port", str(port), "--dir", directory, "--save", "",
                      "--appendonly", "yes", "--appendfsync", "everysec", "--protected-mode", "yes"],
                     stdout=log, stderr=log)
        import redis as client  # from the benchmark's venv
        connection = client.Redis(host="127.0.0.1", port=port)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                connection.ping()
                return {"url": f"redis://127.0.0.1:{port}", "proc": proc, "client": connection}
            except client.ConnectionError:
                time.sleep(0.1)
        raise SystemExit("redis-server did not answer within 30 s")

    def celery_env(self, redis):
        return dict(os.environ, MIRSAD_BENCH_REDIS=redis["url"], PYTHONPATH=PEERS)

    def start_celery(self, redis):
        try:
            import celery  # noqa: F401
        except ImportError:
            return None
        log = open(os.path.join(self.work, "celery-worker.log"), "ab")
        worker = start([self.python, "-m", "celery", "-A", "celery_noop", "worker", "--concurrency", "2",
                        "--pool", "prefork", "--loglevel", "WARNING", "--without-gossip", "--without-mingle",
                        "--without-heartbeat"], cwd=PEERS, env=self.celery_env(redis), stdout=log, stderr=log)
        warm = subprocess.run([self.python, os.path.join(PEERS, "celery_noop.py"), "produce", "10", "100", "120"],
                              env=self.celery_env(redis), capture_output=True, text=True, timeout=180)
        if warm.returncode != 0:
            raise SystemExit(f"the Celery worker did not run its first tasks: {warm.stdout} {warm.stderr}")
        return worker

    def celery_dispatch(self, redis, worker, jobs, size):
        redis["client"].flushall()
        before = {"celery workers": cpu_seconds(worker.pid), "redis": cpu_seconds(redis["proc"].pid)}
        status, output, _, _ = run_measured([self.python, os.path.join(PEERS, "celery_noop.py"), "produce",
                                             str(jobs), str(size), "1200"], 1300, env=self.celery_env(redis))
        after = {"celery workers": cpu_seconds(worker.pid), "redis": cpu_seconds(redis["proc"].pid)}
        report = json.loads(output) if output.strip() else {}
        if status != 0 or report.get("stored", 0) < jobs:
            self.results.add("dispatch", f"Celery, {size} B", "FAILED", f"{report}")
            return None, None
        cpu = {k: after[k] - before[k] for k in after}
        cpu["producer"] = report["producer_cpu_seconds"]
        return rate(jobs, report["seconds"]), cpu

    def raw_dispatch(self, jobs, size):
        status, output, _, _ = run_measured([self.python, os.path.join(PEERS, "zmq_pipeline.py"), "run", str(jobs),
                                             str(size), "2"], 900)
        if status != 0:
            self.results.add("dispatch", f"raw pyzmq, {size} B", "FAILED", output[-200:])
            return None, None
        report = json.loads(output)
        return rate(jobs, report["seconds"]), report["cpu_seconds"]

    # -- analysis ----------------------------------------------------------------------------------------------

    def analysis(self):
        section = "analysis"
        corpus = self.args.corpus
        if not os.path.exists(corpus):
            self.results.skip(section, f"no corpus at {corpus}")
            return
        path, count = corpus_prefix(self.work, corpus, self.mode["analysis_articles"])
        self.results.note(section, f"the first {count:,} articles of {os.path.basename(corpus)}; N workers x 1 "
                                   "thread against `analyze --threads N`, every process pinned to the same N cores "
                                   "(taskset); `analyze` timed from its first output to its last (its start-up "
                                   "left out, as the cluster's services are up before it is timed); the three "
                                   "measured one after the other"
                                   + (f", {self.mode['repeats']} times" if self.mode["repeats"] > 1 else ""))
        for n in (1, 2):
            if n > self.nproc:
                self.results.skip(section, f"{n} workers: only {self.nproc} core(s)")
                continue
            cpus, label = ("0", "1 core") if n == 1 else (f"0-{n - 1}", f"{n} cores")
            analyze_args, note = self.analyze_args(n)
            if analyze_args is None:
                self.results.skip(section, f"analyze --threads {n}: {note}")
            figures = {"analyze": [], "cluster, separate processes": [], "mirsad run": []}
            for _ in range(self.mode["repeats"]):
                if analyze_args is not None:
                    figures["analyze"].append(self.analyze_rate(path, count, analyze_args, cpus))
                figures["cluster, separate processes"].append(self.cluster_rate(path, count, n, cpus))
                figures["mirsad run"].append(self.run_rate(path, n, cpus))
            inprocess = None
            for title, values in figures.items():
                if not values:
                    continue
                if None in values:
                    self.results.add(section, f"{title}, {label}", "FAILED", f"work directory {self.work}")
                    continue
                if title == "analyze":
                    inprocess = statistics.median(values)
                    self.results.add(section, f"analyze --threads {n}, {label}: articles/s", spread(values), note)
                    continue
                # Stored: acknowledged and durable, the delivery guarantee's end; indexed: counted in reports too.
                for i, stage in enumerate(("stored", "indexed for reports")):
                    series = [v[i] for v in values]
                    self.results.add(section, f"{title}, {n} worker{'s' if n > 1 else ''}, {label}: articles/s {stage}",
                                     spread(series))
                    if inprocess:
                        self.results.add(section, f"{title} / analyze, {label}, {stage}",
                                         f"{statistics.median(series) / inprocess:.0%}", note)
                if all(len(v) > 2 for v in values):
                    # Where the cluster's CPU goes: analysis is the workers' part (with decoding jobs and
                    # encoding results), the rest is the machinery around it.
                    roles = {role: statistics.median(v[2][role] for v in values) for role in values[0][2]}
                    total = sum(roles.values())
                    self.results.add(section, f"{title}, {n} worker{'s' if n > 1 else ''}, {label}: CPU ms a "
                                              "stored article",
                                     ", ".join(f"{role} {ms:.2f}" for role, ms in roles.items()),
                                     f"workers {roles['workers'] / total:.0%} of {total:.2f} ms; until the batch "
                                     "was seen stored")
        self.python_peer(corpus)

    def analyze_args(self, threads):
        """The options of `mirsad analyze` on THREADS threads, and a note; (None, reason) when it has none."""
        if self.has_analyze_threads:
            return ["--threads", str(threads)], ""
        if threads == 1:
            return [], "this mirsad has no `analyze --threads`: its single-threaded `analyze`"
        return None, "this mirsad has no `analyze --threads`"

    def analyze_rate(self, path, count, analyze_args, cpus):
        """Articles/s of `mirsad analyze` pinned to CPUS, from its first output to its last; None if it fails.

        Like the cluster's rate (its services already up), this leaves out the start-up (loading the models, about
        half a second here), timed in the same run rather than subtracted from another one: the output is read as
        it comes, and the articles already printed in the first chunk (an `== ID` line each, written once an
        article is analysed) are not counted."""
        proc = start(["taskset", "-c", cpus, self.binary, "analyze", path, *analyze_args],
                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        timer = kill_after(proc, 1800)
        first, before, tail = None, 0, b""
        try:
            with proc.stdout:
                while chunk := os.read(proc.stdout.fileno(), 1 << 16):
                    if first is None:
                        first = time.monotonic()
                        before = chunk.count(b"\n== ") + chunk.startswith(b"== ")
                    tail = chunk[-1:]
            last = time.monotonic()
            status = proc.wait()
        finally:
            timer.cancel()
        if status != 0 or first is None or tail != b"\n" or before >= count:
            return None
        return rate(count - before, last - first)

    def cluster_rate(self, path, count, workers, cpus):
        """Articles/s of dispatcher, collector and WORKERS workers x 1 thread as separate processes, pinned to CPUS:
        (stored, indexed for reports), or None."""
        cluster = MirsadCluster(self, f"analysis-{workers}-{time.monotonic_ns()}", workers=workers,
                                worker_args=["--threads", "1"], cpus=cpus)
        try:
            before = cluster.cpu_by_role()
            report, _, producer = cluster.submit(path, timeout=1800)
            after = cluster.cpu_by_role()
            last = cluster.last_stored()
            indexed = cluster.wait_indexed(1800)
        finally:
            cluster.stop()
        if not report or report.get("stored") != count or indexed is None:
            return None
        # CPU until `submit --wait` saw the batch stored (one poll, at most 200 ms, after the last result).
        cpu = {role: (after[role] - before[role]) * 1000 / count for role in after}
        cpu["producer"] = producer * 1000 / count
        return rate(count, submit_seconds(report, last, count)), rate(count, indexed - report["started_unix"]), cpu

    def run_rate(self, path, workers, cpus):
        """Articles/s that `mirsad run --workers WORKERS --threads 1`, pinned to CPUS, reports."""
        store = os.path.join(self.work, f"run-{workers}-{time.monotonic_ns()}.sqlite")
        status, output, _, _ = run_measured(["taskset", "-c", cpus, self.binary, "run", path, "--workers",
                                             str(workers), "--threads", "1", "--store", store, "--json"], 1800,
                                            cwd=self.work, env=dict(os.environ, TMPDIR=self.work))  # its logs too
        if status != 0:
            return None
        summary = json.loads(output)
        stored = summary["articles_per_second"]
        # The summary follows the indexing of what the collector had not yet indexed when the last result was stored.
        return stored, rate(summary["stored"], summary["seconds"] + summary.get("indexing_seconds", 0))

    def python_peer(self, corpus):
        section = "analysis"
        limit = self.mode["peer_articles"]
        status, mirsad, _, _ = run_measured(["taskset", "-c", "0", self.binary, "benchmark", "analysis", corpus,
                                             "--limit", str(limit), "--json"], 1800)
        peer_status, peer, _, _ = run_measured(["taskset", "-c", "0", self.python,
                                                os.path.join(HERE, "analysis", "python_peer.py"), corpus, str(limit)],
                                               1800)
        if status != 0 or peer_status != 0:
            self.results.skip(section, "analysis core against the Python peer: " +
                              ("`mirsad benchmark analysis` failed" if status else
                               "the Python peer failed (pyarabic, nltk, yake, datasketch installed?)"))
            return
        mirsad, peer = json.loads(mirsad), json.loads(peer)
        self.results.add(section, f"analysis core / Python peer, one core, {limit:,} articles",
                         f"{mirsad['articles_per_s'] / peer['articles_per_s']:.1f}x",
                         f"{mirsad['articles_per_s']:,.0f} vs {peer['articles_per_s']:,.1f} articles/s; the peer "
                         "does less work (see analysis/run.sh)")

    # -- latency -----------------------------------------------------------------------------------------------

    def latency(self):
        section = "latency"
        worker_args, stand_in = self.noop_worker_args()
        peak = self.results.values.get(f"mirsad_{SIZES[0]}")
        if worker_args is None:
            self.results.skip(section, stand_in)
            return
        if not peak:
            self.results.skip(section, "no peak rate: the dispatch section did not measure Mirsad at 100 B")
            return
        if not self.args.pb_dir or not os.path.exists(os.path.join(self.args.pb_dir, "mirsad_pb2.py")):
            self.results.skip(section, "no mirsad_pb2.py (Benchmarks/run generates it from Protocols/mirsad.proto)")
            return
        target = peak / 2
        jobs = max(100, int(target * self.mode["latency_seconds"]))
        cluster = MirsadCluster(self, "latency", workers=2, worker_args=worker_args)
        try:
            status, output, _, _ = run_measured(
                [self.python, os.path.join(PEERS, "paced_producer.py"), "--dispatcher", cluster.dispatcher_endpoint,
                 "--jobs", str(jobs), "--rate", f"{target:.1f}", "--bytes", str(SIZES[0]), "--batch", "paced",
                 "--pb-dir", self.args.pb_dir, "--timeout", str(self.mode["latency_seconds"] * 4 + 60)],
                self.mode["latency_seconds"] * 4 + 120)
            report = json.loads(output) if output.strip() else {}
            final = cluster.wait_stored(jobs, timeout=120)
        finally:
            cluster.stop()
        if status != 0 or not final or final.get("stored") != jobs:
            self.results.add(section, "paced run", "FAILED", f"producer {report}; status {final}")
            return
        self.results.note(section, f"{jobs:,} jobs of {SIZES[0]} B from peers/paced_producer.py (MRSD/1 from "
                                   "Protocols/, each SUBMIT carrying the jobs due, about one a millisecond), 2 "
                                   "workers; percentiles from `mirsad status --json` (the dispatcher's histogram, "
                                   "from a job's acceptance to its STORED)")
        self.results.add(section, "rate: asked / achieved / peak (dispatch, same run)",
                         f"{target:,.0f} / {report.get('rate', 0):,.0f} / {peak:,.0f} jobs/s",
                         f"a job sent at most {report.get('max_lateness_ms', 0):.1f} ms after its time"
                         + (f"; {stand_in}" if stand_in else ""))
        self.results.add(section, "submit -> stored at half the peak: p50 / p99",
                         f"{final['latency_p50_ms']:.1f} / {final['latency_p99_ms']:.1f} ms", stand_in)
        saturated = self.results.values.get("saturated_latency")
        if saturated and saturated[0] is not None:
            self.results.add(section, "at the peak (the dispatch run, all jobs submitted at once): p50 / p99",
                             f"{saturated[0]:.0f} / {saturated[1]:.0f} ms", "queueing: the whole batch waits")

    # -- collector ---------------------------------------------------------------------------------------------

    def collector(self):
        """One `mirsad collector` fed real encoded results by simulated workers (`mirsad benchmark collector`)."""
        section = "collector"
        corpus = self.args.corpus
        if not os.path.exists(corpus):
            self.results.skip(section, f"no corpus at {corpus}")
            return
        path, count = corpus_prefix(self.work, corpus, self.mode["collector_articles"])
        results = os.path.join(self.work, "results.bin")
        status, _, _, _ = run_measured([self.binary, "benchmark", "results", path, "--output", results], 1800)
        if status != 0:
            self.results.skip(section, "`mirsad benchmark results` failed (a mirsad without it?)")
            return
        total = self.mode["collector_results"]
        self.results.note(section, f"the analyses of the first {count:,} articles of {os.path.basename(corpus)}, "
                                   f"encoded as workers send them, fed {total:,} times in all (past the first "
                                   f"{count:,}, the same articles under new ids: near-duplicates) to one collector "
                                   "process (SQLite, `synchronous = FULL`, articles, aggregates and stories kept) "
                                   "by 4 simulated workers (16 results a message, 4 messages each in flight), then "
                                   "by 16 (8 messages each in flight); CPU from /proc (the indexing thread's, which "
                                   "also copies the inbox's log into its file, apart), store bytes after a checkpoint")
        def measure(*extra):
            """`repeats` runs of `mirsad benchmark collector` with `extra` arguments: each one's JSON, None if it failed."""
            runs = []
            for _ in range(self.mode["repeats"]):
                status, output, _, _ = run_measured([self.binary, "benchmark", "collector", results, "--count",
                                                     str(total), *extra, "--json"], 1800)
                try:
                    runs.append(json.loads(output.strip().splitlines()[-1]) if status == 0 else None)
                except (ValueError, IndexError):
                    runs.append(None)
            return runs

        runs = measure()
        # The same results from 16 simulated workers with 2,048 in flight: one collector behind many worker machines,
        # whose commits are larger (each costs a log write, an fsync and a transaction whatever it holds).
        many = measure("--workers", "16", "--window", "8")
        if None in runs or None in many:
            self.results.add(section, "one collector", "FAILED", f"work directory {self.work}")
            return
        self.results.add(section, "results stored and acknowledged a second (wall)",
                         spread([r["results_per_s"] for r in runs]))
        self.results.add(section, "results stored a CPU second of the collector, its indexing thread left out",
                         spread([r["results_per_cpu_s"] for r in runs]),
                         f"{statistics.median(r['collector_cpu_s'] for r in runs) * 1e6 / total:,.0f} µs a result")
        self.results.add(section, "16 workers, 2,048 results in flight: results stored and acknowledged a second (wall)",
                         spread([r["results_per_s"] for r in many]))
        self.results.add(section, "16 workers, 2,048 results in flight: results stored a CPU second, indexing left out",
                         spread([r["results_per_cpu_s"] for r in many]),
                         f"{statistics.median(r['collector_cpu_s'] for r in many) * 1e6 / total:,.0f} µs a result")
        if all("indexer_cpu_s" in r for r in runs):
            self.results.add(section, "results indexed for reports a second (wall, from the start)",
                             spread([r["indexed_per_s"] for r in runs]))
            self.results.add(section, "indexing thread CPU a result, µs",
                             spread([r["indexer_cpu_us_per_result"] for r in runs]),
                             "at nice 10, beside the acknowledging threads; with idle cores it takes one")
        self.results.add(section, "store bytes a result, text included",
                         spread([r["store_bytes_per_result"] for r in runs]),
                         f"results of {runs[0]['result_bytes']:,} bytes on the wire")

    # -- memory ------------------------------------------------------------------------------------------------

    def memory(self):
        section = "memory"
        points = self.mode["memory_points"]
        cluster = MirsadCluster(self, "memory", dispatcher_args=["--max-queued", str(points[-1] + 1000)])
        rows = []
        try:
            queued = 0
            for target in points:
                if target > queued:
                    producer = start([self.binary, "submit", "-", "--dispatcher", cluster.dispatcher_endpoint,
                                      "--batch", f"queue-{target}", "--json"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
                    timer = kill_after(producer, 900)
                    buffer = []
                    for line in small_articles(queued, target - queued):
                        buffer.append(line)
                        if len(buffer) >= 10_000:
                            producer.stdin.write("".join(buffer).encode())
                            buffer = []
                    producer.stdin.write("".join(buffer).encode())
                    producer.stdin.close()
                    producer.stdout.read()
                    producer.wait(timeout=60)
                    timer.cancel()
                    queued = target
                status = cluster.status() or {}
                rows.append((target, status.get("queued"), vm_field(cluster.dispatcher.proc.pid, "VmHWM"),
                             vm_field(cluster.collector.proc.pid, "VmHWM"), journal_bytes(cluster.journal)))
        finally:
            cluster.stop()
        self.results.note(section, "a dispatcher (SQLite journal) and a collector, no workers; small articles "
                                   "submitted with `mirsad submit -`; peak RSS is VmHWM from /proc/PID/status")
        for target, queued, dispatcher, collector, journal in rows:
            self.results.add(section, f"{target:,} queued: dispatcher / collector peak RSS",
                             f"{dispatcher / 1024:.1f} / {collector / 1024:.1f} MB",
                             f"queued {queued}, journal {journal / 1e6:.1f} MB")
        if len(rows) >= 2 and rows[-1][1] == points[-1]:
            # Between the two largest queues: the first jobs also bring the buffers and caches of a working service.
            low, high = rows[-2], rows[-1]
            growth = (high[2] - low[2]) * 1024 / max(high[0] - low[0], 1)
            self.results.add(section, f"dispatcher peak growth a queued job, {low[0]:,} to {high[0]:,}",
                             f"{growth:.1f} bytes", f"journal {high[4] / max(high[0], 1):.0f} bytes a job")
        elif rows and rows[-1][1] != points[-1]:
            self.results.add(section, "queue", "FAILED", f"queued {rows[-1][1]}, expected {points[-1]}")

    # -- scaling -----------------------------------------------------------------------------------------------

    def scaling(self):
        section = "scaling"
        threads = self.mode["scaling_threads"]
        if self.has_analysis_sleep:
            worker_args, stand_in = ["--analysis", f"sleep:{SLEEP_MS}ms", "--threads", str(threads), "--no-supervise"], ""
        elif self.args.stand_in:
            worker_args, stand_in = ["--threads", "1", "--no-supervise"], "full analysis standing in for sleep"
            threads = 1
        else:
            self.results.skip(section, "this mirsad has no `worker --analysis sleep:DURATION`")
            return
        self.results.note(section, f"each worker process {threads} thread(s), a job costing a {SLEEP_MS} ms sleep "
                                   f"(ideal: workers x {threads} / {SLEEP_MS} ms); workers added to one running "
                                   "cluster; CPU of each role as a share of one core over the run (all workers "
                                   "together)")
        cluster = MirsadCluster(self, "scaling", workers=0, worker_args=worker_args)
        points, stored_before = [], 0
        try:
            for workers in self.mode["scaling_workers"]:
                cluster.add_workers(workers - len(cluster.workers))
                ideal = workers * threads * 1000 / SLEEP_MS
                jobs = int(min(max(ideal * self.mode["scaling_seconds"], 200), 200_000))
                if stand_in:
                    jobs = 200 * workers
                path = jobs_file(self.work, jobs, SIZES[0], tag=f"s{workers}-")
                before = cluster.cpu()
                report, wall, _ = cluster.submit(path, timeout=600)
                after = cluster.cpu()
                if not report or report.get("stored") != jobs:
                    self.results.add(section, f"{workers} worker(s)", "FAILED", f"logs in {cluster.work}")
                    break
                last = cluster.last_stored()
                seconds = submit_seconds(report, (last[0] - stored_before, last[1]) if last else None, jobs)
                stored_before = last[0] if last else 0
                measured = rate(jobs, seconds)
                share = {k: (after[k] - before[k]) / wall for k in after}
                points.append((workers, measured, ideal, share))
                self.results.add(section, f"{workers} worker{'s' if workers > 1 else ''}: jobs/s" + ("" if stand_in else " (of ideal)"),
                                 f"{measured:,.0f}" + ("" if stand_in else f" ({measured / ideal:.0%} of {ideal:,.0f})"),
                                 f"CPU: dispatcher {share['dispatcher']:.0%}, collector {share['collector']:.0%}, "
                                 f"workers {share['workers']:.0%} of a core; {jobs:,} jobs"
                                 + (f"; {stand_in}" if stand_in else ""))
        finally:
            cluster.stop()
        if points and not stand_in:
            below = [p for p in points if p[1] < 0.8 * p[2]]
            if below:
                workers, measured, _, share = below[0]
                busiest = max(("dispatcher", "collector"), key=share.get)
                self.results.add(section, "ceiling", f"~{max(p[1] for p in points):,.0f} jobs/s",
                                 f"below 80% of ideal from {workers} workers on; busiest: {busiest} at "
                                 f"{share[busiest]:.0%} of a core (on {self.nproc} cores the workers compete for "
                                 "them too)")
            else:
                self.results.add(section, "ceiling", f"none up to {points[-1][1]:,.0f} jobs/s",
                                 "throughput followed the workers at every point")

    # -- the run -----------------------------------------------------------------------------------------------

    def machine(self):
        model = "?"
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            memory = int(f.readline().split()[1]) / 1024 / 1024
        machine = {"cores (nproc)": str(self.nproc), "CPU": model, "memory": f"{memory:.1f} GiB",
                   "kernel": platform.release()}
        harness, binary = checkout_commit(HERE), checkout_commit(os.path.dirname(self.binary))
        machine["commit (harness)" if binary != harness else "commit"] = harness
        if binary != harness:
            machine["commit (mirsad binary)"] = binary
        return machine

    def run(self):
        sections = self.args.sections.split(",")
        started = datetime.datetime.now(datetime.timezone.utc)
        load_before = os.getloadavg()
        print(f"work directory: {self.work}", flush=True)
        for name in sections:
            print(f"== {name}", flush=True)
            self.results.note(name, f"load average (1 min) at the start of the section: {os.getloadavg()[0]:.1f}")
            try:
                getattr(self, name)()
            except (SystemExit, subprocess.TimeoutExpired, OSError, ValueError, KeyError) as problem:
                self.results.add(name, "FAILED", str(problem)[:200], f"work directory {self.work}")
            finally:
                kill_everything()
        load_after = os.getloadavg()
        machine = self.machine()
        print()
        print(self.results.table())
        print()
        print(NOISE)
        self.write(started, machine, load_before, load_after, sections)

    def write(self, started, machine, load_before, load_after, sections):
        mode = "quick" if self.args.quick else "full"
        lines = [
            "# Benchmark results", "",
            f"Written by `Benchmarks/bench.py{invocation_options()}` on {started.strftime('%Y-%m-%d %H:%M UTC')} "
            f"({mode} mode; sections: {', '.join(sections)}).", "",
            "| machine | |", "|---|---|",
            *[f"| {k} | {v} |" for k, v in machine.items()],
            f"| load average (1 min) before / after | {load_before[0]:.1f} / {load_after[0]:.1f} |", "",
            "## How to read these figures", "",
            NOISE, "",
            "## Figures", "",
            self.results.markdown(),
        ]
        with open(self.args.results, "w") as f:
            f.write("\n".join(lines).rstrip() + "\n")
        print(f"\nwritten: {self.args.results}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True, help="the release `mirsad` binary")
    parser.add_argument("--quick", action="store_true", help="small counts: a few minutes")
    parser.add_argument("--sections", default=",".join(SECTIONS),
                        help="comma-separated, in order (latency uses the peak that dispatch measured)")
    parser.add_argument("--jobs", type=int, help="jobs per dispatch run (default: 5,000 quick, 50,000 full)")
    parser.add_argument("--repeats", type=int, help="measure dispatch and analysis this many times (default: 1 "
                                                    "quick, 2 full)")
    shared = os.environ.get("MIRSAD_SHARED", os.path.join(HERE, "..", "..", "shared"))
    parser.add_argument("--corpus", default=os.path.join(shared, "corpus", "ant", "articles.jsonl.gz"),
                        help="articles for the analysis section (default: the ANT corpus in $MIRSAD_SHARED, "
                             "../shared beside the checkout)")
    parser.add_argument("--results", default=os.path.join(HERE, "RESULTS.md"), help="where to write the results")
    parser.add_argument("--pb-dir", help="where mirsad_pb2.py is (generated by Benchmarks/run)")
    parser.add_argument("--capacity", type=int,
                        help="the no-op workers' --capacity (credit) in dispatch and latency (default: the worker's)")
    parser.add_argument("--no-celery", action="store_true", help="leave Celery out of the dispatch section")
    parser.add_argument("--stand-in", action="store_true",
                        help="where the worker has no --analysis none/sleep, run those sections with the full "
                             "analysis instead, labelled as such (to try the harness; not comparable figures)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()
    unknown = set(args.sections.split(",")) - set(SECTIONS)
    if unknown:
        parser.error(f"no section {', '.join(sorted(unknown))}; the sections are {', '.join(SECTIONS)}")
    bench = Bench(args)
    try:
        bench.run()
    finally:
        kill_everything()
        if not args.keep:
            shutil.rmtree(bench.work, ignore_errors=True)


if __name__ == "__main__":
    main()
