// YAML: the libyaml-based loader and the node model (1-based positions, aliases kept, duplicate keys
// reported) that Playbook, Inventory and Settings all read files with.
// May use: Diagnostics, CYAML.
