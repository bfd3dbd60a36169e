package io.arborcast.cli;

import io.arborcast.ExternalTools;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code arborcast demo} as a user runs it, in its own JVM; ffmpeg plays the URL it prints. */
class DemoTest {
    @Test
    void demoStreamsToEveryListenerAndItsUrlDecodes() throws Exception {
        ExternalTools.require("ffmpeg", "ffmpeg");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process demo = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                "io.arborcast.cli.Main", "demo", "--duration", "20", "--port", "0", "--listeners", "10")
                .redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8));
            String url = null;
            String line;
            while (url == null && (line = out.readLine()) != null) {
                lines.add(line);
                Matcher m = Pattern.compile("play it: ffplay (\\S+)").matcher(line);
                if (m.find()) {
                    url = m.group(1);
                }
            }
            assertThat(url).as("printed a playback URL: %s", lines).isNotNull();
            Process ffmpeg = new ProcessBuilder("ffmpeg", "-nostdin", "-nostats", "-v", "error", "-t", "4", "-i", url,
                    "-f", "null", "-").redirectErrorStream(true).start();
            assertThat(ffmpeg.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(new String(ffmpeg.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEmpty();
            assertThat(ffmpeg.exitValue()).isZero();
            while ((line = out.readLine()) != null) {
                lines.add(line);
            }
            assertThat(demo.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(demo.exitValue()).as("%s", lines).isZero();
        } finally {
            demo.destroyForcibly();
        }
        // 10 listeners, and the entry node too once ffmpeg asked it: all receiving
        assertThat(lines).anyMatch(l -> l.contains("receiving 11/11"));
        assertThat(lines).anyMatch(l -> l.startsWith("source :"));
        assertThat(lines).anyMatch(l -> l.startsWith("demo ran"));
    }
}
