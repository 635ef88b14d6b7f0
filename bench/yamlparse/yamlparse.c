/* The floor for `runbook validate`: parse every file named on stdin (one path per line) with
 * libyaml's event parser and nothing else, as runbook's loader does before any rule runs.
 * Prints the number of files and events; used by bench/validate. */
#include <stdio.h>
#include <string.h>
#include <yaml.h>

int main(void) {
    char path[8192];
    long files = 0, events = 0;
    while (fgets(path, sizeof path, stdin)) {
        path[strcspn(path, "\n")] = 0;
        if (!path[0]) continue;
        FILE *file = fopen(path, "rb");
        if (!file) continue;
        yaml_parser_t parser;
        yaml_event_t event;
        yaml_parser_initialize(&parser);
        yaml_parser_set_input_file(&parser, file);
        for (;;) {
            if (!yaml_parser_parse(&parser, &event)) break;
            int done = event.type == YAML_STREAM_END_EVENT;
            yaml_event_delete(&event);
            events++;
            if (done) break;
        }
        yaml_parser_delete(&parser);
        fclose(file);
        files++;
    }
    printf("%ld files, %ld events\n", files, events);
    return 0;
}
