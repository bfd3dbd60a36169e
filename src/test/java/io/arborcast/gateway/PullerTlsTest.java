package io.arborcast.gateway;

import io.arborcast.ExternalTools;
import io.arborcast.crypto.ChannelKey;
import io.arborcast.net.NetConfig;
import io.arborcast.node.LocalChannel;
import io.arborcast.node.Node;
import io.arborcast.node.NodeConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@code publish --from https://...}: a pull over TLS from an ICY server whose certificate the
 * JDK's trust store holds (here a store made for the test), and a clear refusal of one it does
 * not (the server's name is checked, as a browser does).
 */
class PullerTlsTest {
    private static final char[] PASSWORD = "changeit".toCharArray();
    private final List<Node> nodes = new ArrayList<>();
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        nodes.forEach(Node::close);
        for (AutoCloseable c : closing) {
            c.close();
        }
        System.clearProperty("javax.net.ssl.trustStore");
        System.clearProperty("javax.net.ssl.trustStorePassword");
    }

    @Test
    void pullsAnIcyStreamOverTlsAndRefusesAnUntrustedServer(@TempDir Path dir) throws Exception {
        ExternalTools.require("ffmpeg", "ffmpeg");
        Path mp3 = dir.resolve("sine.mp3");
        Process enc = new ProcessBuilder("ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i",
                "sine=frequency=440:sample_rate=44100", "-t", "10", "-c:a", "libmp3lame", "-b:a", "128k",
                "-id3v2_version", "0", "-write_xing", "0", "-f", "mp3", mp3.toString()).inheritIO().start();
        assertThat(enc.waitFor(60, TimeUnit.SECONDS) && enc.exitValue() == 0).isTrue();
        Path trusted = keystore(dir, "trusted");
        Path other = keystore(dir, "other");
        int port = serveIcy(trusted, java.nio.file.Files.readAllBytes(mp3));
        int untrustedPort = serveIcy(other, java.nio.file.Files.readAllBytes(mp3));
        System.setProperty("javax.net.ssl.trustStore", trusted.toString()); // the JDK's trust store, made for the test
        System.setProperty("javax.net.ssl.trustStorePassword", new String(PASSWORD));

        NodeConfig d = NodeConfig.defaults();
        Node node = Node.start(new NodeConfig(NetConfig.loopback(0), d.dht(), d.gossip(), d.tree(), d.sourceSlots(),
                d.chunkMillis(), d.maxChunkBytes()));
        nodes.add(node);
        ChannelKey key = ChannelKey.generate();
        Puller p = Puller.start("https://127.0.0.1:" + port + "/live", node, key, "over tls", false);
        try {
            assertThat(p.contentType()).isEqualTo("audio/mpeg");
            await().atMost(Duration.ofSeconds(10)).until(() -> onLoop(node, () -> {
                LocalChannel c = node.channel(key.channelId());
                return c != null && "Pulled over TLS".equals(c.title()) && c.bytesIn() > 16_000;
            }));
        } finally {
            p.stop();
        }
        String url = "https://127.0.0.1:" + untrustedPort + "/live";
        assertThatThrownBy(() -> Puller.start(url, node, ChannelKey.generate(), "x", false))
                .hasMessageStartingWith("TLS with " + url + " failed: ")
                .hasMessageContaining("PKIX path"); // the JDK's refusal of a certificate it does not trust
    }

    /** A PKCS#12 store with a self-signed certificate for 127.0.0.1, made by the JDK's keytool. */
    private static Path keystore(Path dir, String name) throws Exception {
        Path store = dir.resolve(name + ".p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", name, "-keyalg", "EC",
                "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", new String(PASSWORD)).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).as(new String(out, StandardCharsets.UTF_8))
                .isTrue();
        return store;
    }

    /** An ICY server over TLS: the MP3 with a metadata block every 8,000 bytes, all at once. */
    private int serveIcy(Path keystore, byte[] mp3) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(keystore.toFile())) {
            ks.load(in, PASSWORD);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, PASSWORD);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        SSLServerSocket server = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 4,
                InetAddress.getByName("127.0.0.1"));
        closing.add(server);
        byte[] meta = Arrays.copyOf("StreamTitle='Pulled over TLS';".getBytes(StandardCharsets.UTF_8), 32);
        Thread serving = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    s.getInputStream().read(new byte[1024]); // the request (and the handshake before it)
                    OutputStream out = s.getOutputStream();
                    out.write("ICY 200 OK\r\nContent-Type: audio/mpeg\r\nicy-br: 128\r\nicy-metaint: 8000\r\n\r\n"
                            .getBytes(StandardCharsets.ISO_8859_1));
                    for (int pos = 0; pos + 4000 <= mp3.length; pos += 4000) {
                        out.write(mp3, pos, 4000);
                        if ((pos / 4000) % 2 == 1) {
                            out.write(2);
                            out.write(meta);
                        }
                    }
                    out.flush(); // then the stream ends: the puller reconnects until stopped
                } catch (Exception e) {
                    // the client went (or refused our certificate): wait for the next one
                }
            }
        }, "icy over tls");
        serving.setDaemon(true);
        serving.start();
        return server.getLocalPort();
    }

    private static <T> T onLoop(Node n, java.util.function.Supplier<T> f) throws Exception {
        CompletableFuture<T> r = new CompletableFuture<>();
        n.execute(() -> r.complete(f.get()));
        return r.get(5, TimeUnit.SECONDS);
    }
}
