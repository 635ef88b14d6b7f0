// Credentials: the AWS credential chain in the SDKs' order (Chain), profiles and the INI files they
// live in (Profiles), offline checks and the creds report (Checks), SSO, STS and SigV4.
// May use: Engine (ProcessRunning, for credential_process), Diagnostics, Support.
