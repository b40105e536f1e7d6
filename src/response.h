/* response.h */
#ifndef JWTSIGN_RESPONSE_H
#define JWTSIGN_RESPONSE_H
#endif
