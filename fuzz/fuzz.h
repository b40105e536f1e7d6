/* fuzz.h - shared declarations of the libFuzzer targets in fuzz/.
 *
 * Each fuzz_<target>.c defines LLVMFuzzerTestOneInput (and optionally
 * LLVMFuzzerInitialize).  The same file is linked either with libFuzzer
 * (`make fuzz`, clang -fsanitize=fuzzer) or with replay.c, a plain main()
 * that feeds every file of the committed corpus to the target
 * (`make check`).  A target reports a broken property with FUZZ_ASSERT,
 * which aborts: libFuzzer then saves the input as a crash.
 */
#ifndef JWTSIGN_FUZZ_H
#define JWTSIGN_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* FUZZ_ASSERT - abort with a message when a property does not hold. */
#define FUZZ_ASSERT(cond)                                                                          \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__,        \
				#cond);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

#endif
