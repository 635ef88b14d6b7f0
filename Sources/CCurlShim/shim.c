#include "CCurlShim.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static pthread_once_t global_init = PTHREAD_ONCE_INIT;

static void init_curl(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

typedef struct {
    unsigned char *data;
    size_t length;
    size_t capacity;
    int out_of_memory;
} buffer;

static size_t append(char *chunk, size_t size, size_t count, void *context) {
    buffer *buf = context;
    size_t n = size * count;
    if (buf->length + n + 1 > buf->capacity) {
        size_t capacity = buf->capacity ? buf->capacity : 4096;
        while (capacity < buf->length + n + 1) capacity *= 2;
        unsigned char *grown = realloc(buf->data, capacity);
        if (!grown) {
            buf->out_of_memory = 1;
            return 0;
        }
        buf->data = grown;
        buf->capacity = capacity;
    }
    memcpy(buf->data + buf->length, chunk, n);
    buf->length += n;
    return n;
}

static void fail(runbook_http_result *result, int failure, const char *text) {
    result->failure = failure;
    strncpy(result->error, text, sizeof(result->error) - 1);
    result->error[sizeof(result->error) - 1] = 0;
}

void runbook_http_perform(const char *method, const char *url, const char *const *headers,
                          size_t header_count, const unsigned char *body, size_t body_length,
                          long timeout_ms, runbook_http_result *result) {
    memset(result, 0, sizeof(*result));
    pthread_once(&global_init, init_curl);
    CURL *curl = curl_easy_init();
    if (!curl) {
        fail(result, 2, "libcurl could not start a request");
        return;
    }
    char error[CURL_ERROR_SIZE] = {0};
    buffer received = {0};
    struct curl_slist *list = NULL;
    for (size_t i = 0; i < header_count; i++) list = curl_slist_append(list, headers[i]);
    // No "Expect: 100-continue" round trip for larger bodies.
    list = curl_slist_append(list, "Expect:");

    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &received);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    if (strcmp(method, "HEAD") == 0) {
        curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    } else if (strcmp(method, "GET") != 0 || body_length > 0) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_length);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body_length > 0 ? (const char *)body : "");
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    }

    CURLcode code = curl_easy_perform(curl);
    if (code == CURLE_OK) {
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result->status);
        result->body = received.data;
        result->body_length = received.length;
    } else {
        free(received.data);
        const char *text = error[0] ? error : curl_easy_strerror(code);
        fail(result, code == CURLE_OPERATION_TIMEDOUT ? 1 : 2, received.out_of_memory ? "out of memory" : text);
    }
    curl_slist_free_all(list);
    curl_easy_cleanup(curl);
}

void runbook_http_result_free(runbook_http_result *result) {
    free(result->body);
    result->body = NULL;
    result->body_length = 0;
}
