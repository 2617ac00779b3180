#!/bin/sh
# Install the Debian 12 packages that the build, the tests and the demo need.
# As root this installs what is missing; otherwise it prints the exact command.
# Each package and why it is here is listed in README.md ("Dependencies").
set -eu

PKGS="build-essential pkg-config clang libclang-rt-14-dev
libcurl4-openssl-dev libxml2-dev libpq-dev libpcre2-dev libcriterion-dev
libjson-c-dev libinih-dev libcsv-dev zlib1g-dev libssl-dev
postgresql-15 postgresql-client-15 ca-certificates openssl time util-linux passwd
chromium poppler-utils"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ]; then
	echo "deps: installing:$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	# the server package is only needed for its binaries: no cluster is created
	mkdir -p /etc/postgresql-common
	[ -f /etc/postgresql-common/createcluster.conf ] ||
		printf 'create_main_cluster = false\n' >/etc/postgresql-common/createcluster.conf
	apt-get install -y -qq --no-install-recommends $missing >&2
else
	echo "deps: missing packages:$missing" >&2
	echo "deps: run: sudo apt-get install -y$missing" >&2
	exit 1
fi
