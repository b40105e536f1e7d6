/* gojson.c - see gojson.h. */
#include "gojson.h"
