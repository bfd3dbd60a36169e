package io.arborcast.net;

import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.crypto.ChannelKey;
import io.arborcast.crypto.NodeIdentity;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/**
 * The first bytes each side of a peer link sends: magic {@code ARBC}, a protocol version, the
 * sender's node key (its node id is derived from it, see {@link NodeIdentity}), its listening
 * port and a fresh random challenge. Each side then answers the other's challenge with a
 * signature ({@link #PROOF_LENGTH} bytes) before any frame, so a link is never attributed to an
 * id whose key the peer does not hold. The magic is what lets one TCP port serve both peer
 * links and HTTP. Version 3 adds what the sender sees of the link's other end ({@code seen}: 16
 * bytes of IPv6, IPv4 mapped, then the port): "you are X", how a node learns its address.
 * Version 4: a stream head carries the seq of the first chunk it precedes, apart from its
 * version (the frames changed, so older nodes are refused at the preamble, not misread).
 * Version 5: peer states and provider entries name the node through which a peer nobody can
 * dial is reached ({@code via}), an ATTACH says whether its sender can be dialled, and an ATTACH
 * can travel through that node (connection reversal). Version 6: a PUNCH travels back the same
 * way when both ends are behind NATs (hole punching). Version 7: the source role passes from one
 * node to another (QUERY, PUBLISHING, TAKEOVER, HANDOVER, DECLINED), and a signed END of the
 * stream travels down the tree. Version 8: PUBLISHING carries the publisher's signed record.
 * Version 9: QUERY carries a nonce, which a PUBLISHING "yes" signs with the channel key.
 * Version 10: source messages travel through a publisher's via (RELAYED), a HANDOVER is
 * signed with the channel key, the DHT keeps the channel directory (STORE_LISTING,
 * FIND_LISTINGS, LISTINGS), a SUBTREE report carries its subtree's size and a HEAD the
 * channel's genre, description and URL. Version 11: a HEAD also carries a new name for the
 * channel and a comment, and a FIND_LISTINGS can ask for names that begin with a prefix.
 */
public record Preamble(int version, byte[] publicKey, int listenPort, byte[] nonce, byte[] seen, int seenPort) {
    public static final byte[] MAGIC = "ARBC".getBytes(StandardCharsets.US_ASCII);
    public static final int VERSION = 11;
    public static final int NONCE_BYTES = 16;
    public static final int SEEN_BYTES = 16;
    public static final int LENGTH = MAGIC.length + 1 + ChannelKey.PUBLIC_KEY_BYTES + 2 + NONCE_BYTES + SEEN_BYTES + 2;
    /** Length of the challenge answer that follows the preambles. */
    public static final int PROOF_LENGTH = ChannelKey.SIGNATURE_BYTES;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Our preamble for a new link to a peer we see at {@code peer} (null: unknown), with a fresh challenge. */
    public static Preamble of(NodeIdentity identity, int listenPort, InetSocketAddress peer) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        byte[] seen = new byte[SEEN_BYTES];
        int seenPort = 0;
        if (peer != null && peer.getAddress() != null) {
            byte[] ip = peer.getAddress().getAddress();
            if (ip.length == 4) { // IPv4-mapped: ::ffff:a.b.c.d
                seen[10] = (byte) 0xff;
                seen[11] = (byte) 0xff;
            }
            System.arraycopy(ip, 0, seen, SEEN_BYTES - ip.length, ip.length);
            seenPort = peer.getPort();
        }
        return new Preamble(VERSION, identity.publicKey(), listenPort, nonce, seen, seenPort);
    }

    /** The IP the sender sees us at, in canonical text; empty if it did not say. */
    public String seenHost() {
        if (seenPort == 0) {
            return "";
        }
        try {
            return PeerAddress.canonicalHost(InetAddress.getByAddress(seen).getHostAddress());
        } catch (UnknownHostException e) {
            return ""; // (16 bytes are always an address)
        }
    }

    /** The node id the sender's key stands for. */
    public NodeId nodeId() {
        return NodeIdentity.idOf(publicKey);
    }

    /** True if the first bytes readable in {@code in} are the magic (needs 4 readable bytes). */
    public static boolean startsWithMagic(ByteBuf in) {
        for (int i = 0; i < MAGIC.length; i++) {
            if (in.getByte(in.readerIndex() + i) != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    public ByteBuf encode(ByteBufAllocator alloc) {
        ByteBuf b = alloc.buffer(LENGTH);
        b.writeBytes(MAGIC).writeByte(version).writeBytes(publicKey).writeShort(listenPort).writeBytes(nonce)
                .writeBytes(seen).writeShort(seenPort);
        return b;
    }

    /**
     * Reads a preamble from exactly {@link #LENGTH} readable bytes, or explains what is wrong:
     * bad magic, another version, port 0, or a key that is no valid identity at {@code difficulty}.
     */
    public static Preamble read(ByteBuf in, int difficulty) {
        if (!startsWithMagic(in)) {
            throw new IllegalArgumentException("not an Arborcast peer (bad magic)");
        }
        in.skipBytes(MAGIC.length);
        int version = in.readUnsignedByte();
        byte[] key = new byte[ChannelKey.PUBLIC_KEY_BYTES];
        in.readBytes(key);
        int port = in.readUnsignedShort();
        byte[] nonce = new byte[NONCE_BYTES];
        in.readBytes(nonce);
        byte[] seen = new byte[SEEN_BYTES];
        in.readBytes(seen);
        int seenPort = in.readUnsignedShort();
        if (version != VERSION) {
            throw new IllegalArgumentException("unsupported peer protocol version " + version);
        }
        if (port == 0) {
            throw new IllegalArgumentException("peer announced port 0");
        }
        String problem = NodeIdentity.problem(key, difficulty);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return new Preamble(version, key, port, nonce, seen, seenPort);
    }
}
