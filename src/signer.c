/* signer.c - see signer.h. */
#include "signer.h"
