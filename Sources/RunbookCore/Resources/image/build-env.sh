# Sourced by each RUN of the build stage: points pip, requests and OpenSSL at the CA bundle when one
# was given (the file is empty otherwise), loads the Galaxy variables runbook handed over (servers,
# tokens; the file is empty when there are none and exists only in this stage) and stops on the first error.
set -eu
if [ -s /build/ca-bundle.crt ]; then
    export PIP_CERT=/build/ca-bundle.crt REQUESTS_CA_BUNDLE=/build/ca-bundle.crt SSL_CERT_FILE=/build/ca-bundle.crt \
        GIT_SSL_CAINFO=/build/ca-bundle.crt
fi
if [ -s /build/build-secrets.env ]; then
    . /build/build-secrets.env
fi
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
