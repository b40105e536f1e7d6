/* keysource.h */
#ifndef JWTSIGN_KEYSOURCE_H
#define JWTSIGN_KEYSOURCE_H
#endif
