#ifndef MIRSAD_MEMORY_HINTS_H
#define MIRSAD_MEMORY_HINTS_H

/// Asks the processor to start reading the cache line at `address` for a later read. It never faults, retires at
/// once and changes no result, so a loop can ask for the lines of its next steps without waiting for them.
/// Swift has no portable prefetch; the compiler builtin is the whole of it.
static inline void mirsad_prefetch_for_read(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
