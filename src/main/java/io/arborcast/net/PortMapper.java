package io.arborcast.net;

import io.arborcast.core.AddressScope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Asks the home router to forward this node's port to it, TCP and UDP, with NAT-PMP (RFC 6886):
 * the router is the default gateway, the lease is renewed at half its lifetime and removed on
 * {@link #close} (and at JVM exit). Mapped only with the external port equal to ours, since
 * peers dial the port we say we listen on. Blocking I/O on a thread of its own, never on the
 * event loop; what it finds goes to a listener. UPnP-IGD and PCP are not done (yet).
 */
public final class PortMapper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PortMapper.class);
    static final int NAT_PMP_PORT = 5351;
    /** The lease asked for; renewed at half of what the router grants. */
    static final int LIFETIME_SECONDS = 3600;
    /** Waits for an answer, per try (RFC 6886 starts at 250 ms and doubles). */
    private static final int[] TRIES_MILLIS = {250, 500, 1000};
    private static final int TCP = 2;
    private static final int UDP = 1;

    /** A port forwarded by {@code gateway}: {@code port} on its outside, for {@code lifetimeSeconds}. */
    public record Mapping(String protocol, String gateway, int port, int lifetimeSeconds, String routerSays) {
        /** One line for logs: what is forwarded, by whom, and what the router says its address is. */
        public String describe() {
            return protocol + " on " + gateway + ": TCP and UDP " + port + " for " + lifetimeSeconds + " s"
                    + (routerSays.isEmpty() ? "" : " (the router says its address is " + routerSays + ")");
        }
    }

    private final int port;
    private final Consumer<Mapping> listener;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "port-mapper");
        t.setDaemon(true);
        return t;
    });
    private final Thread atExit = new Thread(this::unmap, "port-mapper-exit");
    private volatile InetAddress gateway;
    private volatile Mapping mapping;

    private PortMapper(int port, Consumer<Mapping> listener) {
        this.port = port;
        this.listener = listener;
    }

    /**
     * Starts mapping {@code port} in the background, unless an address of the host ({@code bindHost}
     * or, for a wildcard, any interface) is public already (no
     * NAT in the way) or there is no default gateway; {@code listener} hears of each mapping made
     * or renewed (on the mapper's thread).
     */
    public static PortMapper start(int port, String bindHost, Consumer<Mapping> listener) {
        PortMapper m = new PortMapper(port, listener);
        if (Interfaces.hosts(bindHost).stream().anyMatch(h -> !h.contains(":") && AddressScope.of(h) == AddressScope.PUBLIC)) {
            log.debug("port mapping: not needed, this host has a public IPv4 address");
            return m;
        }
        m.thread.execute(m::mapOrRenew);
        return m;
    }

    /** The mapping in force, or null. */
    public Mapping mapping() {
        return mapping;
    }

    private void mapOrRenew() {
        try {
            if (gateway == null) {
                gateway = defaultGateway();
                if (gateway == null) {
                    log.debug("port mapping: no IPv4 default gateway");
                    return;
                }
            }
            String routerSays = externalAddress(gateway);
            int tcp = map(gateway, TCP, LIFETIME_SECONDS);
            int udp = map(gateway, UDP, LIFETIME_SECONDS);
            int lifetime = Math.min(tcp, udp);
            if (lifetime <= 0) {
                return;
            }
            boolean first = mapping == null;
            mapping = new Mapping("NAT-PMP", gateway.getHostAddress(), port, lifetime, routerSays);
            if (first) {
                Runtime.getRuntime().addShutdownHook(atExit);
            }
            listener.accept(mapping);
            thread.schedule(this::mapOrRenew, Math.max(30, lifetime / 2), TimeUnit.SECONDS);
        } catch (IOException e) {
            log.info("port mapping: NAT-PMP failed: {}", e.toString());
        }
    }

    /** Maps {@code port} for {@code protocol}; the lifetime granted, or 0 (logged why) if not mapped. */
    private int map(InetAddress gw, int protocol, int lifetime) throws IOException {
        ByteBuffer res = ask(gw, request(protocol, lifetime == 0 ? 0 : port, lifetime), 16); // 0, 0: delete
        if (res == null) {
            log.debug("port mapping: no NAT-PMP answer from {}", gw.getHostAddress());
            return 0;
        }
        int result = res.getShort(2) & 0xffff;
        int external = res.getShort(10) & 0xffff;
        int granted = res.getInt(12);
        String name = protocol == TCP ? "TCP" : "UDP";
        if (result != 0) {
            log.info("port mapping: {} refused {} {} (NAT-PMP result {})", gw.getHostAddress(), name, port, result);
            return 0;
        }
        if (external != port && lifetime > 0) {
            log.info("port mapping: {} offered {} port {} instead of {}; not used", gw.getHostAddress(), name,
                    external, port);
            ask(gw, request(protocol, 0, 0), 16);
            return 0;
        }
        return granted;
    }

    /** A NAT-PMP mapping request for our port: version 0, opcode, reserved, internal and external port, lifetime. */
    private byte[] request(int protocol, int external, int lifetime) {
        return ByteBuffer.allocate(12).put((byte) 0).put((byte) protocol).putShort((short) 0)
                .putShort((short) port).putShort((short) external).putInt(lifetime).array();
    }

    /** The address the router says it has outside ("" if it does not say). */
    private String externalAddress(InetAddress gw) throws IOException {
        ByteBuffer res = ask(gw, new byte[] {0, 0}, 12);
        if (res == null || res.getShort(2) != 0) {
            return "";
        }
        byte[] a = new byte[4];
        res.position(8);
        res.get(a);
        return InetAddress.getByAddress(a).getHostAddress();
    }

    /** Sends {@code request} to the gateway's NAT-PMP port, retrying; its answer of {@code length} bytes, or null. */
    private static ByteBuffer ask(InetAddress gw, byte[] request, int length) throws IOException {
        try (DatagramSocket s = new DatagramSocket()) {
            InetSocketAddress to = new InetSocketAddress(gw, NAT_PMP_PORT);
            for (int wait : TRIES_MILLIS) {
                s.send(new DatagramPacket(request, request.length, to));
                s.setSoTimeout(wait);
                byte[] buf = new byte[length];
                DatagramPacket p = new DatagramPacket(buf, length);
                try {
                    s.receive(p);
                } catch (SocketTimeoutException silence) {
                    continue;
                }
                if (p.getAddress().equals(gw) && p.getLength() >= length && buf[0] == 0
                        && (buf[1] & 0xff) == 128 + request[1]) {
                    return ByteBuffer.wrap(buf);
                }
            }
            return null;
        }
    }

    /** The IPv4 default gateway from the kernel's routing table (Linux), or null. */
    static InetAddress defaultGateway() throws IOException {
        Path routes = Path.of("/proc/net/route");
        if (!Files.isReadable(routes)) {
            return null;
        }
        for (String line : Files.readAllLines(routes)) {
            String[] f = line.trim().split("\\s+");
            // Iface Destination Gateway Flags ...: the default route, with RTF_GATEWAY (0x2) set
            if (f.length > 3 && f[1].equals("00000000") && (Integer.parseInt(f[3], 16) & 0x2) != 0) {
                int gw = Integer.reverseBytes((int) Long.parseLong(f[2], 16)); // little-endian in the file
                return InetAddress.getByAddress(ByteBuffer.allocate(4).putInt(gw).array());
            }
        }
        return null;
    }

    /** Removes the mapping (lifetime 0), if there is one. */
    private void unmap() {
        Mapping m = mapping;
        InetAddress gw = gateway;
        mapping = null;
        if (m == null || gw == null) {
            return;
        }
        try {
            map(gw, TCP, 0);
            map(gw, UDP, 0);
            log.info("port mapping: removed {} {}", m.protocol(), m.port());
        } catch (IOException e) {
            log.debug("port mapping: removing it failed: {}", e.toString());
        }
    }

    /** Stops renewing and removes the mapping. */
    @Override
    public void close() {
        thread.shutdownNow();
        unmap();
        try {
            Runtime.getRuntime().removeShutdownHook(atExit);
        } catch (IllegalStateException | IllegalArgumentException exitingOrNeverAdded) {
            // at exit the hook itself removes it; a mapper that never mapped added none
        }
    }
}
