#!/usr/bin/env bash
# Checks target/central-bundle.zip (./mvnw -Prelease verify) against Maven Central's requirements: every
# published module is there in the repository layout, jars come with sources and javadoc jars, every file has
# .md5 and .sha1 files that match it and (unless --unsigned, for a build with -Dgpg.skip) an .asc signature, and
# every POM has a name and description and inherits url, licenses, developers and scm from adain-bom.
#
#   .ci/central-bundle-check.sh [--unsigned]
set -euo pipefail
cd "$(dirname "$0")/.."
signed=1
[ "${1:-}" = --unsigned ] && signed=0
zip=target/central-bundle.zip
[ -s "$zip" ] || { echo "central-bundle-check: no $zip (run ./mvnw -Prelease verify)" >&2; exit 1; }
version=$(sed -n 's|^  <version>\(.*\)</version>|\1|p' adain-bom/pom.xml | head -n 1)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
(cd "$dir" && jar xf "$OLDPWD/$zip")

failed=0
fail() { echo "central-bundle-check: $*" >&2; failed=1; }

# module | packaging
while IFS='|' read -r module packaging; do
  base="$dir/org/adain/$module/$version/$module-$version"
  files=("$base.pom")
  [ "$packaging" = jar ] && files+=("$base.jar" "$base-sources.jar" "$base-javadoc.jar")
  for f in "${files[@]}"; do
    [ -s "$f" ] || { fail "missing ${f#"$dir"/}"; continue; }
    for alg in md5 sha1; do
      sum=$("${alg}sum" "$f" | cut -d' ' -f1)
      [ "$(cat "$f.$alg" 2>/dev/null)" = "$sum" ] || fail "${f#"$dir"/}.$alg missing or wrong"
    done
    if [ "$signed" = 1 ]; then
      [ -s "$f.asc" ] || fail "missing signature ${f#"$dir"/}.asc"
    fi
  done
  pom="$base.pom"
  for tag in name description; do
    grep -q "^  <$tag>" "$pom" 2>/dev/null || fail "$module's POM has no <$tag>"
  done
  if [ "$packaging" = jar ]; then
    # Listings are read whole first: grep -q closing the pipe early would fail it under pipefail.
    manifest=$(unzip -p "$base.jar" META-INF/MANIFEST.MF)
    grep -q '^Automatic-Module-Name: ' <<<"$manifest" || fail "$module's jar has no Automatic-Module-Name"
    if [ -s "$base-javadoc.jar" ]; then
      listing=$(unzip -l "$base-javadoc.jar")
      grep -q ' index.html$' <<<"$listing" || fail "$module's javadoc jar has no index.html"
    fi
  fi
done <<'EOF'
adain-bom|pom
adain-parent|pom
adain-api|jar
adain-testkit|jar
adain-dl4j|jar
adain-dl4j-cuda|pom
adain-onnxruntime|jar
adain-video|jar
adain-spark|jar
EOF

# Inherited by every POM from the root of the chain, adain-bom.
bom="$dir/org/adain/adain-bom/$version/adain-bom-$version.pom"
for tag in url licenses developers scm; do
  grep -q "^  <$tag>" "$bom" || fail "adain-bom's POM has no <$tag>"
done
listing=$(unzip -l "$zip")
if grep -q 'adain-examples' <<<"$listing"; then
  fail "adain-examples (the CLI, not a library) is in the bundle"
fi

[ "$failed" = 0 ] || exit 1
echo "central-bundle-check: $zip holds $(unzip -l "$zip" | tail -n 1 | awk '{print $2}') files for adain $version$([ "$signed" = 0 ] && echo ' (unsigned)')"
