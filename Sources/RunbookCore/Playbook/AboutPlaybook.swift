// Playbook: the validation rules, one file per kind of rule (plays, tasks, roles, handlers, Jinja), and
// the checker that walks one playbook with them. What Ansible accepts lives here.
// May use: YAML, Inventory (host patterns), Diagnostics, Support.
