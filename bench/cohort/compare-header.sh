#!/bin/bash
# Header reading of two builds of the clinical-agents jar, alternated in one run on one machine:
#   bench/cohort/compare-header.sh BEFORE.jar AFTER.jar [rounds]
# Needs bench.cp and bench/target/classes (see bench/results/cohort.md) and the archive in /tmp/cohort-archive.
set -euo pipefail
before=$1 after=$2 rounds=${3:-3}
java=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
classpath=$(cat bench.cp)
ours=$(tr ':' '\n' <<<"$classpath" | grep -m1 'warden-clinical-agents-.*\.jar')
for round in $(seq "$rounds"); do
  for which in before after; do
    jar=$before; [ "$which" = after ] && jar=$after
    echo "== round $round $which"
    "$java" -Xmx4g --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
      -cp "bench/target/classes:${classpath/$ours/$jar}" io.warden.bench.CohortBench \
      --archive /tmp/cohort-archive --files 10000 --passes 5 --only header 2>/dev/null | grep -E '"header_files_per_s"'
  done
done
