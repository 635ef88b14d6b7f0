// Support: small helpers every folder may use: paths, durations, shell words, file locks, the host's
// CA bundle, the version; and what RunbookCore uses instead of full Foundation (it builds on
// FoundationEssentials alone): number and error text, file descriptors, JSON values, regular
// expressions, a thread for blocking loops, a pthread-mutex lock ThreadSanitizer understands
// (Locked), and the few Foundation string operations it needs.
// May use: Diagnostics.
