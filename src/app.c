/* app.c */
#include "app.h"
