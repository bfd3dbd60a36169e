package io.arborcast.wire;

import io.arborcast.core.DhtMessage;
import io.arborcast.core.Message;
import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.core.StreamMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class MessageCodecTest {
    private final MessageCodec codec = new MessageCodec(MessageCodec.DEFAULT_MAX_LINK_FRAME);

    @Test
    void everyMessageRecordIsRegisteredAndSampled() {
        Set<Class<?>> concrete = new HashSet<>();
        Deque<Class<?>> todo = new ArrayDeque<>(List.of(Message.class));
        while (!todo.isEmpty()) {
            Class<?> c = todo.pop();
            if (c.isSealed()) {
                todo.addAll(Arrays.asList(c.getPermittedSubclasses()));
            } else {
                concrete.add(c);
            }
        }
        assertThat(WireRegistry.messageIds().keySet()).containsExactlyInAnyOrderElementsOf(concrete);
        assertThat(WireSamples.all(new Random(1)).stream().map(Object::getClass).collect(Collectors.toSet()))
                .containsExactlyInAnyOrderElementsOf(concrete);
        assertThat(new HashSet<>(WireRegistry.messageIds().values())).hasSize(concrete.size());
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void everyMessageRoundTrips(long seed) throws CodecException {
        for (Message m : WireSamples.all(new Random(seed))) {
            byte[] bytes = codec.encode(m);
            Message back = codec.decode(bytes);
            assertThat(back).isInstanceOf(m.getClass());
            assertThat(codec.encode(back)).as("re-encoding %s", m).isEqualTo(bytes);
            assertThat(back.toString()).isEqualTo(m.toString());
            assertThat(codec.sizeOf(m)).isEqualTo(bytes.length);
            if (!(m instanceof StreamMessage)) { // records holding byte[] compare arrays by identity
                assertThat(back).isEqualTo(m);
            }
        }
        StreamMessage.Chunk c = WireSamples.chunk(new Random(seed), 4096);
        StreamMessage.Chunk back = (StreamMessage.Chunk) codec.decode(codec.encode(c));
        assertThat(back.payload()).isEqualTo(c.payload());
        assertThat(back.signature()).isEqualTo(c.signature());
        assertThat(back.channel()).isEqualTo(c.channel());
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void theSizeOfANodesAnswerIsItsEncodedLengthWhateverItsContacts(long seed) throws CodecException {
        // sizeOf works a Nodes answer out without serializing its contacts: check it against encode
        Random r = new Random(seed);
        String[] hosts = {"10.0.0.1", "203.0.113.254", "2001:db8::1", "fe80::1:2:3:4", "127.0.0.1", "höst.example", "a"};
        for (int i = 0; i < 200; i++) {
            int n = r.nextInt(40);
            List<PeerAddress> contacts = new ArrayList<>();
            for (int j = 0; j < n; j++) {
                String host = r.nextInt(4) == 0 ? "x".repeat(1 + r.nextInt(200)) : hosts[r.nextInt(hosts.length)];
                contacts.add(new PeerAddress(r.nextInt(6) == 0 ? null : NodeId.random(r), host, 1 + r.nextInt(65535)));
            }
            long rpcId = switch (r.nextInt(3)) {
                case 0 -> r.nextLong();
                case 1 -> r.nextInt(200);
                default -> -1 - r.nextInt(5);
            };
            List<PeerAddress> list = r.nextBoolean() ? List.copyOf(contacts) : new ArrayList<>(contacts);
            DhtMessage.Nodes m = new DhtMessage.Nodes(rpcId, list);
            assertThat(codec.sizeOf(m)).as("%d contacts", n).isEqualTo(codec.encode(m).length);
        }
    }

    @Test
    void nullRecordInValueRoundTrips() throws CodecException {
        Message m = new DhtMessage.Value(7, null, List.of(), List.of());
        assertThat(codec.decode(codec.encode(m))).isEqualTo(m);
    }

    @Test
    void unknownTypeIdIsRefused() {
        byte[] frame = {(byte) 0xE9, 0x07, 0, 0}; // varint 1001 = id 999 + Kryo's offset of 2
        assertReason(frame, CodecException.Reason.UNKNOWN_ID);
    }

    @Test
    void truncatedFrameIsRefused() throws CodecException {
        for (Message m : WireSamples.all(new Random(4))) {
            byte[] full = codec.encode(m);
            for (int cut = 1; cut < full.length; cut += Math.max(1, full.length / 7)) {
                byte[] part = Arrays.copyOf(full, cut);
                CodecException e = catchThrowableOfType(CodecException.class, () -> codec.decode(part));
                assertThat(e).as("%s cut at %d", m.getClass().getSimpleName(), cut).isNotNull();
                assertThat(e.reason()).isIn(CodecException.Reason.TRUNCATED, CodecException.Reason.MALFORMED);
            }
        }
        assertReason(new byte[0], CodecException.Reason.TRUNCATED);
        byte[] chunk = codec.encode(WireSamples.chunk(new Random(1), 4096));
        assertReason(Arrays.copyOf(chunk, chunk.length - 10), CodecException.Reason.TRUNCATED);
    }

    @Test
    void oversizeFramesAreRefusedBothWays() throws CodecException {
        MessageCodec datagrams = new MessageCodec(MessageCodec.DEFAULT_MAX_DATAGRAM);
        StreamMessage.Chunk big = WireSamples.chunk(new Random(1), 4096);
        assertThatThrownBy(() -> datagrams.encode(big)).isInstanceOf(CodecException.class)
                .hasMessageContaining("OVERSIZE");
        byte[] bytes = codec.encode(big);
        assertThat(catchThrowableOfType(CodecException.class, () -> datagrams.decode(bytes)).reason())
                .isEqualTo(CodecException.Reason.OVERSIZE);
    }

    @Test
    void trailingBytesAreRefused() throws CodecException {
        byte[] ok = codec.encode(new DhtMessage.Ping(5));
        assertReason(Arrays.copyOf(ok, ok.length + 1), CodecException.Reason.TRAILING_BYTES);
    }

    @Test
    void forgedLengthsAndValuesAreMalformedNotAllocations() throws CodecException {
        // A chunk whose payload length claims 2 GiB: must not allocate, must be refused.
        byte[] marker = {0x55, 0x66, 0x77};
        byte[] enc = codec.encode(new StreamMessage.Chunk(NodeId.random(new Random(1)), 1, 2, marker, new byte[0]));
        int found = WireSamples.indexOf(enc, marker);
        assertThat(found).as("marker in the encoding").isGreaterThanOrEqualTo(0);
        int at = found - 1; // the payload's length varint (3)
        assertThat(enc[at]).isEqualTo((byte) 3);
        byte[] forged = Arrays.copyOf(enc, at + 5);
        forged[at] = (byte) 0xFF;
        forged[at + 1] = (byte) 0xFF;
        forged[at + 2] = (byte) 0xFF;
        forged[at + 3] = (byte) 0xFF;
        forged[at + 4] = (byte) 0x07;
        assertReason(forged, CodecException.Reason.TRUNCATED);

        // A record constructor's validation becomes MALFORMED: port 0.
        byte[] nodes = codec.encode(new DhtMessage.Nodes(1, List.of(new PeerAddress(null, "h", 1))));
        byte[] badPort = nodes.clone();
        // Kryo writes record components by name: contacts [flag, host, port], then rpcId (zig-zag 1 = 2)
        assertThat(badPort[badPort.length - 2]).isEqualTo((byte) 1);
        badPort[badPort.length - 2] = 0;
        assertReason(badPort, CodecException.Reason.MALFORMED);
    }

    @Test
    void nonMessageTopLevelIsRefused() {
        assertReason(new byte[] {3, 1, 'h'}, CodecException.Reason.MALFORMED); // Kryo String id (1+2)
    }

    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13, 14})
    void randomGarbageOnlyEverRaisesCodecException(long seed) throws CodecException {
        Random r = new Random(seed);
        List<byte[]> valid = WireSamples.all(r).stream().map(m -> {
            try {
                return codec.encode(m);
            } catch (CodecException e) {
                throw new AssertionError(e);
            }
        }).toList();
        for (int i = 0; i < 20_000; i++) {
            byte[] frame;
            if (i % 2 == 0) {
                frame = WireSamples.bytes(r, 1 + r.nextInt(64));
            } else { // mutate a valid frame
                frame = valid.get(r.nextInt(valid.size())).clone();
                for (int k = 0; k <= r.nextInt(4); k++) {
                    frame[r.nextInt(frame.length)] = (byte) r.nextInt();
                }
            }
            try {
                codec.decode(frame);
            } catch (CodecException expected) {
                // fine: refused with a reason
            }
        }
        // the codec still works afterwards
        assertThat(codec.decode(codec.encode(new DhtMessage.Ping(9)))).isEqualTo(new DhtMessage.Ping(9));
    }

    private void assertReason(byte[] frame, CodecException.Reason reason) {
        CodecException e = catchThrowableOfType(CodecException.class, () -> codec.decode(frame));
        assertThat(e).as("decoding must fail").isNotNull();
        assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason);
    }
}
