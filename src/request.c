/* request.c */
#include "request.h"
