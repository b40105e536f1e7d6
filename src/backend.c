/* backend.c */
#include "backend.h"
