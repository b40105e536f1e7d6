/* keysource.c */
#include "keysource.h"
