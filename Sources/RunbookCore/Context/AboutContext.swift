// Context: what one command runs with. RunbookSystem is the outside world (environment, current
// directory, process runner, HTTP transport, console, clock); RunbookContext adds the workspace, its
// resolved Settings and the engine resolver. Made once per command; tests make one with fakes.
// May use: Settings, Engine, Credentials (to build a resolver), Support.
