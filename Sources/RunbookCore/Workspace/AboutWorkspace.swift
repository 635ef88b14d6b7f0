// Workspace: `runbook init`'s starter files and the CI pipeline templates.
// May use: Settings (for the default image), Diagnostics, Support.
