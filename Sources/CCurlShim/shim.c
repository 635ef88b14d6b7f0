#include "CCurlShim.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// libcurl is opened on the first request rather than linked: with its dependencies it is some 30
// shared libraries, which would cost every runbook start (validate included) about 6 ms to load.
static struct {
    CURLcode (*global_init)(long);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_perform)(CURL *);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    void (*easy_cleanup)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
} curl;
static char load_error[200];
static pthread_once_t loaded = PTHREAD_ONCE_INIT;

static void load_curl(void) {
    void *library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!library) library = dlopen("libcurl-gnutls.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        snprintf(load_error, sizeof(load_error), "libcurl is not installed (libcurl.so.4: %s)", dlerror());
        return;
    }
#define FIND(field, name)                                                                                  \
    if (!(*(void **)&curl.field = dlsym(library, name))) {                                                 \
        snprintf(load_error, sizeof(load_error), "libcurl.so.4 has no %s", name);                          \
        return;                                                                                            \
    }
    FIND(global_init, "curl_global_init")
    FIND(easy_init, "curl_easy_init")
    FIND(easy_setopt, "curl_easy_setopt")
    FIND(easy_perform, "curl_easy_perform")
    FIND(easy_getinfo, "curl_easy_getinfo")
    FIND(easy_cleanup, "curl_easy_cleanup")
    FIND(easy_strerror, "curl_easy_strerror")
    FIND(slist_append, "curl_slist_append")
    FIND(slist_free_all, "curl_slist_free_all")
#undef FIND
    curl.global_init(CURL_GLOBAL_DEFAULT);
}

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
    pthread_once(&loaded, load_curl);
    if (load_error[0]) {
        fail(result, 2, load_error);
        return;
    }
    CURL *handle = curl.easy_init();
    if (!handle) {
        fail(result, 2, "libcurl could not start a request");
        return;
    }
    char error[CURL_ERROR_SIZE] = {0};
    buffer received = {0};
    struct curl_slist *list = NULL;
    for (size_t i = 0; i < header_count; i++) list = curl.slist_append(list, headers[i]);
    // No "Expect: 100-continue" round trip for larger bodies.
    list = curl.slist_append(list, "Expect:");

    curl.easy_setopt(handle, CURLOPT_URL, url);
    curl.easy_setopt(handle, CURLOPT_HTTPHEADER, list);
    curl.easy_setopt(handle, CURLOPT_ERRORBUFFER, error);
    curl.easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
    curl.easy_setopt(handle, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl.easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl.easy_setopt(handle, CURLOPT_WRITEFUNCTION, append);
    curl.easy_setopt(handle, CURLOPT_WRITEDATA, &received);
    curl.easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
    if (strcmp(method, "HEAD") == 0) {
        curl.easy_setopt(handle, CURLOPT_NOBODY, 1L);
    } else if (strcmp(method, "GET") != 0 || body_length > 0) {
        curl.easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_length);
        curl.easy_setopt(handle, CURLOPT_POSTFIELDS, body_length > 0 ? (const char *)body : "");
        curl.easy_setopt(handle, CURLOPT_CUSTOMREQUEST, method);
    }

    CURLcode code = curl.easy_perform(handle);
    if (code == CURLE_OK) {
        curl.easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &result->status);
        result->body = received.data;
        result->body_length = received.length;
    } else {
        free(received.data);
        const char *text = error[0] ? error : curl.easy_strerror(code);
        fail(result, code == CURLE_OPERATION_TIMEDOUT ? 1 : 2, received.out_of_memory ? "out of memory" : text);
    }
    curl.slist_free_all(list);
    curl.easy_cleanup(handle);
}

void runbook_http_result_free(runbook_http_result *result) {
    free(result->body);
    result->body = NULL;
    result->body_length = 0;
}
