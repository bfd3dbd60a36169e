package io.arborcast.wire;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.KryoBufferOverflowException;
import com.esotericsoftware.kryo.io.Output;
import io.arborcast.core.DhtMessage;
import io.arborcast.core.Message;
import io.arborcast.core.MessageSizer;
import io.arborcast.core.PeerAddress;

import java.util.List;

/**
 * Encodes and decodes {@link Message}s with Kryo under a hard frame-size limit. Every decode
 * problem becomes a {@link CodecException} with a {@link CodecException.Reason}; nothing else
 * escapes. Not thread-safe: use one codec per event loop (or per simulator).
 */
public final class MessageCodec implements MessageSizer {
    /** Default limit for frames on stream links. */
    public static final int DEFAULT_MAX_LINK_FRAME = 256 * 1024;
    /** Default limit for datagrams, so nothing fragments on the internet. */
    public static final int DEFAULT_MAX_DATAGRAM = 1400;

    private static final int SIZING_LIMIT = 16 * 1024 * 1024;

    private final Kryo kryo = WireRegistry.newKryo();
    private final Output output;
    private final int maxFrameBytes;
    private final Input input = new Input();
    /** A list element's type as Kryo writes it: the registration id + 2, as a varint. */
    private final int addressTypeIdBytes = Output.varIntLength(kryo.getRegistration(PeerAddress.class).getId() + 2, true);
    private Message lastSized;
    private int lastSize;
    private int emptyNodesBytes = -1;

    /** A codec refusing frames larger than {@code maxFrameBytes}. */
    public MessageCodec(int maxFrameBytes) {
        if (maxFrameBytes < 16) {
            throw new IllegalArgumentException("frame limit too small: " + maxFrameBytes);
        }
        this.maxFrameBytes = maxFrameBytes;
        this.output = new Output(Math.min(4096, maxFrameBytes), SIZING_LIMIT);
    }

    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    /** The encoded form of {@code m}, or OVERSIZE if it exceeds the frame limit. */
    public byte[] encode(Message m) throws CodecException {
        int size = write(m);
        if (size > maxFrameBytes) {
            throw new CodecException(CodecException.Reason.OVERSIZE,
                    m.getClass().getSimpleName() + " encodes to " + size + " bytes, limit " + maxFrameBytes);
        }
        return output.toBytes();
    }

    /**
     * Encoded size of {@code m} in bytes, whatever the limit. The last answer is remembered, as
     * a protocol that sizes a message to fit a datagram is followed by a transport sizing it again.
     */
    @Override
    public int sizeOf(Message m) {
        if (m != lastSized) {
            lastSize = m instanceof DhtMessage.Nodes n ? sizeOfNodes(n) : write(m);
            lastSized = m;
        }
        return lastSize;
    }

    /**
     * A DHT answer's size without serializing its contacts (the most sized message of all, and
     * a 20-contact one is 20 addresses to read): the frame with no contacts, plus each contact
     * as the list writes it (its type id, then the address). Equal to {@link #write}'s
     * count, which a test checks on random answers.
     */
    private int sizeOfNodes(DhtMessage.Nodes n) {
        List<PeerAddress> contacts = n.contacts();
        if (contacts.isEmpty() || kryo.getClassResolver().getRegistration(contacts.getClass()) == null) {
            return write(n); // (an unregistered list fails as it would on the wire)
        }
        if (emptyNodesBytes < 0) { // the frame of an answer with no contacts, but for its rpc id
            emptyNodesBytes = write(new DhtMessage.Nodes(0, List.of())) - rpcIdBytes(0);
        }
        int size = emptyNodesBytes + rpcIdBytes(n.rpcId()) - Output.varIntLength(0, true)
                + Output.varIntLength(contacts.size(), true);
        for (PeerAddress a : contacts) {
            size += addressTypeIdBytes + WireSerializers.Address.size(a);
        }
        return size;
    }

    /** Bytes of an rpc id as Kryo writes a long: a zig-zag varint. */
    private static int rpcIdBytes(long rpcId) {
        return Output.varLongLength(rpcId, false);
    }

    private int write(Message m) {
        output.reset();
        try {
            kryo.writeClassAndObject(output, m);
        } catch (KryoBufferOverflowException e) {
            return Integer.MAX_VALUE;
        }
        return output.position();
    }

    /** Decodes a whole frame. */
    public Message decode(byte[] frame) throws CodecException {
        return decode(frame, 0, frame.length);
    }

    /** Decodes the {@code length} bytes at {@code offset} as exactly one message. */
    public Message decode(byte[] buf, int offset, int length) throws CodecException {
        if (length > maxFrameBytes) {
            throw new CodecException(CodecException.Reason.OVERSIZE,
                    "frame of " + length + " bytes, limit " + maxFrameBytes);
        }
        if (length == 0) {
            throw new CodecException(CodecException.Reason.TRUNCATED, "empty frame");
        }
        input.setBuffer(buf, offset, length);
        Object o;
        try {
            o = kryo.readClassAndObject(input);
        } catch (KryoException | IllegalArgumentException | NullPointerException | IndexOutOfBoundsException e) {
            throw classify(e);
        } catch (StackOverflowError e) {
            throw new CodecException(CodecException.Reason.MALFORMED, "nesting too deep");
        } finally {
            kryo.reset();
        }
        if (!(o instanceof Message m)) {
            throw new CodecException(CodecException.Reason.MALFORMED,
                    "frame holds " + (o == null ? "null" : o.getClass().getSimpleName()) + ", not a message");
        }
        int left = offset + length - input.position();
        if (left != 0) {
            throw new CodecException(CodecException.Reason.TRAILING_BYTES,
                    left + " bytes after " + m.getClass().getSimpleName());
        }
        return m;
    }

    private static CodecException classify(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String msg = String.valueOf(t.getMessage());
            if (msg.contains("Encountered unregistered class ID") || msg.contains("Unregistered class ID")) {
                return new CodecException(CodecException.Reason.UNKNOWN_ID, firstLine(msg), e);
            }
            if (msg.startsWith("Buffer underflow")) {
                return new CodecException(CodecException.Reason.TRUNCATED, "frame ends mid-message", e);
            }
        }
        return new CodecException(CodecException.Reason.MALFORMED, firstLine(String.valueOf(e.getMessage())), e);
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
