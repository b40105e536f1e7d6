/* handler.h */
#ifndef JWTSIGN_HANDLER_H
#define JWTSIGN_HANDLER_H
#endif
