// Image: the image definition runbook carries, its content hash, the typed image settings, and
// ensure/build/status/push on an engine (ImageManager); EnsuredImage is apply's image step.
// May use: ImageInputs, Engine, Settings, Context, Diagnostics, Support.
