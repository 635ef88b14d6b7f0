// Commands: the entry point of each subcommand, given a RunbookContext: read the settings, call the
// concern, write the output, return the exit status. The CLI calls only these, the context and Settings.
// May use: every other folder.
