/* router.c - see router.h. */
#include "router.h"
