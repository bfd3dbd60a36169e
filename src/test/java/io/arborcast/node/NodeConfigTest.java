package io.arborcast.node;

import io.arborcast.dht.DhtConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NodeConfigTest {
    @Test
    void documentedDefaultsMatchTheCodeDefaults() {
        NodeConfig c = NodeConfig.defaults();
        assertThat(c.dht()).isEqualTo(DhtConfig.defaults());
        assertThat(c.gossip()).isEqualTo(io.arborcast.gossip.GossipConfig.defaults());
        assertThat(c.net().port()).isEqualTo(7144);
        assertThat(c.net().maxDatagramBytes()).isEqualTo(1400);
    }

    @Test
    void fileOverridesDefaults(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("my.conf");
        Files.writeString(f, "arborcast.node.port = 9000\narborcast.dht.k = 8\narborcast.dht.rpc-timeout = 750 ms\n");
        NodeConfig c = NodeConfig.load(f);
        assertThat(c.net().port()).isEqualTo(9000);
        assertThat(c.dht().k()).isEqualTo(8);
        assertThat(c.dht().rpcTimeoutMillis()).isEqualTo(750);
        assertThat(c.dht().alpha()).isEqualTo(3);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        // mode                          | chunk | preroll chunks | playout delay | gap pull after
        "''                              | 250   | 4              | 3000          | 1000",
        "stream.latency-mode = low       | 100   | 2              | 3000          | 500",
        "stream.latency-mode = safe      | 250   | 12             | 6000          | 1000",
        "'stream.latency-mode = low, stream.preroll = 2 s, stream.gap-pull-after = 300 ms' | 100 | 20 | 3000 | 300",
        "'stream.latency-mode = low, stream.chunk-interval = 200 ms' | 200 | 1 | 3000 | 500"})
    void theLatencyModeSetsTheStreamsTimingUnlessItIsSet(String lines, long chunk, int preroll, long playoutDelay,
            long gapPullAfter, @TempDir Path dir) throws IOException {
        Path f = dir.resolve("mode.conf");
        Files.writeString(f, lines.isEmpty() ? "" : "arborcast { " + lines + " }\n");
        NodeConfig c = NodeConfig.load(f);
        io.arborcast.tree.TreeConfig t = c.tree();
        assertThat(c.chunkMillis()).isEqualTo(chunk);
        assertThat(t.prerollChunks()).isEqualTo(preroll);
        assertThat(t.playoutDelayMillis()).isEqualTo(playoutDelay);
        assertThat(t.gapPullAfterMillis()).isEqualTo(gapPullAfter);
        assertThat(t.bufferChunks()).as("a 30 s window").isEqualTo((int) (30_000 / chunk));
    }

    @Test
    void anUnknownLatencyModeNamesTheModes(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("mode.conf");
        Files.writeString(f, "arborcast.stream.latency-mode = instant\n");
        assertThatThrownBy(() -> NodeConfig.load(f)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bad configuration in " + f + ": stream.latency-mode: 'instant' is none of low, normal, safe");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "tree.relay-slots = -3          | tree.relay-slots = -3: must be 0 or more",
        "tree.parent-silence = 200 ms   | tree.parent-silence = 200 ms: must be longer than tree.keepalive (500 ms)",
        "dht.k = 0                      | dht.k = 0: must be at least 1",
        "gossip.passive-walk = 9        | gossip.passive-walk = 9: must be from 0 to 6",
        "node.port = 70000              | node.port = 70000: must be from 0 to 65535",
        "net.handshake-timeout = 0 s    | net.handshake-timeout = 0 ms: must be at least 1 ms",
        "stream.chunk-interval = 0 ms   | stream.chunk-interval = 0 ms: must be at least 1 ms"})
    void aValueOutOfRangeNamesItsSettingTheFileAndWhatIsAllowed(String line, String message, @TempDir Path dir)
            throws IOException {
        Path f = dir.resolve("range.conf");
        Files.writeString(f, "arborcast." + line + "\n");
        assertThatThrownBy(() -> NodeConfig.load(f)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bad configuration in " + f + ": " + message);
    }

    @Test
    void badValuesAndMissingFilesGiveClearErrors(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("bad.conf");
        Files.writeString(f, "arborcast.dht.k = lots\n");
        assertThatThrownBy(() -> NodeConfig.load(f)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad configuration").hasMessageContaining("k");
        assertThatThrownBy(() -> NodeConfig.load(dir.resolve("nope.conf"))).hasMessageContaining("not readable");
        Files.writeString(f, "arborcast {\n\n}}\n"); // found by NodeConfigFuzzTest: a parse error escaped as ConfigException
        assertThatThrownBy(() -> NodeConfig.load(f)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad configuration").hasMessageContaining("bad.conf: 3");
    }

    @Test
    void aMisspelledSettingFailsNamingItAndTheNearestOneAndTheRootBlockIsOptional(@TempDir Path dir)
            throws IOException {
        Path f = dir.resolve("typo.conf");
        Files.writeString(f, "arborcast {\n  node.prot = 9000\n}\n");
        assertThatThrownBy(() -> NodeConfig.load(f)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("typo.conf: 2: unknown setting 'node.prot'; did you mean 'node.port'?");
        Files.writeString(f, "node.port = 9001\ntree.relay-slots = 2\n");
        assertThat(NodeConfig.load(f).net().port()).as("no arborcast { } root: the same settings").isEqualTo(9001);
        assertThat(NodeConfig.load(f).tree().maxRelays()).isEqualTo(2);
        Files.writeString(f, "node.port = 9001\nwhatever.x = 1\n");
        assertThatThrownBy(() -> NodeConfig.load(f)).hasMessageContaining("unknown setting 'whatever.x'")
                .hasMessageNotContaining("did you mean");
        Files.writeString(f, "arborcast.node.port = 9002\nother { a = 1 }\n");
        assertThatThrownBy(() -> NodeConfig.load(f)).hasMessageContaining("unknown block 'other'");
    }

    @Test
    void everyResourceLimitIsADocumentedSetting() {
        for (io.arborcast.core.Limit l : io.arborcast.core.Limit.values()) {
            assertThat(NodeConfig.builtIn().hasPath("arborcast." + l.setting)).as(l.setting).isTrue();
        }
    }
}
