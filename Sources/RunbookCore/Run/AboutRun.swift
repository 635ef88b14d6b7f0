// Run: the apply pipeline (validate, credentials, image, ansible-playbook in a container or in-image),
// the container plan, the run's support files and callback plugin, events, summaries and reports.
// May use: Validate, Credentials, Image, Engine, Inventory, Context, Settings, Diagnostics, Support.
