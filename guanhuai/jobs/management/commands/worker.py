"""`guanhuai worker`: django-tasks-db's database worker plus a heartbeat.

The worker loop, signal handling and options are django_tasks_db's own (`db_worker`). Around it we add:
- a heartbeat row (jobs.WorkerHeartbeat), touched every few seconds from a background thread, which
  /healthz reads and which is deleted on a clean exit;
- recovery: at start and then periodically, tasks claimed by workers whose heartbeat went stale are put
  back in the queue, so a job whose worker died resumes from its checkpoint on a live worker."""

from __future__ import annotations

import logging
import os
import socket
import threading
from typing import Any

from django.db import close_old_connections, connection
from django.utils import timezone
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker

from guanhuai.jobs import services

logger = logging.getLogger("guanhuai.worker")

# Look for dead workers' tasks every this many heartbeats.
RECOVER_EVERY = 6


class Heartbeat:
    def __init__(
        self, *, worker_id: str, backend_name: str, interval: float = services.HEARTBEAT_SECONDS
    ) -> None:
        self.worker_id = worker_id
        self.backend_name = backend_name
        self.interval = interval
        self.hostname = socket.gethostname()
        self.pid = os.getpid()
        self.started_at = timezone.now()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"heartbeat-{worker_id[:8]}", daemon=True)

    def beat(self) -> None:
        services.worker_heartbeat(
            worker_id=self.worker_id, hostname=self.hostname, pid=self.pid, started_at=self.started_at
        )

    def recover(self) -> None:
        recovered = services.worker_recover_orphans(backend_name=self.backend_name)
        if recovered:
            logger.warning("handed back %d task(s) of dead workers", len(recovered))

    def start(self) -> None:
        # The first beat and recovery run before the worker claims anything, in the caller's thread.
        self.beat()
        self.recover()
        self._thread.start()

    def _loop(self) -> None:
        ticks = 0
        try:
            while not self._stop.wait(self.interval):
                ticks += 1
                try:
                    close_old_connections()
                    self.beat()
                    if ticks % RECOVER_EVERY == 0:
                        self.recover()
                except Exception:  # a missed beat must not kill the thread
                    logger.exception("heartbeat failed")
        finally:
            connection.close()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self.interval + 5)
        try:
            services.worker_stopped(worker_id=self.worker_id)
        except Exception:  # the row will simply go stale
            logger.exception("could not remove heartbeat")


class HeartbeatWorker(Worker):
    def run(self) -> None:
        heartbeat = Heartbeat(worker_id=self.worker_id, backend_name=self.backend_name)
        heartbeat.start()
        try:
            super().run()
        finally:
            heartbeat.stop()


class Command(DbWorkerCommand):
    help = "运行后台任务执行进程（数据库队列），并定期写入心跳供 /healthz 检查。"

    def handle(
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        reload: bool,
        max_tasks: int | None,
        worker_id: str,
        exclude_queues: str,
        **options: Any,
    ) -> None:
        self.configure_logging(verbosity)
        if reload and batch:
            reload = False
        excluded = exclude_queues.split(",") if exclude_queues else []
        worker = HeartbeatWorker(
            queue_names=queue_name.split(","),
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded,
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
