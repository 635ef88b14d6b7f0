// swift-format-ignore-file
// (The file embeds data, YAML or Python, whose lines must stay exactly as they are.)
/// The Ansible callback plugin runbook ships (`runbook_events`): it writes JSON-lines events to
/// `$RUNBOOK_EVENTS_FILE` alongside the normal stdout callback. Kept in the binary so a copied
/// runbook needs no resource files.
public enum CallbackPlugin {
    /// The plugin's module name, as listed in `ANSIBLE_CALLBACKS_ENABLED`.
    public static let name = "runbook_events"

    /// The plugin's file name inside its plugin folder.
    public static let fileName = "runbook_events.py"

    /// The plugin's Python source.
    public static let source = #"""
# runbook_events: an Ansible callback plugin shipped with runbook. It writes one JSON object per
# line (play start, task start, per-host results with durations, final stats) to the file named by
# RUNBOOK_EVENTS_FILE, which runbook reads while the playbook runs. It prints nothing itself and
# runs alongside the normal stdout callback.
from __future__ import annotations

import json
import os
import re
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: runbook_events
type: notification
short_description: JSON-lines events for runbook
description: Writes play, task and per-host result events as JSON lines to $RUNBOOK_EVENTS_FILE.
requirements:
  - enabled in callbacks_enabled (runbook sets it)
"""

MESSAGE_LIMIT = 2000
DIFF_LIMIT = 20000
COLOUR = re.compile(r"\x1b\[[0-9;]*m")


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "notification"
    CALLBACK_NAME = "runbook_events"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._file = None
        self._task_started = {}
        path = os.environ.get("RUNBOOK_EVENTS_FILE")
        if path:
            self._file = open(path, "a", encoding="utf-8", buffering=1)

    def _emit(self, event, **fields):
        if self._file is None:
            return
        fields["event"] = event
        fields["time"] = round(time.time(), 3)
        self._file.write(json.dumps(fields, default=str, ensure_ascii=False) + "\n")
        self._file.flush()

    @staticmethod
    def _task_fields(task):
        path = task.get_path() or ""
        return {
            "task": task.get_name().strip(),
            "action": task.action,
            "task_id": task._uuid,
            "path": path,
        }

    def v2_playbook_on_start(self, playbook):
        self._emit("playbook_start", playbook=getattr(playbook, "_file_name", ""))

    def v2_playbook_on_play_start(self, play):
        self._emit("play_start", play=play.get_name().strip(), play_id=play._uuid)

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._task_started[task._uuid] = time.monotonic()
        self._emit("task_start", **self._task_fields(task))

    def v2_playbook_on_handler_task_start(self, task):
        self._task_started[task._uuid] = time.monotonic()
        self._emit("task_start", handler=True, **self._task_fields(task))

    def _result(self, status, result, **extra):
        task = result._task
        started = self._task_started.get(task._uuid)
        duration = round(time.monotonic() - started, 3) if started is not None else None
        data = result._result if isinstance(result._result, dict) else {}
        message = data.get("msg") or data.get("stderr") or data.get("reason") or ""
        if not isinstance(message, str):
            message = json.dumps(message, default=str)
        fields = self._task_fields(task)
        fields.update(
            host=result._host.get_name(),
            status=status,
            changed=bool(data.get("changed", False)),
            duration=duration,
            message=message[:MESSAGE_LIMIT],
        )
        diff = self._diff_text(data)
        if diff:
            fields["diff"] = diff[:DIFF_LIMIT]
        fields.update(extra)
        self._emit("host_result", **fields)

    def _diff_text(self, data):
        # With --diff: the result's own diff, or its loop items' (as the default callback shows them).
        diffs = []
        if data.get("diff"):
            diffs.append(data["diff"])
        for item in data.get("results") or []:
            if isinstance(item, dict) and item.get("diff"):
                diffs.append(item["diff"])
        text = ""
        for diff in diffs:
            try:
                text += self._get_diff(diff)
            except Exception:
                text += json.dumps(diff, default=str)
        return COLOUR.sub("", text)

    def v2_runner_on_ok(self, result):
        data = result._result if isinstance(result._result, dict) else {}
        self._result("changed" if data.get("changed") else "ok", result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._result("ignored" if ignore_errors else "failed", result)

    def v2_runner_on_skipped(self, result):
        self._result("skipped", result)

    def v2_runner_on_unreachable(self, result):
        self._result("unreachable", result)

    def v2_playbook_on_stats(self, stats):
        hosts = {}
        for host in sorted(stats.processed.keys()):
            summary = stats.summarize(host)
            hosts[host] = {key: summary.get(key, 0) for key in
                           ("ok", "changed", "failures", "unreachable", "skipped", "rescued", "ignored")}
        self._emit("stats", hosts=hosts)
        if self._file is not None:
            self._file.close()
            self._file = None
"""#
}
