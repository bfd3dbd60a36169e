package io.arborcast.net;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.function.Predicate;

/**
 * NAT-PMP (RFC 6886): UDP to the gateway's port 5351; a mapping request per protocol, version
 * 0, answered with the port and lifetime granted. Blocking.
 */
final class NatPmp implements PortMapper.PerProtocol {
    private static final Logger log = LoggerFactory.getLogger(NatPmp.class);
    static final int PORT = 5351;
    /** Waits for an answer, per try (RFC 6886 starts at 250 ms and doubles). */
    private static final int[] TRIES_MILLIS = {250, 500, 1000};
    private static final int UDP = 1;
    private static final int TCP = 2;

    private final InetAddress gateway;

    NatPmp(InetAddress gateway) {
        this.gateway = gateway;
    }

    @Override
    public String name() {
        return "NAT-PMP on " + gateway.getHostAddress();
    }

    @Override
    public int map(boolean tcp, int port, int lifetime) throws IOException {
        int protocol = tcp ? TCP : UDP;
        ByteBuffer res = ask(request(protocol, port, lifetime == 0 ? 0 : port, lifetime), 16);
        if (res == null) {
            log.debug("port mapping: no NAT-PMP answer from {}", gateway.getHostAddress());
            return 0;
        }
        int result = res.getShort(2) & 0xffff;
        int external = res.getShort(10) & 0xffff;
        String name = tcp ? "TCP" : "UDP";
        if (result != 0) {
            log.info("port mapping: {} refused {} {} (NAT-PMP result {})", gateway.getHostAddress(), name, port, result);
            return 0;
        }
        if (external != port && lifetime > 0) {
            log.info("port mapping: {} offered {} port {} instead of {}; not used", gateway.getHostAddress(), name,
                    external, port);
            ask(request(protocol, port, 0, 0), 16);
            return 0;
        }
        return res.getInt(12);
    }

    /** A mapping request: version 0, opcode, reserved, internal and external port (0, 0: delete), lifetime. */
    private static byte[] request(int protocol, int internal, int external, int lifetime) {
        return ByteBuffer.allocate(12).put((byte) 0).put((byte) protocol).putShort((short) 0)
                .putShort((short) internal).putShort((short) external).putInt(lifetime).array();
    }

    @Override
    public String externalAddress() throws IOException {
        ByteBuffer res = ask(new byte[] {0, 0}, 12);
        if (res == null || res.getShort(2) != 0) {
            return "";
        }
        byte[] a = new byte[4];
        res.position(8);
        res.get(a);
        return InetAddress.getByAddress(a).getHostAddress();
    }

    /** Sends {@code request}, retrying; the answer of {@code length} bytes (its opcode that of the request + 128), or null. */
    private ByteBuffer ask(byte[] request, int length) throws IOException {
        return exchange(gateway, request, length, buf -> buf[0] == 0 && (buf[1] & 0xff) == 128 + request[1]);
    }

    /**
     * Sends {@code request} to the gateway's port 5351, retrying with longer waits (RFC 6886 and
     * RFC 6887 alike); the first answer from it of at least {@code length} bytes that {@code answers}
     * accepts, or null if none came.
     */
    static ByteBuffer exchange(InetAddress gateway, byte[] request, int length, Predicate<byte[]> answers)
            throws IOException {
        try (DatagramSocket s = new DatagramSocket()) {
            InetSocketAddress to = new InetSocketAddress(gateway, PORT);
            for (int wait : TRIES_MILLIS) {
                s.send(new DatagramPacket(request, request.length, to));
                s.setSoTimeout(wait);
                byte[] buf = new byte[Math.max(length, 1100)]; // PCP answers are up to 1100 bytes
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    s.receive(p);
                } catch (SocketTimeoutException silence) {
                    continue;
                }
                if (p.getAddress().equals(gateway) && p.getLength() >= length && answers.test(buf)) {
                    return ByteBuffer.wrap(buf, 0, p.getLength()).slice();
                }
            }
            return null;
        }
    }
}
