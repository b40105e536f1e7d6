/* jws.c - see jws.h. */
#include "jws.h"
