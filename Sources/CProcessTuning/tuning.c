#include "CProcessTuning.h"

#include <stdlib.h>  // defines __GLIBC__ on glibc

#if defined(__GLIBC__)
#include <malloc.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

extern char end;  // the end of the program's data, where its break starts (end(3))
#endif

void runbook_tune_malloc(void) {
#if defined(__GLIBC__)
    mallopt(M_TOP_PAD, 64 * 1024 * 1024);
#endif
}

int runbook_prefer_huge_pages(void) {
#if defined(__GLIBC__)
    const uintptr_t huge_page = (uintptr_t)2 << 20;
    // glibc keeps every heap of a thread's arena on a boundary of its size (64 MB on 64-bit: twice
    // the largest mmap threshold), which its own heap_for_ptr relies on. The main arena's heap is
    // the program break's, between the end of the data (end(3)) and sbrk(0), grown by M_TOP_PAD
    // (runbook_tune_malloc) well past a small block.
    const uintptr_t arena_heap = (uintptr_t)64 << 20;
    void *probe = malloc(64);
    if (probe == NULL) return -1;
    uintptr_t address = (uintptr_t)probe;
    free(probe);
    uintptr_t program_break = (uintptr_t)sbrk(0);
    uintptr_t from;
    uintptr_t to;
    if (address >= (uintptr_t)&end && address < program_break) {
        from = (address + huge_page - 1) & ~(huge_page - 1);
        to = program_break & ~(huge_page - 1);
        if (to <= from) return -1;
    } else {
        from = address & ~(arena_heap - 1);
        to = from + arena_heap;
    }
    return madvise((void *)from, to - from, MADV_HUGEPAGE) == 0 ? 0 : -1;
#else
    return 1;
#endif
}
