/* fetch.h */
#ifndef JWTSIGN_FETCH_H
#define JWTSIGN_FETCH_H
#endif
