/* backend.h */
#ifndef JWTSIGN_BACKEND_H
#define JWTSIGN_BACKEND_H
#endif
