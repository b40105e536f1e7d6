/* crypto.c */
#include "crypto.h"
