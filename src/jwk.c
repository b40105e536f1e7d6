/* jwk.c - see jwk.h. */
#include "jwk.h"
