// Playbook: the validation rules, one file per kind of rule (plays, tasks, roles, handlers, Jinja), and
// the checker that walks one playbook with them. What Ansible accepts lives here. With an image's
// plugin index, the module, argument (ArgumentRuleChecks: the cross-argument rules of module code)
// and template-plugin checks, which DeepWorker runs on a second thread.
// May use: YAML, Inventory (host patterns), Image (the plugin index), Diagnostics, Support.
