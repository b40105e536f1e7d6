/* fetch.c */
#include "fetch.h"
