package io.arborcast.net;

import io.arborcast.core.AddressScope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Asks the home router to forward this node's port to it, TCP and UDP: PCP (RFC 6887), then
 * NAT-PMP (RFC 6886) to the default gateway, then UPnP-IGD (found by SSDP). The lease is renewed
 * at half its lifetime and removed on {@link #close} (and at JVM exit); a renewal refused means
 * the forward is gone (the listener hears null) and the router is asked anew, as it is every
 * {@value #RETRY_MINUTES} minutes while there is none. Only the same port outside is taken,
 * since peers dial the port we say we listen on. Blocking I/O on a thread of its own, never on
 * the event loop; what it makes goes to a listener.
 */
public final class PortMapper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PortMapper.class);
    /** The lease asked for; renewed at half of what the router grants. */
    static final int LIFETIME_SECONDS = 3600;
    /** With no forward (none to be had, or one lost), the router is asked again this often. */
    static final int RETRY_MINUTES = 10;

    /** One way of asking a router for a forward of a port, TCP and UDP. */
    interface Forwarding {
        /** "NAT-PMP on 10.0.0.1", say. */
        String name();

        /** Forwards {@code port} for {@code lifetimeSeconds}; the lifetime granted, or 0 if not (logged why). */
        int map(int port, int lifetimeSeconds) throws IOException;

        /** Removes the forward of {@code port}. */
        void unmap(int port) throws IOException;

        /** The address the router says it has outside, or "". */
        String externalAddress() throws IOException;
    }

    /**
     * A protocol that asks one request per transport protocol (NAT-PMP, PCP): TCP first, UDP only
     * if TCP was granted; what both were granted counts.
     */
    interface PerProtocol extends Forwarding {
        /** Maps {@code port} for TCP or UDP (lifetime 0: deletes); the lifetime granted, or 0 (logged why). */
        int map(boolean tcp, int port, int lifetimeSeconds) throws IOException;

        @Override
        default int map(int port, int lifetimeSeconds) throws IOException {
            int tcp = map(true, port, lifetimeSeconds);
            return tcp <= 0 ? 0 : Math.min(tcp, map(false, port, lifetimeSeconds)); // no answer for TCP: none for UDP
        }

        @Override
        default void unmap(int port) throws IOException {
            map(true, port, 0);
            map(false, port, 0);
        }
    }

    /** A port forwarded by {@code by}: {@code port} on its outside, for {@code lifetimeSeconds}. */
    public record Mapping(String by, int port, int lifetimeSeconds, String routerSays) {
        /** One line for logs: what is forwarded, by whom, and what the router says its address is. */
        public String describe() {
            return by + ": TCP and UDP " + port + " for " + lifetimeSeconds + " s"
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
    private final CompletableFuture<Void> settled = new CompletableFuture<>();
    private volatile Forwarding router;
    private volatile Mapping mapping;
    private boolean hookAdded;

    private PortMapper(int port, Consumer<Mapping> listener) {
        this.port = port;
        this.listener = listener;
    }

    /**
     * Starts mapping {@code port} in the background if the host ({@code bindHost}, or for a
     * wildcard its interfaces) has a private IPv4 address and no public one: behind a home router
     * (not on a public address, nor bound to loopback, where no router could help);
     * {@code listener} hears of each mapping made or renewed, and null when one is lost (on the
     * mapper's thread).
     */
    public static PortMapper start(int port, String bindHost, Consumer<Mapping> listener) {
        PortMapper m = new PortMapper(port, listener);
        List<AddressScope> scopes = Interfaces.hosts(bindHost).stream().filter(h -> !h.contains(":"))
                .map(AddressScope::of).toList();
        if (scopes.contains(AddressScope.PUBLIC) || !scopes.contains(AddressScope.PRIVATE)) {
            log.debug("port mapping: not tried ({})", scopes.contains(AddressScope.PUBLIC)
                    ? "this host has a public IPv4 address" : "no private IPv4 address a router could forward to");
            m.settled.complete(null);
            return m;
        }
        m.thread.execute(m::mapOrRenew);
        return m;
    }

    /** Completes once the first attempt ended (a mapping made, or none to be had): checks of reachability wait for it. */
    public CompletableFuture<Void> settled() {
        return settled;
    }

    /** The mapping in force, or null. */
    public Mapping mapping() {
        return mapping;
    }

    private void mapOrRenew() {
        try {
            Forwarding r = router;
            int lifetime = r == null ? 0 : r.map(port, LIFETIME_SECONDS);
            if (r != null && lifetime <= 0) { // rebooted, replaced, or the port given to another host
                log.info("port mapping: {} did not renew the forward of port {}; asking the router anew", r.name(),
                        port);
                router = null;
                mapping = null;
                listener.accept(null);
                r = null;
            }
            if (r == null) {
                InetAddress gateway = defaultGateway();
                Pcp pcp = gateway == null ? null : new Pcp(gateway);
                lifetime = pcp == null ? 0 : pcp.map(port, LIFETIME_SECONDS);
                r = lifetime > 0 ? pcp : null;
                if (r == null && pcp != null && pcp.answered()) { // silence to PCP: no NAT-PMP either
                    NatPmp natPmp = new NatPmp(gateway);
                    lifetime = natPmp.map(port, LIFETIME_SECONDS);
                    r = lifetime > 0 ? natPmp : null;
                }
                if (r == null) {
                    r = UpnpIgd.discover();
                    lifetime = r == null ? 0 : r.map(port, LIFETIME_SECONDS);
                }
            }
            if (lifetime <= 0) {
                log.debug("port mapping: no router forwarded port {} (PCP, NAT-PMP, UPnP-IGD); asking again in {} min",
                        port, RETRY_MINUTES);
                thread.schedule(this::mapOrRenew, RETRY_MINUTES, TimeUnit.MINUTES);
                return;
            }
            if (!hookAdded) {
                hookAdded = true;
                Runtime.getRuntime().addShutdownHook(atExit);
            }
            router = r;
            mapping = new Mapping(r.name(), port, lifetime, r.externalAddress());
            listener.accept(mapping);
            thread.schedule(this::mapOrRenew, Math.max(30, lifetime / 2), TimeUnit.SECONDS);
        } catch (IOException | RuntimeException e) {
            log.info("port mapping failed: {}", e.toString());
        } finally {
            settled.complete(null);
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

    /** Removes the mapping, if there is one. */
    private void unmap() {
        Mapping m = mapping;
        Forwarding r = router;
        mapping = null;
        if (m == null || r == null) {
            return;
        }
        try {
            r.unmap(port);
            log.info("port mapping: removed {} by {}", m.port(), m.by());
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
