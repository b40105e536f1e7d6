/* bench_allow.c - a FastCGI authorizer that allows every request without
 * looking at it: the reference of the authorizer end-to-end figures
 * (bench/README.md), so that the cost of lighttpd's authorizer hop (a new
 * FastCGI connection, the parameters, the answer) is measured apart from
 * jwtsign's.  Not part of `make check`; never install it. */
#include <fcgiapp.h>

int main(void)
{
	FCGX_Request r;

	if (FCGX_Init() != 0 || FCGX_InitRequest(&r, 0, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&r) >= 0) {
		FCGX_PutS("Status: 200\r\n\r\n", r.out);
		FCGX_Finish_r(&r);
	}
	return 0;
}
