// Inventory: static inventories (INI, YAML, plugin configs) read as Ansible does, host patterns, and
// InventoryArgument (a path or a host list).
// May use: YAML, Diagnostics, Support.
