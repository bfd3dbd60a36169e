package io.arborcast.wire;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Kryo serializers for the leaf types of our messages. Every length read from the wire is
 * checked against the bytes left in the frame before anything is allocated, so a forged
 * length cannot make a node allocate gigabytes.
 */
final class WireSerializers {
    private WireSerializers() {
    }

    static int checkedLength(Input input, int maxElements, int minBytesEach) {
        int n = input.readVarInt(true);
        int remaining = input.limit() - input.position();
        if (n < 0 || n > maxElements) {
            throw new KryoException("length " + n + " above the limit of " + maxElements);
        }
        if ((long) n * minBytesEach > remaining) {
            // a length that runs past the frame: the frame is cut short (or the length forged)
            throw new KryoException("Buffer underflow: length " + n + " but " + remaining + " bytes left");
        }
        return n;
    }

    /** byte[] as varint length + bytes. */
    static final class Bytes extends Serializer<byte[]> {
        @Override
        public void write(Kryo kryo, Output output, byte[] bytes) {
            output.writeVarInt(bytes.length, true);
            output.writeBytes(bytes);
        }

        @Override
        public byte[] read(Kryo kryo, Input input, Class<? extends byte[]> type) {
            return input.readBytes(checkedLength(input, Integer.MAX_VALUE, 1));
        }
    }

    /** String as varint length + UTF-8 bytes, at most {@code maxBytes}. */
    static final class Utf8 extends Serializer<String> {
        private final int maxBytes;

        Utf8(int maxBytes) {
            this.maxBytes = maxBytes;
            setImmutable(true);
        }

        private static boolean ascii(String s) {
            for (int i = 0; i < s.length(); i++) {
                if (s.charAt(i) >= 0x80) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public void write(Kryo kryo, Output output, String s) {
            int n = s.length();
            if (ascii(s)) { // the common case (host literals): no intermediate array
                output.writeVarInt(n, true);
                for (int i = 0; i < n; i++) {
                    output.writeByte(s.charAt(i));
                }
                return;
            }
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            output.writeVarInt(b.length, true);
            output.writeBytes(b);
        }

        @Override
        public String read(Kryo kryo, Input input, Class<? extends String> type) {
            return new String(input.readBytes(checkedLength(input, maxBytes, 1)), StandardCharsets.UTF_8);
        }
    }

    /** NodeId as its 20 raw bytes. */
    static final class Id extends Serializer<NodeId> {
        Id() {
            setImmutable(true);
        }

        @Override
        public void write(Kryo kryo, Output output, NodeId id) {
            output.writeBytes(id.toBytes());
        }

        @Override
        public NodeId read(Kryo kryo, Input input, Class<? extends NodeId> type) {
            return NodeId.fromBytes(input.readBytes(NodeId.BYTES));
        }
    }

    /** PeerAddress as a presence byte + id, host, port: no reflection on the hottest wire type. */
    static final class Address extends Serializer<PeerAddress> {
        private final Utf8 hosts;

        Address(Utf8 hosts) {
            this.hosts = hosts;
            setImmutable(true);
        }

        /** Bytes {@link #write} emits for {@code a}: flag, id, host, port. */
        static int size(PeerAddress a) {
            int host = a.hostUtf8Length(); // known to the address: sizing an answer reads no host text
            return 1 + (a.id() == null ? 0 : NodeId.BYTES) + Output.varIntLength(host, true) + host
                    + Output.varIntLength(a.port(), true);
        }

        @Override
        public void write(Kryo kryo, Output output, PeerAddress a) {
            if (a.id() == null) {
                output.writeByte(0);
            } else {
                output.writeByte(1);
                output.writeBytes(a.id().toBytes());
            }
            hosts.write(kryo, output, a.host());
            output.writeVarInt(a.port(), true);
        }

        @Override
        public PeerAddress read(Kryo kryo, Input input, Class<? extends PeerAddress> type) {
            int flag = input.readByte();
            if (flag != 0 && flag != 1) {
                throw new KryoException("bad address flag " + flag);
            }
            NodeId id = flag == 1 ? NodeId.fromBytes(input.readBytes(NodeId.BYTES)) : null;
            String host = hosts.read(kryo, input, String.class);
            return new PeerAddress(id, host, input.readVarInt(true));
        }
    }

    /**
     * Any List as varint size + elements, each element's class limited to an allow-list (so
     * lists cannot nest); always decodes to an immutable list.
     */
    static final class BoundedList extends Serializer<List<?>> {
        private final int maxElements;
        private final Set<Class<?>> elementTypes;

        BoundedList(int maxElements, Set<Class<?>> elementTypes) {
            this.maxElements = maxElements;
            this.elementTypes = elementTypes;
        }

        @Override
        public void write(Kryo kryo, Output output, List<?> list) {
            output.writeVarInt(list.size(), true);
            for (Object o : list) {
                kryo.writeClassAndObject(output, o);
            }
        }

        @Override
        public List<?> read(Kryo kryo, Input input, Class<? extends List<?>> type) {
            int n = checkedLength(input, maxElements, 2);
            List<Object> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                Registration reg = kryo.readClass(input);
                if (reg == null || !elementTypes.contains(reg.getType())) {
                    throw new KryoException("list element type not allowed: "
                            + (reg == null ? "null" : reg.getType().getSimpleName()));
                }
                Class<?> elementType = reg.getType();
                out.add(kryo.readObject(input, elementType));
            }
            return List.copyOf(out);
        }
    }
}
