// Image: the image definition runbook carries, its content hash, the typed image settings, and
// ensure/build/status/push on an engine (ImageManager); EnsuredImage is apply's image step. The plugin
// index each image carries (ImageIndex, its module routing table, its cache and its byte-level JSON
// reading), and DockerSocket,
// the daemon's socket asked directly for a warm validate's image lookup.
// May use: ImageInputs, Engine, Settings, Context, Diagnostics, Support.
