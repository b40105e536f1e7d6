/* request.h */
#ifndef JWTSIGN_REQUEST_H
#define JWTSIGN_REQUEST_H
#endif
