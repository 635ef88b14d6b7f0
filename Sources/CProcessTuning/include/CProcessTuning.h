#ifndef CPROCESSTUNING_H
#define CPROCESSTUNING_H

/// Makes glibc's malloc grow the heap in 64 MB steps of address space instead of 128 KB ones (pages
/// are only used when touched, so memory use does not change): a validation allocates tens of MB in
/// small pieces on several threads, and each small step costs a system call and a round of page
/// faults (about 4% of a repository's validation here). Does nothing without glibc.
void runbook_tune_malloc(void);

/// Advises the kernel to back the calling thread's malloc heap with transparent huge pages
/// (madvise MADV_HUGEPAGE over the heap's address space): a checker thread fills tens of MB with
/// small allocations, and each 4 KB page it touches first is a page fault, where a 2 MB page is one
/// for 512 of them (the corpus: 4,300 faults become 1,700, about 5% of the CPU). What glibc's
/// `glibc.malloc.hugetlb=1` tunable does, which a process cannot set for itself once started.
/// Returns 0 when the advice was given; -1 when the kernel refused it (no transparent huge pages)
/// or the heap could not be told apart; 1 without glibc (nothing done). With the kernel's
/// transparent_hugepage set to `never` the advice is accepted and has no effect.
int runbook_prefer_huge_pages(void);

#endif
