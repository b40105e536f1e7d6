/* crypto.h */
#ifndef JWTSIGN_CRYPTO_H
#define JWTSIGN_CRYPTO_H
#endif
