package io.arborcast.gateway;

import io.arborcast.crypto.ChannelKey;
import io.arborcast.node.LocalChannel;
import io.arborcast.node.Node;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Relays an existing HTTP/ICY stream (an Icecast or SHOUTcast server's mount) into a channel:
 * asks for inline metadata, strips it from the audio and turns each {@code StreamTitle} into
 * the channel's title. Reads on its own thread; reconnects when the remote stream drops.
 */
public final class Puller {
    private static final Logger log = LoggerFactory.getLogger(Puller.class);
    private static final int MAX_HEADER_BYTES = 16_384;
    private static final Pattern TITLE = Pattern.compile("StreamTitle='(.*?)';");

    private final URI uri;
    private final Node node;
    private final LocalChannel channel;
    private final String contentType;
    private volatile boolean stopped;

    /** An open response: the socket, its headers, and where the audio starts. */
    private record Response(Socket socket, InputStream body, Map<String, String> headers) {
    }

    private Puller(URI uri, Node node, LocalChannel channel, String contentType) {
        this.uri = uri;
        this.node = node;
        this.channel = channel;
        this.contentType = contentType;
    }

    /**
     * Connects to {@code url} (failing clearly if it is not an audio stream), publishes
     * {@code key}'s channel with the remote content type and starts relaying.
     */
    public static Puller start(String url, Node node, ChannelKey key, String name, boolean takeover) throws Exception {
        URI uri = URI.create(url);
        if (!("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
                || uri.getHost() == null) {
            throw new IllegalArgumentException("--from needs an http:// or https:// stream URL, got " + url);
        }
        Response first = open(uri);
        String type = first.headers().getOrDefault("content-type", "");
        int bitrate = HttpGateway.parseBitrate(first.headers().get("icy-br"));
        LocalChannel channel = node.publish(key, name, type, bitrate, takeover).get(60, TimeUnit.SECONDS);
        Puller p = new Puller(uri, node, channel, type);
        Thread t = new Thread(() -> p.run(first), "pull " + uri.getHost());
        t.setDaemon(true);
        t.start();
        return p;
    }

    public String contentType() {
        return contentType;
    }

    public void stop() {
        stopped = true;
    }

    private void run(Response first) {
        Response r = first;
        long backoff = 1_000;
        while (!stopped) {
            try {
                relay(r);
                backoff = 1_000;
            } catch (IOException e) {
                log.warn("stream {} dropped: {}", uri, e.getMessage());
            } finally {
                node.execute(channel::endOfInput);
                closeQuietly(r.socket());
            }
            r = null;
            while (!stopped && r == null) {
                try {
                    Thread.sleep(backoff);
                    r = open(uri);
                    log.info("reconnected to {}", uri);
                } catch (InterruptedException e) {
                    return;
                } catch (IOException | IllegalArgumentException e) {
                    log.warn("cannot reconnect to {}: {}", uri, e.getMessage());
                    backoff = Math.min(backoff * 2, 30_000);
                }
            }
        }
    }

    /** Audio to the channel, metadata blocks to its title, until the remote ends. */
    private void relay(Response r) throws IOException {
        int metaint = parseInt(r.headers().get("icy-metaint"));
        InputStream in = r.body();
        byte[] buf = new byte[Math.max(1, Math.min(8192, metaint > 0 ? metaint : 8192))];
        int untilMeta = metaint;
        while (!stopped) {
            int want = metaint > 0 ? Math.min(buf.length, untilMeta) : buf.length;
            int n = in.read(buf, 0, want);
            if (n < 0) {
                return;
            }
            byte[] audio = java.util.Arrays.copyOf(buf, n);
            node.execute(() -> channel.write(audio, 0, audio.length));
            if (metaint > 0 && (untilMeta -= n) == 0) {
                untilMeta = metaint;
                int len = in.read() * 16;
                if (len < 0) {
                    return;
                }
                String meta = new String(in.readNBytes(len), StandardCharsets.UTF_8);
                Matcher m = TITLE.matcher(meta);
                if (m.find()) {
                    String title = m.group(1);
                    node.execute(() -> channel.setTitle(title));
                }
            }
        }
    }

    /**
     * TLS over the connected socket: the JDK's trust store, the host name checked against the
     * certificate (as a browser does), SNI; a failed handshake names the URL and why.
     */
    private static Socket startTls(Socket plain, URI uri, int port) throws IOException {
        SSLSocket s = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault())
                .createSocket(plain, uri.getHost(), port, true);
        SSLParameters p = s.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        s.setSSLParameters(p);
        try {
            s.startHandshake();
        } catch (IOException e) {
            throw new IOException("TLS with " + uri + " failed: " + e.getMessage(), e);
        }
        return s;
    }

    private static Response open(URI uri) throws IOException {
        boolean tls = "https".equalsIgnoreCase(uri.getScheme());
        int port = uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80;
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath()
                + (uri.getRawQuery() != null ? "?" + uri.getRawQuery() : "");
        Socket s = new Socket();
        try {
            try {
                s.connect(new InetSocketAddress(uri.getHost(), port), 10_000);
            } catch (IOException e) {
                throw new IOException("cannot connect to " + uri + ": " + e.getMessage(), e);
            }
            s.setSoTimeout(30_000);
            if (tls) {
                s = startTls(s, uri, port);
            }
            s.getOutputStream().write(("GET " + path + " HTTP/1.0\r\nHost: " + uri.getHost()
                    + "\r\nUser-Agent: " + HttpGateway.SERVER + "\r\nIcy-MetaData: 1\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            String status = line(in);
            if (!status.matches("(HTTP/1\\.[01]|ICY) 200.*")) {
                throw new IOException(uri + " answered '" + status + "', not a stream");
            }
            Map<String, String> headers = new HashMap<>();
            String h;
            int total = 0;
            while (!(h = line(in)).isEmpty()) {
                total += h.length();
                if (total > MAX_HEADER_BYTES) {
                    throw new IOException(uri + " sent more than " + MAX_HEADER_BYTES + " bytes of headers");
                }
                int colon = h.indexOf(':');
                if (colon > 0) {
                    headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
                }
            }
            String type = headers.getOrDefault("content-type", "").toLowerCase(Locale.ROOT);
            if (!(type.startsWith("audio/") || type.startsWith("application/ogg") || type.startsWith("video/"))) {
                throw new IOException(uri + " is not an audio stream (content type '" + type + "')");
            }
            return new Response(s, in, headers);
        } catch (IOException | RuntimeException e) {
            closeQuietly(s);
            throw e;
        }
    }

    /** One header line (CRLF or LF), at most 8 KiB. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (b.size() > 8192) {
                throw new IOException("header line too long");
            }
            b.write(c);
        }
        if (c < 0 && b.size() == 0) {
            throw new IOException("connection closed before the response");
        }
        String s = b.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    private static int parseInt(String v) {
        try {
            return v == null ? 0 : Math.max(0, Integer.parseInt(v.trim()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
