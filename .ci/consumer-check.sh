#!/usr/bin/env bash
# What a user of the published artifacts gets, checked from the README alone:
#  1. a consumer project made of the README's complete POM and QuickStart class compiles and runs the quick
#     start with the machine's default Maven (3.8 here), on the committed small test weights;
#  2. the same POM resolves only one platform's natives on each of the five platforms adain-dl4j supports, and
#     no native HDF5 or DL4J Keras import anywhere.
#     The platforms are faked with -Dos.name/-Dos.arch through ./mvnw (Maven 3.9): Maven 3.8 reads the OS for
#     profile activation before it reads -D, and its console library crashes on a faked Windows.
#  3. with ONNX Runtime as the only backend (the quick-start POM with the README's adain-onnxruntime dependencies
#     instead of adain-dl4j), the quick start runs, and macOS arm64 and Windows x64 resolve no DL4J, ND4J, JavaCPP,
#     HDF5 or Linux-classified jar: adain-api, adain-onnxruntime and ONNX Runtime's one jar for all platforms.
# Needs the adain artifacts in the local repository (mvn install). Prints the classpath size per platform.
#
#   .ci/consumer-check.sh [run|platforms|onnxruntime|all]     (default all)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
what=${1:-all}

version=$(sed -n 's|^  <version>\(.*\)</version>|\1|p' adain-bom/pom.xml | head -n 1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The README's blocks between the markers, without the ``` fences.
block() {
  sed -n "/<!-- $1:begin -->/,/<!-- $1:end -->/p" README.md | sed '1,2d;$d' | sed '$d'
}
mkdir -p "$work/src/main/java"
block consumer-pom > "$work/pom.xml"
block consumer-java > "$work/src/main/java/QuickStart.java"
readme_version=$(sed -n '/<artifactId>adain-bom<\/artifactId>/{n;s|.*<version>\(.*\)</version>.*|\1|p}' "$work/pom.xml")
if [ "$readme_version" != "$version" ]; then
  echo "consumer-check: README's quick-start POM names adain $readme_version, the build is $version" >&2
  exit 1
fi

if [ "$what" = run ] || [ "$what" = all ]; then
  models=adain-testkit/src/main/resources/org/adain/testkit/reference
  out="$work/stylized.png"
  echo "consumer-check: README quick start with $(mvn -v 2>&1 | sed -n 1p)"
  (cd "$work" && mvn -B -q compile exec:java -Dexec.args="$root/$models/models/encoder_tf2.h5 \
    $root/$models/models/decoder_tf2.h5 $root/$models/images/content_48x64.png $root/$models/images/style_0.png $out")
  test -s "$out"
  echo "consumer-check: the quick start wrote $out"
fi

if [ "$what" = platforms ] || [ "$what" = all ]; then
  # platform | os.name | os.arch | the classifier every native jar must carry
  failed=0
  while IFS='|' read -r platform osname osarch; do
    # First as a user who names the platform (-Djavacpp.platform, also what downloads the jars), then as a user
    # on that machine who sets nothing (faked OS, offline: the JDK's socket code breaks under a faked os.name).
    for how in named detected; do
      list="$work/deps-$platform-$how.txt"
      if [ "$how" = named ]; then flags=("-Djavacpp.platform=$platform"); else flags=(-o "-Dos.name=$osname" "-Dos.arch=$osarch"); fi
      if ! ./mvnw -B -q -f "$work/pom.xml" "${flags[@]}" org.apache.maven.plugins:maven-dependency-plugin:3.8.1:list \
          -DoutputFile="$list" -DoutputAbsoluteArtifactFilename=true -DincludeScope=runtime >"$work/log" 2>&1; then
        echo "consumer-check: $platform ($how): resolution failed" >&2
        grep -E 'ERROR|Caused by' "$work/log" | head -n 10 >&2
        failed=1
        continue 2
      fi
    done
    if ! diff <(sort "$work/deps-$platform-named.txt") <(sort "$work/deps-$platform-detected.txt") >"$work/diff"; then
      echo "consumer-check: $platform: a machine that sets nothing resolves other jars than -Djavacpp.platform=$platform:" >&2
      cat "$work/diff" >&2
      failed=1
    fi
    list="$work/deps-$platform-detected.txt"
    # Every jar with a platform classifier must be this platform's (-onednn and -redist variants included).
    natives=$(grep -oE '^ +[^:]+:[^:]+:jar:[a-z]+-[a-z0-9_]+(-[a-z0-9.]+)*:' "$list" | sed 's/ //g' || true)
    foreign=$(grep -E 'linux-|macosx-|windows-|android-|ios-' <<<"$natives" | grep -v ":jar:$platform" || true)
    if [ -n "$foreign" ]; then
      echo "consumer-check: $platform: natives of another platform:" >&2
      echo "$foreign" >&2
      failed=1
    fi
    for need in "org.nd4j:nd4j-native:jar:$platform" "org.bytedeco:openblas:jar:$platform" "org.bytedeco:javacpp:jar:$platform"; do
      grep -q "$need" "$list" || { echo "consumer-check: $platform: missing $need" >&2; failed=1; }
    done
    # .h5 is read and written in plain Java: native HDF5 and DL4J's Keras import are test-only in adain-dl4j.
    if grep -qE 'org.bytedeco:hdf5|deeplearning4j-modelimport' "$list"; then
      echo "consumer-check: $platform: native HDF5 or DL4J's Keras import reached the user's classpath" >&2
      failed=1
    fi
    bytes=$(grep -oE '/[^ ]+\.jar' "$list" | xargs -r du -cb | tail -n 1 | cut -f1)
    printf 'consumer-check: %-15s %3d jars, %4d MiB, natives: %s\n' "$platform" \
      "$(grep -cE '\.jar' "$list")" $((bytes / 1048576)) \
      "$(grep -oE ':(nd4j-native|openblas|javacpp):jar:[a-z0-9_-]+' <<<"$natives" | sed 's/:jar:/ /;s/^://' | tr '\n' ',' | sed 's/,$//')"
  done <<'EOF'
linux-x86_64|Linux|amd64
linux-arm64|Linux|aarch64
macosx-x86_64|Mac OS X|x86_64
macosx-arm64|Mac OS X|aarch64
windows-x86_64|Windows 10|amd64
EOF
  [ "$failed" = 0 ] || exit 1
fi

if [ "$what" = onnxruntime ] || [ "$what" = all ]; then
  # The quick-start POM with its project dependencies replaced by the README's ONNX Runtime-only ones.
  ort="$work/onnxruntime"
  mkdir -p "$ort/src/main/java"
  cp "$work/src/main/java/QuickStart.java" "$ort/src/main/java/"
  block consumer-onnxruntime > "$work/onnxruntime-deps.xml"
  grep -q '<artifactId>adain-onnxruntime</artifactId>' "$work/onnxruntime-deps.xml" || {
    echo "consumer-check: README's consumer-onnxruntime block names no adain-onnxruntime" >&2; exit 1; }
  awk -v deps="$work/onnxruntime-deps.xml" '
    /<\/dependencyManagement>/ { managed = 1 }
    managed && /^  <dependencies>/ { print; while ((getline line < deps) > 0) print "    " line; skip = 1; next }
    skip && /^  <\/dependencies>/ { skip = 0 }
    !skip { print }' "$work/pom.xml" > "$ort/pom.xml"
  if grep -q '<artifactId>adain-dl4j' "$ort/pom.xml"; then
    echo "consumer-check: the ONNX Runtime-only consumer POM still names adain-dl4j" >&2
    exit 1
  fi
  models=adain-testkit/src/main/resources/org/adain/testkit/reference
  out="$work/stylized-onnxruntime.png"
  echo "consumer-check: onnxruntime only: README quick start with $(mvn -v 2>&1 | sed -n 1p)"
  (cd "$ort" && mvn -B -q compile exec:java -Dexec.args="$root/$models/models/encoder_tf2.h5 \
    $root/$models/models/decoder_tf2.h5 $root/$models/images/content_48x64.png $root/$models/images/style_0.png $out")
  test -s "$out"
  echo "consumer-check: onnxruntime only: the quick start wrote $out"

  failed=0
  while IFS='|' read -r platform osname osarch; do
    list="$work/deps-onnxruntime-$platform.txt"
    # As a user on that machine who sets nothing (faked OS, offline, as above).
    if ! ./mvnw -B -q -o -f "$ort/pom.xml" "-Dos.name=$osname" "-Dos.arch=$osarch" \
        org.apache.maven.plugins:maven-dependency-plugin:3.8.1:list \
        -DoutputFile="$list" -DoutputAbsoluteArtifactFilename=true -DincludeScope=runtime >"$work/log" 2>&1; then
      echo "consumer-check: onnxruntime only, $platform: resolution failed" >&2
      grep -E 'ERROR|Caused by' "$work/log" | head -n 10 >&2
      failed=1
      continue
    fi
    unwanted=$(grep -E '^ +(org\.deeplearning4j|org\.nd4j|org\.bytedeco|[^:]*hdf5)' "$list" || true)
    if [ -n "$unwanted" ]; then
      echo "consumer-check: onnxruntime only, $platform: DL4J, ND4J, JavaCPP or HDF5 on the classpath:" >&2
      echo "$unwanted" >&2
      failed=1
    fi
    linux=$(grep -E '^ +[^:]+:[^:]+:jar:[^:]*linux[^:]*:' "$list" || true)
    if [ -n "$linux" ]; then
      echo "consumer-check: onnxruntime only, $platform: Linux-classified jars:" >&2
      echo "$linux" >&2
      failed=1
    fi
    for need in org.adain:adain-api:jar org.adain:adain-onnxruntime:jar com.microsoft.onnxruntime:onnxruntime:jar; do
      grep -q "$need" "$list" || { echo "consumer-check: onnxruntime only, $platform: missing $need" >&2; failed=1; }
    done
    bytes=$(grep -oE '/[^ ]+\.jar' "$list" | xargs -r du -cb | tail -n 1 | cut -f1)
    printf 'consumer-check: onnxruntime only, %-15s %3d jars, %4d MiB: %s\n' "$platform" \
      "$(grep -cE '\.jar' "$list")" $((bytes / 1048576)) \
      "$(grep -oE '^ +[^:]+:[^:]+' "$list" | sed 's/^ *[^:]*://' | sort | tr '\n' ' ' | sed 's/ $//')"
  done <<'PLATFORMS'
macosx-arm64|Mac OS X|aarch64
windows-x86_64|Windows 10|amd64
PLATFORMS
  # Not a classifier but inside the jar: ONNX Runtime ships every platform's library in its one jar.
  jar=$(grep -oE '/[^ ]+/onnxruntime-[0-9.]+\.jar' "$work/deps-onnxruntime-macosx-arm64.txt" 2>/dev/null | head -n 1 || true)
  if [ -n "$jar" ]; then
    echo "consumer-check: onnxruntime only: $(basename "$jar") holds the natives of $(unzip -Z1 "$jar" \
      | sed -n 's|^ai/onnxruntime/native/\([^/]*\)/.*|\1|p' | sort -u | tr '\n' ' ' | sed 's/ $//')"
  fi
  [ "$failed" = 0 ] || exit 1
fi
