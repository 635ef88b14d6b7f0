// History: every apply and plan recorded as it runs in one SQLite file (the system libsqlite3; WAL,
// busy timeout, versioned migrations): the run's facts and each host × task result, masked. The
// reading side (`runs` with filters, `show`, `runs diff`, the HTML report) and the team history in
// S3 (one gzip JSON document per run, SigV4-signed; read back through a local SQLite cache).
// May use: Run (events, outcomes, the masker), Credentials (SigV4, HTTP, keys), Image (the prepared
// image), Settings, Context, Support.
