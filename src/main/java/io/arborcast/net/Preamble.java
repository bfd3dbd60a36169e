package io.arborcast.net;

import io.arborcast.core.NodeId;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.charset.StandardCharsets;

/**
 * The first bytes each side of a peer link sends: magic {@code ARBC}, a protocol version,
 * the sender's node id and its listening port. The magic is what lets one TCP port serve
 * both peer links and HTTP.
 */
public record Preamble(int version, NodeId nodeId, int listenPort) {
    public static final byte[] MAGIC = "ARBC".getBytes(StandardCharsets.US_ASCII);
    public static final int VERSION = 1;
    public static final int LENGTH = MAGIC.length + 1 + NodeId.BYTES + 2;

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
        b.writeBytes(MAGIC).writeByte(version).writeBytes(nodeId.toBytes()).writeShort(listenPort);
        return b;
    }

    /** Reads a preamble from exactly {@link #LENGTH} readable bytes, or explains what is wrong. */
    public static Preamble read(ByteBuf in) {
        if (!startsWithMagic(in)) {
            throw new IllegalArgumentException("not an Arborcast peer (bad magic)");
        }
        in.skipBytes(MAGIC.length);
        int version = in.readUnsignedByte();
        byte[] id = new byte[NodeId.BYTES];
        in.readBytes(id);
        int port = in.readUnsignedShort();
        if (version != VERSION) {
            throw new IllegalArgumentException("unsupported peer protocol version " + version);
        }
        if (port == 0) {
            throw new IllegalArgumentException("peer announced port 0");
        }
        return new Preamble(version, NodeId.fromBytes(id), port);
    }
}
