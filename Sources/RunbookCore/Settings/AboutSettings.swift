// Settings: the one table of settings (SettingKey.setting: key, RUNBOOK_* variable, flags, type,
// default, help), runbook.yml reading, resolution with sources (flag > environment > runbook.yml >
// default) and the `runbook config` report. Nothing else reads RUNBOOK_* variables.
// May use: YAML, Diagnostics, Support, Engine (only to say which engines are on PATH).
