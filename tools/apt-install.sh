#!/usr/bin/env bash
# Installs Debian packages with apt-get, for tools/install-deps.R and tools/sanitize.sh.
#
# Usage:  tools/apt-install.sh DEB...
#
# Names already installed are skipped (nothing is printed when all are). Otherwise
# one `apt-get update`, then one `apt-get install` of the names apt has a candidate
# for: a name apt does not know must not fail the others. Exits 0 when all are
# installed, else 1 (each package left out is named once: unknown to apt, or failed).
set -uo pipefail

say() { echo "apt-install: $*"; }
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

missing=()
for deb in "$@"; do installed "$deb" || missing+=("$deb"); done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  say "cannot install ${missing[*]}: apt-get needs root on Debian/Ubuntu; install by hand" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# Others may be running apt on this machine: wait for its lock rather than fail.
wait_lock=(-o DPkg::Lock::Timeout=300)
log=$(mktemp)
trap 'rm -f "$log"' EXIT

say "apt-get update"
apt-get "${wait_lock[@]}" update -qq >"$log" 2>&1 || { tail -n 5 "$log"; say "apt-get update failed; using the lists there are"; }

have=()
for deb in "${missing[@]}"; do
  # Before `update` (and for unknown names) the candidate is "(none)" or no line at all.
  cand=$(apt-cache policy "$deb" 2>/dev/null | sed -n 's/^ *Candidate: *//p')
  if [ -n "$cand" ] && [ "$cand" != "(none)" ]; then have+=("$deb"); else say "apt has no package $deb"; fi
done

if [ ${#have[@]} -gt 0 ]; then
  say "apt-get install ${have[*]}"
  apt-get "${wait_lock[@]}" install -y -qq --no-install-recommends "${have[@]}" >"$log" 2>&1 || tail -n 10 "$log"
fi

failed=()
for deb in "${have[@]}"; do installed "$deb" || failed+=("$deb"); done
[ ${#failed[@]} -eq 0 ] || say "apt-get could not install ${failed[*]}" >&2
[ ${#failed[@]} -eq 0 ] && [ ${#have[@]} -eq ${#missing[@]} ]
