/* handler.c */
#include "handler.h"
