// Diagnostics: Diagnostic and its renderers (text, JSON, GitHub), RunbookError and the sysexits
// statuses runbook ends with.
// May use: nothing else in RunbookCore.
