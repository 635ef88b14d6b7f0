#ifndef CPROCESSTUNING_H
#define CPROCESSTUNING_H

/// Makes glibc's malloc grow the heap in 64 MB steps of address space instead of 128 KB ones (pages
/// are only used when touched, so memory use does not change): a validation allocates tens of MB in
/// small pieces on several threads, and each small step costs a system call and a round of page
/// faults (about 4% of a repository's validation here). Does nothing without glibc.
void runbook_tune_malloc(void);

#endif
