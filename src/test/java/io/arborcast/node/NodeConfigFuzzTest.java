package io.arborcast.node;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Any configuration file either loads or fails with an IllegalArgumentException that names
 * the problem: never another exception, never a config the node cannot start with.
 */
class NodeConfigFuzzTest {
    private static final Path FILE = tempFile();

    @FuzzTest(maxDuration = "5s")
    void configFile(String text) throws IOException {
        Files.writeString(FILE, "arborcast {\n" + text + "\n}\n");
        NodeConfig c;
        try {
            c = NodeConfig.load(FILE);
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        assertThat(c.net().port()).isBetween(0, 65535);
        assertThat(c.dht().k()).isPositive();
        assertThat(c.tree().maxRelays()).isNotNegative();
        assertThat(c.chunkMillis()).isPositive();
        assertThat(c.maxChunkBytes()).isPositive();
    }

    private static Path tempFile() {
        try {
            Path p = Files.createTempFile("arborcast-fuzz", ".conf");
            p.toFile().deleteOnExit();
            return p;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
