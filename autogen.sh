#!/bin/sh
# Generate configure and Makefile.in (they are build output, not committed).
set -e
cd "$(dirname "$0")"
autoreconf -fi
