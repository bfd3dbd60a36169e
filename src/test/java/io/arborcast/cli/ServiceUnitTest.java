package io.arborcast.cli;

import io.arborcast.ExternalTools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The systemd unit in {@code config/} passes {@code systemd-analyze verify} without a word,
 * with its launcher path pointed at this checkout's (verify checks that the command exists).
 */
class ServiceUnitTest {
    @Test
    void theSystemdUnitVerifies(@TempDir Path dir) throws Exception {
        ExternalTools.require("systemd-analyze", "systemd");
        String unit = Files.readString(Path.of("config", "arborcast.service"));
        String launcher = "/opt/arborcast/arborcast";
        assertThat(unit).contains("ExecStart=" + launcher + " node --data ${STATE_DIRECTORY} ");
        Path file = dir.resolve("arborcast.service");
        Files.writeString(file, unit.replace(launcher, Path.of("arborcast").toAbsolutePath().toString()));
        Process p = new ProcessBuilder("systemd-analyze", "verify", file.toString()).redirectErrorStream(true).start();
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(said).isZero();
        assertThat(said).as("no warnings").isBlank();
    }
}
