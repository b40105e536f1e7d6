/* cli.h */
#ifndef JWTSIGN_CLI_H
#define JWTSIGN_CLI_H
#endif
