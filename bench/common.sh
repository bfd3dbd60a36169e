# Shared by the bench scripts: build test classes once, compute the test classpath, pick the JVM.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mvn -B -q -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt \
    -Dmdep.includeScope=test >/dev/null
# the JVM the launcher would choose (Java 25 or newer), unless JAVA names one
JAVA="${JAVA:-$("$root/arborcast" --print-java)}"
export JAVA
CP="target/test-classes:target/classes:$(cat target/bench-classpath.txt)"
export CP
