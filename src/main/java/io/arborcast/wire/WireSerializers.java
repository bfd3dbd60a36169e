package io.arborcast.wire;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.arborcast.core.NodeId;

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

        @Override
        public void write(Kryo kryo, Output output, String s) {
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
                out.add(kryo.readObject(input, reg.getType()));
            }
            return List.copyOf(out);
        }
    }
}
