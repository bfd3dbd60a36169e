package io.arborcast.cli;

import io.arborcast.core.ChannelRecord;
import io.arborcast.crypto.ChannelKey;
import io.arborcast.dht.ChannelRecords;
import io.arborcast.net.NetConfig;
import io.arborcast.node.Node;
import io.arborcast.node.NodeConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The CLI run in-process against real nodes on loopback. */
class CliTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream oldOut;
    private PrintStream oldErr;

    @BeforeEach
    void capture() {
        oldOut = System.out;
        oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(oldOut);
        System.setErr(oldErr);
    }

    @Test
    void helpListsTheCommands() {
        assertThat(Main.run("--help")).isZero();
        assertThat(out.toString()).contains("demo", "publish", "play", "node", "channels", "keygen", "simulate");
    }

    @Test
    void publishAndPlayExplainBadArgumentsWithoutStackTraces(@TempDir Path dir) throws Exception {
        assertThat(Main.run("play", "not-a-channel", "--bootstrap", "127.0.0.1:1", "--port", "0")).isEqualTo(1);
        assertThat(err.toString()).contains("not a channel id: not-a-channel");
        assertThat(Main.run("publish", "--key", dir.resolve("missing.key").toString(), "--name", "x", "--port", "0"))
                .isEqualTo(1);
        assertThat(err.toString()).contains("channel key file " + dir.resolve("missing.key") + " does not exist")
                .contains("arborcast keygen --out").doesNotContain("Exception");
        Path key = dir.resolve("k.pem");
        assertThat(Main.run("keygen", "--out", key.toString())).isZero();
        int deadPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        String from = "http://127.0.0.1:" + deadPort + "/live";
        assertThat(Main.run("publish", "--key", key.toString(), "--name", "x", "--port", "0", "--bind", "127.0.0.1",
                "--from", from)).isEqualTo(1);
        assertThat(err.toString()).contains("cannot connect to " + from + ": Connection refused");
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort() - 1; // the node's port is free, its port + 1 is not
            assertThat(Main.run("node", "--port", String.valueOf(port), "--bind", "127.0.0.1")).isEqualTo(1);
            assertThat(err.toString()).contains("cannot bind the SHOUTcast source port (the node's port + 1) 127.0.0.1:"
                    + taken.getLocalPort());
        }
        assertThat(Main.run("publish", "--name", "x")).as("a usage error: --key is required").isEqualTo(1);
        assertThat(Main.run("play", "--no-such-option")).isEqualTo(1);
        assertThat(err.toString()).contains("Missing required option: '--key=FILE'");
    }

    /**
     * A node restarted on its port is the same node (its key kept in the data directory, one per
     * port); while one runs, a second process with the same key is refused, naming the file;
     * {@code --node-key none} is a new node each run.
     */
    @Test
    void aNodeKeepsItsIdentityOnItsPortAndOneKeyRunsOneNodeAtATime(@TempDir Path dir) throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String[] node = {"node", "--port", String.valueOf(port), "--bind", "127.0.0.1", "--data", dir.toString(),
                "--duration", "1"};
        assertThat(Main.run(node)).isZero();
        String first = idSaid();
        Path key = dir.resolve("node-" + port + ".key");
        assertThat(out.toString()).contains("identity: kept in " + key);
        out.reset();
        assertThat(Main.run(node)).isZero();
        assertThat(idSaid()).as("the same node after a restart").isEqualTo(first);

        try (NodeKey held = NodeKey.open(key, NetConfig.DEFAULT_ID_DIFFICULTY)) {
            assertThat(held.identity.id().toHex()).isEqualTo(first);
            assertThat(Main.run(node)).isEqualTo(1);
            assertThat(err.toString()).contains("node key " + key + " is in use by another running node");
        }
        out.reset();
        String[] fresh = java.util.stream.Stream.concat(java.util.Arrays.stream(node), java.util.stream.Stream.of(
                "--node-key", "none")).toArray(String[]::new);
        assertThat(Main.run(fresh)).isZero();
        assertThat(idSaid()).isNotEqualTo(first);
        assertThat(out.toString()).contains("identity: new this run");
    }

    @Test
    void theDataDirectoryFollowsThePlatformsConvention() {
        assertThat(NodeKey.defaultDataDir(java.util.Map.of("XDG_DATA_HOME", "/x/data"), "Linux", "/home/u"))
                .isEqualTo(Path.of("/x/data/arborcast"));
        assertThat(NodeKey.defaultDataDir(java.util.Map.of(), "Linux", "/home/u"))
                .isEqualTo(Path.of("/home/u/.local/share/arborcast"));
        assertThat(NodeKey.defaultDataDir(java.util.Map.of(), "Mac OS X", "/Users/u"))
                .isEqualTo(Path.of("/Users/u/Library/Application Support/arborcast"));
    }

    /** The node id the last run printed ("node ID listening on ..."). */
    private String idSaid() {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("node ([0-9a-f]{40}) listening on").matcher(out.toString());
        assertThat(m.find()).as(out.toString()).isTrue();
        return m.group(1);
    }

    @Test
    void keygenWritesAKeyAndRefusesToOverwrite(@TempDir Path dir) throws Exception {
        Path key = dir.resolve("a.key");
        assertThat(Main.run("keygen", "--out", key.toString())).isZero();
        String id = ChannelKey.load(key).channelId().toHex();
        assertThat(out.toString()).contains("channel id: " + id);
        assertThat(Main.run("keygen", "--out", key.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("exists").doesNotContain("Exception");
    }

    @Test
    void channelsFindsAPublishedChannelAndExplainsFailures() throws Exception {
        try (Node node = Node.start(NodeConfig.defaults().withNet(NetConfig.loopback(0)))) {
            ChannelKey key = ChannelKey.generate();
            ChannelRecord record = ChannelRecords.create(key, "CLI FM", "audio/ogg", 96, 0, 1);
            node.publish(record).get(10, TimeUnit.SECONDS);
            node.announce(record.channelId(), 0, 4).get(10, TimeUnit.SECONDS);
            String bootstrap = "127.0.0.1:" + node.address().port();

            assertThat(Main.run("channels", "--bind", "127.0.0.1", "--bootstrap", bootstrap, key.channelId().toHex()))
                    .isZero();
            assertThat(out.toString()).contains("CLI FM", "audio/ogg, 96 kbit/s", "signature verified",
                    "providers 1", node.address().endpoint());

            String unknown = ChannelKey.generate().channelId().toHex();
            assertThat(Main.run("channels", "--bind", "127.0.0.1", "--bootstrap", bootstrap, unknown)).isEqualTo(3);
            assertThat(err.toString()).contains("channel " + unknown + " not found");

            int deadPort;
            try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                deadPort = s.getLocalPort();
            }
            assertThat(Main.run("channels", "--bind", "127.0.0.1", "--bootstrap", "127.0.0.1:" + deadPort, unknown))
                    .isEqualTo(2);
            assertThat(err.toString()).contains("did not answer");
            assertThat(Main.run("channels", "--bootstrap", bootstrap, "xyz")).isEqualTo(1);
            assertThat(err.toString()).contains("40 hex characters").doesNotContain("Exception");
        }
    }

    @Test
    void aSecondPublisherOfALiveChannelIsRefusedWithExitCode4(@TempDir Path dir) throws Exception {
        Path keyFile = dir.resolve("k.pem");
        assertThat(Main.run("keygen", "--out", keyFile.toString())).isZero();
        try (Node first = Node.start(NodeConfig.defaults().withNet(NetConfig.loopback(0)))) {
            first.publish(ChannelKey.load(keyFile), "First FM", "audio/mpeg", 128).get(10, TimeUnit.SECONDS);
            assertThat(Main.run("publish", "--key", keyFile.toString(), "--name", "Second FM", "--port", "0",
                    "--bind", "127.0.0.1", "--bootstrap", "127.0.0.1:" + first.address().port(), "--duration", "1"))
                    .isEqualTo(PublishCommand.EXIT_IN_USE);
            assertThat(err.toString()).contains("is already published by " + first.address().endpoint(), "--takeover")
                    .doesNotContain("Exception");
            assertThat(out.toString()).doesNotContain("source:");
        }
    }

    @Test
    void fromTakesHttpsAndSaysWhenTlsFails(@TempDir Path dir) throws Exception {
        Path key = dir.resolve("k.pem");
        assertThat(Main.run("keygen", "--out", key.toString())).isZero();
        try (java.net.ServerSocket plain = new java.net.ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Thread server = new Thread(() -> { // speaks plain HTTP where TLS is expected
                try (java.net.Socket s = plain.accept()) {
                    s.getOutputStream().write("HTTP/1.0 200 OK\r\nContent-Type: audio/mpeg\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    s.getInputStream().read();
                } catch (java.io.IOException ignored) {
                    // the client gave up on the handshake
                }
            });
            server.start();
            String from = "https://127.0.0.1:" + plain.getLocalPort() + "/live";
            assertThat(Main.run("publish", "--key", key.toString(), "--name", "x", "--port", "0", "--bind", "127.0.0.1",
                    "--from", from)).isEqualTo(1);
            assertThat(err.toString()).contains("TLS with " + from + " failed: ").doesNotContain("Exception");
            server.join(5_000);
        }
        assertThat(Main.run("publish", "--key", key.toString(), "--name", "x", "--port", "0", "--bind", "127.0.0.1",
                "--from", "ftp://127.0.0.1/live")).isEqualTo(1);
        assertThat(err.toString()).contains("--from needs an http:// or https:// stream URL");
    }
}
