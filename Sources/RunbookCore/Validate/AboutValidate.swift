// Validate: `runbook validate` as a library: the request and report, the folder walker that finds
// playbooks, and the validator that runs Playbook's checker over them and inventories over Inventory.
// May use: Playbook, Inventory, YAML, Diagnostics, Support.
