package io.arborcast.wire;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.arborcast.core.Message;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Any bytes from a peer, as a link frame or a datagram: the codec either returns a message
 * or raises a {@link CodecException} with a reason; nothing else escapes, nothing hangs, and a
 * message it accepted encodes again and decodes to the same kind of message.
 *
 * <p>{@code mvn verify} runs the seeds under {@code MessageCodecFuzzTestInputs/} and fuzzes
 * each target for a few seconds (see the pom); {@code bench/fuzz.sh} fuzzes for longer.
 */
class MessageCodecFuzzTest {
    private static final MessageCodec LINK = new MessageCodec(MessageCodec.DEFAULT_MAX_LINK_FRAME);
    private static final MessageCodec DATAGRAM = new MessageCodec(MessageCodec.DEFAULT_MAX_DATAGRAM - 20);

    @FuzzTest(maxDuration = "5s")
    void linkFrame(byte[] frame) {
        check(LINK, frame);
    }

    @FuzzTest(maxDuration = "5s")
    void datagram(byte[] datagram) {
        check(DATAGRAM, datagram);
    }

    private static void check(MessageCodec codec, byte[] bytes) {
        Message m;
        try {
            m = codec.decode(bytes);
        } catch (CodecException e) {
            assertThat(e.reason()).isNotNull();
            return;
        }
        byte[] again;
        try {
            again = codec.encode(m);
        } catch (CodecException e) {
            // a frame can decode to a message that encodes larger (varints written long): fine if oversize
            assertThat(e.reason()).isEqualTo(CodecException.Reason.OVERSIZE);
            return;
        }
        try {
            assertThat(codec.decode(again)).isInstanceOf(m.getClass());
        } catch (CodecException e) {
            throw new AssertionError("re-encoded " + m.getClass().getSimpleName() + " does not decode: " + e, e);
        }
    }
}
