// ImageInputs: what a workspace declares its image needs — requirements.yml files (collections and
// roles, typed as ansible-galaxy types them), pip requirements, Debian packages, and an
// ansible-builder v3 execution-environment.yml mapped onto the same settings — read with file:line
// positions, hashed into the image's content and written into the build context.
// May use: YAML, Settings, Diagnostics, Support.
