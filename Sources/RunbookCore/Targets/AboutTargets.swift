// Targets: `apply`/`plan`/`creds --target`: each named target of runbook.yml run with its own settings
// (credentials, region, inventory, limit, extra variables), one after another or N at once, output
// prefixed by the target's name, its own results files, and one table with the worst status.
// May use: Run, Credentials, Image, Settings, Context, Inventory, Diagnostics, Support.
