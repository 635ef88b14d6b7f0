// Validate: `runbook validate` as a library: the request and report, the folder walker that finds
// playbooks, and the validator that runs Playbook's checkers over them (one per processor, each
// playbook on its own, merged in order; the playbooks parsed ahead while the index is looked up) and
// inventories over Inventory.
// May use: Playbook, Inventory, YAML, Diagnostics, Support.
