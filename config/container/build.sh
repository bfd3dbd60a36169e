#!/usr/bin/env bash
# Builds the container image (default tag arborcast:latest) with podman from target/arborcast.jar
# (built first if missing): jlink cuts the launcher's JDK (25+) to the modules the jar uses, the
# C libraries those link are copied from this host, and Containerfile puts them on an empty base.
# Usage: config/container/build.sh [TAG]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
top="$(cd "$here/../.." && pwd)"
tag="${1:-arborcast:latest}"
jar="$top/target/arborcast.jar"
[[ -f "$jar" ]] || (cd "$top" && mvn -B -q -DskipTests package)
jdk="$(dirname "$(dirname "$(readlink -f "$("$top/arborcast" --print-java)")")")"
ctx="$(mktemp -d)"
trap 'rm -rf "$ctx"' EXIT
root="$ctx/root"

modules="$("$jdk/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release 25 "$jar"),java.xml"
"$jdk/bin/jlink" --add-modules "$modules" --output "$root/opt/java" \
  --strip-debug --no-header-files --no-man-pages --compress=zip-6
mkdir -p "$root/opt/arborcast" "$root/data" "$root/tmp" "$root/etc"
cp "$jar" "$root/opt/arborcast/arborcast.jar"
chmod 1777 "$root/tmp"

# the C libraries of the launcher, the JVM and the libraries a headless node loads (not AWT's),
# and glibc's name service modules for DNS
libs=("$root/opt/java/bin/java" "$root/opt/java/lib/server/libjvm.so")
for l in java jli net nio zip jimage verify extnet management management_ext; do
  [[ -f "$root/opt/java/lib/lib$l.so" ]] && libs+=("$root/opt/java/lib/lib$l.so")
done
libc_dir="$(dirname "$(ldd "$root/opt/java/bin/java" | awk '/libc\.so/ {print $3}')")"
{
  ldd "${libs[@]}" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\/.*ld-linux/ {print $1}'
  ls "$libc_dir"/libnss_files.so.2 "$libc_dir"/libnss_dns.so.2 "$libc_dir"/libresolv.so.2
} | sort -u | grep -v "^$root" | while read -r lib; do
  cp -L --parents "$lib" "$root"
done
echo "hosts: files dns" > "$root/etc/nsswitch.conf"
echo "root:x:0:0:root:/data:/sbin/nologin" > "$root/etc/passwd"

podman build -q -t "$tag" -f "$here/Containerfile" "$ctx"
echo "built $tag: $(du -sh "$root" | cut -f1) on disk unpacked"
