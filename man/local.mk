# man/local.mk - the hand-written mdoc pages (included by Makefile.am).
dist_man_MANS = man/jwtsign.8 man/jwtsign.json.5
