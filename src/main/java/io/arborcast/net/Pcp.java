package io.arborcast.net;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * PCP (RFC 6887), NAT-PMP's successor on the same port 5351: a MAP request per protocol
 * (version 2), naming our address on the LAN and the external port we want (the same as ours),
 * answered with the port, address and lifetime granted. One nonce per node run: a renewal or
 * a delete must carry the nonce the mapping was made with. A NAT-PMP-only router answers
 * "unsupported version" (then {@link NatPmp} is asked). Blocking.
 */
final class Pcp implements PortMapper.PerProtocol {
    private static final Logger log = LoggerFactory.getLogger(Pcp.class);
    private static final int VERSION = 2;
    private static final int MAP = 1;
    private static final int TCP = 6;
    private static final int UDP = 17;
    /** Request and answer of a MAP: the 24-byte common header and the 36-byte MAP body. */
    private static final int MAP_BYTES = 60;
    private static final int NONCE_BYTES = 12;

    private final InetAddress gateway;
    private final byte[] nonce = new byte[NONCE_BYTES];
    private String external = "";
    private boolean answered;

    Pcp(InetAddress gateway) {
        this.gateway = gateway;
        new SecureRandom().nextBytes(nonce);
    }

    @Override
    public String name() {
        return "PCP on " + gateway.getHostAddress();
    }

    @Override
    public String externalAddress() {
        return external;
    }

    /**
     * Whether the gateway answered at all, if only "unsupported version": a NAT-PMP server
     * answers a PCP request so (RFC 6887, section 9), so silence means neither protocol is there.
     */
    boolean answered() {
        return answered;
    }

    @Override
    public int map(boolean tcp, int port, int lifetime) throws IOException {
        byte[] request = request(tcp ? TCP : UDP, port, lifetime);
        ByteBuffer res = NatPmp.exchange(gateway, request, 4, buf -> isAnswer(buf, request));
        String name = tcp ? "TCP" : "UDP";
        if (res == null) {
            log.debug("port mapping: no PCP answer from {}", gateway.getHostAddress());
            return 0;
        }
        answered = true;
        int result = res.get(3) & 0xff;
        if (result != 0) {
            log.debug("port mapping: {} refused {} {} (PCP result {}{})", gateway.getHostAddress(), name, port, result,
                    result == 1 ? ": unsupported version" : "");
            return 0;
        }
        if (res.remaining() < MAP_BYTES || !Arrays.equals(nonce, 0, NONCE_BYTES, res.array(), res.arrayOffset() + 24,
                res.arrayOffset() + 24 + NONCE_BYTES)) {
            return 0;
        }
        int granted = res.getInt(4);
        int externalPort = res.getShort(42) & 0xffff;
        if (lifetime > 0 && externalPort != port) {
            log.info("port mapping: {} offered {} port {} instead of {}; not used", gateway.getHostAddress(), name,
                    externalPort, port);
            map(tcp, port, 0);
            return 0;
        }
        byte[] ip = new byte[16];
        res.position(44);
        res.get(ip);
        InetAddress outside = InetAddress.getByAddress(ip); // IPv4-mapped: Java gives the IPv4 address
        external = outside.isAnyLocalAddress() ? "" : outside.getHostAddress();
        return granted;
    }

    /** An answer to {@code request}: version 2, the response bit on its opcode; short error answers pass too. */
    private static boolean isAnswer(byte[] buf, byte[] request) {
        return (buf[1] & 0xff) == (0x80 | request[1]) && (buf[0] == VERSION || buf[3] == 1); // 1: unsupported version
    }

    /** A MAP request: header (version, opcode, lifetime, our LAN address), then nonce, protocol, ports, external address. */
    private byte[] request(int protocol, int port, int lifetime) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(MAP_BYTES);
        b.put((byte) VERSION).put((byte) MAP).putShort((short) 0).putInt(lifetime).put(mapped(ourAddress()));
        b.put(nonce).put((byte) protocol).put(new byte[3]).putShort((short) port)
                .putShort((short) (lifetime == 0 ? 0 : port)).put(mapped(new byte[4])); // 0.0.0.0: any external address
        return b.array();
    }

    /** The address our packets to the gateway leave from (the PCP server checks it is the packet's source). */
    private byte[] ourAddress() throws IOException {
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(gateway, NatPmp.PORT);
            return s.getLocalAddress().getAddress();
        }
    }

    /** An IPv4 address as PCP carries it: IPv4-mapped IPv6 (::ffff:a.b.c.d). */
    private static byte[] mapped(byte[] ipv4) {
        byte[] a = new byte[16];
        a[10] = (byte) 0xff;
        a[11] = (byte) 0xff;
        System.arraycopy(ipv4, 0, a, 12, 4);
        return a;
    }
}
