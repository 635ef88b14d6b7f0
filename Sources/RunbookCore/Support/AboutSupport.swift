// Support: small helpers every folder may use: paths, durations, shell words, file locks, the host's
// CA bundle, the version.
// May use: Diagnostics.
