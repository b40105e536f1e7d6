# man/local.mk - the hand-written mdoc pages (included by Makefile.am).
# The sources say @sysconfdir@ where the page names the default
# configuration path: made at build time with the configured sysconfdir,
# so that an installed page names the file the installed binary reads.
man_MANS = man/jwtsign.8 man/jwtsign.json.5
EXTRA_DIST += man/jwtsign.8.in man/jwtsign.json.5.in
CLEANFILES = $(man_MANS)
man/jwtsign.8: $(srcdir)/man/jwtsign.8.in Makefile
	$(AM_V_GEN)$(MKDIR_P) man && sed -e 's|@sysconfdir[@]|$(sysconfdir)|g' $(srcdir)/man/jwtsign.8.in >$@
man/jwtsign.json.5: $(srcdir)/man/jwtsign.json.5.in Makefile
	$(AM_V_GEN)$(MKDIR_P) man && sed -e 's|@sysconfdir[@]|$(sysconfdir)|g' $(srcdir)/man/jwtsign.json.5.in >$@
