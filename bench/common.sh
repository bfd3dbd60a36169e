# Shared by the bench scripts: build test classes once and compute the test classpath.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mvn -B -q -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt \
    -Dmdep.includeScope=test >/dev/null
CP="target/test-classes:target/classes:$(cat target/bench-classpath.txt)"
export CP
