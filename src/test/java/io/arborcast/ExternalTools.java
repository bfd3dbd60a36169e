package io.arborcast;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Tests that need a real program (ffmpeg, curl, Chromium, iproute2) call {@link #require}: on
 * a machine without it they are skipped with one line naming the package to install, so the
 * README's {@code mvn -B verify} passes on a fresh machine; under {@code CI=true} (as
 * {@code .ci/run} runs, having installed them) a missing program fails the run instead.
 */
public final class ExternalTools {
    private ExternalTools() {
    }

    /** Skips the calling test (fails it under CI) unless {@code tool} is on the PATH. */
    public static void require(String tool, String debianPackage) {
        if (!onPath(tool)) {
            unavailable(tool + " is not installed (apt-get install -y " + debianPackage + ")");
        }
    }

    /** Skips the calling test, or fails it under CI, saying {@code why}. */
    public static void unavailable(String why) {
        if ("true".equals(System.getenv("CI"))) {
            throw new IllegalStateException("CI needs this: " + why);
        }
        System.err.println("skipped: " + why);
        Assumptions.abort(why);
    }

    public static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
