/* app.h */
#ifndef JWTSIGN_APP_H
#define JWTSIGN_APP_H
#endif
