#ifndef CCURLSHIM_H
#define CCURLSHIM_H

#include <stddef.h>

/// What one request brought back: the status code and body (malloc'd, freed with
/// runbook_http_result_free), or, when no response came, the reason in `error`.
typedef struct {
    long status;
    unsigned char *body;
    size_t body_length;
    /// 0 when a response came; 1 when the time allowed ran out; 2 for any other failure.
    int failure;
    char error[256];
} runbook_http_result;

/// Sends one request with libcurl and waits for the whole response. `headers` are complete
/// "Name: value" lines. No Accept-Encoding is sent, so the body comes back as the server sent it.
void runbook_http_perform(const char *method, const char *url, const char *const *headers,
                          size_t header_count, const unsigned char *body, size_t body_length,
                          long timeout_ms, runbook_http_result *result);

/// Frees the body of a result.
void runbook_http_result_free(runbook_http_result *result);

#endif
