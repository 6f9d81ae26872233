#!/usr/bin/env bash
# Reproducible builds: builds the jars a second time into target-repro/ and compares them byte for byte with
# those of the build before it in target/ (project.build.outputTimestamp fixes every entry's time).
#
#   .ci/reproducible-check.sh     (after a build into target/, e.g. mvn verify)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -o package -DskipTests -Dadain.target=target-repro >/dev/null
failed=0
count=0
for second in */target-repro/*.jar; do
  first=${second/target-repro/target}
  count=$((count + 1))
  if ! cmp -s "$first" "$second"; then
    echo "reproducible-check: $first and $second differ" >&2
    failed=1
  fi
done
[ "$count" -gt 0 ] || { echo "reproducible-check: no jars were built" >&2; exit 1; }
[ "$failed" = 0 ] || exit 1
echo "reproducible-check: $count jars byte-identical across two builds"
for j in */target/*.jar; do sha256sum "$j"; done
