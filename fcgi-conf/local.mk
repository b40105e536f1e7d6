# fcgi-conf/local.mk - web server examples, installed under
# $(docdir)/examples (included by Makefile.am).
exampledir = $(docdir)/examples
dist_example_DATA = \
	fcgi-conf/demo/jwtsign.json \
	fcgi-conf/pkcs11-signer.json \
	fcgi-conf/lighttpd.conf \
	fcgi-conf/lighttpd-cgi.conf \
	fcgi-conf/apache-mod_fcgid.conf \
	fcgi-conf/apache-cgi.conf \
	fcgi-conf/nginx.conf \
	fcgi-conf/nginx-limit_req.conf \
	fcgi-conf/lighttpd-authorizer.conf \
	fcgi-conf/apache-authorizer.conf \
	fcgi-conf/nginx-authorizer.conf \
	fcgi-conf/jwtsign-fcgi.socket \
	fcgi-conf/jwtsign-fcgi.service \
	fcgi-conf/jwtsign-spawn \
	fcgi-conf/README

# The demo (scripts/demo) and the tests only: the demo key is public, so
# it is never installed as an example someone might deploy.
EXTRA_DIST += fcgi-conf/demo/lighttpd.conf fcgi-conf/demo/token-issuer \
	fcgi-conf/demo/private.json fcgi-conf/demo/symmetric.json
